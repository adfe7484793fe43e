use super::*;
use crate::options::Http2Options;
use proptest::prelude::*;

fn err(text: &str) -> String {
    decode(text).unwrap_err().to_string()
}

#[test]
fn a_preset_with_defaults_is_just_its_id() {
    // Every value is the default, so only the page is written.
    assert_eq!(encode(&Scenario::preset(PresetId::Blog)), "page=blog");
    // `encode` finds a preset by its name: each preset's page is named by its id.
    for id in PresetId::ALL {
        assert_eq!(Page::preset(id).name, id.id());
        assert_eq!(encode(&Scenario::preset(id)), format!("page={}", id.id()));
    }
    assert_eq!(encode(&Scenario::preset(PresetId::Tiles)), "page=tiles");
    assert_eq!(
        decode("#page=tiles").unwrap(),
        Scenario::preset(PresetId::Tiles)
    );
}

#[test]
fn changed_values_get_short_keys_in_a_fixed_order() {
    let mut s = Scenario::preset(PresetId::Blog);
    s.network.rtt = SimDuration::from_micros(50_500);
    s.network.downlink_bps = 2_500_000;
    s.network.loss = LossModel::Bursty {
        ppm: 2_500,
        mean_burst: 4,
    };
    s.network.seed = 7;
    s.protocols = vec![Protocol::Http3, Protocol::Http1];
    s.http1 = Http1Options {
        connections: 2,
        keep_alive: false,
        pipelining: true,
    };
    s.http2 = Http2Options {
        windows: FlowWindows::Rfc,
        push: PushPolicy::List(vec![AssetId(1), AssetId(3)]),
    };
    s.http3.zero_rtt = true;
    s.server.scheduler = SchedulerKind::RoundRobin;
    s.server.early_hints = true;
    s.browser.cache = Cache::Warm;
    let text = encode(&s);
    assert_eq!(
        text,
        "page=blog&rtt=50.5&down=2.5&loss=0.25&model=bursty&burst=4&seed=7&proto=h3,h1\
         &h1conn=2&keepalive=off&pipelining=on&windows=rfc&push=1,3&zerortt=on\
         &sched=round-robin&hints=on&cache=warm"
    );
    assert_eq!(decode(&text).unwrap(), s);
}

#[test]
fn a_page_that_is_no_preset_travels_as_base64url_json() {
    let mut s = Scenario::preset(PresetId::Blog);
    s.page.assets[3].size += 1;
    let text = encode(&s);
    assert!(text.starts_with("pagejson="), "{text}");
    assert!(text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_=&.,".contains(&b)));
    assert_eq!(decode(&text).unwrap(), s);
}

#[test]
fn bad_values_name_key_value_and_what_is_allowed() {
    assert_eq!(
        err("page=blog&rtt=fast"),
        "rtt is \"fast\"; allowed: a round trip in milliseconds from 1 to 10000, up to 3 decimals"
    );
    // 0.0001 ms has too many decimals; 20000 ms is out of range.
    assert!(err("page=blog&rtt=0.0001").starts_with("rtt is \"0.0001\""));
    assert!(err("page=blog&rtt=20000").starts_with("rtt is \"20000\""));
    assert_eq!(
        err("page=news2"),
        format!("page is \"news2\"; allowed: {}", preset_ids())
    );
    assert_eq!(
        err("page=blog&loss=60"),
        "loss is \"60\"; allowed: a loss rate in per cent from 0 to 50, up to 4 decimals"
    );
    assert_eq!(
        err("page=blog&cache=hot"),
        "cache is \"hot\"; allowed: cold or warm"
    );
    assert_eq!(
        err("page=blog&sched=fifo"),
        "sched is \"fifo\"; allowed: sequential or round-robin"
    );
    assert_eq!(
        err("page=blog&zerortt=yes"),
        "zerortt is \"yes\"; allowed: on or off"
    );
    assert_eq!(
        err("page=blog&h1conn=0"),
        "h1conn is \"0\"; allowed: 1 to 32 HTTP/1.1 connections per host"
    );
    assert_eq!(
        err("page=blog&proto=h1,h1"),
        "proto is \"h1,h1\"; allowed: protocols separated by commas, each once: h1, h2, h2-push, h3"
    );
    assert!(err("page=blog&proto=h4").starts_with("proto is \"h4\""));
    assert!(err("page=blog&push=1,x")
        .starts_with("push is \"1,x\"; allowed: none, critical, or asset ids"));
    assert_eq!(
        err("page=blog&windows=big"),
        "windows is \"big\"; allowed: rfc or browser"
    );
    assert!(err("page=blog&down=0.01").starts_with("down is \"0.01\"; allowed: a bandwidth"));
    assert!(err("page=blog&queue=10").starts_with("queue is \"10\""));
    assert!(err("page=blog&seed=-1").starts_with("seed is \"-1\""));
    assert!(err("page=blog&jscost=100001").starts_with("jscost is \"100001\""));
    assert!(err("pagejson=%%%").starts_with("pagejson is \"%%%\"; allowed: base64url"));
    // Valid base64url ("bm90IGpzb24" is "not json") of something that is no page.
    assert!(err("pagejson=bm90IGpzb24")
        .starts_with("pagejson is \"bm90IGpzb24\"; allowed: base64url of a page's JSON"));
    // Valid base64url of bytes that are not UTF-8 (0xff 0xfe): said so, no panic.
    assert_eq!(
        err("pagejson=__4"),
        "pagejson is \"__4\"; allowed: base64url of a page's JSON \
         (the JSON: not UTF-8: invalid utf-8 sequence of 1 bytes from index 0)"
    );
}

#[test]
fn loss_keys_must_agree_with_the_model() {
    assert_eq!(
        err("page=blog&burst=5"),
        "burst is \"5\"; allowed: a mean burst only with model=bursty"
    );
    assert_eq!(
        err("page=blog&lossup=1,2"),
        "lossup is \"1,2\"; allowed: lost packet ordinals only with model=scripted"
    );
    assert_eq!(
        err("page=blog&loss=1&model=none"),
        "loss is \"1\"; allowed: a loss rate only with model=random or model=bursty, not model=none"
    );
    assert_eq!(
        decode("page=blog&model=scripted&lossdown=3,17")
            .unwrap()
            .network
            .loss,
        LossModel::Scripted {
            up: vec![],
            down: vec![3, 17]
        }
    );
    // Bursty without a burst length gets the default of 3.
    assert_eq!(
        decode("page=blog&loss=2&model=bursty")
            .unwrap()
            .network
            .loss,
        LossModel::Bursty {
            ppm: 20_000,
            mean_burst: DEFAULT_MEAN_BURST
        }
    );
}

#[test]
fn structural_errors() {
    assert_eq!(
        err("page=blog&colour=red&rtt=50&flavour=1"),
        format!(
            "unknown keys \"colour\", \"flavour\"; known keys: {}",
            KEYS.join(", ")
        )
    );
    assert!(err("page=blog&x=1").starts_with("unknown key \"x\"; known keys: page,"));
    assert_eq!(
        err("page=blog&rtt=50&rtt=60"),
        "rtt is given twice; give it at most once"
    );
    assert_eq!(
        err("page=blog&rtt"),
        "\"rtt\" is not key=value; parts are separated by &"
    );
    assert_eq!(
        err("rtt=50"),
        format!(
            "no page: give page=ID ({}) or pagejson=BASE64URL",
            preset_ids()
        )
    );
    assert_eq!(err(""), err("#"));
    assert_eq!(
        err("page=blog&pagejson=e30"),
        "both page and pagejson are given; give one"
    );
    assert_eq!(
        err(&"a".repeat(MAX_LEN + 1)),
        format!(
            "the scenario string is {} bytes; at most {MAX_LEN} are allowed",
            MAX_LEN + 1
        )
    );
    // Values that parse but make an invalid scenario: the validator's message.
    assert_eq!(
        err("page=blog&push=99"),
        "the scenario is not valid: http2.push.list is 99; allowed: ids of the page's \
         assets other than the HTML (1 to assets − 1)"
    );
    assert_eq!(
        err("page=blog&proto="),
        "proto is \"\"; allowed: protocols separated by commas, each once: h1, h2, h2-push, h3"
    );
}

/// Every good key of a link applies; each bad one is reported with its value and what
/// is allowed, and its default is used.
#[test]
fn a_lenient_read_keeps_every_good_key() {
    let l = decode_lenient("#page=tiles&rtt=50&loss=abc");
    assert_eq!(l.scenario.page, Page::preset(PresetId::Tiles));
    assert_eq!(l.scenario.network.rtt, SimDuration::from_millis(50));
    assert_eq!(l.scenario.network.loss, LossModel::None);
    assert_eq!(
        l.errors,
        vec![bad(
            "loss",
            "abc",
            "a loss rate in per cent from 0 to 50, up to 4 decimals"
        )]
    );
    assert_eq!(l.errors[0].key(), Some("loss"));
    // No page: both the missing page and the bad loss are named; blog runs.
    let l = decode_lenient("loss=abc");
    assert_eq!(l.errors.len(), 2, "{:?}", l.errors);
    assert_eq!(l.errors[0], UrlError::NoPage);
    assert_eq!(l.errors[1].key(), Some("loss"));
    assert_eq!(l.scenario, Scenario::preset(PresetId::Blog));
    // A bad page: blog, with the rest applied.
    let l = decode_lenient("page=nope&rtt=50&cache=warm");
    assert_eq!(l.errors, vec![bad("page", "nope", preset_ids())]);
    assert_eq!(l.scenario.network.rtt, SimDuration::from_millis(50));
    assert_eq!(l.scenario.browser.cache, Cache::Warm);
    // Several bad keys, an unknown one, a repeat and a part without '=': all named.
    let l = decode_lenient("page=tiles&rtt=fast&cache=hot&colour=red&h1conn=2&h1conn=3&x");
    let keys: Vec<Option<&str>> = l.errors.iter().map(UrlError::key).collect();
    assert_eq!(
        keys,
        [Some("h1conn"), None, None, Some("rtt"), Some("cache")],
        "{:?}",
        l.errors
    );
    assert_eq!(l.errors[1], UrlError::NotKeyValue("x".into()));
    assert_eq!(l.errors[2], UrlError::UnknownKeys(vec!["colour".into()]));
    assert_eq!(l.scenario.page, Page::preset(PresetId::Tiles));
    assert_eq!(l.scenario.http1.connections, 2, "the first h1conn applies");
    assert_eq!(l.scenario.network.rtt, Network::default().rtt);
    // A good link reads the same as with `decode`.
    let l = decode_lenient("page=blog&rtt=50&loss=1.5&down=3");
    assert!(l.errors.is_empty());
    assert_eq!(Ok(l.scenario), decode("page=blog&rtt=50&loss=1.5&down=3"));
}

/// Values that parse one by one but make an invalid scenario: the key to blame is left
/// out and named; the rest applies.
#[test]
fn a_lenient_read_blames_the_key_that_makes_the_scenario_invalid() {
    let l = decode_lenient("page=blog&rtt=50&push=99");
    assert_eq!(l.scenario.network.rtt, SimDuration::from_millis(50));
    assert_eq!(l.scenario.http2.push, PushPolicy::Critical);
    assert_eq!(l.errors.len(), 1);
    assert!(
        l.errors[0]
            .to_string()
            .starts_with("the scenario is not valid: http2.push.list is 99"),
        "{}",
        l.errors[0]
    );
    assert!(l.scenario.validate().is_ok());
}

proptest! {
    /// Whatever the link, the lenient read gives a scenario that validates, and no
    /// errors exactly when the strict read succeeds (with the same scenario).
    #[test]
    fn lenient_reads_always_validate(
        parts in proptest::collection::vec(
            (proptest::sample::select(KEYS.to_vec()),
             proptest::sample::select(vec!["", "0", "1", "2.5", "50", "abc", "on", "off",
                 "tiles", "blog", "h1,h3", "warm", "99", "1,2", "bursty", "scripted", "-1"])),
            0..8)
    ) {
        let text: Vec<String> = parts.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let text = text.join("&");
        let l = decode_lenient(&text);
        prop_assert!(l.scenario.validate().is_ok(), "{}", text);
        match decode(&text) {
            Ok(s) => { prop_assert!(l.errors.is_empty()); prop_assert_eq!(s, l.scenario); }
            Err(e) => prop_assert_eq!(Some(&e), l.errors.first()),
        }
    }
}

#[test]
fn decimals_are_exact_integers() {
    assert_eq!(parse_fixed("0.25", 4), Some(2_500));
    assert_eq!(parse_fixed("12", 3), Some(12_000));
    assert_eq!(parse_fixed("1.", 3), None);
    assert_eq!(parse_fixed(".5", 3), None);
    assert_eq!(parse_fixed("1.2345", 3), None);
    assert_eq!(parse_fixed("99999999999999999999", 0), None);
    assert_eq!(fixed(2_500, 4), "0.25");
    assert_eq!(fixed(56_000, 6), "0.056");
    assert_eq!(fixed(10_000_000_000, 6), "10000");
}

fn loss() -> impl Strategy<Value = LossModel> {
    prop_oneof![
        Just(LossModel::None),
        (0..=Network::MAX_LOSS_PPM).prop_map(|ppm| LossModel::Random { ppm }),
        (0..=Network::MAX_LOSS_PPM, 1..=Network::MAX_MEAN_BURST)
            .prop_map(|(ppm, mean_burst)| LossModel::Bursty { ppm, mean_burst }),
        (
            proptest::collection::vec(any::<u64>(), 0..5),
            proptest::collection::vec(any::<u64>(), 0..5)
        )
            .prop_map(|(up, down)| LossModel::Scripted { up, down }),
    ]
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let network = (
        Network::MIN_RTT.as_micros()..=Network::MAX_RTT.as_micros(),
        Network::MIN_BPS..=Network::MAX_BPS,
        Network::MIN_BPS..=Network::MAX_BPS,
        loss(),
        proptest::option::of(Network::MIN_QUEUE..=Network::MAX_QUEUE),
        any::<u64>(),
    );
    let protocols = proptest::sample::subsequence(Protocol::ALL.to_vec(), 1..=4).prop_shuffle();
    let transport = (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    );
    let http = (
        1..=32u32,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop_oneof![
            Just(PushPolicy::None),
            Just(PushPolicy::Critical),
            proptest::collection::vec(1..16u32, 0..4)
                .prop_map(|v| PushPolicy::List(v.into_iter().map(AssetId).collect())),
        ],
        any::<bool>(),
    );
    let browser = (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0..=100_000u64,
        0..=100_000u64,
        0..=100_000u64,
        prop_oneof![
            Just(TlsRecords::Nginx16k),
            Just(TlsRecords::Small4k),
            Just(TlsRecords::Dynamic),
            Just(TlsRecords::PerWrite),
        ],
    );
    (
        prop_oneof![Just(0u64), Just(1u64), any::<u64>()],
        network,
        protocols,
        transport,
        http,
        browser,
    )
        .prop_map(|(page, n, protocols, t, h, b)| {
            let mut s = Scenario::preset(PresetId::Blog);
            match page {
                0 => {}
                1 => s.page = Page::preset(PresetId::Tiles),
                // A page that is no preset (still 16 assets, so push ids stay valid).
                size => s.page.assets[5].size = size % 1_000_000,
            }
            s.network = Network {
                rtt: SimDuration::from_micros(n.0),
                downlink_bps: n.1,
                uplink_bps: n.2,
                loss: n.3,
                queue_bytes: n.4,
                seed: n.5,
            };
            s.protocols = protocols;
            s.transport.congestion = if t.0 {
                Algorithm::Cubic
            } else {
                Algorithm::NewReno
            };
            s.transport.sack = t.1;
            s.transport.min_rto = if t.2 {
                MinRto::Rfc1s
            } else {
                MinRto::Linux200ms
            };
            s.transport.tls = if t.3 {
                TlsVersion::Tls12
            } else {
                TlsVersion::Tls13
            };
            s.transport.hystart = t.4;
            s.http1 = Http1Options {
                connections: h.0,
                keep_alive: h.1,
                pipelining: h.2,
            };
            s.http2 = Http2Options {
                windows: if h.3 {
                    FlowWindows::Rfc
                } else {
                    FlowWindows::Browser
                },
                push: h.4,
            };
            s.http3.zero_rtt = h.5;
            s.server.scheduler = if b.0 {
                SchedulerKind::RoundRobin
            } else {
                SchedulerKind::Sequential
            };
            s.server.early_hints = b.1;
            s.server.tls_records = b.6;
            s.browser.cache = if b.2 { Cache::Warm } else { Cache::Cold };
            s.browser.html_us_per_kib = b.3;
            s.browser.css_us_per_kib = b.4;
            s.browser.js_us_per_kib = b.5;
            s
        })
}

proptest! {
    /// Any valid scenario comes back equal, and its string uses URL-safe characters
    /// only (base64url's alphabet plus the separators), so it can sit in a location hash
    /// unescaped.
    #[test]
    fn every_valid_scenario_round_trips(s in scenario()) {
        prop_assert!(s.validate().is_ok());
        let text = encode(&s);
        prop_assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_=&.,".contains(&b)), "{}", text);
        prop_assert_eq!(decode(&text).unwrap(), s.clone());
        prop_assert_eq!(decode(&format!("#{text}")).unwrap(), s);
    }
}
