//! Province scale for the region import and the routing index rebuilt from the database:
//! `cargo bench -p pingan-backend --bench province` (release). Prints figures; asserts nothing
//! about time (the machine decides that), only that the data went in and comes back whole.
//!
//! The province: a 316 × 317 lattice of jittered vertices → 100,172 irregular quadrilateral grid
//! cells sharing edges, in 64 districts, 1,024 streets and 4,096 communities, with their units
//! and one category per route level.

use backend::audit::Who;
use backend::db::Db;
use backend::services::import::{self, ImportFiles};
use domain::fields::GeoPoint;
use std::fmt::Write as _;
use std::time::Instant;

const NX: usize = 316;
const NY: usize = 317;
const LNG: [f64; 2] = [100.0, 110.0];
const LAT: [f64; 2] = [30.0, 38.0];

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn files() -> (ImportFiles, usize) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (dx, dy) = ((LNG[1] - LNG[0]) / NX as f64, (LAT[1] - LAT[0]) / NY as f64);
    let mut v = vec![vec![[0.0f64; 2]; NY + 1]; NX + 1];
    for (i, col) in v.iter_mut().enumerate() {
        for (j, p) in col.iter_mut().enumerate() {
            let jx = if i == 0 || i == NX { 0.0 } else { (rng.unit() - 0.5) * 0.5 };
            let jy = if j == 0 || j == NY { 0.0 } else { (rng.unit() - 0.5) * 0.5 };
            *p = [LNG[0] + (i as f64 + jx) * dx, LAT[0] + (j as f64 + jy) * dy];
        }
    }
    let mut geo = String::from(r#"{"type":"FeatureCollection","features":["#);
    let mut units = String::from("code,name,kind,region,phone\nU-C,省指挥中心,city_center,C,0\n");
    let mut first = true;
    let mut feature = |geo: &mut String, code: &str, level: &str, parent: &str, geometry: &str| {
        if !first {
            geo.push(',');
        }
        first = false;
        let _ = write!(
            geo,
            r#"{{"type":"Feature","properties":{{"code":"{code}","name":"{code}","level":"{level}","parent":"{parent}"}},"geometry":{geometry}}}"#
        );
    };
    feature(&mut geo, "C", "city", "", "null");
    let mut seen = std::collections::HashSet::new();
    let mut cells = 0;
    for i in 0..NX {
        for j in 0..NY {
            let d = format!("D{}{}", i / 40, j / 40);
            let s = format!("S{:02}{:02}", i / 10, j / 10);
            let m = format!("M{:02}{:02}", i / 5, j / 5);
            if seen.insert(d.clone()) {
                feature(&mut geo, &d, "district", "C", "null");
                let _ = writeln!(units, "U-{d},{d},district_center,{d},0\nU-{d}-hrss,{d}人社局,department:hrss,{d},0");
            }
            if seen.insert(s.clone()) {
                feature(&mut geo, &s, "street", &d, "null");
                let _ = writeln!(units, "U-{s},{s},street_center,{s},0");
            }
            if seen.insert(m.clone()) {
                feature(&mut geo, &m, "community", &s, "null");
                let _ = writeln!(units, "U-{m},{m},community_committee,{m},0");
            }
            let (a, b, c, e) = (v[i][j], v[i + 1][j], v[i + 1][j + 1], v[i][j + 1]);
            let ring =
                [a, b, c, e, a].iter().map(|p| format!("[{:.6},{:.6}]", p[0], p[1])).collect::<Vec<_>>().join(",");
            let g = format!("G{i:03}{j:03}");
            feature(&mut geo, &g, "grid", &m, &format!(r#"{{"type":"Polygon","coordinates":[[{ring}]]}}"#));
            let _ = writeln!(units, "U-{g},{g},grid_station,{g},0");
            cells += 1;
        }
    }
    geo.push_str("]}");
    let categories = "code,name,name_en,route_level,department_kind,deadline_days,urgent\n\
        neighbor_dispute,邻里纠纷,Neighbour dispute,grid,,7,0\n\
        sanitation,环境卫生,Sanitation,community,,5,0\n\
        suggestion,意见建议,Suggestion,street,,15,0\n\
        land,征地拆迁,Land,district,,15,0\n\
        wage_arrears,劳资欠薪,Unpaid wages,department,hrss,10,0\n"
        .to_owned();
    (ImportFiles { regions: geo, units, categories }, cells)
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let t = Instant::now();
        let (files, cells) = files();
        println!(
            "province: {cells} grid cells; files {:.1} MB regions.geojson, {:.1} MB units.csv (generated in {:.2} s)",
            files.regions.len() as f64 / 1e6,
            files.units.len() as f64 / 1e6,
            secs(t)
        );
        let t = Instant::now();
        let catalog = import::catalog_from_files(&files).expect("a valid province");
        println!("check every file (parse, polygons, overlaps, hierarchy) + build the index: {:.2} s", secs(t));
        assert_eq!(catalog.router.cell_count(), cells);

        let dir = std::env::temp_dir().join(format!("pingan-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let db =
            Db::connect(&format!("sqlite://{}?mode=rwc", dir.join("province.db").display())).await.expect("sqlite");
        db.migrate().await.expect("migrate");
        let t = Instant::now();
        let r = import::import_as(&db, &files, &Who::system()).await.expect("import");
        println!("import into SQLite, one transaction ({} regions, {} units): {:.2} s", r.regions, r.units, secs(t));
        let t = Instant::now();
        let again = import::import_as(&db, &files, &Who::system()).await.expect("re-import");
        println!("re-import in place (same files): {:.2} s", secs(t));
        assert_eq!(again, r);
        let t = Instant::now();
        let loaded = import::load_catalog(&db).await.expect("load");
        println!("rebuild the routing index from the database: {:.2} s", secs(t));
        assert_eq!(loaded.router.cell_count(), cells);
        let p = GeoPoint { lng: 105.0, lat: 34.0 };
        assert_eq!(loaded.router.cell_at(p), catalog.router.cell_at(p));
        let _ = std::fs::remove_dir_all(dir);
    });
}
