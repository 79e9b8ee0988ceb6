//! The photo step's upload on choice and the photos' thumbnails (issue 14) through the real
//! router: `/photo-upload.js` is served like `/offline.js`, has no words of its own (they come from
//! the page, through `Msg`), and only the photo step references it; photo lists show square
//! thumbnails (`?size=thumb`) linked to the photo.

use crate::common::browser::Browser;
use crate::common::{app, between, enc, get, get_with};
use axum::http::{header, StatusCode};
use backend::config::Limits;
use domain::{Lang, Msg};

const SCRIPT: &str = "/photo-upload.js";

fn header_of(r: &crate::common::Res, name: header::HeaderName) -> &str {
    r.headers.get(&name).map_or("", |v| v.to_str().unwrap())
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

fn multipart(data: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----pinganUploadBoundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A draft filled up to the photo step; returns its token.
async fn to_photos(app: &axum::Router, b: &mut Browser) -> String {
    let t = b.start_draft(app, "category=sanitation").await;
    let what = format!("description={}", enc("楼道里堆满了垃圾，已经一个星期没人清理"));
    let place = "district=HD&street=HD01&community=HD0101&lat=&lng=&address_note=";
    for (step, body) in [("what", what.as_str()), ("where", place)] {
        let r = b.post(app, &format!("/form/appeal/{t}/{step}"), body).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}: {}", r.body);
    }
    t
}

fn references_script(html: &str) -> bool {
    html.contains(SCRIPT)
}

#[tokio::test]
async fn the_upload_script_is_served_like_the_page_script_and_has_no_words() {
    let app = app(Limits::default()).await;
    let r = get(&app, SCRIPT).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(header_of(&r, header::CONTENT_TYPE).starts_with("text/javascript"), "{:?}", r.headers);
    assert_eq!(header_of(&r, header::CACHE_CONTROL), "no-cache");
    assert_eq!(header_of(&r, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    // The route's form, its field, a real upload with progress, the device's scaling.
    for needle in [r#"getElementById("photo-upload")"#, r#"append("photo""#, "xhr.upload", "toBlob", "image/jpeg"] {
        assert!(r.body.contains(needle), "{needle}");
    }
    // Its words come from the page: no Chinese and none of the English messages in the file.
    assert!(!r.body.chars().any(|c| ('\u{2e80}'..='\u{9fff}').contains(&c)), "no Chinese text in the script");
    for m in [Msg::UploadProgressLabel, Msg::UploadPreparing, Msg::UploadingPercent, Msg::UploadFailed] {
        assert!(!r.body.contains(m.text(Lang::En)), "{m:?}");
    }
}

#[tokio::test]
async fn only_the_photo_step_loads_the_upload_script_with_its_words_and_progress() {
    let app = app(Limits::default()).await;
    let mut b = Browser::new();
    let t = to_photos(&app, &mut b).await;
    let photos = format!("/appeal/{t}/photos");
    let page = b.get(&app, &photos).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches(SCRIPT).count(), 1, "once");
    assert!(page.body.contains(&format!(r#"<script src="{SCRIPT}" defer"#)), "a file, not inline");
    // The CSP lets files of this origin run, and nothing inline without the page's nonce.
    let csp = header_of(&page, header::CONTENT_SECURITY_POLICY);
    assert!(
        csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline'; object")
            && !csp.contains("script-src 'self' 'unsafe-inline'"),
        "{csp}"
    );
    // The form the script drives, the words it shows (from `Msg`), the server's size limit.
    let form = between(&page.body, "<form method=\"post\" enctype=\"multipart/form-data\"", ">").unwrap();
    assert!(form.contains(r#"id="photo-upload""#), "{form}");
    assert!(form.contains(&format!(r#"data-max-side="{}""#, backend::photos::MAX_SIDE)), "{form}");
    for (attr, m) in [
        ("data-preparing", Msg::UploadPreparing),
        ("data-uploading", Msg::UploadingPercent),
        ("data-failed", Msg::UploadFailed),
    ] {
        assert!(form.contains(&format!(r#"{attr}="{}""#, m.text(Lang::ZhCn))), "{attr} in {form}");
    }
    assert!(Msg::UploadingPercent.text(Lang::ZhCn).contains("{n}"), "the script fills in the percentage");
    // A labelled progress bar (hidden until a photo is being sent) and a status line read out.
    let progress = between(&page.body, r#"<div id="upload-progress""#, "</div>").unwrap();
    assert!(progress.starts_with(" hidden"), "hidden until a photo is sent: {progress}");
    assert!(
        progress.contains(&format!(r#"<label for="upload-bar">{}</label>"#, Msg::UploadProgressLabel.text(Lang::ZhCn))),
        "{progress}"
    );
    assert!(progress.contains(r#"<progress id="upload-bar" max="100">"#), "{progress}");
    assert!(page.body.contains(r#"id="upload-status" role="status""#));
    // In English, the English words.
    let cookie = format!("{}; lang=en", b.cookie_for(&photos));
    let en = get_with(&app, &photos, &cookie).await;
    assert!(en.body.contains(&format!(r#"data-uploading="{}""#, Msg::UploadingPercent.text(Lang::En))));
    assert!(en.body.contains(Msg::UploadProgressLabel.text(Lang::En)));

    // Nowhere else: the other steps, the public pages, and the photo step once it is full (no
    // file to choose).
    for step in ["category", "what", "where", "who", "check"] {
        let r = b.get(&app, &format!("/appeal/{t}/{step}")).await;
        assert_eq!(r.status, StatusCode::OK, "{step}");
        assert!(!references_script(&r.body), "{step}");
    }
    for path in ["/", "/appeal/new", "/track", "/legal", "/offline"] {
        assert!(!references_script(&get(&app, path).await.body), "{path}");
    }
    for _ in 0..3 {
        let (ct, body) = multipart(&png(40, 30));
        let r = b.post_multipart(&app, &format!("/form/appeal/{t}/photos/add"), &ct, body).await;
        assert_eq!(r.location.as_deref(), Some(photos.as_str()));
    }
    let full = b.get(&app, &photos).await;
    assert!(full.body.contains(Msg::PhotosFull.text(Lang::ZhCn)));
    assert!(!references_script(&full.body), "no file input, no script");
}

#[tokio::test]
async fn the_photo_list_shows_square_thumbnails_linked_to_the_photo() {
    let app = app(Limits::default()).await;
    let mut b = Browser::new();
    let t = to_photos(&app, &mut b).await;
    let (ct, body) = multipart(&png(2400, 1200));
    let r = b.post_multipart(&app, &format!("/form/appeal/{t}/photos/add"), &ct, body).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = b.get(&app, &format!("/appeal/{t}/photos")).await;
    let item = between(&page.body, "<ul class=\"photos\">", "</ul>").unwrap();
    let href = between(item, "<a href=\"", "\"").unwrap();
    let src = between(item, "<img src=\"", "\"").unwrap();
    assert_eq!(src, format!("{href}?size=thumb"), "{item}");
    assert!(item.contains(r#"width="160" height="160""#), "{item}");
    let decode = |bytes: &[u8]| {
        let img = image::load_from_memory(bytes).unwrap();
        (img.width(), img.height())
    };
    let thumb = b.get(&app, src).await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert_eq!(header_of(&thumb, header::CONTENT_TYPE), "image/jpeg");
    assert_eq!(header_of(&thumb, header::CACHE_CONTROL), "no-store");
    assert_eq!(decode(&thumb.bytes), (backend::photos::THUMB_SIDE, backend::photos::THUMB_SIDE));
    let photo = b.get(&app, href).await;
    assert_eq!(decode(&photo.bytes), (backend::photos::MAX_SIDE, backend::photos::MAX_SIDE / 2));
    // Another browser gets neither.
    assert_eq!(Browser::new().get(&app, src).await.status, StatusCode::NOT_FOUND);
}
