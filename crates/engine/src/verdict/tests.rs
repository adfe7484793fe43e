use super::*;
use crate::trace::BlockedCause;
use crate::url;

fn scenario(text: &str) -> Scenario {
    url::decode(text).unwrap()
}

fn one_run(s: &Scenario) -> Verdict {
    verdict(s, &Outcome::of(&crate::simulate(s).unwrap()), None)
}

fn cmp(best_ms: u64, worst_ms: u64) -> Comparison {
    Comparison {
        best: Protocol::Http3,
        best_time: SimDuration::from_millis(best_ms),
        worst: Protocol::Http2,
        worst_time: SimDuration::from_millis(worst_ms),
    }
}

/// Never a wrong percentage: a ratio from 1.5 up is "N.N× faster", below it the share
/// of time saved, within 1 % "about the same".
#[test]
fn ratios_and_percentages_are_said_right() {
    assert_eq!(cmp(2_350, 8_640).how(), "3.7× faster than");
    assert_eq!(cmp(1_000, 1_500).how(), "1.5× faster than");
    assert_eq!(cmp(1_030, 1_410).how(), "in 27 % less time than");
    assert_eq!(cmp(1_000, 1_010).how(), "in about the same time as");
    assert_eq!(cmp(1_000, 1_011).how(), "in 1 % less time than");
}

/// `spa`: the fastest and slowest lanes named with their times, first paint too, and
/// none of the old "with 1 connection instead of 1".
#[test]
fn the_spa_verdict_names_both_lanes_their_times_and_first_paint() {
    let s = scenario("page=spa");
    let trace = crate::simulate(&s).unwrap();
    let v = one_run(&s);
    let c = v.load.unwrap();
    let best = trace.lanes.iter().min_by_key(|l| l.metrics.load).unwrap();
    let worst = trace.lanes.iter().max_by_key(|l| l.metrics.load).unwrap();
    assert_eq!(
        (c.best, Some(c.best_time)),
        (best.protocol, best.metrics.load)
    );
    assert_eq!(Some(c.worst_time), worst.metrics.load);
    assert!(
        v.sentence.starts_with(&format!(
            "{} loads the page {} {} ({} against {}).",
            c.best.label(),
            c.how(),
            c.worst.label(),
            ms(c.best_time.as_micros()),
            ms(c.worst_time.as_micros())
        )),
        "{}",
        v.sentence
    );
    assert!(v.sentence.contains("paints first"), "{}", v.sentence);
    assert!(!v.sentence.contains("instead of"), "{}", v.sentence);
    assert_eq!(v.basis, Basis::Exact);
    assert!(v.reason.is_some(), "a reason taken from the trace");
}

/// A warm cache: load times are close, first paint is not; both are named.
#[test]
fn a_warm_cache_names_first_paint() {
    let s = scenario("page=blog&cache=warm");
    let v = one_run(&s);
    let p = v.first_paint.unwrap();
    assert_eq!(p.best, Protocol::Http3);
    assert!(p.worst_time.as_micros() > p.best_time.as_micros() * 3 / 2);
    assert!(
        v.sentence.contains(&format!(
            "at {}, against {} on {}.",
            ms(p.best_time.as_micros()),
            ms(p.worst_time.as_micros()),
            p.worst.label()
        )),
        "{}",
        v.sentence
    );
    assert!(matches!(v.reason, Some(Reason::QuicHandshake { .. })));
}

/// Under loss: the median over the seeds of [`seeds`], said so; one seed alone is said
/// to be this seed's luck.
#[test]
fn under_loss_the_median_of_the_seeds_or_this_seed_said_plainly() {
    let s = scenario("page=blog&loss=2&seed=4");
    assert_eq!(seeds(&s), Some((4..13).collect()));
    let alone = one_run(&s);
    assert_eq!(alone.basis, Basis::ThisSeed { seed: 4 });
    assert!(
        alone
            .sentence
            .starts_with("With this seed's losses (seed 4): "),
        "{}",
        alone.sentence
    );
    let v = evaluate(&s).unwrap();
    assert_eq!(v.basis, Basis::Median { seeds: 9 });
    assert!(
        v.sentence
            .starts_with("Median of 9 loss draws (seeds 4–12): "),
        "{}",
        v.sentence
    );
    // The median is the 5th of the 9 load times of that protocol: an actual run.
    let c = v.load.unwrap();
    let i = s.protocols.iter().position(|&p| p == c.best).unwrap();
    let mut loads: Vec<SimDuration> = (4..13)
        .map(|seed| {
            let mut s = s.clone();
            s.network.seed = seed;
            crate::simulate(&s).unwrap().lanes[i].metrics.load.unwrap()
        })
        .collect();
    loads.sort();
    assert_eq!(c.best_time, loads[4]);
    // Without random loss every seed is the same run: no median, no seed named.
    assert_eq!(seeds(&scenario("page=blog")), None);
    assert_eq!(
        evaluate(&scenario("page=blog")).unwrap().basis,
        Basis::Exact
    );
}

/// A lane that hit the time limit is named and left out of the comparison.
#[test]
fn an_unfinished_lane_is_left_out() {
    let s = scenario("page=blog");
    let mut run = Outcome::of(&crate::simulate(&s).unwrap());
    let h3 = run
        .lanes
        .iter()
        .position(|l| l.protocol == Protocol::Http3)
        .unwrap();
    run.lanes[h3].finished = false;
    run.lanes[h3].load = None;
    run.lanes[h3].first_paint = None;
    let v = verdict(&s, &run, None);
    assert_eq!(v.unfinished, vec![Protocol::Http3]);
    assert_ne!(v.load.unwrap().best, Protocol::Http3);
    assert!(
        v.sentence
            .ends_with(" HTTP/3 did not finish within 1 h of simulated time and is left out."),
        "{}",
        v.sentence
    );
    for l in &mut run.lanes {
        l.finished = false;
        l.load = None;
        l.first_paint = None;
    }
    let v = verdict(&s, &run, None);
    assert_eq!(
        v.sentence,
        "No lane finished loading the page within 1 h of simulated time."
    );
    assert_eq!(v.unfinished.len(), 4);
}

/// A real lane at the time limit (49 % loss): the engine says it did not finish, and
/// the verdict leaves it out and names it.
#[test]
fn lanes_at_the_time_limit_are_named_and_left_out() {
    let v = evaluate(&scenario("page=blog&loss=49")).unwrap();
    assert_eq!(
        v.unfinished,
        vec![Protocol::Http1, Protocol::Http2, Protocol::Http2Push]
    );
    assert_eq!(v.load.unwrap().best, Protocol::Http3);
    assert!(
        v.sentence.contains("Only HTTP/3 loads the page in "),
        "{}",
        v.sentence
    );
    assert!(
        v.sentence.ends_with(
            " HTTP/1.1, HTTP/2 and HTTP/2 + push did not finish within 1 h of simulated \
             time and are left out."
        ),
        "{}",
        v.sentence
    );
}

/// The reason is the trace's: tiles waits for HTTP/1.1's connections; 0-RTT on a warm
/// visit; one TCP connection under loss.
#[test]
fn the_reason_comes_from_the_trace() {
    let s = scenario("page=tiles");
    let trace = crate::simulate(&s).unwrap();
    let h1 = &trace.lanes[0];
    let waited = h1
        .assets
        .iter()
        .filter(|a| {
            a.blocked
                .iter()
                .any(|b| b.cause == BlockedCause::ConnectionLimit)
        })
        .count() as u32;
    assert!(waited > 50, "{waited}");
    match one_run(&s).reason {
        Some(Reason::Multiplexing {
            h1_connections,
            queued,
            ..
        }) => {
            assert_eq!(h1_connections, h1.metrics.connections);
            assert_eq!(queued, waited);
        }
        r => panic!("{r:?}"),
    }
    assert!(matches!(
        one_run(&scenario("page=blog&cache=warm&zerortt=on")).reason,
        Some(Reason::ZeroRtt { .. })
    ));
    let v = one_run(&scenario("page=blog&loss=2"));
    assert!(
        matches!(v.reason, Some(Reason::OneConnection { .. })),
        "{v:?}"
    );
    assert!(v.sentence.contains(" Why: "), "{}", v.sentence);
}

/// One lane: nothing to compare, its figures said; every lane tied: said so.
#[test]
fn one_lane_and_ties() {
    let v = one_run(&scenario("page=blog&proto=h3"));
    let c = v.load.unwrap();
    assert_eq!(
        v.sentence,
        format!(
            "HTTP/3 loads the page in {} and first paints at {}.",
            ms(c.best_time.as_micros()),
            ms(v.first_paint.unwrap().best_time.as_micros())
        )
    );
    // HTTP/2 with and without push tie when push pushes nothing.
    let v = one_run(&scenario("page=blog&proto=h2,h2-push&push=none"));
    assert!(
        v.sentence.starts_with("Every lane loads the page in "),
        "{}",
        v.sentence
    );
    assert!(v.sentence.contains("Every lane first paints at "));
    assert_eq!(v.reason, None);
}

#[test]
fn times_and_sizes_read_as_people_read_them() {
    assert_eq!(ms(308_828), "309 ms");
    assert_eq!(ms(1_359_201), "1.36 s");
    assert_eq!(ms(12_345_678), "12.3 s");
    assert_eq!(ms(999_499), "999 ms");
    assert_eq!(bytes_text(1_082_280), "1.08 MB");
    assert_eq!(bytes_text(15_358), "15.4 kB");
    assert_eq!(bytes_text(60), "60 B");
}
