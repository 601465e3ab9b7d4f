//! Requests by route template, method and status class, with their time.
//!
//! [`Measure`] wraps the API's whole router once, so that it also sees the
//! answers its layers make (a caught panic's 500 among them) and adds no
//! work to each route. It finds a request's route template itself, with the
//! same matcher axum routes with. Each route's histograms are then reached
//! through [`RouteTable`] without a lock, so that counting stays off the
//! hot paths' bill. The web app's files are counted by `web.rs` as
//! `web_app`.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::Request;
use axum::http::Method;
use axum::response::Response;
use tower::Service;

use super::{LatencyHistogram, Metrics, RequestLabels, SharedMetrics};

/// The route label of an address no route serves.
pub const UNMATCHED: &str = "unmatched";
/// The route label of the web app's pages and files.
pub const WEB_APP: &str = "web_app";

/// The methods with a label of their own; any other counts as `other`.
const METHODS: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "other",
];
const STATUSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// Every route's histograms by method and status class, made on first use
/// and then reached without a lock.
pub struct RouteTable {
    index: matchit::Router<usize>,
    routes: Vec<String>,
    cells: Box<[OnceLock<LatencyHistogram>]>,
}

impl RouteTable {
    /// A table for `templates` (the API's route list) and `unmatched`.
    pub fn new<'a>(templates: impl IntoIterator<Item = &'a str>) -> RouteTable {
        let mut routes: Vec<String> = vec![UNMATCHED.to_owned()];
        let mut index = matchit::Router::new();
        for template in templates {
            // The route list is axum's too, so every template inserts.
            if index.insert(template, routes.len()).is_ok() {
                routes.push(template.to_owned());
            }
        }
        let cells = (0..routes.len() * METHODS.len() * STATUSES.len())
            .map(|_| OnceLock::new())
            .collect();
        RouteTable {
            index,
            routes,
            cells,
        }
    }

    /// The route of a request for `path`: its template's place, or `unmatched`'s.
    pub fn route_of(&self, path: &str) -> usize {
        self.index.at(path).map_or(0, |found| *found.value)
    }

    /// One answer to `method` at route `route` with `status`, after `seconds`.
    pub fn record(
        &self,
        metrics: &Metrics,
        route: usize,
        method: &Method,
        status: u16,
        seconds: f64,
    ) {
        let method = method_index(method);
        let status = status_index(status);
        let cell = (route * METHODS.len() + method) * STATUSES.len() + status;
        self.cells[cell]
            .get_or_init(|| {
                metrics.requests.get_or_create_owned(&RequestLabels {
                    route: self.routes[route].clone(),
                    method: METHODS[method],
                    status: STATUSES[status],
                })
            })
            .observe(seconds);
    }
}

/// What counting a request needs.
pub struct Counted {
    pub metrics: SharedMetrics,
    pub table: RouteTable,
}

/// Times each request to the API's router and counts it under its route.
#[derive(Clone)]
pub struct Measure<S> {
    inner: S,
    counted: Arc<Counted>,
}

impl<S> Measure<S> {
    /// `inner` (the API's router), measured.
    pub fn new(inner: S, counted: Counted) -> Measure<S> {
        Measure {
            inner,
            counted: Arc::new(counted),
        }
    }
}

/// The answer of a wrapped service, boxed once per request.
type Answer<E> = Pin<Box<dyn Future<Output = Result<Response, E>> + Send>>;

impl<S> Service<Request> for Measure<S>
where
    S: Service<Request, Response = Response>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Answer<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let started = Instant::now();
        let method = request.method().clone();
        let route = self.counted.table.route_of(request.uri().path());
        let counted = Arc::clone(&self.counted);
        let answer = self.inner.call(request);
        Box::pin(async move {
            let response = answer.await?;
            counted.table.record(
                &counted.metrics,
                route,
                &method,
                response.status().as_u16(),
                started.elapsed().as_secs_f64(),
            );
            Ok(response)
        })
    }
}

fn method_index(method: &Method) -> usize {
    let name = method_label(method);
    METHODS
        .iter()
        .position(|m| *m == name)
        .unwrap_or(METHODS.len() - 1)
}

/// The place of `status`'s class in [`STATUSES`].
fn status_index(status: u16) -> usize {
    usize::from(status.clamp(100, 599) / 100) - 1
}

/// The method's name; any other than the standard ones is `other`, so a
/// client cannot make new series by inventing methods.
pub fn method_label(method: &Method) -> &'static str {
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

/// The status class label (`2xx`, …).
pub fn status_class(status: u16) -> &'static str {
    STATUSES[status_index(status)]
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
