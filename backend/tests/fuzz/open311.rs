//! Open311 request parameters (`backend::services::open311`): the form and query maps as the
//! server hands them over (`PostRequest::from_params`, `RequestQuery::from_params`), then
//! `submit` and `requests` against a real SQLite database with the demo city. Every parameter
//! gets hostile values — NaN, infinities, 1e308, coordinates just out of range, full-width
//! digits, lists of thousands of entries, values of 100,000 characters, dates out of every
//! range, attribute keys almost of the `attribute[code]` shape — and the answer is an accepted
//! request or a bad request whose every message names its parameter, is short whatever the
//! input, and is there exactly when the parameter is wrong. Accepted coordinates are finite, in
//! range and the ones sent (stored within a unit in the last place: SQLite reads them back from
//! JSON text); accepted list filters are obeyed.

use crate::config;
use crate::text::{hostile, short};
use backend::audit::Who;
use backend::catalog::CatalogHandle;
use backend::clock::ManualClock;
use backend::config::Limits;
use backend::db::Db;
use backend::services::import;
use backend::services::open311::{self, PostRequest, RequestQuery, MAX_CODES, MAX_REQUESTS};
use backend::store::appeals;
use backend::{AppState, BackendError};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{TestCaseResult, TestRunner};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

/// The fixed time of the fixture's clock: Wednesday 2025-06-04 09:00 in China.
fn now() -> OffsetDateTime {
    time::macros::datetime!(2025-06-04 09:00 +08:00)
}

/// A SQLite database with the demo city, an API key and a runtime to drive them; the files are
/// removed on drop.
struct Fixture {
    rt: tokio::runtime::Runtime,
    state: Option<AppState>,
    key: String,
    file: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let dir = std::env::temp_dir().join("pingan-tests");
        std::fs::create_dir_all(&dir).unwrap();
        let file: PathBuf = dir
            .join(format!("fuzz-open311-{}-{:?}.db", std::process::id(), std::thread::current().id()))
            .to_string_lossy()
            .replace(['(', ')'], "")
            .into();
        let (state, key) = rt.block_on(async {
            sqlx::any::install_default_drivers();
            let db = Db::connect(&format!("sqlite://{}?mode=rwc", file.display())).await.unwrap();
            db.migrate().await.unwrap();
            import::import(&db, &import::demo_files()).await.unwrap();
            let catalog = import::load_catalog(&db).await.unwrap();
            let limits = Limits { open311_per_hour: 1_000_000, ..Limits::default() };
            let state =
                AppState::new(db, CatalogHandle::new(catalog), limits).with_clock(Arc::new(ManualClock::new(now())));
            let who = Who { id: "fuzz".into(), name: "fuzz".into(), role: "cli".into() };
            let key = open311::create_key(&state, &who, "fuzz client").await.unwrap().key;
            (state, key)
        });
        Self { rt, state: Some(state), key, file }
    }

    fn state(&self) -> &AppState {
        self.state.as_ref().unwrap()
    }

    /// Runs `test` on `strategy`'s values; a failure panics with the shrunk input.
    fn run<S: Strategy>(&self, strategy: S, test: impl Fn(&Self, S::Value) -> TestCaseResult)
    where
        S::Value: std::fmt::Debug,
    {
        let mut runner = TestRunner::new(config());
        if let Err(e) = runner.run(&strategy, |v| test(self, v)) {
            panic!("{e}\n{runner}");
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(state) = self.state.take() {
            self.rt.block_on(state.db.pool.close());
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.file.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

// ------------------------------------------------------------------------------ values

/// The names `PostRequest` reads.
const POST_NAMES: &[&str] = &[
    "api_key",
    "service_code",
    "lat",
    "long",
    "address_string",
    "description",
    "first_name",
    "last_name",
    "phone",
    "email",
    "media_url",
];
const QUERY_NAMES: &[&str] = &["service_request_id", "service_code", "start_date", "end_date", "status"];

/// Keys of the `attribute[code]` shape and almost of it.
const ATTRIBUTE_KEYS: &[&str] = &[
    "attribute[employer]",
    "attribute[amount]",
    "attribute[months]",
    "attribute[workers]",
    "attribute[hazard]",
    "attribute[company]",
    "attribute[]",
    "attribute[amount ]",
    "attribute[ amount]",
    "attribute[amount]]",
    "attribute[[amount]",
    "attribute[amount",
    "attributeamount]",
    "Attribute[amount]",
    "attribute[amount][x]",
    "attribute[amount]x",
    "attribute",
    "attribute[]]",
];

/// Any parameter name: ours, attribute keys, near misses and hostile text.
fn any_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(POST_NAMES).prop_map(str::to_owned),
        2 => select(QUERY_NAMES).prop_map(str::to_owned),
        3 => select(ATTRIBUTE_KEYS).prop_map(str::to_owned),
        1 => select(&["LAT", "lat ", "long[]", "jurisdiction_id", "device_id", "account_id", "api_key[]"][..]).prop_map(str::to_owned),
        1 => "attribute\\[.{0,6}\\]",
        1 => short(),
    ]
}

/// Coordinates as clients send them: valid ones (within `limit`: 90 for a latitude, 180 for a
/// longitude; in the demo city and anywhere), the range limits and just past them, NaN,
/// infinities, huge and tiny numbers, forms Rust's float reader takes (`+1`, `1e1`, `inf`) and
/// ones it does not (full-width digits, decimal commas, hex).
fn coordinate(limit: f64) -> impl Strategy<Value = String> {
    prop_oneof![
        12 => (-limit..=limit).prop_map(|v| v.to_string()),
        12 => (-limit..=limit).prop_map(|v| format!("{v:.6}")),
        2 => select(&[
            "35.485", "106.605", " 35.485 ", "\t106.605\n", "90", "-90", "180", "-180", "90.0000000001",
            "-90.00000000000001", "180.00000000000003", "181", "-0", "0", "+35.4", "3.5485e1", "1e308", "-1e308",
            "1e309", "1e-400", "NaN", "nan", "inf", "-inf", "infinity", "Infinity", "１０６", "35,485", "0x23",
            "35.485.1", "", " ", "35 485", "∞", "1_000", "٣٥",
        ][..])
        .prop_map(str::to_owned),
        1 => any::<f64>().prop_map(|v| v.to_string()),
        1 => short(),
    ]
}

/// What `lat`/`long` must give, from the API's documentation: no point when both are blank, a
/// point when both are decimal numbers, finite, latitude within ±90 and longitude within ±180;
/// otherwise the location error.
fn documented_point(lat: &str, lng: &str) -> Result<Option<(f64, f64)>, ()> {
    let (lat, lng) = (lat.trim(), lng.trim());
    if lat.is_empty() && lng.is_empty() {
        return Ok(None);
    }
    let (a, o) = (lat.parse::<f64>().map_err(|_| ())?, lng.parse::<f64>().map_err(|_| ())?);
    if a.is_finite() && o.is_finite() && a.abs() <= 90.0 && o.abs() <= 180.0 {
        Ok(Some((a, o)))
    } else {
        Err(())
    }
}

const SERVICES: &[&str] =
    &["wage_arrears", "neighbor_dispute", "safety_hazard", "sanitation", "legal_aid", "suggestion"];

/// A value for each parameter of a submission, mostly valid so that many are accepted, each
/// sometimes hostile.
fn post_params(key: String) -> impl Strategy<Value = HashMap<String, String>> {
    let code = prop_oneof![
        12 => select(SERVICES).prop_map(str::to_owned),
        1 => select(&[" wage_arrears ", "WAGE_ARREARS", "wage arrears", "nope", "", "wage_arrears;--"][..]).prop_map(str::to_owned),
        1 => "[a-z_]{60,70}",
        1 => hostile(),
    ];
    let description = prop_oneof![
        10 => short().prop_map(|s| format!("楼道里堆满杂物很危险，请尽快处理{s}")),
        1 => hostile(),
        1 => Just(String::new()),
    ];
    let maybe = |s: BoxedStrategy<String>| prop_oneof![3 => Just(String::new()), 1 => s];
    let media = prop_oneof![
        4 => select(&["https://img.example.org/p/1.jpg", "HTTP://X.EXAMPLE/a", " https://x.example/a?b=c#d "][..]).prop_map(str::to_owned),
        1 => select(&["javascript:alert(1)", "https://", "ftp://x/a", "http://a b/c", "//x.example/a", "https://x.example/\u{0}"][..]).prop_map(str::to_owned),
        1 => "https://x\\.example/[a-z]{1980,2010}",
        1 => hostile(),
    ];
    let name = prop_oneof![
        6 => Just(("", "", "")),
        3 => select(&[("小明", "王", "13800138000"), ("Jane", "Doe", "0933-8000000"), (" 小明", "王 ", " 138 0013 8000 ")][..]),
        1 => select(&[("小明", "", ""), ("", "", "13800138000"), ("Jane", "Doe", "12345"), ("", "王", "110")][..]),
    ]
    .prop_map(|(f, l, p)| (f.to_owned(), l.to_owned(), p.to_owned()));
    let name = prop_oneof![15 => name, 1 => (short(), short(), short())];
    let answer = prop_oneof![
        3 => select(&["某某建筑劳务公司", "3000", "3", "120", "121", "0", "-1", "1e3", "3000.123", "NaN", "inf", "fire", "gas", ""][..]).prop_map(str::to_owned),
        1 => hostile(),
    ];
    let attributes = prop_oneof![
        3 => Just(vec![
            ("attribute[employer]".to_owned(), "某某建筑劳务公司".to_owned()),
            ("attribute[amount]".to_owned(), "3000".to_owned()),
            ("attribute[months]".to_owned(), "3".to_owned()),
        ]),
        2 => vec((select(ATTRIBUTE_KEYS).prop_map(str::to_owned), answer), 0..6),
    ];
    let extra = vec((any_key(), hostile()), 0..3);
    let key = select(vec![key.clone(), format!(" {key}\n")]);
    (
        (key, code, description, coordinate(90.0), coordinate(180.0), 0u8..12),
        (maybe(hostile().boxed()), name, maybe(media.boxed()), attributes, extra),
    )
        .prop_map(
            |(
                (key, code, description, lat, long, location),
                (address, (first, last, phone), media, attributes, extra),
            )| {
                let mut p: HashMap<String, String> = extra.into_iter().collect();
                p.insert("api_key".into(), key);
                p.insert("service_code".into(), code);
                p.insert("description".into(), description);
                // Mostly both coordinates, sometimes one, sometimes only an address.
                match location {
                    0 => {}
                    1 => {
                        p.insert("lat".into(), lat);
                    }
                    2 => {
                        p.insert("long".into(), long);
                    }
                    _ => {
                        p.insert("lat".into(), lat);
                        p.insert("long".into(), long);
                    }
                }
                for (k, v) in [
                    ("address_string", address),
                    ("first_name", first),
                    ("last_name", last),
                    ("phone", phone),
                    ("media_url", media),
                ] {
                    if !v.is_empty() {
                        p.insert(k.into(), v);
                    }
                }
                p.extend(attributes);
                p
            },
        )
}

/// The messages `submit` may give for bad parameters, by how they start.
const SUBMIT_PREFIXES: &[&str] = &[
    "service_code: ",
    "description: ",
    "address_string: ",
    "first_name/last_name: ",
    "phone: ",
    "media_url: ",
    "attribute[",
];
const LOCATION_ERROR: &str =
    "lat/long: must be WGS-84 degrees, both given, latitude within ±90 and longitude within ±180";
const NO_LOCATION: &str = "lat/long or address_string: a location is required";

/// Longest message a bad parameter may get, whatever its length: messages quote at most 40
/// characters of what the client sent, escaped (up to 10 characters each, `\u{10ffff}`).
const MESSAGE_MAX: usize = 500;

fn comma_entries(s: &str) -> Vec<&str> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty()).collect()
}

/// A plain code as the domain documents it: 1–64 ASCII letters, digits, `_`, `-`, `:`.
fn plain_code(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':'))
}

// ------------------------------------------------------------------------------ queries

/// A date-time as clients write one: RFC 3339 with any offset or `Z`, a date alone, any year
/// from 1 to 9999; or hostile text and near misses (no zone, 30 February, a week date).
fn date() -> impl Strategy<Value = (String, Option<DateValue>)> {
    let min = Date::from_calendar_date(1, time::Month::January, 2).unwrap().midnight().assume_utc().unix_timestamp();
    let max =
        Date::from_calendar_date(9999, time::Month::December, 30).unwrap().midnight().assume_utc().unix_timestamp();
    let recent = now().unix_timestamp();
    let ts = prop_oneof![3 => (recent - 200 * 86_400)..(recent + 86_400), 1 => min..max];
    let offset = prop_oneof![2 => Just(0i32), 1 => (-23 * 60 - 59)..=(23 * 60 + 59)];
    prop_oneof![
        5 => (ts.clone(), offset, any::<bool>()).prop_map(|(ts, minutes, z)| {
            let o = UtcOffset::from_whole_seconds(minutes * 60).unwrap();
            let t = OffsetDateTime::from_unix_timestamp(ts).unwrap().to_offset(o);
            let s = t.format(&Rfc3339).unwrap();
            let s = if z && minutes == 0 { s } else { s.replace('Z', "+00:00") };
            (s, Some(DateValue::Instant(ts)))
        }),
        2 => ts.prop_map(|ts| {
            let d = OffsetDateTime::from_unix_timestamp(ts).unwrap().date();
            (format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()), Some(DateValue::Day(d)))
        }),
        1 => select(&["2024-05-01T08:00:00", "2024-02-30", "2024-13-01", "yesterday", "0000-00-00", "2024-05-01T25:00:00Z", "10000-01-01", "-2024-05-01", "2024-W18-3", "\u{feff}2024-05-01"][..])
            .prop_map(|s| (s.to_owned(), None)),
        1 => short().prop_map(|s| (s, None)),
    ]
}

/// A date as the API reads it.
#[derive(Debug, Clone, Copy)]
enum DateValue {
    Instant(i64),
    Day(Date),
}

impl DateValue {
    /// The timestamp: a day alone starts at its first second in city time or, for an end,
    /// ends at its last.
    fn ts(self, end: bool) -> i64 {
        match self {
            Self::Instant(t) => t,
            Self::Day(d) => {
                let t = if end { time::Time::from_hms(23, 59, 59).unwrap() } else { time::Time::MIDNIGHT };
                d.with_time(t).assume_offset(domain::sla::CHINA).unix_timestamp()
            }
        }
    }
}

/// A comma-separated list: of valid values, of invalid ones, or of too many.
fn list(valid: &'static [&'static str], invalid: &'static [&'static str]) -> impl Strategy<Value = String> {
    let entry = prop_oneof![
        4 => select(valid).prop_map(str::to_owned),
        1 => select(invalid).prop_map(str::to_owned),
        1 => short(),
    ];
    prop_oneof![
        3 => Just(String::new()),
        4 => vec(entry, 1..5).prop_map(|v| v.join(",")),
        1 => (select(valid), 95usize..1100, select(&[",", " , ", ",,"][..])).prop_map(|(v, n, sep)| vec![v; n].join(sep)),
        1 => (1usize..1200).prop_map(|n| (0..n).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",")),
        1 => hostile(),
    ]
}

#[derive(Debug, Clone)]
struct Query {
    params: HashMap<String, String>,
    start: Option<DateValue>,
    end: Option<DateValue>,
}

fn query_params() -> impl Strategy<Value = Query> {
    let ids = prop_oneof![
        6 => Just(String::new()),
        1 => list(&["PA-7K3M-9Q2D", "pa7k3m9q2d", "PA-0000-0000"], &["PA-", "x", "PA-7K3M-9Q2D-1"]),
    ];
    let codes = list(SERVICES, &["WAGE", "wage arrears", "a;b", "网格"]);
    let status = list(&["open", "closed", "OPEN", "Closed"], &["opened", "done", "1"]);
    (ids, codes, status, proptest::option::of(date()), proptest::option::of(date()), vec((any_key(), hostile()), 0..2))
        .prop_map(|(ids, codes, status, start, end, extra)| {
            let mut params: HashMap<String, String> = extra.into_iter().collect();
            for (k, v) in [("service_request_id", ids), ("service_code", codes), ("status", status)] {
                if !v.is_empty() {
                    params.insert(k.into(), v);
                }
            }
            let (mut s, mut e) = (None, None);
            if let Some((text, v)) = start {
                params.insert("start_date".into(), text);
                s = v;
            }
            if let Some((text, v)) = end {
                params.insert("end_date".into(), text);
                e = v;
            }
            Query { params, start: s, end: e }
        })
}

const QUERY_PREFIXES: &[&str] = &["service_request_id: ", "service_code: ", "status: ", "start_date: ", "end_date: "];

// ------------------------------------------------------------------------------ tests

proptest! {
    #![proptest_config(config())]

    /// The maps the server decodes are read as sent: each named parameter is its value or empty,
    /// and the answers are exactly the `attribute[code]` keys (the code between the first `[` of
    /// the prefix and the last `]`), with their values.
    #[test]
    fn parameters_are_read_as_sent(params in btree_map(any_key(), hostile(), 0..12)) {
        let p: HashMap<String, String> = params.clone().into_iter().collect();
        let post = PostRequest::from_params(&p);
        let get = |k: &str| params.get(k).cloned().unwrap_or_default();
        let read = [
            &post.api_key, &post.service_code, &post.lat, &post.long, &post.address_string, &post.description,
            &post.first_name, &post.last_name, &post.phone, &post.email, &post.media_url,
        ];
        for (name, value) in POST_NAMES.iter().zip(read) {
            prop_assert_eq!(value, &get(name), "{}", name);
        }
        let want: BTreeMap<String, String> = params
            .iter()
            .filter(|(k, _)| k.len() >= "attribute[]".len() && k.starts_with("attribute[") && k.ends_with(']'))
            .map(|(k, v)| (k["attribute[".len()..k.len() - 1].to_owned(), v.clone()))
            .collect();
        prop_assert_eq!(&post.attributes, &want);
        let q = RequestQuery::from_params(&p);
        let read = [&q.service_request_id, &q.service_code, &q.start_date, &q.end_date, &q.status];
        for (name, value) in QUERY_NAMES.iter().zip(read) {
            prop_assert_eq!(value, &get(name), "{}", name);
        }
    }
}

/// Submissions with a valid key: accepted, or refused as a bad request (never another error)
/// with messages that each name their parameter and are short; the location error exactly when
/// `lat`/`long` are not a documented point, the missing-location one exactly when nothing locates
/// the request, an attribute's error exactly when the domain's check refuses its answer. An
/// accepted request is stored with the point sent (finite, in range) or none, and the service.
#[test]
fn submissions_are_accepted_or_refused_by_parameter() {
    let fx = Fixture::new();
    let key = fx.key.clone();
    fx.run(post_params(key), |fx, p| {
        let state = fx.state();
        let get = |k: &str| p.get(k).map_or("", String::as_str);
        let req = PostRequest::from_params(&p);
        let point = documented_point(get("lat"), get("long"));
        let got = fx.rt.block_on(open311::submit(state, &req));
        match got {
            Ok(s) => {
                prop_assert!(point.is_ok(), "accepted {:?}/{:?}", get("lat"), get("long"));
                let ticket = domain::receipt::Ticket::parse(&s.service_request_id).unwrap();
                prop_assert_eq!(s.service_request_id.len(), 12);
                let row = fx.rt.block_on(appeals::full(&state.db.pool, ticket.as_str())).unwrap().unwrap();
                prop_assert_eq!(row.category.as_str(), get("service_code").trim());
                match (row.lat, row.lng, point) {
                    (Some(lat), Some(lng), Ok(Some((a, o)))) => {
                        prop_assert!(lat.is_finite() && lng.is_finite() && lat.abs() <= 90.0 && lng.abs() <= 180.0);
                        // SQLite's group commit reads the point back from JSON text, and
                        // SQLite's text-to-double conversion may be a unit in the last place
                        // off: the point sent, within that.
                        let ulp = |x: f64, y: f64| (x - y).abs() <= 2.0 * f64::EPSILON * y.abs().max(f64::MIN_POSITIVE);
                        prop_assert!(ulp(lat, a) && ulp(lng, o), "stored {:?}, sent {:?}", (lat, lng), (a, o));
                    }
                    (None, None, Ok(None)) => prop_assert!(!get("address_string").trim().is_empty()),
                    other => prop_assert!(false, "stored {:?}", other),
                }
            }
            Err(BackendError::BadRequest(msgs)) => {
                prop_assert!(!msgs.is_empty());
                for m in &msgs {
                    prop_assert!(m.chars().count() <= MESSAGE_MAX, "{} characters: {}", m.chars().count(), m);
                    prop_assert!(
                        m == LOCATION_ERROR || m == NO_LOCATION || SUBMIT_PREFIXES.iter().any(|p| m.starts_with(p)),
                        "{}",
                        m
                    );
                }
                prop_assert_eq!(msgs.iter().any(|m| m == LOCATION_ERROR), point.is_err(), "{:?}", msgs);
                let nothing = get("lat").trim().is_empty()
                    && get("long").trim().is_empty()
                    && get("address_string").trim().is_empty();
                prop_assert_eq!(msgs.iter().any(|m| m == NO_LOCATION), nothing, "{:?}", msgs);
                let cat = state.catalog.get();
                let code = get("service_code").trim();
                if plain_code(code) && cat.category(code).is_some() {
                    let questions = cat.questions(code);
                    let want: Vec<String> = match domain::questions::check(questions, &req.attributes) {
                        Ok(_) => Vec::new(),
                        Err(es) => es.iter().map(|e| format!("attribute[{}]: ", e.code)).collect(),
                    };
                    let got: Vec<&String> = msgs.iter().filter(|m| m.starts_with("attribute[")).collect();
                    prop_assert_eq!(got.len(), want.len(), "{:?}", msgs);
                    for (g, w) in got.iter().zip(&want) {
                        prop_assert!(g.starts_with(w.as_str()), "{} for {}", g, w);
                    }
                } else {
                    prop_assert!(msgs.iter().any(|m| m.starts_with("service_code: ")), "{:?}", msgs);
                }
            }
            Err(e) => prop_assert!(false, "{:?}", e),
        }
        Ok(())
    });
}

/// Lists with any filters: the list, or a bad request whose messages each name their parameter
/// and are short. Ids are looked up whatever the other filters (at most 1000); codes and
/// statuses are checked one by one (at most 100 each), dates by ISO 8601, the start not after
/// the end; a list obeys its filters and shows no point.
#[test]
fn request_lists_are_read_or_refused_by_parameter() {
    let fx = Fixture::new();
    // Something to find: one request of each of a few services, now.
    for (i, code) in SERVICES.iter().enumerate() {
        let mut p: HashMap<String, String> = [
            ("api_key", fx.key.as_str()),
            ("service_code", code),
            ("description", "楼道里堆满杂物很危险，请尽快处理"),
            ("address_string", "东关街道"),
            ("attribute[employer]", "某某公司"),
            ("attribute[amount]", "3000"),
            ("attribute[months]", "3"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        if i.is_multiple_of(2) {
            p.insert("lat".into(), "35.485".into());
            p.insert("long".into(), "106.605".into());
        }
        fx.rt.block_on(open311::submit(fx.state(), &PostRequest::from_params(&p))).unwrap();
    }
    fx.run(query_params(), |fx, q| {
        let state = fx.state();
        let get = |k: &str| q.params.get(k).map_or("", String::as_str);
        let got = fx.rt.block_on(open311::requests(state, &RequestQuery::from_params(&q.params)));
        let ids = comma_entries(get("service_request_id"));
        let by_id = !get("service_request_id").trim().is_empty();
        match got {
            Ok(list) => {
                prop_assert!(list.len() <= MAX_REQUESTS);
                prop_assert!(!by_id || ids.len() <= MAX_REQUESTS, "{} ids accepted", ids.len());
                for r in &list {
                    prop_assert!(r.lat.is_none() && r.lng.is_none(), "{:?}", r);
                }
                if by_id {
                    return Ok(());
                }
                // Nothing that must be refused was accepted.
                let codes = comma_entries(get("service_code"));
                let statuses: Vec<String> =
                    comma_entries(get("status")).iter().map(|s| s.to_ascii_lowercase()).collect();
                prop_assert!(codes.len() <= MAX_CODES && codes.iter().all(|c| plain_code(c)), "{:?}", codes);
                prop_assert!(
                    statuses.len() <= MAX_CODES && statuses.iter().all(|s| s == "open" || s == "closed"),
                    "{:?}",
                    statuses
                );
                let dated = |name: &str, v: Option<DateValue>| v.is_some() || get(name).trim().is_empty();
                let window = (dated("start_date", q.start) && dated("end_date", q.end)).then(|| {
                    let end = q.end.map_or(now().unix_timestamp(), |e| e.ts(true));
                    (q.start.map_or(end - 90 * 86_400, |s| s.ts(false)), end)
                });
                if let Some((start, end)) = window {
                    prop_assert!(start <= end, "{} after {} accepted", start, end);
                }
                // And the list obeys the filters.
                for r in &list {
                    prop_assert!(
                        codes.is_empty() || codes.contains(&r.service_code.as_str()),
                        "{:?} for {:?}",
                        r,
                        codes
                    );
                    prop_assert!(statuses.is_empty() || statuses.contains(&r.status), "{:?} for {:?}", r, statuses);
                    if let Some((start, end)) = window {
                        let day = OffsetDateTime::parse(&r.requested_datetime, &Rfc3339).unwrap().unix_timestamp();
                        prop_assert!(
                            domain::publication::day_start(start) <= day
                                && day <= domain::publication::day_start(end) + 86_399,
                            "{} outside {}..{}",
                            r.requested_datetime,
                            start,
                            end
                        );
                    }
                }
            }
            Err(BackendError::BadRequest(msgs)) => {
                prop_assert!(!msgs.is_empty());
                for m in &msgs {
                    prop_assert!(m.chars().count() <= MESSAGE_MAX, "{} characters: {}", m.chars().count(), m);
                    prop_assert!(QUERY_PREFIXES.iter().any(|p| m.starts_with(p)), "{}", m);
                }
                if by_id {
                    prop_assert_eq!(msgs, vec![format!("service_request_id: at most {MAX_REQUESTS} values at once")]);
                    prop_assert!(ids.len() > MAX_REQUESTS);
                    return Ok(());
                }
                // Codes: one error for too many, else one per distinct code that is not plain.
                let codes = comma_entries(get("service_code"));
                let code_errors = msgs.iter().filter(|m| m.starts_with("service_code: ")).count();
                if codes.len() > MAX_CODES {
                    prop_assert_eq!(code_errors, 1);
                } else {
                    let mut bad: Vec<&str> = codes.iter().copied().filter(|c| !plain_code(c)).collect();
                    bad.sort_unstable();
                    bad.dedup();
                    prop_assert_eq!(code_errors, bad.len(), "{:?}", msgs);
                }
                let statuses = comma_entries(get("status"));
                let status_errors = msgs.iter().filter(|m| m.starts_with("status: ")).count();
                if statuses.len() > MAX_CODES {
                    prop_assert_eq!(status_errors, 1);
                } else {
                    let mut bad: Vec<&str> = statuses
                        .iter()
                        .copied()
                        .filter(|s| !matches!(s.to_ascii_lowercase().as_str(), "open" | "closed"))
                        .collect();
                    bad.sort_unstable();
                    bad.dedup();
                    prop_assert_eq!(status_errors, bad.len(), "{:?}", msgs);
                }
                // Dates that are valid are never refused as such; the order only when both read.
                let dated = |name: &str, v: Option<DateValue>| v.is_some() || get(name).trim().is_empty();
                if dated("start_date", q.start) && dated("end_date", q.end) {
                    let end = q.end.map_or(now().unix_timestamp(), |e| e.ts(true));
                    let start = q.start.map_or(end - 90 * 86_400, |s| s.ts(false));
                    let order = msgs.iter().any(|m| m == "start_date: must not be after end_date");
                    prop_assert_eq!(order, start > end, "{:?}", msgs);
                    prop_assert!(msgs.iter().all(|m| !m.starts_with("end_date: ")), "{:?}", msgs);
                    prop_assert!(
                        msgs.iter().all(|m| !m.starts_with("start_date: ") || m.ends_with("after end_date")),
                        "{:?}",
                        msgs
                    );
                }
            }
            Err(e) => prop_assert!(false, "{:?}", e),
        }
        Ok(())
    });
}
