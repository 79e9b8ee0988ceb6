//! A browser with a cookie jar, as far as the router tests need one: it keeps what `Set-Cookie`
//! says (name, value, path; `Max-Age=0` deletes) and sends back the cookies whose path matches
//! the request (RFC 6265 path-match), as a real browser does. Two `Browser`s are two people.

use super::{send, Res};
use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;

#[derive(Debug, Clone, Default)]
pub struct Browser {
    /// (name, value, path)
    jar: Vec<(String, String, String)>,
}

fn path_match(cookie_path: &str, path: &str) -> bool {
    path == cookie_path
        || (path.starts_with(cookie_path) && (cookie_path.ends_with('/') || path[cookie_path.len()..].starts_with('/')))
}

impl Browser {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The `Cookie` header this browser sends to `uri`.
    #[must_use]
    pub fn cookie_for(&self, uri: &str) -> String {
        let path = uri.split(['?', '#']).next().unwrap_or(uri);
        let mut matching: Vec<&(String, String, String)> =
            self.jar.iter().filter(|(_, _, p)| path_match(p, path)).collect();
        matching.sort_by_key(|(_, _, p)| std::cmp::Reverse(p.len()));
        matching.iter().map(|(n, v, _)| format!("{n}={v}")).collect::<Vec<_>>().join("; ")
    }

    /// Every cookie it holds (name, value, path).
    #[must_use]
    pub fn cookies(&self) -> &[(String, String, String)] {
        &self.jar
    }

    /// Takes in the `Set-Cookie` headers of a response.
    pub fn absorb(&mut self, res: &Res) {
        for v in res.headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let mut parts = v.split(';').map(str::trim);
            let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else { continue };
            let mut path = "/".to_owned();
            let mut gone = false;
            for attr in parts {
                if let Some(p) = attr.strip_prefix("Path=") {
                    p.clone_into(&mut path);
                }
                if attr == "Max-Age=0" {
                    gone = true;
                }
            }
            self.jar.retain(|(n, _, p)| !(n == name && *p == path));
            if !gone {
                self.jar.push((name.to_owned(), value.to_owned(), path));
            }
        }
    }

    pub async fn send(&mut self, app: &Router, req: Request<Body>) -> Res {
        let res = send(app, req).await;
        self.absorb(&res);
        res
    }

    pub async fn get(&mut self, app: &Router, uri: &str) -> Res {
        let req = Request::get(uri).header(header::COOKIE, self.cookie_for(uri)).body(Body::empty()).unwrap();
        self.send(app, req).await
    }

    /// A same-origin form POST with this browser's cookies.
    pub async fn post(&mut self, app: &Router, uri: &str, body: &str) -> Res {
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, "http://localhost")
            .header(header::COOKIE, self.cookie_for(uri))
            .body(Body::from(body.to_owned()))
            .unwrap();
        self.send(app, req).await
    }

    /// A same-origin multipart POST (a photo upload) with this browser's cookies.
    pub async fn post_multipart(&mut self, app: &Router, uri: &str, content_type: &str, body: Vec<u8>) -> Res {
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::HOST, "localhost")
            .header(header::COOKIE, self.cookie_for(uri))
            .body(Body::from(body))
            .unwrap();
        self.send(app, req).await
    }

    /// Starts a draft the way step 1's form does (`POST /form/appeal/new`); returns its token.
    pub async fn start_draft(&mut self, app: &Router, body: &str) -> String {
        let r = self.post(app, "/form/appeal/new", body).await;
        assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
        let loc = r.location.expect("a redirect");
        loc.strip_prefix("/appeal/").and_then(|rest| rest.split('/').next()).expect("a draft URL").to_owned()
    }
}
