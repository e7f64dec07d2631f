"""The screens funnel opens on and the command palette offers, by mode name, without
loading Textual: `funnel --screen` lists them from here in its help."""

from __future__ import annotations

# (mode, title, help line), in the order the palette lists them.
SCREENS = (
    ("leads", "Leads", "The lead list: search, filter, sort, open"),
    ("capture", "Capture a lead", "The quick capture form"),
    ("board", "Pipeline board", "The deals by stage: move, win, lose, filter"),
    ("funnel", "Funnel overview", "How many records stand at each step"),
    ("today", "Today", "Your queue: overdue, due today, nothing scheduled"),
    ("reports", "Reports", "Conversion, sources, win rate, cycle time, speed, forecast, activity"),
    ("companies", "Companies", "The accounts: search, sort by pipeline or won, customers"),
    ("import", "Import leads", "Leads from a CSV, Excel or vCard file: map, check, import"),
    ("duplicates", "Possible duplicates", "Leads that may be one person, with why: open, merge"),
)
SCREEN_MODES = tuple(mode for mode, _title, _help in SCREENS)
