//! One read from the consent API as a resource: keyed on the signals its
//! request reads (the route's parameters), waiting for sign-in, saying when
//! the server is slow, and trying again after 1 s, 2 s, 4 s, … when waiting
//! can help.
//!
//! Built on `LocalResource`, which runs one request at a time and keeps only
//! the answer to the newest, so no screen counts its requests by hand.

use std::future::Future;

use gloo_net::http::Request;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{ReadTrouble, Retry, Timeout, SLOW_AFTER};
use crate::api::{ApiClient, ApiError};
use crate::session::{use_session, Session, SignIn};

/// What a read has to show.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadState<T> {
    /// Waiting for sign-in or for the server.
    Loading,
    /// The last try failed (and may be tried again by itself).
    Failed(ApiError),
    /// The server's answer.
    Ready(T),
}

/// A `Copy` handle to one read of the page.
pub struct Read<T: 'static> {
    /// `None` inside while sign-in is still pending.
    answer: LocalResource<Option<Result<T, ApiError>>>,
    /// A request (or a renewed sign-in) is on its way.
    fetching: RwSignal<bool>,
    /// The request on its way has waited a while.
    slow: RwSignal<bool>,
    retry: Retry,
    session: Session,
}

impl<T> Clone for Read<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Read<T> {}

/// Starts a read: `request` is called with the signed-in client and the
/// tenant, and again whenever a signal it reads (outside its `async` block)
/// changes, like the anchors' resources keyed on route parameters.
pub fn use_read<T, Fut>(request: impl Fn(ApiClient, String) -> Fut + 'static) -> Read<T>
where
    T: Clone + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let session = use_session();
    let fetching = RwSignal::new(true);
    let slow = RwSignal::new(false);
    let slow_timer = Timeout::new();
    let answer = LocalResource::new(move || {
        let sign_in = session.sign_in();
        let sent =
            matches!(sign_in, SignIn::Ready).then(|| request(session.client(), session.tenant()));
        async move {
            match (sign_in, sent) {
                (SignIn::Failed(error), _) => {
                    fetching.try_set(false);
                    Some(Err(error))
                }
                (_, None) => None,
                (_, Some(sent)) => {
                    fetching.try_set(true);
                    slow_timer.start(SLOW_AFTER, move || {
                        slow.try_set(true);
                    });
                    let answer = sent.await;
                    slow_timer.stop();
                    slow.try_set(false);
                    fetching.try_set(false);
                    Some(answer)
                }
            }
        }
    });
    let read = Read {
        answer,
        fetching,
        slow,
        retry: Retry::new(),
        session,
    };
    let again = Callback::new(move |()| read.retry());
    Effect::new(move |_| {
        answer.with(|answer| match answer {
            Some(Some(Err(error))) => read.retry.failed(error.clone(), again),
            Some(Some(Ok(_))) => read.retry.succeeded(),
            _ => {}
        })
    });
    read
}

/// Asks for the requests `requests` builds (with the signed-in client, for
/// the tenant) once sign-in allows, ahead of the read that will send them:
/// a lazy screen's route calls it while the screen's code is on its way
/// (see `crate::api::ApiClient::ask_early`). The signals `requests` reads
/// are read once, as they stand then.
pub fn ask_early(requests: impl Fn(&ApiClient, &str) -> Vec<Result<Request, ApiError>> + 'static) {
    let session = use_session();
    Effect::new(move |asked: Option<bool>| {
        if asked == Some(true) || !matches!(session.sign_in(), SignIn::Ready) {
            return asked == Some(true);
        }
        let client = session.client();
        // A request that cannot be built is left to the read, which says why.
        for request in untrack(|| requests(&client, &session.tenant()))
            .into_iter()
            .flatten()
        {
            client.ask_early(request);
        }
        true
    });
}

impl<T: Clone + 'static> Read<T> {
    /// What to show now (tracked).
    pub fn state(self) -> ReadState<T> {
        if self.fetching.get() {
            return ReadState::Loading;
        }
        match self.answer.get() {
            Some(Some(Ok(value))) => ReadState::Ready(value),
            Some(Some(Err(error))) => ReadState::Failed(error),
            _ => ReadState::Loading,
        }
    }

    /// The answer, once it is there (tracked).
    pub fn value(self) -> Option<T> {
        match self.state() {
            ReadState::Ready(value) => Some(value),
            _ => None,
        }
    }
}

impl<T: 'static> Read<T> {
    /// Whether the answer is there (tracked).
    pub fn is_ready(self) -> bool {
        !self.fetching.get() && self.answer.with(|a| matches!(a, Some(Some(Ok(_)))))
    }

    /// Which part of the page to show (tracked; changes only when that does).
    pub fn phase(self) -> ReadState<()> {
        if self.fetching.get() {
            return ReadState::Loading;
        }
        self.answer.with(|answer| match answer {
            Some(Some(Ok(_))) => ReadState::Ready(()),
            Some(Some(Err(error))) => ReadState::Failed(error.clone()),
            _ => ReadState::Loading,
        })
    }

    /// The failure and the countdown to the next try, if the last try failed (tracked).
    pub fn trouble(self) -> Option<ReadTrouble> {
        self.retry.trouble()
    }

    /// Whether the request on its way has waited a while (tracked).
    pub fn slow(self) -> bool {
        self.slow.get()
    }

    /// Tries again now; signs in again first if that is what failed.
    pub fn retry(self) {
        self.retry.cancel();
        self.fetching.try_set(true);
        if matches!(self.session.sign_in_untracked(), SignIn::Failed(_)) {
            let session = self.session;
            // Signing in again changes the sign-in state, which runs the request again.
            spawn_local(async move { session.renew().await });
        } else {
            self.answer.refetch();
        }
    }
}

/// What the failure and slow notices need of a read, whichever kind it is.
#[derive(Clone, Copy)]
pub struct ReadStatus {
    /// The last failure and the countdown to the next try (tracked).
    pub trouble: Signal<Option<ReadTrouble>>,
    /// Whether the request on its way has waited a while (tracked).
    pub slow: Signal<bool>,
    /// Tries again now.
    pub retry: Callback<()>,
}

impl<T: 'static> From<Read<T>> for ReadStatus {
    fn from(read: Read<T>) -> ReadStatus {
        ReadStatus {
            trouble: Signal::derive(move || read.trouble()),
            slow: Signal::derive(move || read.slow()),
            retry: Callback::new(move |()| read.retry()),
        }
    }
}

impl<T: Clone + 'static> Read<T> {
    /// The answer, if there is one, read without tracking.
    pub fn value_untracked(self) -> Option<T> {
        self.answer
            .try_with_untracked(|answer| match answer {
                Some(Some(Ok(value))) => Some(value.clone()),
                _ => None,
            })
            .flatten()
    }
}
