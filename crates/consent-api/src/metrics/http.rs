//! Requests by route template, method and status class, with their time.
//!
//! Two layers: [`remember_route`] sits inside the API's router, where the
//! matched route is known, and leaves its template on the response;
//! [`measure`] wraps everything (the web app's files too) and so also sees
//! the answers the outer layers make, a caught panic's 500 among them.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use super::{RequestLabels, SharedMetrics};

/// The API route that answered: its template, or `None` for an address no route serves.
#[derive(Clone)]
struct ApiRoute(Option<MatchedPath>);

/// Inside the API's router: notes which route answered.
pub async fn remember_route(request: Request, next: Next) -> Response {
    let route = ApiRoute(request.extensions().get::<MatchedPath>().cloned());
    let mut response = next.run(request).await;
    response.extensions_mut().insert(route);
    response
}

/// Around everything: times the request and counts it under its route.
pub async fn measure(
    State(metrics): State<SharedMetrics>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let response = next.run(request).await;
    let route = match response.extensions().get::<ApiRoute>() {
        Some(ApiRoute(Some(path))) => path.as_str().to_owned(),
        Some(ApiRoute(None)) => "unmatched".to_owned(),
        // The API's router did not answer: the web app did.
        None => "web_app".to_owned(),
    };
    let labels = RequestLabels {
        route,
        method,
        status: status_class(response.status().as_u16()),
    };
    metrics.request_answered(&labels, started.elapsed().as_secs_f64());
    response
}

/// The method's name; any other than the standard ones is `other`, so a
/// client cannot make new series by inventing methods.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the label lists: a few values each, whatever a client sends.
    #[test]
    fn labels_come_from_short_lists() {
        for (status, class) in [
            (101, "1xx"),
            (204, "2xx"),
            (304, "3xx"),
            (429, "4xx"),
            (503, "5xx"),
        ] {
            assert_eq!(status_class(status), class);
        }
        let invented = Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&invented), "other");
        assert_eq!(method_label(&Method::PUT), "PUT");
    }
}
