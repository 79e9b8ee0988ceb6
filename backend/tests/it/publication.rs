//! Issue 9 §3 through the real services, on SQLite and PostgreSQL: nothing a resident wrote is
//! public unless they asked and staff approved it; the approved (redacted) text is exactly what
//! is shown; sensitive categories never; moderation is scoped, role-checked and audited.

use crate::common;

use backend::services::moderation::{self, Decision};
use backend::services::open311::{self, RequestQuery};
use backend::store::audit;
use backend::{AppState, BackendError};
use common::Engine;
use domain::Msg;
use serde_json::Value;

const ORIGINAL: &str = "楼道里堆满了杂物，已经两个星期没人管了";
const IN_HD0101: &[(&str, &str)] = &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")];

fn display(ticket: &str) -> String {
    domain::receipt::Ticket::parse(ticket).unwrap().display()
}

async fn appeal(state: &AppState, category: &str, who: &[(&str, &str)]) -> String {
    common::appeal_at(state, category, IN_HD0101, who).await.0
}

async fn public(state: &AppState, ticket: &str) -> open311::RequestView {
    open311::request(state, &display(ticket)).await.unwrap()
}

async fn flags(state: &AppState, ticket: &str) -> (i64, Option<String>, Option<String>, Option<String>) {
    sqlx::query_as("SELECT publish_requested, publish_state, public_text, moderated_by FROM appeals WHERE ticket = $1")
        .bind(ticket)
        .fetch_one(&state.db.pool)
        .await
        .unwrap()
}

async fn audit_of(state: &AppState, ticket: &str) -> Vec<(String, Value)> {
    audit::recent(&state.db.pool, Some(ticket), None, None, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.action.starts_with("publication_"))
        .map(|r| (r.action, serde_json::from_str(&r.detail).unwrap()))
        .collect()
}

fn approve(text: &str) -> Decision {
    Decision::Approve { text: text.into() }
}

/// The public record of any appeal: the day only, no point, no unit, no deadline, no media.
fn assert_coarse(r: &open311::RequestView) {
    assert_eq!(r.requested_datetime, "2026-11-23T00:00:00+08:00");
    assert_eq!(r.updated_datetime, "2026-11-23T00:00:00+08:00");
    assert_eq!(
        (r.lat, r.lng, &r.expected_datetime, &r.agency_responsible, &r.media_url),
        (None, None, &None, &None, &None)
    );
    assert_eq!(r.address.as_deref(), Some("河东区 / 东关街道 / 和平社区"));
}

async fn nothing_is_public_unless_asked_and_approved(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let named = [("identity", "named"), ("name", "李阿姨"), ("phone", "13800138000")];

    // Default: not requested, nothing to moderate, no description.
    let plain = appeal(&state, "sanitation", &named).await;
    assert_eq!(flags(&state, &plain).await, (0, None, None, None));
    let r = public(&state, &plain).await;
    assert_eq!(r.description, None);
    assert_coarse(&r);
    assert!(matches!(
        moderation::decide(&state, &street, &plain, &approve(ORIGINAL)).await,
        Err(BackendError::Conflict(Msg::ErrPublishNotAsked))
    ));
    assert_eq!(public(&state, &plain).await.description, None);

    // Requested (anonymous residents may ask too): pending, in the queue, still nothing public.
    let asked = appeal(&state, "sanitation", &[("identity", "anonymous"), ("publish", "1")]).await;
    assert_eq!(flags(&state, &asked).await, (1, Some("pending".into()), None, None));
    assert_eq!(public(&state, &asked).await.description, None);
    let q = moderation::queue(&state, &street).await.unwrap();
    assert_eq!(q.iter().map(|i| i.ticket.as_str()).collect::<Vec<_>>(), [asked.as_str()]);
    assert_eq!(q[0].original, ORIGINAL);
    // A value other than "1" is not a yes.
    let odd = appeal(&state, "sanitation", &[("identity", "anonymous"), ("publish", "on")]).await;
    assert_eq!(flags(&state, &odd).await.0, 0);

    // Approved with a redaction: exactly the redacted text, never the original.
    let redacted = "楼道里堆满了杂物，[已隐去]没人管";
    moderation::decide(&state, &street, &asked, &approve(&format!("  {redacted} \n"))).await.unwrap();
    let r = public(&state, &asked).await;
    assert_eq!(r.description.as_deref(), Some(redacted));
    assert_coarse(&r);
    let (_, st, text, by) = flags(&state, &asked).await;
    assert_eq!(
        (st.as_deref(), text.as_deref(), by.as_deref()),
        (Some("approved"), Some(redacted), Some(street.id.as_str()))
    );
    // The list shows the same; the original text appears nowhere in it.
    let list = open311::requests(&state, &RequestQuery::default()).await.unwrap();
    let json = serde_json::to_string(&list).unwrap();
    assert!(
        json.contains(redacted)
            && !json.contains(ORIGINAL)
            && !json.contains("13800138000")
            && !json.contains("李阿姨"),
        "{json}"
    );
    // An empty text is a field error and changes nothing.
    match moderation::decide(&state, &street, &asked, &approve(" \n ")).await {
        Err(BackendError::Invalid(e)) => assert_eq!(e[0].msg, Msg::ErrBodyEmpty),
        other => panic!("{other:?}"),
    }
    assert_eq!(public(&state, &asked).await.description.as_deref(), Some(redacted));

    // Withdrawn (declined after approval): nothing public again, and it leaves the queue.
    moderation::decide(&state, &street, &asked, &Decision::Decline).await.unwrap();
    assert_eq!(public(&state, &asked).await.description, None);
    assert_eq!(flags(&state, &asked).await.2, None, "the approved text is dropped");
    assert!(moderation::queue(&state, &street).await.unwrap().is_empty());

    // Declined outright: none.
    let declined = appeal(&state, "sanitation", &[("identity", "anonymous"), ("publish", "1")]).await;
    moderation::decide(&state, &street, &declined, &Decision::Decline).await.unwrap();
    assert_eq!(public(&state, &declined).await.description, None);

    // Every decision is audited, in order, with a digest of the text rather than the text.
    let a = audit_of(&state, &asked).await;
    let actions: Vec<&str> = a.iter().map(|(x, _)| x.as_str()).collect();
    assert_eq!(actions, ["publication_decline", "publication_approve"], "newest first");
    let approved = &a[1].1;
    assert_eq!(
        (approved["from"].as_str(), approved["to"].as_str(), approved["redacted"].as_bool()),
        (Some("pending"), Some("approved"), Some(true))
    );
    assert!(!a[1].1.to_string().contains("已隐去"), "the audit log keeps no published text");
    assert_eq!((a[0].1["from"].as_str(), a[0].1["withdrawn"].as_bool()), (Some("approved"), Some(true)));
    assert_eq!(audit_of(&state, &declined).await[0].0, "publication_decline");
    assert!(backend::audit::verify(&state.db.pool).await.unwrap().first_broken.is_none());
}
both_engines!(nothing_is_public_unless_asked_and_approved);

async fn sensitive_categories_are_never_published(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let admin = common::staff(&state, "boss", "U-SF", "admin").await;
    let ticket = appeal(&state, "family_dispute", &[("identity", "anonymous"), ("publish", "1")]).await;
    // The choice is recorded as made, but the appeal never enters the queue.
    assert_eq!(flags(&state, &ticket).await.0, 1);
    assert!(moderation::queue(&state, &admin).await.unwrap().iter().all(|i| i.ticket != ticket));
    assert!(matches!(
        moderation::decide(&state, &admin, &ticket, &approve("家里的事")).await,
        Err(BackendError::Conflict(Msg::ErrNeverPublished))
    ));
    assert_eq!(flags(&state, &ticket).await.1.as_deref(), Some("pending"), "nothing was written");
    assert!(audit_of(&state, &ticket).await.is_empty());
    // Even if the row said "approved" (an old bug, a hand edit), the view does not show it.
    sqlx::query("UPDATE appeals SET publish_state = 'approved', public_text = 'x 家里的事' WHERE ticket = $1")
        .bind(&ticket)
        .execute(&state.db.pool)
        .await
        .unwrap();
    let r = public(&state, &ticket).await;
    assert_eq!(r.description, None);
    assert!(!serde_json::to_string(&r).unwrap().contains("家里的事"));
}
both_engines!(sensitive_categories_are_never_published);

async fn only_dispatchers_and_admins_in_scope_moderate(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let far = common::staff(&state, "far", "U-HX01", "dispatcher").await;
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let admin = common::staff(&state, "boss", "U-SF", "admin").await;
    let ticket = appeal(&state, "sanitation", &[("identity", "anonymous"), ("publish", "1")]).await;

    // Out of scope: refused, not in the queue, nothing written.
    assert!(matches!(
        moderation::decide(&state, &far, &ticket, &approve("x 堆物")).await,
        Err(BackendError::Forbidden)
    ));
    assert!(moderation::queue(&state, &far).await.unwrap().is_empty());
    // The handling unit's own handler does not moderate (role), not even its own appeal.
    assert!(matches!(
        moderation::decide(&state, &community, &ticket, &approve("x 堆物")).await,
        Err(BackendError::Forbidden)
    ));
    assert!(matches!(moderation::queue(&state, &community).await, Err(BackendError::Forbidden)));
    assert_eq!(flags(&state, &ticket).await.1.as_deref(), Some("pending"));
    assert!(audit_of(&state, &ticket).await.is_empty());
    assert_eq!(public(&state, &ticket).await.description, None);
    // Unknown ticket.
    assert!(matches!(
        moderation::decide(&state, &street, "PA00000000", &Decision::Decline).await,
        Err(BackendError::NotFound)
    ));

    // The admin sees it everywhere and may decide; so may the street's dispatcher.
    assert_eq!(moderation::queue(&state, &admin).await.unwrap().len(), 1);
    let read = audit::recent(&state.db.pool, None, Some("view_moderation"), None, 5).await.unwrap();
    assert_eq!((read.len(), read[0].actor.as_str()), (1, admin.id.as_str()), "an admin's reading is audited");
    assert!(read[0].detail.contains(&ticket));
    moderation::decide(&state, &admin, &ticket, &approve("楼道堆物")).await.unwrap();
    assert_eq!(public(&state, &ticket).await.description.as_deref(), Some("楼道堆物"));
    let q = moderation::queue(&state, &street).await.unwrap();
    assert_eq!(
        (q.len(), q[0].public_text.as_deref()),
        (1, Some("楼道堆物")),
        "approved ones stay listed for re-moderation"
    );
    moderation::decide(&state, &street, &ticket, &approve("楼道堆物，请清理")).await.unwrap();
    assert_eq!(public(&state, &ticket).await.description.as_deref(), Some("楼道堆物，请清理"));
    let who: Vec<String> = audit::recent(&state.db.pool, Some(&ticket), Some("publication_approve"), None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.actor)
        .collect();
    assert_eq!(who, [street.id.clone(), admin.id.clone()]);
}
both_engines!(only_dispatchers_and_admins_in_scope_moderate);

async fn open311_submissions_never_ask_to_publish(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let who = backend::audit::Who { id: "cli".into(), name: "cli".into(), role: "cli".into() };
    let key = open311::create_key(&state, &who, "app").await.unwrap().key;
    let p: std::collections::HashMap<String, String> = [
        ("api_key", key.as_str()),
        ("service_code", "sanitation"),
        ("lat", "35.485"),
        ("long", "106.605"),
        ("description", ORIGINAL),
        ("publish", "1"),
        ("media_url", "https://img.example.org/1.jpg"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let id = open311::submit(&state, &open311::PostRequest::from_params(&p)).await.unwrap().service_request_id;
    let ticket = domain::receipt::Ticket::parse(&id).unwrap().as_str().to_owned();
    assert_eq!(flags(&state, &ticket).await, (0, None, None, None));
    let r = open311::request(&state, &id).await.unwrap();
    assert_eq!((r.description, r.media_url, r.lat, r.lng), (None, None, None, None));
}
both_engines!(open311_submissions_never_ask_to_publish);
