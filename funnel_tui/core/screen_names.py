"""The screens funnel opens on and the command palette offers, by mode name, without
loading Textual: `funnel --screen` lists them from here in its help."""

from __future__ import annotations

from funnel_tui.core.i18n import N_

# (mode, title, help line), in the order the palette lists them; the words marked for
# the catalog and translated where shown (the palette).
SCREENS = (
    ("leads", N_("Leads"), N_("The lead list: search, filter, sort, open")),
    ("capture", N_("Capture a lead"), N_("The quick capture form")),
    ("board", N_("Pipeline board"), N_("The deals by stage: move, win, lose, filter")),
    ("funnel", N_("Funnel overview"), N_("How many records stand at each step")),
    ("today", N_("Today"), N_("Your queue: overdue, due today, nothing scheduled")),
    (
        "reports",
        N_("Reports"),
        N_("Conversion, sources, win rate, cycle time, speed, forecast, activity"),
    ),
    (
        "companies",
        N_("Companies"),
        N_("The accounts: search, sort by pipeline or won, customers"),
    ),
    (
        "import",
        N_("Import leads"),
        N_("Leads from a CSV, Excel or vCard file: map, check, import"),
    ),
    (
        "duplicates",
        N_("Possible duplicates"),
        N_("Leads that may be one person, with why: open, merge"),
    ),
)
SCREEN_MODES = tuple(mode for mode, _title, _help in SCREENS)
