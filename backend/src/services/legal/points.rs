//! The directory of service points (`services.csv`), checked against the imported regions.

#[allow(clippy::wildcard_imports)]
use super::*;

/// The kind's names in both languages, searched along with the name and address.
pub(super) fn kind_names(kind: ServiceKind) -> String {
    format!("{} {}", kind.name().text(Lang::ZhCn), kind.name().text(Lang::En))
}

/// Whether `region` is `code` or one of its ancestors.
pub(super) fn region_contains(cat: &Catalog, region: &str, code: &str) -> bool {
    let mut cur = cat.region(code);
    let mut steps = 0;
    while let Some(r) = cur {
        if r.code == region {
            return true;
        }
        steps += 1;
        if steps > 16 {
            break;
        }
        cur = r.parent.as_deref().and_then(|p| cat.region(p));
    }
    false
}

/// Parses `services.csv` against the imported regions: every line's kind must be known, its
/// region imported, and its coordinates inside one of that region's grid cells.
///
/// # Errors
/// Every problem, as `services.csv: line N (CODE): …`.
pub fn parse_services(csv_text: &str, cat: &Catalog) -> std::result::Result<Vec<ServiceRow>, Vec<String>> {
    const NEED: [&str; 9] = ["code", "name", "kind", "region", "address", "phone", "hours", "lat", "lng"];
    let mut errs = Vec::new();
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(csv_text.as_bytes());
    let headers = rdr.headers().cloned().unwrap_or_default();
    if !NEED.iter().all(|c| headers.iter().any(|h| h == *c)) {
        return Err(vec![format!("services.csv: header must have {}", NEED.join(","))]);
    }
    crate::services::import::duplicate_columns("services.csv", &headers, &NEED, &mut errs);
    let col = |rec: &csv::StringRecord, name: &str| -> String {
        headers.iter().position(|h| h == name).and_then(|i| rec.get(i)).unwrap_or("").to_owned()
    };
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    // The file's own line numbers (a blank line or a quoted line break before a row counts), as
    // for units.csv and categories.csv.
    let mut lines = crate::services::import::Lines::new(csv_text);
    for (i, rec) in rdr.records().enumerate() {
        let line = lines.of_read(&rec, i);
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errs.push(format!(
                    "services.csv: line {line}: malformed CSV: {}",
                    crate::services::import::csv_problem(&e)
                ));
                continue;
            }
        };
        let code = col(&rec, "code");
        let at = format!("services.csv: line {line} ({code})");
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            errs.push(format!("{at}: code must be letters, digits, - or _"));
        } else if !seen.insert(code.clone()) {
            errs.push(format!("{at}: code appears twice"));
        }
        for k in ["name", "address"] {
            if col(&rec, k).is_empty() {
                errs.push(format!("{at}: {k} is required"));
            }
        }
        let kind_code = col(&rec, "kind");
        let kind = ServiceKind::parse(&kind_code);
        if kind.is_none() {
            let list: Vec<&str> = ServiceKind::ALL.iter().map(|k| k.code()).collect();
            errs.push(format!("{at}: unknown kind {kind_code:?} (one of {})", list.join(", ")));
        }
        let region = col(&rec, "region");
        let region_known = cat.region(&region).is_some();
        if !region_known {
            errs.push(format!("{at}: unknown region {region:?}"));
        }
        let (lat_s, lng_s) = (col(&rec, "lat"), col(&rec, "lng"));
        let point = match GeoPoint::parse(&lat_s, &lng_s) {
            Ok(Some(p)) => Some(p),
            _ => {
                errs.push(format!("{at}: lat/lng {lat_s:?}, {lng_s:?} are not coordinates"));
                None
            }
        };
        if let (Some(p), true) = (point, region_known) {
            match cat.router.cell_at(p) {
                None => errs.push(format!("{at}: point {lat_s}, {lng_s} lies in no grid cell of the city")),
                Some(cell) if !region_contains(cat, &region, cell) => {
                    errs.push(format!("{at}: point {lat_s}, {lng_s} lies in cell {cell}, outside region {region}"));
                }
                Some(_) => {}
            }
        }
        rows.push(ServiceRow {
            code,
            name: col(&rec, "name"),
            kind: kind_code,
            kind_name: kind.map(kind_names).unwrap_or_default(),
            region,
            address: col(&rec, "address"),
            phone: col(&rec, "phone"),
            hours: col(&rec, "hours"),
            lat: point.map_or(0.0, |p| p.lat),
            lng: point.map_or(0.0, |p| p.lng),
        });
    }
    if errs.is_empty() {
        Ok(rows)
    } else {
        Err(errs)
    }
}
