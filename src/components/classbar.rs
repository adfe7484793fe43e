//! The classroom's buttons, in the page's header: slide mode, embed, the guided lessons,
//! the winner map, every option (advanced), the keys, and the theme.

use protoviz_engine::lessons::LESSONS;
use protoviz_engine::url::view::{Mode, Theme};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::classroom::ClassAction;
use crate::context::use_dispatch;

#[derive(Properties, PartialEq)]
pub struct ClassBarProps {
    pub theme: Theme,
    pub lesson: Option<u8>,
    pub advanced_open: bool,
    pub embed_open: bool,
    pub map_open: bool,
}

#[function_component]
pub fn ClassBar(p: &ClassBarProps) -> Html {
    let d = use_dispatch();
    let send = |a: ClassAction| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(a.clone().into()))
    };
    let on_theme = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let v = e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value());
            if let Some(t) = Theme::ALL
                .into_iter()
                .find(|t| Some(t.id()) == v.as_deref())
            {
                d.dispatch(ClassAction::SetTheme(t).into());
            }
        })
    };
    let on_lesson = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let v = e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value());
            let n = v.and_then(|v| v.parse::<u8>().ok());
            d.dispatch(ClassAction::Lesson(n.map(|n| (n, 1))).into());
        })
    };
    html! {
           <nav class="classbar" data-view="classbar" aria-label="Classroom">
               <label class="control">
                   <span class="control-name">{ "Lesson" }</span>
                   <select id="lesson-select" onchange={on_lesson}>
                       <option value="" selected={p.lesson.is_none()}>{ "— free play —" }</option>
                       { for LESSONS.iter().enumerate().map(|(i, l)| {
                           let n = i as u8 + 1;
                           html! { <option value={n.to_string()} selected={p.lesson == Some(n)}>{ format!("{n}. {}", l.title) }</option> }
                       }) }
                   </select>
               </label>
               <button id="slides-button" type="button" onclick={send(ClassAction::SetMode(Mode::Slides))}
    aria-label="Slides: the lanes only, large type, for course slides">{ "Slides" }</button>
               <button id="embed-button" type="button" aria-pressed={p.embed_open.to_string()}
                   onclick={send(ClassAction::Embed(!p.embed_open))}>{ "Embed" }</button>
               <button id="map-button" type="button" aria-pressed={p.map_open.to_string()}
                   onclick={send(ClassAction::MapOpen(!p.map_open))}>{ "Winner map" }</button>
               <button id="advanced-button" type="button" aria-pressed={p.advanced_open.to_string()}
                   onclick={send(ClassAction::Advanced(!p.advanced_open))}>{ "Advanced" }</button>
               <button id="keys-button" type="button" onclick={send(ClassAction::Help(true))}
                   aria-label="Keyboard keys">{ "?" }</button>
               <label class="control">
                   <span class="control-name">{ "Theme" }</span>
                   <select id="theme" onchange={on_theme}>
                       { for Theme::ALL.iter().map(|t| html! {
                           <option value={t.id()} selected={*t == p.theme}>{ t.label() }</option>
                       }) }
                   </select>
               </label>
           </nav>
       }
}
