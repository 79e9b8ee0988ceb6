//! Importing the region hierarchy, handling units and categories (the format of
//! `backend/demo-city/`), and loading them into the in-memory catalog.
//!
//! Everything is checked before anything is written; then all rows are upserted in one
//! transaction, so a bad file changes nothing and a re-import updates in place.

use crate::catalog::Catalog;
use crate::db::Db;
use crate::store::regions::{self as store, CategoryRow, RegionRow, UnitRow};
use crate::{BackendError, Result};
use domain::region::{Category, Level, Region, RouteLevel, Unit};
use domain::routing::Rings;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The three files' contents.
pub struct ImportFiles {
    pub regions: String,
    pub units: String,
    pub categories: String,
}

/// The demo city bundled into the binary.
#[must_use]
pub fn demo_files() -> ImportFiles {
    ImportFiles {
        regions: include_str!("../../demo-city/regions.geojson").to_owned(),
        units: include_str!("../../demo-city/units.csv").to_owned(),
        categories: include_str!("../../demo-city/categories.csv").to_owned(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub regions: usize,
    pub units: usize,
    pub categories: usize,
}

/// A file's bytes as text: UTF-8 (a byte-order mark is dropped); anything else is refused with
/// the file's name and where the first bad byte is, since region data often arrives as GBK.
///
/// # Errors
/// Not UTF-8.
pub fn decode_file(name: &str, bytes: Vec<u8>) -> std::result::Result<String, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{name}: not UTF-8 (byte {}); save the file as UTF-8 (GBK/GB18030 files must be converted)",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Reads the three files of `dir`.
///
/// # Errors
/// A file is missing or not UTF-8.
pub fn read_dir(dir: &Path) -> Result<ImportFiles> {
    let read = |name: &str| -> Result<String> {
        let path = dir.join(name);
        let bytes = std::fs::read(&path)
            .map_err(|e| BackendError::Import(vec![format!("{name}: cannot read {}: {e}", path.display())]))?;
        decode_file(name, bytes).map_err(|e| BackendError::Import(vec![e]))
    };
    Ok(ImportFiles {
        regions: read("regions.geojson")?,
        units: read("units.csv")?,
        categories: read("categories.csv")?,
    })
}

/// Codes end up in paths (`/SF/HD/HD01/`) and URLs: the same rule as every other code.
fn plain_code(code: &str) -> bool {
    domain::fields::Code::parse(code, domain::FieldName::Region).is_ok_and(|c| c.as_str() == code)
}

/// Overlap smaller than this share of the smaller cell's area is taken as rounding, not overlap.
const OVERLAP_TOLERANCE: f64 = 1e-9;

const UNIT_KINDS: [&str; 5] =
    ["grid_station", "community_committee", "street_center", "district_center", "city_center"];

/// Parses a GeoJSON Polygon or MultiPolygon geometry into rings.
///
/// # Errors
/// Another type, or rings that are not closed lists of at least four `[lng, lat]` numbers.
pub fn parse_geometry(g: &Value) -> std::result::Result<Vec<Rings>, String> {
    let ring = |r: &Value| -> std::result::Result<Vec<[f64; 2]>, String> {
        let pts = r.as_array().ok_or("a ring is not an array")?;
        let ring: Vec<[f64; 2]> = pts
            .iter()
            .map(|p| {
                let a = p.as_array().filter(|a| a.len() >= 2).ok_or("a position is not [lng, lat]")?;
                match (a[0].as_f64(), a[1].as_f64()) {
                    (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok([x, y]),
                    _ => Err("a position is not two numbers"),
                }
            })
            .collect::<std::result::Result<_, _>>()?;
        if ring.len() < 4 {
            return Err(format!("a ring has {} positions; at least 4 are needed", ring.len()));
        }
        if ring.first() != ring.last() {
            return Err("a ring is not closed (first and last position differ)".into());
        }
        Ok(ring)
    };
    let polygon = |p: &Value| -> std::result::Result<Rings, String> {
        p.as_array().ok_or("polygon coordinates are not an array")?.iter().map(ring).collect()
    };
    let coords = g.get("coordinates").ok_or("geometry has no coordinates")?;
    match g.get("type").and_then(Value::as_str) {
        Some("Polygon") => Ok(vec![polygon(coords)?]),
        Some("MultiPolygon") => coords.as_array().ok_or("coordinates are not an array")?.iter().map(polygon).collect(),
        other => Err(format!("geometry type {other:?} is not Polygon or MultiPolygon")),
    }
}

struct Parsed {
    regions: Vec<RegionRow>,
    units: Vec<UnitRow>,
    categories: Vec<CategoryRow>,
}

fn prop<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("").trim()
}

/// Line numbers of CSV records in the file's text, counted as an editor counts them: each CRLF,
/// LF or lone CR (all three end a record for the CSV reader) ends a line.
pub(crate) struct Lines<'a> {
    text: &'a [u8],
    /// Bytes before this have been counted...
    at: usize,
    /// ...and this is the line `at` is on.
    line: usize,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text: text.as_bytes(), at: 0, line: 1 }
    }

    /// The line where the record read from `pos` begins. The reader's position is where it
    /// started looking, before the blank lines (and the LF of a CRLF) it skips, so those are
    /// stepped over first. Positions come in file order, so each byte is counted once.
    fn of(&mut self, pos: Option<&csv::Position>) -> Option<usize> {
        let mut start = usize::try_from(pos?.byte()).ok()?.min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start < self.at {
            return None;
        }
        for i in self.at..start {
            let b = self.text[i];
            if b == b'\n' || (b == b'\r' && self.text.get(i + 1) != Some(&b'\n')) {
                self.line += 1;
            }
        }
        self.at = start;
        Some(self.line)
    }

    /// The line of the record `i` (0-based) of a reader's `records()`, read or refused: where it
    /// begins in the file, or the record count's guess when the reader gave no position.
    pub(crate) fn of_read(&mut self, rec: &csv::Result<csv::StringRecord>, i: usize) -> usize {
        let pos = match rec {
            Ok(r) => r.position(),
            Err(e) => e.position(),
        };
        self.of(pos).unwrap_or(i + 2)
    }
}

/// A CSV error as shown after `malformed CSV: ` (the reader's own message counts lines
/// differently, so its position is left out).
pub(crate) fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("the row has {len} fields where the header has {expected_len}")
        }
        _ => e.to_string(),
    }
}

/// Each column the importer reads must appear once in the header: otherwise which one counts is
/// a guess.
pub(crate) fn duplicate_columns(file: &str, headers: &csv::StringRecord, read: &[&str], errs: &mut Vec<String>) {
    for c in read {
        if headers.iter().filter(|h| h == c).count() > 1 {
            errs.push(format!("{file}: the header has more than one {c:?} column; each column must appear once"));
        }
    }
}

fn parse_files(files: &ImportFiles) -> std::result::Result<Parsed, Vec<String>> {
    let mut errs = Vec::new();
    // regions.geojson
    let mut regions = Vec::new();
    let mut cells: Vec<(String, Vec<Rings>)> = Vec::new();
    match serde_json::from_str::<Value>(&files.regions) {
        Err(e) => errs.push(format!("regions.geojson: not valid JSON: {e}")),
        Ok(doc) => {
            let features = doc.get("features").and_then(Value::as_array);
            if features.is_none() {
                errs.push("regions.geojson: not a FeatureCollection (no \"features\" array)".into());
            }
            for (i, f) in features.into_iter().flatten().enumerate() {
                let props = f.get("properties").cloned().unwrap_or(Value::Null);
                let code = prop(&props, "code").to_owned();
                let at =
                    format!("regions.geojson: feature {} ({})", i + 1, if code.is_empty() { "no code" } else { &code });
                if code.is_empty() {
                    errs.push(format!("{at}: missing \"code\""));
                    continue;
                }
                if !plain_code(&code) {
                    errs.push(format!("{at}: code {code:?} must be 1–64 ASCII letters, digits, _, - or :"));
                }
                let level = prop(&props, "level");
                if Level::parse(level).is_none() {
                    errs.push(format!("{at}: unknown level {level:?} (city, district, street, community or grid)"));
                }
                let geometry = match f.get("geometry") {
                    Some(g) if !g.is_null() => match parse_geometry(g) {
                        Ok(polygons) => {
                            let mut ok = true;
                            for (pi, rings) in polygons.iter().enumerate() {
                                for p in domain::geometry::polygon_problems(rings) {
                                    ok = false;
                                    let which = if polygons.len() > 1 {
                                        format!("polygon {}, ", pi + 1)
                                    } else {
                                        String::new()
                                    };
                                    errs.push(format!("{at}: invalid geometry: {which}{p}"));
                                }
                            }
                            if ok && level == "grid" {
                                cells.push((code.clone(), polygons));
                            }
                            Some(g.to_string())
                        }
                        Err(e) => {
                            errs.push(format!("{at}: invalid geometry: {e}"));
                            None
                        }
                    },
                    _ => {
                        if level == "grid" {
                            errs.push(format!("{at}: a grid cell needs a polygon"));
                        }
                        None
                    }
                };
                let parent = Some(prop(&props, "parent").to_owned()).filter(|p| !p.is_empty());
                regions.push(RegionRow {
                    code,
                    name: prop(&props, "name").to_owned(),
                    name_en: prop(&props, "name_en").to_owned(),
                    level: level.to_owned(),
                    parent,
                    geometry,
                });
            }
        }
    }
    // Grid cells must not overlap (sharing an edge or a vertex is how they meet, and is fine):
    // a point in two cells would have two units.
    for (a, b) in domain::geometry::overlapping_cells(&cells, OVERLAP_TOLERANCE) {
        errs.push(format!("regions.geojson: grid cells {a} and {b} overlap; every point must belong to one cell"));
    }
    // A region whose level was refused is known (units and children may name it) but its
    // children's levels are not checked against it: that would only repeat its error.
    let mut levels: HashMap<&str, Option<Level>> = HashMap::new();
    for r in &regions {
        if levels.insert(&r.code, Level::parse(&r.level)).is_some() {
            errs.push(format!("regions.geojson: region {} appears twice", r.code));
        }
    }
    for r in &regions {
        let Some(level) = Level::parse(&r.level) else { continue };
        match (&r.parent, level) {
            (None, Level::City) => {}
            (None, _) => errs.push(format!("regions.geojson: region {}: missing parent", r.code)),
            (Some(p), _) => match levels.get(p.as_str()) {
                None => errs.push(format!("regions.geojson: region {}: unknown parent {p}", r.code)),
                Some(None) => {}
                Some(Some(pl)) if level == Level::City || *pl as u8 + 1 != level as u8 => errs.push(format!(
                    "regions.geojson: region {}: level {} cannot be under {} {p} (order is city > district > street > community > grid)",
                    r.code,
                    r.level,
                    pl.as_str()
                )),
                Some(_) => {}
            },
        }
    }
    // units.csv
    let mut units = Vec::new();
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(files.units.as_bytes());
    match rdr.headers() {
        Ok(h) if ["code", "name", "kind", "region", "phone"].iter().all(|c| h.iter().any(|x| x == *c)) => {}
        _ => errs.push("units.csv: header must have code,name,kind,region,phone".into()),
    }
    let headers = rdr.headers().cloned().unwrap_or_default();
    duplicate_columns("units.csv", &headers, &["code", "name", "kind", "region", "phone"], &mut errs);
    let col = |rec: &csv::StringRecord, name: &str| -> String {
        headers.iter().position(|h| h == name).and_then(|i| rec.get(i)).unwrap_or("").to_owned()
    };
    let mut lines = Lines::new(&files.units);
    let mut unit_lines: HashMap<String, usize> = HashMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = lines.of_read(&rec, i);
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errs.push(format!("units.csv: line {line}: malformed CSV: {}", csv_problem(&e)));
                continue;
            }
        };
        let u = UnitRow {
            code: col(&rec, "code"),
            name: col(&rec, "name"),
            kind: col(&rec, "kind"),
            region: col(&rec, "region"),
            phone: col(&rec, "phone"),
        };
        if u.code.is_empty() || u.name.is_empty() {
            errs.push(format!("units.csv: line {line}: code and name are required"));
        } else if !plain_code(&u.code) {
            errs.push(format!(
                "units.csv: line {line}: code {:?} must be 1–64 ASCII letters, digits, _, - or :",
                u.code
            ));
        } else if let Some(first) = unit_lines.get(&u.code) {
            errs.push(format!(
                "units.csv: line {line} ({}): code {} is already used on line {first}; each unit needs its own code",
                u.code, u.code
            ));
        } else {
            unit_lines.insert(u.code.clone(), line);
        }
        let kind_ok =
            UNIT_KINDS.contains(&u.kind.as_str()) || u.kind.strip_prefix("department:").is_some_and(|k| !k.is_empty());
        if !kind_ok {
            errs.push(format!("units.csv: line {line} ({}): unknown kind {:?}", u.code, u.kind));
        }
        if !levels.contains_key(u.region.as_str()) {
            errs.push(format!("units.csv: line {line} ({}): unknown region {:?}", u.code, u.region));
        }
        units.push(u);
    }
    // categories.csv
    let mut categories = Vec::new();
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(files.categories.as_bytes());
    let headers = rdr.headers().cloned().unwrap_or_default();
    let need = ["code", "name", "name_en", "route_level", "department_kind", "deadline_days", "urgent"];
    if !need.iter().all(|c| headers.iter().any(|x| x == *c)) {
        errs.push(format!("categories.csv: header must have {}", need.join(",")));
    }
    duplicate_columns("categories.csv", &headers, &need, &mut errs);
    let col = |rec: &csv::StringRecord, name: &str| -> String {
        headers.iter().position(|h| h == name).and_then(|i| rec.get(i)).unwrap_or("").to_owned()
    };
    let districts: Vec<&str> = regions.iter().filter(|r| r.level == "district").map(|r| r.code.as_str()).collect();
    let dept_units: HashSet<(String, String)> = units.iter().map(|u| (u.region.clone(), u.kind.clone())).collect();
    let mut lines = Lines::new(&files.categories);
    let mut category_lines: HashMap<String, usize> = HashMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = lines.of_read(&rec, i);
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errs.push(format!("categories.csv: line {line}: malformed CSV: {}", csv_problem(&e)));
                continue;
            }
        };
        let code = col(&rec, "code");
        let at = format!("categories.csv: line {line} ({code})");
        let route_level = col(&rec, "route_level");
        let department_kind = col(&rec, "department_kind");
        if RouteLevel::parse(&route_level, &department_kind).is_none() {
            errs.push(format!("{at}: route_level {route_level:?} needs to be grid, community, street, district, or department with a department_kind"));
        }
        if route_level == "department" {
            for d in &districts {
                if !dept_units.contains(&((*d).to_owned(), format!("department:{department_kind}"))) {
                    errs.push(format!("{at}: district {d} has no unit of kind department:{department_kind}"));
                }
            }
        }
        let deadline_days = col(&rec, "deadline_days").parse::<i32>().ok().filter(|d| (1..=365).contains(d));
        if deadline_days.is_none() {
            errs.push(format!("{at}: deadline_days must be a whole number from 1 to 365"));
        }
        let urgent = match col(&rec, "urgent").as_str() {
            "1" | "true" => true,
            "0" | "false" | "" => false,
            other => {
                errs.push(format!("{at}: urgent must be 0 or 1, not {other:?}"));
                false
            }
        };
        if code.is_empty() || domain::fields::Code::parse(&code, domain::FieldName::Category).is_err() {
            errs.push(format!("{at}: code must be letters, digits or _"));
        } else if let Some(first) = category_lines.get(&code) {
            errs.push(format!("{at}: code {code} is already used on line {first}; each category needs its own code"));
        } else {
            category_lines.insert(code.clone(), line);
        }
        categories.push(CategoryRow {
            code,
            name: col(&rec, "name"),
            name_en: col(&rec, "name_en"),
            route_level,
            department_kind,
            deadline_days: deadline_days.unwrap_or(1),
            urgent,
        });
    }
    if errs.is_empty() {
        Ok(Parsed { regions, units, categories })
    } else {
        Err(errs)
    }
}

/// Builds a catalog straight from files, without a database (checks, benchmarks, dry runs).
///
/// # Errors
/// Every problem found in the files.
pub fn catalog_from_files(files: &ImportFiles) -> std::result::Result<Catalog, Vec<String>> {
    let p = parse_files(files)?;
    Ok(catalog_from_rows(p.regions, p.units, p.categories))
}

/// The catalog (and routing index) from rows, as parsed from files or read from the database.
/// Rows that do not parse are skipped: both sources have been checked by the importer.
fn catalog_from_rows(rows: Vec<RegionRow>, units: Vec<UnitRow>, categories: Vec<CategoryRow>) -> Catalog {
    let mut regions = Vec::with_capacity(rows.len());
    let mut cells = Vec::new();
    for r in rows {
        let Some(level) = Level::parse(&r.level) else { continue };
        if level == Level::Grid {
            let shape = r
                .geometry
                .as_deref()
                .and_then(|g| serde_json::from_str::<Value>(g).ok())
                .and_then(|g| parse_geometry(&g).ok());
            if let Some(shape) = shape {
                cells.push((r.code.clone(), shape));
            }
        }
        regions.push(Region { code: r.code, name: r.name, name_en: r.name_en, level, parent: r.parent });
    }
    let units = units
        .into_iter()
        .map(|u| Unit { code: u.code, name: u.name, kind: u.kind, region: u.region, phone: u.phone })
        .collect();
    let categories = categories
        .into_iter()
        .filter_map(|c| {
            Some(Category {
                route: RouteLevel::parse(&c.route_level, &c.department_kind)?,
                code: c.code,
                name: c.name,
                name_en: c.name_en,
                deadline_days: u32::try_from(c.deadline_days).unwrap_or(1),
                urgent: c.urgent,
            })
        })
        .collect();
    Catalog::new(regions, units, categories, cells)
}

/// Checks and imports the three files in one transaction: regions, units and categories are
/// upserted (nothing is deleted, so appeals keep their assignment history), every appeal's scope
/// path is recomputed from the new hierarchy, the catalog version is bumped (every app node
/// reloads its index) and the import is audited.
///
/// # Errors
/// [`BackendError::Import`] listing every problem found (nothing is written), or a database error.
pub async fn import_as(db: &Db, files: &ImportFiles, by: &crate::audit::Who) -> Result<ImportReport> {
    let parsed = parse_files(files).map_err(BackendError::Import)?;
    let catalog = catalog_from_files(files).map_err(BackendError::Import)?;
    let now = crate::now_ts();
    let mut tx = db.pool.begin().await?;
    for r in &parsed.regions {
        store::upsert_region(&mut tx, r, now).await?;
    }
    for u in &parsed.units {
        store::upsert_unit(&mut tx, u, now).await?;
    }
    for (i, c) in parsed.categories.iter().enumerate() {
        store::upsert_category(&mut tx, c, i32::try_from(i).unwrap_or(i32::MAX), now).await?;
    }
    for u in &parsed.units {
        store::update_scope_paths(&mut tx, &u.code, &catalog.unit_path(&u.code)).await?;
    }
    store::bump_catalog_version(&mut tx).await?;
    let report =
        ImportReport { regions: parsed.regions.len(), units: parsed.units.len(), categories: parsed.categories.len() };
    crate::audit::append(
        &mut tx,
        &crate::audit::Entry {
            at: now,
            who: by,
            action: "import_regions",
            ticket: None,
            detail: serde_json::json!({ "regions": report.regions, "units": report.units, "categories": report.categories }),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// [`import_as`] by the system (the bundled demo city, tests).
///
/// # Errors
/// As [`import_as`].
pub async fn import(db: &Db, files: &ImportFiles) -> Result<ImportReport> {
    import_as(db, files, &crate::audit::Who::system()).await
}

/// Imports, then swaps the running server's catalog for the new one at once (lookups never see a
/// half-built index and never fail meanwhile). Used by the admin page; the CLI's import reaches
/// running servers through the catalog version they poll ([`reload_if_changed`]).
///
/// # Errors
/// As [`import_as`].
pub async fn import_and_reload(
    state: &crate::AppState,
    files: &ImportFiles,
    by: &crate::audit::Who,
) -> Result<ImportReport> {
    by.require_admin()?;
    let report = import_as(&state.db, files, by).await?;
    let version = store::catalog_version(&state.db.pool).await?;
    let catalog = load_catalog(&state.db).await?;
    state.catalog.replace_versioned(catalog, version);
    Ok(report)
}

/// Rebuilds the catalog when another process or node imported since we last loaded it.
///
/// # Errors
/// Database errors (the old catalog stays in use).
pub async fn reload_if_changed(state: &crate::AppState) -> Result<bool> {
    let version = store::catalog_version(&state.db.pool).await?;
    if version == state.catalog.version() {
        return Ok(false);
    }
    let catalog = load_catalog(&state.db).await?;
    state.catalog.replace_versioned(catalog, version);
    tracing::info!(version, "region catalog reloaded");
    Ok(true)
}

/// Builds the in-memory catalog (and routing index) from the database.
///
/// # Errors
/// Database errors.
pub async fn load_catalog(db: &Db) -> Result<Catalog> {
    let regions = store::all_regions(&db.pool).await?;
    let units = store::all_units(&db.pool).await?;
    let categories = store::all_categories(&db.pool).await?;
    let mut catalog = catalog_from_rows(regions, units, categories);
    catalog.questions = crate::store::questions::all(&db.pool).await?;
    Ok(catalog)
}

/// Imports the bundled demo city if the database has no regions yet.
///
/// # Errors
/// Database errors.
pub async fn import_demo_if_empty(db: &Db) -> Result<Option<ImportReport>> {
    if store::count_regions(&db.pool).await? > 0 {
        return Ok(None);
    }
    import(db, &demo_files()).await.map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_demo_city_parses() {
        let p = parse_files(&demo_files()).unwrap();
        assert_eq!(p.regions.len(), 148);
        assert_eq!(p.units.len(), 163);
        assert_eq!(p.categories.len(), 13);
    }

    #[test]
    fn bad_data_is_reported_with_file_and_place() {
        let mut f = demo_files();
        f.units.push_str("X-1,Ghost unit,grid_station,NOPE,1\nX-2,Odd,space_station,HD,1\n");
        f.categories.push_str("bad cat,坏,Bad,department,rockets,0,2\n");
        f.regions = f.regions.replacen("\"parent\": \"HD0101\"", "\"parent\": \"ZZ99\"", 1);
        let errs = parse_files(&f).err().unwrap();
        let all = errs.join("\n");
        assert!(all.contains("units.csv: line 165 (X-1): unknown region \"NOPE\""), "{all}");
        assert!(all.contains("units.csv: line 166 (X-2): unknown kind \"space_station\""), "{all}");
        assert!(
            all.contains("categories.csv: line 15 (bad cat): district HD has no unit of kind department:rockets"),
            "{all}"
        );
        assert!(all.contains("deadline_days must be"), "{all}");
        assert!(all.contains("urgent must be 0 or 1"), "{all}");
        assert!(all.contains("unknown parent ZZ99"), "{all}");
    }

    #[test]
    fn geometry_must_be_closed_polygons() {
        let open: Value = serde_json::json!({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]});
        assert!(parse_geometry(&open).unwrap_err().contains("not closed"));
        let point: Value = serde_json::json!({"type":"Point","coordinates":[0,0]});
        assert!(parse_geometry(&point).unwrap_err().contains("not Polygon"));
        let multi: Value = serde_json::json!({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[2,2],[3,2],[3,3],[2,2]]]]});
        assert_eq!(parse_geometry(&multi).unwrap().len(), 2);
    }
}
