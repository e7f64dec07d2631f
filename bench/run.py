"""Runs every benchmark in bench/ and prints, per figure, the measurement, its floor
(measured in the same run), the ratio and the goal. Exits 1 when a goal is missed.

    .venv/bin/python bench/run.py            # everything
    .venv/bin/python bench/run.py core       # only bench_core.py
    .venv/bin/python bench/run.py demo       # `funnel demo` on SQLite and PostgreSQL
    .venv/bin/python bench/run.py duplicates # possible duplicates over 100,000 leads
    .venv/bin/python bench/run.py assign     # handing over 10,000 leads, and its undo
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

from common import report  # noqa: E402


def main(argv: list[str]) -> int:
    wanted = set(argv)
    figures = []
    for path in sorted(HERE.glob("bench_*.py")):
        short = path.stem.removeprefix("bench_")
        if wanted and short not in wanted:
            continue
        print(f"running {path.name} …", file=sys.stderr, flush=True)
        module = importlib.import_module(path.stem)
        figures += module.figures()
    return 0 if report(figures) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
