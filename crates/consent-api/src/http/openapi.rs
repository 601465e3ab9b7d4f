//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! consent-core's types, served at `GET /api/openapi.json`.

use std::sync::LazyLock;

use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::RefOr;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The API's description, before the paths: each module's router adds
/// the paths of its routes (see [`super::routes`]).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tenant data-sharing consent API",
        description = "Reads and changes a tenant's data-sharing settings, with an append-only consent history and a receipt per change. Errors are application/problem+json with a stable `code`."
    ),
    components(schemas(consent_core::Problem, consent_core::ErrorCode)),
    modifiers(&BearerToken),
    tags(
        (name = "data-sharing", description = "A tenant's data-sharing settings"),
        (name = "history", description = "The append-only consent history and its receipts"),
        (name = "ledger", description = "The ledger's evidence: its public keys and signed checkpoints of each tenant's hash chain"),
        (name = "notices", description = "The published notices admins accept"),
        (name = "decisions", description = "Whether a tenant's data may be used under a program, for the systems that use it (scope consent.decisions.read)"),
        (name = "webhooks", description = "Webhook subscriptions: each change of a decision, signed as Standard Webhooks asks (scope consent.subscriptions.write)"),
        (name = "tenants", description = "Tenant provisioning, for the operator's services (scope consent.tenants.write)"),
        (name = "development", description = "Development mode only: demo identities, fresh tenants and notice versions published at runtime"),
        (name = "operations", description = "Probes"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer tokens: a person's (the tenant routes) and a service's (the service routes).
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".to_owned());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
        // Services (pipelines, data stores, provisioning) call with their own
        // tokens; each route lists the consent scope it needs.
        let mut service = Http::new(HttpAuthScheme::Bearer);
        service.bearer_format = Some("JWT".to_owned());
        service.description = Some(
            "A service's access token (client credentials) whose `scope` or `scp` holds the \
             route's consent scope: consent.tenants.write, consent.decisions.read, \
             consent.subscriptions.write or consent.deletions.attest"
                .to_owned(),
        );
        components.add_security_scheme("service", SecurityScheme::Http(service));
    }
}

/// The form of the `ETag` of a tenant's data-sharing document: a strong tag
/// holding the document's version and its current notice versions (`"7-2.1.1"`).
pub const ETAG_PATTERN: &str = r#"^"[0-9]+-([0-9]+(\.[0-9]+)*)?"$"#;

/// The form of the `ETag` of a notice's wording: a strong tag holding the
/// wording's sha256 (hex), so that each language has its own.
pub const NOTICE_ETAG_PATTERN: &str = r#"^"[0-9a-f]{64}"$"#;

/// Describes the `ETag` response headers by their exact form, so that a
/// client (or a test) can tell a real tag from any string.
struct EntityTags;

impl Modify for EntityTags {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let (pattern, example) = if path.starts_with("/api/v1/notices") {
                (
                    NOTICE_ETAG_PATTERN,
                    r#""6a677cc51b5cab14da7c7d92653a757d48e851aa52525957488699ec16fc7939""#,
                )
            } else {
                (ETAG_PATTERN, r#""7-2.1.1""#)
            };
            for operation in path_operations(item) {
                for response in operation.responses.responses.values_mut() {
                    let RefOr::T(response) = response else {
                        continue;
                    };
                    if let Some(header) = response.headers.get_mut("ETag") {
                        header.schema = ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some(pattern))
                            .examples([example])
                            .into();
                    }
                }
            }
        }
    }
}

/// Every operation of one path, whatever its method.
fn path_operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
        item.head.as_mut(),
        item.options.as_mut(),
        item.trace.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// Every operation of the document.
fn operations(openapi: &mut utoipa::openapi::OpenApi) -> impl Iterator<Item = &mut Operation> {
    openapi.paths.paths.values_mut().flat_map(path_operations)
}

/// The form of every `X-Request-Id` the server sends: the caller's own id
/// when it is 1 to 128 letters, digits or `-_.:/+=@`, else a new one.
pub const REQUEST_ID_PATTERN: &str = "^[A-Za-z0-9_.:/+=@-]{1,128}$";

/// Declares `X-Request-Id` on every response of every operation: the
/// request-id layer sets it on every answer, whatever the route or status,
/// so it is described once here rather than on each route.
struct RequestIds;

impl Modify for RequestIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let header = HeaderBuilder::new()
            .schema(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(128))
                    .pattern(Some(REQUEST_ID_PATTERN))
                    .examples(["0193a4f2c1d27c3e8f5b6a7d8e9f0a1b"]),
            )
            .description(Some(
                "Identifies this request in the server's logs: the caller's X-Request-Id when it is 1 to 128 letters, digits or `-_.:/+=@`, else a new one",
            ))
            .build();
        for operation in operations(openapi) {
            for response in operation.responses.responses.values_mut() {
                if let RefOr::T(response) = response {
                    response
                        .headers
                        .insert("X-Request-Id".to_owned(), header.clone());
                }
            }
        }
    }
}

/// The whole description: [`ApiDoc`] with the paths of every route, their
/// `ETag` and `X-Request-Id` headers described.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut openapi = super::routes(true).into_openapi();
    EntityTags.modify(&mut openapi);
    RequestIds.modify(&mut openapi);
    openapi
}

/// This document's route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(document))
}

/// The document as JSON, built once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let mut document = serde_json::to_value(openapi()).expect("the OpenAPI document serialises");
    name_link_fields_as_openapi_does(&mut document);
    document.to_string()
});

/// utoipa 5 writes the fields of a response's Link Object in snake case
/// (`operation_id`); OpenAPI names them in camel case (`operationId`), and
/// without that no client can follow the links.
fn name_link_fields_as_openapi_does(document: &mut serde_json::Value) {
    const RENAMES: [(&str, &str); 3] = [
        ("operation_id", "operationId"),
        ("operation_ref", "operationRef"),
        ("request_body", "requestBody"),
    ];
    let Some(paths) = document["paths"].as_object_mut() else {
        return;
    };
    let links = paths
        .values_mut()
        .filter_map(serde_json::Value::as_object_mut)
        .flat_map(|operations| operations.values_mut())
        .filter_map(|operation| operation.get_mut("responses"))
        .filter_map(serde_json::Value::as_object_mut)
        .flat_map(|responses| responses.values_mut())
        .filter_map(|response| response.get_mut("links").and_then(|l| l.as_object_mut()))
        .flat_map(|links| links.values_mut())
        .filter_map(serde_json::Value::as_object_mut);
    for link in links {
        for (from, to) in RENAMES {
            if let Some(value) = link.remove(from) {
                link.insert(to.to_owned(), value);
            }
        }
    }
}

/// `GET /api/openapi.json`.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "openapi_document",
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

    // Guards that every response of every operation declares X-Request-Id,
    // which the request-id layer puts on every answer.
    #[test]
    fn every_response_declares_its_request_id() {
        let document: serde_json::Value = serde_json::from_str(&DOCUMENT).expect("valid JSON");
        let mut responses = 0;
        for operations in document["paths"].as_object().unwrap().values() {
            for operation in operations.as_object().unwrap().values() {
                for response in operation["responses"].as_object().unwrap().values() {
                    let header = &response["headers"]["X-Request-Id"];
                    assert_eq!(
                        header["schema"]["pattern"], REQUEST_ID_PATTERN,
                        "{response}"
                    );
                    responses += 1;
                }
            }
        }
        assert!(responses > 20, "{responses} responses");
    }

    // Guards the links' field names: OpenAPI's camel case, whatever utoipa writes.
    #[test]
    fn links_name_their_target_as_openapi_does() {
        let document: serde_json::Value = serde_json::from_str(&DOCUMENT).expect("valid JSON");
        let mut links = 0;
        for operations in document["paths"].as_object().unwrap().values() {
            for operation in operations.as_object().unwrap().values() {
                for response in operation["responses"].as_object().unwrap().values() {
                    for link in response["links"]
                        .as_object()
                        .into_iter()
                        .flat_map(|l| l.values())
                    {
                        let link = link.as_object().unwrap();
                        assert!(link.contains_key("operationId"), "{link:?}");
                        for snake in ["operation_id", "operation_ref", "request_body"] {
                            assert!(!link.contains_key(snake), "{link:?}");
                        }
                        links += 1;
                    }
                }
            }
        }
        assert!(links > 0, "the document has links");
    }
}
