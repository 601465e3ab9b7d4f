//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! consent-core's types, served at `GET /api/openapi.json`.

use std::sync::LazyLock;

use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The API's description. Every route of [`super::router`] is listed in
/// `paths`; a test keeps the two in step.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tenant data-sharing consent API",
        description = "Reads and changes a tenant's data-sharing settings, with an append-only consent history and a receipt per change. Errors are application/problem+json with a stable `code`."
    ),
    paths(
        super::health::healthz,
        super::health::readyz,
        super::dev::token,
        super::dev::create_tenant,
        super::dev::publish_notice,
        super::data_sharing::document,
        super::data_sharing::change_program,
        super::history::history,
        super::history::history_csv,
        super::receipts::receipt,
        super::notices::list,
        super::notices::current,
        super::notices::versions,
        super::notices::version,
        document,
    ),
    components(schemas(consent_core::Problem, consent_core::ErrorCode)),
    modifiers(&BearerToken),
    tags(
        (name = "data-sharing", description = "A tenant's data-sharing settings"),
        (name = "history", description = "The append-only consent history and its receipts"),
        (name = "notices", description = "The published notices admins accept"),
        (name = "development", description = "Development mode only: demo identities, fresh tenants and notice versions published at runtime"),
        (name = "operations", description = "Probes"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer token (an HS256 JWT) the tenant routes require.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".to_owned());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The document as JSON, built once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_json()
        .expect("the OpenAPI document serialises")
});

/// `GET /api/openapi.json`.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    responses(
        (status = 200, description = "This OpenAPI 3.1 document", body = serde_json::Value),
        (status = 500, description = "`internal`: the server failed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn document() -> Response {
    let mut response = DOCUMENT.as_str().into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the document's form: it parses as JSON and declares OpenAPI 3.1.0.
    #[test]
    fn the_document_is_openapi_3_1() {
        let document: serde_json::Value = serde_json::from_str(&DOCUMENT).expect("valid JSON");
        assert_eq!(document["openapi"], "3.1.0");
        assert!(document["paths"].as_object().is_some_and(|p| !p.is_empty()));
        assert_eq!(
            document["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
    }
}
