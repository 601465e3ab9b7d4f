//! A fault-injecting HTTP proxy for the browser tests: it stands in front of
//! the real consent API and, switched at runtime through a control port,
//! passes requests through, refuses connections (the API is stopped), delays
//! them, answers 500 or 503 itself, or forwards a request and then drops the
//! answer (the change may be stored, the browser never hears of it).
//!
//! Every request it sees is recorded (method, path, `Idempotency-Key`,
//! `If-None-Match`, start and end time, status), so tests can count retries
//! and prove that a change is sent once per key.
//!
//! Control port (CORS open, so the browser tests call it directly):
//!
//! | request | effect |
//! | --- | --- |
//! | `POST /fault?mode=pass` | forward everything (the default) |
//! | `POST /fault?mode=refuse` | close the listening socket: connections are refused |
//! | `POST /fault?mode=delay&ms=N` | wait N ms, then forward |
//! | `POST /fault?mode=status&status=503` | answer 500 or 503 without forwarding |
//! | `POST /fault?mode=drop` | forward, then close the connection without answering |
//! | `…&method=PUT` | the fault applies to that method only (not with `refuse`) |
//! | `…&only=chunks` | the fault applies to the split app's chunks only (not with `refuse`) |
//! | `GET /requests` | the recorded requests, as JSON, oldest first |
//! | `POST /reset` | back to `pass`, and forget the recorded requests |
//!
//! CORS preflights (`OPTIONS`) are always forwarded: a fault is about the
//! API, not about the browser's permission to ask it.
//!
//! The faults and the request record are typed once, in
//! `crates/fault-vocabulary`, for this proxy and for the browser tests.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use fault_vocabulary::{paths, Applied, Fault, Mode, Seen};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONNECTION, CONTENT_TYPE, HOST};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;

use crate::shell::Result;

/// `cargo xtask fault-proxy`'s command line.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The consent API to stand in front of: http://IP:PORT
    #[arg(long, env = "CONSENT_FAULT_UPSTREAM")]
    pub upstream: String,
    /// Where the browser reaches the API through the proxy (port 0: a free one)
    #[arg(long, env = "CONSENT_FAULT_BIND", default_value = "127.0.0.1:0")]
    pub bind: String,
    /// Where tests switch faults and read what was seen (port 0: a free one)
    #[arg(long, env = "CONSENT_FAULT_CONTROL", default_value = "127.0.0.1:0")]
    pub control: String,
}

struct Shared {
    upstream: SocketAddr,
    epoch: Instant,
    fault: watch::Sender<Fault>,
    log: Mutex<Vec<Seen>>,
}

impl Shared {
    fn now_ms(&self) -> f64 {
        self.epoch.elapsed().as_secs_f64() * 1000.0
    }

    fn record(&self, entry: Seen) {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(entry);
    }
}

/// A running proxy; stopped when dropped.
pub struct FaultProxy {
    /// Where the browser sends API requests: `http://127.0.0.1:PORT`.
    pub url: String,
    /// Where tests switch faults: `http://127.0.0.1:PORT`.
    pub control_url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FaultProxy {
    /// Starts a proxy in front of `upstream` (`http://127.0.0.1:PORT`) on free loopback ports.
    pub fn start(upstream: &str) -> Result<FaultProxy> {
        FaultProxy::start_on(upstream, "127.0.0.1:0", "127.0.0.1:0")
    }

    /// Starts a proxy on the given addresses (port 0 for a free one).
    pub fn start_on(upstream: &str, bind: &str, control: &str) -> Result<FaultProxy> {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .map_err(|e| format!("the upstream must be http://IP:PORT ({upstream}): {e}"))?;
        let bind: SocketAddr = bind
            .parse()
            .map_err(|e| format!("bad proxy address {bind}: {e}"))?;
        let control: SocketAddr = control
            .parse()
            .map_err(|e| format!("bad control address {control}: {e}"))?;
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
        let thread = std::thread::spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = ready_tx.send(Err(format!("cannot start the proxy's runtime: {e}")));
                    return;
                }
            };
            runtime.block_on(async move {
                match serve(upstream, bind, control).await {
                    Ok((addresses, task)) => {
                        let _ = ready_tx.send(Ok(addresses));
                        tokio::select! {
                            _ = task => {}
                            _ = stop_rx => {}
                        }
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            });
        });
        let (proxy, control) = ready_rx
            .recv_timeout(Duration::from_secs(10))
            .map_err(|_| "the fault proxy did not start".to_owned())??;
        Ok(FaultProxy {
            url: format!("http://{proxy}"),
            control_url: format!("http://{control}"),
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// Runs until the process is interrupted.
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `cargo xtask fault-proxy --upstream URL [--bind ADDR] [--control ADDR]`.
pub fn command(args: Args) -> Result {
    let proxy = FaultProxy::start_on(&args.upstream, &args.bind, &args.control)?;
    println!(
        "fault proxy on {} (control on {}) in front of {}",
        proxy.url, proxy.control_url, args.upstream
    );
    proxy.wait();
    Ok(())
}

type Task = std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;

/// Binds both ports and returns their addresses and the task serving them.
async fn serve(
    upstream: SocketAddr,
    bind: SocketAddr,
    control: SocketAddr,
) -> Result<((SocketAddr, SocketAddr), Task)> {
    let listener = listen(bind).map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let proxy_addr = listener
        .local_addr()
        .map_err(|e| format!("proxy address: {e}"))?;
    let control_listener = TcpListener::bind(control)
        .await
        .map_err(|e| format!("cannot listen on {control}: {e}"))?;
    let control_addr = control_listener
        .local_addr()
        .map_err(|e| format!("control address: {e}"))?;
    let (fault, _) = watch::channel(Fault::PASS);
    let shared = Arc::new(Shared {
        upstream,
        epoch: Instant::now(),
        fault,
        log: Mutex::new(Vec::new()),
    });
    let proxy_task = proxy_loop(Arc::clone(&shared), listener, proxy_addr);
    let control_task = control_loop(shared, control_listener);
    let task: Task = Box::pin(async move {
        tokio::join!(proxy_task, control_task);
    });
    Ok(((proxy_addr, control_addr), task))
}

/// A listening socket that can be closed and bound again on the same port at once.
fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(128)
}

/// Accepts proxied connections while the fault is not `refuse`; in `refuse`
/// the socket is closed, so the browser's connections are refused as if
/// the API were stopped, and opened again on the same port afterwards.
async fn proxy_loop(shared: Arc<Shared>, first: TcpListener, addr: SocketAddr) {
    let mut faults = shared.fault.subscribe();
    let mut listener = Some(first);
    loop {
        let refusing = faults.borrow_and_update().mode == Mode::Refuse;
        match (&listener, refusing) {
            (Some(_), true) => listener = None,
            (None, false) => match listen(addr) {
                Ok(open) => listener = Some(open),
                Err(e) => {
                    eprintln!("fault proxy: cannot listen on {addr} again: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ => {}
        }
        match &listener {
            Some(open) => {
                tokio::select! {
                    accepted = open.accept() => {
                        if let Ok((stream, _)) = accepted {
                            tokio::spawn(proxy_connection(Arc::clone(&shared), stream));
                        }
                    }
                    changed = faults.changed() => {
                        if changed.is_err() {
                            return;
                        }
                    }
                }
            }
            None => {
                if faults.changed().await.is_err() {
                    return;
                }
            }
        }
    }
}

async fn proxy_connection(shared: Arc<Shared>, stream: TcpStream) {
    let service = service_fn(move |request| proxy_request(Arc::clone(&shared), request));
    // One request per connection: a browser never re-sends a request on its
    // own after a dropped answer on a fresh connection, so what the proxy
    // records is what the app sent.
    let _ = hyper::server::conn::http1::Builder::new()
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Why the proxy closes a connection without answering.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("answer dropped by the fault proxy")
    }
}

impl std::error::Error for Dropped {}

async fn proxy_request(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> std::result::Result<Response<Full<Bytes>>, Dropped> {
    let started_ms = shared.now_ms();
    let mode = shared
        .fault
        .borrow()
        .for_request(request.method().as_str(), request.uri().path());
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut entry = Seen {
        method: request.method().to_string(),
        path: request
            .uri()
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.to_string()),
        idempotency_key: header("idempotency-key"),
        if_none_match: header("if-none-match"),
        started_ms,
        ended_ms: started_ms,
        status: 0,
        fault: Applied::from(mode),
    };
    let origin = header("origin");
    let outcome = match mode {
        Mode::Refuse => {
            // A connection accepted just before the socket closed: as if refused.
            Err(Dropped)
        }
        Mode::Status(status) => Ok(injected_error(status, origin.as_deref())),
        Mode::Delay(ms) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            forward(&shared, request).await
        }
        Mode::Drop => {
            let _ = forward(&shared, request).await;
            Err(Dropped)
        }
        Mode::Pass => forward(&shared, request).await,
    };
    entry.ended_ms = shared.now_ms();
    if let Ok(response) = &outcome {
        entry.status = response.status().as_u16();
    }
    shared.record(entry);
    outcome
}

/// Sends `request` to the consent API on a fresh connection and reads its whole answer.
async fn forward(
    shared: &Shared,
    request: Request<Incoming>,
) -> std::result::Result<Response<Full<Bytes>>, Dropped> {
    let (mut parts, body) = request.into_parts();
    let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
    let stream = TcpStream::connect(shared.upstream)
        .await
        .map_err(|_| Dropped)?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|_| Dropped)?;
    tokio::spawn(connection);
    if let Ok(host) = HeaderValue::from_str(&shared.upstream.to_string()) {
        parts.headers.insert(HOST, host);
    }
    parts.headers.remove(CONNECTION);
    let response = sender
        .send_request(Request::from_parts(parts, Full::new(body)))
        .await
        .map_err(|_| Dropped)?;
    let (mut parts, body) = response.into_parts();
    let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
    parts.headers.remove(CONNECTION);
    Ok(Response::from_parts(parts, Full::new(body)))
}

/// The answer of a failing API behind a gateway, readable cross-origin.
fn injected_error(status: u16, origin: Option<&str>) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": "injected by the fault proxy",
        "code": "internal",
    })
    .to_string();
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if let Some(origin) = origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        headers.insert("access-control-allow-origin", origin);
        headers.insert("vary", HeaderValue::from_static("origin"));
    }
    response
}

async fn control_loop(shared: Arc<Shared>, listener: TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let shared = Arc::clone(&shared);
                async move { Ok::<_, std::convert::Infallible>(control_request(&shared, &request)) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn control_request(shared: &Shared, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let query = request.uri().query().unwrap_or("");
    let (status, body) = match (request.method(), request.uri().path()) {
        (&Method::OPTIONS, _) => (StatusCode::NO_CONTENT, String::new()),
        (&Method::POST, paths::FAULT) => match Fault::from_query(query) {
            Ok(fault) => {
                shared.fault.send_replace(fault);
                (StatusCode::OK, format!("{fault:?}"))
            }
            Err(e) => (StatusCode::BAD_REQUEST, e),
        },
        (&Method::POST, paths::RESET) => {
            shared.fault.send_replace(Fault::PASS);
            shared
                .log
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clear();
            (StatusCode::OK, "reset".to_owned())
        }
        (&Method::GET, paths::REQUESTS) => (StatusCode::OK, requests_json(shared)),
        _ => (StatusCode::NOT_FOUND, "unknown control request".to_owned()),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST"),
    );
    headers.insert("cache-control", HeaderValue::from_static("no-store"));
    response
}

fn requests_json(shared: &Shared) -> String {
    let log = shared.log.lock().unwrap_or_else(PoisonError::into_inner);
    serde_json::to_string(&*log).unwrap_or_else(|_| "[]".to_owned())
}
