"""The reports funnel has, by name, with their titles: what `funnel --help` lists
without loading the database layer (funnel_tui.read.reports computes them)."""

REPORT_TITLES = {
    "conversion": "Funnel conversion",
    "sources": "Source attribution",
    "winrate": "Win rate and deal size",
    "cycle": "Cycle time",
    "speed": "Speed to lead",
    "forecast": "Forecast",
    "activity": "Activity",
}
