"""`python -m funnel_tui` is the same as `funnel`."""

import sys

from funnel_tui.cli import main

# Guarded: a process the importer spawns imports this module again, and must not run.
if __name__ == "__main__":
    sys.exit(main())
