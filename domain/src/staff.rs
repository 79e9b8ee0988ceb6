//! What the staff workspace shows, as plain data: built by the backend's services, rendered by
//! the pages, and serialisable so the same types cross the server-function boundary.

use crate::events::{EventDetail, EventKind};
use crate::sla::Urgency;
use crate::workflow::{Action, Role, Status};
use serde::{Deserialize, Serialize};

/// Who is signed in, for the page frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffHeader {
    pub username: String,
    pub display_name: String,
    pub unit: String,
    pub unit_name: String,
    pub role: Role,
    /// The CSRF token every form of the page must carry.
    pub csrf: String,
}

/// A message kept in the session across a post/redirect/get: the errors and typed values of a
/// form sent back, or a notice of success, or a contact just revealed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    /// Which form the errors belong to (e.g. `reply`).
    pub form: String,
    pub errors: Vec<crate::FieldError>,
    pub values: Vec<(String, String)>,
    pub notice: Option<crate::Msg>,
    pub problem: Option<crate::Msg>,
    pub revealed: Option<(String, String)>,
}

impl Flash {
    #[must_use]
    pub fn value(&self, key: &str) -> String {
        self.values.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
    }
    #[must_use]
    pub fn errors_for(&self, form: &str) -> Vec<crate::FieldError> {
        if self.form == form {
            self.errors.clone()
        } else {
            Vec::new()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionItem {
    pub id: String,
    pub days: i64,
    pub reason: String,
    pub requested_at: i64,
    pub decision: Option<String>,
    pub decided_at: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeItem {
    pub cycle: i64,
    pub deadline: String,
    pub stage: String,
    pub fired_at: i64,
}

/// The inbox filters as posted (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxFilter {
    pub status: String,
    pub category: String,
    pub urgent: bool,
    pub due: String,
    pub page: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    pub ticket: String,
    pub category: String,
    pub status: Status,
    pub unit: String,
    pub unit_name: String,
    pub urgent: bool,
    pub submitted_at: i64,
    /// The deadline that matters now: signing for it while assigned, else resolving it.
    pub due_at: i64,
    pub urgency: Urgency,
    pub supervised: bool,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub items: Vec<InboxItem>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub counts: Vec<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventItem {
    pub id: i64,
    pub at: i64,
    pub kind: EventKind,
    pub actor_name: Option<String>,
    pub unit: Option<String>,
    pub unit_name: Option<String>,
    pub public: bool,
    pub body: Option<String>,
    pub detail: Option<EventDetail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoHandlerItem {
    pub unit: String,
    pub unit_name: String,
    pub summoned_at: i64,
    pub reported_at: Option<i64>,
    pub report: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitOption {
    pub code: String,
    pub name: String,
}

/// An appeal as staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppealPage {
    pub ticket: String,
    pub category: String,
    pub category_name: (String, String),
    pub description: String,
    pub status: Status,
    pub unit: String,
    pub unit_name: String,
    pub route_reason: String,
    pub submitted_at: i64,
    pub sign_by_at: i64,
    pub deadline_at: i64,
    pub clock_start_at: i64,
    pub urgency: Urgency,
    pub urgent: bool,
    pub supervised: bool,
    pub cycle: i64,
    pub place: Vec<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub address_note: Option<String>,
    pub anonymous: bool,
    /// Masked: `138****1234`; the name is shown as its first character and `*`.
    pub contact_masked: Option<(String, String)>,
    pub resolution: Option<String>,
    pub photo_ids: Vec<String>,
    pub events: Vec<EventItem>,
    pub cohandlers: Vec<CoHandlerItem>,
    pub extensions: Vec<ExtensionItem>,
    pub notices: Vec<NoticeItem>,
    /// Actions this person may take now.
    pub actions: Vec<Action>,
    /// Where a transfer may go; whom a summons may call.
    pub transfer_targets: Vec<UnitOption>,
    pub summon_targets: Vec<UnitOption>,
    pub parent_unit: Option<UnitOption>,
}
