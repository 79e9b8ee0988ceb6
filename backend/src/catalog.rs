//! The imported regions, units and categories held in memory, with the routing index built from
//! them and the grid cells' polygons (the public statistics map draws them). Readers take an
//! `Arc` snapshot; a re-import swaps in a new snapshot, so lookups never see a half-built index
//! and never wait for the rebuild.

use domain::fields::GeoPoint;
use domain::region::{Category, Level, Region, Unit};
use domain::routing::{Rings, Router};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub struct Catalog {
    pub router: Router,
    pub regions: Vec<Region>,
    pub units: HashMap<String, Unit>,
    /// In import order (the order residents see them).
    pub categories: Vec<Category>,
    /// (region, kind) → unit code, for walking up the hierarchy in constant time.
    by_region_kind: HashMap<(String, String), String>,
    /// Each grid cell's centroid: where public views put an appeal instead of its exact point.
    cell_centers: HashMap<String, GeoPoint>,
    /// Each grid cell's polygons as imported (the statistics map draws them).
    cell_shapes: HashMap<String, Vec<Rings>>,
    /// Extra questions by category code (issue 13), each list in order; loaded from the database
    /// with the rest (a catalogue built from files alone has none).
    pub questions: HashMap<String, Vec<domain::questions::Question>>,
    /// [`Catalog::paths_key`], worked out on first use.
    paths_key: std::sync::OnceLock<i64>,
}

impl Catalog {
    #[must_use]
    pub fn new(
        regions: Vec<Region>,
        units: Vec<Unit>,
        categories: Vec<Category>,
        cells: Vec<(String, Vec<Rings>)>,
    ) -> Self {
        let cell_centers = cells.iter().filter_map(|(code, polys)| Some((code.clone(), centroid(polys)?))).collect();
        let cell_shapes = cells.iter().map(|(code, polys)| (code.clone(), polys.clone())).collect();
        let router = Router::new(regions.clone(), &units, cells);
        let mut by_region_kind = HashMap::new();
        for u in &units {
            by_region_kind.entry((u.region.clone(), u.kind.clone())).or_insert_with(|| u.code.clone());
        }
        Self {
            router,
            by_region_kind,
            cell_centers,
            cell_shapes,
            regions,
            units: units.into_iter().map(|u| (u.code.clone(), u)).collect(),
            categories,
            questions: HashMap::new(),
            paths_key: std::sync::OnceLock::new(),
        }
    }

    #[must_use]
    pub fn empty() -> Self {
        Self::new(Vec::new(), Vec::new(), Vec::new(), Vec::new())
    }

    #[must_use]
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// A category's extra questions in order; none for a category that asks nothing (or that
    /// does not exist).
    #[must_use]
    pub fn questions(&self, category: &str) -> &[domain::questions::Question] {
        self.questions.get(category.trim()).map_or(&[], Vec::as_slice)
    }

    #[must_use]
    pub fn region(&self, code: &str) -> Option<&Region> {
        self.router.region(code)
    }

    /// The centroid of a grid cell's polygons (holes ignored), or the centre of their bounding box
    /// when they enclose no area; `None` for a cell without geometry.
    #[must_use]
    pub fn cell_center(&self, code: &str) -> Option<GeoPoint> {
        self.cell_centers.get(code).copied()
    }

    /// A grid cell's polygons (each the exterior ring, then holes; points `[lng, lat]`); `None`
    /// for a code that is no cell with geometry.
    #[must_use]
    pub fn cell_shapes(&self, code: &str) -> Option<&[Rings]> {
        self.cell_shapes.get(code).map(Vec::as_slice)
    }

    /// The grid cells in `region`'s subtree (the cell itself when it is one), sorted by code.
    #[must_use]
    pub fn cells_under(&self, region: &str) -> Vec<&Region> {
        let scope = self.region_path(region);
        let mut v: Vec<&Region> = self
            .regions
            .iter()
            .filter(|r| r.level == Level::Grid && self.region_path(&r.code).starts_with(&scope))
            .collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    }

    /// The names of a region and its ancestors from the district down to the community (the
    /// city and the grid cell left out), most general first.
    #[must_use]
    pub fn district_to_community(&self, code: &str) -> Vec<&Region> {
        let mut chain = Vec::new();
        let mut cur = self.region(code);
        while let Some(r) = cur {
            if chain.len() > 16 {
                break;
            }
            if matches!(r.level, Level::District | Level::Street | Level::Community) {
                chain.push(r);
            }
            cur = r.parent.as_deref().and_then(|p| self.region(p));
        }
        chain.reverse();
        chain
    }

    /// The region's path from the city down, `/SF/HD/HD01/`: a centre's scope is a prefix.
    #[must_use]
    pub fn region_path(&self, code: &str) -> String {
        let mut chain = Vec::new();
        let mut cur = self.region(code);
        while let Some(r) = cur {
            if chain.len() > 16 {
                break;
            }
            chain.push(r.code.as_str());
            cur = r.parent.as_deref().and_then(|p| self.region(p));
        }
        chain.reverse();
        if chain.is_empty() {
            return format!("/{code}/");
        }
        format!("/{}/", chain.join("/"))
    }

    /// A fingerprint of the hierarchy the statistics count by: every region's path and every
    /// unit's region path (an appeal counts under the path of the unit that holds it; units not
    /// in the catalog are left out of the counts). Names, categories, questions and phone numbers
    /// do not change it. The same on every node and every build: SHA-256 of a fixed layout.
    /// Worked out once per catalog (a catalog is not changed once it is shared).
    #[must_use]
    pub fn paths_key(&self) -> i64 {
        *self.paths_key.get_or_init(|| self.work_out_paths_key())
    }

    fn work_out_paths_key(&self) -> i64 {
        use sha2::{Digest, Sha256};
        let mut paths: Vec<(u8, &str, String)> =
            self.regions.iter().map(|r| (b'r', r.code.as_str(), self.region_path(&r.code))).collect();
        paths.extend(self.units.keys().map(|u| (b'u', u.as_str(), self.unit_path(u))));
        paths.sort_unstable();
        let mut h = Sha256::new();
        for (kind, code, path) in &paths {
            h.update([*kind, b'\t']);
            h.update(code.as_bytes());
            h.update(b"\t");
            h.update(path.as_bytes());
            h.update(b"\n");
        }
        let digest = h.finalize();
        let mut first = [0_u8; 8];
        first.copy_from_slice(&digest[..8]);
        i64::from_be_bytes(first)
    }

    /// The path of the region a unit belongs to (see [`Catalog::region_path`]).
    #[must_use]
    pub fn unit_path(&self, unit: &str) -> String {
        self.units.get(unit).map_or_else(|| format!("/?{unit}/"), |u| self.region_path(&u.region))
    }

    /// The unit one level above (escalations, extension decisions); `None` at the city centre or
    /// when that unit was never imported.
    #[must_use]
    pub fn parent_unit(&self, unit: &str) -> Option<&Unit> {
        let u = self.units.get(unit)?;
        let (kind, up) = domain::workflow::parent_unit_kind(&u.kind)?;
        let region = if up { self.region(&u.region)?.parent.clone()? } else { u.region.clone() };
        self.units.get(self.by_region_kind.get(&(region, kind.to_owned()))?)
    }

    /// Units whose parent unit is `unit` (what it oversees one level down).
    #[must_use]
    pub fn child_units(&self, unit: &str) -> Vec<&Unit> {
        let mut v: Vec<&Unit> =
            self.units.values().filter(|u| self.parent_unit(&u.code).is_some_and(|p| p.code == unit)).collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    }

    /// Departments of the district a unit's region lies in (whom a centre can summon).
    #[must_use]
    pub fn district_departments(&self, unit: &str) -> Vec<&Unit> {
        let Some(u) = self.units.get(unit) else { return Vec::new() };
        let path = self.region_path(&u.region);
        let district = path.split('/').filter(|s| !s.is_empty()).nth(1).unwrap_or_default().to_owned();
        let mut v: Vec<&Unit> =
            self.units.values().filter(|d| d.kind.starts_with("department:") && d.region == district).collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    }

    /// Whether unit `inner` lies in the subtree of unit `outer`'s region (and is not `outer`).
    #[must_use]
    pub fn unit_below(&self, inner: &str, outer: &str) -> bool {
        inner != outer && self.unit_path(inner).starts_with(&self.unit_path(outer))
    }

    /// All units sorted by code (transfer targets, staff forms).
    #[must_use]
    pub fn units_sorted(&self) -> Vec<&Unit> {
        let mut v: Vec<&Unit> = self.units.values().collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    }

    /// Children of `parent` at `level` (the cascade), sorted by code.
    #[must_use]
    pub fn children(&self, parent: Option<&str>, level: Level) -> Vec<&Region> {
        let mut v: Vec<&Region> = self
            .regions
            .iter()
            .filter(|r| r.level == level && (parent.is_none() || r.parent.as_deref() == parent))
            .collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    }
}

/// Area-weighted centroid of the exterior rings (shoelace formula, positions as `[lng, lat]`);
/// the bounding-box centre when the rings enclose no area. A cell is a few hundred metres
/// across, so treating degrees as a plane is exact enough for a public approximate location.
fn centroid(polys: &[domain::routing::Rings]) -> Option<GeoPoint> {
    let (mut a2, mut cx, mut cy) = (0.0_f64, 0.0_f64, 0.0_f64);
    let mut bbox = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for exterior in polys.iter().filter_map(|p| p.first()) {
        let (mut ra2, mut rx, mut ry) = (0.0_f64, 0.0_f64, 0.0_f64);
        // The closing edge (last → first) is included; on a closed ring it is empty.
        for (i, &[x0, y0]) in exterior.iter().enumerate() {
            let [x1, y1] = exterior[(i + 1) % exterior.len()];
            let cross = x0 * y1 - x1 * y0;
            ra2 += cross;
            rx += (x0 + x1) * cross;
            ry += (y0 + y1) * cross;
            bbox = [bbox[0].min(x0), bbox[1].min(y0), bbox[2].max(x0), bbox[3].max(y0)];
        }
        // Rings may wind either way; each polygon adds its area, not a signed one.
        let sign = if ra2 < 0.0 { -1.0 } else { 1.0 };
        a2 += sign * ra2;
        cx += sign * rx;
        cy += sign * ry;
    }
    let (lat, lng) = if a2 > 1e-12 {
        (cy / (3.0 * a2), cx / (3.0 * a2))
    } else {
        ((bbox[1] + bbox[3]) / 2.0, (bbox[0] + bbox[2]) / 2.0)
    };
    // Six decimals are about 0.1 m: more digits would only pretend to a precision we hide.
    let round = |v: f64| (v * 1e6).round() / 1e6;
    GeoPoint::new(round(lat), round(lng)).ok()
}

#[cfg(test)]
mod tests {
    use super::{centroid, Catalog};
    use domain::region::{Category, Level, Region, Unit};

    /// The statistics' fingerprint of the hierarchy changes with any region's or unit's place in
    /// it, and with nothing else.
    #[test]
    fn the_paths_key_follows_the_hierarchy_only() {
        let region = |code: &str, parent: Option<&str>, level| Region {
            code: code.into(),
            name: code.into(),
            name_en: code.into(),
            level,
            parent: parent.map(Into::into),
        };
        let unit = |code: &str, region: &str| Unit {
            code: code.into(),
            name: code.into(),
            kind: "street_center".into(),
            region: region.into(),
            phone: "12345".into(),
        };
        let regions = || {
            vec![
                region("C", None, Level::City),
                region("D1", Some("C"), Level::District),
                region("D2", Some("C"), Level::District),
                region("S1", Some("D1"), Level::Street),
            ]
        };
        let units = || vec![unit("U-S1", "S1"), unit("U-D2", "D2")];
        let key = |regions, units, categories| Catalog::new(regions, units, categories, Vec::new()).paths_key();
        let base = key(regions(), units(), Vec::new());
        assert_eq!(base, key(regions(), units(), Vec::new()), "the same hierarchy, the same key");
        // Names, phone numbers and categories: the same key.
        let mut renamed = regions();
        renamed[1].name = "another name".into();
        let mut phoned = units();
        phoned[0].phone = "67890".into();
        let cat = Category {
            code: "wages".into(),
            name: "欠薪".into(),
            name_en: "Wages".into(),
            route: domain::region::RouteLevel::Department("labour".into()),
            deadline_days: 5,
            urgent: false,
        };
        assert_eq!(base, key(renamed, phoned, vec![cat]));
        // A street moved to another district, a unit moved to another region, a unit removed:
        // another key each.
        let mut moved = regions();
        moved[3].parent = Some("D2".into());
        assert_ne!(base, key(moved, units(), Vec::new()));
        let mut unit_moved = units();
        unit_moved[0].region = "D1".into();
        assert_ne!(base, key(regions(), unit_moved, Vec::new()));
        assert_ne!(base, key(regions(), units()[..1].to_vec(), Vec::new()));
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn centroid_of_squares_and_triangles_either_way_round() {
        let square = vec![vec![[106.0, 35.0], [106.2, 35.0], [106.2, 35.2], [106.0, 35.2], [106.0, 35.0]]];
        let c = centroid(std::slice::from_ref(&square)).unwrap();
        assert!(close(c.lng, 106.1) && close(c.lat, 35.1), "{c:?}");
        // Clockwise and unclosed: the same centroid.
        let cw = vec![vec![[106.0, 35.0], [106.0, 35.2], [106.2, 35.2], [106.2, 35.0]]];
        let c = centroid(&[cw]).unwrap();
        assert!(close(c.lng, 106.1) && close(c.lat, 35.1), "{c:?}");
        // A right triangle's centroid is the mean of its corners.
        let tri = vec![vec![[0.0, 0.0], [3.0, 0.0], [0.0, 3.0], [0.0, 0.0]]];
        let c = centroid(&[tri]).unwrap();
        assert!(close(c.lng, 1.0) && close(c.lat, 1.0), "{c:?}");
        // Two equal squares: halfway between them.
        let right = vec![vec![[106.4, 35.0], [106.6, 35.0], [106.6, 35.2], [106.4, 35.2], [106.4, 35.0]]];
        let c = centroid(&[square, right]).unwrap();
        assert!(close(c.lng, 106.3) && close(c.lat, 35.1), "{c:?}");
    }

    #[test]
    fn degenerate_rings_fall_back_to_the_box_centre_and_empty_is_none() {
        let line = vec![vec![[1.0, 1.0], [3.0, 5.0], [1.0, 1.0]]];
        let c = centroid(&[line]).unwrap();
        assert!(close(c.lng, 2.0) && close(c.lat, 3.0), "{c:?}");
        assert!(centroid(&[]).is_none());
    }
}

/// Shared, swappable catalog, with the database's catalog version it was loaded at.
#[derive(Clone)]
pub struct CatalogHandle(Arc<RwLock<Arc<Catalog>>>, Arc<std::sync::atomic::AtomicI64>);

impl CatalogHandle {
    #[must_use]
    pub fn new(c: Catalog) -> Self {
        Self(Arc::new(RwLock::new(Arc::new(c))), Arc::new(std::sync::atomic::AtomicI64::new(-1)))
    }
    /// The catalog version this snapshot was loaded at (-1 before the first versioned load).
    #[must_use]
    pub fn version(&self) -> i64 {
        self.1.load(std::sync::atomic::Ordering::SeqCst)
    }
    pub fn replace_versioned(&self, c: Catalog, version: i64) {
        self.replace(c);
        self.1.store(version, std::sync::atomic::Ordering::SeqCst);
    }
    /// The current snapshot.
    #[must_use]
    pub fn get(&self) -> Arc<Catalog> {
        match self.0.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
    pub fn replace(&self, c: Catalog) {
        let new = Arc::new(c);
        match self.0.write() {
            Ok(mut g) => *g = new,
            Err(poisoned) => *poisoned.into_inner() = new,
        }
    }
}
