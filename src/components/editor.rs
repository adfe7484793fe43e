//! The asset editor: the page on screen as a table (path, kind, size, who finds it at
//! which byte or after parsing / running it, render-blocking, server think time), with
//! add, remove, duplicate, move up and down. Every edit that leaves a valid scenario runs
//! at once (and goes into the link, as `pagejson=`); an invalid row is marked in place
//! with what is wrong and what is allowed, and nothing runs until it is fixed. Export and
//! import of the page as JSON are in [`crate::components::export`].

use std::rc::Rc;

use protoviz_engine::page::Release;
use protoviz_engine::page_edit::{remap_push, IdMap};
use protoviz_engine::{AssetId, AssetKind, Discovery, Page, Scenario, SimDuration};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::context::use_dispatch;
use crate::state::Action;

const KINDS: [AssetKind; 6] = [
    AssetKind::Html,
    AssetKind::Css,
    AssetKind::Js,
    AssetKind::Image,
    AssetKind::Font,
    AssetKind::Json,
];

/// Rows the editor draws; a larger page is edited as JSON (the rest is said).
pub const MAX_ROWS: usize = 300;

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub scenario: Rc<Scenario>,
}

/// The scenario with `page` in it, the push list following the edit's id map.
pub fn with_page(current: &Scenario, page: Page, map: Option<&IdMap>) -> Scenario {
    let mut s = current.clone();
    if let Some(map) = map {
        s.http2.push = remap_push(&s.http2.push, map);
    }
    s.page = page;
    // A push list naming assets the new page does not have: push the critical ones.
    if s.validate().is_err() {
        let mut t = s.clone();
        t.http2.push = protoviz_engine::options::PushPolicy::Critical;
        if t.validate().is_ok() {
            return t;
        }
    }
    s
}

/// One change to a row.
#[derive(Clone, Debug)]
enum Edit {
    Path(String),
    Kind(AssetKind),
    Size(String),
    Parent(String),
    Offset(String),
    Parsed(bool),
    Blocking(bool),
    ThinkMs(String),
}

/// Applies `edit` to asset `i`; a number that does not parse is kept as the row's error.
fn apply(page: &mut Page, i: usize, edit: Edit) -> Result<(), String> {
    let Some(a) = page.assets.get_mut(i) else {
        return Ok(());
    };
    let num = |s: &str, what: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| format!("{what} is {s:?}; allowed: a whole number"))
    };
    match edit {
        Edit::Path(p) => a.path = p,
        Edit::Kind(k) => a.kind = k,
        Edit::Size(s) => {
            let n = num(&s, "size")?;
            // A single-part release follows the size; streamed parts are the JSON's to edit.
            if a.release.len() == 1 {
                a.release[0].bytes = n;
            }
            a.size = n;
        }
        Edit::Parent(s) => {
            let n = num(&s, "found by")?;
            let d = a.discovered_by.get_or_insert(Discovery {
                parent: AssetId(0),
                offset: 0,
                parsed: false,
            });
            d.parent = AssetId(n.min(u64::from(u32::MAX)) as u32);
        }
        Edit::Offset(s) => {
            let n = num(&s, "at byte")?;
            if let Some(d) = &mut a.discovered_by {
                d.offset = n;
            }
        }
        Edit::Parsed(on) => {
            if let Some(d) = &mut a.discovered_by {
                d.parsed = on;
            }
        }
        Edit::Blocking(on) => a.blocking = on,
        Edit::ThinkMs(s) => {
            let ms = num(&s, "think time")?;
            a.release = if ms == 0 {
                Vec::new()
            } else {
                vec![Release {
                    after: SimDuration::from_millis(ms.min(600_000)),
                    bytes: a.size,
                }]
            };
        }
    }
    Ok(())
}

#[function_component]
pub fn Editor(p: &EditorProps) -> Html {
    let dispatch = use_dispatch();
    let open = use_state(|| false);
    // The table's own copy: an invalid edit stays here, marked, until it is fixed.
    let draft = use_state(|| p.scenario.page.clone());
    // A row's text that is not a number yet: (row, message).
    let typo = use_state(|| None::<(usize, String)>);
    {
        let draft = draft.clone();
        let typo = typo.clone();
        use_effect_with(p.scenario.page.clone(), move |page| {
            draft.set(page.clone());
            typo.set(None);
        });
    }
    // Runs the page when it makes a valid scenario; otherwise it stays a draft.
    let commit = {
        let dispatch = dispatch.clone();
        let draft = draft.clone();
        let scenario = p.scenario.clone();
        Rc::new(move |page: Page, map: Option<IdMap>| {
            let s = with_page(&scenario, page.clone(), map.as_ref());
            let ok = s.validate().is_ok();
            draft.set(page);
            if ok {
                dispatch.dispatch(Action::SetScenario(Box::new(s)));
            }
        })
    };
    let edit = {
        let draft = draft.clone();
        let typo = typo.clone();
        let commit = commit.clone();
        Rc::new(move |i: usize, e: Edit| {
            let mut page = (*draft).clone();
            match apply(&mut page, i, e) {
                Ok(()) => {
                    typo.set(None);
                    commit(page, None);
                }
                Err(m) => typo.set(Some((i, m))),
            }
        })
    };
    let structural = {
        let draft = draft.clone();
        let commit = commit.clone();
        Rc::new(move |f: &dyn Fn(&mut Page) -> IdMap| {
            let mut page = (*draft).clone();
            let map = f(&mut page);
            commit(page, Some(map));
        })
    };
    let on_toggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            if let Some(d) = e.target_dyn_into::<web_sys::HtmlDetailsElement>() {
                open.set(d.open());
            }
        })
    };

    let page = &*draft;
    let problems = page.asset_problems();
    let whole = with_page(&p.scenario, page.clone(), None).validate().err();
    let row_problem = |i: usize| -> Option<String> {
        if let Some((r, m)) = &*typo {
            if *r == i {
                return Some(m.clone());
            }
        }
        problems
            .iter()
            .find(|(a, _)| a.0 as usize == i)
            .map(|(_, m)| m.clone())
    };
    let pending = whole.is_some() || typo.is_some();

    let rows = page.assets.iter().enumerate().take(MAX_ROWS).map(|(i, a)| {
        let problem = row_problem(i);
        let on = |make: fn(String) -> Edit| {
            let edit = edit.clone();
            Callback::from(move |e: Event| {
                if let Some(v) = e.target_dyn_into::<HtmlInputElement>() {
                    edit(i, make(v.value()));
                }
            })
        };
        let check = |make: fn(bool) -> Edit| {
            let edit = edit.clone();
            Callback::from(move |e: Event| {
                if let Some(v) = e.target_dyn_into::<HtmlInputElement>() {
                    edit(i, make(v.checked()));
                }
            })
        };
        let on_kind = {
            let edit = edit.clone();
            Callback::from(move |e: Event| {
                if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                    if let Some(k) = KINDS.iter().find(|k| k.to_string() == s.value()) {
                        edit(i, Edit::Kind(*k));
                    }
                }
            })
        };
        let button = |label: &'static str, title: String, enabled: bool, f: Rc<dyn Fn(&mut Page) -> IdMap>| {
            let structural = structural.clone();
            html! {
                <button type="button" class="edit-op" aria-label={title}
                    disabled={!enabled}
                    onclick={Callback::from(move |_| structural(&*f))}>{ label }</button>
            }
        };
        let n = page.assets.len();
        let d = a.discovered_by;
        let think = a
            .release
            .first()
            .filter(|_| a.release.len() == 1)
            .map(|r| (r.after.as_micros() / 1_000).to_string());
        let streamed = a.release.len() > 1;
        let invalid = problem.is_some();
        let id = format!("asset-{i}");
        html! {
            <>
            <tr class={classes!("edit-row", invalid.then_some("invalid"))} data-asset={i.to_string()}
                aria-invalid={invalid.to_string()}>
                <td class="num">{ i }</td>
                <td><input class="edit-path" aria-label={format!("{id} path")} value={a.path.clone()}
                    onchange={on(Edit::Path)} /></td>
                <td><select class="edit-kind" aria-label={format!("{id} kind")} onchange={on_kind}>
                    { for KINDS.iter().map(|k| html! {
                        <option value={k.to_string()} selected={*k == a.kind}>{ k.to_string() }</option>
                    }) }
                </select></td>
                <td><input class="edit-size" type="number" min="0" aria-label={format!("{id} size in bytes")}
                    value={a.size.to_string()} onchange={on(Edit::Size)} /></td>
                if i == 0 {
                    <td colspan="3" class="muted">{ "the document: the browser asks for it first" }</td>
                } else {
                    <td><input class="edit-parent" type="number" min="0" aria-label={format!("{id} found by asset")}
                        value={d.map(|d| d.parent.0.to_string()).unwrap_or_default()} onchange={on(Edit::Parent)} /></td>
                    <td><input class="edit-offset" type="number" min="0" aria-label={format!("{id} found at byte")}
                        disabled={d.is_some_and(|d| d.parsed)}
                        value={d.map(|d| d.offset.to_string()).unwrap_or_default()} onchange={on(Edit::Offset)} /></td>
                    <td><input class="edit-parsed" type="checkbox" aria-label={format!("{id} found only after parse or run")}
                        checked={d.is_some_and(|d| d.parsed)} onchange={check(Edit::Parsed)} /></td>
                }
                <td><input class="edit-blocking" type="checkbox" aria-label={format!("{id} render-blocking")}
                    checked={a.blocking} onchange={check(Edit::Blocking)} /></td>
                <td>
                    if streamed {
                        <span class="muted">{ format!("{} parts (in the JSON)", a.release.len()) }</span>
                    } else {
                        <input class="edit-think" type="number" min="0" aria-label={format!("{id} server think time in ms")}
                            value={think.unwrap_or_else(|| "0".into())} onchange={on(Edit::ThinkMs)} />
                    }
                </td>
                <td class="ops">
                    { button("↑", format!("move asset {i} up"), i > 1, Rc::new(move |p: &mut Page| p.move_asset(i, i - 1))) }
                    { button("↓", format!("move asset {i} down"), i > 0 && i + 1 < n, Rc::new(move |p: &mut Page| p.move_asset(i, i + 1))) }
                    { button("dup", format!("duplicate asset {i}"), i > 0, Rc::new(move |p: &mut Page| p.duplicate_asset(i))) }
                    { button("✕", format!("remove asset {i}"), i > 0, Rc::new(move |p: &mut Page| p.remove_asset(i))) }
                </td>
            </tr>
            if let Some(m) = problem {
                <tr class="edit-problem" data-asset={i.to_string()}><td></td>
                    <td colspan="9" role="alert">{ m }</td></tr>
            }
            </>
        }
    });
    let on_add = {
        let structural = structural.clone();
        Callback::from(move |_| {
            structural(&|p: &mut Page| {
                p.add_asset();
                (0..p.assets.len() - 1)
                    .map(|k| Some(AssetId(k as u32)))
                    .collect()
            })
        })
    };
    html! {
        <details class="editor" data-view="editor" aria-label="Asset editor" ontoggle={on_toggle}>
            <summary>{ format!("Edit the page's assets ({} assets)", page.assets.len()) }</summary>
            if *open {
                <p class="hint">{ "Every change that makes a valid page runs at once and goes into the link. Found by: the asset whose bytes name it; at byte: how much of it had arrived (or, ticked, only once it was parsed or run); think: how long the server takes before it answers." }</p>
                if pending {
                    <p class="error edit-pending" role="alert">{
                        match (&*typo, &whole) {
                            (Some((_, m)), _) => format!("Not run yet: {m}"),
                            (None, Some(e)) => format!("Not run yet: {e}"),
                            _ => String::new(),
                        }
                    }</p>
                }
                <div class="edit-scroll">
                <table class="edit-table">
                    <thead><tr>
                        <th>{ "#" }</th><th>{ "path" }</th><th>{ "kind" }</th><th>{ "size (bytes)" }</th>
                        <th>{ "found by #" }</th><th>{ "at byte" }</th><th>{ "after parse/run" }</th>
                        <th>{ "blocking" }</th><th>{ "think (ms)" }</th><th></th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
                </div>
                if page.assets.len() > MAX_ROWS {
                    <p class="hint">{ format!("The first {MAX_ROWS} of {} assets are shown; export the page as JSON to edit the rest.", page.assets.len()) }</p>
                }
                <button type="button" id="edit-add" onclick={on_add}>{ "Add an asset" }</button>
            }
        </details>
    }
}
