#!/usr/bin/env python3
"""Raw durable-commit rate of SQLite on a given disk (scripts/bench.sh, figure 2).

    python3 scripts/bench/sqlite_rate.py PATH SECONDS

Creates PATH (a new SQLite file; PATH, PATH-wal and PATH-shm are removed first and after), sets
`journal_mode=WAL` and `synchronous=FULL` (what the portal uses), then for SECONDS inserts one row
per transaction: BEGIN; INSERT; COMMIT. Each COMMIT appends to the WAL and fsyncs it. Prints one
line: `commits=N secs=S rate=R journal_mode=wal synchronous=2 sqlite=3.x.y`.
"""

import os
import sqlite3
import sys
import time


def remove(path):
    for p in (path, path + "-wal", path + "-shm", path + "-journal"):
        try:
            os.remove(p)
        except FileNotFoundError:
            pass


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: sqlite_rate.py PATH SECONDS")
    path, secs = sys.argv[1], float(sys.argv[2])
    remove(path)
    con = sqlite3.connect(path, isolation_level=None)  # autocommit: we issue BEGIN/COMMIT
    try:
        mode = con.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        con.execute("PRAGMA synchronous=FULL")
        sync = con.execute("PRAGMA synchronous").fetchone()[0]
        if mode.lower() != "wal" or sync != 2:
            sys.exit(f"sqlite_rate: could not set WAL/FULL (journal_mode={mode}, synchronous={sync})")
        # A row about the size of an appeal's main row: a few short texts and numbers.
        con.execute(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT NOT NULL, body TEXT NOT NULL,"
            " lat REAL, lon REAL, created INTEGER NOT NULL)"
        )
        body = "楼上每天夜里漏水到我家，已经三次了" * 4
        n = 0
        start = time.perf_counter()
        deadline = start + secs
        now = start
        while now < deadline:
            con.execute("BEGIN")
            con.execute(
                "INSERT INTO t (code, body, lat, lon, created) VALUES (?, ?, ?, ?, ?)",
                ("neighbor_dispute", body, 35.484, 106.604, int(time.time())),
            )
            con.execute("COMMIT")
            n += 1
            now = time.perf_counter()
        elapsed = now - start
        print(
            f"commits={n} secs={elapsed:.3f} rate={n / elapsed:.1f} journal_mode={mode.lower()}"
            f" synchronous={sync} sqlite={sqlite3.sqlite_version}"
        )
    finally:
        con.close()
        remove(path)


if __name__ == "__main__":
    main()
