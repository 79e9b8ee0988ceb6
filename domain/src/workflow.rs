//! The appeal lifecycle: statuses, staff roles, the actions staff take, and the two questions
//! every action must pass — *may this person do it* (role × how their unit stands to the appeal)
//! and *may it be done now* (the appeal's status). Pure rules: the backend loads the facts and
//! asks here, so the same table is unit-tested without a database and enforced in the services.
//!
//! How a unit stands to an appeal ([`Relation`]):
//! - **handles**: the appeal is assigned to the actor's unit;
//! - **oversees**: the actor is a centre dispatcher and the appeal's unit lies strictly below the
//!   centre's region (its subtree);
//! - **co-handles**: the actor's unit was summoned as a co-handler (吹哨报到);
//! - **parent**: the actor's unit is the unit one level above the appeal's unit (the one that
//!   takes an escalation and decides on an extension).

use serde::{Deserialize, Serialize};

/// Where an appeal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    /// With a unit that has not signed for it yet (待签收).
    Assigned,
    /// Signed for and being handled (办理中).
    InProgress,
    /// The unit asked the resident for more information (待补充).
    AwaitingInfo,
    /// Handled, with a resolution summary (已办结).
    Closed,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Assigned, Status::InProgress, Status::AwaitingInfo, Status::Closed];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assigned => "assigned",
            Self::InProgress => "in_progress",
            Self::AwaitingInfo => "awaiting_info",
            Self::Closed => "closed",
        }
    }
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// Open means someone still owes the resident an answer.
    #[must_use]
    pub fn is_open(self) -> bool {
        self != Self::Closed
    }
}

/// Reading a stored status (the database keeps `as_str`).
impl TryFrom<String> for Status {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).ok_or_else(|| format!("unknown appeal status {s:?}"))
    }
}

/// What a staff member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Works at a grid station (网格员).
    GridWorker,
    /// Handles the appeals of one unit: a community committee or a department.
    UnitHandler,
    /// Dispatches at a street, district or city centre: sees the centre's whole subtree.
    Dispatcher,
    /// Configuration, staff, imports. Reads appeals (audited), takes no workflow action.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::GridWorker, Role::UnitHandler, Role::Dispatcher, Role::Admin];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GridWorker => "grid_worker",
            Self::UnitHandler => "unit_handler",
            Self::Dispatcher => "dispatcher",
            Self::Admin => "admin",
        }
    }
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }
    /// Whether a member of this role can belong to a unit of `kind` (units.csv `kind`).
    #[must_use]
    pub fn fits_unit_kind(self, kind: &str) -> bool {
        match self {
            Self::GridWorker => kind == "grid_station",
            Self::UnitHandler => kind == "community_committee" || kind.starts_with("department:"),
            Self::Dispatcher => kind.ends_with("_center"),
            Self::Admin => true,
        }
    }
}

/// Everything staff can do to an appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Action {
    View,
    /// 签收.
    Sign,
    /// A public reply the resident sees.
    Reply,
    /// An internal note only staff see.
    Note,
    /// Ask the resident for more information (answered on the track page).
    RequestInfo,
    /// Hand it to another unit, with a reason; the clock keeps running.
    Transfer,
    /// Send it to the parent level, with a reason (上报).
    Escalate,
    /// A centre summons departments as co-handlers (吹哨).
    Summon,
    /// A summoned department reports back (报到).
    ReportBack,
    /// 办结, with a resolution summary.
    Close,
    Reopen,
    /// Show the resident's unmasked contact, with a reason.
    RevealContact,
    /// Ask the parent unit for more time, with a reason.
    RequestExtension,
    /// The parent unit approves or refuses an extension.
    DecideExtension,
    /// An overseer sends the handling unit a notice by hand (提示/预警/督办/交办/警示).
    IssueNotice,
    /// The handling unit answers a notice sent to it.
    AnswerNotice,
    /// An overseer names a leader in charge (领导包案), who then alone may close the appeal.
    NameOwner,
    /// An overseer removes the leader in charge (the handling unit closes again).
    UnnameOwner,
    /// The summoning unit rates a department's report back (issue 13).
    RateReport,
    /// Merge this appeal, a duplicate, into a main appeal on the same matter (issue 13): it
    /// follows that one from then on. Both must be in the actor's scope (the use case checks the
    /// other one).
    Merge,
    /// Undo a merge: the appeal is handled on its own again.
    Unmerge,
    /// Link two related appeals (both ways, no effect on either's handling).
    Link,
}

impl Action {
    pub const ALL: [Action; 22] = [
        Action::View,
        Action::Sign,
        Action::Reply,
        Action::Note,
        Action::RequestInfo,
        Action::Transfer,
        Action::Escalate,
        Action::Summon,
        Action::ReportBack,
        Action::Close,
        Action::Reopen,
        Action::RevealContact,
        Action::RequestExtension,
        Action::DecideExtension,
        Action::IssueNotice,
        Action::AnswerNotice,
        Action::NameOwner,
        Action::UnnameOwner,
        Action::RateReport,
        Action::Merge,
        Action::Unmerge,
        Action::Link,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::View => "view",
            Self::Sign => "sign",
            Self::Reply => "reply",
            Self::Note => "note",
            Self::RequestInfo => "request_info",
            Self::Transfer => "transfer",
            Self::Escalate => "escalate",
            Self::Summon => "summon",
            Self::ReportBack => "report_back",
            Self::Close => "close",
            Self::Reopen => "reopen",
            Self::RevealContact => "reveal_contact",
            Self::RequestExtension => "request_extension",
            Self::DecideExtension => "decide_extension",
            Self::IssueNotice => "issue_notice",
            Self::AnswerNotice => "answer_notice",
            Self::NameOwner => "name_owner",
            Self::UnnameOwner => "unname_owner",
            Self::RateReport => "rate_report",
            Self::Merge => "merge",
            Self::Unmerge => "unmerge",
            Self::Link => "link",
        }
    }
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// How the actor's unit stands to one appeal (see the module docs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    pub handles: bool,
    pub oversees: bool,
    /// Summoned as co-handler (whether or not it has reported back).
    pub co_handles: bool,
    /// Summoned and not yet reported back.
    pub report_due: bool,
    pub parent: bool,
    /// The appeal has a leader in charge (领导包案).
    #[serde(default)]
    pub owned: bool,
    /// The actor is that leader (a person, not a unit: whatever unit the appeal moves to).
    #[serde(default)]
    pub owner: bool,
}

impl Relation {
    /// Any tie at all: the appeal is in this unit's scope (or its leader in charge's).
    #[must_use]
    pub fn in_scope(self) -> bool {
        self.handles || self.oversees || self.co_handles || self.parent || self.owner
    }

    /// An overseer in the sense of notices and leaders in charge: a dispatcher above the unit
    /// handling the appeal, not of that unit itself.
    #[must_use]
    pub fn oversees_from_above(self) -> bool {
        self.oversees && !self.handles
    }
}

/// *May this person do it?* Role and relation only; the status is [`allowed_in`]'s question.
#[must_use]
pub fn may(role: Role, action: Action, rel: Relation) -> bool {
    if role == Role::Admin {
        // Admins read (audited like everyone); they never act on appeals.
        return action == Action::View;
    }
    match action {
        Action::View | Action::Note => rel.in_scope(),
        Action::Sign | Action::Reply | Action::RequestInfo | Action::Escalate => rel.handles,
        // With a leader in charge, closing is theirs alone: the unit handles, the leader signs
        // the close. Otherwise the handling unit closes.
        Action::Close => {
            if rel.owned {
                rel.owner
            } else {
                rel.handles
            }
        }
        Action::RequestExtension => rel.handles,
        Action::Transfer | Action::Reopen => rel.handles || rel.oversees,
        Action::Summon => rel.handles && role == Role::Dispatcher,
        Action::ReportBack => rel.report_due && role == Role::UnitHandler,
        // A summoned department needs the contact while it still owes its report, not after.
        Action::RevealContact => rel.handles || rel.oversees || rel.report_due,
        Action::DecideExtension => !rel.handles && (rel.parent || rel.oversees),
        // Whom an overseer may name or un-name (their own unit or below, and precedence over a
        // naming from above) is checked by the use case, which knows the hierarchy.
        Action::IssueNotice | Action::NameOwner | Action::UnnameOwner => {
            role == Role::Dispatcher && rel.oversees_from_above()
        }
        Action::AnswerNotice => rel.handles,
        // Which summons (one of the person's own unit, reported back, not yet rated) is the use
        // case's question: it knows the summons rows.
        Action::RateReport => rel.handles && role == Role::Dispatcher,
        // Merging decides where the resident's answer comes from: those who may hand the appeal
        // over may merge it (or undo that). Linking only informs: anyone with the appeal in scope.
        Action::Merge | Action::Unmerge => rel.handles || rel.oversees,
        Action::Link => rel.in_scope(),
    }
}

/// *May it be done now?* From which statuses each action is possible.
#[must_use]
pub fn allowed_in(action: Action, status: Status) -> bool {
    use Status::{AwaitingInfo, Closed, InProgress};
    match action {
        // A notice may still be owed an answer after the appeal was closed, and a report back
        // may be rated after it (closing waits for every report).
        Action::View
        | Action::Note
        | Action::RevealContact
        | Action::AnswerNotice
        | Action::RateReport
        | Action::Link => true,
        Action::Sign => status == Status::Assigned,
        Action::Reply | Action::Close | Action::ReportBack => matches!(status, InProgress | AwaitingInfo),
        Action::RequestInfo | Action::Summon => status == InProgress,
        Action::Transfer
        | Action::Escalate
        | Action::RequestExtension
        | Action::DecideExtension
        | Action::IssueNotice
        | Action::NameOwner
        | Action::UnnameOwner
        | Action::Merge
        | Action::Unmerge => status.is_open(),
        Action::Reopen => status == Closed,
    }
}

/// The status after `action` succeeds from `status`.
#[must_use]
pub fn next_status(action: Action, status: Status) -> Status {
    match action {
        Action::Sign | Action::Reopen => Status::InProgress,
        Action::RequestInfo => Status::AwaitingInfo,
        // A new unit must sign for it again.
        Action::Transfer | Action::Escalate => Status::Assigned,
        Action::Close => Status::Closed,
        _ => status,
    }
}

/// The resident answered a request for information: back to the unit.
#[must_use]
pub fn after_resident_answer(status: Status) -> Status {
    if status == Status::AwaitingInfo {
        Status::InProgress
    } else {
        status
    }
}

/// The unit kind one level above a unit of `kind` (where escalations and extension requests go),
/// and whether it sits at the parent region (`true`) or the same region (`false`, departments →
/// their district centre). `None` for the city centre.
#[must_use]
pub fn parent_unit_kind(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        "grid_station" => ("community_committee", true),
        "community_committee" => ("street_center", true),
        "street_center" => ("district_center", true),
        "district_center" => ("city_center", true),
        k if k.starts_with("department:") => ("district_center", false),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Relation = Relation {
        handles: false,
        oversees: false,
        co_handles: false,
        report_due: false,
        parent: false,
        owned: false,
        owner: false,
    };
    const HANDLES: Relation = Relation { handles: true, ..NONE };
    const OVERSEES: Relation = Relation { oversees: true, ..NONE };

    #[test]
    fn names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        assert_eq!(Status::parse("nope"), None);
    }

    #[test]
    fn nobody_acts_outside_their_scope() {
        for role in Role::ALL {
            for action in Action::ALL {
                if role == Role::Admin && action == Action::View {
                    continue;
                }
                assert!(!may(role, action, NONE), "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn admins_only_read() {
        for action in Action::ALL {
            assert_eq!(may(Role::Admin, action, HANDLES), action == Action::View, "{action:?}");
        }
    }

    #[test]
    fn only_dispatchers_summon_and_only_summoned_handlers_report() {
        assert!(may(Role::Dispatcher, Action::Summon, HANDLES));
        assert!(!may(Role::UnitHandler, Action::Summon, HANDLES));
        assert!(!may(Role::Dispatcher, Action::Summon, OVERSEES));
        // Rating a report back: the handling unit's dispatchers, whatever the status.
        assert!(may(Role::Dispatcher, Action::RateReport, HANDLES));
        assert!(!may(Role::UnitHandler, Action::RateReport, HANDLES));
        assert!(!may(Role::Dispatcher, Action::RateReport, OVERSEES));
        assert!(allowed_in(Action::RateReport, Status::Closed));
        let due = Relation { co_handles: true, report_due: true, ..NONE };
        assert!(may(Role::UnitHandler, Action::ReportBack, due));
        let done = Relation { co_handles: true, ..NONE };
        assert!(!may(Role::UnitHandler, Action::ReportBack, done));
        assert!(may(Role::UnitHandler, Action::View, done));
    }

    #[test]
    fn merging_is_for_those_who_hand_over_and_linking_for_anyone_in_scope() {
        for role in [Role::GridWorker, Role::UnitHandler, Role::Dispatcher] {
            assert!(may(role, Action::Merge, HANDLES) && may(role, Action::Unmerge, HANDLES));
            assert!(may(role, Action::Link, HANDLES));
            // A parent unit reads the appeal and may link it, but not merge it away.
            let parent = Relation { parent: true, ..NONE };
            assert!(!may(role, Action::Merge, parent) && may(role, Action::Link, parent));
        }
        assert!(may(Role::Dispatcher, Action::Merge, OVERSEES));
        assert!(!may(Role::Admin, Action::Merge, HANDLES) && !may(Role::Admin, Action::Link, HANDLES));
        // Merged only while open; a link informs whatever the status.
        assert!(!allowed_in(Action::Merge, Status::Closed) && !allowed_in(Action::Unmerge, Status::Closed));
        assert!(allowed_in(Action::Merge, Status::Assigned) && allowed_in(Action::Link, Status::Closed));
        assert_eq!(next_status(Action::Merge, Status::InProgress), Status::InProgress, "no status effect");
    }

    #[test]
    fn overseeing_dispatchers_transfer_but_do_not_sign_or_close() {
        assert!(may(Role::Dispatcher, Action::Transfer, OVERSEES));
        assert!(may(Role::Dispatcher, Action::Reopen, OVERSEES));
        assert!(may(Role::Dispatcher, Action::DecideExtension, OVERSEES));
        for a in [Action::Sign, Action::Reply, Action::Close, Action::Escalate, Action::RequestInfo] {
            assert!(!may(Role::Dispatcher, a, OVERSEES), "{a:?}");
        }
    }

    #[test]
    fn notices_come_from_dispatchers_above_and_are_answered_by_the_unit() {
        assert!(may(Role::Dispatcher, Action::IssueNotice, OVERSEES));
        assert!(may(Role::Dispatcher, Action::NameOwner, OVERSEES));
        assert!(may(Role::Dispatcher, Action::UnnameOwner, OVERSEES));
        assert!(!may(Role::UnitHandler, Action::UnnameOwner, HANDLES));
        assert!(!allowed_in(Action::UnnameOwner, Status::Closed));
        // A centre handling the appeal itself does not supervise itself.
        let own_centre = Relation { handles: true, oversees: true, ..NONE };
        for role in Role::ALL {
            assert!(!may(role, Action::IssueNotice, own_centre), "{role:?}");
            assert!(!may(role, Action::IssueNotice, HANDLES), "{role:?}");
        }
        for role in [Role::GridWorker, Role::UnitHandler, Role::Admin] {
            assert!(!may(role, Action::IssueNotice, OVERSEES), "{role:?}");
            assert!(!may(role, Action::NameOwner, OVERSEES), "{role:?}");
        }
        assert!(may(Role::UnitHandler, Action::AnswerNotice, HANDLES));
        assert!(!may(Role::Dispatcher, Action::AnswerNotice, OVERSEES));
        assert!(!allowed_in(Action::IssueNotice, Status::Closed));
        assert!(allowed_in(Action::AnswerNotice, Status::Closed));
    }

    #[test]
    fn with_a_leader_in_charge_only_the_leader_closes() {
        let owned_handler = Relation { handles: true, owned: true, ..NONE };
        assert!(!may(Role::UnitHandler, Action::Close, owned_handler));
        // The handler still does everything else.
        assert!(may(Role::UnitHandler, Action::Reply, owned_handler));
        let leader = Relation { oversees: true, owned: true, owner: true, ..NONE };
        assert!(may(Role::Dispatcher, Action::Close, leader));
        assert!(may(Role::Dispatcher, Action::View, Relation { owned: true, owner: true, ..NONE }));
        assert!(!may(Role::Admin, Action::Close, leader));
    }

    #[test]
    fn a_unit_never_approves_its_own_extension() {
        let both = Relation { handles: true, parent: true, ..NONE };
        assert!(!may(Role::UnitHandler, Action::DecideExtension, both));
        assert!(may(Role::UnitHandler, Action::DecideExtension, Relation { parent: true, ..NONE }));
    }

    #[test]
    fn transitions_follow_the_lifecycle() {
        use Status::*;
        // (action, from, allowed, to)
        let table = [
            (Action::Sign, Assigned, true, InProgress),
            (Action::Sign, InProgress, false, InProgress),
            (Action::Reply, Assigned, false, Assigned),
            (Action::Reply, InProgress, true, InProgress),
            (Action::Reply, AwaitingInfo, true, AwaitingInfo),
            (Action::RequestInfo, InProgress, true, AwaitingInfo),
            (Action::RequestInfo, AwaitingInfo, false, AwaitingInfo),
            (Action::Transfer, InProgress, true, Assigned),
            (Action::Transfer, Closed, false, Closed),
            (Action::Escalate, Assigned, true, Assigned),
            (Action::Summon, InProgress, true, InProgress),
            (Action::Summon, Assigned, false, Assigned),
            (Action::ReportBack, InProgress, true, InProgress),
            (Action::Close, InProgress, true, Closed),
            (Action::Close, Assigned, false, Assigned),
            (Action::Close, Closed, false, Closed),
            (Action::Reopen, Closed, true, InProgress),
            (Action::Reopen, InProgress, false, InProgress),
            (Action::Note, Closed, true, Closed),
            (Action::RequestExtension, Closed, false, Closed),
        ];
        for (action, from, ok, to) in table {
            assert_eq!(allowed_in(action, from), ok, "{action:?} from {from:?}");
            if ok {
                assert_eq!(next_status(action, from), to, "{action:?} from {from:?}");
            }
        }
        assert_eq!(after_resident_answer(AwaitingInfo), InProgress);
        assert_eq!(after_resident_answer(Closed), Closed);
    }

    #[test]
    fn roles_fit_unit_kinds() {
        assert!(Role::GridWorker.fits_unit_kind("grid_station"));
        assert!(!Role::GridWorker.fits_unit_kind("street_center"));
        assert!(Role::UnitHandler.fits_unit_kind("department:hrss"));
        assert!(Role::UnitHandler.fits_unit_kind("community_committee"));
        assert!(!Role::UnitHandler.fits_unit_kind("district_center"));
        assert!(Role::Dispatcher.fits_unit_kind("street_center"));
        assert!(Role::Dispatcher.fits_unit_kind("city_center"));
        assert!(!Role::Dispatcher.fits_unit_kind("department:hrss"));
        assert!(Role::Admin.fits_unit_kind("city_center"));
    }

    #[test]
    fn parents_one_level_up() {
        assert_eq!(parent_unit_kind("grid_station"), Some(("community_committee", true)));
        assert_eq!(parent_unit_kind("department:hrss"), Some(("district_center", false)));
        assert_eq!(parent_unit_kind("city_center"), None);
    }
}
