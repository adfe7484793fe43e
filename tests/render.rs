//! Issue 14 item 3, end to end and without timing: during the replay only the playhead
//! layers and the figures change; the static drawing of every lane (waterfall rows and
//! their axis ticks, connection tracks, packet strips) is not touched, counted by
//! MutationObservers over many animation frames — on `tiles` at 2 % loss and on a
//! generated 200-asset page (every asset its own row). And item 5's app side: a
//! 5,000-asset page opens, draws the first rows of each lane and says how many more there
//! are, and the page keeps answering.

use protoviz_e2e::pages::{generated, generated_link};
use protoviz_e2e::{dist_dir, value, wait_for, Chromedriver, StaticServer, SUB_PATH};
use serde_json::Value;

/// Opens `#link`, waits for its run (and the median of the seeds, which would otherwise
/// redraw the verdict during the replay), and opens the connection tracks and packet
/// strips in every lane.
async fn open_with_wire(c: &fantoccini::Client, server: &StaticServer, link: &str, secs: u64) {
    let want = protoviz_engine::url::encode(&protoviz_engine::url::decode(link).unwrap());
    c.goto("about:blank").await.unwrap();
    c.goto(&server.url(&format!("{SUB_PATH}#{link}")))
        .await
        .expect("page loads");
    wait_for(
        c,
        "the run and its median",
        secs,
        "const l = document.querySelector('.lanes'); \
         return [l && l.dataset.run, !!document.querySelector('[data-busy]'), document.querySelector('.seeds') === null]",
        |v| v[0] == want.as_str() && v[1] == false && v[2] == true,
    )
    .await;
    value(
        c,
        "document.querySelector('.lane .wire-toggle').click(); return 1",
    )
    .await;
    wait_for(
        c,
        "the connection tracks and packet strips",
        secs,
        "return [document.querySelectorAll('[data-view=connections]').length, document.querySelectorAll('[data-view=packets]').length]",
        |v| v[0] == 4 && v[1] == 4,
    )
    .await;
}

/// Replays from the start for `frames` animation frames while MutationObservers watch
/// every lane; returns the mutations counted by where they were: `static` (anything in a
/// waterfall, connection track or packet strip but the playhead layers and the axis
/// markers), `playhead` (the overlay over the rows, the axis markers), `figures`.
const WATCH: &str = r#"
const [frames, done] = [arguments[0], arguments[arguments.length - 1]];
const count = { static: 0, playhead: 0, figures: 0, frames: 0, where: [] };
const marker = n => n.nodeType === 1 && n.classList.contains('marker');
const follows = r => {
  const e = r.target.nodeType === 1 ? r.target : r.target.parentElement;
  if (!e) return false;
  if (e.closest('.overlay, .marker')) return true;
  // A marker (first paint, DCL) appearing on the axis when the playhead reaches it.
  return r.type === 'childList' && e.classList.contains('axis')
    && [...r.addedNodes, ...r.removedNodes].every(marker);
};
const watch = (sel, figures) => document.querySelectorAll(sel).forEach(el =>
  new MutationObserver(m => m.forEach(r => {
    if (figures) count.figures++;
    else if (follows(r)) count.playhead++;
    else { count.static++; if (count.where.length < 5) count.where.push(r.type + ' ' + (r.target.className || r.target.nodeName) + ' ' + (r.attributeName || '')); }
  })).observe(el, { subtree: true, childList: true, attributes: true, characterData: true }));
watch('[data-view=waterfall]', false); watch('[data-view=connections]', false); watch('[data-view=packets]', false);
watch('.lane-head', true);
document.getElementById('restart').click();
const tick = () => { if (++count.frames >= frames) { setTimeout(() => done(count), 0); } else requestAnimationFrame(tick); };
requestAnimationFrame(tick);
"#;

async fn replay(c: &fantoccini::Client, frames: u64) -> Value {
    c.execute_async(WATCH, vec![frames.into()])
        .await
        .expect("script runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_redraws_no_lane_drawing_on_tiles_and_a_200_asset_page() {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    let big = generated_link(200, "loss=2");
    for (name, link) in [
        ("tiles", "page=tiles&loss=2".to_string()),
        ("200 assets", big),
    ] {
        open_with_wire(&c, &server, &link, 180).await;
        // Everything is drawn: the generated page's 200 rows in each lane, no row held back.
        let drawn = value(
            &c,
            "return [document.querySelectorAll('.lane').length, \
                     document.querySelectorAll('.asset-row').length, \
                     document.querySelectorAll('.rows-limit').length, \
                     document.querySelectorAll('.conn-row .cseg').length, \
                     document.querySelectorAll('.pkt-row').length]",
        )
        .await;
        assert_eq!(drawn[0], 4, "{name}: {drawn}");
        let rows = if name == "tiles" { 2 * 4 } else { 200 * 4 };
        assert_eq!(drawn[1], rows, "{name}: {drawn}");
        assert_eq!(drawn[2], 0, "{name}: {drawn}");
        assert!(drawn[3].as_u64().unwrap() > 100, "{name}: {drawn}");
        assert!(drawn[4].as_u64().unwrap() >= 4, "{name}: {drawn}");
        let seen = replay(&c, 90).await;
        assert_eq!(seen["frames"], 90, "{name}: {seen}");
        assert_eq!(
            seen["static"], 0,
            "{name}: a replay frame changed a lane's drawing: {seen}"
        );
        assert!(
            seen["playhead"].as_u64().unwrap() > 60,
            "{name}: the curtain and playhead move every frame: {seen}"
        );
        assert!(
            seen["figures"].as_u64().unwrap() > 0,
            "{name}: the figures follow the playhead: {seen}"
        );
    }
    c.close().await.unwrap();
}

/// A page of 5,000 different assets (the engine's limit): the lanes come, each draws its
/// first rows and says how many more there are, a button draws more, and the page still
/// answers a control.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5000_asset_page_draws_its_first_rows_and_says_how_many_more() {
    let page = generated(5_000);
    assert_eq!(page.assets.len(), 5_000);
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    let link = generated_link(5_000, "");
    let want = protoviz_engine::url::encode(&protoviz_engine::url::decode(&link).unwrap());
    c.goto(&server.url(&format!("{SUB_PATH}#{link}")))
        .await
        .expect("page loads");
    wait_for(
        &c,
        "the 5,000-asset run",
        600,
        "const l = document.querySelector('.lanes'); return l && l.dataset.run",
        |v| v == want.as_str(),
    )
    .await;
    let shown = value(
        &c,
        "return [document.querySelectorAll('.lane').length, \
                 document.querySelectorAll('.asset-row').length, \
                 [...document.querySelectorAll('.rows-limit')].map(p => [p.dataset.shown, p.dataset.rows, p.textContent])]",
    )
    .await;
    assert_eq!(shown[0], 4, "{shown}");
    assert_eq!(shown[1], 300 * 4, "{shown}");
    let limits = shown[2].as_array().unwrap();
    assert_eq!(limits.len(), 4, "{shown}");
    for l in limits {
        assert_eq!(l[0], "300", "{shown}");
        assert_eq!(l[1], "5000", "{shown}");
        let text = l[2].as_str().unwrap();
        assert!(
            text.starts_with("The first 300 of 5,000 rows are drawn; 4,700 more are not"),
            "{text}"
        );
        assert!(text.ends_with("Draw 300 more"), "{text}");
    }
    value(&c, "document.querySelector('.rows-more').click(); return 1").await;
    wait_for(
        &c,
        "600 rows in each lane",
        60,
        "return [document.querySelectorAll('.asset-row').length, document.querySelector('.rows-limit').dataset.shown]",
        |v| v[0] == 600 * 4 && v[1] == "600",
    )
    .await;
    // The page answers: a control still changes the scenario the engine is asked for.
    let rtt = value(
        &c,
        "const r = document.getElementById('rtt'); r.value = '200';\
         r.dispatchEvent(new InputEvent('input', { bubbles: true })); return r.value",
    )
    .await;
    assert_eq!(rtt, "200");
    wait_for(
        &c,
        "the new run asked for",
        600,
        "return location.hash.includes('rtt=200')",
        |v| v == true,
    )
    .await;
    c.close().await.unwrap();
}
