//! Hostile load (issue 9 §5), against the real router: uploads are refused before their body is
//! read or decoded when the draft is full or the upload gate is, decompression bombs are refused
//! from their header, rate limits key IPv6 clients by /64 and trust `X-Forwarded-For` only when
//! told, and HSTS is sent only over HTTPS.

use crate::common;

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use backend::config::Limits;
use backend::photos::UploadLimits;
use common::{between, get, send};
use http_body_util::BodyExt;
use pingan_server::startup::{build_router, build_state, leptos_options};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A draft started the way a browser starts one (`POST /form/appeal/new`): its token, and the
/// cookie that binds it to this "browser" (shown as the token in paths).
#[derive(Clone)]
struct Draft {
    token: String,
    cookie: String,
}

impl std::fmt::Display for Draft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.token)
    }
}

async fn new_token(app: &Router) -> Draft {
    let r = common::post_form(app, "/form/appeal/new", "category=suggestion").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let token = between(r.location.as_deref().unwrap(), "/appeal/", "/").unwrap().to_owned();
    let cookie = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
    Draft { token, cookie }
}

fn multipart(data: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----pinganHostileBoundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A PNG of one colour written row by row (a 6000 × 6000 one is a few hundred KB and never
/// exists in memory here).
fn png(w: u32, h: u32, color: png::ColorType) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(color);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().unwrap();
    let channels = match color {
        png::ColorType::Grayscale => 1,
        _ => 3,
    };
    let row = vec![90u8; w as usize * channels];
    {
        use std::io::Write;
        let mut stream = writer.stream_writer().unwrap();
        for _ in 0..h {
            stream.write_all(&row).unwrap();
        }
        stream.finish().unwrap();
    }
    writer.finish().unwrap();
    out
}

/// An upload whose body records whether the server read any of it.
fn upload(token: &Draft, data: &[u8]) -> (Request<Body>, Arc<AtomicBool>) {
    let (ct, body) = multipart(data);
    let read = Arc::new(AtomicBool::new(false));
    let flag = read.clone();
    let body = http_body_util::Full::new(Bytes::from(body)).map_frame(move |f| {
        flag.store(true, Ordering::SeqCst);
        f
    });
    (photo_post(token, ct, Body::new(body)), read)
}

/// `POST` of a multipart `body` (of content type `ct`) to the draft's photo step, from its browser.
fn photo_post(token: &Draft, ct: String, body: Body) -> Request<Body> {
    Request::post(format!("/form/appeal/{token}/photos/add"))
        .header(header::CONTENT_TYPE, ct)
        .header(header::HOST, "localhost")
        .header(header::COOKIE, &token.cookie)
        .body(body)
        .unwrap()
}

/// An upload sent in 64 KB pieces, with the count of pieces the server read and the count sent.
fn upload_in_pieces(token: &Draft, data: &[u8]) -> (Request<Body>, Arc<AtomicUsize>, usize) {
    let (ct, body) = multipart(data);
    let pieces: Vec<Bytes> = body.chunks(64 * 1024).map(Bytes::copy_from_slice).collect();
    let sent = pieces.len();
    let read = Arc::new(AtomicUsize::new(0));
    let counter = read.clone();
    let stream = futures::stream::iter(pieces.into_iter().map(move |p| {
        counter.fetch_add(1, Ordering::SeqCst);
        Ok::<_, std::convert::Infallible>(p)
    }));
    (photo_post(token, ct, Body::from_stream(stream)), read, sent)
}

/// Uploads and returns the photos step's page after the redirect.
async fn upload_and_look(app: &Router, token: &Draft, data: &[u8]) -> String {
    let (req, _) = upload(token, data);
    let r = send(app, req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{token}/photos").as_str()));
    common::get_with(app, &format!("/appeal/{token}/photos"), &token.cookie).await.body
}

async fn app_with(f: impl FnOnce(&mut pingan_server::config::Config)) -> (Router, backend::AppState) {
    let mut config = common::config(Limits::default());
    f(&mut config);
    let state = build_state(&config).await.unwrap();
    (build_router(state.clone(), leptos_options(&config), config.trust_proxy), state)
}

#[tokio::test]
async fn a_full_draft_is_refused_before_its_body_is_read() {
    let (app, _) = app_with(|_| {}).await;
    let t = new_token(&app).await;
    let small = png(40, 30, png::ColorType::Rgb);
    for _ in 0..3 {
        let page = upload_and_look(&app, &t, &small).await;
        assert!(!page.contains("class=\"error-summary\""), "a good photo is taken");
    }
    // Garbage to a full draft: "too many", not "wrong type" or "unreadable": it was never
    // decoded, and not a byte of it was read.
    let (req, read) = upload(&t, b"definitely not a picture");
    let r = send(&app, req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!read.load(Ordering::SeqCst), "the body of an upload to a full draft was read");
    let page = common::get_with(&app, &format!("/appeal/{t}/photos"), &t.cookie).await.body;
    assert!(page.contains("最多上传 3 张照片"), "{page}");
    assert!(!page.contains("只能上传 JPG") && !page.contains("无法读取"));

    // A body over the per-photo cap is cut off while reading (before the router's outer limit).
    let t2 = new_token(&app).await;
    let mut big = small.clone();
    big.resize(backend::photos::MAX_UPLOAD_BYTES + 1, 0);
    let page = upload_and_look(&app, &t2, &big).await;
    assert!(page.contains("照片太大"), "{page}");
}

#[tokio::test]
async fn the_upload_gate_answers_503_when_full() {
    let limits = UploadLimits { at_once: 1, queue: 0, wait: Duration::from_millis(300), ..UploadLimits::default() };
    let (app, state) = app_with(|c| c.uploads = limits).await;
    let t = new_token(&app).await;
    let small = png(40, 30, png::ColorType::Rgb);
    let held = state.uploads.enter().await.unwrap();
    // No queue: refused at once, with nothing of the body read.
    let (req, read) = upload(&t, &small);
    let r = send(&app, req).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers.get(header::RETRY_AFTER).unwrap(), "60");
    assert!(r.body.contains("现在上传照片的人太多") && r.body.contains("role=\"alert\""), "{}", r.body);
    assert!(!read.load(Ordering::SeqCst), "a refused upload's body was read");
    // In the resident's language.
    let (mut req, _) = upload(&t, &small);
    req.headers_mut().insert(header::COOKIE, format!("{}; lang=en", t.cookie).parse().unwrap());
    let r = send(&app, req).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.body.contains("Too many photos are being uploaded right now"));

    // With a queue: one waits, and is refused when the wait runs out.
    let (app, state) = app_with(|c| c.uploads = UploadLimits { queue: 1, ..limits }).await;
    let t = new_token(&app).await;
    let held2 = state.uploads.enter().await.unwrap();
    let start = Instant::now();
    let (req, _) = upload(&t, &small);
    let r = send(&app, req).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(start.elapsed() >= Duration::from_millis(250), "it waited for a place");
    // A place comes free while one waits: it goes through.
    let waiting = {
        let (app, t, small) = (app.clone(), t.clone(), small.clone());
        tokio::spawn(async move { upload_and_look(&app, &t, &small).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    drop(held2);
    let page = waiting.await.unwrap();
    assert!(!page.contains("class=\"error-summary\""), "{page}");
    drop(held);
}

/// Behind the reverse proxy (`PINGAN_TRUST_PROXY=1`) the proxy has the whole body already and,
/// answered while still sending it, would get a reset and show the resident a 502: so there
/// every refusal of an upload that reads nothing (busy gate, full draft, cross-origin, not
/// multipart) or stops reading (photo over its cap) has the rest read away first, and still
/// answers as without the proxy.
#[tokio::test]
async fn behind_the_proxy_a_refused_upload_is_read_to_its_end() {
    let limits = UploadLimits { at_once: 1, queue: 0, wait: Duration::from_millis(300), ..UploadLimits::default() };
    let (app, state) = app_with(|c| {
        c.uploads = limits;
        c.trust_proxy = true;
    })
    .await;
    let t = new_token(&app).await;
    let small = png(40, 30, png::ColorType::Rgb);
    let mut big = small.clone();
    big.resize(2 * 1024 * 1024, 0);

    // The busy gate: the same 503 page, the body read to its end first.
    let held = state.uploads.enter().await.unwrap();
    let (req, read, sent) = upload_in_pieces(&t, &big);
    let r = send(&app, req).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers.get(header::RETRY_AFTER).unwrap(), "60");
    assert!(r.body.contains("现在上传照片的人太多"), "{}", r.body);
    assert_eq!(read.load(Ordering::SeqCst), sent, "the busy refusal read the whole body");
    drop(held);

    // Refused before the photo code: a foreign Origin (the same-origin check's 403) and a body
    // that is not multipart (the extractor's refusal), read away all the same.
    let (mut req, read, sent) = upload_in_pieces(&t, &big);
    req.headers_mut().insert(header::ORIGIN, "http://evil.example".parse().unwrap());
    let r = send(&app, req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(read.load(Ordering::SeqCst), sent, "the cross-origin refusal read the whole body");
    let (mut req, read, sent) = upload_in_pieces(&t, &big);
    req.headers_mut().insert(header::CONTENT_TYPE, "application/octet-stream".parse().unwrap());
    let r = send(&app, req).await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert_eq!(read.load(Ordering::SeqCst), sent, "the extractor's refusal read the whole body");
    let (mut req, read, sent) = upload_in_pieces(&t, &big);
    *req.method_mut() = axum::http::Method::PUT;
    assert_eq!(send(&app, req).await.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(read.load(Ordering::SeqCst), sent, "the 405 read the whole body");
    // And for a photo added after submitting (`/form/track/photo`).
    let (mut req, read, sent) = upload_in_pieces(&t, &big);
    *req.uri_mut() = "/form/track/photo".parse().unwrap();
    req.headers_mut().insert(header::ORIGIN, "http://evil.example".parse().unwrap());
    assert_eq!(send(&app, req).await.status, StatusCode::FORBIDDEN);
    assert_eq!(read.load(Ordering::SeqCst), sent, "the track photo's refusal read the whole body");

    // A full draft: "too many", after reading it all.
    for _ in 0..3 {
        let page = upload_and_look(&app, &t, &small).await;
        assert!(!page.contains("class=\"error-summary\""), "a good photo is taken: {page}");
    }
    let (req, read, sent) = upload_in_pieces(&t, &big);
    let r = send(&app, req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(read.load(Ordering::SeqCst), sent, "the full draft's refusal read the whole body");
    let page = common::get_with(&app, &format!("/appeal/{t}/photos"), &t.cookie).await.body;
    assert!(page.contains("最多上传 3 张照片"), "{page}");

    // A photo over its cap: cut off while reading, the rest read away, "too big".
    let t2 = new_token(&app).await;
    let mut huge = small.clone();
    huge.resize(backend::photos::MAX_UPLOAD_BYTES + 16 * 1024, 0); // within the route's body limit
    let (req, read, sent) = upload_in_pieces(&t2, &huge);
    let r = send(&app, req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(read.load(Ordering::SeqCst), sent, "the over-long photo's refusal read the whole body");
    let page = common::get_with(&app, &format!("/appeal/{t2}/photos"), &t2.cookie).await.body;
    assert!(page.contains("照片太大"), "{page}");

    // Served directly (no proxy) the same refusals still read no more than they have to.
    let (app, state) = app_with(|c| c.uploads = limits).await;
    let t = new_token(&app).await;
    let held = state.uploads.enter().await.unwrap();
    let (req, read, sent) = upload_in_pieces(&t, &big);
    let r = send(&app, req).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(read.load(Ordering::SeqCst) < sent, "without the proxy a busy refusal does not read the body");
    drop(held);
    let (mut req, read, sent) = upload_in_pieces(&t, &big);
    req.headers_mut().insert(header::ORIGIN, "http://evil.example".parse().unwrap());
    assert_eq!(send(&app, req).await.status, StatusCode::FORBIDDEN);
    assert!(read.load(Ordering::SeqCst) < sent, "without the proxy a cross-origin refusal does not read the body");
}

/// "下一步" with a photo bigger than the room the draft has left: refused while it is read, and
/// the resident stays on the photos step told why. (It was taken for "no photo chosen": the
/// wizard went on and the photo was dropped without a word.)
#[tokio::test]
async fn going_on_with_a_photo_bigger_than_the_room_left_stays_on_the_step() {
    let (app, state) = app_with(|_| {}).await;
    let t = new_token(&app).await;
    // 9 MB already stored (as two large photos would be): 7 MB left, under one photo's cap.
    sqlx::query("INSERT INTO draft_photos (id, token, content_type, bytes, created_at) VALUES ($1, $2, $3, $4, 0)")
        .bind("stored-before")
        .bind(&t.token)
        .bind("image/jpeg")
        .bind(vec![0u8; 9 * 1024 * 1024])
        .execute(&state.db.pool)
        .await
        .unwrap();
    let mut big = png(40, 30, png::ColorType::Rgb);
    big.resize(8 * 1024 * 1024, 0);
    let (ct, body) = multipart(&big);
    let mut req = photo_post(&t, ct, Body::from(body));
    *req.uri_mut() = format!("/form/appeal/{t}/photos/add?next=1").parse().unwrap(); // "下一步"
    let r = send(&app, req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/photos").as_str()), "it did not go on");
    let page = common::get_with(&app, &format!("/appeal/{t}/photos"), &t.cookie).await.body;
    assert!(page.contains("这份诉求的照片总大小已到上限"), "{page}");
}

#[tokio::test]
async fn decompression_bombs_are_refused_from_their_header() {
    let (app, _) = app_with(|_| {}).await;
    let t = new_token(&app).await;
    // 6000 × 6000 RGB: 108 MB of pixels from a file of a few hundred KB; over the decode budget.
    // (Over 40 megapixels is refused outright: backend::photos' unit tests.)
    for (w, h) in [(6000, 6000)] {
        let bomb = png(w, h, png::ColorType::Rgb);
        assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());
        let start = Instant::now();
        let page = upload_and_look(&app, &t, &bomb).await;
        assert!(start.elapsed() < Duration::from_secs(3), "{w}×{h} took {:?}", start.elapsed());
        assert!(page.contains("照片像素太多"), "{page}");
    }
    // A big picture that fits the budget is decoded and shrunk.
    let gray = png(4000, 3000, png::ColorType::Grayscale);
    let page = upload_and_look(&app, &t, &gray).await;
    assert!(!page.contains("class=\"error-summary\""), "{page}");
}

/// A track lookup (`POST /form/track`) from `peer`, optionally with an `X-Forwarded-For` line per
/// entry. The credentials are made up: anything but 429 means the rate limit let it through,
/// which is reported as 200.
async fn track_from(app: &Router, peer: &str, xff: &[&str]) -> StatusCode {
    let mut req = Request::post("/form/track")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "http://localhost");
    for line in xff {
        req = req.header("x-forwarded-for", *line);
    }
    let mut req = req.body(Body::from("ticket=PA-0000-0000&key=AAAAAAAAAAAAAAAAAAAAAAAAAA")).unwrap();
    req.extensions_mut().insert(ConnectInfo(SocketAddr::new(peer.parse().unwrap(), 40000)));
    match send(app, req).await.status {
        StatusCode::TOO_MANY_REQUESTS => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::OK,
    }
}

#[tokio::test]
async fn ipv6_clients_share_a_budget_per_64_and_forged_forwarded_for_is_ignored() {
    let limits = Limits { track_per_10min: 2, ..Limits::default() };
    let config = common::config(limits);
    let state = build_state(&config).await.unwrap();
    let app = build_router(state, leptos_options(&config), false);
    // Two addresses of one /64 share one budget; the next /64 has its own.
    assert_eq!(track_from(&app, "2001:db8:1:2::1", &[]).await, StatusCode::OK);
    assert_eq!(track_from(&app, "2001:db8:1:2:ffff:ffff:ffff:fffe", &[]).await, StatusCode::OK);
    assert_eq!(track_from(&app, "2001:db8:1:2:abcd::9", &[]).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(track_from(&app, "2001:db8:1:3::1", &[]).await, StatusCode::OK);
    // Without PINGAN_TRUST_PROXY a made-up X-Forwarded-For buys no fresh budget.
    assert_eq!(track_from(&app, "198.51.100.1", &["203.0.113.1"]).await, StatusCode::OK);
    assert_eq!(track_from(&app, "198.51.100.1", &["203.0.113.2"]).await, StatusCode::OK);
    assert_eq!(track_from(&app, "198.51.100.1", &["203.0.113.3"]).await, StatusCode::TOO_MANY_REQUESTS);
    // An IPv4 client seen through an IPv4-mapped IPv6 socket is the same client.
    assert_eq!(track_from(&app, "::ffff:198.51.100.1", &[]).await, StatusCode::TOO_MANY_REQUESTS);

    // Behind our proxy: the rightmost address over all header lines is the client.
    let state = build_state(&config).await.unwrap();
    let app = build_router(state, leptos_options(&config), true);
    let proxy = "127.0.0.1";
    assert_eq!(track_from(&app, proxy, &["203.0.113.5"]).await, StatusCode::OK);
    assert_eq!(track_from(&app, proxy, &["10.9.9.9, 203.0.113.5"]).await, StatusCode::OK);
    // The client's own line first, the proxy's last: still 203.0.113.5, now over budget.
    assert_eq!(track_from(&app, proxy, &["10.1.1.1", "203.0.113.5"]).await, StatusCode::TOO_MANY_REQUESTS);
    // Garbage after it is skipped, not taken as a fresh key.
    assert_eq!(track_from(&app, proxy, &["203.0.113.5, not-an-address"]).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(track_from(&app, proxy, &["203.0.113.6"]).await, StatusCode::OK);
    // Nothing parses: the peer (the proxy) is the key.
    assert_eq!(track_from(&app, proxy, &["unknown"]).await, StatusCode::OK);
}

#[tokio::test]
async fn hsts_only_when_served_over_https() {
    let (plain, _) = app_with(|c| c.auth.secure_cookies = false).await;
    let r = get(&plain, "/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());
    let (https, _) = app_with(|c| c.auth.secure_cookies = true).await;
    for path in ["/", "/healthz", "/no/such/page"] {
        let r = get(&https, path).await;
        assert_eq!(
            r.headers.get(header::STRICT_TRANSPORT_SECURITY).unwrap(),
            "max-age=31536000; includeSubDomains",
            "{path}"
        );
    }
}
