"""time.sleep for the runs of .ci/run under libfaketime, which keep the monotonic clock
real (FAKETIME_DONT_FAKE_MONOTONIC=1) so that timed waits of threads end.

libfaketime 0.9.10 (Debian 12) then breaks clock_nanosleep with an absolute monotonic
deadline, which is how Python 3.11's time.sleep waits: every sleep fails with EINVAL
(wolfcw/libfaketime#426, fixed after 0.9.10). This sleeps with select's relative timeout
instead, which libfaketime passes through. On this folder's PYTHONPATH only for those
runs; elsewhere it changes nothing.
"""

import os
import select
import time

if os.environ.get("FAKETIME_DONT_FAKE_MONOTONIC") == "1" and "faketime" in os.environ.get(
    "LD_PRELOAD", ""
):

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            select.select([], [], [], left)

    time.sleep = _sleep
