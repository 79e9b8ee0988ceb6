#!/usr/bin/env python3
"""Checks that every acknowledged appeal is in the database (python3 standard library only).

    check_acks.py --acks FILE [--attempts FILE] (--sqlite PATH | --pg-url URL) [--integrity]

--acks holds `ticket<TAB>marker<TAB>path<TAB>target` lines written by submit_load.py, one per
appeal the server acknowledged; --attempts the same with ticket `-` for every attempt. The
appeals are read from the database (`appeals.ticket`, `appeals.description`, which carries the
marker): SQLite with Python's sqlite3 module (read-only), PostgreSQL with `psql`.

An acknowledged appeal is LOST when no appeal has its ticket, and WRONG when the appeal with its
ticket does not carry its marker (the receipt named someone else's appeal). Attempts that were
never acknowledged are counted as stored (the server committed, the answer was lost with it) or
not stored. A marker stored twice is a DUPLICATE (one submission made two appeals).

It also checks that each submission was one transaction, on both engines (ATOMICITY): every
appeal has its `submitted` event and its unit's `new_assignment` notification, every web appeal's
draft holds its ticket, and every draft that holds a ticket has its appeal.

--integrity (SQLite only) also runs `PRAGMA integrity_check` and `PRAGMA foreign_key_check`.

Prints a JSON summary on the last line; exits 1 if anything was lost, wrong, duplicated, half
stored, or the integrity check failed.
"""

import argparse
import json
import re
import sqlite3
import subprocess
import sys

MARKER_RE = re.compile(r"ld-[0-9a-f]{16}")


def read_lines(path):
    out = []
    if not path:
        return out
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3:
                out.append(parts)
    return out


def appeals_sqlite(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute("SELECT ticket, description FROM appeals").fetchall()
    finally:
        con.close()


def integrity_sqlite(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        ic = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        return ic, fk
    finally:
        con.close()


def appeals_pg(url, psql):
    sql = ("SELECT ticket, translate(description, E'\\t\\n\\r', '   ') FROM appeals")
    r = subprocess.run([psql, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise SystemExit(f"check_acks: psql failed: {r.stderr.strip()}")
    return [tuple(line.split("\t", 1)) for line in r.stdout.splitlines() if line]


# Each query counts appeals (or drafts) that a half-done submission would leave behind.
ATOMICITY = {
    "appeal_without_submitted_event": "SELECT COUNT(*) FROM appeals a WHERE NOT EXISTS "
    "(SELECT 1 FROM appeal_events e WHERE e.born = a.submitted_at AND e.ticket = a.ticket AND e.kind = 'submitted')",
    "appeal_without_new_assignment_notice": "SELECT COUNT(*) FROM appeals a WHERE NOT EXISTS "
    "(SELECT 1 FROM outbox o WHERE o.ticket = a.ticket AND o.kind = 'new_assignment')",
    "web_appeal_without_receipt_in_draft": "SELECT COUNT(*) FROM appeals a WHERE a.channel = 'web' AND NOT EXISTS "
    "(SELECT 1 FROM drafts d WHERE d.token = a.submit_token AND d.ticket = a.ticket)",
    "draft_receipt_without_appeal": "SELECT COUNT(*) FROM drafts d WHERE d.ticket IS NOT NULL AND NOT EXISTS "
    "(SELECT 1 FROM appeals a WHERE a.ticket = d.ticket)",
}


def atomicity_sqlite(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return {k: con.execute(q).fetchone()[0] for k, q in ATOMICITY.items()}
    finally:
        con.close()


def atomicity_pg(url, psql):
    out = {}
    for k, q in ATOMICITY.items():
        r = subprocess.run([psql, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", q],
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise SystemExit(f"check_acks: psql failed: {r.stderr.strip()}")
        out[k] = int(r.stdout.strip())
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--acks", required=True)
    p.add_argument("--attempts")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--sqlite")
    g.add_argument("--pg-url")
    p.add_argument("--psql", default="psql")
    p.add_argument("--integrity", action="store_true")
    p.add_argument("--show", type=int, default=10, help="problems listed at most")
    args = p.parse_args()

    acks = read_lines(args.acks)
    attempts = read_lines(args.attempts)
    rows = appeals_sqlite(args.sqlite) if args.sqlite else appeals_pg(args.pg_url, args.psql)

    by_ticket = {}
    by_marker = {}
    for ticket, desc in rows:
        by_ticket[ticket] = desc or ""
        for m in MARKER_RE.findall(desc or ""):
            by_marker.setdefault(m, []).append(ticket)

    lost, wrong, seen = [], [], set()
    ack_dupes = 0
    per_path = {}
    for ticket, marker, path, *_ in acks:
        per_path[path] = per_path.get(path, 0) + 1
        if ticket in seen:
            ack_dupes += 1
        seen.add(ticket)
        if ticket not in by_ticket:
            lost.append((ticket, marker, path))
        elif marker not in by_ticket[ticket]:
            wrong.append((ticket, marker, path))
    acked_markers = {a[1] for a in acks}
    unacked = [a for a in attempts if a[1] not in acked_markers]
    unacked_stored = sum(1 for a in unacked if a[1] in by_marker)
    duplicates = {m: t for m, t in by_marker.items() if len(t) > 1}

    summary = {
        "appeals_in_db": len(rows),
        "acknowledged": len(acks),
        "acknowledged_by_path": per_path,
        "lost": len(lost),
        "wrong_ticket": len(wrong),
        "acknowledged_twice": ack_dupes,
        "attempts": len(attempts),
        "unacknowledged_but_stored": unacked_stored,
        "unacknowledged_not_stored": len(unacked) - unacked_stored,
        "duplicate_markers": len(duplicates),
    }
    atomicity = atomicity_sqlite(args.sqlite) if args.sqlite else atomicity_pg(args.pg_url, args.psql)
    summary["atomicity"] = atomicity
    # A path that was tried but never acknowledged (e.g. the client no longer reads the receipt
    # page) would make "0 lost" say nothing about it: that fails the run too.
    silent = sorted({a[2] for a in attempts} - {p.removesuffix("-retry") for p in per_path})
    summary["paths_never_acknowledged"] = silent
    for path in silent:
        print(f"check_acks: NO ACKNOWLEDGEMENT on path {path}: nothing about it was checked", file=sys.stderr)
    ok = not lost and not wrong and not duplicates and not ack_dupes and not any(atomicity.values()) and not silent
    if args.integrity:
        if not args.sqlite:
            raise SystemExit("check_acks: --integrity is for SQLite (use pingan audit verify / amcheck on PostgreSQL)")
        ic, fk = integrity_sqlite(args.sqlite)
        summary["integrity_check"] = "ok" if ic == ["ok"] else ic[:args.show]
        summary["foreign_key_violations"] = len(fk)
        ok = ok and ic == ["ok"] and not fk
    for what, items in (("LOST", lost), ("WRONG TICKET", wrong)):
        for t, m, path in items[:args.show]:
            print(f"check_acks: {what}: {t} ({path}, marker {m})", file=sys.stderr)
    for m, t in list(duplicates.items())[:args.show]:
        print(f"check_acks: DUPLICATE: marker {m} stored as {', '.join(t)}", file=sys.stderr)
    summary["ok"] = ok
    print(json.dumps(summary, sort_keys=True))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
