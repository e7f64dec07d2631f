"""`python -m funnel_tui` is the same as `funnel`."""

import sys

from .cli import main

sys.exit(main())
