//! Property-based fuzzing (proptest) of the backend's parsers of outside input: the region
//! import's `regions.geojson` (`geojson`), its `units.csv` and `categories.csv` (`csv`), and the
//! Open311 request parameters (`open311`). Inputs are arbitrary bytes and text and structurally
//! generated files and parameter sets with hostile parts (huge and non-finite numbers, unclosed
//! rings, deep nesting, byte-order marks, quotes and newlines inside CSV fields, duplicate keys
//! and columns, invalid UTF-8); each property states what the parser promises — the value, or
//! the specific error — not only that it does not panic. The domain's own parsers have their own
//! run (`pingan-domain --test fuzz`).
//!
//! Number of cases per property: `PINGAN_FUZZ_CASES`, default 256 so that the ordinary test run
//! stays short. The long run:
//!
//! ```text
//! PINGAN_FUZZ_CASES=20000 PINGAN_TEST_SKIP_PG=1 cargo test -p pingan-backend --test fuzz
//! ```
//!
//! The Open311 properties run against a real SQLite database with the demo city (a file in the
//! temporary directory, removed afterwards); they need no PostgreSQL. Failures are not persisted
//! (`failure_persistence: None`), as in the domain's run: a failing input found here becomes a
//! named example test next to the parser it breaks.

#![allow(clippy::unwrap_used)] // a panic in a test is its failure report

mod csv_files;
mod geojson;
mod open311;

use proptest::prelude::*;

/// Cases per property when `PINGAN_FUZZ_CASES` is not set.
const DEFAULT_CASES: u32 = 256;

/// The number of cases per property: `PINGAN_FUZZ_CASES`, or [`DEFAULT_CASES`]. A value that is
/// not a positive number stops the run rather than silently running the short default.
fn cases() -> u32 {
    match std::env::var("PINGAN_FUZZ_CASES") {
        Err(_) => DEFAULT_CASES,
        Ok(v) => v
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .unwrap_or_else(|| panic!("PINGAN_FUZZ_CASES must be a positive whole number, not {v:?}")),
    }
}

/// The configuration of every property here.
fn config() -> ProptestConfig {
    ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() }
}

/// Strategies for hostile text, shared by the modules.
mod text {
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::select;

    /// Markup, injection attempts, CSV and JSON syntax, invisible and direction-changing
    /// characters, byte-order marks, escapes and text in the portal's own script.
    pub const FRAGMENTS: &[&str] = &[
        "</textarea><script>alert(1)</script>",
        "'; DROP TABLE appeals; --",
        "\"",
        "\"\"",
        ",",
        ",,",
        "\"a,b\"",
        "\"unclosed",
        "\r\n",
        "\n",
        "\r",
        "\u{feff}",
        "\u{202e}",
        "\u{200b}",
        "\u{3000}",
        "\u{85}",
        "\u{2028}",
        "\0",
        "\u{1b}[31m",
        "{",
        "}",
        "[",
        "]",
        "[[[[",
        "]]]]",
        ":",
        "\\u0000",
        "\\ud800",
        "%ff%fe",
        "e\u{301}",
        "😀",
        "楼道里堆满杂物",
        "王阿姨",
        "HD0101",
        "department:hrss",
        "1e308",
        "NaN",
        "-0",
    ];

    /// Whitespace and control characters as they pad copied text.
    pub const PADDING: &[&str] = &[" ", "\t", "\u{3000}", "\u{a0}", "\u{1f}", "\u{85}"];

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => any::<char>().prop_map(String::from),
            3 => select(FRAGMENTS).prop_map(str::to_owned),
            2 => "[a-zA-Z0-9 _:-]{1,8}",
            1 => select(PADDING).prop_map(str::to_owned),
        ]
    }

    /// Short hostile text: a few dozen pieces.
    pub fn short() -> impl Strategy<Value = String> {
        vec(piece(), 0..24).prop_map(|v| v.concat())
    }

    /// Hostile text, sometimes one piece repeated into a long value (up to 100,000 units).
    pub fn hostile() -> impl Strategy<Value = String> {
        prop_oneof![
            8 => short(),
            1 => (piece(), 100usize..5000).prop_map(|(p, n)| p.repeat(n)),
            1 => (select(&["a", "字", "😀", ","][..]), 20_000usize..100_000).prop_map(|(p, n)| p.repeat(n)),
        ]
    }

    /// Text of at least one character that is not whitespace, without the characters a CSV
    /// writer must quote, for values that must survive unchanged.
    pub fn word() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9_\\-\u{4e00}-\u{4e50}]{1,12}"
    }
}

/// A small, valid city to import, and the pieces to build files around it.
mod city {
    use backend::services::import::ImportFiles;
    use domain::routing::Rings;
    use serde_json::{json, Value};

    /// One feature of `regions.geojson`.
    #[derive(Debug, Clone)]
    pub struct Feature {
        pub code: String,
        pub name: String,
        pub name_en: String,
        pub level: &'static str,
        pub parent: Option<String>,
        /// The polygons, each its exterior then holes; `None` for no geometry.
        pub polygons: Option<Vec<Rings>>,
        /// Written as a MultiPolygon even when there is one polygon.
        pub multi: bool,
    }

    impl Feature {
        pub fn new(code: &str, level: &'static str, parent: Option<&str>, polygons: Option<Vec<Rings>>) -> Self {
            Self {
                code: code.to_owned(),
                name: format!("{code} 名"),
                name_en: format!("{code} name"),
                level,
                parent: parent.map(str::to_owned),
                polygons,
                multi: false,
            }
        }

        pub fn geometry(&self) -> Value {
            match &self.polygons {
                None => Value::Null,
                Some(p) if p.len() == 1 && !self.multi => json!({ "type": "Polygon", "coordinates": p[0] }),
                Some(p) => json!({ "type": "MultiPolygon", "coordinates": p }),
            }
        }

        pub fn properties(&self) -> Value {
            let mut props =
                json!({ "code": self.code, "name": self.name, "name_en": self.name_en, "level": self.level });
            if let Some(parent) = &self.parent {
                props["parent"] = json!(parent);
            }
            props
        }

        pub fn to_json(&self) -> Value {
            json!({ "type": "Feature", "properties": self.properties(), "geometry": self.geometry() })
        }
    }

    /// A FeatureCollection of `features`.
    pub fn document(features: &[Feature]) -> Value {
        json!({ "type": "FeatureCollection", "features": features.iter().map(Feature::to_json).collect::<Vec<_>>() })
    }

    /// The closed square with its lower left corner at (`x`, `y`), counter-clockwise.
    pub fn square(x: f64, y: f64, side: f64) -> Vec<[f64; 2]> {
        vec![[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]
    }

    /// City SF; districts D1 and D2, each with one street, one community and grid cells (two in
    /// D1, one in D2), side by side in a row of 0.01° squares.
    pub fn tiny() -> Vec<Feature> {
        let cell = |i: u32| Some(vec![vec![square(106.0 + 0.01 * f64::from(i), 35.0, 0.01)]]);
        vec![
            Feature::new("SF", "city", None, None),
            Feature::new("D1", "district", Some("SF"), None),
            Feature::new("D1S", "street", Some("D1"), None),
            Feature::new("D1C", "community", Some("D1S"), None),
            Feature::new("D1G1", "grid", Some("D1C"), cell(0)),
            Feature::new("D1G2", "grid", Some("D1C"), cell(1)),
            Feature::new("D2", "district", Some("SF"), None),
            Feature::new("D2S", "street", Some("D2"), None),
            Feature::new("D2C", "community", Some("D2S"), None),
            Feature::new("D2G1", "grid", Some("D2C"), cell(2)),
        ]
    }

    /// The region codes of [`tiny`].
    pub const TINY_REGIONS: &[&str] = &["SF", "D1", "D1S", "D1C", "D1G1", "D1G2", "D2", "D2S", "D2C", "D2G1"];

    /// Department kinds [`TINY_UNITS`] has in both districts.
    pub const TINY_DEPARTMENTS: &[&str] = &["hrss", "market"];

    /// Valid units of [`tiny`]: a centre per level, a station per cell and two departments per
    /// district.
    pub const TINY_UNITS: &str = "code,name,kind,region,phone\n\
        U-SF,市中心,city_center,SF,0933-1\n\
        U-D1,一区中心,district_center,D1,\n\
        U-D2,二区中心,district_center,D2,\n\
        U-D1S,街道,street_center,D1S,\n\
        U-D2S,街道,street_center,D2S,\n\
        U-D1C,社区,community_committee,D1C,\n\
        U-D2C,社区,community_committee,D2C,\n\
        U-D1G1,站,grid_station,D1G1,\n\
        U-D1G2,站,grid_station,D1G2,\n\
        U-D2G1,站,grid_station,D2G1,\n\
        D-D1-hrss,人社,department:hrss,D1,\n\
        D-D2-hrss,人社,department:hrss,D2,\n\
        D-D1-market,市场,department:market,D1,\n\
        D-D2-market,市场,department:market,D2,\n";

    /// Valid categories of [`tiny`].
    pub const TINY_CATEGORIES: &str = "code,name,name_en,route_level,department_kind,deadline_days,urgent\n\
        neighbor_dispute,邻里纠纷,Neighbour dispute,grid,,7,0\n\
        wage_arrears,欠薪,Wage arrears,department,hrss,15,1\n";

    /// Categories that need no department, for region files of any shape.
    pub const TERRITORIAL_CATEGORIES: &str =
        "code,name,name_en,route_level,department_kind,deadline_days,urgent\nneighbor_dispute,邻里纠纷,Neighbour dispute,grid,,7,0\n";

    pub fn files(regions: String, units: &str, categories: &str) -> ImportFiles {
        ImportFiles { regions, units: units.to_owned(), categories: categories.to_owned() }
    }

    /// The tiny city's regions as text (made once).
    pub fn tiny_regions() -> String {
        static TEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| document(&tiny()).to_string());
        TEXT.clone()
    }
}

/// The fixture itself: the tiny city, its units and categories import cleanly.
#[test]
fn the_tiny_city_imports() {
    let files = city::files(city::tiny_regions(), city::TINY_UNITS, city::TINY_CATEGORIES);
    let catalog = backend::services::import::catalog_from_files(&files).unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!((catalog.regions.len(), catalog.units.len(), catalog.categories.len()), (10, 14, 2));
}
