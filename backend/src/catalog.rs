//! The imported regions, units and categories held in memory, with the routing index built from
//! them. Readers take an `Arc` snapshot; a re-import swaps in a new snapshot, so lookups never
//! see a half-built index and never wait for the rebuild.

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
}

impl Catalog {
    #[must_use]
    pub fn new(
        regions: Vec<Region>,
        units: Vec<Unit>,
        categories: Vec<Category>,
        cells: Vec<(String, Vec<Rings>)>,
    ) -> Self {
        let router = Router::new(regions.clone(), &units, cells);
        Self {
            router,
            regions,
            units: units.into_iter().map(|u| (u.code.clone(), u)).collect(),
            categories,
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

    #[must_use]
    pub fn region(&self, code: &str) -> Option<&Region> {
        self.router.region(code)
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

/// Shared, swappable catalog.
#[derive(Clone)]
pub struct CatalogHandle(Arc<RwLock<Arc<Catalog>>>);

impl CatalogHandle {
    #[must_use]
    pub fn new(c: Catalog) -> Self {
        Self(Arc::new(RwLock::new(Arc::new(c))))
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
