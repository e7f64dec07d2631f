"""One funnel process of the shared-use stress test (and of bench/bench_shared.py):
mixed operations on one database, as a rep's instance makes them, each acknowledged on
a line of JSON once the rules layer returned.

    python tests/stress_worker.py TARGET WHO COUNT SEED LEADS OPPS OUT [batch]

LEADS and OPPS are comma-separated ids of the hot records every worker fights over.
Each line of OUT is {"op": ..., ...} for an acknowledged write, {"op": "refused", ...}
for a stale edit the worker re-read and tried again (a conflict shown to the user, not
an error), or {"op": "error", ...} for anything else reaching the caller.

With "batch" as the eighth argument it instead captures leads in transactions of
BATCH_SIZE until killed, acknowledging each transaction after its commit (the SIGKILL
test).
"""

from __future__ import annotations

import json
import random
import sys
import time
import traceback

BATCH_SIZE = 20
EDITED_FIELDS = ("title", "notes", "name")
RETRIES = 20


def main(argv: list[str]) -> int:
    target, who, count, seed = argv[0], argv[1], int(argv[2]), int(argv[3])
    leads = [int(x) for x in argv[4].split(",") if x]
    opps = [int(x) for x in argv[5].split(",") if x]
    out = open(argv[6], "a", encoding="utf-8", buffering=1)  # noqa: SIM115 — a line each
    from funnel_tui.config import load_config
    from funnel_tui.storage import database

    # What is tested is that nothing is lost: a write that waited past the app's 5 s and
    # was said to be busy loses nothing either, but it is no answer to whether its
    # write survived. On a machine running the suite's other tests beside these four
    # processes, a lock was once waited on longer than 5 s; 60 s leaves time for any.
    database.BUSY_TIMEOUT_MS = 60_000
    database.open_database(target)
    from funnel_tui.rules.funnel import Funnel

    rules = Funnel(load_config(), who)
    if len(argv) > 7 and argv[7] == "batch":
        return _batches(rules, who, out)
    rng = random.Random(seed)
    started, wall = time.perf_counter(), time.time()
    for i in range(count):
        op = rng.choices(("capture", "edit", "move", "log"), (25, 30, 25, 20))[0]
        try:
            record = OPERATIONS[op](rules, who, i, rng, leads, opps, out)
        except Exception as exc:  # every other failure reached the caller: the test fails
            record = {
                "op": "error",
                "what": op,
                "error": repr(exc),
                "trace": traceback.format_exc(),
            }
        out.write(json.dumps(record) + "\n")
    done = {"seconds": time.perf_counter() - started, "started": wall, "ended": time.time()}
    out.write(json.dumps({"op": "done", **done}) + "\n")
    return 0


def _capture(rules, who, i, rng, leads, opps, out) -> dict:
    email = f"{who}.{i}@stress.example"
    lead = rules.capture_lead({"name": f"{who} lead {i}", "email": email, "source": "Referral"})
    return {"op": "capture", "id": lead.id, "email": email}


def _edit(rules, who, i, rng, leads, opps, out) -> dict:
    from funnel_tui.core.errors import StaleEdit
    from funnel_tui.storage.models import Lead

    lead_id, field = rng.choice(leads), rng.choice(EDITED_FIELDS)
    value = f"{who} {field} {i}"
    for _ in range(RETRIES):
        version = Lead.get_by_id(lead_id).version  # the copy the user edits
        try:
            rules.update_lead(lead_id, {field: value}, expected_version=version)
        except StaleEdit:
            out.write(json.dumps({"op": "refused", "what": "edit", "id": lead_id}) + "\n")
            continue
        return {"op": "edit", "id": lead_id, "field": field, "value": value}
    raise RuntimeError(f"edit of lead {lead_id} refused {RETRIES} times")


def _move(rules, who, i, rng, leads, opps, out) -> dict:
    from funnel_tui.core.errors import StaleEdit
    from funnel_tui.storage.models import Opportunity

    opp_id = rng.choice(opps)
    names = [s.name for s in rules.config.open_stages]
    for _ in range(RETRIES):
        opp = Opportunity.get_by_id(opp_id)
        stage = rng.choice([n for n in names if n != opp.stage])
        try:
            rules.move(opp_id, stage, expected_version=opp.version)
        except StaleEdit:
            out.write(json.dumps({"op": "refused", "what": "move", "id": opp_id}) + "\n")
            continue
        return {"op": "move", "id": opp_id, "stage": stage}
    raise RuntimeError(f"move of deal {opp_id} refused {RETRIES} times")


def _log(rules, who, i, rng, leads, opps, out) -> dict:
    note = f"{who} note {i}"
    target = (
        {"opportunity_id": rng.choice(opps)}
        if rng.random() < 0.5
        else {"lead_id": rng.choice(leads)}
    )
    activity = rules.log_activity(
        **target, kind="call", outcome=rng.choice(("reached", "no_answer")), note=note
    )
    return {"op": "log", "id": activity.id, "note": note}


OPERATIONS = {"capture": _capture, "edit": _edit, "move": _move, "log": _log}


def _batches(rules, who, out) -> int:
    from funnel_tui.storage.models import database

    batch = 0
    while True:
        with database.atomic():
            for k in range(BATCH_SIZE):
                rules.capture_lead(
                    {
                        "name": f"{who} batch {batch} #{k}",
                        "email": f"{who}.{batch}.{k}@kill.example",
                    }
                )
        out.write(json.dumps({"op": "batch", "batch": batch}) + "\n")  # after the commit
        batch += 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
