//! The load generator: one kept-alive HTTP/1.1 connection per worker on
//! hyper, as load generators such as wrk do, and bounded load runs. (Talking
//! to the API otherwise goes through `support::http`.)

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::shell::Result;

/// One answer, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One kept-alive connection.
pub struct Connection {
    addr: SocketAddr,
    sender: SendRequest<Full<Bytes>>,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> Result<Connection> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        let _ = stream.set_nodelay(true);
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("HTTP handshake with {addr}: {e}"))?;
        tokio::spawn(connection);
        Ok(Connection { addr, sender })
    }

    /// Sends a request and reads the whole answer.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Result<Answer> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.addr.to_string());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let body = match body {
            Some(text) => {
                request = request.header("content-type", "application/json");
                Full::new(Bytes::from(text.to_owned()))
            }
            None => Full::new(Bytes::new()),
        };
        let request = request
            .body(body)
            .map_err(|e| format!("building a request: {e}"))?;
        self.sender
            .ready()
            .await
            .map_err(|e| format!("connection to {}: {e}", self.addr))?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| format!("{path}: {e}"))?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| format!("{path}: reading the body: {e}"))?
            .to_bytes();
        Ok(Answer {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }
}

/// One bounded load run: how many answers, how fast, and their latencies.
pub struct LoadResult {
    pub ok: u64,
    pub failed: u64,
    /// The first unexpected answer, to explain failures.
    pub first_failure: Option<String>,
    pub elapsed: Duration,
    /// Every successful request's latency, in microseconds, sorted.
    pub latencies_us: Vec<u32>,
    pub workers: usize,
}

impl LoadResult {
    pub fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency at quantile `q` (0..=1), in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let index = ((self.latencies_us.len() - 1) as f64 * q).round() as usize;
        f64::from(self.latencies_us[index]) / 1000.0
    }
}

/// What one worker does per request: sends it on its connection and says
/// whether the answer is what was expected (else a description).
pub trait Step: Send + 'static {
    fn step(
        &mut self,
        connection: &mut Connection,
    ) -> impl std::future::Future<Output = Result<Option<String>>> + Send;
}

/// Runs `workers` (one connection each) for `warm_up`, then measures for `duration`.
pub async fn run_load<S: Step>(
    addr: SocketAddr,
    workers: Vec<S>,
    warm_up: Duration,
    duration: Duration,
) -> Result<LoadResult> {
    let count = workers.len();
    let start = Instant::now() + Duration::from_millis(50);
    let measure_from = start + warm_up;
    let deadline = measure_from + duration;
    let mut handles = Vec::new();
    for mut worker in workers {
        handles.push(tokio::spawn(async move {
            let mut connection = Connection::open(addr).await?;
            tokio::time::sleep_until(start.into()).await;
            let (mut ok, mut failed, mut first_failure, mut latencies) =
                (0u64, 0u64, None, Vec::new());
            loop {
                let sent = Instant::now();
                if sent >= deadline {
                    break;
                }
                let outcome = worker.step(&mut connection).await?;
                let done = Instant::now();
                if sent < measure_from {
                    continue;
                }
                match outcome {
                    None => {
                        ok += 1;
                        latencies.push(
                            u32::try_from(done.duration_since(sent).as_micros())
                                .unwrap_or(u32::MAX),
                        );
                    }
                    Some(failure) => {
                        failed += 1;
                        first_failure.get_or_insert(failure);
                    }
                }
            }
            Ok::<_, String>((ok, failed, first_failure, latencies))
        }));
    }
    let mut result = LoadResult {
        ok: 0,
        failed: 0,
        first_failure: None,
        elapsed: duration,
        latencies_us: Vec::new(),
        workers: count,
    };
    for handle in handles {
        let (ok, failed, first_failure, latencies) = handle
            .await
            .map_err(|e| format!("a load worker failed: {e}"))??;
        result.ok += ok;
        result.failed += failed;
        if result.first_failure.is_none() {
            result.first_failure = first_failure;
        }
        result.latencies_us.extend(latencies);
    }
    // The last requests may end a little after the deadline.
    result.elapsed = Instant::now()
        .saturating_duration_since(measure_from)
        .max(duration);
    result.latencies_us.sort_unstable();
    Ok(result)
}

/// `GET` of one address with fixed headers, expecting `expect`.
pub struct Read {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub expect: StatusCode,
}

impl Step for Read {
    async fn step(&mut self, connection: &mut Connection) -> Result<Option<String>> {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let answer = connection
            .send(Method::GET, &self.path, &headers, None)
            .await?;
        Ok((answer.status != self.expect).then(|| format!("GET {}: {}", self.path, answer.status)))
    }
}

/// An admin of one tenant switching a program on and off, each change on
/// the version the previous one returned, with an idempotency key as the
/// app sends: every `200` is one stored change (state, event, receipt).
pub struct Toggle {
    pub path: String,
    pub authorization: String,
    pub etag: String,
    pub enabled: bool,
    /// The program's current notices, accepted when switching on.
    pub notices: serde_json::Value,
    pub sequence: u64,
}

impl Step for Toggle {
    async fn step(&mut self, connection: &mut Connection) -> Result<Option<String>> {
        let enabled = !self.enabled;
        let body = if enabled {
            serde_json::json!({"enabled": true, "accept_notices": self.notices})
        } else {
            serde_json::json!({"enabled": false})
        }
        .to_string();
        self.sequence += 1;
        // Keys are per tenant, and each worker has a tenant of its own.
        let key = format!("bench-{}", self.sequence);
        let headers = [
            ("authorization", self.authorization.as_str()),
            ("if-match", self.etag.as_str()),
            ("idempotency-key", key.as_str()),
        ];
        let answer = connection
            .send(Method::PUT, &self.path, &headers, Some(&body))
            .await?;
        if answer.status != StatusCode::OK {
            return Ok(Some(format!(
                "PUT {}: {} {}",
                self.path,
                answer.status,
                String::from_utf8_lossy(&answer.body)
            )));
        }
        self.etag = answer.header("etag").unwrap_or_default().to_owned();
        self.enabled = enabled;
        Ok(None)
    }
}

/// `Bearer <token>` as a header value check (tokens are ASCII).
pub fn bearer(token: &str) -> Result<String> {
    let value = format!("Bearer {token}");
    HeaderValue::from_str(&value)
        .map_err(|_| "the token is not a valid header value".to_owned())?;
    Ok(value)
}
