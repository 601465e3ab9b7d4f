//! What the commands share: the server launcher, the HTTP client, a webhook
//! receiver, the built app served with the API, and headless Chromium over
//! WebDriver.

pub mod browser;
pub mod http;
pub mod receiver;
pub mod server;
pub mod site;
