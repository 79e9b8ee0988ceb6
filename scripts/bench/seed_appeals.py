#!/usr/bin/env python3
"""Seeds a pingan SQLite database (already migrated, demo city loaded) with N synthetic appeals
for the statistics and ledger benchmarks (issue 12): spread over the last 12 months, over every
grid cell's unit and path, with closings, ratings, escalation events and supervision notices in
realistic shares. Each rating goes into `ratings` and, as the service writes it
(`store::supervision::rate`), onto the appeal's own `rating` column, which the figures count
(satisfaction, rated share). Not for production databases: it writes rows directly.

usage: seed_appeals.py DB_FILE N [UNIT]
  UNIT  put every appeal in this unit (e.g. U-HD0101, for a ledger export of N rows); default:
        spread over all grid stations.
"""
import random
import sqlite3
import sys
import time

db, n = sys.argv[1], int(sys.argv[2])
only_unit = sys.argv[3] if len(sys.argv) > 3 else None
con = sqlite3.connect(db)
con.execute("PRAGMA journal_mode=WAL")
con.execute("PRAGMA synchronous=NORMAL")
rng = random.Random(20261202)


def region_path(code, parents):
    chain = []
    while code:
        chain.append(code)
        code = parents.get(code)
    return "/" + "/".join(reversed(chain)) + "/"


parents = dict(con.execute("SELECT code, parent FROM regions"))
units = [(u, r) for u, r in con.execute("SELECT code, region FROM units WHERE kind = 'grid_station'")]
if only_unit:
    units = [(u, r) for u, r in con.execute("SELECT code, region FROM units WHERE code = ?", (only_unit,))]
    assert units, f"no unit {only_unit}"
units = [(u, region_path(r, parents)) for u, r in units]
cats = [c for (c,) in con.execute("SELECT code FROM categories")]
now = int(time.time())
year = 365 * 86400
t0 = time.time()
appeals, events, ratings, notices = [], [], [], []


def flush():
    con.executemany(
        "INSERT INTO appeals (ticket, submit_token, key_hash, category, description, anonymous, status, unit,"
        " route_reason, submitted_at, deadline_at, sign_by_at, clock_start_at, sign_start_at, updated_at, urgent,"
        " scope_path, cycle, channel, signed_at, closed_at, supervised, rating)"
        " VALUES (?, ?, 'x', ?, ?, 1, ?, ?, 'grid_cell', ?, ?, ?, ?, ?, ?, 0, ?, 1, 'web', ?, ?, ?, ?)",
        appeals,
    )
    con.executemany(
        "INSERT INTO appeal_events (ticket, born, at, kind, actor, public) VALUES (?, ?, ?, ?, 'system', 1)", events
    )
    con.executemany("INSERT INTO ratings (ticket, cycle, rating, at) VALUES (?, 1, ?, ?)", ratings)
    con.executemany(
        "INSERT INTO appeal_notices (ticket, cycle, deadline, due_at, stage, fired_at)"
        " VALUES (?, 1, 'resolve', ?, 'supervision', ?)",
        notices,
    )
    con.commit()
    appeals.clear(); events.clear(); ratings.clear(); notices.clear()


for i in range(n):
    ticket = f"{'PU' if only_unit else 'PB'}{i:08d}"
    unit, path = units[rng.randrange(len(units))]
    sub = now - rng.randrange(year)
    deadline = sub + 7 * 86400
    sign_by = sub + 86400
    signed = sub + rng.randrange(2 * 86400)
    closed = None
    status = "in_progress"
    if rng.random() < 0.8 and sub + 3 * 86400 < now:
        closed = sub + rng.randrange(10 * 86400)
        status = "closed" if closed < now else "in_progress"
        closed = closed if closed < now else None
    supervised = 1 if rng.random() < 0.05 else 0
    # Drawn in the same order as before (category, then escalation, then the rating), so the same
    # N gives the same appeals as earlier runs of this script.
    category = rng.choice(cats)
    events.append((ticket, sub, sub, "submitted"))
    if rng.random() < 0.03:
        events.append((ticket, sub, sub + 3600, "escalated"))
    if supervised:
        notices.append((ticket, deadline, deadline + 3600))
    rating = None
    if closed and rng.random() < 0.6:
        r = rng.random()
        rating = "satisfied" if r < 0.7 else "basically" if r < 0.9 else "unsatisfied"
        ratings.append((ticket, rating, closed + 3600))
    # The appeal keeps its latest rating (the only one here: cycle 1), as the figures read it.
    appeals.append((ticket, f"seed-{ticket}", category, "楼道里堆满杂物，消防通道被堵", status, unit, sub,
                    deadline, sign_by, sub, sub, sub, path, signed, closed, supervised, rating))
    if len(appeals) >= 20000:
        flush()
flush()
con.execute("ANALYZE")
con.commit()
print(f"seeded {n} appeals in {time.time() - t0:.1f} s")
