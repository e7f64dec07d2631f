"""The reports funnel has, by name, with their titles: what `funnel --help` lists
without loading the database layer (funnel_tui.read.reports computes them). The titles
are marked for the catalog and translated where shown."""

from funnel_tui.core.i18n import N_

REPORT_TITLES = {
    "conversion": N_("Funnel conversion"),
    "sources": N_("Source attribution"),
    "winrate": N_("Win rate and deal size"),
    "cycle": N_("Cycle time"),
    "speed": N_("Speed to lead"),
    "forecast": N_("Forecast"),
    "activity": N_("Activity"),
}
