//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! consent-core's types, served at `GET /api/openapi.json`.

use std::sync::LazyLock;

use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::RefOr;
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
    modifiers(&BearerToken, &EntityTags),
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

/// The form of every `ETag` the server sends: a strong tag holding the
/// document's version and its current notice versions (`"7-2.1.1"`).
pub const ETAG_PATTERN: &str = r#"^"[0-9]+-([0-9]+(\.[0-9]+)*)?"$"#;

/// Describes the `ETag` response headers by their exact form, so that a
/// client (or a test) can tell a real tag from any string.
struct EntityTags;

impl Modify for EntityTags {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let operations = openapi
            .paths
            .paths
            .values_mut()
            .flat_map(|item| [item.get.as_mut(), item.put.as_mut(), item.post.as_mut()])
            .flatten();
        for operation in operations {
            for response in operation.responses.responses.values_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                if let Some(header) = response.headers.get_mut("ETag") {
                    header.schema = ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(ETAG_PATTERN))
                        .examples([r#""7-2.1.1""#])
                        .into();
                }
            }
        }
    }
}

/// The document as JSON, built once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let mut document =
        serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serialises");
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
