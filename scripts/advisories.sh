#!/usr/bin/env bash
# The RustSec advisories check (`cargo deny check advisories`, deny.toml's [advisories]) against a
# local copy of the RustSec advisory database. The database is a git repository on GitHub, which
# this project's build machines cannot reach, so cargo deny cannot fetch it itself there: copy a
# clone of https://github.com/rustsec/advisory-db made on a machine that can reach GitHub and
# point this script at it. Any age is accepted (cargo deny's own limit, 90 days after the last
# fetch, is lifted here): the script prints the date of the copy's last advisory commit, and an
# old copy only misses the advisories published since.
#
#   scripts/advisories.sh [DB]        check against the clone DB (default: $PINGAN_ADVISORY_DB,
#                                     else cargo deny's own copy if an earlier online run left one)
#   scripts/advisories.sh --if-found  the same, but without a database only say it was skipped
#                                     (what test.sh runs)
#
# Fails when a crate of the build has an advisory that deny.toml does not ignore with a reason.
set -euo pipefail

# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# The folder cargo deny (0.20, scripts/setup.sh) opens under its db-path for the default
# database URL, https://github.com/rustsec/advisory-db.
DB_DIR_NAME=advisory-db-3157b0e258782691

optional=0
if [ "${1:-}" = --if-found ]; then optional=1; shift; fi
db="${1:-${PINGAN_ADVISORY_DB:-}}"
# A relative path is the caller's, not the repository's.
if [ -n "$db" ] && [ -d "$db" ]; then db="$(cd "$db" && pwd)"; fi
if [ -z "$db" ] && [ -d "${CARGO_HOME:-$HOME/.cargo}/advisory-dbs/$DB_DIR_NAME/crates" ]; then
  db="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs/$DB_DIR_NAME"
fi
if [ -z "$db" ]; then
  if [ "$optional" = 1 ]; then
    echo "advisories: skipped (no local copy of the RustSec advisory database; see scripts/advisories.sh)"
    exit 0
  fi
  echo "advisories: give the path of a clone of the RustSec advisory database (or set PINGAN_ADVISORY_DB)" >&2
  exit 2
fi
if [ ! -d "$db/crates" ] || ! git -C "$db" rev-parse --verify -q HEAD > /dev/null; then
  echo "advisories: $db is not a git clone of the RustSec advisory database (no crates/ or no commit)" >&2
  exit 2
fi
echo "advisories: RustSec database at $db, last commit $(git -C "$db" show -s --format=%cs HEAD)"
cd "$PINGAN_ROOT"

# deny.toml as it is, its database read from a temporary folder that holds the clone under the
# name cargo deny looks for; --offline: nothing fetched (not the database, not the index).
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/dbs"
ln -s "$db" "$work/dbs/$DB_DIR_NAME"
# (The temporary folder's path goes into TOML as a basic string: escape \ and ".)
dbs="$(printf '%s' "$work/dbs" | sed 's/[\\"]/\\&/g')"
DBS="$dbs" awk '
  { print }
  $0 == "[advisories]" { print "db-path = \"" ENVIRON["DBS"] "\""; print "maximum-db-staleness = \"P3650D\""; found = 1 }
  END { exit found ? 0 : 1 }
' deny.toml > "$work/deny.toml" || { echo "advisories: deny.toml has no [advisories] section" >&2; exit 2; }
cargo fetch --locked --quiet
cargo deny --offline --log-level error --config "$work/deny.toml" check advisories
