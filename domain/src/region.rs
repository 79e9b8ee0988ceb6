//! The grid hierarchy (city → district → street → community → grid cell), handling units and
//! appeal categories, as imported from the region data.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    City,
    District,
    Street,
    Community,
    Grid,
}

impl Level {
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "city" => Self::City,
            "district" => Self::District,
            "street" => Self::Street,
            "community" => Self::Community,
            "grid" => Self::Grid,
            _ => return None,
        })
    }
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::City => "city",
            Self::District => "district",
            Self::Street => "street",
            Self::Community => "community",
            Self::Grid => "grid",
        }
    }
}

/// Where a category's appeals are handled (属地 levels, or 属事 by a district department).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteLevel {
    Territorial(Level),
    Department(String),
}

impl RouteLevel {
    /// `route_level` and `department_kind` columns of categories.csv.
    #[must_use]
    pub fn parse(route_level: &str, department_kind: &str) -> Option<Self> {
        match route_level {
            "department" if !department_kind.trim().is_empty() => {
                Some(Self::Department(department_kind.trim().to_owned()))
            }
            "grid" | "community" | "street" | "district" => Level::parse(route_level).map(Self::Territorial),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub level: Level,
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub code: String,
    pub name: String,
    /// `grid_station`, `community_committee`, `street_center`, `district_center`, `city_center`
    /// or `department:<kind>`.
    pub kind: String,
    pub region: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub route: RouteLevel,
    pub deadline_days: u32,
    pub urgent: bool,
}

/// The unit kind that handles a territorial level.
#[must_use]
pub fn territorial_unit_kind(level: Level) -> &'static str {
    match level {
        Level::City => "city_center",
        Level::District => "district_center",
        Level::Street => "street_center",
        Level::Community => "community_committee",
        Level::Grid => "grid_station",
    }
}

/// A name in the reader's language, falling back to Chinese when no English name was imported.
#[must_use]
pub fn localized<'a>(lang: crate::Lang, zh: &'a str, en: &'a str) -> &'a str {
    if lang == crate::Lang::En && !en.is_empty() {
        en
    } else {
        zh
    }
}
