//! The region import explains bad data (one test per kind: the file, the feature or line, and
//! what is wrong), changes nothing when anything is wrong, updates in place, keeps appeals'
//! assignment history, and swaps the routing index without a window where lookups fail.

use crate::common;

use backend::services::import::{self, catalog_from_files, decode_file, demo_files, ImportFiles};
use backend::BackendError;
use common::Engine;
use domain::fields::GeoPoint;
use serde_json::{json, Value};

fn errors(files: &ImportFiles) -> String {
    match catalog_from_files(files) {
        Ok(_) => panic!("expected import errors"),
        Err(e) => e.join("\n"),
    }
}

/// The demo files with the regions document edited by `f`.
fn with_regions(f: impl FnOnce(&mut Vec<Value>)) -> ImportFiles {
    let mut files = demo_files();
    let mut doc: Value = serde_json::from_str(&files.regions).unwrap();
    f(doc["features"].as_array_mut().unwrap());
    files.regions = doc.to_string();
    files
}

fn feature<'a>(features: &'a mut [Value], code: &str) -> &'a mut Value {
    features.iter_mut().find(|x| x["properties"]["code"] == code).unwrap()
}

#[test]
fn the_demo_city_is_clean() {
    assert!(catalog_from_files(&demo_files()).is_ok());
}

#[test]
fn missing_parent() {
    let files = with_regions(|fs| feature(fs, "HD01")["properties"]["parent"] = json!(""));
    assert!(errors(&files).contains("regions.geojson: region HD01: missing parent"), "{}", errors(&files));
}

#[test]
fn unknown_parent() {
    let files = with_regions(|fs| feature(fs, "HD0101")["properties"]["parent"] = json!("ZZ01"));
    assert!(errors(&files).contains("regions.geojson: region HD0101: unknown parent ZZ01"), "{}", errors(&files));
}

#[test]
fn level_out_of_order() {
    // A community straight under a district skips the street level.
    let files = with_regions(|fs| feature(fs, "HD0101")["properties"]["parent"] = json!("HD"));
    assert!(
        errors(&files).contains("region HD0101: level community cannot be under district HD"),
        "{}",
        errors(&files)
    );
}

#[test]
fn unknown_level() {
    let files = with_regions(|fs| feature(fs, "HD01")["properties"]["level"] = json!("township"));
    let e = errors(&files);
    assert!(e.contains("feature") && e.contains("(HD01): unknown level \"township\""), "{e}");
    // Only that: its children (communities under a street) are not checked against a guess.
    assert_eq!(e.lines().count(), 1, "{e}");
}

#[test]
fn invalid_polygon() {
    let files = with_regions(|fs| {
        feature(fs, "HD010101")["geometry"] = json!({"type": "Polygon", "coordinates": [[[106.6, 35.48], [106.61, 35.48], [106.61, 35.49], [106.6, 35.49]]]});
    });
    let e = errors(&files);
    assert!(
        e.contains("regions.geojson: feature") && e.contains("(HD010101): invalid geometry: a ring is not closed"),
        "{e}"
    );
}

#[test]
fn self_intersecting_polygon() {
    // A bow tie: the ring crosses itself in the middle.
    let files = with_regions(|fs| {
        feature(fs, "HD010101")["geometry"] = json!({"type": "Polygon", "coordinates": [[[106.60, 35.48], [106.61, 35.49], [106.61, 35.48], [106.60, 35.49], [106.60, 35.48]]]});
    });
    let e = errors(&files);
    assert!(e.contains("(HD010101): invalid geometry: ring 0 crosses itself near"), "{e}");
}

#[test]
fn overlapping_grid_cells() {
    // HD010102 given HD010101's shape: every point of it would have two units.
    let files = with_regions(|fs| {
        let shape = feature(fs, "HD010101")["geometry"].clone();
        feature(fs, "HD010102")["geometry"] = shape;
    });
    let e = errors(&files);
    assert!(e.contains("regions.geojson: grid cells HD010101 and HD010102 overlap"), "{e}");
}

#[test]
fn codes_must_be_plain() {
    // A '/' would nest the region under another path prefix in the dispatchers' scope.
    let files = with_regions(|fs| feature(fs, "HD0101")["properties"]["code"] = json!("HD/0101"));
    assert!(errors(&files).contains("code \"HD/0101\" must be 1–64 ASCII letters"), "{}", errors(&files));
    let mut files = demo_files();
    files.units.push_str("单位一,x,grid_station,HD010101,1\n");
    assert!(errors(&files).contains("units.csv: line 165: code \"单位一\" must be"), "{}", errors(&files));
}

#[test]
fn grid_cell_without_polygon() {
    let files = with_regions(|fs| feature(fs, "HD010103")["geometry"] = Value::Null);
    assert!(errors(&files).contains("(HD010103): a grid cell needs a polygon"), "{}", errors(&files));
}

#[test]
fn unit_with_unknown_region() {
    let mut files = demo_files();
    files.units.push_str("U-X,不存在的网格工作站,grid_station,HD999999,0933-1\n");
    assert!(errors(&files).contains("units.csv: line 165 (U-X): unknown region \"HD999999\""), "{}", errors(&files));
}

#[test]
fn category_department_missing_in_a_district() {
    let mut files = demo_files();
    files.categories.push_str("tax,税务问题,Tax,department,tax,10,0\n");
    let e = errors(&files);
    for d in ["HD", "HX", "GX"] {
        assert!(
            e.contains(&format!("categories.csv: line 15 (tax): district {d} has no unit of kind department:tax")),
            "{e}"
        );
    }
}

#[test]
fn malformed_csv() {
    let mut files = demo_files();
    files.units.push_str("U-Y,only two fields\n");
    let e = errors(&files);
    assert!(e.contains("units.csv: line 165: malformed CSV"), "{e}");
    let mut files = demo_files();
    files.categories = "code,name\nx,y\n".into();
    assert!(errors(&files).contains(
        "categories.csv: header must have code,name,name_en,route_level,department_kind,deadline_days,urgent"
    ));
}

#[test]
fn lines_are_the_file_lines_not_record_numbers() {
    // The demo units.csv has 164 lines (CRLF). A blank line (165), a quoted name over two lines
    // (166–167), then a bad row on line 168 and a short one on line 169.
    let mut files = demo_files();
    files
        .units
        .push_str("\r\nU-Q,\"两行\r\n名字\",grid_station,HD010101,1\r\nU-X,x,grid_station,NOWHERE,1\r\nU-Y,short\r\n");
    let e = errors(&files);
    assert!(e.contains("units.csv: line 168 (U-X): unknown region \"NOWHERE\""), "{e}");
    assert!(e.contains("units.csv: line 169: malformed CSV: the row has 2 fields where the header has 5"), "{e}");
    // LF and lone CR end lines too; blank lines at the very start of the rows count.
    let mut files = demo_files();
    let (head, rows) = files.categories.split_once('\n').unwrap();
    files.categories = format!("{head}\n\n\r{rows}\"bad\ncat\",x,X,grid,,0,0\n");
    let e = errors(&files);
    assert!(e.contains("categories.csv: line 17 (bad\ncat): deadline_days must be"), "{e}");
}

#[test]
fn duplicate_unit_codes_are_refused() {
    let mut files = demo_files();
    files.units.push_str("U-HD0101,重复的居委会,community_committee,HD0101,1\r\n");
    let e = errors(&files);
    assert_eq!(
        e,
        "units.csv: line 165 (U-HD0101): code U-HD0101 is already used on line 6; each unit needs its own code"
    );
    // Codes are compared after trimming, as they are stored.
    let mut files = demo_files();
    files.units.push_str(" U-HD0101 ,重复的居委会,community_committee,HD0101,1\r\n");
    assert!(errors(&files).contains("line 165 (U-HD0101): code U-HD0101 is already used on line 6"));
}

#[test]
fn duplicate_category_codes_are_refused() {
    let mut files = demo_files();
    files.categories.push_str("family_dispute,另一个家庭纠纷,Another,grid,,5,1\n");
    let e = errors(&files);
    assert_eq!(
        e,
        "categories.csv: line 15 (family_dispute): code family_dispute is already used on line 3; each category needs its own code"
    );
}

#[test]
fn duplicate_header_columns_are_refused() {
    // A second `code` column (here with other values): which one counts would be a guess.
    let mut files = demo_files();
    files.units = files
        .units
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 0 { format!("{l},code\n") } else { format!("{l},X{i}\n") })
        .collect();
    assert_eq!(errors(&files), "units.csv: the header has more than one \"code\" column; each column must appear once");
    let mut files = demo_files();
    files.categories = files
        .categories
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 0 { format!("{l}, urgent\n") } else { format!("{l},1\n") })
        .collect();
    assert_eq!(
        errors(&files),
        "categories.csv: the header has more than one \"urgent\" column; each column must appear once"
    );
}

async fn duplicate_codes_change_nothing(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    let before = backend::store::regions::all_units(&state.db.pool).await.unwrap();
    let mut bad = demo_files();
    bad.units.push_str("U-HD0101,改名的居委会,community_committee,HD0101,1\r\nD-HD-tax,税务局,department:tax,HD,1\r\n");
    let who = backend::audit::Who::system();
    assert!(matches!(import::import_and_reload(&state, &bad, &who).await, Err(BackendError::Import(_))));
    let after = backend::store::regions::all_units(&state.db.pool).await.unwrap();
    assert_eq!(after.len(), before.len());
    assert_eq!(state.catalog.get().units["U-HD0101"].name, "东关街道和平社区居委会");
    let mut bad = demo_files();
    bad.categories.push_str("family_dispute,另一个家庭纠纷,Another,grid,,5,1\n");
    assert!(matches!(import::import_and_reload(&state, &bad, &who).await, Err(BackendError::Import(_))));
    let c = backend::store::regions::all_categories(&state.db.pool).await.unwrap();
    assert_eq!(c.iter().filter(|c| c.code == "family_dispute").map(|c| c.deadline_days).collect::<Vec<_>>(), [7]);
}
both_engines!(duplicate_codes_change_nothing);

#[test]
fn wrong_encoding() {
    // "河东区" in GBK, as a spreadsheet on a Chinese Windows machine saves it.
    let gbk = vec![0xBA, 0xD3, 0xB6, 0xAB, 0xC7, 0xF8];
    let e = decode_file("units.csv", gbk).unwrap_err();
    assert!(e.starts_with("units.csv: not UTF-8 (byte 0)") && e.contains("GBK"), "{e}");
    // A byte-order mark is fine.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice("code".as_bytes());
    assert_eq!(decode_file("units.csv", bom).unwrap(), "code");
}

#[test]
fn every_problem_at_once() {
    let mut files = with_regions(|fs| feature(fs, "HD01")["properties"]["parent"] = json!("NOPE"));
    files.units.push_str("U-X,x,space_station,HD,1\n");
    let e = errors(&files);
    assert!(e.contains("unknown parent NOPE") && e.contains("unknown kind \"space_station\""), "{e}");
}

async fn bad_data_changes_nothing_and_reimport_updates_in_place(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    let ticket = common::simple_appeal(&state).await;
    let before = backend::store::regions::all_units(&state.db.pool).await.unwrap().len();
    // A bad file: nothing changes, not even the parts that were fine.
    let mut bad = with_regions(|fs| feature(fs, "HD0101")["properties"]["name"] = json!("改名社区"));
    bad.units.push_str("U-X,x,grid_station,NOWHERE,1\n");
    let who = backend::audit::Who::system();
    assert!(matches!(import::import_and_reload(&state, &bad, &who).await, Err(BackendError::Import(_))));
    assert_ne!(state.catalog.get().region("HD0101").unwrap().name, "改名社区");
    // A good re-import renames in place, adds a unit, and keeps the appeal with its unit.
    let mut good = with_regions(|fs| feature(fs, "HD0101")["properties"]["name"] = json!("和平新社区"));
    good.units.push_str("D-HD-tax,河东区税务局,department:tax,HD,0933-8009999\n");
    let r = import::import_and_reload(&state, &good, &who).await.unwrap();
    assert_eq!(r.units, before + 1);
    assert_eq!(backend::store::regions::all_units(&state.db.pool).await.unwrap().len(), before + 1);
    assert_eq!(state.catalog.get().region("HD0101").unwrap().name, "和平新社区");
    assert!(state.catalog.get().units.contains_key("D-HD-tax"));
    let a = backend::store::appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap();
    assert_eq!((a.unit.as_str(), a.scope_path.as_str()), ("U-HD0101", "/SF/HD/HD01/HD0101/"));
    // The import is audited.
    let log = backend::store::audit::recent(&state.db.pool, None, Some("import_regions"), None, 5).await.unwrap();
    assert!(!log.is_empty());
}
both_engines!(bad_data_changes_nothing_and_reimport_updates_in_place);

async fn other_nodes_reload_without_a_window(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    // Another node (or the CLI) imports: this node notices the catalog version and swaps.
    state.catalog.replace_versioned(
        import::load_catalog(&state.db).await.unwrap(),
        backend::store::regions::catalog_version(&state.db.pool).await.unwrap(),
    );
    assert!(!import::reload_if_changed(&state).await.unwrap());
    let moved = with_regions(|fs| feature(fs, "HD010101")["properties"]["name"] = json!("第一网格"));
    import::import_as(&state.db, &moved, &backend::audit::Who::system()).await.unwrap();
    // Lookups keep working while the index is rebuilt and swapped.
    let reader = {
        let handle = state.catalog.clone();
        tokio::spawn(async move {
            let mut ok = 0;
            for _ in 0..2_000 {
                let c = handle.get();
                assert_eq!(c.router.cell_at(GeoPoint { lng: 106.605, lat: 35.485 }), Some("HD010101"));
                ok += 1;
                tokio::task::yield_now().await;
            }
            ok
        })
    };
    assert!(import::reload_if_changed(&state).await.unwrap());
    assert_eq!(reader.await.unwrap(), 2_000);
    assert_eq!(state.catalog.get().region("HD010101").unwrap().name, "第一网格");
}
both_engines!(other_nodes_reload_without_a_window);
