//! A webhook receiver on loopback, as a subscriber runs one: it keeps every
//! request it got and answers each with a status the test chooses; and the
//! Standard Webhooks signature check a subscriber makes.

#![allow(dead_code)] // each test file uses a different part of this harness

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use chrono::{DateTime, Utc};

use super::TestServer;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    pub answered: u16,
    /// When it arrived, by the wall clock.
    pub arrived: DateTime<Utc>,
}

impl Received {
    pub fn acknowledged(&self) -> bool {
        (200..300).contains(&self.answered)
    }
}

/// The statuses to answer: `script` first, then `then`.
struct Answers {
    script: std::vec::IntoIter<u16>,
    then: u16,
}

/// What the receiver's handler shares: what it got, and the statuses to answer.
type ReceiverState = (Arc<Mutex<Vec<Received>>>, Arc<Mutex<Answers>>);

/// A webhook receiver on loopback; it serves until the test ends.
pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<Answers>>,
}

impl Receiver {
    /// Answers each request with the next status of `script`, then 204.
    pub async fn start(script: Vec<u16>) -> Receiver {
        Receiver::answering(script, 204).await
    }

    /// Answers each request with the next status of `script`, then `then`
    /// until [`Receiver::answer_from_now`] says otherwise.
    pub async fn answering(script: Vec<u16>, then: u16) -> Receiver {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let answers = Arc::new(Mutex::new(Answers {
            script: script.into_iter(),
            then,
        }));
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state((got.clone(), answers.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, got, answers }
    }

    /// Answers `status` to every request from now on (after what is left of the script).
    pub fn answer_from_now(&self, status: u16) {
        self.answers.lock().unwrap().then = status;
    }

    /// Every request so far, in the order they arrived.
    pub fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `n` requests were acknowledged (2xx), moving the
    /// in-process `server`'s clock past any backoff when given.
    pub async fn wait_for_acknowledged(
        &self,
        n: usize,
        server: Option<&TestServer>,
    ) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let acknowledged: Vec<Received> = self
                .got()
                .into_iter()
                .filter(Received::acknowledged)
                .collect();
            if acknowledged.len() >= n {
                return acknowledged;
            }
            assert!(
                Instant::now() < deadline,
                "only {} of {n} acknowledged: {:?}",
                acknowledged.len(),
                self.got()
            );
            // Retries are due by the server's clock: move it past any backoff.
            if let Some(server) = server {
                server.clock.advance(chrono::Duration::seconds(5));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The first request, once one arrived (at most 10 s).
    pub async fn wait_for_refusal(&self) -> Received {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(first) = self.got().into_iter().next() {
                // Give the server a moment to record the outcome.
                tokio::time::sleep(Duration::from_millis(300)).await;
                return first;
            }
            assert!(Instant::now() < deadline, "nothing arrived");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn receive(
    State((got, answers)): State<ReceiverState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let answered = {
        let mut answers = answers.lock().unwrap();
        let then = answers.then;
        answers.script.next().unwrap_or(then)
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    got.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: String::from_utf8_lossy(&body).into_owned(),
        answered,
        arrived: Utc::now(),
    });
    StatusCode::from_u16(answered).unwrap()
}

/// Checks a delivery's signature with the subscription's secret, as a receiver would.
pub fn verify(secret: &str, received: &Received) -> bool {
    use ring::hmac;
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let tag = base64::engine::general_purpose::STANDARD
        .decode(received.signature.strip_prefix("v1,").unwrap_or_default())
        .unwrap_or_default();
    let signed = format!("{}.{}.{}", received.id, received.timestamp, received.body);
    hmac::verify(
        &hmac::Key::new(hmac::HMAC_SHA256, &key),
        signed.as_bytes(),
        &tag,
    )
    .is_ok()
}
