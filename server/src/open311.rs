//! Open311 GeoReport v2 over HTTP, mounted at `/open311/v2` (docs/open311.md).
//!
//! Thin handlers: parse the path's format (`.json` or `.xml`), call one service of
//! `backend::services::open311`, and write the answer in that format. Errors follow the spec:
//! a list of `{code, description}` objects (XML: `<errors><error>…`), with 400 for bad
//! parameters, 403 for a missing, unknown or revoked API key and 404 for what does not exist.
//!
//! Clients are servers, not browsers: they send no `Origin`, which the same-origin check lets
//! through, and no cookie; nothing here needs CORS.

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Form, Router};
use backend::services::open311::{self, AttributeView, PostRequest, RequestQuery, RequestView, ServiceView, Submitted};
use backend::state::ClientIp;
use backend::{AppState, BackendError};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// When this API last changed in a way clients may care about (discovery's `changeset`).
pub const CHANGESET: &str = "2026-11-24T00:00:00+08:00";
const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

impl Format {
    /// `name.json` → (`name`, JSON); any other extension is no resource of ours.
    fn split(file: &str) -> Option<(&str, Self)> {
        let (name, ext) = file.rsplit_once('.')?;
        let f = match ext {
            "json" => Self::Json,
            "xml" => Self::Xml,
            _ => return None,
        };
        (!name.is_empty()).then_some((name, f))
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json; charset=utf-8",
            Self::Xml => "text/xml; charset=utf-8",
        }
    }
}

/// The routes, to be nested under `/open311/v2`. Handlers take the state from the `Extension`
/// layer of the main router, so this router fits any router state.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/discovery.json",
            get(|e: Extension<AppState>, h: HeaderMap| async move { discovery(&e, &h, Format::Json) }),
        )
        .route(
            "/discovery.xml",
            get(|e: Extension<AppState>, h: HeaderMap| async move { discovery(&e, &h, Format::Xml) }),
        )
        .route("/services.json", get(|e: Extension<AppState>| async move { services(&e, Format::Json) }))
        .route("/services.xml", get(|e: Extension<AppState>| async move { services(&e, Format::Xml) }))
        .route("/services/{file}", get(service_definition))
        .route(
            "/requests.json",
            get(|e: Extension<AppState>, q| async move { list(&e, q, Format::Json).await })
                .post(|e: Extension<AppState>, q, f| async move { create(&e, q, f, Format::Json).await }),
        )
        .route(
            "/requests.xml",
            get(|e: Extension<AppState>, q| async move { list(&e, q, Format::Xml).await })
                .post(|e: Extension<AppState>, q, f| async move { create(&e, q, f, Format::Xml).await }),
        )
        .route("/requests/{file}", get(request))
        .fallback(|| async {
            error(Format::Json, StatusCode::NOT_FOUND, &["no such Open311 resource; see discovery.json".to_owned()])
        })
        .layer(axum::middleware::from_fn(read_limit))
}

/// Reads of service requests (`GET requests.*`, `GET requests/{id}.*`) spend from the client's
/// budget (`Limits::open311_reads_per_minute`): each is a database query, and the API is open to
/// anyone. Over it: 429 in the spec's error format, with `Retry-After`. HEAD counts as GET.
/// Discovery and the service list come from memory and are not counted; submissions have the
/// key's own limit.
async fn read_limit(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = req.uri().path();
    // HEAD too: it runs the same query (axum answers it with the GET handler).
    let read = matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD);
    let counted = read && path.contains("/requests");
    if counted {
        let f = if path.ends_with(".xml") { Format::Xml } else { Format::Json };
        let client = req.extensions().get::<ClientIp>().map_or_else(|| "unknown".to_owned(), |c| c.0.clone());
        let allowed = match req.extensions().get::<AppState>() {
            Some(s) => s.open311_read_limiter.check(&client).await,
            None => true,
        };
        if !allowed {
            let mut res = error(
                f,
                StatusCode::TOO_MANY_REQUESTS,
                &["too many requests from this client; try again later".to_owned()],
            );
            // The budget comes back at one read per 60 / budget seconds: a second is enough.
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return res;
        }
    }
    next.run(req).await
}

// -------------------------------------------------------------------------------- handlers

/// The site's public address: `PINGAN_PUBLIC_URL` (as the receipt's QR code uses it), else the
/// request's `Host`, with https wherever cookies are marked secure (all but local development).
fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = std::env::var("PINGAN_PUBLIC_URL").ok().filter(|u| !u.trim().is_empty()) {
        return url.trim().trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)))
        .unwrap_or("localhost");
    let scheme = if state.auth.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// The spec's discovery document.
fn discovery(state: &AppState, headers: &HeaderMap, f: Format) -> Response {
    let url = format!("{}/open311/v2", public_base(state, headers));
    let contact = open311::contact(state);
    let key_service = "API keys are issued by the city's portal administrators (pingan open311-key create).";
    match f {
        Format::Json => ok(
            f,
            json!({
                "changeset": CHANGESET,
                "contact": contact,
                "key_service": key_service,
                "endpoints": [{
                    "specification": SPECIFICATION,
                    "url": url,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }],
            })
            .to_string(),
        ),
        Format::Xml => {
            let mut x = Xml::new();
            x.open("discovery");
            x.leaf("changeset", Some(CHANGESET));
            x.leaf("contact", Some(&contact));
            x.leaf("key_service", Some(key_service));
            x.open("endpoints");
            x.open("endpoint");
            x.leaf("specification", Some(SPECIFICATION));
            x.leaf("url", Some(&url));
            x.leaf("changeset", Some(CHANGESET));
            x.leaf("type", Some("production"));
            x.open("formats");
            x.leaf("format", Some("application/json"));
            x.leaf("format", Some("text/xml"));
            x.close("formats");
            x.close("endpoint");
            x.close("endpoints");
            x.close("discovery");
            ok(f, x.finish())
        }
    }
}

fn services(state: &AppState, f: Format) -> Response {
    let list = open311::services(state);
    match f {
        Format::Json => json_ok(&list),
        Format::Xml => {
            let mut x = Xml::new();
            x.open("services");
            for s in &list {
                service_xml(&mut x, s);
            }
            x.close("services");
            ok(f, x.finish())
        }
    }
}

/// `services/{code}.{format}`: the category's extra questions as attributes (issue 13); an
/// empty list for a category that asks nothing.
async fn service_definition(Extension(state): Extension<AppState>, Path(file): Path<String>) -> Response {
    let Some((code, f)) = Format::split(&file) else { return not_found_resource() };
    match open311::service_definition(&state, code) {
        Ok((s, attributes)) => match f {
            Format::Json => ok(f, json!({ "service_code": s.service_code, "attributes": attributes }).to_string()),
            Format::Xml => {
                let mut x = Xml::new();
                x.open("service_definition");
                x.leaf("service_code", Some(&s.service_code));
                if attributes.is_empty() {
                    x.empty("attributes");
                } else {
                    x.open("attributes");
                    for a in &attributes {
                        attribute_xml(&mut x, a);
                    }
                    x.close("attributes");
                }
                x.close("service_definition");
                ok(f, x.finish())
            }
        },
        Err(e) => fail(f, &e, &format!("service_code {code} not found")),
    }
}

/// One `<attribute>` as the spec's XML example writes it.
fn attribute_xml(x: &mut Xml, a: &AttributeView) {
    let flag = |b: bool| if b { "true" } else { "false" };
    x.open("attribute");
    x.leaf("variable", Some(flag(a.variable)));
    x.leaf("code", Some(&a.code));
    x.leaf("datatype", Some(a.datatype));
    x.leaf("required", Some(flag(a.required)));
    x.leaf("datatype_description", Some(&a.datatype_description));
    x.leaf("order", Some(&a.order.to_string()));
    x.leaf("description", Some(&a.description));
    if let Some(values) = &a.values {
        x.open("values");
        for v in values {
            x.open("value");
            x.leaf("key", Some(&v.key));
            x.leaf("name", Some(&v.name));
            x.close("value");
        }
        x.close("values");
    }
    x.close("attribute");
}

async fn list(state: &AppState, q: Result<Query<HashMap<String, String>>, QueryRejection>, f: Format) -> Response {
    let Ok(Query(params)) = q else {
        return error(f, StatusCode::BAD_REQUEST, &["the query string is malformed".to_owned()]);
    };
    match open311::requests(state, &RequestQuery::from_params(&params)).await {
        Ok(list) => requests_ok(f, &list),
        Err(e) => fail(f, &e, "not found"),
    }
}

/// `requests/{id}.{format}`: a list of one, as the spec has it.
async fn request(Extension(state): Extension<AppState>, Path(file): Path<String>) -> Response {
    let Some((id, f)) = Format::split(&file) else { return not_found_resource() };
    match open311::request(&state, id).await {
        Ok(r) => requests_ok(f, std::slice::from_ref(&r)),
        Err(e) => fail(f, &e, &format!("service_request_id {id} not found")),
    }
}

/// `POST requests.{format}`, form-encoded. The key may also come in the query string (the
/// spec's Swagger file puts it there); the body wins.
async fn create(
    state: &AppState,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
    f: Format,
) -> Response {
    let Ok(Form(mut params)) = form else {
        return error(f, StatusCode::BAD_REQUEST, &["the body must be application/x-www-form-urlencoded".to_owned()]);
    };
    if let (false, Ok(Query(q))) = (params.contains_key("api_key"), q) {
        if let Some(k) = q.get("api_key") {
            params.insert("api_key".into(), k.clone());
        }
    }
    match open311::submit(state, &PostRequest::from_params(&params)).await {
        Ok(s) => match f {
            Format::Json => json_ok(&[&s]),
            Format::Xml => {
                let mut x = Xml::new();
                x.open("service_requests");
                submitted_xml(&mut x, &s);
                x.close("service_requests");
                ok(f, x.finish())
            }
        },
        Err(e) => fail(f, &e, "not found"),
    }
}

// ------------------------------------------------------------------------------- responses

fn ok(f: Format, body: String) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(f.content_type()));
    res
}

fn json_ok<T: Serialize + ?Sized>(v: &T) -> Response {
    match serde_json::to_string(v) {
        Ok(body) => ok(Format::Json, body),
        Err(e) => {
            tracing::error!(error = %e, "Open311 JSON");
            error(Format::Json, StatusCode::INTERNAL_SERVER_ERROR, &["internal error".to_owned()])
        }
    }
}

fn requests_ok(f: Format, list: &[RequestView]) -> Response {
    match f {
        Format::Json => json_ok(list),
        Format::Xml => {
            let mut x = Xml::new();
            x.open("service_requests");
            for r in list {
                request_xml(&mut x, r);
            }
            x.close("service_requests");
            ok(f, x.finish())
        }
    }
}

/// The spec's error list: `[{"code": 404, "description": "…"}]`, one entry per problem.
fn error(f: Format, status: StatusCode, descriptions: &[String]) -> Response {
    let code = status.as_u16();
    let body = match f {
        Format::Json => {
            let list: Vec<_> = descriptions.iter().map(|d| json!({ "code": code, "description": d })).collect();
            serde_json::Value::Array(list).to_string()
        }
        Format::Xml => {
            let mut x = Xml::new();
            x.open("errors");
            for d in descriptions {
                x.open("error");
                x.leaf("code", Some(&code.to_string()));
                x.leaf("description", Some(d));
                x.close("error");
            }
            x.close("errors");
            x.finish()
        }
    };
    let mut res = (status, body).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(f.content_type()));
    res
}

fn not_found_resource() -> Response {
    error(Format::Json, StatusCode::NOT_FOUND, &["no such Open311 resource; see discovery.json".to_owned()])
}

/// A service error in the spec's terms; `not_found` says what was not found.
/// The status is the one every handler uses (`crate::error::status_of`); the texts are
/// GeoReport's.
fn fail(f: Format, e: &BackendError, not_found: &str) -> Response {
    let status = crate::error::status_of(e);
    let text = match e {
        BackendError::BadRequest(msgs) => return error(f, status, msgs),
        BackendError::Forbidden => "api_key is missing, unknown or revoked",
        BackendError::NotFound => not_found,
        BackendError::RateLimited => "too many requests with this api_key; try again later",
        other => {
            tracing::error!(error = %other, "Open311 request failed");
            return error(f, StatusCode::INTERNAL_SERVER_ERROR, &["internal error".to_owned()]);
        }
    };
    error(f, status, &[text.to_owned()])
}

// ------------------------------------------------------------------------------------- XML

/// Just enough XML writing for GeoReport: elements and escaped text, nothing else.
struct Xml(String);

impl Xml {
    fn new() -> Self {
        Self(String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>"))
    }
    fn open(&mut self, tag: &str) {
        self.0.push('<');
        self.0.push_str(tag);
        self.0.push('>');
    }
    fn close(&mut self, tag: &str) {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
    }
    fn empty(&mut self, tag: &str) {
        self.0.push('<');
        self.0.push_str(tag);
        self.0.push_str("/>");
    }
    /// An element with text, or empty for a null.
    fn leaf(&mut self, tag: &str, text: Option<&str>) {
        match text {
            Some(t) => {
                self.open(tag);
                self.0.push_str(&escape(t));
                self.close(tag);
            }
            None => self.empty(tag),
        }
    }
    fn finish(self) -> String {
        self.0
    }
}

/// Escapes markup characters and drops what XML 1.0 cannot carry at all (control characters
/// other than tab and line breaks, U+FFFE and U+FFFF), so no text can break the document.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn service_xml(x: &mut Xml, s: &ServiceView) {
    x.open("service");
    x.leaf("service_code", Some(&s.service_code));
    x.leaf("service_name", Some(&s.service_name));
    x.leaf("description", Some(&s.description));
    x.leaf("metadata", Some(if s.metadata { "true" } else { "false" }));
    x.leaf("type", Some(s.kind));
    x.leaf("keywords", Some(&s.keywords));
    x.leaf("group", Some(&s.group));
    x.close("service");
}

fn request_xml(x: &mut Xml, r: &RequestView) {
    x.open("request");
    x.leaf("service_request_id", Some(&r.service_request_id));
    x.leaf("status", Some(&r.status));
    x.leaf("status_notes", Some(&r.status_notes));
    x.leaf("service_name", r.service_name.as_deref());
    x.leaf("service_code", Some(&r.service_code));
    x.leaf("description", r.description.as_deref());
    x.leaf("agency_responsible", r.agency_responsible.as_deref());
    x.leaf("service_notice", r.service_notice.as_deref());
    x.leaf("requested_datetime", Some(&r.requested_datetime));
    x.leaf("updated_datetime", Some(&r.updated_datetime));
    x.leaf("expected_datetime", r.expected_datetime.as_deref());
    x.leaf("address", r.address.as_deref());
    x.leaf("lat", r.lat.map(|v| v.to_string()).as_deref());
    x.leaf("long", r.lng.map(|v| v.to_string()).as_deref());
    x.leaf("media_url", r.media_url.as_deref());
    x.close("request");
}

fn submitted_xml(x: &mut Xml, s: &Submitted) {
    x.open("request");
    x.leaf("service_request_id", Some(&s.service_request_id));
    x.leaf("service_notice", Some(&s.service_notice));
    x.leaf("account_id", s.account_id.as_deref());
    x.close("request");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_the_document_well_formed() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("ok\u{0}\u{1b}\u{FFFF}\n中文"), "ok\n中文");
        let mut x = Xml::new();
        x.open("r");
        x.leaf("d", Some("</d><evil/>"));
        x.leaf("n", None);
        x.close("r");
        assert_eq!(x.finish(), "<?xml version=\"1.0\" encoding=\"utf-8\"?><r><d>&lt;/d&gt;&lt;evil/&gt;</d><n/></r>");
    }

    #[test]
    fn formats_come_from_the_extension() {
        assert_eq!(Format::split("PA-1234-5678.json"), Some(("PA-1234-5678", Format::Json)));
        assert_eq!(Format::split("wage_arrears.xml"), Some(("wage_arrears", Format::Xml)));
        assert_eq!(Format::split("x.csv"), None);
        assert_eq!(Format::split(".json"), None);
        assert_eq!(Format::split("nothing"), None);
    }
}
