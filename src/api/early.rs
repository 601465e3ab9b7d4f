//! Answers asked for ahead of the code that reads them.
//!
//! A screen whose code is a chunk of the split build asks for its first
//! answers the moment its address is known (see `crate::screens`), while
//! the chunk is still on its way. When the screen's own read then sends the
//! same request, it takes the answer already coming instead of asking again,
//! so the code and the data travel side by side.
//!
//! An answer is taken once, and only within [`TAKEN_WITHIN_MS`] of being
//! asked for: a read that comes later (the code took long, or the person
//! went elsewhere and back) asks afresh and never shows a stale answer.

use std::cell::RefCell;

use futures::channel::oneshot;
use gloo_net::http::{Request, Response};
use wasm_bindgen_futures::spawn_local;

use super::{ApiClient, ApiError};

/// How long an answer asked for early waits for its read.
const TAKEN_WITHIN_MS: f64 = 10_000.0;

struct Asked {
    /// What the request asks for: method, address and the headers that choose the answer.
    key: String,
    /// When it was asked for (ms since the epoch).
    at: f64,
    answer: oneshot::Receiver<Result<Response, ApiError>>,
}

thread_local! {
    static ASKED: RefCell<Vec<Asked>> = const { RefCell::new(Vec::new()) };
}

/// The same key for the same request, wherever it was built.
fn key(request: &Request) -> String {
    let headers = request.headers();
    let header = |name: &str| headers.get(name).unwrap_or_default();
    format!(
        "{} {} accept={} accept-language={}",
        request.method(),
        request.url(),
        header("accept"),
        header("accept-language")
    )
}

/// Forgets the answers nobody took in time.
fn forget_old(asked: &mut Vec<Asked>, now: f64) {
    asked.retain(|a| now - a.at < TAKEN_WITHIN_MS);
}

impl ApiClient {
    /// Sends `request` now and keeps its answer for the next read that sends
    /// the same request (within [`TAKEN_WITHIN_MS`]).
    pub fn ask_early(&self, request: Request) {
        let (answer, receiver) = oneshot::channel();
        let key = key(&request);
        let client = self.clone();
        spawn_local(async move {
            let _ = answer.send(client.send_now(request).await);
        });
        let now = js_sys::Date::now();
        ASKED.with(|asked| {
            let mut asked = asked.borrow_mut();
            forget_old(&mut asked, now);
            asked.push(Asked {
                key,
                at: now,
                answer: receiver,
            });
        });
    }
}

/// The answer asked for early to a request like `request`, once it is here;
/// `None` when there is none (or it is too old, or was taken).
pub(super) async fn take(request: &Request) -> Option<Result<Response, ApiError>> {
    let now = js_sys::Date::now();
    let receiver = ASKED.with(|asked| {
        let mut asked = asked.borrow_mut();
        forget_old(&mut asked, now);
        if asked.is_empty() {
            return None;
        }
        let key = key(request);
        let found = asked.iter().position(|a| a.key == key)?;
        Some(asked.remove(found).answer)
    })?;
    receiver.await.ok()
}
