//! End-to-end: what the browser model decides reaches the page. On `blog`, Chrome's tight
//! mode (crates/engine/src/browser/schedule.rs) holds image requests back until the parser
//! inserts `<body>`; each such wait in the engine's own trace is said, with its start, in
//! the asset's detail panel of the same lane, and an asset the scheduler let out at once
//! says no such thing.

use fantoccini::{key::Key, Client, Locator};
use protoviz_e2e::{
    close_details, dist_dir, open, trace, value, wait_for, Chromedriver, StaticServer,
};
use protoviz_engine::trace::BlockedCause;
use protoviz_engine::verdict;

const LINK: &str = "page=blog";

/// Opens the detail panel of asset `asset` in the `protocol` lane by the keyboard and
/// returns the texts of its "Why it waited" list.
async fn waits(c: &Client, protocol: &str, asset: u32) -> Vec<String> {
    let row =
        format!(".lane[data-protocol={protocol}] .asset-row[data-asset=\"{asset}\"] .asset-name");
    value(
        c,
        &format!("document.querySelector('{row}').focus(); return 1"),
    )
    .await;
    c.find(Locator::Css(&row))
        .await
        .unwrap()
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    let items = wait_for(
        c,
        "the detail panel",
        20,
        "const d = document.querySelector('[data-view=detail]'); \
         return d && [...d.querySelectorAll('.waits li')].map(li => li.textContent)",
        |v| v.is_array(),
    )
    .await;
    close_details(c).await;
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browsers_held_requests_are_said_in_the_detail_panel() {
    let t = trace(LINK);
    let h2 = t.lanes.iter().find(|l| l.protocol.id() == "h2").unwrap();
    // An image Chrome held back, and its one wait in the browser.
    let (waited, b) = h2
        .assets
        .iter()
        .find_map(|a| {
            let mut held = a
                .blocked
                .iter()
                .filter(|b| b.cause == BlockedCause::Scheduler);
            match (held.next(), held.next()) {
                (Some(b), None) => Some((a, *b)),
                _ => None,
            }
        })
        .expect("an image Chrome held back");
    let not = h2
        .assets
        .iter()
        .find(|a| a.asset.0 > 0 && a.blocked.is_empty())
        .expect("an asset that never waited");

    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    open(&c, &server, LINK).await;

    let said = waits(&c, "h2", waited.asset.0).await;
    let tight: Vec<&String> = said.iter().filter(|t| t.contains("tight mode")).collect();
    assert_eq!(tight.len(), 1, "{}: {said:?}", waited.path);
    // "<start>: waited <span> in the browser: until the parser reaches <body>, …", with the
    // engine's own start and span, rounded as the app rounds them.
    let start = verdict::ms(b.from.as_micros());
    let span = verdict::ms(b.to.as_micros() - b.from.as_micros());
    assert!(
        tight[0].starts_with(&format!("{start}: waited {span} in the browser"))
            && tight[0].contains("<body>"),
        "{}: {} (want {start}, {span})",
        waited.path,
        tight[0]
    );
    // The wait starts when the preload scanner found the image.
    assert_eq!(b.from, waited.discovered, "{}", waited.path);
    let quiet = waits(&c, "h2", not.asset.0).await;
    assert!(quiet.is_empty(), "{}: {quiet:?}", not.path);
    c.close().await.unwrap();
}
