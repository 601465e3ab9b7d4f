//! A timer that belongs to a component: starting it again replaces the
//! pending call, and it is cleared when the component goes away, so a
//! callback never runs for a screen that is gone.
//!
//! The same idea as leptos-use's `use_timeout_fn`, in the few lines this app
//! needs (the page's weight matters; see README "Decisions worth knowing").

use std::sync::{Arc, Mutex};
use std::time::Duration;

use leptos::prelude::*;

/// A `Copy` handle to at most one pending call.
#[derive(Clone, Copy)]
pub struct Timeout {
    pending: StoredValue<Arc<Mutex<Option<TimeoutHandle>>>>,
}

impl Timeout {
    /// A timer with nothing pending, cleared when the current owner is cleaned up.
    pub fn new() -> Timeout {
        let pending = Arc::new(Mutex::new(None::<TimeoutHandle>));
        let on_unmount = Arc::clone(&pending);
        // The handle is held outside the reactive arena, so the cleanup finds
        // it even when the arena's values are already gone.
        on_cleanup(move || clear(&on_unmount));
        Timeout {
            pending: StoredValue::new(pending),
        }
    }

    /// Calls `run` after `delay`, instead of whatever was pending.
    pub fn start(self, delay: Duration, run: impl FnOnce() + 'static) {
        let Some(pending) = self.pending.try_get_value() else {
            return;
        };
        clear(&pending);
        let fired = Arc::clone(&pending);
        let handle = set_timeout_with_handle(
            move || {
                take(&fired);
                run();
            },
            delay,
        )
        .ok();
        let stored = pending.lock().map(|mut slot| *slot = handle);
        drop(stored);
    }

    /// Cancels the pending call, if any.
    pub fn stop(self) {
        if let Some(pending) = self.pending.try_get_value() {
            clear(&pending);
        }
    }
}

impl Default for Timeout {
    fn default() -> Timeout {
        Timeout::new()
    }
}

fn take(pending: &Mutex<Option<TimeoutHandle>>) -> Option<TimeoutHandle> {
    pending.lock().ok().and_then(|mut slot| slot.take())
}

fn clear(pending: &Mutex<Option<TimeoutHandle>>) {
    if let Some(handle) = take(pending) {
        handle.clear();
    }
}
