"""The actions a screen offers, read from the same Binding declarations as the footer:
the help screen and the command palette list exactly what the keys do. And the user's
`[keys]` from funnel.toml, checked against those declarations before Textual applies it:
the key bar, the help and the palette then show the keys in force."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import ActiveBinding, Binding
from textual.dom import DOMNode
from textual.screen import Screen

from funnel_tui.config import Keymap
from funnel_tui.core.i18n import N_, _

THIS_SCREEN = N_("This screen")
EVERYWHERE = N_("Everywhere")


@dataclass(frozen=True)
class Action:
    keys: str  # every key bound to it, as shown to the user: "j / down"
    description: str
    group: str  # "This screen" or "Everywhere", in the rep's language
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
        group = EVERYWHERE if active.node is app else THIS_SCREEN
        found[key] = [[display], _(binding.description), group, active.node, binding.action]
    actions = [Action(" / ".join(k), d, _(g), n, a) for k, d, g, n, a in found.values()]
    return sorted(actions, key=lambda a: (a.group != _(THIS_SCREEN),))


# Textual's command palette is a screen of its own whose keys are all Textual's (↓ ↑,
# pgdn pgup, ctrl+home ctrl+end through its list): its help lists them. Its one-line
# input has ↓ ↑ pgdn pgup bound to scrolling it has none of, and passes them on to the
# palette's list.
_DECLARING = ("funnel_tui", "textual.command")
_PASSED_ON = ("down", "up", "pagedown", "pageup")


def in_declared_order(screen: Screen) -> list[ActiveBinding]:
    """The screen's active bindings in the order they have without the user's [keys].
    Textual files a binding given other keys after all the others (its keys are new to
    the map), where the key bar would cut it off first; without [keys], as they are."""
    active = list(screen.active_bindings.values())
    app = screen.app
    keymap = app._keymap
    if not keymap:
        return active
    app._keymap = {}
    try:
        unmapped = screen.active_bindings.values()
        declared = [(id(a.node), a.binding.id or a.binding.action) for a in unmapped]
    finally:
        app._keymap = keymap
    place: dict[tuple[int, str], int] = {}
    for index, key in enumerate(declared):
        place.setdefault(key, index)
    return sorted(
        active, key=lambda a: place.get((id(a.node), a.binding.id or a.binding.action), len(place))
    )


def _bindings(screen: Screen) -> list[ActiveBinding]:
    active = in_declared_order(screen)
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


def user_keymap(keys: Keymap) -> dict[str, str]:
    """The `[keys]` section as App.set_keymap takes it (binding id → keys), once every id
    names a binding and every key is one Textual knows; else config.ConfigError with
    the file and line of each that is not."""
    known = binding_ids()
    why = {}
    for binding, keys_text in keys.bindings.items():
        odd = [key.strip() for key in keys_text.split(",") if not _is_key(key.strip())]
        if binding not in known:
            why[binding] = _unknown(binding, known)
        elif odd:
            why[binding] = (
                f'has "{odd[0]}", which is not a key; keys are written as "ctrl+a", "f6", '
                '"slash", "question_mark"'
            )
    if why:
        raise keys.refused(why)
    return dict(keys.bindings)


def binding_ids() -> set[str]:
    """The id of every binding funnel declares. The screens are imported when first
    opened, so each module of the UI is imported here (only when there is a [keys])."""
    import importlib
    import pkgutil

    import funnel_tui.tui as ui

    for module in pkgutil.walk_packages(ui.__path__, f"{ui.__name__}."):
        importlib.import_module(module.name)
    found = set()
    classes = [DOMNode]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        if cls.__module__.startswith("funnel_tui."):
            for binding in cls.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id:
                    found.add(binding.id)
    return found


def _unknown(binding: str, known: set[str]) -> str:
    group = binding.partition(".")[0]
    same = sorted(k for k in known if k.partition(".")[0] == group)
    if same:
        return f"is not a key binding; the {group} bindings are {', '.join(same)}"
    groups = sorted({k.partition(".")[0] for k in known})
    return f"is not a key binding; each id begins with one of {', '.join(groups)}"


def _is_key(key: str) -> bool:
    """A key Textual can bind: "n", "ctrl+a", "f6", "pagedown", "slash", "dollar_sign"."""
    from textual.keys import KEY_NAME_REPLACEMENTS, Keys, key_to_character

    name = key.rpartition("+")[2]
    return (
        len(name) == 1
        or name in {k.value.rpartition("+")[2] for k in Keys}
        or name in KEY_NAME_REPLACEMENTS.values()
        or key_to_character(name) is not None
    )
