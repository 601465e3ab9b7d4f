//! Publishing notice versions on the shared test server, for the tests of
//! re-consent. Tests never assume a version number: other tests may have
//! published versions before them, so everything is read from the API.

#![allow(dead_code)]

use consent_core::notice::{Block, Run};
use consent_core::{ChangeRequest, NoticeDocument, ProgramId, Role};
use tenant_settings::api::ApiClient;

use super::common::{api_url, client_as};

/// A notice's current version, read through its list of versions.
pub async fn current_version(id: &str) -> NoticeDocument {
    let api = ApiClient::new(api_url());
    let versions = api
        .get_notice_versions(id)
        .await
        .unwrap_or_else(|e| panic!("listing the versions of {id}: {e}"));
    let latest = versions.last().expect("a notice has a version").version;
    api.get_notice_version(id, latest, "en")
        .await
        .unwrap_or_else(|e| panic!("reading {id} version {latest}: {e}"))
}

/// A new version of notice `id` is published: its current text with one more
/// sentence in its second section. Returns the new version and the one it replaced.
pub async fn publish_new_version(id: &str, material: bool) -> (NoticeDocument, NoticeDocument) {
    let previous = current_version(id).await;
    let mut next = previous.clone();
    next.version = previous.version + 1;
    next.sha256.clear();
    next.material_change = material;
    next.change_summary = Some(if material {
        format!("Edition {}: the second section says more.", next.version)
    } else {
        format!("Edition {}: a typo fix.", next.version)
    });
    let sentence = Run {
        text: format!(" (Edition {}.)", next.version),
        bold: false,
        link: None,
    };
    let section = &mut next.sections[1];
    match section.blocks.first_mut() {
        Some(Block::Paragraph { runs }) => runs.push(sentence),
        _ => section.blocks.push(Block::Paragraph {
            runs: vec![sentence],
        }),
    }
    let reference = ApiClient::new(api_url())
        .dev_publish_notice(&next)
        .await
        .unwrap_or_else(|e| panic!("publishing {id} version {}: {e}", next.version));
    assert_eq!(reference.version, next.version);
    next.sha256 = reference.sha256;
    (next, previous)
}

/// The current version of notice `id` is also published in German, if it
/// is not yet: the German wording of version 1, numbered as the current one.
pub async fn ensure_german(id: &str) {
    let current = current_version(id).await;
    let api = ApiClient::new(api_url());
    let versions = api.get_notice_versions(id).await.unwrap();
    let listed = versions
        .iter()
        .find(|v| v.version == current.version)
        .unwrap();
    if listed.languages.iter().any(|l| l == "de") {
        return;
    }
    let mut german = api.get_notice_version(id, 1, "de").await.unwrap();
    assert_eq!(german.language, "de", "{id} version 1 has a German wording");
    german.version = current.version;
    german.effective_date = current.effective_date;
    german.material_change = current.material_change;
    german.sha256.clear();
    api.dev_publish_notice(&german)
        .await
        .unwrap_or_else(|e| panic!("publishing {id} version {} in German: {e}", german.version));
}

/// Turns Marketing on through the API with both notices accepted, as another admin would.
pub async fn marketing_on(tenant: &str, contact_allowed: bool) {
    let admin = client_as(tenant, Role::Admin).await;
    let (document, etag) = admin.get_data_sharing(tenant).await.unwrap();
    let notices = document
        .program(ProgramId::Marketing)
        .unwrap()
        .notices
        .clone();
    admin
        .change_program(
            tenant,
            ProgramId::Marketing,
            &ChangeRequest {
                enabled: true,
                accept_notices: notices.into_iter().map(Into::into).collect(),
                contact_allowed: Some(contact_allowed),
            },
            &etag,
            None,
        )
        .await
        .expect("turning Marketing on through the API");
}
