"""Keys act in the order they were typed, each on the widget focused at that moment.

A rep types ahead, pastes, or works over an SSH link that delivers keystrokes in bursts.
Textual hands every key of a burst to the focused widget's queue at once, and a Tab
moves the focus only when the widget has passed it up to the screen's bindings: by then
the keys after the Tab were already queued for the old field ("Anna FastAcme" in Name,
Company empty). So the app holds the keys it receives and delivers the next one only
when the previous one has settled: its widget and every ancestor have handled it and
what it set off (a Submitted message, a focus moved with `call_later`, a screen pushed),
and no write that decides where the cursor goes next (a save) is still running.

Settling is found by draining message queues rather than by waiting for the app to go
idle: a callback posted to a widget runs after everything already queued there, so when
it finds the queue empty, that widget has finished with the key. The walk goes from the
widget up to the app, then over a screen the key opened. It costs a few queue hops per
key (microseconds), not a frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque

from textual import events, log
from textual.app import App
from textual.dom import DOMNode
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.worker import Worker

# A key whose consequences take longer than this to settle (a handler stuck on something)
# stops holding the keys after it: better a key on the wrong field than a frozen app.
SETTLE_TIMEOUT = 2.0
# Keys of one burst arrive within milliseconds (one read, one SSH packet); nobody reads
# a warning and types the next key this fast.
BURST_SECONDS = 0.15


class _Delivery:
    """One key (or paste) on its way: the queues left to drain before the next goes."""

    def __init__(self, event: events.Event, screen: Screen | None) -> None:
        self.event = event
        self.screen = screen  # the screen on top when it was delivered
        self.started = time.monotonic()
        self.chain: list[MessagePump] = []  # every queue the key may have reached
        self.done = False


class KeysInOrder(App):
    """An App whose key and paste events are delivered one at a time, each once the one
    before has settled (see the module's docstring). Screens hold the keys behind a
    write that moves the cursor with `hold_keys_for(worker)`."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._typed_ahead: deque[events.Event] = deque()
        self._dropping_until = 0.0  # keys arriving before this (monotonic) are dropped
        self._delivering: _Delivery | None = None
        self._key_holds: set[Worker] = set()
        self._release_tasks: set[asyncio.Task] = set()

    # ------------------------------------------------------------------ receiving

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            if time.monotonic() < self._dropping_until and not _is_escape(event):
                return  # typed in the burst before a warning could be read
            self._typed_ahead.append(event)
            await self._deliver_next()
            return
        await super().on_event(event)

    def hold_keys_for(self, worker: Worker) -> None:
        """Keys typed from now on wait until `worker` (a write whose outcome decides
        where the cursor goes: a save, an answer) has finished and its results are
        shown; then they go on, in order."""
        if worker.is_finished:
            return
        self._key_holds.add(worker)
        task = asyncio.create_task(self._release_after(worker))
        self._release_tasks.add(task)
        task.add_done_callback(self._release_tasks.discard)

    async def _release_after(self, worker: Worker) -> None:
        # A thread worker's results are shown (call_from_thread waits for them) before
        # it finishes; its failure is the screen's to report, not this queue's.
        with contextlib.suppress(Exception):
            await worker.wait()
        self._key_holds.discard(worker)
        # Through the queue: what the results scheduled (a focus) comes first.
        self.call_later(self._deliver_next)

    def discard_typed_ahead(self) -> int:
        """Drop the keys received and not yet delivered; returns how many. For a write
        that ended in a question or a refusal: keys typed on the assumption that it
        would succeed (the next card) must not answer a dialog or land in the field
        that needs fixing."""
        dropped = len(self._typed_ahead)
        self._typed_ahead.clear()
        return dropped

    def drop_keys_of_this_burst(self) -> int:
        """A key stopped at a warning (esc on unsaved edits): the keys typed with it,
        waiting or still arriving in the same burst, were meant for what it was to
        lead to, not for the screen that stays. Drops those waiting and those that
        arrive within BURST_SECONDS; a key typed once the warning is read acts. An esc
        is kept: a second one is the answer the warning asks for ("esc again")."""
        self._dropping_until = time.monotonic() + BURST_SECONDS
        kept = [event for event in self._typed_ahead if _is_escape(event)]
        dropped = self.discard_typed_ahead() - len(kept)
        self._typed_ahead.extend(kept)
        return dropped

    @property
    def keys_waiting(self) -> int:
        """Keys received and not yet delivered (the one on its way included)."""
        return len(self._typed_ahead) + (self._delivering is not None)

    # ------------------------------------------------------------------ delivering

    async def _deliver_next(self) -> None:
        if self._delivering is not None or not self._typed_ahead:
            return
        if self._key_holds and not self._holds_expired():
            return
        event = self._typed_ahead.popleft()
        delivery = _Delivery(event, self._top_screen())
        self._delivering = delivery
        # Should a queue never run the callback left in it (a widget closed meanwhile),
        # the keys after this one still go on.
        self.set_timer(SETTLE_TIMEOUT, lambda: self._overdue(delivery))
        # Textual's own handling: priority bindings, else forwarded to the focused
        # widget (or the screen), whose queue then holds it.
        await super().on_event(event)
        if event.is_forwarded:
            delivery.chain = _chain_up(self.focused or self._top_screen())
        else:
            delivery.chain = [self]
        self._drain(delivery.chain, delivery)

    def _drain(self, nodes: list[MessagePump], delivery: _Delivery) -> None:
        """Wait until each of `nodes` in turn has an empty queue, then settle."""
        if delivery.done:
            return
        if time.monotonic() - delivery.started > SETTLE_TIMEOUT:
            log.warning("key_order: a key took too long to settle", delivery.event)
            self._settled(delivery)
            return
        while nodes and not _accepts_callbacks(nodes[0]):
            nodes = nodes[1:]
        if not nodes:
            self._after_chain(delivery)
            return
        node, rest = nodes[0], nodes[1:]

        def check() -> None:
            if _queue_empty(node):
                self._drain(rest, delivery)
            else:
                self._drain(nodes, delivery)  # come back after what was queued meanwhile

        if not node.call_later(check):
            self._drain(rest, delivery)

    def _overdue(self, delivery: _Delivery) -> None:
        if not delivery.done:
            log.warning("key_order: a key did not settle in time", delivery.event)
            self._settled(delivery)

    def _after_chain(self, delivery: _Delivery) -> None:
        """The key's chain is drained once. But a binding run by the app may have posted
        to a widget already passed (Input's enter posts Submitted to itself), and the
        key may have moved the focus or opened a screen: one more pass over every queue
        the key could have reached, until a pass finds them all empty."""
        nodes = [*delivery.chain]
        screen = self._top_screen()
        focused = self.focused
        for node in (*_chain_up(focused or screen), *((screen,) if screen else ())):
            if node is not None and node not in nodes:
                nodes.append(node)
        delivery.chain = nodes
        busy = [n for n in nodes if _accepts_callbacks(n) and not _queue_empty(n)]
        if busy or screen is not delivery.screen:
            delivery.screen = screen
            self._drain(nodes, delivery)
            return
        self._settled(delivery)

    def _settled(self, delivery: _Delivery) -> None:
        delivery.done = True
        if self._delivering is delivery:
            self._delivering = None
        self.call_later(self._deliver_next)

    def _holds_expired(self) -> bool:
        self._key_holds = {w for w in self._key_holds if not w.is_finished}
        return not self._key_holds

    def _top_screen(self) -> Screen | None:
        try:
            return self.screen
        except Exception:  # no screen yet, or closing
            return None


def _chain_up(node: DOMNode) -> list[MessagePump]:
    """The node, its ancestors, and the app: where a key bubbles to."""
    chain: list[MessagePump] = []
    current: MessagePump | None = node
    while current is not None:
        chain.append(current)
        current = current._parent
    return chain


def _queue_empty(node: MessagePump) -> bool:
    return node._message_queue.empty()


def _accepts_callbacks(node: MessagePump) -> bool:
    return node.is_running and not node._closing and not node._closed


def _is_escape(event: events.Event) -> bool:
    return isinstance(event, events.Key) and event.key == "escape"
