//! Requests by route template, method and status class, with their time.
//!
//! [`Measure`] is the API router's outermost layer. Its layers apply per
//! route, after routing, so it knows the matched route's template and sees
//! the final answer, a caught panic's 500 among them. It calls the service
//! it wraps at once rather than cloning it per request (as
//! `middleware::from_fn` does): a route's service holds the whole handler
//! state. Each route's histograms are reached through [`RouteTable`]
//! without a lock once made, so that counting stays off the hot paths'
//! bill. The web app's files are counted by `web.rs` as `web_app`.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::response::Response;
use tower::{Layer, Service};

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
    index: HashMap<String, usize>,
    routes: Vec<String>,
    cells: Box<[OnceLock<LatencyHistogram>]>,
}

impl RouteTable {
    /// A table for `templates` (the API's route list), `unmatched` and `web_app`.
    pub fn new<'a>(templates: impl IntoIterator<Item = &'a str>) -> RouteTable {
        let mut routes: Vec<String> = vec![UNMATCHED.to_owned(), WEB_APP.to_owned()];
        routes.extend(templates.into_iter().map(str::to_owned));
        let index = routes
            .iter()
            .enumerate()
            .map(|(i, route)| (route.clone(), i))
            .collect();
        let cells = (0..routes.len() * METHODS.len() * STATUSES.len())
            .map(|_| OnceLock::new())
            .collect();
        RouteTable {
            index,
            routes,
            cells,
        }
    }

    /// Where `route`'s figures are kept.
    pub fn key(&self, route: &str) -> RouteKey {
        match self.index.get(route) {
            Some(&r) => RouteKey::Listed(r),
            None => RouteKey::Other(route.to_owned()),
        }
    }

    /// One answer to `method` at `route` with `status`, after `seconds`.
    pub fn record(
        &self,
        metrics: &Metrics,
        route: RouteKey,
        method: &Method,
        status: u16,
        seconds: f64,
    ) {
        let method = method_index(method);
        let status = status_index(status);
        match route {
            RouteKey::Listed(r) => {
                let cell = (r * METHODS.len() + method) * STATUSES.len() + status;
                self.cells[cell]
                    .get_or_init(|| {
                        metrics.requests.get_or_create_owned(&RequestLabels {
                            route: self.routes[r].clone(),
                            method: METHODS[method],
                            status: STATUSES[status],
                        })
                    })
                    .observe(seconds);
            }
            // A route outside the list (none today): the family's own, slower way.
            RouteKey::Other(route) => metrics.request_answered(
                &RequestLabels {
                    route,
                    method: METHODS[method],
                    status: STATUSES[status],
                },
                seconds,
            ),
        }
    }
}

/// A route in the table, or one outside it.
pub enum RouteKey {
    Listed(usize),
    Other(String),
}

/// What counting a request needs, shared by every route's layer.
pub struct Counted {
    pub metrics: SharedMetrics,
    pub table: RouteTable,
}

/// Times each request and counts it under its route (the API router's outermost layer).
#[derive(Clone)]
pub struct Measure(pub Arc<Counted>);

impl<S> Layer<S> for Measure {
    type Service = MeasureService<S>;

    fn layer(&self, inner: S) -> MeasureService<S> {
        MeasureService {
            inner,
            counted: Arc::clone(&self.0),
        }
    }
}

/// [`Measure`] around one route.
#[derive(Clone)]
pub struct MeasureService<S> {
    inner: S,
    counted: Arc<Counted>,
}

/// The answer of a wrapped service, boxed once per request.
type Answer<E> = Pin<Box<dyn Future<Output = Result<Response, E>> + Send>>;

impl<S> Service<Request> for MeasureService<S>
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
        let route = match request.extensions().get::<MatchedPath>() {
            Some(path) => self.counted.table.key(path.as_str()),
            None => self.counted.table.key(UNMATCHED),
        };
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

fn status_index(status: u16) -> usize {
    let class = status_class(status);
    STATUSES
        .iter()
        .position(|s| *s == class)
        .unwrap_or(STATUSES.len() - 1)
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

pub fn status_class(status: u16) -> &'static str {
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
