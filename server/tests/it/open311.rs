//! Router tests of `/open311/v2`: every endpoint in JSON and XML through the real router
//! (`build_router` + `oneshot`), every error status, the same-origin rule for API clients, the
//! key CLI, and every JSON answer checked against the GeoReport v2 schemas in
//! `tests/open311-schema/`.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use backend::config::Limits;
use backend::services::open311;
use backend::AppState;
use http_body_util::BodyExt;
use pingan_server::config::Config;
use pingan_server::startup::{build_router, build_state, leptos_options};
use serde_json::Value;
use std::path::Path;
use tower::ServiceExt;

const WAGES_AT_HD010101: &str = "service_code=wage_arrears&lat=35.485&long=106.605&description=%E8%80%81%E6%9D%BF%E6%8B%96%E6%AC%A0%E4%B8%89%E4%B8%AA%E6%9C%88%E5%B7%A5%E8%B5%84%EF%BC%8C%E4%B8%80%E7%9B%B4%E6%8E%A8%E8%AF%B4%E4%B8%8B%E4%B8%AA%E6%9C%88%E7%BB%99&attribute%5Bemployer%5D=%E6%9F%90%E5%85%AC%E5%8F%B8&attribute%5Bamount%5D=3000&attribute%5Bmonths%5D=3";
/// The wage service's required attributes (issue 13): 某公司, 3000 yuan, 3 months.
const WAGE_ATTRIBUTES: &str =
    "&attribute%5Bemployer%5D=%E6%9F%90%E5%85%AC%E5%8F%B8&attribute%5Bamount%5D=3000&attribute%5Bmonths%5D=3";

fn config(limits: Limits) -> Config {
    let dir = std::env::temp_dir().join("pingan-open311-router-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let mut config = Config::defaults(&format!(
        "sqlite://{}?mode=rwc",
        dir.join(format!("{}.db", backend::crypto::random_hex())).display()
    ));
    config.limits = limits;
    config.auth.cost = backend::config::PasswordCost::TEST;
    config
}

struct App {
    router: Router,
    state: AppState,
    key: String,
}

async fn app(limits: Limits) -> App {
    let config = config(limits);
    let state = build_state(&config).await.unwrap();
    let who = backend::audit::Who { id: "cli".into(), name: "test".into(), role: "cli".into() };
    let key = open311::create_key(&state, &who, "router tests").await.unwrap().key;
    App { router: build_router(state.clone(), leptos_options(&config), false), state, key }
}

struct Res {
    status: StatusCode,
    content_type: String,
    retry_after: Option<String>,
    body: String,
}

impl Res {
    fn json(&self) -> Value {
        assert!(self.content_type.starts_with("application/json"), "{}", self.content_type);
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

async fn send(app: &Router, req: Request<Body>) -> Res {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let content_type =
        res.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let retry_after = res.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().to_owned());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Res { status, content_type, retry_after, body: String::from_utf8(bytes.to_vec()).unwrap() }
}

async fn get(app: &Router, uri: &str) -> Res {
    send(app, Request::get(uri).header(header::HOST, "localhost").body(Body::empty()).unwrap()).await
}

/// A POST as a server-side client sends it: form-encoded, no Origin, no cookie.
async fn post(app: &Router, uri: &str, body: &str) -> Res {
    let req = Request::post(uri)
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap();
    send(app, req).await
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

// ------------------------------------------------------------------------------ schemas

struct Schemas {
    services: jsonschema::Validator,
    service: jsonschema::Validator,
    definition: jsonschema::Validator,
    requests: jsonschema::Validator,
    request: jsonschema::Validator,
}

/// The five GeoReport v2 schemas; `requests.json` and `services.json` refer to `request.json`
/// and `service.json` by relative URI, so those two are put in a registry under the same base.
fn schemas() -> Schemas {
    const BASE: &str = "https://schemas.open311.invalid/georeport-v2/";
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/open311-schema");
    let load =
        |name: &str| -> Value { serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap() };
    let registry = jsonschema::Registry::new()
        .add(format!("{BASE}request.json"), load("request.json"))
        .unwrap()
        .add(format!("{BASE}service.json"), load("service.json"))
        .unwrap()
        .prepare()
        .unwrap();
    let build = |name: &str| {
        jsonschema::options()
            .with_registry(&registry)
            .with_base_uri(format!("{BASE}{name}"))
            .should_validate_formats(true)
            .build(&load(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    Schemas {
        services: build("services.json"),
        service: build("service.json"),
        definition: build("service-definition.json"),
        requests: build("requests.json"),
        request: build("request.json"),
    }
}

fn valid(v: &jsonschema::Validator, json: &Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(json).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} does not match its schema: {errors:?}\n{json}");
}

/// A `requests.json`-shaped answer: the list schema, and each element against `request.json`.
fn valid_requests(s: &Schemas, json: &Value) {
    valid(&s.requests, json, "requests");
    for r in json.as_array().unwrap() {
        valid(&s.request, r, "request");
        assert!(r["service_request_id"].is_string(), "ids are strings");
    }
}

#[test]
fn the_schemas_reject_what_they_should() {
    // Guards against a validator that accepts anything (e.g. an unresolved `$ref`).
    let s = schemas();
    assert!(!s.request.is_valid(&serde_json::json!({ "service_request_id": "x", "status": "pending", "service_code": "a", "requested_datetime": "2025-01-01T00:00:00+08:00" })));
    assert!(!s.request.is_valid(&serde_json::json!({ "service_request_id": "x", "status": "open", "service_code": "a", "requested_datetime": "yesterday" })));
    assert!(!s.requests.is_valid(&serde_json::json!([{ "status": "open" }])));
    assert!(!s.services.is_valid(
        &serde_json::json!([{ "service_code": "a", "service_name": "b", "metadata": false, "type": "sometimes" }])
    ));
    assert!(!s.definition.is_valid(&serde_json::json!({ "service_code": "a" })));
    assert!(!s.service.is_valid(&serde_json::json!({ "service_code": "a" })));
}

/// The spec's error list, with one entry per description fragment, all with `code`.
fn assert_errors(r: &Res, status: StatusCode, fragments: &[&str]) {
    assert_eq!(r.status, status, "{}", r.body);
    if r.content_type.starts_with("text/xml") {
        let x = xml_leaves(&r.body);
        let codes: Vec<&str> = x.iter().filter(|(p, _)| p == "errors/error/code").map(|(_, t)| t.as_str()).collect();
        let descs: Vec<&str> =
            x.iter().filter(|(p, _)| p == "errors/error/description").map(|(_, t)| t.as_str()).collect();
        assert_eq!(codes.len(), fragments.len(), "{}", r.body);
        assert!(codes.iter().all(|c| *c == status.as_str()), "{}", r.body);
        for (d, f) in descs.iter().zip(fragments) {
            assert!(d.contains(f), "{d:?} lacks {f:?}");
        }
    } else {
        let v = r.json();
        let list = v.as_array().unwrap_or_else(|| panic!("not a list: {v}"));
        assert_eq!(list.len(), fragments.len(), "{v}");
        for (e, f) in list.iter().zip(fragments) {
            assert_eq!(e["code"].as_u64(), Some(u64::from(status.as_u16())), "{e}");
            assert!(e["description"].as_str().unwrap().contains(f), "{e} lacks {f:?}");
            assert_eq!(e.as_object().unwrap().len(), 2);
        }
    }
}

// --------------------------------------------------------------------------------- XML

/// Checks that `xml` is one well-formed element tree of the kind we write (declaration,
/// elements without attributes, escaped text) and returns its leaves as (path, unescaped text).
fn xml_leaves(xml: &str) -> Vec<(String, String)> {
    let rest = xml.strip_prefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>").expect("declaration");
    let mut stack: Vec<&str> = Vec::new();
    let mut leaves = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    let mut roots = 0;
    while i < rest.len() {
        if rest[i..].starts_with('<') {
            let end = rest[i..].find('>').expect("unclosed tag") + i;
            let tag = &rest[i + 1..end];
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name), "mismatched </{name}>");
                let path = [stack.join("/"), name.to_owned()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("/");
                if !text.is_empty() || rest[..i].ends_with(&format!("<{name}>")) {
                    leaves.push((path, unescape(&text)));
                }
            } else if let Some(name) = tag.strip_suffix('/') {
                assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'), "tag {name}");
                if stack.is_empty() {
                    roots += 1;
                }
                let path = [stack.join("/"), name.to_owned()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("/");
                leaves.push((path, String::new()));
            } else {
                assert!(tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'), "tag {tag}");
                if stack.is_empty() {
                    roots += 1;
                }
                stack.push(tag);
            }
            text.clear();
            i = end + 1;
        } else {
            let end = rest[i..].find('<').map_or(rest.len(), |j| j + i);
            let t = &rest[i..end];
            assert!(!stack.is_empty(), "text outside the root: {t:?}");
            assert!(!t.contains('>'), "raw > in {t:?}");
            text.push_str(t);
            i = end;
        }
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
    assert_eq!(roots, 1, "one root element");
    leaves
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').expect("unterminated entity") + i;
        out.push(match &rest[i + 1..end] {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            other => panic!("unknown entity &{other};"),
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn leaf<'a>(leaves: &'a [(String, String)], path: &str) -> Vec<&'a str> {
    leaves.iter().filter(|(p, _)| p == path).map(|(_, t)| t.as_str()).collect()
}

// ----------------------------------------------------------------------------------- tests

#[tokio::test]
async fn discovery_and_services_in_both_formats() {
    let App { router: app, .. } = app(Limits::default()).await;
    let s = schemas();

    let d = get(&app, "/open311/v2/discovery.json").await;
    assert_eq!(d.status, StatusCode::OK);
    let v = d.json();
    assert_eq!(v["endpoints"][0]["url"], "http://localhost/open311/v2");
    assert_eq!(v["endpoints"][0]["specification"], "http://wiki.open311.org/GeoReport_v2");
    assert_eq!(v["endpoints"][0]["formats"], serde_json::json!(["application/json", "text/xml"]));
    assert!(v["contact"].as_str().unwrap().contains("示范市社会治理综合指挥中心"));
    let d = get(&app, "/open311/v2/discovery.xml").await;
    assert!(d.content_type.starts_with("text/xml"));
    let x = xml_leaves(&d.body);
    assert_eq!(leaf(&x, "discovery/endpoints/endpoint/url"), ["http://localhost/open311/v2"]);
    assert_eq!(leaf(&x, "discovery/endpoints/endpoint/formats/format"), ["application/json", "text/xml"]);

    let list = get(&app, "/open311/v2/services.json").await;
    assert_eq!(list.status, StatusCode::OK);
    let v = list.json();
    valid(&s.services, &v, "services");
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 13);
    for item in items {
        valid(&s.service, item, "service");
    }
    let wages = items.iter().find(|i| i["service_code"] == "wage_arrears").unwrap();
    assert_eq!(
        wages,
        &serde_json::json!({ "service_code": "wage_arrears", "service_name": "劳资欠薪", "description": "Unpaid wages", "metadata": true, "type": "realtime", "keywords": "", "group": "department" })
    );
    let x = xml_leaves(&get(&app, "/open311/v2/services.xml").await.body);
    assert_eq!(leaf(&x, "services/service/service_code").len(), 13);
    assert!(leaf(&x, "services/service/service_name").contains(&"劳资欠薪"));
    assert_eq!(leaf(&x, "services/service/metadata")[0], "false");
    assert_eq!(leaf(&x, "services/service/metadata").iter().filter(|m| **m == "true").count(), 4, "four ask questions");
    assert_eq!(leaf(&x, "services/service/keywords")[0], "");

    let def = get(&app, "/open311/v2/services/wage_arrears.json").await;
    assert_eq!(def.status, StatusCode::OK);
    let v = def.json();
    valid(&s.definition, &v, "service definition");
    // The wage category's extra questions (issue 13) as attributes.
    assert_eq!(v["service_code"], "wage_arrears");
    assert_eq!(
        v["attributes"][0],
        serde_json::json!({
            "variable": true, "code": "employer", "datatype": "string", "required": true, "order": 1,
            "description": "欠薪的单位名称 / Employer's name",
            "datatype_description": "用人单位、老板或包工头的名称，知道多少写多少 / The company, boss or labour contractor who owes the wages, as far as you know Text, at most 100 characters."
        })
    );
    let shape: Vec<(&str, &str, bool)> = v["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["code"].as_str().unwrap(), a["datatype"].as_str().unwrap(), a["required"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        shape,
        [
            ("employer", "string", true),
            ("amount", "number", true),
            ("months", "number", true),
            ("workers", "number", false)
        ]
    );
    let x = xml_leaves(&get(&app, "/open311/v2/services/wage_arrears.xml").await.body);
    assert_eq!(leaf(&x, "service_definition/service_code"), ["wage_arrears"]);
    assert_eq!(leaf(&x, "service_definition/attributes/attribute/code"), ["employer", "amount", "months", "workers"]);
    assert_eq!(leaf(&x, "service_definition/attributes/attribute/datatype")[1], "number");
    assert_eq!(leaf(&x, "service_definition/attributes/attribute/required")[3], "false");
    assert_eq!(leaf(&x, "service_definition/attributes/attribute/order")[2], "3");
    // A list: its values, in JSON and XML; a category without questions: none.
    let hazard = get(&app, "/open311/v2/services/safety_hazard.json").await.json();
    valid(&s.definition, &hazard, "service definition with a list");
    assert_eq!(hazard["attributes"][0]["datatype"], "singlevaluelist");
    assert_eq!(hazard["attributes"][0]["values"][1], serde_json::json!({ "key": "gas", "name": "燃气 / Gas" }));
    let x = xml_leaves(&get(&app, "/open311/v2/services/safety_hazard.xml").await.body);
    assert_eq!(
        leaf(&x, "service_definition/attributes/attribute/values/value/key"),
        ["fire", "gas", "building", "other"]
    );
    let none = get(&app, "/open311/v2/services/sanitation.json").await.json();
    valid(&s.definition, &none, "service definition");
    assert_eq!(none, serde_json::json!({ "service_code": "sanitation", "attributes": [] }));
    let x = xml_leaves(&get(&app, "/open311/v2/services/sanitation.xml").await.body);
    assert_eq!(leaf(&x, "service_definition/attributes"), [""]);

    assert_errors(
        &get(&app, "/open311/v2/services/rockets.json").await,
        StatusCode::NOT_FOUND,
        &["service_code rockets not found"],
    );
    let r = get(&app, "/open311/v2/services/rockets.xml").await;
    assert!(r.content_type.starts_with("text/xml"));
    assert_errors(&r, StatusCode::NOT_FOUND, &["service_code rockets not found"]);
    assert_errors(
        &get(&app, "/open311/v2/services/wage_arrears.csv").await,
        StatusCode::NOT_FOUND,
        &["no such Open311 resource"],
    );
    assert_errors(&get(&app, "/open311/v2/tokens/1.json").await, StatusCode::NOT_FOUND, &["no such Open311 resource"]);
    assert_errors(&get(&app, "/open311/v2").await, StatusCode::NOT_FOUND, &["no such Open311 resource"]);
}

#[tokio::test]
async fn post_then_read_back_in_json_and_xml() {
    let App { router: app, state, key } = app(Limits::default()).await;
    let s = schemas();
    let who = format!("first_name={}&last_name={}&phone=13800138000&email=w%40example.org", enc("小明"), enc("王"));
    let media = "https://img.example.org/p/1.jpg?a=1&b=2";
    let body = format!("api_key={key}&{WAGES_AT_HD010101}&{who}&media_url={}&jurisdiction_id=sf", enc(media));
    let created = post(&app, "/open311/v2/requests.json", &body).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let v = created.json();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 1);
    let id = list[0]["service_request_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("PA-") && id.len() == 12);
    assert!(list[0]["service_notice"].as_str().unwrap().contains("河东区人力资源和社会保障局"));
    assert!(list[0]["account_id"].is_null());
    assert_eq!(list[0].as_object().unwrap().len(), 3);

    // Read it back alone and in the list; both validate, and no personal detail is in them.
    let one = get(&app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(one.status, StatusCode::OK);
    let v = one.json();
    valid_requests(&s, &v);
    let r = &v[0];
    assert_eq!(r["service_request_id"], id.as_str());
    assert_eq!(
        (r["status"].as_str(), r["service_code"].as_str(), r["service_name"].as_str()),
        (Some("open"), Some("wage_arrears"), Some("劳资欠薪"))
    );
    assert_eq!(r["status_notes"], "assigned: waiting to be signed for");
    // Issue 9 §3: category, status, community and the day; nothing else (an Open311 POST never
    // asks to publish, so no description either).
    assert_eq!(r["address"], "河东区 / 东关街道 / 和平社区");
    for null in ["agency_responsible", "media_url", "description", "lat", "long", "expected_datetime", "service_notice"]
    {
        assert!(r[null].is_null(), "{null}: {}", r[null]);
    }
    assert!(r.get("agency_responsible_code").is_none());
    let centre = state.catalog.get().cell_center("HD010101").unwrap();
    for t in ["requested_datetime", "updated_datetime"] {
        assert!(r[t].as_str().unwrap().ends_with("T00:00:00+08:00"), "{t}: {}", r[t]);
    }
    for secret in [
        "小明",
        "13800138000",
        "w@example.org",
        "老板拖欠",
        "img.example.org",
        "35.485",
        &centre.lat.to_string(),
        "D-HD-hrss",
    ] {
        assert!(!one.body.contains(secret), "{secret} in {}", one.body);
    }
    // Lower case and without dashes finds it too.
    assert_eq!(
        get(&app, &format!("/open311/v2/requests/{}.json", id.replace('-', "").to_lowercase())).await.status,
        StatusCode::OK
    );

    let all = get(&app, "/open311/v2/requests.json").await;
    let v = all.json();
    valid_requests(&s, &v);
    assert_eq!(v.as_array().unwrap().len(), 1);
    let filtered = get(&app, &format!("/open311/v2/requests.json?service_request_id={id},PA-0000-0000&status=closed"))
        .await
        .json();
    valid_requests(&s, &filtered);
    assert_eq!(filtered[0]["service_request_id"], id.as_str());
    let none = get(&app, "/open311/v2/requests.json?status=closed&service_code=wage_arrears,sanitation").await.json();
    assert_eq!(none, serde_json::json!([]));
    valid_requests(&s, &none);

    // XML: the same request, escaped, nulls as empty elements.
    let x = xml_leaves(&get(&app, &format!("/open311/v2/requests/{id}.xml")).await.body);
    assert_eq!(leaf(&x, "service_requests/request/service_request_id"), [id.as_str()]);
    assert!(leaf(&x, "service_requests/request/agency_responsible_code").is_empty());
    for empty in
        ["media_url", "service_notice", "lat", "long", "description", "agency_responsible", "expected_datetime"]
    {
        assert_eq!(leaf(&x, &format!("service_requests/request/{empty}")), [""], "{empty}");
    }
    assert!(leaf(&x, "service_requests/request/requested_datetime")[0].ends_with("T00:00:00+08:00"));
    let x = xml_leaves(&get(&app, "/open311/v2/requests.xml?status=open").await.body);
    assert_eq!(leaf(&x, "service_requests/request/service_request_id"), [id.as_str()]);

    // POST in XML: an anonymous appeal by address only; its description stays private.
    let body = format!(
        "api_key={key}&service_code=wage_arrears&address_string={}&description={}{WAGE_ATTRIBUTES}",
        enc("和平路 12 号 <3单元>"),
        enc("工地拖欠工资 & 加班费，已经两个月")
    );
    let created = post(&app, "/open311/v2/requests.xml", &body).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let x = xml_leaves(&created.body);
    let id2 = leaf(&x, "service_requests/request/service_request_id")[0].to_owned();
    assert!(leaf(&x, "service_requests/request/service_notice")[0].contains("manual dispatch"));
    assert_eq!(leaf(&x, "service_requests/request/account_id"), [""]);
    let v = get(&app, &format!("/open311/v2/requests/{id2}.json")).await.json();
    valid_requests(&s, &v);
    assert!(
        v[0]["description"].is_null()
            && v[0]["lat"].is_null()
            && v[0]["address"].is_null()
            && v[0]["media_url"].is_null(),
        "{v}"
    );
    assert!(v[0]["agency_responsible"].is_null());
    assert!(!v.to_string().contains("和平路"));
}

#[tokio::test]
async fn every_error_in_both_formats() {
    let App { router: app, state, key } = app(Limits::default()).await;
    let forbidden = "api_key is missing, unknown or revoked";
    for fmt in ["json", "xml"] {
        let uri = format!("/open311/v2/requests.{fmt}");
        // 403: no key, an unknown key, a revoked key, whatever else is wrong.
        assert_errors(&post(&app, &uri, WAGES_AT_HD010101).await, StatusCode::FORBIDDEN, &[forbidden]);
        assert_errors(
            &post(&app, &uri, &format!("api_key=p311_{}&{WAGES_AT_HD010101}", "0".repeat(64))).await,
            StatusCode::FORBIDDEN,
            &[forbidden],
        );
        assert_errors(
            &post(&app, &uri, "api_key=nope&service_code=rockets").await,
            StatusCode::FORBIDDEN,
            &[forbidden],
        );
        // 400: every problem, one entry each.
        assert_errors(
            &post(&app, &uri, &format!("api_key={key}&service_code=rockets&lat=35.485&long=106.605&description=x"))
                .await,
            StatusCode::BAD_REQUEST,
            &["service_code:", "description:"],
        );
        assert_errors(
            &post(
                &app,
                &uri,
                &format!(
                    "api_key={key}&service_code=wage_arrears&description={}{WAGE_ATTRIBUTES}",
                    enc("老板拖欠三个月工资，一直推说下个月给")
                ),
            )
            .await,
            StatusCode::BAD_REQUEST,
            &["a location is required"],
        );
        assert_errors(
            &post(&app, &uri, &format!("api_key={key}&service_code=wage_arrears&lat=95&long=106.605{WAGE_ATTRIBUTES}"))
                .await,
            StatusCode::BAD_REQUEST,
            &["description:", "lat/long:"],
        );
        assert_errors(
            &post(&app, &uri, &format!("api_key={key}&{WAGES_AT_HD010101}&media_url=ftp%3A%2F%2Fx%2Fa.jpg")).await,
            StatusCode::BAD_REQUEST,
            &["media_url:"],
        );
        assert_errors(
            &get(&app, &format!("{uri}?start_date=yesterday&status=pending")).await,
            StatusCode::BAD_REQUEST,
            &["status:", "start_date:"],
        );
        assert_errors(
            &get(&app, &format!("{uri}?start_date=2025-06-05&end_date=2025-06-04")).await,
            StatusCode::BAD_REQUEST,
            &["start_date: must not be after end_date"],
        );
        // 404.
        assert_errors(
            &get(&app, &format!("/open311/v2/requests/PA-0000-0000.{fmt}")).await,
            StatusCode::NOT_FOUND,
            &["service_request_id PA-0000-0000 not found"],
        );
        assert_errors(
            &get(&app, &format!("/open311/v2/requests/nonsense.{fmt}")).await,
            StatusCode::NOT_FOUND,
            &["service_request_id nonsense not found"],
        );
    }
    // The body must be a form.
    let req = Request::post("/open311/v2/requests.json")
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!("{{\"api_key\":\"{key}\"}}")))
        .unwrap();
    assert_errors(&send(&app, req).await, StatusCode::BAD_REQUEST, &["application/x-www-form-urlencoded"]);
    // The key may come in the query string as well.
    let r = post(&app, &format!("/open311/v2/requests.json?api_key={key}"), WAGES_AT_HD010101).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Revoked: refused at once.
    let who = backend::audit::Who { id: "cli".into(), name: "test".into(), role: "cli".into() };
    let other = open311::create_key(&state, &who, "second").await.unwrap();
    assert_eq!(
        post(&app, "/open311/v2/requests.json", &format!("api_key={}&{WAGES_AT_HD010101}", other.key)).await.status,
        StatusCode::OK
    );
    open311::revoke_key(&state, &who, other.id).await.unwrap();
    assert_errors(
        &post(&app, "/open311/v2/requests.json", &format!("api_key={}&{WAGES_AT_HD010101}", other.key)).await,
        StatusCode::FORBIDDEN,
        &[forbidden],
    );
}

#[tokio::test]
async fn each_key_has_its_own_hourly_budget() {
    let App { router: app, state, key } = app(Limits { open311_per_hour: 2, ..Limits::default() }).await;
    let body = format!("api_key={key}&{WAGES_AT_HD010101}");
    // Every authenticated POST counts, a rejected one too: a client cannot probe without limit.
    assert_eq!(
        post(&app, "/open311/v2/requests.json", &format!("api_key={key}&service_code=rockets")).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(post(&app, "/open311/v2/requests.json", &body).await.status, StatusCode::OK);
    assert_errors(
        &post(&app, "/open311/v2/requests.json", &body).await,
        StatusCode::TOO_MANY_REQUESTS,
        &["too many requests"],
    );
    assert_errors(
        &post(&app, "/open311/v2/requests.xml", &body).await,
        StatusCode::TOO_MANY_REQUESTS,
        &["too many requests"],
    );
    // Reading is not limited by the key's budget, and another key has its own.
    assert_eq!(get(&app, "/open311/v2/requests.json").await.json().as_array().unwrap().len(), 1);
    let who = backend::audit::Who { id: "cli".into(), name: "test".into(), role: "cli".into() };
    let other = open311::create_key(&state, &who, "second").await.unwrap();
    assert_eq!(
        post(&app, "/open311/v2/requests.json", &format!("api_key={}&{WAGES_AT_HD010101}", other.key)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn reading_requests_is_limited_per_client() {
    let App { router: app, key, .. } = app(Limits { open311_reads_per_minute: 3, ..Limits::default() }).await;
    let posted = post(&app, "/open311/v2/requests.json", &format!("api_key={key}&{WAGES_AT_HD010101}")).await;
    assert_eq!(posted.status, StatusCode::OK, "a submission does not spend from the reads");
    let id = posted.json()[0]["service_request_id"].as_str().unwrap().to_owned();
    assert_eq!(get(&app, "/open311/v2/requests.json").await.status, StatusCode::OK);
    assert_eq!(get(&app, &format!("/open311/v2/requests/{id}.json")).await.status, StatusCode::OK);
    assert_eq!(get(&app, "/open311/v2/requests.xml").await.status, StatusCode::OK);
    // The fourth read in the minute: refused in the spec's error format, with when to come back.
    let r = get(&app, "/open311/v2/requests.json?status=open").await;
    assert_errors(&r, StatusCode::TOO_MANY_REQUESTS, &["too many requests from this client"]);
    assert_eq!(r.retry_after.as_deref(), Some("1"));
    // HEAD runs the same query: counted and refused as well.
    let head = send(
        &app,
        Request::head("/open311/v2/requests.json").header(header::HOST, "localhost").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(head.status, StatusCode::TOO_MANY_REQUESTS);
    let x = get(&app, &format!("/open311/v2/requests/{id}.xml")).await;
    assert_eq!(x.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(x.body.contains("<errors><error><code>429</code>"), "{}", x.body);
    // What comes from memory is not counted; submitting goes on under the key's own budget.
    assert_eq!(get(&app, "/open311/v2/discovery.json").await.status, StatusCode::OK);
    assert_eq!(get(&app, "/open311/v2/services.json").await.status, StatusCode::OK);
    assert_eq!(
        post(&app, "/open311/v2/requests.json", &format!("api_key={key}&{WAGES_AT_HD010101}")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn api_clients_send_no_origin_and_foreign_origins_are_refused() {
    let App { router: app, key, .. } = app(Limits::default()).await;
    let body = format!("api_key={key}&{WAGES_AT_HD010101}");
    // A browser on another site: the same-origin check answers before Open311 does.
    let req = Request::post("/open311/v2/requests.json")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.clone()))
        .unwrap();
    let r = send(&app, req).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::FORBIDDEN, r#"[{"code":403,"description":"cross-origin request refused"}]"#)
    );
    assert_eq!(get(&app, "/open311/v2/requests.json").await.json(), serde_json::json!([]), "nothing was stored");
    // A server-side client sends no Origin: accepted.
    let r = post(&app, "/open311/v2/requests.json", &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Reading is open to any origin.
    let req = Request::get("/open311/v2/requests.json")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::empty())
        .unwrap();
    let r = send(&app, req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json().as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_key_cli_creates_lists_and_revokes() {
    let config = config(Limits::default());
    let run = |args: &[&str]| {
        let config = config.clone();
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        async move {
            let mut out = Vec::new();
            let r = pingan_server::cli::open311_key(&config, &args, &mut out).await.map_err(|e| e.to_string());
            (r, String::from_utf8(out).unwrap())
        }
    };
    let (r, out) = run(&["create", "--name", "City app"]).await;
    r.unwrap();
    let key = out.lines().last().unwrap().to_owned();
    assert!(key.starts_with("p311_") && key.len() == 69, "{out}");
    assert!(out.contains("created Open311 API key 1 (City app)"), "{out}");
    let (r, out) = run(&["list"]).await;
    r.unwrap();
    assert!(out.starts_with("1\tCity app\tcreated ") && out.trim_end().ends_with("active"), "{out}");
    assert!(!out.contains(&key[5..]), "the key is never shown again");

    let state = build_state(&config).await.unwrap();
    let app = build_router(state.clone(), leptos_options(&config), false);
    assert_eq!(
        post(&app, "/open311/v2/requests.json", &format!("api_key={key}&{WAGES_AT_HD010101}")).await.status,
        StatusCode::OK
    );

    let (r, out) = run(&["revoke", "1"]).await;
    r.unwrap();
    assert_eq!(out, "revoked Open311 API key 1 (running servers refuse it within 10 s)\n");
    // A server that has not seen the key refuses it at once; one that has (`app` above) within
    // `KEY_CACHE_SECONDS` (backend tests move a clock through that).
    let other = build_router(build_state(&config).await.unwrap(), leptos_options(&config), false);
    assert_eq!(
        post(&other, "/open311/v2/requests.json", &format!("api_key={key}&{WAGES_AT_HD010101}")).await.status,
        StatusCode::FORBIDDEN
    );
    let (r, out) = run(&["list"]).await;
    r.unwrap();
    assert!(out.contains("\trevoked "), "{out}");
    assert_eq!(run(&["revoke", "1"]).await.0.unwrap_err(), "no active Open311 API key with id 1");
    assert!(run(&["revoke", "one"]).await.0.unwrap_err().contains("not a key id"));
    assert!(run(&["create"]).await.0.unwrap_err().contains("missing --name"));
    assert!(run(&["create", "--name", " "]).await.0.unwrap_err().contains("name:"));
    assert!(run(&[]).await.0.unwrap_err().starts_with("usage: pingan open311-key"));
    // Both key actions are in the audit log, which still verifies.
    let log = backend::store::audit::recent(&state.db.pool, None, None, None, 20).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"open311_key_create") && actions.contains(&"open311_key_revoke"), "{actions:?}");
    assert!(log.iter().filter(|e| e.action.starts_with("open311_key")).all(|e| e.actor_name == "pingan open311-key"));
    assert_eq!(backend::audit::verify(&state.db.pool).await.unwrap().first_broken, None);
}

/// Issue 13: `attribute[code]` answers the service's questions with the wizard's rules; a
/// missing or wrong one is a 400 naming it, good ones are stored for the handling unit's staff.
#[tokio::test]
async fn attributes_are_checked_and_stored() {
    let App { router: app, state, key } = app(Limits::default()).await;
    let base = format!(
        "api_key={key}&service_code=wage_arrears&lat=35.485&long=106.605&description={}",
        enc("老板拖欠三个月工资，一直推说下个月给")
    );
    for fmt in ["json", "xml"] {
        let uri = format!("/open311/v2/requests.{fmt}");
        assert_errors(
            &post(&app, &uri, &format!("{base}&attribute%5Bamount%5D=3000&attribute%5Bmonths%5D=0")).await,
            StatusCode::BAD_REQUEST,
            &[
                "attribute[employer]: Please fill in “Employer's name”",
                "attribute[months]: “Months owed” must be a number greater than 0",
            ],
        );
    }
    let body = format!(
        "{base}&attribute%5Bemployer%5D={}&attribute%5Bamount%5D={}&attribute%5Bmonths%5D=4&attribute%5Bunknown%5D=x",
        enc("戊公司"),
        enc("12,000")
    );
    let created = post(&app, "/open311/v2/requests.json", &body).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.json()[0]["service_request_id"].as_str().unwrap().to_owned();
    let ticket = domain::receipt::Ticket::parse(&id).unwrap().as_str().to_owned();
    let n = backend::auth::NewStaff {
        username: "hrss".into(),
        display_name: "人社局".into(),
        unit: "D-HD-hrss".into(),
        role: "unit_handler".into(),
        password: "correct horse battery".into(),
    };
    let hrss = backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
    let page = backend::services::work::appeal_page(&state, &hrss, &ticket).await.unwrap();
    let answers: Vec<(&str, &str)> = page.answers.iter().map(|a| (a.code.as_str(), a.value.as_str())).collect();
    assert_eq!(answers, [("employer", "戊公司"), ("amount", "12000 元"), ("months", "4 个月")]);
    let public = get(&app, &format!("/open311/v2/requests/{id}.json")).await;
    assert!(!public.body.contains("戊公司"), "never public: {}", public.body);
}
