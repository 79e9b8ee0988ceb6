//! The small enums read back from storage, files and query strings (statuses, roles, actions,
//! event kinds, levels, legal-aid answers, …): each variant reads back from its stored spelling,
//! no two share one, and no other string is read as a variant (only surrounding whitespace,
//! for the parsers of values people type into files and forms).

use crate::config;
use crate::text::{hostile, PADDING};
use pingan_domain::events::EventKind;
use pingan_domain::legal::{ServiceKind, Topic};
use pingan_domain::legal_aid::{Group, Matter, Means, Question};
use pingan_domain::publication::Moderation;
use pingan_domain::region::Level;
use pingan_domain::sla::{DayKind, Stage};
use pingan_domain::workflow::{Action, Role, Status};
use proptest::prelude::*;
use proptest::sample::select;
use std::collections::HashSet;

/// A spelling from `all`, possibly with letters' case changed and whitespace or controls
/// around it, or hostile text.
fn near(all: Vec<&'static str>) -> impl Strategy<Value = String> {
    let spelled =
        (select(all), any::<u64>(), select(PADDING), select(PADDING), 0u8..4).prop_map(|(s, flips, a, b, pad)| {
            let s: String = s
                .chars()
                .enumerate()
                .map(|(i, c)| if (flips >> (i % 64)) & 1 == 1 && pad == 0 { c.to_ascii_uppercase() } else { c })
                .collect();
            match pad {
                0 | 1 => s,
                2 => format!("{a}{s}{b}"),
                _ => format!("{s}{b}"),
            }
        });
    prop_oneof![3 => spelled, 1 => hostile()]
}

/// One property per enum: `$name` checks `$ty::parse` against `$ty::$spell` over the variants
/// `$all`; `$trims` says whether surrounding whitespace is forgiven.
macro_rules! stored_spellings {
    ($($name:ident: $ty:ty, $all:expr, $spell:ident, $trims:expr;)*) => {
        proptest! {
            #![proptest_config(config())]
            $(
                #[test]
                fn $name(input in near($all.iter().map(|v: &$ty| v.$spell()).collect())) {
                    let all: Vec<$ty> = $all.to_vec();
                    let spellings: HashSet<&str> = all.iter().map(|v| v.$spell()).collect();
                    prop_assert_eq!(spellings.len(), all.len(), "two variants share a spelling");
                    for v in &all {
                        prop_assert_eq!(<$ty>::parse(v.$spell()), Some(*v));
                    }
                    let wanted = if $trims { input.trim() } else { input.as_str() };
                    let expected = all.iter().copied().find(|v| v.$spell() == wanted);
                    prop_assert_eq!(<$ty>::parse(&input), expected, "{:?}", input);
                }
            )*
        }
    };
}

stored_spellings! {
    status_reads_only_its_spellings: Status, Status::ALL, as_str, false;
    role_reads_only_its_spellings: Role, Role::ALL, as_str, true;
    action_reads_only_its_spellings: Action, Action::ALL, as_str, false;
    event_kind_reads_only_its_spellings: EventKind, EventKind::ALL, as_str, false;
    moderation_reads_only_its_spellings: Moderation, Moderation::ALL, as_str, false;
    stage_reads_only_its_spellings: Stage, Stage::ALL, as_str, false;
    day_kind_reads_only_its_spellings: DayKind, [DayKind::Holiday, DayKind::Workday], as_str, false;
    level_reads_only_its_spellings: Level,
        [Level::City, Level::District, Level::Street, Level::Community, Level::Grid], as_str, false;
    topic_reads_only_its_spellings: Topic, Topic::ALL, code, true;
    service_kind_reads_only_its_spellings: ServiceKind, ServiceKind::ALL, code, true;
    matter_reads_only_its_spellings: Matter, Matter::ALL, code, true;
    group_reads_only_its_spellings: Group, Group::ALL, code, true;
    means_reads_only_its_spellings: Means, Means::ALL, code, true;
    question_reads_only_its_spellings: Question, [Question::Matter, Question::Group, Question::Means], param, false;
}
