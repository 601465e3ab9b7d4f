//! A webhook receiver on loopback: a real HTTP server that records each
//! delivery with when it arrived, and answers with a status the caller can
//! change (a consumer that is down answers 503, then recovers).

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;

use crate::shell::Result;

/// One delivery as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub at: Instant,
    /// The `webhook-id` header.
    pub id: String,
    pub body: Value,
}

/// The receiver; it stops when dropped.
pub struct WebhookReceiver {
    /// Where to subscribe it: `http://127.0.0.1:<port>/hook`.
    pub url: String,
    status: Arc<AtomicU16>,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl WebhookReceiver {
    /// Listens on a free loopback port, answering 204.
    pub async fn start() -> Result<WebhookReceiver> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("the webhook receiver cannot listen: {e}"))?;
        let port = listener
            .local_addr()
            .map_err(|e| format!("the webhook receiver's port: {e}"))?
            .port();
        let status = Arc::new(AtomicU16::new(204));
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let task = tokio::spawn({
            let (status, received) = (Arc::clone(&status), Arc::clone(&received));
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let (status, received) = (Arc::clone(&status), Arc::clone(&received));
                    tokio::spawn(async move {
                        let service = service_fn(move |request| {
                            record(request, Arc::clone(&status), Arc::clone(&received))
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            }
        });
        Ok(WebhookReceiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            status,
            received,
            task,
        })
    }

    /// From now on, answers every delivery with `status`.
    pub fn answer_with(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// Every delivery so far, in arrival order (refused ones included).
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(
    request: Request<Incoming>,
    status: Arc<AtomicU16>,
    received: Arc<Mutex<Vec<Received>>>,
) -> std::result::Result<Response<Full<Bytes>>, hyper::Error> {
    let at = Instant::now();
    let id = request
        .headers()
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = request.into_body().collect().await?.to_bytes();
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if let Ok(mut received) = received.lock() {
        received.push(Received { at, id, body });
    }
    let status = StatusCode::from_u16(status.load(Ordering::SeqCst)).unwrap_or(StatusCode::OK);
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    Ok(response)
}
