//! One operation in a checklist: what a new request asks for, what an
//! approval allows. Ticking it adds its name to `chosen`; those that read
//! content are marked.

use leptos::prelude::*;
use lockbox_shared::text;

use crate::i18n::lang;

#[component]
pub fn OperationCheck(
    name: String,
    content: bool,
    chosen: RwSignal<Vec<String>>,
    /// What it does, under it, when known.
    #[prop(optional)]
    description: Option<String>,
    /// Called after each change.
    #[prop(optional)]
    on_change: Option<Callback<()>>,
) -> impl IntoView {
    let (tag, check, toggle) = (name.clone(), name.clone(), name.clone());
    view! {
        <label class="check" data-operation=tag>
            <input type="checkbox"
                prop:checked=move || chosen.with(|c| c.contains(&check))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    chosen.update(|c| {
                        c.retain(|n| n != &toggle);
                        if on { c.push(toggle.clone()); }
                    });
                    if let Some(changed) = on_change {
                        changed.run(());
                    }
                }/>
            <span>{name}</span>
            {content.then(|| view! { <span class="tag reads-content">{text::kind_content(lang())}</span> })}
            {description.map(|d| view! { <span class="form-note">{d}</span> })}
        </label>
    }
}
