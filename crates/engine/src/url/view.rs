//! How the app shows a scenario, in the same location hash after the scenario's keys:
//! `page=blog&rtt=50&view=slides&t=1234.5&speed=0.5`. None of these change what the engine
//! computes, so [`super::decode`] (and the CLI's `--url`) accept them and leave them alone;
//! the app reads them with [`decode_view`].
//!
//! | key | value | default |
//! | --- | --- | --- |
//! | `view` | `page` (every control), `slides` (lanes only, large type, for course slides) | `page` |
//! | `t` | the playhead, milliseconds of simulated time (up to 3 decimals); the replay opens paused there | the start, playing |
//! | `speed` | replay speed: `0.25`, `0.5`, `1`, `2`, `4` | `1` |
//! | `loop` | replay again from the start at the end: `on`, `off` | `off` |
//! | `lesson` | the guided lesson shown, `1` to `9` (and `step`, its step from 1) | none |
//! | `theme` | `light`, `dark`, `projector` (high contrast) | the system's light or dark |
//!
//! Reading is lenient like the scenario's: every good key applies; each bad one is named
//! with its value and what is allowed, and its default used.

use super::{bad, parse_fixed, UrlError};

/// Every key of the view, in the order [`encode_view`] writes them.
pub const VIEW_KEYS: [&str; 7] = ["view", "lesson", "step", "theme", "speed", "loop", "t"];

/// Replay speeds, hundredths (0.25× to 4×), in order: `+` and `−` move along them.
pub const SPEEDS: [u32; 5] = [25, 50, 100, 200, 400];

/// The number of guided lessons (`lesson=1` to this).
pub const LESSONS: u8 = 9;

/// The longest lesson, in steps (`step=1` to this).
pub const MAX_STEPS: u8 = 9;

/// The layout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// The whole page: controls, verdict, lanes, legend.
    #[default]
    Page,
    /// Lanes only, large type, no chrome: fits a 16:9 iframe in a slide deck.
    Slides,
}

/// The colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    /// Whatever the system prefers (light or dark).
    #[default]
    System,
    Light,
    Dark,
    /// High contrast for a projector: black on white, thick lines, large type.
    Projector,
}

impl Theme {
    pub const ALL: [Theme; 4] = [Theme::System, Theme::Light, Theme::Dark, Theme::Projector];

    pub fn id(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Projector => "projector",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "System",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
            Theme::Projector => "Projector (high contrast)",
        }
    }
}

/// How the app shows the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct View {
    pub mode: Mode,
    /// The lesson (1 to [`LESSONS`]) and its step (1 on).
    pub lesson: Option<(u8, u8)>,
    pub theme: Theme,
    /// Replay speed, hundredths: one of [`SPEEDS`].
    pub speed: u32,
    pub looping: bool,
    /// The playhead to open at, paused, in µs.
    pub t_us: Option<u64>,
}

impl Default for View {
    fn default() -> Self {
        View {
            mode: Mode::Page,
            lesson: None,
            theme: Theme::System,
            speed: 100,
            looping: false,
            t_us: None,
        }
    }
}

/// What [`decode_view`] read: every good key applied, one error per bad one.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewRead {
    pub view: View,
    pub errors: Vec<UrlError>,
}

/// `x` hundredths as "0.25", "1", "4".
pub fn speed_text(hundredths: u32) -> String {
    super::fixed(u64::from(hundredths), 2)
}

/// The view's keys, each only when it is not the default ("" for the default view), in
/// [`VIEW_KEYS`] order.
pub fn encode_view(v: &View) -> String {
    let mut parts: Vec<String> = Vec::new();
    if v.mode == Mode::Slides {
        parts.push("view=slides".into());
    }
    if let Some((lesson, step)) = v.lesson {
        parts.push(format!("lesson={lesson}"));
        if step > 1 {
            parts.push(format!("step={step}"));
        }
    }
    if v.theme != Theme::System {
        parts.push(format!("theme={}", v.theme.id()));
    }
    if v.speed != 100 {
        parts.push(format!("speed={}", speed_text(v.speed)));
    }
    if v.looping {
        parts.push("loop=on".into());
    }
    if let Some(t) = v.t_us {
        parts.push(format!("t={}", super::fixed(t, 3)));
    }
    parts.join("&")
}

/// Reads the view's keys of a location hash (a leading `#` is ignored; the scenario's keys,
/// and anything [`super::decode_lenient`] reports, are left to it). Never panics.
pub fn decode_view(text: &str) -> ViewRead {
    let text = text.strip_prefix('#').unwrap_or(text);
    let mut view = View::default();
    let mut errors = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut lesson: Option<u8> = None;
    let mut step: Option<(u8, &str)> = None;
    for part in text.split('&').filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        if !VIEW_KEYS.contains(&k) {
            continue;
        }
        if seen.contains(&k) {
            errors.push(UrlError::Repeated(k.to_string()));
            continue;
        }
        seen.push(k);
        match k {
            "view" => match v {
                "page" => view.mode = Mode::Page,
                "slides" => view.mode = Mode::Slides,
                _ => errors.push(bad(k, v, "page or slides")),
            },
            "lesson" => match v.parse::<u8>() {
                Ok(n) if (1..=LESSONS).contains(&n) && !v.starts_with('+') => lesson = Some(n),
                _ => errors.push(bad(k, v, format!("a lesson from 1 to {LESSONS}"))),
            },
            "step" => match v.parse::<u8>() {
                Ok(n) if (1..=MAX_STEPS).contains(&n) && !v.starts_with('+') => step = Some((n, v)),
                _ => errors.push(bad(k, v, format!("a lesson's step from 1 to {MAX_STEPS}"))),
            },
            "theme" => match Theme::ALL.into_iter().find(|t| t.id() == v) {
                Some(t) => view.theme = t,
                None => errors.push(bad(k, v, "system, light, dark or projector")),
            },
            "speed" => match parse_fixed(v, 2).and_then(|n| u32::try_from(n).ok()) {
                Some(n) if SPEEDS.contains(&n) => view.speed = n,
                _ => errors.push(bad(k, v, "0.25, 0.5, 1, 2 or 4")),
            },
            "loop" => match v {
                "on" => view.looping = true,
                "off" => view.looping = false,
                _ => errors.push(bad(k, v, "on or off")),
            },
            "t" => match parse_fixed(v, 3) {
                Some(us) if us <= crate::time::SimDuration::from_secs(3_600).as_micros() => {
                    view.t_us = Some(us)
                }
                _ => errors.push(bad(
                    k,
                    v,
                    "a time in milliseconds from 0 to 3600000, up to 3 decimals",
                )),
            },
            _ => {}
        }
    }
    match (lesson, step) {
        (Some(l), s) => view.lesson = Some((l, s.map_or(1, |(n, _)| n))),
        (None, Some((_, v))) => errors.push(bad("step", v, "a step only with lesson=N")),
        (None, None) => {}
    }
    ViewRead { view, errors }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url::{decode, decode_lenient, encode};
    use crate::{PresetId, Scenario};

    #[test]
    fn the_default_view_writes_nothing_and_reads_back() {
        assert_eq!(encode_view(&View::default()), "");
        assert_eq!(decode_view("page=blog").view, View::default());
        assert!(decode_view("page=blog").errors.is_empty());
    }

    #[test]
    fn every_key_round_trips() {
        let v = View {
            mode: Mode::Slides,
            lesson: Some((8, 2)),
            theme: Theme::Dark,
            speed: 25,
            looping: true,
            t_us: Some(1_234_500),
        };
        let text = encode_view(&v);
        assert_eq!(
            text,
            "view=slides&lesson=8&step=2&theme=dark&speed=0.25&loop=on&t=1234.5"
        );
        let read = decode_view(&format!("#page=tiles&{text}"));
        assert_eq!(read.view, v);
        assert!(read.errors.is_empty());
    }

    #[test]
    fn the_scenario_reader_accepts_view_keys_and_ignores_them() {
        let link = "page=tiles&rtt=50&view=slides&t=100&speed=2";
        let s = decode(link).expect("view keys are no error for the scenario");
        let mut want = Scenario::preset(PresetId::Tiles);
        want.network.rtt = crate::SimDuration::from_millis(50);
        assert_eq!(s, want);
        assert_eq!(encode(&s), "page=tiles&rtt=50");
        assert!(decode_lenient(link).errors.is_empty());
    }

    #[test]
    fn bad_values_are_named_and_the_rest_applies() {
        let read = decode_view("view=slide&speed=3&t=-1&lesson=10&theme=dark&step=0");
        let errors: Vec<String> = read.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "view is \"slide\"; allowed: page or slides",
                "speed is \"3\"; allowed: 0.25, 0.5, 1, 2 or 4",
                "t is \"-1\"; allowed: a time in milliseconds from 0 to 3600000, up to 3 decimals",
                "lesson is \"10\"; allowed: a lesson from 1 to 9",
                "step is \"0\"; allowed: a lesson's step from 1 to 9",
            ]
        );
        assert_eq!(read.view.theme, Theme::Dark);
        assert_eq!(read.view.speed, 100);
        assert_eq!(read.view.mode, Mode::Page);
        let read = decode_view("step=2&t=1&t=2");
        let errors: Vec<String> = read.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "t is given twice; give it at most once",
                "step is \"2\"; allowed: a step only with lesson=N"
            ]
        );
        assert_eq!(read.view.t_us, Some(1_000));
    }
}
