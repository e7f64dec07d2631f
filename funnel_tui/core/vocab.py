"""The funnel's vocabulary: the stable keys stored in the database and written by
`--format json/csv` (statuses, levels, deal states, answers, activity kinds and outcomes,
the BANT items). Words a person reads for them live with the words (rules.history_words,
the screens); these values never change with the language."""

from __future__ import annotations

# Lead status: where a lead stands in being worked (the level says how far it has come).
STATUS_NEW = "new"
STATUS_WORKING = "working"
STATUS_NURTURING = "nurturing"
STATUS_UNQUALIFIED = "unqualified"
LEAD_STATUSES = (STATUS_NEW, STATUS_WORKING, STATUS_NURTURING, STATUS_UNQUALIFIED)
# A rep's open leads: every status but unqualified, a closed one (rules.assign).
OPEN_STATUSES = tuple(s for s in LEAD_STATUSES if s != STATUS_UNQUALIFIED)
# The next action a lead parked until a date gets: touch it again then.
NURTURE_ACTION = "Check in again"

# Funnel level of a lead record: it moves forward as it is promoted, converted and won.
LEVEL_LEAD = "lead"
LEVEL_PROSPECT = "prospect"
LEVEL_OPPORTUNITY = "opportunity"
LEVEL_CUSTOMER = "customer"
FUNNEL_LEVELS = (LEVEL_LEAD, LEVEL_PROSPECT, LEVEL_OPPORTUNITY, LEVEL_CUSTOMER)

# Opportunity state; its stage is a name from the config.
OPP_OPEN = "open"
OPP_WON = "won"
OPP_LOST = "lost"

# A checklist item's answer.
ANSWER_UNKNOWN = "unknown"
ANSWER_YES = "yes"
ANSWER_NO = "no"
ANSWERS = (ANSWER_UNKNOWN, ANSWER_YES, ANSWER_NO)

# The qualification checklist's four questions, in the order they are asked.
BANT_ITEMS = ("budget", "authority", "need", "timeline")

# The fields of a lead a person types (capture, edit, import).
LEAD_FIELDS = ("name", "company", "title", "phone", "email", "country", "source", "notes")

ACTIVITY_KINDS = ("call", "email", "meeting", "sms", "social", "in_person", "note")
DIRECTIONS = ("outbound", "inbound")
# The outcomes offered for each kind of activity, first the usual one. Others may be
# typed (the command line takes any word); these are the ones the log form offers.
OUTCOMES = {
    "call": ("reached", "no_answer", "left_voicemail", "busy", "wrong_number"),
    "email": ("sent", "replied", "bounced"),
    "meeting": ("held", "no_show", "rescheduled"),
    "sms": ("sent", "replied"),
    "social": ("sent", "replied", "connected"),
    "in_person": ("met",),
    "note": (),
}
# Outcomes that mean we actually spoke or heard back: a two-way interaction.
TWO_WAY_OUTCOMES = frozenset({"reached", "replied", "held", "met", "connected"})
ALWAYS_TWO_WAY_KINDS = frozenset({"meeting", "in_person"})
