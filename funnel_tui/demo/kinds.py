"""What became of a demo lead: the seven kinds of story, how often each is told, and
how long each takes."""

# What became of a lead; chosen first, the rest of its story follows from it.
NEW, WORKING, NURTURING, UNQUALIFIED, PROSPECT, OPPORTUNITY, CUSTOMER = range(7)
ARCHETYPE_WEIGHTS = (25, 26, 10, 17, 9, 8, 5)
# How long (a share of the whole span) a lead of each kind is worked, and the least time
# it needs: a lead captured yesterday cannot be a customer yet, so it is demoted.
WORK_SPAN = (0.04, 0.25, 0.2, 0.12, 0.3, 0.45, 0.55)
LEAST_SPAN = (0.0, 0.004, 0.01, 0.004, 0.03, 0.06, 0.1)
DEMOTE = (NEW, NEW, WORKING, WORKING, WORKING, PROSPECT, OPPORTUNITY)
