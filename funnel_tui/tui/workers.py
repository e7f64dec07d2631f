"""Workers for the screens' writes: a save, an answer, a move, run in a thread so the
screen never waits on the database, while the keys typed meanwhile wait for its outcome
(key_order.KeysInOrder), because the outcome decides where the cursor goes next."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from textual import work


def write_worker(group: str, exclusive: bool = True) -> Callable[[Callable], Callable]:
    """Like `@work(thread=True, group=…)`, for a write: calling the method starts the
    worker and holds the keys typed after it until the write is done and shown."""

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        threaded = work(thread=True, exclusive=exclusive, group=group)(method)

        @functools.wraps(method)
        def start(self, *args: Any, **kwargs: Any):
            worker = threaded(self, *args, **kwargs)
            self.app.hold_keys_for(worker)
            return worker

        return start

    return decorate
