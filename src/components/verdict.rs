//! The verdict under the controls: the engine's sentence (crates/engine/src/verdict.rs);
//! and the quiet status marks while the engine computes a new run or the median's seeds.

use yew::prelude::*;

use protoviz_engine::verdict::Verdict;

use crate::state::Shared;

#[derive(Properties, PartialEq)]
pub struct VerdictProps {
    pub verdict: Option<Shared<Verdict>>,
}

#[function_component]
pub fn VerdictView(p: &VerdictProps) -> Html {
    let sentence = p.verdict.as_ref().map(|v| v.sentence.clone());
    html! {
        <section class="verdict-box" data-view="verdict" aria-label="Verdict">
            <p class="verdict" id="verdict" aria-live="polite">{ sentence.unwrap_or_default() }</p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct StatusProps {
    /// A new run is being computed (the one on screen is the previous scenario's).
    pub busy: bool,
    /// Seeds of the median done and wanted, while the verdict is one seed's.
    pub seeds: Option<(usize, usize)>,
}

#[function_component]
pub fn Status(p: &StatusProps) -> Html {
    html! {
        <span class="status" data-view="status" aria-label="Engine status" aria-live="polite">
            if p.busy {
                <span class="busy" data-busy="">{ "computing…" }</span>
            }
            if let Some((done, total)) = p.seeds {
                <span class="seeds" data-seeds-done={done.to_string()} data-seeds-total={total.to_string()}>
                    { format!("median over {total} seeds: {done} of {total} done…") }
                </span>
            }
        </span>
    }
}
