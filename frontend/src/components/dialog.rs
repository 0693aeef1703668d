//! A confirmation dialog on the native `<dialog>` element: modal, focus
//! kept inside, Escape closes it.

use leptos::html;
use leptos::prelude::*;

thread_local! {
    static NEXT_ID: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

fn next_id() -> u32 {
    NEXT_ID.with(|n| {
        n.set(n.get() + 1);
        n.get()
    })
}

/// Shows `children` in a modal dialog titled `title` while `open` is true.
/// `on_confirm` runs on the confirm button; closing (button, Escape) sets
/// `open` to false.
#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    title: Signal<String>,
    confirm_label: Signal<String>,
    #[prop(into)] danger: Signal<bool>,
    busy: ReadSignal<bool>,
    on_confirm: Callback<()>,
    children: ChildrenFn,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    // A page may hold several dialogs (one per card): each title its own id.
    let title_id = format!("dialog-title-{}", next_id());
    let labelled_by = title_id.clone();
    Effect::new(move |_| {
        if let Some(el) = dialog.get() {
            if open.get() {
                if !el.open() {
                    let _ = el.show_modal();
                }
            } else if el.open() {
                el.close();
            }
        }
    });
    view! {
        <dialog node_ref=dialog class="dialog" aria-labelledby=labelled_by
            on:close=move |_| open.set(false)>
            <h2 id=title_id>{move || title.get()}</h2>
            {children()}
            <div class="dialog-actions">
                <button type="button" class="secondary-dark" on:click=move |_| open.set(false)>{lockbox_shared::text::cancel(crate::i18n::lang())}</button>
                <button type="button" class=move || if danger.get() { "danger" } else { "" }
                    disabled=move || busy.get()
                    on:click=move |_| on_confirm.run(())>
                    {move || if busy.get() { lockbox_shared::text::working(crate::i18n::lang()).to_owned() } else { confirm_label.get() }}
                </button>
            </div>
        </dialog>
    }
}
