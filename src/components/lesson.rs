//! A guided lesson (`lesson=N` in the link): its step's one sentence, the element to look
//! at highlighted in the lanes, and a question whose answer stays hidden until asked for
//! (predict, then reveal). The words are [`protoviz_engine::lessons`]'s, each claim of
//! which a test checks against the engine's trace of the step's scenario.

use protoviz_engine::lessons::{self, LESSONS};
use protoviz_engine::Scenario;
use yew::prelude::*;

use crate::classroom::ClassAction;
use crate::context::use_dispatch;

#[derive(Properties, PartialEq)]
pub struct LessonProps {
    /// Lesson (1 to 9) and step (1 on).
    pub at: (u8, u8),
    pub revealed: bool,
    pub scenario: std::rc::Rc<Scenario>,
}

#[function_component]
pub fn LessonView(p: &LessonProps) -> Html {
    let d = use_dispatch();
    let (n, k) = p.at;
    let Some(lesson) = lessons::lesson(n) else {
        return html! {};
    };
    let steps = lesson.steps.len() as u8;
    let k = k.clamp(1, steps);
    let step = &lesson.steps[usize::from(k - 1)];
    let go = |to: Option<(u8, u8)>| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(ClassAction::Lesson(to).into()))
    };
    let reveal = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(ClassAction::Reveal.into()))
    };
    let look = step.look.selector(&p.scenario.page);
    // The highlight is a style rule, so it survives every re-render of the lanes.
    let rule = format!(
        "{look} {{ outline: 3px solid var(--highlight); outline-offset: 2px; box-shadow: 0 0 0 6px var(--highlight-glow); }}"
    );
    let last = k == steps;
    let next_lesson = (usize::from(n) < LESSONS.len()).then_some(n + 1);
    html! {
        <section class="panel lesson" data-view="lesson" aria-label={format!("Lesson {n}: {}", lesson.title)}
            data-lesson={n.to_string()} data-step={k.to_string()} data-steps={steps.to_string()} data-look={look.clone()}>
            <style>{ rule }</style>
            <header class="panel-head">
                <h2>{ format!("Lesson {n}: {}", lesson.title) }</h2>
                <span class="lesson-progress">{ format!("step {k} of {steps}") }</span>
                <button type="button" class="close" id="lesson-close" onclick={go(None)} aria-label="End the lesson">{ "×" }</button>
            </header>
            <p class="lesson-say" id="lesson-say">{ step.say }</p>
            <p class="lesson-look">{ "Look at the highlighted part of the lanes." }</p>
            <div class="predict">
                <p class="lesson-question" id="lesson-question"><strong>{ "Predict: " }</strong>{ step.question }</p>
                if p.revealed {
                    <p class="lesson-answer" id="lesson-answer" role="status">{ step.answer }</p>
                } else {
                    <button type="button" id="reveal" onclick={reveal}>{ "Reveal the answer" }</button>
                }
            </div>
            <div class="lesson-nav">
                <button type="button" id="lesson-prev" disabled={k == 1} onclick={go(Some((n, k.saturating_sub(1).max(1))))}>{ "← Previous step" }</button>
                if !last {
                    <button type="button" id="lesson-next" onclick={go(Some((n, k + 1)))}>{ "Next step →" }</button>
                } else {
                    <span class="lesson-end" id="lesson-end">{ "End of the lesson." }</span>
                    if let Some(m) = next_lesson {
                        <button type="button" id="lesson-next-lesson" onclick={go(Some((m, 1)))}>{ format!("Lesson {m} →") }</button>
                    }
                }
            </div>
        </section>
    }
}
