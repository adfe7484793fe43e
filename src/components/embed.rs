//! The Embed panel: the `<iframe>` snippet that shows the current scenario and moment in
//! slide mode, for a slide deck (reveal.js, Google Slides' web embed, a course page).

use protoviz_engine::url::view::Mode;
use protoviz_engine::url::View;
use protoviz_engine::Scenario;
use yew::prelude::*;

use crate::classroom::{hash_text, ClassAction};
use crate::context::use_dispatch;

/// The page's address without its hash, or "" outside a browser.
fn page_url() -> String {
    let Some(loc) = web_sys::window().map(|w| w.location()) else {
        return String::new();
    };
    let href = loc.href().unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}

/// The snippet: `scenario` and `view` in slide mode, 16:9.
pub fn snippet(base: &str, scenario: &Scenario, view: &View) -> String {
    let view = View {
        mode: Mode::Slides,
        lesson: None,
        ..*view
    };
    let src = format!("{base}#{}", hash_text(scenario, &view));
    let src = src.replace('&', "&amp;").replace('"', "&quot;");
    format!(
        "<iframe src=\"{src}\" width=\"960\" height=\"540\" style=\"border:0\" \
         title=\"protoviz: one page over HTTP/1.1, HTTP/2 and HTTP/3\" loading=\"lazy\"></iframe>"
    )
}

#[derive(Properties, PartialEq)]
pub struct EmbedProps {
    pub scenario: std::rc::Rc<Scenario>,
    pub view: View,
}

#[function_component]
pub fn Embed(p: &EmbedProps) -> Html {
    let d = use_dispatch();
    let code = snippet(&page_url(), &p.scenario, &p.view);
    let close = Callback::from(move |_: MouseEvent| d.dispatch(ClassAction::Embed(false).into()));
    let select = Callback::from(|e: FocusEvent| {
        if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
            t.select();
        }
    });
    html! {
        <section class="panel embed" data-view="embed" aria-label="Embed in a slide">
            <header class="panel-head">
                <h2>{ "Embed in a slide" }</h2>
                <button type="button" class="close" onclick={close} aria-label="Close the embed panel">{ "×" }</button>
            </header>
            <p class="hint">{ "Paste this into a slide deck (reveal.js, a course page): it shows these lanes, at this moment and speed, in slide mode — keys work once it has focus. Any 16:9 size from 800×450 to 1920×1080 fits." }</p>
            <label for="embed-code" class="sr-only">{ "The iframe snippet" }</label>
            <textarea id="embed-code" readonly=true rows="3" onfocus={select} value={code} />
        </section>
    }
}
