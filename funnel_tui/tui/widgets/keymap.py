"""The actions a screen offers, read from the same Binding declarations as the footer:
the help screen and the command palette list exactly what the keys do."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import ActiveBinding
from textual.dom import DOMNode
from textual.screen import Screen


@dataclass(frozen=True)
class Action:
    keys: str  # every key bound to it, as shown to the user: "j / down"
    description: str
    group: str  # "This screen" or "Everywhere"
    node: DOMNode
    action: str


def screen_actions(screen: Screen) -> list[Action]:
    """Enabled, described actions of `screen` and the app, one entry per action."""
    app = screen.app
    found: dict[tuple[int, str], list] = {}
    for active in _bindings(screen):
        binding = active.binding
        if not active.enabled or not binding.description or binding.system:
            continue
        # Textual's widgets bring their own editing and scrolling keys; the help and the
        # palette list the actions this app declares.
        if active.node is not app and not _declared_here(active.node, binding):
            continue
        key = (id(active.node), binding.action)
        display = app.get_key_display(binding)
        if key in found:
            if display not in found[key][0]:
                found[key][0].append(display)
            continue
        group = "Everywhere" if active.node is app else "This screen"
        found[key] = [[display], binding.description, group, active.node, binding.action]
    actions = [Action(" / ".join(k), d, g, n, a) for k, d, g, n, a in found.values()]
    return sorted(actions, key=lambda a: (a.group != "This screen",))


# Textual's command palette is a screen of its own whose keys are all Textual's (↓ ↑,
# pgdn pgup, ctrl+home ctrl+end through its list): its help lists them. Its one-line
# input has ↓ ↑ pgdn pgup bound to scrolling it has none of, and passes them on to the
# palette's list.
_DECLARING = ("funnel_tui", "textual.command")
_PASSED_ON = ("down", "up", "pagedown", "pageup")


def _bindings(screen: Screen) -> list[ActiveBinding]:
    active = list(screen.active_bindings.values())
    if type(screen).__module__ == "textual.command":
        for key in _PASSED_ON:
            for binding in screen._bindings.key_to_bindings.get(key, ()):
                active.append(ActiveBinding(screen, binding, True))
    return active


def _declared_here(node: DOMNode, binding) -> bool:
    for cls in type(node).__mro__:
        if not cls.__module__.startswith(_DECLARING):
            continue
        for declared in cls.__dict__.get("BINDINGS", ()):
            if getattr(declared, "action", None) == binding.action:
                return True
    return False
