//! `units.csv` and `categories.csv` (`backend::services::import::catalog_from_files`, with the
//! small valid city of `crate::city` as `regions.geojson`). On any text the answer is a catalog
//! or errors naming the file and a line that exists; generated valid tables — fields with commas,
//! quotes, line breaks, byte-order marks and any other text, quoted or not, padded, columns in
//! any order with extra ones, CRLF or LF, blank lines, a byte-order mark in front — import to
//! exactly the values written (trimmed); and one known defect in a row (a bad value, a code used
//! twice, a column named twice) gives exactly its error, on the line of the file where the row
//! starts (blank lines and line breaks inside fields count, as in an editor).

use crate::city::{self, TINY_DEPARTMENTS, TINY_REGIONS};
use crate::config;
use crate::text::{hostile, short, word};
use backend::catalog::Catalog;
use backend::services::import::catalog_from_files;
use domain::region::{Category, Level, RouteLevel, Unit};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

const UNIT_COLUMNS: &[&str] = &["code", "name", "kind", "region", "phone"];
const CATEGORY_COLUMNS: &[&str] =
    &["code", "name", "name_en", "route_level", "department_kind", "deadline_days", "urgent"];
const UNIT_KINDS: &[&str] = &["grid_station", "community_committee", "street_center", "district_center", "city_center"];
/// Columns the importer does not read.
const EXTRA_COLUMNS: &[&str] = &["note", "备注", "code2", "x y", "\"quoted\"", "Name"];
/// Whitespace that trimming removes (Unicode White_Space).
const WHITESPACE: &[&str] = &["", "", "", " ", "  ", "\t", "\u{3000}", "\u{a0}", "\u{85}", "\u{2028}"];

fn units(text: &str) -> Result<Catalog, Vec<String>> {
    catalog_from_files(&city::files(city::tiny_regions(), text, city::TERRITORIAL_CATEGORIES))
}

fn categories(text: &str) -> Result<Catalog, Vec<String>> {
    catalog_from_files(&city::files(city::tiny_regions(), city::TINY_UNITS, text))
}

// --------------------------------------------------------------------------- writing CSV

/// How a generated file is written.
#[derive(Debug, Clone)]
struct Layout {
    crlf: bool,
    bom: bool,
    final_newline: bool,
    /// Quote every field, not only those that need it.
    quote_all: bool,
    /// Blank lines before the records at these indexes (the reader skips them).
    blank_before: Vec<bool>,
}

fn layout(rows: usize) -> impl Strategy<Value = Layout> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), vec(prop::bool::weighted(0.1), rows)).prop_map(
        |(crlf, bom, final_newline, quote_all, blank_before)| Layout {
            crlf,
            bom,
            final_newline,
            quote_all,
            blank_before,
        },
    )
}

/// One field as RFC 4180 writes it: quoted (inner quotes doubled) when it holds a comma, quote
/// or line break, or when everything is quoted.
fn field(s: &str, quote_all: bool) -> String {
    if quote_all || s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A whole file: the header, then the rows, each in the header's column order.
fn write_csv(header: &[String], rows: &[Vec<String>], l: &Layout) -> String {
    write_csv_lines(header, rows, l).0
}

/// [`write_csv`], and the line on which each row starts (CRLF, LF and a lone CR each end a
/// line).
fn write_csv_lines(header: &[String], rows: &[Vec<String>], l: &Layout) -> (String, Vec<usize>) {
    let nl = if l.crlf { "\r\n" } else { "\n" };
    let line = |fields: &[String]| fields.iter().map(|f| field(f, l.quote_all)).collect::<Vec<_>>().join(",");
    let mut out = String::from(if l.bom { "\u{feff}" } else { "" });
    let mut starts = Vec::with_capacity(rows.len());
    out.push_str(&line(header));
    for (i, row) in rows.iter().enumerate() {
        out.push_str(nl);
        if l.blank_before.get(i).copied().unwrap_or(false) {
            out.push_str(nl);
        }
        starts.push(1 + out.replace("\r\n", "\n").replace('\r', "\n").matches('\n').count());
        out.push_str(&line(row));
    }
    if l.final_newline {
        out.push_str(nl);
    }
    (out, starts)
}

/// A table: named columns (required ones and extras, in any order) and rows of values by name.
#[derive(Debug, Clone)]
struct Table {
    columns: Vec<String>,
    rows: Vec<Vec<(String, String)>>,
}

impl Table {
    fn header(&self) -> Vec<String> {
        self.columns.clone()
    }
    fn cells(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|row| {
                self.columns
                    .iter()
                    .map(|c| row.iter().find(|(k, _)| k == c).map_or_else(String::new, |(_, v)| v.clone()))
                    .collect()
            })
            .collect()
    }
}

/// The required columns and up to three extra ones, shuffled.
fn columns(required: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(EXTRA_COLUMNS, 0..=3)
        .prop_map(move |extra| required.iter().chain(&extra).map(|c| (*c).to_owned()).collect::<Vec<_>>())
        .prop_shuffle()
}

/// A value with whitespace around it.
fn padded(s: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (select(WHITESPACE), s, select(WHITESPACE)).prop_map(|(a, s, b)| format!("{a}{s}{b}"))
}

/// Text that is not blank: hostile text around a word.
fn some_text() -> impl Strategy<Value = String> {
    (short(), word(), short()).prop_map(|(a, w, b)| format!("{a}{w}{b}"))
}

// ------------------------------------------------------------------------------- units

/// Valid units: distinct plain codes, non-blank names, known kinds (department kinds of any
/// name), regions of the city, any phone text; every value padded with whitespace.
fn unit_rows() -> impl Strategy<Value = Vec<Unit>> {
    let kind = prop_oneof![
        3 => select(UNIT_KINDS).prop_map(str::to_owned),
        1 => "[a-z_]{1,10}".prop_map(|k| format!("department:{k}")),
    ];
    let row = (some_text(), kind, select(TINY_REGIONS), prop_oneof![3 => short(), 1 => Just(String::new())]);
    ("[A-Za-z0-9_:-]{1,20}", vec(row, 1..10)).prop_map(|(prefix, rows)| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (name, kind, region, phone))| Unit {
                code: format!("{prefix}{i}"),
                name,
                kind,
                region: region.to_owned(),
                phone,
            })
            .collect()
    })
}

/// Units as a table, every value padded, with extra columns of hostile text.
fn unit_table(units: Vec<Unit>) -> impl Strategy<Value = Table> {
    let n = units.len();
    (
        columns(UNIT_COLUMNS),
        vec(vec(padded(Just(String::new())), 5), n),
        vec(prop_oneof![9 => short(), 1 => hostile()], n),
    )
        .prop_map(move |(columns, pads, extra)| Table {
            columns,
            rows: units
                .iter()
                .zip(pads)
                .zip(extra)
                .map(|((u, pad), extra)| {
                    let mut row: Vec<(String, String)> = [&u.code, &u.name, &u.kind, &u.region, &u.phone]
                        .iter()
                        .zip(UNIT_COLUMNS)
                        .zip(pad)
                        .map(|((v, c), pad)| ((*c).to_owned(), format!("{pad}{v}{pad}")))
                        .collect();
                    for c in EXTRA_COLUMNS {
                        row.push(((*c).to_owned(), extra.clone()));
                    }
                    row
                })
                .collect(),
        })
}

fn valid_units() -> impl Strategy<Value = (Vec<Unit>, Table, Layout)> {
    unit_rows().prop_flat_map(|units| {
        let n = units.len();
        (Just(units.clone()), unit_table(units), layout(n))
    })
}

/// What the importer keeps of a unit: every value trimmed.
fn trimmed(u: &Unit) -> Unit {
    Unit {
        code: u.code.trim().to_owned(),
        name: u.name.trim().to_owned(),
        kind: u.kind.trim().to_owned(),
        region: u.region.trim().to_owned(),
        phone: u.phone.trim().to_owned(),
    }
}

// -------------------------------------------------------------------------- categories

/// Valid categories: distinct plain codes, any names, a known route (departments that every
/// district has), a deadline of 1–365 days written as Rust reads an `i32` (`+7`, `007`), and
/// each way of writing `urgent`.
fn category_rows() -> impl Strategy<Value = Vec<(Category, String, String, String)>> {
    let route = prop_oneof![
        4 => (select(&[Level::Grid, Level::Community, Level::Street, Level::District][..]), prop_oneof![Just(String::new()), word()])
            .prop_map(|(l, kind)| (RouteLevel::Territorial(l), l.as_str().to_owned(), kind)),
        1 => select(TINY_DEPARTMENTS).prop_map(|k| (RouteLevel::Department(k.to_owned()), "department".to_owned(), k.to_owned())),
    ];
    let deadline = (1u32..=365, select(&["", "", "+", "0", "00"][..])).prop_map(|(d, p)| (d, format!("{p}{d}")));
    let urgent = select(&[(true, "1"), (true, "true"), (false, "0"), (false, "false"), (false, "")][..]);
    let row = (prop_oneof![short(), some_text()], short(), route, deadline, urgent);
    ("[A-Za-z0-9_:-]{1,40}", vec(row, 1..8)).prop_map(|(prefix, rows)| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (name, name_en, (route, level, kind), (days, days_text), (urgent, urgent_text)))| {
                let c = Category { code: format!("{prefix}{i}"), name, name_en, route, deadline_days: days, urgent };
                (c, format!("{level}\u{0}{kind}"), days_text, urgent_text.to_owned())
            })
            .collect()
    })
}

fn category_table(rows: &[(Category, String, String, String)]) -> impl Strategy<Value = Table> {
    let n = rows.len();
    let rows = rows.to_vec();
    (
        columns(CATEGORY_COLUMNS),
        vec(vec(padded(Just(String::new())), 7), n),
        vec(prop_oneof![9 => short(), 1 => hostile()], n),
    )
        .prop_map(move |(columns, pads, extra)| Table {
            columns,
            rows: rows
                .iter()
                .zip(pads)
                .zip(extra)
                .map(|(((c, route, days, urgent), pad), extra)| {
                    let (level, kind) = route.split_once('\u{0}').unwrap();
                    let values = [c.code.as_str(), &c.name, &c.name_en, level, kind, days, urgent];
                    let mut row: Vec<(String, String)> = values
                        .iter()
                        .zip(CATEGORY_COLUMNS)
                        .zip(pad)
                        .map(|((v, col), pad)| ((*col).to_owned(), format!("{pad}{v}{pad}")))
                        .collect();
                    for c in EXTRA_COLUMNS {
                        row.push(((*c).to_owned(), extra.clone()));
                    }
                    row
                })
                .collect(),
        })
}

#[allow(clippy::type_complexity)]
fn valid_categories() -> impl Strategy<Value = (Vec<(Category, String, String, String)>, Table, Layout)> {
    category_rows().prop_flat_map(|rows| {
        let n = rows.len();
        let table = category_table(&rows);
        (Just(rows), table, layout(n))
    })
}

// ------------------------------------------------------------------------------ defects

/// One defect put into row `row` of a valid table, and the errors it must give (`{line}` and
/// `{code}` filled in by the caller).
fn unit_defect(pick: usize) -> (&'static str, &'static str, Vec<&'static str>) {
    // (column, new value, errors)
    [
        ("kind", "space_station", vec!["units.csv: line {line} ({code}): unknown kind \"space_station\""]),
        ("kind", "department:", vec!["units.csv: line {line} ({code}): unknown kind \"department:\""]),
        ("kind", "Grid_Station", vec!["units.csv: line {line} ({code}): unknown kind \"Grid_Station\""]),
        ("region", "NOPE", vec!["units.csv: line {line} ({code}): unknown region \"NOPE\""]),
        ("region", "", vec!["units.csv: line {line} ({code}): unknown region \"\""]),
        ("name", "", vec!["units.csv: line {line}: code and name are required"]),
        ("name", " \u{3000}\t", vec!["units.csv: line {line}: code and name are required"]),
        ("code", "", vec!["units.csv: line {line}: code and name are required"]),
        ("code", "a b", vec!["units.csv: line {line}: code \"a b\" must be 1–64 ASCII letters, digits, _, - or :"]),
        ("code", "网格", vec!["units.csv: line {line}: code \"网格\" must be 1–64 ASCII letters, digits, _, - or :"]),
    ][pick % 10]
        .clone()
}

fn category_defect(pick: usize) -> (&'static str, &'static str, Vec<&'static str>) {
    let deadline = "categories.csv: line {line} ({code}): deadline_days must be a whole number from 1 to 365";
    let route = "categories.csv: line {line} ({code}): route_level \"city\" needs to be grid, community, street, district, or department with a department_kind";
    [
        ("deadline_days", "0", vec![deadline]),
        ("deadline_days", "366", vec![deadline]),
        ("deadline_days", "-7", vec![deadline]),
        ("deadline_days", "7.5", vec![deadline]),
        ("deadline_days", "七", vec![deadline]),
        ("deadline_days", "99999999999", vec![deadline]),
        ("deadline_days", "", vec![deadline]),
        ("urgent", "2", vec!["categories.csv: line {line} ({code}): urgent must be 0 or 1, not \"2\""]),
        ("urgent", "TRUE", vec!["categories.csv: line {line} ({code}): urgent must be 0 or 1, not \"TRUE\""]),
        ("urgent", "是", vec!["categories.csv: line {line} ({code}): urgent must be 0 or 1, not \"是\""]),
        ("route_level", "city", vec![route]),
        ("code", "a b", vec!["categories.csv: line {line} (a b): code must be letters, digits or _"]),
    ][pick % 12]
        .clone()
}

/// The table with `column` of row `row` set to `value`.
fn with_value(t: &Table, row: usize, column: &str, value: &str) -> Table {
    let mut t = t.clone();
    for (k, v) in &mut t.rows[row] {
        if k == column {
            value.clone_into(v);
        }
    }
    t
}

/// Every `line N` in an error names a line of the file: 2 to the number of lines (ended by
/// CRLF, LF or a lone CR, as the CSV reader counts them).
fn lines_exist(errs: &[String], text: &str) -> Result<(), TestCaseError> {
    let lines = text.replace("\r\n", "\n").replace('\r', "\n").split('\n').count();
    for e in errs {
        if let Some(rest) = e.split_once(": line ").map(|(_, r)| r) {
            let n: usize = rest.split([' ', ':']).next().unwrap_or("").parse().unwrap_or(0);
            prop_assert!((2..=lines.max(2)).contains(&n), "{} (the file has {} lines)", e, lines);
        }
    }
    Ok(())
}

/// Text that is almost CSV: the header and fragments of rows, quotes, separators and breaks.
fn csvish(header: &'static [&'static str]) -> impl Strategy<Value = String> {
    let token = prop_oneof![
        6 => select(&[
            ",", ",", "\"", "\"\"", "\n", "\r\n", "\r", "\u{feff}", " ", "\t", "code", "name", "grid_station",
            "department:", "department:hrss", "D1G1", "SF", "U-1", "1", "0", "365", "366", "-1", "+3", "true",
            "grid", "department", "hrss", "名", "\0",
        ][..])
        .prop_map(str::to_owned),
        1 => short(),
    ];
    (any::<bool>(), vec(token, 0..80)).prop_map(move |(with_header, tokens)| {
        let head = if with_header { format!("{}\n", header.join(",")) } else { String::new() };
        format!("{head}{}", tokens.concat())
    })
}

proptest! {
    #![proptest_config(config())]

    /// Any text as `units.csv` or `categories.csv`: a catalog, or errors that name the file
    /// and, where they give one, a line the file has; nothing else is reported (the regions are
    /// valid). Whatever is accepted holds only valid values.
    #[test]
    fn any_text_is_read_or_refused_by_line(text in prop_oneof![hostile(), csvish(UNIT_COLUMNS), csvish(CATEGORY_COLUMNS)], which in any::<bool>()) {
        let (got, file) = if which { (units(&text), "units.csv: ") } else { (categories(&text), "categories.csv: ") };
        match got {
            Ok(catalog) => {
                for u in catalog.units.values() {
                    prop_assert!(!u.code.is_empty() && !u.name.is_empty() && TINY_REGIONS.contains(&u.region.as_str()), "{:?}", u);
                }
                for c in &catalog.categories {
                    prop_assert!((1..=365).contains(&c.deadline_days), "{:?}", c);
                }
            }
            Err(errs) => {
                prop_assert!(!errs.is_empty());
                for e in &errs {
                    prop_assert!(e.starts_with(file), "{}", e);
                }
                lines_exist(&errs, &text)?;
            }
        }
    }

    /// Valid units, written in any of the ways above, import to exactly the values written,
    /// trimmed: quotes, commas, line breaks and byte-order marks inside fields survive.
    #[test]
    fn valid_units_import_exactly((rows, table, layout) in valid_units()) {
        let text = write_csv(&table.header(), &table.cells(), &layout);
        let catalog = units(&text).map_err(|e| TestCaseError::fail(format!("{e:#?}\n{text:?}")))?;
        prop_assert_eq!(catalog.units.len(), rows.len());
        for u in &rows {
            prop_assert_eq!(catalog.units.get(&u.code), Some(&trimmed(u)));
        }
    }

    /// Valid categories import to exactly the values written, in the file's order.
    #[test]
    fn valid_categories_import_exactly((rows, table, layout) in valid_categories()) {
        let text = write_csv(&table.header(), &table.cells(), &layout);
        let catalog = categories(&text).map_err(|e| TestCaseError::fail(format!("{e:#?}\n{text:?}")))?;
        let want: Vec<Category> = rows
            .iter()
            .map(|(c, ..)| Category { name: c.name.trim().to_owned(), name_en: c.name_en.trim().to_owned(), ..c.clone() })
            .collect();
        prop_assert_eq!(&catalog.categories, &want);
    }

    /// One defect in one row of valid units gives exactly its error, naming the line where the
    /// row starts (after blank lines and fields with line breaks) and its code.
    #[test]
    fn one_unit_defect_gives_exactly_its_error((rows, table, layout) in valid_units(), row in any::<prop::sample::Index>(), pick in any::<usize>()) {
        let row = row.index(rows.len());
        let (column, value, errors) = unit_defect(pick);
        let broken = with_value(&table, row, column, value);
        let code = if column == "code" { value.to_owned() } else { rows[row].code.clone() };
        let (text, lines) = write_csv_lines(&broken.header(), &broken.cells(), &layout);
        let want: Vec<String> = errors
            .iter()
            .map(|e| e.replace("{line}", &lines[row].to_string()).replace("{code}", &code))
            .collect();
        prop_assert_eq!(units(&text).err(), Some(want), "{:?}", text);
    }

    /// A row with a field too few or too many is malformed CSV on its line; the others import.
    #[test]
    fn a_short_or_long_row_is_malformed_on_its_line((rows, table, layout) in valid_units(), row in any::<prop::sample::Index>(), longer in any::<bool>()) {
        let row = row.index(rows.len());
        let mut cells = table.cells();
        if longer {
            cells[row].push("extra".to_owned());
        } else {
            cells[row].pop();
        }
        let (text, lines) = write_csv_lines(&table.header(), &cells, &layout);
        let errs = units(&text).err().unwrap_or_default();
        let prefix = format!("units.csv: line {}: malformed CSV: ", lines[row]);
        prop_assert!(errs.len() == 1 && errs[0].starts_with(&prefix), "{:#?}, wanted {}\n{:?}", errs, prefix, text);
    }

    /// A unit code used by an earlier row too is refused on the later row's line, naming the
    /// earlier one's.
    #[test]
    fn a_unit_code_used_twice_is_refused((rows, table, layout) in valid_units(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let n = rows.len();
        if n < 2 {
            return Ok(());
        }
        let first = a.index(n - 1);
        let second = first + 1 + b.index(n - 1 - first);
        let code = rows[first].code.clone();
        let broken = with_value(&table, second, "code", &code);
        let (text, lines) = write_csv_lines(&broken.header(), &broken.cells(), &layout);
        let want = format!(
            "units.csv: line {} ({code}): code {code} is already used on line {}; each unit needs its own code",
            lines[second], lines[first]
        );
        prop_assert_eq!(units(&text).err(), Some(vec![want]), "{:?}", text);
    }

    /// A column the importer reads, named twice in the header, is refused (with the same values
    /// in both: that is the only error).
    #[test]
    fn a_column_named_twice_is_refused((_, units_table, units_layout) in valid_units(), (_, cats_table, cats_layout) in valid_categories(), pick in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), which in any::<bool>()) {
        let (mut table, layout, required, file) = if which {
            (units_table, units_layout, UNIT_COLUMNS, "units.csv")
        } else {
            (cats_table, cats_layout, CATEGORY_COLUMNS, "categories.csv")
        };
        let column = required[pick.index(required.len())];
        let at = at.index(table.columns.len() + 1);
        table.columns.insert(at, column.to_owned());
        let text = write_csv(&table.header(), &table.cells(), &layout);
        let got = if which { units(&text) } else { categories(&text) };
        let want = format!("{file}: the header has more than one {column:?} column; each column must appear once");
        prop_assert_eq!(got.err(), Some(vec![want]), "{:?}", text);
    }

    /// One defect in one row of valid categories gives exactly its error.
    #[test]
    fn one_category_defect_gives_exactly_its_error((rows, table, layout) in valid_categories(), row in any::<prop::sample::Index>(), pick in any::<usize>()) {
        let row = row.index(rows.len());
        let (column, value, errors) = category_defect(pick);
        let broken = with_value(&table, row, column, value);
        let (text, lines) = write_csv_lines(&broken.header(), &broken.cells(), &layout);
        let want: Vec<String> = errors
            .iter()
            .map(|e| e.replace("{line}", &lines[row].to_string()).replace("{code}", &rows[row].0.code))
            .collect();
        prop_assert_eq!(categories(&text).err(), Some(want), "{:?}", text);
    }

    /// A category code used by an earlier row too is refused on the later row's line, naming
    /// the earlier one's; the catalog never holds two categories of one code.
    #[test]
    fn a_category_code_used_twice_is_refused((rows, table, layout) in valid_categories(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let n = rows.len();
        if n < 2 {
            return Ok(());
        }
        let first = a.index(n - 1);
        let second = first + 1 + b.index(n - 1 - first);
        let code = rows[first].0.code.clone();
        let broken = with_value(&table, second, "code", &code);
        let (text, lines) = write_csv_lines(&broken.header(), &broken.cells(), &layout);
        let want = format!(
            "categories.csv: line {} ({code}): code {code} is already used on line {}; each category needs its own code",
            lines[second], lines[first]
        );
        prop_assert_eq!(categories(&text).err(), Some(vec![want]), "{:?}", text);
    }

    /// A department category whose kind some district lacks names each such district.
    #[test]
    fn a_department_missing_in_a_district_is_named((rows, table, layout) in valid_categories(), row in any::<prop::sample::Index>(), kind in "[a-z]{1,8}") {
        prop_assume!(!TINY_DEPARTMENTS.contains(&kind.as_str()));
        let row = row.index(rows.len());
        let broken = with_value(&with_value(&table, row, "route_level", "department"), row, "department_kind", &kind);
        let (text, lines) = write_csv_lines(&broken.header(), &broken.cells(), &layout);
        let at = format!("categories.csv: line {} ({})", lines[row], rows[row].0.code);
        let want: Vec<String> = ["D1", "D2"].iter().map(|d| format!("{at}: district {d} has no unit of kind department:{kind}")).collect();
        prop_assert_eq!(categories(&text).err(), Some(want), "{:?}", text);
    }
}
