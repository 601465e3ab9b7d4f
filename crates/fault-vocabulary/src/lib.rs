//! The fault proxy's vocabulary, written once: the faults it injects (set
//! through its control port) and the record of every request it saw. The
//! proxy (`xtask/src/fault_proxy.rs`) reads and writes these types; the
//! browser tests (`tests/common/fault.rs`, in wasm) build and read the same
//! ones, so the two cannot drift apart.
//!
//! On the wire a fault is a query string (`mode=delay&ms=3000&method=GET`,
//! easy to send by hand with curl) and the record is JSON.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The control port's paths.
pub mod paths {
    /// `POST /fault?…`: switch the fault ([`super::Fault::to_query`]).
    pub const FAULT: &str = "/fault";
    /// `POST /reset`: back to passing everything, and forget what was seen.
    pub const RESET: &str = "/reset";
    /// `GET /requests`: every [`super::Seen`] request, oldest first, as JSON.
    pub const REQUESTS: &str = "/requests";
}

/// The methods a fault can be limited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Patch,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
        }
    }

    pub fn parse(name: &str) -> Option<Method> {
        [
            Method::Get,
            Method::Put,
            Method::Post,
            Method::Delete,
            Method::Patch,
        ]
        .into_iter()
        .find(|m| m.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the proxy does to the requests a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Forward (the default).
    Pass,
    /// Close the listening socket: connections are refused, as if the API were stopped.
    Refuse,
    /// Wait this many ms, then forward.
    Delay(u64),
    /// Answer this status (500 or 503) without forwarding.
    Status(u16),
    /// Forward, then close the connection without answering.
    Drop,
}

/// The statuses the proxy answers by itself.
pub const INJECTED_STATUSES: [u16; 2] = [500, 503];

/// A fault: a mode, for every request, for one method only, or for the
/// split app's chunks only (`/split_*.wasm`, `/chunk_*.wasm`). CORS
/// preflights (`OPTIONS`) are always forwarded: a fault is about the API,
/// not about the browser's permission to ask it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub mode: Mode,
    /// Only requests with this method are affected; `None` for all (always `None` with `Refuse`).
    pub method: Option<Method>,
    /// Only requests for the split app's chunks are affected.
    pub chunks_only: bool,
}

/// Whether `path` names a chunk of the split app (what `chunks_only` affects).
pub fn is_chunk_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    (name.starts_with("split_") || name.starts_with("chunk_")) && name.ends_with(".wasm")
}

impl Fault {
    /// Forward everything.
    pub const PASS: Fault = Fault {
        mode: Mode::Pass,
        method: None,
        chunks_only: false,
    };
    /// Refuse every connection.
    pub const REFUSE: Fault = Fault {
        mode: Mode::Refuse,
        method: None,
        chunks_only: false,
    };

    /// Wait `ms` before forwarding every request.
    pub fn delay(ms: u64) -> Fault {
        Fault {
            mode: Mode::Delay(ms),
            method: None,
            chunks_only: false,
        }
    }

    /// Answer `status` (500 or 503) to every request without forwarding it.
    pub fn status(status: u16) -> Fault {
        Fault {
            mode: Mode::Status(status),
            method: None,
            chunks_only: false,
        }
    }

    /// Forward every request, then drop its answer.
    pub fn drop_answer() -> Fault {
        Fault {
            mode: Mode::Drop,
            method: None,
            chunks_only: false,
        }
    }

    /// The same fault, for requests with `method` only.
    pub fn on(self, method: Method) -> Fault {
        Fault {
            method: Some(method),
            ..self
        }
    }

    /// The same fault, for the split app's chunks only.
    pub fn on_chunks(self) -> Fault {
        Fault {
            chunks_only: true,
            ..self
        }
    }

    /// What happens to a request with `method` (any name, `OPTIONS` included) for `path`.
    pub fn for_request(&self, method: &str, path: &str) -> Mode {
        let applies = !method.eq_ignore_ascii_case("OPTIONS")
            && self.method.is_none_or(|m| m.as_str() == method)
            && (!self.chunks_only || is_chunk_path(path));
        if applies {
            self.mode
        } else {
            Mode::Pass
        }
    }

    /// The control port's query: `mode=…[&ms=…][&status=…][&method=…][&only=chunks]`.
    pub fn to_query(&self) -> String {
        let mut query = match self.mode {
            Mode::Pass => "mode=pass".to_owned(),
            Mode::Refuse => "mode=refuse".to_owned(),
            Mode::Delay(ms) => format!("mode=delay&ms={ms}"),
            Mode::Status(status) => format!("mode=status&status={status}"),
            Mode::Drop => "mode=drop".to_owned(),
        };
        if let Some(method) = self.method {
            query.push_str("&method=");
            query.push_str(method.as_str());
        }
        if self.chunks_only {
            query.push_str("&only=chunks");
        }
        query
    }

    /// Reads the control port's query; an empty query is `pass`.
    pub fn from_query(query: &str) -> Result<Fault, String> {
        let param = |name: &str| {
            query.split('&').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                (key == name).then_some(value)
            })
        };
        let number = |name: &str| -> Result<u64, String> {
            param(name)
                .ok_or_else(|| format!("{name}= is missing"))?
                .parse()
                .map_err(|_| format!("{name}= must be a number"))
        };
        let mode = match param("mode").unwrap_or("pass") {
            "pass" => Mode::Pass,
            "refuse" => Mode::Refuse,
            "delay" => Mode::Delay(number("ms")?),
            "status" => match number("status")? {
                status if status < 600 && INJECTED_STATUSES.contains(&(status as u16)) => {
                    Mode::Status(status as u16)
                }
                other => return Err(format!("status={other}: only 500 and 503 are injected")),
            },
            "drop" => Mode::Drop,
            other => return Err(format!("unknown mode {other:?}")),
        };
        let method = match param("method") {
            None | Some("") => None,
            Some(name) => Some(Method::parse(name).ok_or_else(|| format!("bad method {name:?}"))?),
        };
        let chunks_only = match param("only") {
            None | Some("") => false,
            Some("chunks") => true,
            Some(other) => return Err(format!("only={other}: only chunks can be singled out")),
        };
        Ok(Fault {
            mode,
            method,
            chunks_only,
        })
    }
}

/// What the proxy did to a request it saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applied {
    Pass,
    Refuse,
    Delay,
    Status,
    Drop,
}

impl From<Mode> for Applied {
    fn from(mode: Mode) -> Applied {
        match mode {
            Mode::Pass => Applied::Pass,
            Mode::Refuse => Applied::Refuse,
            Mode::Delay(_) => Applied::Delay,
            Mode::Status(_) => Applied::Status,
            Mode::Drop => Applied::Drop,
        }
    }
}

/// One request the proxy saw (`GET /requests` answers them, oldest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seen {
    /// As sent (`OPTIONS` for CORS preflights).
    pub method: String,
    /// Path and query.
    pub path: String,
    pub idempotency_key: Option<String>,
    pub if_none_match: Option<String>,
    /// When the request arrived and when it was answered, in ms since the proxy started.
    pub started_ms: f64,
    pub ended_ms: f64,
    /// What the browser got; 0 for no answer.
    pub status: u16,
    pub fault: Applied,
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the control port's vocabulary: each mode, the method filter, and refusals.
    #[test]
    fn faults_are_read_from_the_query() {
        for (query, expected) in [
            ("mode=pass", Fault::PASS),
            ("", Fault::PASS),
            ("mode=refuse", Fault::REFUSE),
            ("mode=delay&ms=2500", Fault::delay(2500)),
            (
                "mode=status&status=503&method=PUT",
                Fault::status(503).on(Method::Put),
            ),
            ("mode=drop&method=PUT", Fault::drop_answer().on(Method::Put)),
            (
                "mode=status&status=503&only=chunks",
                Fault::status(503).on_chunks(),
            ),
        ] {
            assert_eq!(Fault::from_query(query), Ok(expected), "{query}");
        }
        for query in [
            "mode=delay",
            "mode=status&status=404",
            "mode=status&status=66036",
            "mode=explode",
            "mode=drop&method=BREW",
            "mode=status&status=503&only=css",
        ] {
            assert!(Fault::from_query(query).is_err(), "{query}");
        }
        let fault = Fault::drop_answer().on(Method::Put);
        assert_eq!(fault.for_request("PUT", "/api/v1/x"), Mode::Drop);
        assert_eq!(fault.for_request("GET", "/api/v1/x"), Mode::Pass);
        assert_eq!(Fault::status(500).for_request("OPTIONS", "/"), Mode::Pass);
        let chunks = Fault::status(503).on_chunks();
        assert_eq!(
            chunks.for_request("GET", "/split_faq_screen-0123abcd.wasm"),
            Mode::Status(503)
        );
        assert_eq!(
            chunks.for_request("GET", "/chunk_7-0123abcd.wasm"),
            Mode::Status(503)
        );
        assert_eq!(
            chunks.for_request("GET", "/tenant-settings-0123_bg.wasm"),
            Mode::Pass
        );
        assert_eq!(
            chunks.for_request("GET", "/api/v1/tenants/t/data-sharing"),
            Mode::Pass
        );
    }

    // Guards the round trip the tests rely on: what they send is what the proxy reads.
    #[test]
    fn every_fault_survives_its_query() {
        for fault in [
            Fault::PASS,
            Fault::REFUSE,
            Fault::delay(3000).on(Method::Get),
            Fault::status(500).on(Method::Put),
            Fault::status(503),
            Fault::drop_answer().on(Method::Put),
            Fault::status(503).on_chunks(),
        ] {
            assert_eq!(Fault::from_query(&fault.to_query()), Ok(fault));
        }
    }

    // Guards the request log's JSON: field names and the fault's spelling.
    #[test]
    fn the_request_log_reads_back() {
        let seen = Seen {
            method: "PUT".to_owned(),
            path: "/api/v1/tenants/t/data-sharing/copilot".to_owned(),
            idempotency_key: Some("k".to_owned()),
            if_none_match: None,
            started_ms: 1.5,
            ended_ms: 2.0,
            status: 0,
            fault: Applied::Drop,
        };
        let json = serde_json::to_value(&seen).unwrap();
        assert_eq!(json["fault"], "drop");
        assert_eq!(json["idempotency_key"], "k");
        assert_eq!(serde_json::from_value::<Seen>(json).unwrap(), seen);
    }
}
