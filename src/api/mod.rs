//! The typed client of the consent API (`shared/design/api.md`).
//!
//! Every HTTP request the app makes goes through [`ApiClient`]. Failures come
//! back as one [`ApiError`], whose variants say what a person needs to know
//! (and so which next step the page offers), not which layer failed.

mod early;
mod error;
mod request;
mod response;
#[cfg(test)]
mod tests;
mod token;

use std::fmt;
use std::sync::Arc;

use consent_core::deletion::{DeletionCertificate, TenantDeletions};
use consent_core::notice::diff::NoticeDiff;
use consent_core::{
    ChangeRequest, ConsentReceipt, DataSharingDocument, DevTokenRequest, DevTokenResponse,
    HistoryPage, NoticeDocument, NoticeRef, NoticeVersionSummary, ProgramId, PropagationDocument,
    Role, Tenant, Timestamp,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;

use error::error_from;
use request::{encode, send, with_json, without_body};
use response::{read_json, versioned};

pub use error::{retry_after_seconds, ApiError};
pub use request::new_idempotency_key;
pub use response::{file_name_from_disposition, parse_receipt, TextFile};
pub use token::{AsyncTokenFn, TokenFn, TokenFuture};

/// A strong entity tag of a tenant's data-sharing document (`"7-2.1.1"`), sent
/// back as `If-Match`, or as `If-None-Match` to read it again only if it changed.
pub type ETag = String;

/// The consent API client: a base URL and how to authenticate.
///
/// Cheap to clone; every request reads the token afresh, so a token provider
/// supplied by a host portal can rotate tokens without re-creating the client.
#[derive(Clone)]
pub struct ApiClient {
    base_url: Arc<str>,
    token: Option<AsyncTokenFn>,
    /// Ask the token function again once when the server answers 401.
    renew_on_401: bool,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("base_url", &self.base_url)
            .field("authenticated", &self.token.is_some())
            .finish()
    }
}

impl ApiClient {
    /// A client without credentials. `base_url` is the server's origin
    /// (`http://127.0.0.1:3000`), or empty for the page's own origin.
    pub fn new(base_url: &str) -> ApiClient {
        ApiClient {
            base_url: Arc::from(base_url.trim_end_matches('/')),
            token: None,
            renew_on_401: false,
        }
    }

    /// `GET /api/v1/tenants/{tenant}/data-sharing`: the tenant's settings and their version tag.
    pub async fn get_data_sharing(
        &self,
        tenant: &str,
    ) -> Result<(DataSharingDocument, ETag), ApiError> {
        let request = Request::get(&self.data_sharing_url(tenant, None));
        versioned(self.send(without_body(request)?).await?).await
    }

    /// `GET /api/v1/tenants/{tenant}/data-sharing` with `If-None-Match: etag`:
    /// `None` when the settings tagged `etag` are still current (304, no body).
    pub async fn get_data_sharing_if_changed(
        &self,
        tenant: &str,
        etag: &str,
    ) -> Result<Option<(DataSharingDocument, ETag)>, ApiError> {
        let request =
            Request::get(&self.data_sharing_url(tenant, None)).header("If-None-Match", etag);
        let response = self.exchange(without_body(request)?).await?;
        match response.status() {
            304 => Ok(None),
            _ if response.ok() => versioned(response).await.map(Some),
            _ => Err(error_from(response).await),
        }
    }

    /// `PUT /api/v1/tenants/{tenant}/data-sharing/{program}`: change one program, if the
    /// stored settings are still at `if_match`. Returns the whole updated document.
    ///
    /// Sending the same `idempotency_key` again (a retry after a lost answer)
    /// returns the first result instead of changing anything twice.
    pub async fn change_program(
        &self,
        tenant: &str,
        program: ProgramId,
        change: &ChangeRequest,
        if_match: &str,
        idempotency_key: Option<&str>,
    ) -> Result<(DataSharingDocument, ETag), ApiError> {
        let mut request = Request::put(&self.data_sharing_url(tenant, Some(program)))
            .header("If-Match", if_match);
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        versioned(self.send(with_json(request, change)?).await?).await
    }

    /// `GET /api/v1/tenants/{tenant}/data-sharing/propagation`: how many
    /// connected systems acknowledged each program's latest change.
    pub async fn get_propagation(&self, tenant: &str) -> Result<PropagationDocument, ApiError> {
        let url = format!("{}/propagation", self.data_sharing_url(tenant, None));
        read_json(self.send(without_body(Request::get(&url))?).await?).await
    }

    /// `GET /api/v1/notices/{id}`: the current version of a notice, in
    /// `language` (a BCP 47 tag) when it is published in it, else in English;
    /// the document's `language` says which.
    pub async fn get_notice(&self, id: &str, language: &str) -> Result<NoticeDocument, ApiError> {
        read_json(self.send(self.notice_request(id, language)?).await?).await
    }

    /// The request of [`ApiClient::get_notice`].
    pub fn notice_request(&self, id: &str, language: &str) -> Result<Request, ApiError> {
        let url = format!("{}/api/v1/notices/{}", self.base_url, encode(id));
        without_body(Request::get(&url).header("Accept-Language", language))
    }

    /// `GET /api/v1/tenants/{tenant}/data-sharing/history`: one page of the consent
    /// history, newest first. `cursor` is the `next_cursor` of the page before;
    /// `limit` defaults to the server's page size.
    pub async fn get_history(
        &self,
        tenant: &str,
        program: Option<ProgramId>,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<HistoryPage, ApiError> {
        let request = self.history_request(tenant, program, limit, cursor)?;
        read_json(self.send(request).await?).await
    }

    /// The request of [`ApiClient::get_history`].
    pub fn history_request(
        &self,
        tenant: &str,
        program: Option<ProgramId>,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<Request, ApiError> {
        let limit = limit.map(|n| n.to_string());
        let url = self.history_url(
            tenant,
            "history",
            &[
                ("program", program.map(ProgramId::as_str)),
                ("limit", limit.as_deref()),
                ("cursor", cursor),
            ],
        );
        without_body(Request::get(&url))
    }

    /// `GET /api/v1/notices/{id}/versions/{version}`: one published version
    /// of a notice, in `language` (a BCP 47 tag) when it is published in it,
    /// else in English; the document's `language` says which.
    pub async fn get_notice_version(
        &self,
        id: &str,
        version: u32,
        language: &str,
    ) -> Result<NoticeDocument, ApiError> {
        let request = self.notice_version_request(id, version, language)?;
        read_json(self.send(request).await?).await
    }

    /// The request of [`ApiClient::get_notice_version`].
    pub fn notice_version_request(
        &self,
        id: &str,
        version: u32,
        language: &str,
    ) -> Result<Request, ApiError> {
        let url = format!(
            "{}/api/v1/notices/{}/versions/{version}",
            self.base_url,
            encode(id)
        );
        without_body(Request::get(&url).header("Accept-Language", language))
    }

    /// `GET /api/v1/notices/{id}/diff?from=&to=`: the sections and words
    /// that changed from version `from` to `to`, compared in `language` when
    /// both are published in it, else in English (the diff's `language`).
    pub async fn get_notice_diff(
        &self,
        id: &str,
        from: u32,
        to: u32,
        language: &str,
    ) -> Result<NoticeDiff, ApiError> {
        let url = format!(
            "{}/api/v1/notices/{}/diff?from={from}&to={to}",
            self.base_url,
            encode(id)
        );
        let request = Request::get(&url).header("Accept-Language", language);
        read_json(self.send(without_body(request)?).await?).await
    }

    /// `GET /api/v1/tenants/{tenant}/data-sharing/history.csv`: the whole history
    /// (of one program, or all) as the CSV file auditors download.
    pub async fn get_history_csv(
        &self,
        tenant: &str,
        program: Option<ProgramId>,
    ) -> Result<TextFile, ApiError> {
        let url = self.history_url(
            tenant,
            "history.csv",
            &[("program", program.map(ProgramId::as_str))],
        );
        self.text_file(Request::get(&url)).await
    }

    /// `GET /api/v1/tenants/{tenant}/ledger/export`: the tenant's whole
    /// ledger as JSON lines (each event with its hash link and signed
    /// receipt, then a signed checkpoint), for an auditor to verify offline.
    pub async fn get_ledger_export(&self, tenant: &str) -> Result<TextFile, ApiError> {
        let url = format!(
            "{}/api/v1/tenants/{}/ledger/export",
            self.base_url,
            encode(tenant)
        );
        self.text_file(Request::get(&url)).await
    }

    /// `GET /api/v1/tenants/{tenant}/deletions`: every opt-out with what
    /// each data store owes and has attested, newest first.
    pub async fn get_deletions(&self, tenant: &str) -> Result<TenantDeletions, ApiError> {
        let url = format!(
            "{}/api/v1/tenants/{}/deletions",
            self.base_url,
            encode(tenant)
        );
        read_json(self.send(without_body(Request::get(&url))?).await?).await
    }

    /// `GET …/deletions/{event}/certificate`: the certificate of a completed
    /// deletion, read; with `signed`, the compact JWS to save instead.
    pub async fn get_deletion_certificate(
        &self,
        tenant: &str,
        opt_out_event_id: &str,
    ) -> Result<DeletionCertificate, ApiError> {
        read_json(
            self.send(self.certificate_request(tenant, opt_out_event_id)?)
                .await?,
        )
        .await
    }

    /// The same certificate as the compact JWS signed with the ledger key.
    pub async fn get_deletion_certificate_jws(
        &self,
        tenant: &str,
        opt_out_event_id: &str,
    ) -> Result<String, ApiError> {
        let response = self
            .send(self.certificate_request_as(tenant, opt_out_event_id, "application/jose")?)
            .await?;
        let status = response.status();
        response
            .text()
            .await
            .map_err(|_| ApiError::Server { status })
    }

    /// The request of [`ApiClient::get_deletion_certificate`].
    pub fn certificate_request(
        &self,
        tenant: &str,
        opt_out_event_id: &str,
    ) -> Result<Request, ApiError> {
        self.certificate_request_as(tenant, opt_out_event_id, "application/json")
    }

    /// A deletion certificate's request, answered as `accept`.
    fn certificate_request_as(
        &self,
        tenant: &str,
        opt_out_event_id: &str,
        accept: &str,
    ) -> Result<Request, ApiError> {
        let url = format!(
            "{}/api/v1/tenants/{}/deletions/{}/certificate",
            self.base_url,
            encode(tenant),
            encode(opt_out_event_id)
        );
        without_body(Request::get(&url).header("Accept", accept))
    }

    /// `GET /api/v1/tenants/{tenant}/data-sharing?at=`: the settings as they
    /// stood at `at`, replayed by the server from the ledger (read-only).
    pub async fn get_data_sharing_at(
        &self,
        tenant: &str,
        at: Timestamp,
    ) -> Result<DataSharingDocument, ApiError> {
        // Every digit the instant has: cut to milliseconds, the instant of a
        // change (kept to the microsecond) would fall after itself.
        let instant = at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        let url = format!(
            "{}?at={}",
            self.data_sharing_url(tenant, None),
            encode(&instant)
        );
        read_json(self.send(without_body(Request::get(&url))?).await?).await
    }

    /// A file to save as the server sent it, with the name it suggested.
    async fn text_file(&self, request: RequestBuilder) -> Result<TextFile, ApiError> {
        let response = self.send(without_body(request)?).await?;
        let file_name = response
            .headers()
            .get("content-disposition")
            .and_then(|value| file_name_from_disposition(&value));
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|_| ApiError::Server { status })?;
        Ok(TextFile { text, file_name })
    }

    /// `GET /api/v1/tenants/{tenant}/receipts/{id}`: a consent receipt, read.
    pub async fn get_receipt(&self, tenant: &str, id: &str) -> Result<ConsentReceipt, ApiError> {
        parse_receipt(&self.get_receipt_json(tenant, id).await?)
    }

    /// `GET /api/v1/tenants/{tenant}/receipts/{id}`: a consent receipt exactly as the
    /// server sent it, for saving as a file.
    pub async fn get_receipt_json(&self, tenant: &str, id: &str) -> Result<String, ApiError> {
        let response = self.send(self.receipt_request(tenant, id)?).await?;
        let status = response.status();
        response
            .text()
            .await
            .map_err(|_| ApiError::Server { status })
    }

    /// `GET /api/v1/tenants/{tenant}/receipts/{id}` with `Accept: application/jose`:
    /// the receipt as a compact JWS signed with the ledger key.
    pub async fn get_receipt_jws(&self, tenant: &str, id: &str) -> Result<String, ApiError> {
        let url = self.receipt_url(tenant, id);
        let request = Request::get(&url).header("Accept", "application/jose");
        let response = self.send(without_body(request)?).await?;
        let status = response.status();
        response
            .text()
            .await
            .map_err(|_| ApiError::Server { status })
    }

    /// The request of [`ApiClient::get_receipt_json`].
    pub fn receipt_request(&self, tenant: &str, id: &str) -> Result<Request, ApiError> {
        without_body(Request::get(&self.receipt_url(tenant, id)))
    }

    fn receipt_url(&self, tenant: &str, id: &str) -> String {
        format!(
            "{}/api/v1/tenants/{}/receipts/{}",
            self.base_url,
            encode(tenant),
            encode(id)
        )
    }

    /// `GET /api/v1/notices/{id}/versions`: every published version of a notice, oldest first.
    pub async fn get_notice_versions(
        &self,
        id: &str,
    ) -> Result<Vec<NoticeVersionSummary>, ApiError> {
        read_json(self.send(self.notice_versions_request(id)?).await?).await
    }

    /// The request of [`ApiClient::get_notice_versions`].
    pub fn notice_versions_request(&self, id: &str) -> Result<Request, ApiError> {
        let url = format!("{}/api/v1/notices/{}/versions", self.base_url, encode(id));
        without_body(Request::get(&url))
    }

    /// `POST /api/v1/dev/notices` (development servers only): publishes a notice version.
    pub async fn dev_publish_notice(
        &self,
        document: &NoticeDocument,
    ) -> Result<NoticeRef, ApiError> {
        let url = format!("{}/api/v1/dev/notices", self.base_url);
        read_json(send(with_json(Request::post(&url), document)?).await?).await
    }

    /// `POST /api/v1/dev/token` (development servers only): a token for a seeded identity.
    pub async fn dev_token(&self, tenant: &str, role: Role) -> Result<DevTokenResponse, ApiError> {
        let url = format!("{}/api/v1/dev/token", self.base_url);
        let body = DevTokenRequest {
            tenant: tenant.to_owned(),
            role,
        };
        read_json(send(with_json(Request::post(&url), &body)?).await?).await
    }

    /// `POST /api/v1/dev/tenants` (development servers only): a fresh, empty tenant in `region`.
    pub async fn dev_create_tenant(&self, region: &str) -> Result<Tenant, ApiError> {
        #[derive(Serialize)]
        struct NewTenant<'a> {
            region: &'a str,
        }
        let url = format!("{}/api/v1/dev/tenants", self.base_url);
        read_json(send(with_json(Request::post(&url), &NewTenant { region })?).await?).await
    }

    /// Development only: moves a tenant made by [`ApiClient::dev_create_tenant`]
    /// to `region`, its stored choices untouched (as when a tenant's data moves).
    pub async fn dev_move_tenant(&self, tenant: &str, region: &str) -> Result<Tenant, ApiError> {
        #[derive(Serialize)]
        struct Move<'a> {
            region: &'a str,
            move_tenant: &'a str,
        }
        let url = format!("{}/api/v1/dev/tenants", self.base_url);
        let body = Move {
            region,
            move_tenant: tenant,
        };
        read_json(send(with_json(Request::post(&url), &body)?).await?).await
    }

    fn data_sharing_url(&self, tenant: &str, program: Option<ProgramId>) -> String {
        let mut url = format!(
            "{}/api/v1/tenants/{}/data-sharing",
            self.base_url,
            encode(tenant)
        );
        if let Some(program) = program {
            url.push('/');
            url.push_str(program.as_str());
        }
        url
    }

    /// `…/data-sharing/<file>?<query>`, leaving out parameters without a value.
    fn history_url(&self, tenant: &str, file: &str, query: &[(&str, Option<&str>)]) -> String {
        let mut url = format!("{}/{file}", self.data_sharing_url(tenant, None));
        let mut separator = '?';
        for (name, value) in query {
            if let Some(value) = value {
                url.push(separator);
                url.push_str(name);
                url.push('=');
                url.push_str(&encode(value));
                separator = '&';
            }
        }
        url
    }

    /// Sends `request` with a bearer token from the token function; a
    /// provider that can renew tokens is asked once more after a 401.
    /// Fails on any answer that is not a success. The answer to the same
    /// request asked for early (see [`early`]) is taken instead, if there is one.
    async fn send(&self, request: Request) -> Result<Response, ApiError> {
        if let Some(answer) = early::take(&request).await {
            return answer;
        }
        self.send_now(request).await
    }

    async fn send_now(&self, request: Request) -> Result<Response, ApiError> {
        let response = self.exchange(request).await?;
        if response.ok() {
            Ok(response)
        } else {
            Err(error_from(response).await)
        }
    }
}
