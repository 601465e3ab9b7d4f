#![cfg(target_arch = "wasm32")]
//! The FAQ (`/faq`) and the notice screens (`/notices/<id>`), against the real consent API.

mod common;
mod publish;

use common::*;
use consent_core::{NoticeDocument, Role};
use tenant_settings::api::ApiClient;
use tenant_settings::i18n::I18n;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlDetailsElement, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The current FAQ document of one program.
async fn faq(id: &str) -> NoticeDocument {
    ApiClient::new(api_url())
        .get_notice(id, "en")
        .await
        .unwrap_or_else(|e| panic!("reading {id}: {e}"))
}

/// The question (a `<details>`) whose summary reads `question`.
fn question(root: &Element, question: &str) -> Option<HtmlDetailsElement> {
    let summaries = root.query_selector_all("details > summary").unwrap();
    (0..summaries.length())
        .filter_map(|i| summaries.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .find(|s| s.text_content().unwrap_or_default().trim() == question)
        .and_then(|s| s.parent_element())
        .map(JsCast::unchecked_into)
}

/// Whether a person sees the element (not hidden by the filter).
fn shown(element: &Element) -> bool {
    element.closest("[hidden]").unwrap().is_none()
}

/// Whether some of `element` is inside the window.
fn in_view(element: &Element) -> bool {
    let rect = element.get_bounding_client_rect();
    let height = web_sys::window()
        .unwrap()
        .inner_height()
        .unwrap()
        .as_f64()
        .unwrap();
    rect.bottom() > 0.0 && rect.top() < height
}

// Guards the accordion: both programs' questions under their titles, closed
// until opened, answers rendered from the structured text.
#[wasm_bindgen_test]
async fn faq_shows_both_programs_questions_as_an_accordion() {
    let copilot = faq("copilot-faq").await;
    let marketing = faq("marketing-faq").await;
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/faq");
    app.role("heading", "Frequently asked questions").await;
    app.role("heading", &copilot.title).await;
    app.role("heading", &marketing.title).await;

    for document in [&copilot, &marketing] {
        for section in &document.sections {
            let details =
                wait_for(&section.heading, || question(&app.root, &section.heading)).await;
            assert!(!details.open(), "{} starts closed", section.heading);
        }
    }
    let first = question(&app.root, &copilot.sections[0].heading).unwrap();
    first
        .query_selector("summary")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    wait_until("the answer to open", || first.open()).await;
    assert!(
        first
            .query_selector("a[href='/notices/copilot-data-sharing']")
            .unwrap()
            .is_some(),
        "answers keep their links"
    );
    assert_eq!(
        first.query_selector("script, iframe").unwrap(),
        None,
        "nothing is inserted as markup"
    );

    app.unmount();
}

// Guards the filter box: questions are filtered as you type, by every word,
// with the count announced, and a note when none match.
#[wasm_bindgen_test]
async fn search_questions_filters_as_you_type() {
    let copilot = faq("copilot-faq").await;
    let marketing = faq("marketing-faq").await;
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/faq");
    let lockbox = "Do Customer Lockbox and customer-managed keys apply?";
    wait_for("the questions", || question(&app.root, lockbox)).await;
    let search = wait_for("the filter box", || by_label(&app.root, "Search questions")).await;

    type_into(&search, "LOCKBOX keys");
    wait_until("one question to remain", || {
        copilot
            .sections
            .iter()
            .chain(&marketing.sections)
            .filter(|s| shown(&question(&app.root, &s.heading).unwrap()))
            .count()
            == 1
    })
    .await;
    assert!(shown(&question(&app.root, lockbox).unwrap()));
    app.gone("heading", &marketing.title).await;
    assert_eq!(
        live_region(&app.root, "status", "1 question matches.").map(|_| ()),
        Some(())
    );

    type_into(&search, "vendor");
    wait_until("questions of both programs to match", || {
        by_role(&app.root, "heading", &marketing.title).is_some()
            && by_role(&app.root, "heading", &copilot.title).is_some()
    })
    .await;

    type_into(&search, "nothing matches this");
    app.text("No questions match your search.").await;
    app.gone("heading", &copilot.title).await;

    type_into(&search, "");
    wait_until("every question to be back", || {
        copilot
            .sections
            .iter()
            .chain(&marketing.sections)
            .all(|s| shown(&question(&app.root, &s.heading).unwrap()))
    })
    .await;
    app.unmount();
}

// Guards the words people arrive with (a public FAQ says "withdraw my
// consent"): each finds the questions about stopping sharing, in English
// and in German, and still hides the questions about other things.
#[wasm_bindgen_test]
async fn words_for_stopping_sharing_find_those_questions() {
    const STOPPING: [(&str, &str); 3] = [
        ("copilot-faq", "copilot-how-to-withdraw"),
        ("copilot-faq", "copilot-after-withdrawal"),
        ("marketing-faq", "marketing-how-to-opt-out"),
    ];
    let tenant = fresh_tenant("US").await;
    for (language, label, words) in [
        (
            "en",
            "Search questions",
            &[
                "withdraw",
                "revoke",
                "opt out",
                "consent",
                "withdraw my consent",
            ][..],
        ),
        (
            "de",
            "Fragen durchsuchen",
            &[
                "widerrufen",
                "Einwilligung",
                "abmelden",
                "Einwilligung widerrufen",
            ][..],
        ),
    ] {
        let client = ApiClient::new(api_url());
        let heading = |document: &NoticeDocument, id: &str| {
            document
                .sections
                .iter()
                .find(|s| s.id == id)
                .unwrap_or_else(|| panic!("{id} in {}", document.id))
                .heading
                .clone()
        };
        let copilot = client.get_notice("copilot-faq", language).await.unwrap();
        let marketing = client.get_notice("marketing-faq", language).await.unwrap();
        let wanted: Vec<String> = STOPPING
            .iter()
            .map(|(faq, id)| match *faq {
                "copilot-faq" => heading(&copilot, id),
                _ => heading(&marketing, id),
            })
            .collect();
        let unrelated = heading(&copilot, "copilot-lockbox-and-keys");

        let app = TestApp::mount_in(&tenant.id, Role::Admin, "/faq", Some(language), false);
        wait_for("the questions", || question(&app.root, &unrelated)).await;
        let search = wait_for("the filter box", || by_label(&app.root, label)).await;
        for word in words {
            type_into(&search, word);
            wait_until(
                &format!("{word:?} to find the questions about stopping sharing"),
                || {
                    wanted
                        .iter()
                        .all(|q| question(&app.root, q).is_some_and(|d| shown(&d)))
                        && !shown(&question(&app.root, &unrelated).unwrap())
                },
            )
            .await;
        }
        app.unmount();
    }
}

// Guards deep links: /faq#<question-id> opens that question, scrolls to it
// and puts focus on it; "Link to this question" gives that address.
#[wasm_bindgen_test]
async fn a_question_link_opens_and_scrolls_to_it() {
    let marketing = faq("marketing-faq").await;
    let target = marketing.sections.last().unwrap();
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, &format!("/faq#{}", target.id));
    let details = wait_for("the linked question", || {
        question(&app.root, &target.heading)
    })
    .await;
    wait_until("the linked question to open", || details.open()).await;
    wait_until("the linked question to be in view", || in_view(&details)).await;
    let summary = details.query_selector("summary").unwrap().unwrap();
    wait_until("focus on the question", || {
        focused().as_ref() == Some(&summary)
    })
    .await;

    let permalink = by_role(&details, "link", "Link to this question").unwrap();
    assert_eq!(
        permalink.get_attribute("href").as_deref(),
        Some(format!("/faq#{}", target.id).as_str())
    );

    // A link to another question, followed inside the app, opens that one.
    let copilot = faq("copilot-faq").await;
    let other = &copilot.sections[0];
    let link = format!("/faq#{}", other.id);
    let anchor: HtmlElement = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .create_element("a")
        .unwrap()
        .unchecked_into();
    anchor.set_attribute("href", &link).unwrap();
    app.root.append_child(&anchor).unwrap();
    anchor.click();
    let details = question(&app.root, &other.heading).unwrap();
    wait_until("the other question to open", || details.open()).await;
    wait_until("the other question to be in view", || in_view(&details)).await;
    anchor.remove();

    app.unmount();
}

// Guards the notice screen: title, version, effective date in the person's
// locale, a table of contents that leads to each section, and the versions.
#[wasm_bindgen_test]
async fn a_notice_is_shown_in_full_with_contents_and_versions() {
    let notice = publish::current_version("marketing-human-review").await;
    let versions = ApiClient::new(api_url())
        .get_notice_versions("marketing-human-review")
        .await
        .unwrap();
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/notices/marketing-human-review");
    app.role("heading", &notice.title).await;
    let line = format!(
        "Version {}, in effect from {}",
        notice.version,
        I18n::choose(None).calendar_date(notice.effective_date)
    );
    wait_until("the version line under the title", || {
        app.root
            .query_selector(".ts-notice__meta")
            .unwrap()
            .is_some_and(|meta| meta.text_content().unwrap_or_default() == line)
    })
    .await;
    let contents = app.role("navigation", "Contents").await;
    for section in &notice.sections {
        app.role("heading", &section.heading).await;
        assert!(
            by_role(&contents, "link", &section.heading).is_some(),
            "{}",
            section.heading
        );
    }
    let last = notice.sections.last().unwrap();
    click(&by_role(&contents, "link", &last.heading).unwrap()).await;
    let heading = app.role("heading", &last.heading).await;
    wait_until("the section's heading to take focus", || {
        focused().as_ref() == Some(heading.unchecked_ref::<Element>())
    })
    .await;
    assert_eq!(
        web_sys::window().unwrap().location().hash().unwrap(),
        format!("#{}", last.id)
    );

    let list = app.role("heading", "All versions").await;
    let section = list.parent_element().unwrap();
    for version in &versions {
        let label = format!(
            "Version {}, in effect from {}",
            version.version,
            I18n::choose(None).calendar_date(version.effective_date)
        );
        let link = wait_for(&label, || by_role(&section, "link", &label)).await;
        assert_eq!(
            link.get_attribute("href").unwrap(),
            format!("/notices/marketing-human-review/v/{}", version.version)
        );
    }
    assert!(by_text(&section, "Current version").is_some());
    app.role("button", "Print").await;

    app.unmount();
}

// Guards addresses that name nothing: an unknown notice or version says so.
#[wasm_bindgen_test]
async fn unknown_notices_and_versions_are_not_found() {
    let tenant = fresh_tenant("US").await;
    for path in [
        "/notices/no-such-notice",
        "/notices/marketing-nda/v/999",
        "/notices/marketing-nda/v/first",
    ] {
        let app = TestApp::mount(&tenant.id, Role::Admin, path);
        app.role("heading", "Page not found").await;
        app.unmount();
    }
}

// Guards printing: the stylesheet has print rules that leave out the app's
// navigation and buttons around a notice.
#[wasm_bindgen_test]
fn notices_have_a_print_stylesheet() {
    let css = include_str!("../style/main.css");
    let print = &css[css.find("@media print").expect("a print stylesheet")..];
    assert!(print.contains(".ts-no-print"));
    assert!(print.contains(".ts-dev-banner"));
}
