//! The typed client of the consent API (`shared/design/api.md`).
//!
//! Every HTTP request the app makes goes through [`ApiClient`]. Failures come
//! back as one [`ApiError`], whose variants say what a person needs to know
//! (and so which next step the page offers), not which layer failed.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use consent_core::{
    ChangeRequest, ConsentReceipt, DataSharingDocument, DevTokenRequest, DevTokenResponse,
    ErrorCode, HistoryPage, NoticeDocument, NoticeRef, NoticeVersionSummary, Problem, ProgramId,
    Role, Tenant,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A function that returns a fresh bearer token each time it is called.
pub type TokenFn = Arc<dyn Fn() -> String + Send + Sync>;

/// A bearer token that may arrive later (a host's `getToken` returning a
/// `Promise`); `None` when the host could not provide one.
pub type TokenFuture = Pin<Box<dyn Future<Output = Option<String>>>>;

/// A function that fetches a fresh bearer token each time it is called.
pub type AsyncTokenFn = Arc<dyn Fn() -> TokenFuture + Send + Sync>;

/// A strong entity tag of a tenant's data-sharing document (`"7-2.1.1"`), sent
/// back as `If-Match`, or as `If-None-Match` to read it again only if it changed.
pub type ETag = String;

/// Why a request to the consent API did not succeed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The browser is offline.
    #[error("the browser is offline")]
    Offline,
    /// The server could not be reached (network failure, CORS, DNS).
    #[error("the consent API could not be reached")]
    Network,
    /// The session is missing or has expired (401): sign in again.
    #[error("not signed in, or the session has expired")]
    Unauthorized,
    /// The signed-in person may not do this (403).
    #[error("not allowed")]
    Forbidden,
    /// The tenant, program or notice does not exist for this person (404).
    #[error("not found")]
    NotFound,
    /// Someone else changed the settings first (412); `current` is the state now stored.
    #[error("the settings were changed by someone else (now version {})", current.version)]
    Conflict { current: Box<DataSharingDocument> },
    /// The server refused the request for a stated reason (422 and similar).
    #[error("refused ({code:?}): {detail}")]
    Refused { code: ErrorCode, detail: String },
    /// The server failed, or answered with something this app cannot read; nothing was changed.
    #[error("the server failed (status {status})")]
    Server { status: u16 },
}

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

    /// The same client, sending this bearer token.
    pub fn with_bearer(self, token: String) -> ApiClient {
        let token: Arc<str> = Arc::from(token);
        ApiClient {
            token: Some(Arc::new(move || {
                let token = token.to_string();
                Box::pin(async move { Some(token) })
            })),
            renew_on_401: false,
            ..self
        }
    }

    /// The same client, asking `provider` for a token before every request
    /// (and once more when the server answers 401).
    pub fn with_token_provider(self, provider: TokenFn) -> ApiClient {
        self.with_async_token_provider(Arc::new(move || {
            let token = provider();
            Box::pin(async move { Some(token) })
        }))
    }

    /// The same client, awaiting `provider` for a token before every request
    /// (and once more when the server answers 401).
    pub fn with_async_token_provider(self, provider: AsyncTokenFn) -> ApiClient {
        ApiClient {
            token: Some(provider),
            renew_on_401: true,
            ..self
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

    /// `GET /api/v1/notices/{id}`: the current version of a notice, in
    /// `language` (a BCP 47 tag) when it is published in it, else in English;
    /// the document's `language` says which.
    pub async fn get_notice(&self, id: &str, language: &str) -> Result<NoticeDocument, ApiError> {
        let url = format!("{}/api/v1/notices/{}", self.base_url, encode(id));
        let request = Request::get(&url).header("Accept-Language", language);
        read_json(self.send(without_body(request)?).await?).await
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
        read_json(self.send(without_body(Request::get(&url))?).await?).await
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
        let url = format!(
            "{}/api/v1/notices/{}/versions/{version}",
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
    ) -> Result<CsvFile, ApiError> {
        let url = self.history_url(
            tenant,
            "history.csv",
            &[("program", program.map(ProgramId::as_str))],
        );
        let response = self.send(without_body(Request::get(&url))?).await?;
        let file_name = response
            .headers()
            .get("content-disposition")
            .and_then(|value| file_name_from_disposition(&value));
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|_| ApiError::Server { status })?;
        Ok(CsvFile { text, file_name })
    }

    /// `GET /api/v1/tenants/{tenant}/receipts/{id}`: a consent receipt, read.
    pub async fn get_receipt(&self, tenant: &str, id: &str) -> Result<ConsentReceipt, ApiError> {
        parse_receipt(&self.get_receipt_json(tenant, id).await?)
    }

    /// `GET /api/v1/tenants/{tenant}/receipts/{id}`: a consent receipt exactly as the
    /// server sent it, for saving as a file.
    pub async fn get_receipt_json(&self, tenant: &str, id: &str) -> Result<String, ApiError> {
        let url = format!(
            "{}/api/v1/tenants/{}/receipts/{}",
            self.base_url,
            encode(tenant),
            encode(id)
        );
        let response = self.send(without_body(Request::get(&url))?).await?;
        let status = response.status();
        response
            .text()
            .await
            .map_err(|_| ApiError::Server { status })
    }

    /// `GET /api/v1/notices/{id}/versions`: every published version of a notice, oldest first.
    pub async fn get_notice_versions(
        &self,
        id: &str,
    ) -> Result<Vec<NoticeVersionSummary>, ApiError> {
        let url = format!("{}/api/v1/notices/{}/versions", self.base_url, encode(id));
        read_json(self.send(without_body(Request::get(&url))?).await?).await
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
    /// Fails on any answer that is not a success.
    async fn send(&self, request: Request) -> Result<Response, ApiError> {
        let response = self.exchange(request).await?;
        if response.ok() {
            Ok(response)
        } else {
            Err(error_from(response).await)
        }
    }

    /// Like [`ApiClient::send`], but hands back the server's answer whatever
    /// its status (a 304 is an answer, not a failure).
    async fn exchange(&self, request: Request) -> Result<Response, ApiError> {
        let Some(token) = &self.token else {
            return request.send().await.map_err(|_| unreachable_error());
        };
        let raw = web_sys::Request::from(request);
        // The body can be read once: keep a copy for the retry before sending.
        let retry = if self.renew_on_401 {
            raw.clone().ok()
        } else {
            None
        };
        let first = authorize(raw, token().await)
            .send()
            .await
            .map_err(|_| unreachable_error())?;
        match retry {
            Some(retry) if first.status() == 401 => authorize(retry, token().await)
                .send()
                .await
                .map_err(|_| unreachable_error()),
            _ => Ok(first),
        }
    }
}

fn authorize(request: web_sys::Request, token: Option<String>) -> Request {
    let request = Request::from(request);
    if let Some(token) = token {
        request
            .headers()
            .set("Authorization", &format!("Bearer {token}"));
    }
    request
}

/// A downloaded CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvFile {
    pub text: String,
    /// The file name the server suggested (`Content-Disposition`), if it could be read.
    pub file_name: Option<String>,
}

/// Reads a consent receipt sent by the server.
pub fn parse_receipt(json: &str) -> Result<ConsentReceipt, ApiError> {
    serde_json::from_str(json).map_err(|_| ApiError::Server { status: 200 })
}

/// The file name of a `Content-Disposition` header (`attachment; filename="a.csv"`).
///
/// Only a plain name is taken: anything holding a path separator or a
/// control character is refused, and the caller falls back to its own name.
pub fn file_name_from_disposition(header: &str) -> Option<String> {
    let value = header.split(';').find_map(|part| {
        let (name, value) = part.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("filename")
            .then(|| value.trim())
    })?;
    let name = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    let plain = !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && !name
            .chars()
            .any(|c| c.is_control() || matches!(c, '/' | '\\' | '"'));
    plain.then(|| name.to_owned())
}

/// A new idempotency key: unique enough to tell one person's attempts apart.
pub fn new_idempotency_key() -> String {
    let random = |scale: f64| (js_sys::Math::random() * scale) as u64;
    format!(
        "{:x}-{:012x}{:012x}",
        js_sys::Date::now() as u64,
        random(2f64.powi(48)),
        random(2f64.powi(48))
    )
}

/// Percent-encodes a path segment (tenant and notice ids are plain, but never trust that).
fn encode(segment: &str) -> String {
    String::from(js_sys::encode_uri_component(segment))
}

fn with_json<T: Serialize>(request: RequestBuilder, body: &T) -> Result<Request, ApiError> {
    // Serialising our own request types cannot fail; if it ever does, nothing was sent.
    request
        .json(body)
        .map_err(|_| ApiError::Server { status: 0 })
}

async fn send(request: Request) -> Result<Response, ApiError> {
    let response = request.send().await.map_err(|_| unreachable_error())?;
    if response.ok() {
        Ok(response)
    } else {
        Err(error_from(response).await)
    }
}

fn without_body(request: RequestBuilder) -> Result<Request, ApiError> {
    // Building a request without a body only fails on an invalid header value.
    request.build().map_err(|_| ApiError::Server { status: 0 })
}

fn unreachable_error() -> ApiError {
    let online = web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true);
    if online {
        ApiError::Network
    } else {
        ApiError::Offline
    }
}

async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    response
        .json()
        .await
        .map_err(|_| ApiError::Server { status })
}

/// Reads a data-sharing document and its `ETag`.
///
/// The `ETag` header is the authority; when a cross-origin server does not
/// expose it, the tag is derived from the document (its version and notice
/// versions), which the API defines to be the same value.
async fn versioned(response: Response) -> Result<(DataSharingDocument, ETag), ApiError> {
    let header = response.headers().get("etag");
    let document: DataSharingDocument = read_json(response).await?;
    let etag = header.unwrap_or_else(|| document.etag());
    Ok((document, etag))
}

/// Turns an error response into what the person needs to know.
async fn error_from(response: Response) -> ApiError {
    let status = response.status();
    let problem: Option<Problem> = response.json().await.ok();
    match (status, problem) {
        (401, _) => ApiError::Unauthorized,
        (403, _) => ApiError::Forbidden,
        (404, _) => ApiError::NotFound,
        (
            412,
            Some(Problem {
                current: Some(current),
                ..
            }),
        ) => ApiError::Conflict { current },
        (500.., _) => ApiError::Server { status },
        (_, Some(problem)) => ApiError::Refused {
            code: problem.code,
            detail: problem.detail,
        },
        (_, None) => ApiError::Server { status },
    }
}

#[cfg(test)]
mod tests {
    use super::file_name_from_disposition;

    // Guards the file name of the history download: taken from the server when plain, refused otherwise.
    #[test]
    fn file_names_from_content_disposition() {
        for (header, expected) in [
            (
                "attachment; filename=\"t-1-consent-history.csv\"",
                Some("t-1-consent-history.csv"),
            ),
            ("attachment; filename=history.csv", Some("history.csv")),
            ("attachment;FILENAME=\"a.csv\"", Some("a.csv")),
            ("attachment", None),
            ("attachment; filename=\"\"", None),
            ("attachment; filename=\"../etc/passwd\"", None),
            ("attachment; filename=\"a\\\\b.csv\"", None),
            ("attachment; filename=\".hidden\"", None),
            ("attachment; filename=\"a\tb.csv\"", None),
        ] {
            assert_eq!(
                file_name_from_disposition(header).as_deref(),
                expected,
                "{header:?}"
            );
        }
    }
}
