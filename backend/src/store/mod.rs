//! All SQL of the project lives here, in small functions taking a pool or a transaction.
//! Queries are written once for both engines (see `db.rs`).

pub mod appeals;
pub mod audit;
pub mod callbacks;
pub mod counts;
pub mod dashboard;
pub mod drafts;
pub mod group_commit;
pub mod legal;
pub mod notices;
pub mod open311;
pub mod outbox;
pub mod publication;
pub mod questions;
pub mod recovery;
pub mod regions;
pub mod related;
pub mod resident;
pub mod sessions;
pub mod signin;
pub mod staff;
pub mod stats;
pub mod summons;
pub mod supervision;

/// The SQL expression of a deadline's warning point, for the columns `start` and `due`: the same
/// point as `domain::sla::warning_at` (integer arithmetic on whole seconds, rounded down).
pub(crate) fn warning_point_sql(start: &str, due: &str) -> String {
    let (num, den) = domain::sla::WARNING_FRACTION;
    format!("({start} + ({due} - {start}) * {num} / {den})")
}

/// A transaction on either engine.
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// A query being built with its binds (see [`many_rows`]).
pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// SQLite only (the group commit's [`group_commit::Script`]): `INSERT INTO table (columns)`
/// from the JSON array bound as `$param`, one row per element, each column read from the
/// element's key of the same name (`->>` gives SQL's integer, real, text or NULL as the JSON
/// value is). One fixed statement text whatever the number of rows, so SQLite compiles it once.
#[must_use]
pub(crate) fn insert_from_json(table: &str, columns: &[&str], param: usize) -> String {
    insert_from_json_with(table, columns, param, &[])
}

/// [`insert_from_json`] plus columns whose values are SQL expressions (which may read the
/// element as `v`), written after the JSON ones.
#[must_use]
pub(crate) fn insert_from_json_with(table: &str, columns: &[&str], param: usize, computed: &[(&str, &str)]) -> String {
    // MATERIALIZED: each element's text is made once, not once per column read from it (the
    // columns then hit SQLite's cache of parsed JSON).
    let names: Vec<&str> = columns.iter().copied().chain(computed.iter().map(|(c, _)| *c)).collect();
    let select: Vec<String> =
        columns.iter().map(|c| format!("v ->> '{c}'")).chain(computed.iter().map(|(_, e)| (*e).to_owned())).collect();
    format!(
        "WITH r(v) AS MATERIALIZED (SELECT value FROM json_each(${param})) INSERT INTO {table} ({}) SELECT {} FROM r",
        names.join(", "),
        select.join(", ")
    )
}

/// `rows` copies of one row's `VALUES` tuple, `(…), (…)`, the `$n` parameters of copy `i`
/// renumbered to `$n + i × per_row`: one multi-row `INSERT` instead of `rows` statements (each
/// statement is a round trip to SQLite's thread; see the group commit).
#[must_use]
pub(crate) fn many_rows(tuple: &str, per_row: usize, rows: usize) -> String {
    let mut out = String::with_capacity((tuple.len() + 2) * rows);
    for i in 0..rows {
        if i > 0 {
            out.push_str(", ");
        }
        let mut chars = tuple.char_indices().peekable();
        while let Some((_, c)) = chars.next() {
            if c != '$' {
                out.push(c);
                continue;
            }
            let mut n = 0usize;
            let mut digits = 0;
            while let Some((_, d)) = chars.peek().copied().filter(|(_, d)| d.is_ascii_digit()) {
                n = n * 10 + (d as usize - '0' as usize);
                digits += 1;
                chars.next();
            }
            if digits == 0 {
                out.push('$');
            } else {
                out.push('$');
                out.push_str(&(n + i * per_row).to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_are_renumbered_per_copy() {
        assert_eq!(super::many_rows("($1, $2, $1)", 2, 1), "($1, $2, $1)");
        assert_eq!(super::many_rows("($1, $2, $1)", 2, 3), "($1, $2, $1), ($3, $4, $3), ($5, $6, $5)");
        assert_eq!(super::many_rows("($10, 'a$')", 10, 2), "($10, 'a$'), ($20, 'a$')");
    }
}
