//! API throughput: bounded runs of GET (200 and 304) and of PUT changes.

use hyper::StatusCode;

use super::load::{bearer, run_load, LoadResult, Read, Toggle};
use super::{READERS, RUN, WARM_UP, WRITERS};
use crate::shell::Result;
use crate::support::http::Api as Client;
use crate::support::server::ApiServer;

pub struct Api {
    pub read: LoadResult,
    pub revalidate: LoadResult,
    pub change: LoadResult,
}

pub async fn measure_api(server: &ApiServer) -> Result<Api> {
    let addr = server.addr;
    let client = Client::new(&server.url)?;
    let token = client.dev_token("contoso", "admin").await?;
    let first = client.settings("contoso", &token).await?;
    if first.etag.is_empty() {
        return Err("the document has no ETag".to_owned());
    }
    let authorization = bearer(&token)?;
    let document = "/api/v1/tenants/contoso/data-sharing".to_owned();

    println!(
        "xtask: bench: GET {document} on {READERS} connections for {} s",
        RUN.as_secs()
    );
    let readers = (0..READERS)
        .map(|_| Read {
            path: document.clone(),
            headers: vec![("authorization".to_owned(), authorization.clone())],
            expect: StatusCode::OK,
        })
        .collect();
    let read = run_load(addr, readers, WARM_UP, RUN).await?;

    println!(
        "xtask: bench: the same with If-None-Match (304) for {} s",
        RUN.as_secs()
    );
    let revalidators = (0..READERS)
        .map(|_| Read {
            path: document.clone(),
            headers: vec![
                ("authorization".to_owned(), authorization.clone()),
                ("if-none-match".to_owned(), first.etag.clone()),
            ],
            expect: StatusCode::NOT_MODIFIED,
        })
        .collect();
    let revalidate = run_load(addr, revalidators, WARM_UP, RUN).await?;

    let change = measure_changes(server).await?;
    Ok(Api {
        read,
        revalidate,
        change,
    })
}

/// PUT changes by [`WRITERS`] admins, each switching Copilot on its own tenant.
pub async fn measure_changes(server: &ApiServer) -> Result<LoadResult> {
    let client = Client::new(&server.url)?;
    println!(
        "xtask: bench: PUT by {WRITERS} admins of their own tenants for {} s",
        RUN.as_secs()
    );
    let mut admins = Vec::new();
    for _ in 0..WRITERS {
        admins.push(new_writer(&client).await?);
    }
    run_load(server.addr, admins, WARM_UP, RUN).await
}

/// A fresh US tenant and its admin, ready to switch Copilot on and off.
pub(super) async fn new_writer(client: &Client) -> Result<Toggle> {
    let id = client.new_tenant("US").await?;
    let token = client.dev_token(&id, "admin").await?;
    let document = client.settings(&id, &token).await?;
    let copilot = document.value["programs"]
        .as_array()
        .and_then(|programs| programs.iter().find(|p| p["id"] == "copilot"))
        .ok_or_else(|| format!("no copilot program in {}", document.value))?;
    if document.etag.is_empty() {
        return Err("the document has no ETag".to_owned());
    }
    Ok(Toggle {
        path: format!("/api/v1/tenants/{id}/data-sharing/copilot"),
        authorization: bearer(&token)?,
        etag: document.etag,
        enabled: copilot["enabled"] == true,
        notices: copilot["notices"].clone(),
        sequence: 0,
    })
}
