//! Webhook delivery: where a subscription may point (no requests into the
//! operator's own network), how a message is signed (Standard Webhooks),
//! and the worker that sends the outbox, retries with backoff and jitter,
//! and dead-letters what cannot be delivered.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use consent_core::Timestamp;
use ring::rand::SecureRandom;

use crate::metrics::DeliveryOutcome;
use crate::state::AppState;
use crate::store::webhooks::{Attempt, DueDelivery, DEAD, DELIVERED, PENDING};

/// How long one attempt may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed delivery is held before another worker may take it:
/// an attempt's time and room to record it. A process killed mid-attempt
/// holds up that subscriber's deliveries for the tenant this long, no more.
const CLAIM: Duration = Duration::from_secs(20);
/// Retries stop this long after the change: the delivery is dead-lettered.
const RETRY_WINDOW_DAYS: i64 = 3;
/// The longest wait between two attempts.
const MAX_BACKOFF_SECS: u64 = 3600;
/// How often the worker looks for due deliveries when nothing woke it.
const IDLE: Duration = Duration::from_millis(200);
/// Deliveries sent at once.
const BATCH: u32 = 32;

/// Why a webhook URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DestinationError {
    #[error("the url is not an absolute http(s) address")]
    NotAUrl,
    #[error("the url must use https")]
    NotHttps,
    #[error("the url must not carry a user name or password")]
    Credentials,
    #[error("the url's host cannot be resolved")]
    Unresolvable,
    #[error("the url's host resolves to {0}, an address on a private, loopback, link-local or otherwise internal network")]
    Internal(IpAddr),
}

/// Checks `url` as a webhook destination and answers the addresses to
/// connect to (connecting only to these keeps a later DNS answer from
/// pointing the request elsewhere). `loopback` (development mode) allows
/// this machine, over http too.
pub async fn check_destination(
    url: &str,
    loopback: bool,
) -> Result<(reqwest::Url, Vec<SocketAddr>), DestinationError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| DestinationError::NotAUrl)?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(DestinationError::NotAUrl);
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(DestinationError::Credentials);
    }
    let host = parsed.host_str().ok_or(DestinationError::NotAUrl)?;
    let port = parsed
        .port_or_known_default()
        .ok_or(DestinationError::NotAUrl)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| DestinationError::Unresolvable)?
        .collect();
    if addresses.is_empty() {
        return Err(DestinationError::Unresolvable);
    }
    for address in &addresses {
        let ip = canonical(address.ip());
        if ip.is_loopback() && loopback {
            continue;
        }
        if is_internal(ip) {
            return Err(DestinationError::Internal(ip));
        }
    }
    let all_loopback = addresses.iter().all(|a| canonical(a.ip()).is_loopback());
    if parsed.scheme() == "http" && !(loopback && all_loopback) {
        return Err(DestinationError::NotHttps);
    }
    Ok((parsed, addresses))
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is checked as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// Addresses a webhook must never reach: loopback, private, link-local
/// (the cloud metadata service among them), shared, unspecified,
/// broadcast, multicast, documentation and reserved ranges.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240 // reserved
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local (fd00:ec2::254, a metadata address, among them)
        || (first & 0xffc0) == 0xfe80 // link-local
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || ip.to_ipv4().is_some_and(|v4| ip.segments()[..6] == [0; 6] && is_internal_v4(v4))
}

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system's random number generator");
    format!("whsec_{}", STANDARD.encode(bytes))
}

/// The `webhook-signature` of a message (Standard Webhooks):
/// `v1,<base64 HMAC-SHA256 of "id.timestamp.body" under the secret's bytes>`.
pub fn signature(secret: &str, id: &str, timestamp: u64, body: &str) -> Option<String> {
    let key_bytes = STANDARD.decode(secret.strip_prefix("whsec_")?).ok()?;
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key_bytes);
    let tag = ring::hmac::sign(&key, format!("{id}.{timestamp}.{body}").as_bytes());
    Some(format!("v1,{}", STANDARD.encode(tag.as_ref())))
}

/// Sends due deliveries until the task is aborted: woken by this process's
/// commits, and looking again every 200 ms for other processes'.
pub fn spawn_deliverer(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let woken = state.store.feed_changed();
            tokio::pin!(woken);
            woken.as_mut().enable();
            let sent = match deliver_due(&state).await {
                Ok(sent) => sent,
                Err(error) => {
                    tracing::warn!(%error, "cannot read the webhook outbox");
                    0
                }
            };
            if sent == 0 {
                tokio::select! {
                    () = woken => {}
                    () = tokio::time::sleep(IDLE) => {}
                }
            }
        }
    })
}

/// Sends what is due now; how many were attempted.
pub async fn deliver_due(state: &AppState) -> Result<usize, sqlx::Error> {
    let now = state.now();
    let due = state.store.due_deliveries(now, BATCH).await?;
    let claim_until = now + chrono::Duration::from_std(CLAIM).unwrap_or_default();
    let mut claimed = Vec::with_capacity(due.len());
    for delivery in due {
        if state
            .store
            .claim_delivery(&delivery.id, now, claim_until)
            .await?
        {
            claimed.push(delivery);
        }
    }
    let count = claimed.len();
    let attempts = claimed
        .into_iter()
        .map(|delivery| attempt(state, delivery, now));
    for outcome in futures_util::future::join_all(attempts).await {
        outcome?;
    }
    Ok(count)
}

async fn attempt(
    state: &AppState,
    delivery: DueDelivery,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let started = Instant::now();
    // Development mode may deliver to loopback receivers.
    let sent = send(&delivery, state.dev).await;
    let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let created = chrono::DateTime::parse_from_rfc3339(&delivery.created_at)
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or(now);
    let expired = now - created > chrono::Duration::days(RETRY_WINDOW_DAYS);
    let retry_at = now + chrono::Duration::seconds(backoff_secs(delivery.attempts + 1) as i64);
    let outcome = match sent {
        Ok(status) if (200..300).contains(&status) => Attempt {
            status: DELIVERED,
            next_attempt_at: now,
            last_status: Some(status),
            last_error: None,
            latency_ms,
        },
        Ok(status) => {
            // 4xx is the receiver's final word, except "timeout" and "slow down".
            let final_refusal = (400..500).contains(&status) && status != 408 && status != 429;
            Attempt {
                status: if final_refusal || expired {
                    DEAD
                } else {
                    PENDING
                },
                next_attempt_at: retry_at,
                last_status: Some(status),
                last_error: Some(format!("answered {status}")),
                latency_ms,
            }
        }
        Err(SendError::Refused(why)) => Attempt {
            status: DEAD,
            next_attempt_at: now,
            last_status: None,
            last_error: Some(why),
            latency_ms,
        },
        Err(SendError::Failed(why)) => Attempt {
            status: if expired { DEAD } else { PENDING },
            next_attempt_at: retry_at,
            last_status: None,
            last_error: Some(why),
            latency_ms,
        },
    };
    if outcome.status != DELIVERED {
        tracing::info!(delivery = %delivery.id, subscription = %delivery.subscription_id, status = outcome.status, error = ?outcome.last_error, "webhook not delivered");
    }
    let recorded = state
        .store
        .record_attempt(&delivery.id, &outcome, now)
        .await;
    state.metrics.delivery_attempted(
        &delivery.subscription_id,
        match outcome.status {
            DELIVERED => DeliveryOutcome::Delivered,
            DEAD => DeliveryOutcome::Dead,
            _ => DeliveryOutcome::Retrying,
        },
    );
    recorded
}

enum SendError {
    /// The destination is not allowed (any more): never retried.
    Refused(String),
    /// The request failed (connection, timeout): retried.
    Failed(String),
}

/// Posts the delivery, signed, to its subscription's checked address.
async fn send(delivery: &DueDelivery, loopback: bool) -> Result<u16, SendError> {
    let (url, addresses) =
        check_destination(&delivery.url, loopback)
            .await
            .map_err(|e| match e {
                DestinationError::Unresolvable => SendError::Failed(e.to_string()),
                other => SendError::Refused(other.to_string()),
            })?;
    let host = url.host_str().unwrap_or_default().to_owned();
    let client = reqwest::Client::builder()
        .timeout(ATTEMPT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .resolve_to_addrs(&host, &addresses)
        .build()
        .map_err(|e| SendError::Failed(e.to_string()))?;
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let signature = signature(&delivery.secret, &delivery.id, timestamp, &delivery.body)
        .ok_or_else(|| SendError::Refused("the subscription's secret is malformed".to_owned()))?;
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &delivery.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(delivery.body.clone())
        .send()
        .await
        .map_err(|e| SendError::Failed(without_url(&e)))?;
    Ok(response.status().as_u16())
}

/// A request error without the URL (it may carry a token in its query).
fn without_url(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    }
}

/// Seconds before attempt `n + 1` after `n` failed ones: doubling from 1 s
/// up to an hour, each with up to ±50% jitter (so receivers that fail
/// together are not retried together).
fn backoff_secs(attempts: i64) -> u64 {
    let base = 1u64 << attempts.clamp(0, 12);
    let base = base.min(MAX_BACKOFF_SECS);
    let mut byte = [0u8; 1];
    let _ = ring::rand::SystemRandom::new().fill(&mut byte);
    let jitter = 0.5 + f64::from(byte[0]) / 255.0;
    ((base as f64 * jitter).round() as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the addresses a webhook may never reach.
    #[test]
    fn internal_addresses_are_refused() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
        ] {
            let ip: IpAddr = internal.parse().unwrap();
            assert!(is_internal(canonical(ip)), "{internal}");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }

    // Guards the Standard Webhooks signature against the specification's example.
    #[test]
    fn signatures_follow_standard_webhooks() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        assert!(signature("not-a-secret", "id", 1, "{}").is_none());
        assert!(new_secret().starts_with("whsec_"));
        assert_ne!(new_secret(), new_secret());
    }

    // Guards the backoff: it grows, stays within an hour, never zero.
    #[test]
    fn backoff_grows_with_jitter_up_to_an_hour() {
        for attempts in 0..40 {
            let secs = backoff_secs(attempts);
            let base = (1u64 << attempts.clamp(0, 12)).min(MAX_BACKOFF_SECS);
            assert!(
                secs >= (base / 2).max(1) && secs <= base * 3 / 2 + 1,
                "{attempts}: {secs}"
            );
        }
    }

    // Guards the destinations: https outside development, no internal
    // addresses, no credentials; loopback http in development only.
    #[tokio::test]
    async fn destinations_are_checked() {
        let refused = [
            ("http://example.com/hook", false),
            ("https://127.0.0.1/hook", false),
            ("https://169.254.169.254/latest/meta-data", false),
            ("https://10.0.0.7/hook", false),
            ("https://[::1]:8443/hook", false),
            ("https://user:pass@127.0.0.1/hook", true),
            ("ftp://127.0.0.1/hook", true),
            ("not a url", true),
            ("https://10.0.0.7/hook", true),
        ];
        for (url, loopback) in refused {
            assert!(
                check_destination(url, loopback).await.is_err(),
                "{url} loopback={loopback}"
            );
        }
        for url in ["http://127.0.0.1:9/hook", "https://localhost:9/hook"] {
            assert!(check_destination(url, true).await.is_ok(), "{url}");
        }
    }
}
