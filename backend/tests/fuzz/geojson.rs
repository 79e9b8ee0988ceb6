//! `regions.geojson` (`backend::services::import`): the bytes of an uploaded file
//! (`decode_file`), a feature's geometry (`parse_geometry`) and whole documents
//! (`catalog_from_files`). On any bytes, any JSON value and any text the answer is the value or
//! the documented error; a generated valid city (cells tiling a rectangle, features in any order,
//! either orientation and starting position, Polygon or MultiPolygon, a byte-order mark, duplicate
//! keys) imports to what was written (coordinates within a unit in the last place: serde_json's
//! default float reading is not always the nearest double), and breaking it in one known way
//! gives exactly that error. Whatever is accepted has closed rings of at least four finite
//! positions in range.

use crate::city::{self, Feature};
use crate::config;
use crate::text::{hostile, short};
use backend::catalog::Catalog;
use backend::services::import::{catalog_from_files, decode_file, parse_geometry};
use domain::fields::GeoPoint;
use domain::routing::Rings;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Number, Value};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// No units: region files of any shape import without unit errors.
const NO_UNITS: &str = "code,name,kind,region,phone\n";

fn import(regions: String) -> Result<Catalog, Vec<String>> {
    catalog_from_files(&city::files(regions, NO_UNITS, city::TERRITORIAL_CATEGORIES))
}

// ------------------------------------------------------------------------------- bytes

const PREFIXES: &[&[u8]] = &[b"", BOM, b"\xEF\xBB\xBF\xEF\xBB\xBF", b"\xEF\xBB", b"\xFE\xFF", b"\xFF\xFE"];
/// GBK (河东区, 网格), Latin-1, truncated, overlong and surrogate sequences, a byte never in UTF-8.
const BAD_BYTES: &[&[u8]] = &[
    b"\xBA\xD3\xB6\xAB\xC7\xF8",
    b"\xCD\xF8\xB8\xF1",
    b"\xE9",
    b"\xE5\xAD",
    b"\xF0\x9F\x98",
    b"\xC0\x80",
    b"\xED\xA0\x80",
    b"\xFF",
];

/// Bytes as uploads arrive: anything; UTF-8 text with byte-order marks (one, two, or a partial
/// one) in front; GBK (河东区, 网格) and Latin-1 bytes inside UTF-8 text; truncated sequences.
fn upload_bytes() -> impl Strategy<Value = Vec<u8>> {
    let prefix = select(PREFIXES);
    let insert = select(BAD_BYTES);
    prop_oneof![
        2 => vec(any::<u8>(), 0..200),
        3 => (prefix, short(), proptest::option::of((insert, any::<prop::sample::Index>())))
            .prop_map(|(prefix, text, bad)| {
                let mut b = text.into_bytes();
                if let Some((bad, at)) = bad {
                    let i = at.index(b.len() + 1);
                    b.splice(i..i, bad.iter().copied());
                }
                [prefix, &b].concat()
            }),
    ]
}

// ------------------------------------------------------------------------- JSON values

/// Numbers of every kind JSON carries: small integers, u64 and i64 extremes, huge and tiny
/// floats, negative zero, and coordinates just outside the ranges.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (-200i64..=200).prop_map(Value::from),
        3 => (-180.0f64..=180.0).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>().prop_filter_map("finite", |v| Number::from_f64(v).map(Value::Number)),
        1 => select(&[f64::MAX, -f64::MAX, 1e308, 5e-324, -0.0, 180.00000000000003, 90.00000000000001, -90.0][..])
            .prop_map(Value::from),
    ]
}

/// Any JSON value, leaning on the names and shapes of GeoJSON so that the parser's every path
/// is reached: nested arrays of numbers, objects with `type` and `coordinates`.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        6 => number(),
        2 => prop_oneof![
            select(&["Polygon", "MultiPolygon", "Point", "polygon", "", "1", "NaN"][..]).prop_map(str::to_owned),
            short(),
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 200, 8, |inner| {
        let key = select(&["type", "coordinates", "code", "features", "geometry", "x"][..]).prop_map(str::to_owned);
        prop_oneof![
            4 => vec(inner.clone(), 0..8).prop_map(Value::Array),
            1 => vec((key, inner), 0..4).prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A geometry object: a type (right, wrong or missing) and coordinates of any shape, mostly
/// arrays of arrays of positions, some of them closed.
fn geometry_value() -> impl Strategy<Value = Value> {
    let position = prop_oneof![
        8 => vec(number(), 2..=3).prop_map(Value::Array),
        1 => vec(number(), 0..2).prop_map(Value::Array),
        1 => any_value(),
    ];
    let ring = (vec(position, 0..8), any::<bool>()).prop_map(|(mut ps, close)| {
        if let (true, Some(first)) = (close, ps.first().cloned()) {
            ps.push(first);
        }
        Value::Array(ps)
    });
    let polygon = prop_oneof![8 => vec(ring, 0..3).prop_map(Value::Array), 1 => any_value()];
    let coordinates = prop_oneof![
        4 => polygon.clone(),
        3 => vec(polygon, 0..3).prop_map(Value::Array),
        1 => any_value(),
    ];
    let kind = prop_oneof![
        4 => select(&["Polygon", "MultiPolygon"][..]).prop_map(|t| Some(json!(t))),
        1 => any_value().prop_map(Some),
        1 => Just(None),
    ];
    (kind, proptest::option::weighted(0.9, coordinates)).prop_map(|(kind, coordinates)| {
        let mut g = Map::new();
        if let Some(k) = kind {
            g.insert("type".into(), k);
        }
        if let Some(c) = coordinates {
            g.insert("coordinates".into(), c);
        }
        Value::Object(g)
    })
}

/// The documented reading of a geometry, written from the function's documentation: a Polygon
/// (one polygon) or MultiPolygon whose every ring is a closed list of at least four positions,
/// each an array starting with two numbers (further members, such as an altitude, ignored).
fn documented(g: &Value) -> Option<Vec<Rings>> {
    let ring = |r: &Value| -> Option<Vec<[f64; 2]>> {
        let ring: Vec<[f64; 2]> = r
            .as_array()?
            .iter()
            .map(|p| match p.as_array()?.as_slice() {
                [x, y, ..] => Some([x.as_f64()?, y.as_f64()?]),
                _ => None,
            })
            .collect::<Option<_>>()?;
        (ring.len() >= 4 && ring.first() == ring.last()).then_some(ring)
    };
    let polygon = |p: &Value| -> Option<Rings> { p.as_array()?.iter().map(ring).collect() };
    let coordinates = g.get("coordinates")?;
    match g.get("type")?.as_str()? {
        "Polygon" => Some(vec![polygon(coordinates)?]),
        "MultiPolygon" => coordinates.as_array()?.iter().map(polygon).collect(),
        _ => None,
    }
}

/// The parser's error messages, without the parts that vary.
fn is_documented_error(e: &str) -> bool {
    let fixed = [
        "a ring is not an array",
        "a position is not [lng, lat]",
        "a position is not two numbers",
        "a ring is not closed (first and last position differ)",
        "polygon coordinates are not an array",
        "geometry has no coordinates",
        "coordinates are not an array",
    ];
    fixed.contains(&e)
        || (e.starts_with("a ring has ") && e.ends_with(" positions; at least 4 are needed"))
        || (e.starts_with("geometry type ") && e.ends_with(" is not Polygon or MultiPolygon"))
}

/// What every accepted geometry is, whatever the input: rings closed, of four or more finite
/// positions. (Whether they are in range and a valid polygon is checked after parsing, by
/// `domain::geometry`; [`accepted_cities_are_finite_and_in_range`] checks the whole import.)
fn assert_rings(polygons: &[Rings]) -> Result<(), TestCaseError> {
    for rings in polygons {
        for ring in rings {
            prop_assert!(ring.len() >= 4, "{:?}", ring);
            prop_assert_eq!(ring.first(), ring.last());
            prop_assert!(ring.iter().all(|p| p[0].is_finite() && p[1].is_finite()), "{:?}", ring);
        }
    }
    Ok(())
}

// ----------------------------------------------------------------------- valid cities

/// A valid city: one city, 1–3 districts each with a street and a community, and the cells of
/// an `n`×`m` grid of squares (0.0001° to 0.5° on a side, anywhere on the map) dealt out to the
/// communities; every ring in either orientation and from any starting position, as a Polygon or
/// a one-polygon MultiPolygon; names of any text; features in any order.
fn valid_city() -> impl Strategy<Value = Vec<Feature>> {
    let origin = (-179.0f64..170.0, -89.0f64..80.0);
    let side = (-4.0f64..-0.3).prop_map(|e| 10f64.powf(e));
    (origin, side, 1usize..=3, 1usize..=4, 1usize..=4, "[A-Za-z][A-Za-z0-9_:-]{0,8}")
        .prop_flat_map(|((x0, y0), side, districts, n, m, prefix)| {
            let cells = n * m;
            (
                vec((any::<bool>(), 0usize..4, any::<bool>(), 0..districts), cells),
                vec((short(), short()), 3 * districts + 1 + cells),
                Just((x0, y0, side, districts, n, prefix)),
            )
                .prop_map(|(shapes, names, (x0, y0, side, districts, n, prefix))| {
                    let code = |s: &str| format!("{prefix}-{s}");
                    let mut fs = vec![Feature::new(&code("C"), "city", None, None)];
                    for d in 0..districts {
                        let (dc, sc, cc) = (code(&format!("D{d}")), code(&format!("S{d}")), code(&format!("K{d}")));
                        fs.push(Feature::new(&dc, "district", Some(&code("C")), None));
                        fs.push(Feature::new(&sc, "street", Some(&dc), None));
                        fs.push(Feature::new(&cc, "community", Some(&sc), None));
                    }
                    for (i, (reverse, start, multi, d)) in shapes.into_iter().enumerate() {
                        let (col, row) = (i % n, i / n);
                        // The same formula for every corner: neighbours share their edges exactly.
                        let at = |c: usize, r: usize| [x0 + side * c as f64, y0 + side * r as f64];
                        let mut ring = vec![at(col, row), at(col + 1, row), at(col + 1, row + 1), at(col, row + 1)];
                        if reverse {
                            ring.reverse();
                        }
                        ring.rotate_left(start);
                        ring.push(ring[0]);
                        let mut f = Feature::new(
                            &code(&format!("G{i}")),
                            "grid",
                            Some(&code(&format!("K{d}"))),
                            Some(vec![vec![ring]]),
                        );
                        f.multi = multi;
                        fs.push(f);
                    }
                    for (f, (name, name_en)) in fs.iter_mut().zip(names) {
                        f.name = name;
                        f.name_en = name_en;
                    }
                    fs
                })
        })
        .prop_shuffle()
}

/// The text of a document as files are written: compact or pretty, and with every feature's
/// properties starting with bogus `code` and `level` keys that the real ones, written later,
/// replace (JSON's duplicate keys: the last one counts).
fn city_text(features: &[Feature], pretty: bool, duplicate_keys: bool) -> String {
    let features: Vec<String> = features
        .iter()
        .map(|f| {
            let props = f.properties().to_string();
            let props = if duplicate_keys {
                format!("{{\"code\": \"BOGUS\", \"level\": \"planet\", {}", &props[1..])
            } else {
                props
            };
            let geometry =
                if pretty { serde_json::to_string_pretty(&f.geometry()).unwrap() } else { f.geometry().to_string() };
            format!("{{\"type\": \"Feature\", \"properties\": {props},\n \"geometry\": {geometry}}}")
        })
        .collect();
    format!("{{\"type\": \"FeatureCollection\", \"features\": [\n{}\n]}}\n", features.join(",\n"))
}

/// The centre of a square cell, strictly inside it.
fn centre(polygons: &[Rings]) -> GeoPoint {
    let ring = &polygons[0][0];
    let (xs, ys): (Vec<f64>, Vec<f64>) = ring.iter().map(|p| (p[0], p[1])).unzip();
    let mid = |v: &[f64]| {
        (v.iter().copied().fold(f64::INFINITY, f64::min) + v.iter().copied().fold(f64::NEG_INFINITY, f64::max)) / 2.0
    };
    GeoPoint { lng: mid(&xs), lat: mid(&ys) }
}

/// One defect put into a valid city.
#[derive(Debug, Clone, Copy)]
enum Defect {
    /// The last position of a cell's ring dropped.
    OpenRing,
    /// A cell's ring cut to three positions.
    ShortRing,
    /// A coordinate replaced by a string, `null`, `true` or an object.
    NotANumber,
    /// A position of one number.
    ShortPosition,
    /// A coordinate set to ±1e308 (a number, but no longitude).
    HugeCoordinate,
    /// A cell given a Point, a LineString or no type.
    WrongType,
    /// A cell without geometry.
    NoGeometry,
    /// A non-grid feature written twice.
    Duplicate,
    /// A feature's level unknown.
    UnknownLevel,
    /// A feature's parent unknown.
    UnknownParent,
}

const DEFECTS: &[Defect] = &[
    Defect::OpenRing,
    Defect::ShortRing,
    Defect::NotANumber,
    Defect::ShortPosition,
    Defect::HugeCoordinate,
    Defect::WrongType,
    Defect::NoGeometry,
    Defect::Duplicate,
    Defect::UnknownLevel,
    Defect::UnknownParent,
];

/// Breaks `features` (as JSON) in the way `defect` says, at the `pick`th eligible feature, and
/// returns the document with the one error the importer must report.
fn break_city(features: &[Feature], defect: Defect, pick: usize, variant: usize) -> (Value, String) {
    let mut doc: Vec<Value> = features.iter().map(Feature::to_json).collect();
    let grid: Vec<usize> = (0..features.len()).filter(|&i| features[i].level == "grid").collect();
    let other: Vec<usize> = (0..features.len()).filter(|&i| features[i].level != "grid").collect();
    let at = |i: usize| format!("regions.geojson: feature {} ({})", i + 1, features[i].code);
    // The exterior ring of a cell, whether written as a Polygon or a MultiPolygon.
    fn ring_of(f: &mut Value) -> &mut Vec<Value> {
        let g = &mut f["geometry"];
        let multi = g["type"] == "MultiPolygon";
        let c = &mut g["coordinates"];
        let polygon = if multi { &mut c[0] } else { c };
        polygon[0].as_array_mut().unwrap()
    }
    let error = match defect {
        Defect::OpenRing => {
            let i = grid[pick % grid.len()];
            ring_of(&mut doc[i]).pop();
            format!("{}: invalid geometry: a ring is not closed (first and last position differ)", at(i))
        }
        Defect::ShortRing => {
            let i = grid[pick % grid.len()];
            ring_of(&mut doc[i]).truncate(3);
            format!("{}: invalid geometry: a ring has 3 positions; at least 4 are needed", at(i))
        }
        Defect::NotANumber => {
            let i = grid[pick % grid.len()];
            let bad =
                [json!("106.0"), Value::Null, json!(true), json!({ "lng": 1 }), json!([1, 2])][variant % 5].clone();
            let ring = ring_of(&mut doc[i]);
            let p = variant % ring.len();
            ring[p][variant % 2] = bad;
            format!("{}: invalid geometry: a position is not two numbers", at(i))
        }
        Defect::ShortPosition => {
            let i = grid[pick % grid.len()];
            let ring = ring_of(&mut doc[i]);
            let p = variant % ring.len();
            ring[p] = if variant.is_multiple_of(3) { json!([]) } else { json!([ring[p][0].clone()]) };
            format!("{}: invalid geometry: a position is not [lng, lat]", at(i))
        }
        Defect::HugeCoordinate => {
            let i = grid[pick % grid.len()];
            let ring = ring_of(&mut doc[i]);
            // The ring stays closed: the closing position moves too.
            let p = variant % (ring.len() - 1);
            let v = if variant.is_multiple_of(2) { 1e308 } else { -1e308 };
            ring[p][0] = json!(v);
            if p == 0 {
                let last = ring.len() - 1;
                ring[last][0] = json!(v);
            }
            format!("{}: invalid geometry: ring 0, position {p}: ", at(i))
        }
        Defect::WrongType => {
            let i = grid[pick % grid.len()];
            let (kind, shown) = [
                (json!("Point"), "Some(\"Point\")"),
                (json!("LineString"), "Some(\"LineString\")"),
                (json!("polygon"), "Some(\"polygon\")"),
                (Value::Null, "None"),
                (json!(7), "None"),
            ][variant % 5]
                .clone();
            doc[i]["geometry"]["type"] = kind;
            format!("{}: invalid geometry: geometry type {shown} is not Polygon or MultiPolygon", at(i))
        }
        Defect::NoGeometry => {
            let i = grid[pick % grid.len()];
            if variant.is_multiple_of(2) {
                doc[i]["geometry"] = Value::Null;
            } else {
                doc[i].as_object_mut().unwrap().remove("geometry");
            }
            format!("{}: a grid cell needs a polygon", at(i))
        }
        Defect::Duplicate => {
            let i = other[pick % other.len()];
            let copy = doc[i].clone();
            let j = variant % (doc.len() + 1);
            doc.insert(j, copy);
            format!("regions.geojson: region {} appears twice", features[i].code)
        }
        Defect::UnknownLevel => {
            let i = other[pick % other.len()];
            let level = ["village", "City", " ", "grid2", "网格"][variant % 5];
            doc[i]["properties"]["level"] = json!(level);
            format!("{}: unknown level {:?} (city, district, street, community or grid)", at(i), level.trim())
        }
        Defect::UnknownParent => {
            let i =
                (0..features.len()).filter(|&i| features[i].parent.is_some()).nth(pick % (features.len() - 1)).unwrap();
            doc[i]["properties"]["parent"] = json!("NOWHERE");
            format!("regions.geojson: region {}: unknown parent NOWHERE", features[i].code)
        }
    };
    (json!({ "type": "FeatureCollection", "features": doc }), error)
}

/// Characters that make up JSON, for text that is almost JSON.
fn jsonish() -> impl Strategy<Value = String> {
    let token = select(
        &[
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"",
            "\"type\"",
            "\"features\"",
            "\"Feature\"",
            "\"geometry\"",
            "\"coordinates\"",
            "\"Polygon\"",
            "\"properties\"",
            "\"code\"",
            "\"level\"",
            "\"grid\"",
            "null",
            "true",
            "1",
            "-0",
            "1e309",
            "-1e400",
            "1e-400",
            "NaN",
            "Infinity",
            "1.7976931348623157e308",
            "123456789012345678901234567890",
            "0x10",
            "\"\\ud800\"",
            "\"\\u0000\"",
            "\u{feff}",
            " ",
            "\n",
        ][..],
    );
    vec(token, 0..60).prop_map(|v| v.concat())
}

/// What a number written in place of a longitude does to the file.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// The file is not JSON.
    NotJson,
    /// The file is JSON; the cell is refused.
    Refused,
    /// The same number as before: the file is accepted.
    Same,
    /// Another number in range: accepted or refused for the cell's shape.
    Either,
}

const NUMBER_TEXTS: &[(&str, Expect)] = &[
    ("1e309", Expect::NotJson),
    ("-1e400", Expect::NotJson),
    ("NaN", Expect::NotJson),
    ("Infinity", Expect::NotJson),
    ("-Infinity", Expect::NotJson),
    ("0x6A", Expect::NotJson),
    ("+106", Expect::NotJson),
    (".5", Expect::NotJson),
    ("1e308", Expect::Refused),
    ("-1.7976931348623157e308", Expect::Refused),
    ("123456789012345678901234567890", Expect::Refused),
    ("18446744073709551616", Expect::Refused),
    ("181", Expect::Refused),
    ("-180.00000000000003", Expect::Refused),
    ("106.0e0", Expect::Same),
    ("1060e-1", Expect::Same),
    ("106.00000000000000000001", Expect::Same),
    ("-0", Expect::Either),
    ("1e-400", Expect::Either),
];

/// The valid tiny city with the text of one longitude 106.0 (the left edge of cell D1G1)
/// replaced by `token`.
fn with_number_text(token: &str, which: usize) -> String {
    let text = city::tiny_regions();
    let spots: Vec<usize> = text.match_indices("[106.0,").map(|(i, _)| i + 1).collect();
    let i = spots[which % spots.len()];
    format!("{}{token}{}", &text[..i], &text[i + "106.0".len()..])
}

proptest! {
    #![proptest_config(config())]

    /// Any bytes: text exactly when they are UTF-8 once one leading byte-order mark is dropped
    /// (and then that text), otherwise the error naming the file and the first bad byte.
    #[test]
    fn bytes_are_utf8_text_or_the_encoding_error(bytes in upload_bytes(), name in select(&["regions.geojson", "units.csv"][..])) {
        let body = bytes.strip_prefix(BOM).unwrap_or(&bytes);
        let expected = std::str::from_utf8(body).map(str::to_owned).map_err(|e| {
            format!("{name}: not UTF-8 (byte {}); save the file as UTF-8 (GBK/GB18030 files must be converted)", e.valid_up_to())
        });
        prop_assert_eq!(decode_file(name, bytes.clone()), expected);
    }

    /// Any geometry value: the documented reading, or one of the documented errors; what is
    /// accepted has closed rings of four or more finite positions.
    #[test]
    fn geometry_is_the_documented_reading_or_its_error(g in prop_oneof![3 => geometry_value(), 1 => any_value()]) {
        match (parse_geometry(&g), documented(&g)) {
            (Ok(got), Some(want)) => {
                assert_rings(&got)?;
                prop_assert_eq!(got, want);
            }
            (Err(e), None) => prop_assert!(is_documented_error(&e), "undocumented error {:?}", e),
            (got, want) => prop_assert!(false, "{:?}: parsed {:?}, documented {:?}", g, got, want),
        }
    }

    /// Any text as `regions.geojson` (arbitrary characters, near-JSON with out-of-range and
    /// non-JSON numbers, lone surrogates): errors, never a panic; text that is not JSON gives the
    /// "not valid JSON" error first, JSON without a `features` array the FeatureCollection error.
    #[test]
    fn any_text_is_read_or_refused_with_the_file_named(text in prop_oneof![hostile(), jsonish()]) {
        let errs = import(text.clone()).err().unwrap_or_default();
        match serde_json::from_str::<Value>(&text) {
            Err(_) => prop_assert!(errs.first().is_some_and(|e| e.starts_with("regions.geojson: not valid JSON: ")), "{:?}", errs),
            Ok(v) if v.get("features").and_then(Value::as_array).is_none() => prop_assert_eq!(
                errs.first().map(String::as_str),
                Some("regions.geojson: not a FeatureCollection (no \"features\" array)")
            ),
            Ok(_) => {}
        }
        for e in &errs {
            prop_assert!(e.starts_with("regions.geojson: "), "{}", e);
        }
    }

    /// Nesting, however deep, is an error and not a stack overflow: the document itself nested
    /// (arrays or objects, up to 100,000 levels), or one cell's coordinates wrapped in extra
    /// arrays. Within serde_json's limit (128 levels) the cell's geometry error or the
    /// FeatureCollection error; past it, invalid JSON.
    #[test]
    fn deep_nesting_is_an_error(depth in prop_oneof![1usize..200, 200usize..100_000], objects in any::<bool>(), in_cell in any::<bool>()) {
        let (text, levels) = if in_cell {
            let head: Vec<String> = city::tiny()[..4].iter().map(|f| f.to_json().to_string()).collect();
            let ring = serde_json::to_string(&[city::square(106.0, 35.0, 0.01)]).unwrap();
            let coordinates = format!("{}{ring}{}", "[".repeat(depth), "]".repeat(depth));
            let cell = format!(
                r#"{{"type":"Feature","properties":{{"code":"D1G9","level":"grid","parent":"D1C"}},"geometry":{{"type":"Polygon","coordinates":{coordinates}}}}}"#
            );
            // Document, features, feature, geometry, then the wrapping and the polygon's three.
            (format!(r#"{{"type":"FeatureCollection","features":[{},{cell}]}}"#, head.join(",")), depth + 7)
        } else {
            let (open, close) = if objects { ("{\"a\":", "}") } else { ("[", "]") };
            (format!("{}1{}", open.repeat(depth), close.repeat(depth)), depth)
        };
        let errs = import(text).err().unwrap_or_default();
        let first = errs.first().map_or("", String::as_str);
        let too_deep = first.starts_with("regions.geojson: not valid JSON: recursion limit exceeded");
        if levels > 129 {
            prop_assert!(too_deep, "{} levels: {}", levels, first);
        } else if levels >= 127 && too_deep {
            // At the limit itself: either answer.
        } else if in_cell {
            prop_assert!(
                first == "regions.geojson: feature 5 (D1G9): invalid geometry: a position is not two numbers"
                    || first == "regions.geojson: feature 5 (D1G9): invalid geometry: a position is not [lng, lat]",
                "{}", first
            );
            prop_assert_eq!(errs.len(), 1, "{:?}", errs);
        } else {
            prop_assert_eq!(first, "regions.geojson: not a FeatureCollection (no \"features\" array)");
        }
    }

    /// Numbers past what JSON's reader takes (1e309, NaN, Infinity, hexadecimal) make the file
    /// invalid JSON; numbers it takes but no map has (1e308, 30 digits, 181) are refused; the
    /// same number written otherwise (106.0e0) is accepted; any accepted file has every cell
    /// finite and in range.
    #[test]
    fn hostile_numbers_in_the_text(case in select(NUMBER_TEXTS), which in any::<usize>()) {
        let (token, expect) = case;
        let text = with_number_text(token, which);
        let got = import(text.clone());
        if let Ok(catalog) = &got {
            assert_cells_in_range(catalog)?;
        }
        match (expect, got) {
            (Expect::NotJson, got) => {
                prop_assert!(serde_json::from_str::<Value>(&text).is_err(), "{} read as JSON", token);
                let errs = got.err().unwrap_or_default();
                prop_assert!(errs.first().is_some_and(|e| e.starts_with("regions.geojson: not valid JSON: ")), "{:?}", errs);
            }
            (Expect::Refused, got) => {
                let errs = got.err().unwrap_or_default();
                prop_assert!(!errs.is_empty() && errs.iter().all(|e| e.starts_with("regions.geojson: feature ")), "{}: {:?}", token, errs);
            }
            (Expect::Same, got) => prop_assert!(got.is_ok(), "{}: {:?}", token, got.err()),
            (Expect::Either, Ok(_)) => {}
            (Expect::Either, Err(errs)) => prop_assert!(errs.iter().all(|e| e.starts_with("regions.geojson: ")), "{:?}", errs),
        }
    }

    /// A valid city, written in any of the ways above and read as an upload (byte-order mark
    /// and all), imports to exactly what was written: every region with its trimmed names, level
    /// and parent, every cell with its rings, and each cell's centre routes to that cell.
    #[test]
    fn valid_cities_import_exactly(features in valid_city(), pretty in any::<bool>(), duplicate_keys in any::<bool>(), bom in any::<bool>()) {
        let text = city_text(&features, pretty, duplicate_keys);
        let bytes = [if bom { BOM } else { b"" }, text.as_bytes()].concat();
        let regions = decode_file("regions.geojson", bytes).unwrap();
        let catalog = match import(regions) {
            Ok(c) => c,
            Err(errs) => return Err(TestCaseError::fail(format!("{errs:#?}"))),
        };
        prop_assert_eq!(catalog.regions.len(), features.len());
        for (r, f) in catalog.regions.iter().zip(&features) {
            prop_assert_eq!(&r.code, &f.code);
            prop_assert_eq!(r.name.as_str(), f.name.trim());
            prop_assert_eq!(r.name_en.as_str(), f.name_en.trim());
            prop_assert_eq!(r.level.as_str(), f.level);
            prop_assert_eq!(&r.parent, &f.parent);
            // serde_json (without its `float_roundtrip` feature) may read a decimal one unit in
            // the last place off the nearest double: equal within that.
            match (catalog.cell_shapes(&f.code), f.polygons.as_deref()) {
                (Some(got), Some(want)) => prop_assert!(same_polygons(got, want), "{:?} read as {:?}", want, got),
                (got, want) => prop_assert_eq!(got, want),
            }
            if let Some(polygons) = &f.polygons {
                prop_assert_eq!(catalog.router.cell_at(centre(polygons)), Some(f.code.as_str()));
            }
        }
        assert_cells_in_range(&catalog)?;
    }

    /// A valid city broken in one known way is refused with exactly that one error.
    #[test]
    fn one_defect_gives_exactly_its_error(features in valid_city(), defect in select(DEFECTS), pick in any::<usize>(), variant in 0usize..1000) {
        let (doc, expected) = break_city(&features, defect, pick, variant);
        let errs = import(doc.to_string()).err().unwrap_or_default();
        match defect {
            // The domain's problems with the polygon: the out-of-range one, maybe others.
            Defect::HugeCoordinate => {
                let feature = &expected[..expected.find(": invalid geometry: ").unwrap()];
                prop_assert!(errs.iter().any(|e| e.starts_with(&expected)), "{:#?}, wanted {}", errs, expected);
                prop_assert!(errs.iter().all(|e| e.starts_with(feature)), "{:#?}", errs);
            }
            _ => prop_assert_eq!(errs, vec![expected]),
        }
    }
}

/// The same polygons, each coordinate within a unit in the last place.
fn same_polygons(a: &[Rings], b: &[Rings]) -> bool {
    let close = |x: f64, y: f64| (x - y).abs() <= f64::EPSILON * x.abs().max(1.0);
    a.len() == b.len()
        && a.iter().zip(b).all(|(ra, rb)| {
            ra.len() == rb.len()
                && ra.iter().zip(rb).all(|(pa, pb)| {
                    pa.len() == pb.len() && pa.iter().zip(pb).all(|(p, q)| close(p[0], q[0]) && close(p[1], q[1]))
                })
        })
}

/// Every cell of an accepted catalog: closed rings of four or more finite positions, within
/// longitude ±180 and latitude ±90.
fn assert_cells_in_range(catalog: &Catalog) -> Result<(), TestCaseError> {
    for r in &catalog.regions {
        if let Some(polygons) = catalog.cell_shapes(&r.code) {
            assert_rings(polygons)?;
            for p in polygons.iter().flatten().flatten() {
                prop_assert!(p[0].abs() <= 180.0 && p[1].abs() <= 90.0, "{} has {:?}", r.code, p);
            }
        }
    }
    Ok(())
}
