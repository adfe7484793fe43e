//! Over 600 lines: seven browser tests, one per feature of the issue, sharing helpers
//! that would otherwise be copied into seven files.
//!
//! End-to-end, the classroom: the timeline (scrub, speed, step, loop, the moment in the
//! link), slide mode in 16:9 iframes with every key, the embed snippet (also inside a
//! reveal.js deck), the guided lessons to their ends, the winner map filling while the
//! controls respond, every option, themes, reduced motion and the 390-px layout. Each
//! check compares the page with the engine's own answer for the same scenario.

use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::{key::Key, Client, Locator};
use protoviz_e2e::{
    artifacts_dir, dist_dir, reveal_dir, set_viewport, trace, value, wait_for, Chromedriver,
    StaticServer, SUB_PATH,
};
use protoviz_engine::lessons::LESSONS;
use protoviz_engine::verdict::Outcome;
use protoviz_engine::{simulate, timeline, url, winner_map};
use serde_json::Value;

async fn num(c: &Client, script: &str) -> u64 {
    let v = value(c, script).await;
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("{script}: {v} is no number"))
}

/// Waits until the page (or the frame entered) shows the run of `link`.
async fn shows(c: &Client, link: &str) {
    let want = url::encode(&url::decode(link).expect("a valid link"));
    wait_for(
        c,
        &format!("the run of {want}"),
        90,
        "const l = document.querySelector('.lanes'); \
         return [l && l.dataset.run, !!document.querySelector('[data-busy]')]",
        |v| v[0] == want.as_str() && v[1] == false,
    )
    .await;
}

async fn open(c: &Client, server: &StaticServer, hash: &str) {
    c.goto("about:blank").await.unwrap();
    c.goto(&server.url(&format!("{SUB_PATH}#{hash}")))
        .await
        .expect("page loads");
    shows(c, hash).await;
}

async fn session() -> (StaticServer, Chromedriver, Client) {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    (server, driver, c)
}

async fn click(c: &Client, id: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click #{id}: {e}"));
}

/// Presses `key` on the page: on the slide (focusable, as a presenter's clicker needs it)
/// in slide mode, else on the body; no form control has the focus to take it.
async fn press(c: &Client, key: &str) {
    let on = value(
        c,
        "document.activeElement && document.activeElement.blur(); \
         const s = document.querySelector('.slide'); if (s) s.focus(); return s ? '.slide' : 'body'",
    )
    .await;
    c.find(Locator::Css(on.as_str().unwrap()))
        .await
        .unwrap()
        .send_keys(key)
        .await
        .unwrap_or_else(|e| panic!("key {key:?}: {e}"));
}

fn k(key: Key) -> String {
    char::from(key).to_string()
}

async fn pick(c: &Client, id: &str, v: &str) {
    let script = format!(
        "const s = document.getElementById('{id}'); s.value = '{v}';\
         s.dispatchEvent(new Event('change', {{ bubbles: true }})); return s.value;"
    );
    assert_eq!(value(c, &script).await, Value::String(v.into()), "#{id}");
}

async fn playhead(c: &Client) -> u64 {
    num(
        c,
        "const t = document.querySelector('.timebar'); return t ? t.dataset.playheadUs : null",
    )
    .await
}

async fn hash(c: &Client) -> String {
    value(c, "return location.hash")
        .await
        .as_str()
        .unwrap()
        .to_string()
}

async fn end_us(c: &Client) -> u64 {
    num(c, "return document.querySelector('.lanes').dataset.endUs").await
}

/// The replay is paused (the play button offers to play).
async fn paused(c: &Client) -> bool {
    let t = value(c, "return document.getElementById('play').textContent").await;
    t.as_str().unwrap_or_default().contains("Play")
}

/// Scrub, step by button and key, speed, loop, and a link that opens at the same moment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_scrubs_steps_changes_speed_loops_and_goes_into_the_link() {
    let (server, _driver, c) = session().await;
    set_viewport(&c, 1400, 900).await;
    let link = "page=blog&loss=2&proto=h1,h2";
    open(&c, &server, link).await;
    click(&c, "play").await;
    assert!(paused(&c).await);

    // Drag the playhead (the slider's thumb) with the mouse: it scrubs, paused.
    let seek = c.find(Locator::Id("seek")).await.unwrap();
    let (x, y, w, h) = seek.rectangle().await.unwrap();
    let (x0, y0) = (x + 2.0, y + h / 2.0);
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x: x0,
            y: y0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveTo {
            duration: Some(Duration::from_millis(300)),
            x: x + w * 0.6,
            y: y0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(drag).await.expect("drag the playhead");
    let end = end_us(&c).await;
    let t = playhead(&c).await;
    assert!(
        t > end / 3 && t < end * 9 / 10,
        "dragged to about 60 %: {t} of {end}"
    );
    assert!(paused(&c).await, "scrubbing pauses");
    let want_t = url::encode_view(&url::View {
        t_us: Some(t),
        ..Default::default()
    });
    assert_eq!(hash(&c).await, format!("#{link}&{want_t}"));

    // Or drag on the lanes themselves: press on a row's bar area and move along the rows
    // (the axis above them is the zoom's). The time is the pointer's place on the axis.
    let track = |n: usize| format!(".lane[data-protocol=h2] .asset-row:nth-child({n}) .track");
    let (tx, ty, tw, th) = c
        .find(Locator::Css(&track(8)))
        .await
        .unwrap()
        .rectangle()
        .await
        .unwrap();
    let (_, ry, _, rh) = c
        .find(Locator::Css(&track(11)))
        .await
        .unwrap()
        .rectangle()
        .await
        .unwrap();
    let to = tx + tw * 0.7;
    let drag = MouseActions::new("mouse2".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x: tx + tw * 0.2,
            y: ty + th / 2.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveTo {
            duration: Some(Duration::from_millis(300)),
            x: to,
            y: ry + rh / 2.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(drag).await.expect("drag on the lanes");
    let t = playhead(&c).await;
    let want = ((to.round() - tx) / tw * end as f64) as i64;
    let px = (end as f64 / tw) as i64;
    assert!(
        (t as i64 - want).abs() <= 2 * px,
        "dragged to 70 % of the axis: {t}, want {want} ± {}",
        2 * px
    );
    assert_eq!(
        num(
            &c,
            "return document.querySelector('.lanes').dataset.startUs"
        )
        .await,
        0,
        "a drag on the rows moves the playhead, it does not zoom"
    );
    assert!(paused(&c).await);

    // The slider by keyboard.
    c.find(Locator::Id("seek"))
        .await
        .unwrap()
        .send_keys(&k(Key::Right))
        .await
        .unwrap();
    let t2 = playhead(&c).await;
    assert!(t2 > t, "→ on the slider moves the playhead on: {t} → {t2}");

    // Steps land on the trace's moments, in order, by button and by key.
    let moments = timeline::moments(&trace(link), end);
    let next_after = |t: u64| moments.iter().copied().find(|&m| m > t).unwrap_or(end);
    let prev_before = |t: u64| moments.iter().rev().copied().find(|&m| m < t).unwrap_or(0);
    let at = playhead(&c).await;
    click(&c, "step-next").await;
    assert_eq!(playhead(&c).await, next_after(at));
    let at = playhead(&c).await;
    press(&c, &k(Key::Right)).await;
    assert_eq!(playhead(&c).await, next_after(at));
    let at = playhead(&c).await;
    press(&c, &k(Key::PageDown)).await;
    assert_eq!(playhead(&c).await, next_after(at));
    let at = playhead(&c).await;
    click(&c, "step-back").await;
    assert_eq!(playhead(&c).await, prev_before(at));
    let at = playhead(&c).await;
    press(&c, &k(Key::Left)).await;
    assert_eq!(playhead(&c).await, prev_before(at));
    let at = playhead(&c).await;
    press(&c, &k(Key::PageUp)).await;
    assert_eq!(playhead(&c).await, prev_before(at));
    // From the start, the first step is the first request of the trace.
    value(&c, "document.getElementById('seek').value = '0'; document.getElementById('seek').dispatchEvent(new InputEvent('input', {bubbles: true})); return 1").await;
    assert_eq!(playhead(&c).await, 0);
    click(&c, "step-next").await;
    assert_eq!(playhead(&c).await, moments[0]);

    // Speed: the select and + / −; into the link.
    pick(&c, "speed", "25").await;
    assert!(hash(&c).await.contains("&speed=0.25"));
    press(&c, "+").await;
    assert_eq!(
        value(&c, "return document.getElementById('speed').value").await,
        "50"
    );
    press(&c, "+").await;
    press(&c, "+").await;
    press(&c, "+").await;
    press(&c, "+").await;
    assert_eq!(
        value(&c, "return document.getElementById('speed').value").await,
        "400",
        "4× at most"
    );
    press(&c, "-").await;
    assert_eq!(
        value(&c, "return document.getElementById('speed').value").await,
        "200"
    );
    assert!(hash(&c).await.contains("&speed=2"));
    // At 2× the replay covers the axis in half the real time: measured between two frames
    // far apart, the playhead moves at least 1.5× as fast as it would at 1× (6 s a sweep).
    pick(&c, "speed", "400").await;
    press(&c, &k(Key::Home)).await;
    let start = Instant::now();
    let t0 = playhead(&c).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let t1 = playhead(&c).await;
    let real = start.elapsed().as_secs_f64();
    let at_1x = real / 6.0 * end as f64;
    assert!(
        (t1 - t0) as f64 > at_1x * 1.5 || t1 >= end,
        "4×: {t0} → {t1} µs in {real:.2} s (1× would be {at_1x:.0})"
    );

    // Loop: at the end it starts again.
    c.find(Locator::Id("loop"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(hash(&c).await.contains("loop=on"));
    if paused(&c).await {
        click(&c, "play").await;
    }
    wait_for(
        &c,
        "the replay to reach the last tenth",
        30,
        "return Number(document.querySelector('.timebar').dataset.playheadUs)",
        |v| v.as_u64().unwrap_or(0) > end * 9 / 10,
    )
    .await;
    wait_for(
        &c,
        "the loop to start again",
        30,
        "return Number(document.querySelector('.timebar').dataset.playheadUs)",
        |v| v.as_u64().unwrap_or(u64::MAX) < end / 2,
    )
    .await;
    assert!(!paused(&c).await, "still playing after the loop");

    // A link with the moment and speed opens there, paused.
    let moment = moments[moments.len() / 2];
    let at = url::encode_view(&url::View {
        t_us: Some(moment),
        speed: 50,
        ..Default::default()
    });
    open(&c, &server, &format!("{link}&{at}")).await;
    wait_for(
        &c,
        "the linked moment",
        20,
        "return document.querySelector('.timebar').dataset.playheadUs",
        |v| v.as_str() == Some(moment.to_string().as_str()),
    )
    .await;
    assert!(paused(&c).await);
    assert_eq!(
        value(&c, "return document.getElementById('speed').value").await,
        "50"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(playhead(&c).await, moment, "it stays there");
    c.close().await.unwrap();
}

/// Whether the frame entered shows the slide whole: no scrollbar, every lane and every
/// row inside the window.
async fn fits(c: &Client) -> Value {
    value(
        c,
        "const d = document.documentElement, W = innerWidth, H = innerHeight; \
         const lanes = [...document.querySelectorAll('.lane')]; \
         const out = [...document.querySelectorAll('.lane, .asset-row, .slide-bar')] \
           .map(e => e.getBoundingClientRect()) \
           .filter(r => r.bottom > H + 0.5 || r.right > W + 0.5 || r.top < -0.5 || r.left < -0.5).length; \
         const rows = lanes.map(l => { const lr = l.getBoundingClientRect(); \
           return [...l.querySelectorAll('.asset-row')].filter(r => r.getBoundingClientRect().bottom > lr.bottom + 0.5).length; }); \
         return { scroll: [d.scrollWidth - W, d.scrollHeight - H], out, rows, lanes: lanes.length, \
           controls: document.querySelectorAll('.controls, .top, .legend-box').length, \
           font: parseFloat(getComputedStyle(document.querySelector('.lane h2')).fontSize) };",
    )
    .await
}

/// Slide mode in a 16:9 iframe, at 800×450 and 1920×1080: whole, no scrollbars, every key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slide_mode_fits_16_9_iframes_and_answers_every_key() {
    let (server, _driver, c) = session().await;
    set_viewport(&c, 1400, 900).await;
    let link = "page=blog&loss=2&proto=h1,h2";
    for (w, h, lanes) in [
        (800, 450, "h1,h2"),
        (1920, 1080, "h1,h2"),
        (800, 450, "h1,h2,h2-push,h3"),
        (1920, 1080, "h1,h2,h2-push,h3"),
    ] {
        c.goto(&server.url("/embed.html")).await.unwrap();
        let src = format!("{SUB_PATH}#page=blog&proto={lanes}&loss=2&view=slides");
        value(
            &c,
            &format!(
                "const f = document.getElementById('viz'); f.width = {w}; f.height = {h}; f.src = {src:?}; return 1"
            ),
        )
        .await;
        c.enter_frame(0).await.unwrap();
        shows(&c, &format!("page=blog&proto={lanes}&loss=2")).await;
        let f = fits(&c).await;
        assert_eq!(
            f["scroll"],
            serde_json::json!([0, 0]),
            "{w}×{h} {lanes}: {f}"
        );
        assert_eq!(f["out"], 0, "{w}×{h} {lanes}: {f}");
        assert!(
            f["rows"].as_array().unwrap().iter().all(|r| r == 0),
            "{w}×{h} {lanes}: every row inside its lane: {f}"
        );
        assert_eq!(f["controls"], 0, "no chrome: {f}");
        let font = f["font"].as_f64().unwrap();
        assert!(
            font >= 14.0 && font >= f64::from(h) * 0.025,
            "large type: {font}px at {h}"
        );
        let png = c.screenshot().await.unwrap();
        std::fs::write(
            artifacts_dir().join(format!(
                "protoviz-slides-{w}x{h}-{}.png",
                lanes.split(',').count()
            )),
            png,
        )
        .unwrap();
        c.enter_parent_frame().await.unwrap();
    }

    // Every key, inside the frame (a presenter's clicker: PageDown, PageUp).
    c.goto(&server.url("/embed.html")).await.unwrap();
    value(&c, &format!("const f = document.getElementById('viz'); f.width = 960; f.height = 540; f.src = {:?}; return 1", format!("{SUB_PATH}#{link}&view=slides"))).await;
    c.enter_frame(0).await.unwrap();
    shows(&c, link).await;
    let state = "return document.querySelector('.slide-state').dataset.playing";
    let playing = value(&c, state).await;
    press(&c, " ").await;
    assert_ne!(value(&c, state).await, playing, "space toggles play");
    if value(&c, state).await == "true" {
        press(&c, " ").await;
    }
    assert_eq!(value(&c, state).await, "false");
    let end = end_us(&c).await;
    let moments = timeline::moments(&trace(link), end);
    let clock = || async {
        // The slide's clock is in ms; the state's playhead is what the hash pins.
        let h = hash(&c).await;
        let t = h
            .split('&')
            .find_map(|kv| kv.strip_prefix("t="))
            .map(str::to_string);
        url::decode_view(&format!("t={}", t.unwrap_or_default()))
            .view
            .t_us
    };
    let before = clock().await.unwrap_or(0);
    press(&c, &k(Key::PageDown)).await;
    let after = clock().await.expect("a step pins the moment");
    assert_eq!(
        after,
        moments.iter().copied().find(|&m| m > before).unwrap()
    );
    press(&c, &k(Key::Right)).await;
    let after2 = clock().await.unwrap();
    assert!(after2 > after);
    press(&c, &k(Key::PageUp)).await;
    assert_eq!(clock().await, Some(after));
    press(&c, &k(Key::Left)).await;
    assert_eq!(
        clock().await,
        Some(
            moments
                .iter()
                .copied()
                .rev()
                .find(|&m| m < after)
                .unwrap_or(0)
        )
    );
    press(&c, &k(Key::Home)).await;
    assert_eq!(
        value(&c, state).await,
        "true",
        "Home replays from the start"
    );
    // 1–4 toggle lanes: 3 adds HTTP/2 + push, 4 HTTP/3, 1 takes HTTP/1.1 away, 2 and 1 back.
    press(&c, "3").await;
    shows(&c, "page=blog&proto=h1,h2,h2-push&loss=2").await;
    press(&c, "4").await;
    shows(&c, "page=blog&loss=2").await;
    press(&c, "1").await;
    shows(&c, "page=blog&proto=h2,h2-push,h3&loss=2").await;
    press(&c, "1").await;
    press(&c, "3").await;
    press(&c, "4").await;
    shows(&c, link).await;
    assert_eq!(
        value(&c, "return document.querySelectorAll('.lane').length").await,
        2
    );
    // + and − change the speed.
    let speed = "return document.querySelector('.slide-speed').dataset.speed";
    press(&c, "+").await;
    assert_eq!(value(&c, speed).await, "2");
    press(&c, "-").await;
    press(&c, "-").await;
    assert_eq!(value(&c, speed).await, "0.5");
    // ? shows the keys, Escape closes them.
    press(&c, "?").await;
    let help = value(
        &c,
        "const h = document.querySelector('[data-view=keys]'); return h ? h.textContent : null",
    )
    .await;
    let help = help.as_str().expect("the keys help");
    for key in ["Space", "PageUp", "PageDown", "Home", "1 2 3 4", "+ −", "?"] {
        assert!(help.contains(key), "{key} in {help}");
    }
    press(&c, &k(Key::Escape)).await;
    assert_eq!(
        value(&c, "return document.querySelector('[data-view=keys]')").await,
        Value::Null
    );

    // The README's picture: the slide alone at 1280×720, paused at a moment under loss.
    c.enter_parent_frame().await.unwrap();
    set_viewport(&c, 1280, 720).await;
    let at = moments[moments.len() * 2 / 3];
    let view = url::encode_view(&url::View {
        mode: url::view::Mode::Slides,
        t_us: Some(at),
        ..Default::default()
    });
    open(&c, &server, &format!("{link}&{view}")).await;
    assert_eq!(fits(&c).await["scroll"], serde_json::json!([0, 0]));
    let png = c.screenshot().await.unwrap();
    std::fs::write(artifacts_dir().join("protoviz-slides.png"), png).unwrap();
    c.close().await.unwrap();
}

/// The Embed button's snippet, pasted into a page and into a reveal.js deck, shows the same
/// scenario at the same moment, in slide mode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embed_snippet_loads_the_same_view_also_in_a_reveal_deck() {
    let (server, _driver, c) = session().await;
    set_viewport(&c, 1400, 900).await;
    let link = "page=blog&rtt=50&loss=2&proto=h1,h2";
    open(&c, &server, link).await;
    click(&c, "play").await;
    for _ in 0..40 {
        click(&c, "step-next").await;
    }
    let t = playhead(&c).await;
    assert!(t > 0);
    click(&c, "embed-button").await;
    let code = value(&c, "return document.getElementById('embed-code').value").await;
    let code = code.as_str().unwrap().to_string();
    assert!(
        code.starts_with("<iframe src=\"http://127.0.0.1:"),
        "{code}"
    );
    assert!(code.contains("view=slides"), "{code}");
    let t_key = url::encode_view(&url::View {
        t_us: Some(t),
        ..Default::default()
    });
    assert!(
        code.contains(&format!(
            "{}&amp;view=slides&amp;{t_key}",
            link.replace('&', "&amp;")
        )),
        "{code}"
    );

    // Pasted into the slide page (same origin, so the frame's document can be read).
    c.goto(&server.url("/embed.html")).await.unwrap();
    value(&c, &format!("document.body.innerHTML = {code:?}; return 1")).await;
    c.enter_frame(0).await.unwrap();
    shows(&c, link).await;
    assert_eq!(
        value(&c, "return !!document.querySelector('[data-view=slides]')").await,
        true
    );
    wait_for(&c, "the same moment", 20, "return location.hash", |v| {
        v.as_str().is_some_and(|h| h.ends_with(&t_key))
    })
    .await;
    c.enter_parent_frame().await.unwrap();

    // In a reveal.js deck, on its second slide.
    assert!(
        reveal_dir().join("dist/reveal.js").is_file(),
        "no reveal.js at {}: `make test-e2e` installs it",
        reveal_dir().display()
    );
    let encoded: String = code
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    c.goto(&server.url(&format!("/deck.html#embed={encoded}")))
        .await
        .unwrap();
    wait_for(
        &c,
        "reveal.js",
        20,
        "return !!(window.Reveal && Reveal.isReady())",
        |v| v == true,
    )
    .await;
    value(&c, "Reveal.next(); return 1").await;
    wait_for(
        &c,
        "the app's slide",
        20,
        "return Reveal.getIndices().h",
        |v| v == 1,
    )
    .await;
    c.enter_frame(0).await.unwrap();
    shows(&c, link).await;
    let f = fits(&c).await;
    assert_eq!(f["scroll"], serde_json::json!([0, 0]), "in the deck: {f}");
    assert_eq!(f["out"], 0, "{f}");
    c.enter_parent_frame().await.unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(artifacts_dir().join("protoviz-reveal-deck.png"), png).unwrap();
    c.close().await.unwrap();
}

/// Each lesson runs to its end: its link, each step's sentence, the highlight on the
/// element to look at, the answer hidden until revealed (by mouse, or keyboard).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_lesson_runs_to_its_end_with_its_reveals() {
    let (server, _driver, c) = session().await;
    set_viewport(&c, 1400, 900).await;
    c.goto(&server.url(&format!("{SUB_PATH}#page=blog&lesson=1")))
        .await
        .unwrap();
    for (i, lesson) in LESSONS.iter().enumerate() {
        let n = i + 1;
        for (j, step) in lesson.steps.iter().enumerate() {
            let s = j + 1;
            shows(&c, step.link).await;
            let panel = "const p = document.querySelector('[data-view=lesson]'); \
                 return p && [p.dataset.lesson, p.dataset.step, p.dataset.look, \
                 document.getElementById('lesson-say').textContent]";
            let v = wait_for(&c, &format!("lesson {n} step {s}"), 20, panel, |v| {
                v[0] == n.to_string().as_str() && v[1] == s.to_string().as_str()
            })
            .await;
            assert_eq!(v[3], step.say, "lesson {n} step {s}");
            let h = hash(&c).await;
            assert!(h.contains(&format!("lesson={n}")), "{h}");
            // The highlighted element exists and carries the outline.
            let look = v[2].as_str().unwrap();
            let outline = value(
                &c,
                &format!(
                    "const e = document.querySelector({look:?}); return e && getComputedStyle(e).outlineStyle"
                ),
            )
            .await;
            assert_eq!(outline, "solid", "lesson {n} step {s}: {look}");
            // Predict, then reveal.
            assert_eq!(
                value(&c, "return document.getElementById('lesson-answer')").await,
                Value::Null
            );
            if s % 2 == 0 {
                let b = c.find(Locator::Id("reveal")).await.unwrap();
                value(&c, "document.getElementById('reveal').focus(); return 1").await;
                b.send_keys(&k(Key::Enter)).await.unwrap();
            } else {
                click(&c, "reveal").await;
            }
            let answer = value(
                &c,
                "return document.getElementById('lesson-answer').textContent",
            )
            .await;
            assert_eq!(answer, step.answer, "lesson {n} step {s}");
            if s < lesson.steps.len() {
                click(&c, "lesson-next").await;
            }
        }
        assert!(
            value(&c, "return !!document.getElementById('lesson-end')").await == true,
            "lesson {n} ends"
        );
        if n == 8 {
            // At the end of the replay, where the highlighted stalls are all drawn.
            value(&c, "if (document.getElementById('play').textContent.includes('Pause')) document.getElementById('play').click(); \
                const s = document.getElementById('seek'); s.value = '1000'; s.dispatchEvent(new InputEvent('input', {bubbles: true})); return 1").await;
            let png = c.screenshot().await.unwrap();
            std::fs::write(artifacts_dir().join("protoviz-lesson.png"), png).unwrap();
        }
        if n < LESSONS.len() {
            click(&c, "lesson-next-lesson").await;
        }
    }
    // Its own link opens a lesson, at its first step's scenario.
    c.goto("about:blank").await.unwrap();
    c.goto(&server.url(&format!("{SUB_PATH}#page=blog&lesson=4")))
        .await
        .unwrap();
    shows(&c, LESSONS[3].steps[0].link).await;
    let h = hash(&c).await;
    assert!(h.ends_with("&lesson=4"), "{h}");
    c.close().await.unwrap();
}

/// The winner map fills in from the worker while the sliders still run the engine; each
/// cell is the engine's winner; a click opens that cell's scenario.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_winner_map_fills_while_the_controls_respond() {
    let (server, _driver, c) = session().await;
    set_viewport(&c, 1400, 900).await;
    let link = "page=blog&proto=h1,h2,h3";
    open(&c, &server, link).await;
    click(&c, "map-button").await;
    let total = winner_map::runs(&url::decode(link).unwrap()).len() as u64;
    wait_for(&c, "the first results", 60, "const m = document.querySelector('[data-view=winner-map]'); return m && Number(m.dataset.done)", |v| {
        v.as_u64().unwrap_or(0) > 0
    })
    .await;
    // The page is usable meanwhile: a slider runs the engine and its run arrives before
    // the map is done.
    c.find(Locator::Id("rtt"))
        .await
        .unwrap()
        .send_keys(&k(Key::Right))
        .await
        .unwrap();
    shows(&c, "page=blog&proto=h1,h2,h3&rtt=101").await;
    let done = num(
        &c,
        "return document.querySelector('[data-view=winner-map]').dataset.done",
    )
    .await;
    assert!(
        done < total,
        "the run came back while the map computed ({done} of {total})"
    );
    wait_for(
        &c,
        "the whole map",
        300,
        "return document.querySelector('[data-view=winner-map]').dataset.finished",
        |v| v == "true",
    )
    .await;
    assert_eq!(
        num(
            &c,
            "return document.querySelector('[data-view=winner-map]').dataset.done"
        )
        .await,
        total
    );
    let drawn = value(&c, "return [...document.querySelectorAll('[data-cell]')].map(e => [e.dataset.cell, e.dataset.winner, e.dataset.margin])").await;
    let drawn = drawn.as_array().unwrap();
    assert_eq!(drawn.len(), 36);
    // The engine's own map, natively, for the scenario the map was started for.
    let base = url::decode(link).unwrap();
    let mut outcomes: Vec<Vec<Outcome>> = vec![Vec::new(); 36];
    for (i, s) in winner_map::runs(&base) {
        outcomes[i].push(Outcome::of(&simulate(&s).unwrap()));
    }
    for (i, cell) in drawn.iter().enumerate() {
        let w = winner_map::winner(&outcomes[i]).expect("a lane finished");
        let (r, col) = (i / 6, i % 6);
        assert_eq!(cell[0], format!("{r},{col}"));
        assert_eq!(cell[1], w.protocol.id(), "cell {r},{col}");
        assert_eq!(cell[2], w.margin_pct().to_string(), "cell {r},{col}");
    }
    let png = c.screenshot().await.unwrap();
    std::fs::write(artifacts_dir().join("protoviz-winner-map.png"), png).unwrap();
    // A click opens the cell's scenario.
    c.find(Locator::Css("[data-cell='3,4']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let cell = winner_map::cells()[3 * 6 + 4];
    let s = winner_map::cell_scenario(&base, cell);
    shows(&c, &url::encode(&s)).await;
    c.close().await.unwrap();
}

/// Every option of the link has a control with its range and explanation; a change reruns
/// and rewrites the link; a bad value is named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_advanced_panel_has_every_option_and_drives_the_engine() {
    let (server, _driver, c) = session().await;
    set_viewport(&c, 1400, 900).await;
    open(&c, &server, "page=blog").await;
    click(&c, "advanced-button").await;
    let keys = value(&c, "return [...document.querySelectorAll('[data-view=advanced] [data-key]')].map(e => e.dataset.key)").await;
    let want: Vec<&str> = url::KEYS
        .iter()
        .copied()
        .filter(|k| !matches!(*k, "page" | "pagejson"))
        .collect();
    assert_eq!(
        keys,
        serde_json::json!(want),
        "every key but the page (the picker above)"
    );
    let empty = value(&c, "return [...document.querySelectorAll('.adv-row')].filter(r => !r.querySelector('.adv-range').textContent || !r.querySelector('.adv-explain').textContent).length").await;
    assert_eq!(empty, 0);
    pick(&c, "adv-cc", "newreno").await;
    shows(&c, "page=blog&cc=newreno").await;
    pick(&c, "adv-tls", "1.2").await;
    shows(&c, "page=blog&cc=newreno&tls=1.2").await;
    assert_eq!(hash(&c).await, "#page=blog&cc=newreno&tls=1.2");
    // A typed value, by keyboard.
    let q = c.find(Locator::Id("adv-queue")).await.unwrap();
    q.send_keys("30000").await.unwrap();
    q.send_keys(&k(Key::Tab)).await.unwrap();
    shows(&c, "page=blog&queue=30000&cc=newreno&tls=1.2").await;
    // A bad value says what is wrong, and the scenario stays.
    let script = "const i = document.getElementById('adv-proto'); i.value = 'h1,h9'; \
        i.dispatchEvent(new Event('change', { bubbles: true })); return i.value";
    assert_eq!(value(&c, script).await, "h1,h9");
    let err = wait_for(
        &c,
        "the error",
        10,
        "const e = document.querySelector('.adv-error'); return e && e.textContent",
        |v| v.is_string(),
    )
    .await;
    assert!(
        err.as_str()
            .unwrap()
            .starts_with("proto is \"h1,h9\"; allowed: "),
        "{err}"
    );
    assert_eq!(hash(&c).await, "#page=blog&queue=30000&cc=newreno&tls=1.2");
    c.close().await.unwrap();
}

/// Themes switch; reduced motion starts paused; at 390 px the lanes stack.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn themes_reduced_motion_and_the_phone_layout() {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    set_viewport(&c, 1400, 900).await;
    open(&c, &server, "page=blog&loss=2").await;
    let bg = "return [document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor, getComputedStyle(document.querySelector('.lane')).backgroundColor]";
    let light = value(&c, bg).await;
    pick(&c, "theme", "dark").await;
    let dark = value(&c, bg).await;
    assert_eq!(dark[0], "dark");
    assert_eq!(dark[2], "rgb(31, 32, 41)", "{dark}");
    assert_ne!(dark[2], light[2]);
    assert!(hash(&c).await.contains("theme=dark"));
    value(&c, "document.getElementById('seek').value = '1000'; document.getElementById('seek').dispatchEvent(new InputEvent('input', {bubbles: true})); return 1").await;
    let png = c.screenshot().await.unwrap();
    std::fs::write(artifacts_dir().join("protoviz-dark.png"), png).unwrap();
    pick(&c, "theme", "projector").await;
    let png = c.screenshot().await.unwrap();
    std::fs::write(artifacts_dir().join("protoviz-projector.png"), png).unwrap();
    let p = value(&c, bg).await;
    assert_eq!(p[0], "projector");
    assert_eq!(p[2], "rgb(255, 255, 255)");
    pick(&c, "theme", "light").await;
    assert_eq!(value(&c, bg).await[2], "rgb(255, 255, 255)");
    // A theme in the link.
    open(&c, &server, "page=blog&theme=dark").await;
    assert_eq!(value(&c, bg).await[0], "dark");

    // 390 px: one lane under the other, nothing wider than the screen.
    set_viewport(&c, 390, 844).await;
    let layout = value(&c, "const l = [...document.querySelectorAll('.lane')].map(e => e.getBoundingClientRect()); \
        return [document.documentElement.scrollWidth - document.documentElement.clientWidth, l.every(r => Math.abs(r.left - l[0].left) < 1), \
        l.every((r, i) => i == 0 || r.top >= l[i - 1].bottom - 1)]").await;
    assert_eq!(layout, serde_json::json!([0, true, true]));
    c.close().await.unwrap();

    // prefers-reduced-motion: the replay waits for Play.
    let c = driver
        .client_with(&["--force-prefers-reduced-motion"])
        .await;
    c.goto(&server.url(&format!("{SUB_PATH}#page=blog")))
        .await
        .unwrap();
    shows(&c, "page=blog").await;
    assert_eq!(
        value(
            &c,
            "return matchMedia('(prefers-reduced-motion: reduce)').matches"
        )
        .await,
        true
    );
    assert!(paused(&c).await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(playhead(&c).await, 0, "nothing moved");
    click(&c, "play").await;
    wait_for(
        &c,
        "Play to start it",
        10,
        "return Number(document.querySelector('.timebar').dataset.playheadUs)",
        |v| v.as_u64().unwrap_or(0) > 0,
    )
    .await;
    c.close().await.unwrap();
}

/// The colour claims of style.css hold: each theme's four lane colours stay at least
/// ΔE 18 apart (CIELAB) under simulated protanopia and deuteranopia (Machado, Oliveira and
/// Fernandes 2009, severity 1), and so do the light theme's bar phases.
#[test]
fn lane_and_phase_colours_stay_apart_for_colour_blind_viewers() {
    let css = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../style.css"))
        .expect("style.css");
    // Without its comments (they hold colons and semicolons of their own).
    let mut css = css;
    while let Some(a) = css.find("/*") {
        let b = css[a..].find("*/").map_or(css.len(), |b| a + b + 2);
        css.replace_range(a..b, "");
    }
    // The last value each variable gets in the first rule that starts with `selector {`
    // among the classroom's rules (they come last and override the originals).
    let vars = |selector: &str| -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for block in css.split('}') {
            let Some((sel, body)) = block.split_once('{') else {
                continue;
            };
            if sel.trim().rsplit('\n').next().map(str::trim) != Some(selector) {
                continue;
            }
            for decl in body.split(';') {
                if let Some((k, v)) = decl.split_once(':') {
                    let (k, v) = (k.trim(), v.trim());
                    if k.starts_with("--") && v.starts_with('#') && v.len() == 7 {
                        out.retain(|(n, _)| n != k);
                        out.push((k.to_string(), v.to_string()));
                    }
                }
            }
        }
        out
    };
    let rgb = |hex: &str| -> [f64; 3] {
        let c = |i: usize| f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        [c(1), c(3), c(5)]
    };
    let lin = |c: f64| {
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let lab = |l: [f64; 3]| -> [f64; 3] {
        let x = (0.4124 * l[0] + 0.3576 * l[1] + 0.1805 * l[2]) / 0.95047;
        let y = 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
        let z = (0.0193 * l[0] + 0.1192 * l[1] + 0.9505 * l[2]) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        [
            116.0 * f(y) - 16.0,
            500.0 * (f(x) - f(y)),
            200.0 * (f(y) - f(z)),
        ]
    };
    const PROTAN: [[f64; 3]; 3] = [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ];
    const DEUTAN: [[f64; 3]; 3] = [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ];
    let seen = |hex: &str, m: &[[f64; 3]; 3]| -> [f64; 3] {
        let c = rgb(hex).map(lin);
        let s =
            [0, 1, 2].map(|i| (m[i][0] * c[0] + m[i][1] * c[1] + m[i][2] * c[2]).clamp(0.0, 1.0));
        lab(s)
    };
    let distance = |a: [f64; 3], b: [f64; 3]| {
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
    };
    let check = |theme: &str, names: &[&str], min: f64| {
        let v = vars(theme);
        let colours: Vec<(&str, String)> = names
            .iter()
            .map(|n| {
                let c = v.iter().find(|(k, _)| k == n).map(|(_, c)| c.clone());
                (*n, c.unwrap_or_else(|| panic!("{theme} has no {n}")))
            })
            .collect();
        for (i, (na, a)) in colours.iter().enumerate() {
            for (nb, b) in &colours[i + 1..] {
                for (what, m) in [("protanopia", &PROTAN), ("deuteranopia", &DEUTAN)] {
                    let d = distance(seen(a, m), seen(b, m));
                    assert!(
                        d >= min,
                        "{theme}: {na} {a} and {nb} {b} are ΔE {d:.1} apart under {what}"
                    );
                }
            }
        }
    };
    let lanes = ["--h1", "--h2", "--h2-push", "--h3"];
    check(":root", &lanes, 18.0);
    check(":root[data-theme=\"dark\"]", &lanes, 18.0);
    check(":root[data-theme=\"projector\"]", &lanes, 18.0);
    check(
        ":root",
        &["--queued", "--connect", "--tls", "--wait", "--receive"],
        20.0,
    );
    check(
        ":root[data-theme=\"dark\"]",
        &["--queued", "--connect", "--tls", "--wait", "--receive"],
        20.0,
    );
}
