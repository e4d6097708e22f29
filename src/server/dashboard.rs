//! The web dashboard (issue 20): one HTML page, a stylesheet and a script,
//! compiled into the binary and served at `/` and `/ui/*`. The page only
//! renders what the JSON API returns; everything it shows or changes goes
//! through `/api/v1/*` with the operator's token (kept in the browser's
//! session storage), so it adds no second way in.
//!
//! The assets themselves carry no data and are served without a token (the
//! login form must load before there is one); the Host and Origin checks of
//! [`super::guard`] apply to them as to every route. A Content Security
//! Policy allows only these same-origin files: no inline script, no other
//! origin, no framing.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::AppState;

const INDEX: &str = include_str!("dashboard/index.html");
const STYLE: &str = include_str!("dashboard/app.css");
const SCRIPT: &str = include_str!("dashboard/app.js");

/// What the page may load: its own files and API, SVG drawn by the script.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'none'; \
     frame-ancestors 'none'; base-uri 'none'";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|| async { asset(INDEX, "text/html; charset=utf-8") }),
        )
        .route(
            "/ui/app.css",
            get(|| async { asset(STYLE, "text/css; charset=utf-8") }),
        )
        .route(
            "/ui/app.js",
            get(|| async { asset(SCRIPT, "text/javascript; charset=utf-8") }),
        )
}

/// Whether `path` is one of the dashboard's files (served without a token).
pub fn is_asset(path: &str) -> bool {
    matches!(path, "/" | "/ui/app.css" | "/ui/app.js")
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Revalidate each load: a new binary serves new files at the same URLs.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}
