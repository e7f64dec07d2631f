"""Workers for the screens' reads and writes, with one policy for what goes wrong.

Every read and write runs in a thread, on a connection of that thread's own, so the
screen never waits on the database. The reads that others' writes cause (up to one a
second, all day) run on one thread whose connection stays open (KeptReader): opening
a connection for each would cost more than the reads. A write (a save, an answer, a
move) also holds the keys typed meanwhile until its outcome is shown
(key_order.KeysInOrder), because the outcome decides where the cursor goes next.

What went wrong is sorted the same way for every screen:
- the rules refused (Refused, its `problems` naming the fields): the screen says why and
  keeps what was typed;
- someone else changed the record since it was shown (StaleEdit): the screen shows it as
  it is now, or treats it as a refusal when it has nothing better to say;
- the database cannot be written by this user (ReadOnlyDatabase, or SQLite's own "attempt
  to write a readonly database"): the screen says why as for a database that did not
  answer, keeping what was typed, with nothing to try again;
- the database did not answer or stayed busy (read.connection.database_failure): a write
  tells its screen, keeping the form, and the app offers to try again when it was only
  busy (failures.HandlesFailures.write_failed); a read leaves the screen as it was, and
  the app says so once and reloads when the database answers (HandlesFailures);
- anything else is a bug: it is not caught here, and the app keeps every draft, writes a
  crash file and exits 3 (failures.HandlesFailures).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from textual import work

from funnel_tui.core.errors import ReadOnlyDatabase, Refused, StaleEdit
from funnel_tui.read.connection import (
    close_kept_connection,
    connected,
    database_failure,
    kept_connection,
)
from funnel_tui.tui.failures import HandlesFailures

if TYPE_CHECKING:
    from funnel_tui.rules.funnel import Funnel

T = TypeVar("T")


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


def read_worker(group: str = "default", exclusive: bool = False) -> Callable[[Callable], Callable]:
    """Like `@work(thread=True, group=…)`, for a read: the method's body runs on a
    connection of the worker's own. A read that fails goes to the app's failure handler
    (the module's docstring): Textual hands it over because the worker keeps
    exit_on_error, which failures.HandlesFailures turns into a message and a retry when
    the database is away, not a closed app."""

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def body(*args: Any, **kwargs: Any) -> Any:
            with connected():
                return method(*args, **kwargs)

        return work(thread=True, exclusive=exclusive, group=group)(body)

    return decorate


class KeptReader:
    """One thread whose connection stays open from one read to the next, for the app's
    life: the reads that others' writes cause. They run one after another, in the order
    the writes were heard, and without a Textual worker each (whose start and states
    are messages through the screen: more than these reads cost)."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="funnel-kept-read")

    def start(self, app: HandlesFailures, fn: Callable[..., Any], /, *args: Any) -> None:
        """`fn(*args)` on the kept thread and connection, in the caller's context
        (Textual's active app, which `self.app` reads); what it raises goes to the app's
        failure handler, as a worker's failure does."""
        context = contextvars.copy_context()
        self._thread.submit(context.run, self._read, app, fn, args)

    @staticmethod
    def _read(app: HandlesFailures, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            with kept_connection():
                fn(*args)
        except Exception as exc:
            with contextlib.suppress(RuntimeError):  # the app closed meanwhile
                app.call_from_thread(app.background_failed, exc)

    def close(self) -> None:
        """Close the connection and let the thread end (the app is closing)."""
        self._thread.submit(close_kept_connection)
        self._thread.shutdown(wait=False)


def kept_read(method: Callable[..., Any]) -> Callable[..., None]:
    """As read_worker, for a read that others' writes cause: calling the method runs
    its body on the app's KeptReader (`app.kept_reader`), whose connection stays open.
    The body hands its answer to the UI thread itself (call_from_thread)."""

    @functools.wraps(method)
    def start(self: Any, *args: Any) -> None:
        self.app.kept_reader.start(self.app, method, self, *args)

    return start


def run_write(
    app: HandlesFailures,
    operation: Callable[[Funnel], T],
    *,
    done: Callable[[T], None],
    refused: Callable[[Refused], None],
    failed: Callable[[str], None],
    retry: Callable[[], None],
    stale: Callable[..., None] | None = None,
    reread: Callable[[], Any] | None = None,
) -> None:
    """Run `operation(app.rules)` on a connection of this worker thread's own and hand
    its outcome to the screen on the UI thread: `done(result)`; `stale(exc)` when the
    record changed meanwhile (`refused(exc)` without `stale`); `refused(exc)` when the
    rules said no; `failed(reason)` when the database did not answer, through the app,
    which offers `retry` when it was only busy. Anything else propagates: a bug. Call it
    from a `write_worker`. With `reread`, a stale edit reads the record again (in the
    worker, so the keys stay held until the screen has shown it): `stale(exc, fresh)`."""
    try:
        with connected():
            result = operation(app.rules)  # type: ignore[attr-defined]
    except StaleEdit as exc:
        if stale is None:
            app.call_from_thread(refused, exc)
        elif reread is None:
            app.call_from_thread(stale, exc)
        else:
            with connected():
                fresh = reread()
            app.call_from_thread(stale, exc, fresh)
    except ReadOnlyDatabase as exc:
        app.call_from_thread(app.write_failed, exc, failed, retry)
    except Refused as exc:
        app.call_from_thread(refused, exc)
    except Exception as exc:
        if database_failure(exc) is None:
            raise  # a bug: the app's failure handler keeps the drafts and exits 3
        app.call_from_thread(app.write_failed, exc, failed, retry)
    else:
        app.call_from_thread(done, result)
