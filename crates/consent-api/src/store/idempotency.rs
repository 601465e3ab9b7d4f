//! The first answer to each `Idempotency-Key`, so a retry gets it again.

use super::{storable, Store};

/// The first answer to an `Idempotency-Key`.
#[derive(Debug, Clone)]
pub struct IdempotentResponse<'a> {
    pub key: &'a str,
    pub request_hash: &'a str,
    pub status: u16,
    pub body: &'a str,
}

/// A stored answer to an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

impl Store {
    /// The stored answer to `key` for `tenant_id`, if any.
    pub async fn idempotent_response(
        &self,
        tenant_id: &str,
        key: &str,
    ) -> Result<Option<StoredResponse>, sqlx::Error> {
        if !storable(tenant_id) || !storable(key) {
            return Ok(None);
        }
        let row: Option<(String, i64, String)> = on_pool!(&self.pool, |pool| sqlx::query_as(
            "SELECT request_hash, response_status, response_body FROM idempotency_keys \
             WHERE tenant_id = $1 AND idempotency_key = $2",
        )
        .bind(tenant_id)
        .bind(key)
        .fetch_optional(pool)
        .await?);
        row.map(|(request_hash, status, body)| {
            Ok(StoredResponse {
                request_hash,
                status: u16::try_from(status).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                body,
            })
        })
        .transpose()
    }
}
