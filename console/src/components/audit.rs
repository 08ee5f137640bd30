//! `/console/audit` (admins): the audit log, filtered, newest first.

use fieldcase_core::console::{ActorKind, AuditEntry};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::handle;
use crate::api;
use crate::query::{AuditFilters, audit_query_string};
use crate::{browser, text, time};

#[component]
pub fn Audit() -> impl IntoView {
    browser::set_title(&text::page_title("Audit log"));
    let filters = RwSignal::new(AuditFilters::default());
    let applied = RwSignal::new(AuditFilters::default());
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let next = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let fetch = move |older: bool| {
        let before = if older { next.get_untracked() } else { None };
        let q = applied.get_untracked().to_query(before.as_deref());
        loading.set(true);
        spawn_local(async move {
            match api::audit(&q).await {
                Ok(page) => {
                    entries.update(|e| {
                        if older {
                            e.extend(page.entries);
                        } else {
                            *e = page.entries;
                        }
                    });
                    next.set(page.next);
                    error.set(None);
                }
                Err(f) => error.set(Some(handle(&f))),
            }
            loading.set(false);
        });
    };
    fetch(false);

    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        applied.set(filters.get_untracked());
        fetch(false);
    };
    let csv =
        move || api::path::audit_csv(&audit_query_string(&applied.with(|f| f.to_query(None))));

    let text_filter = move |id: &'static str,
                            label: &'static str,
                            get: fn(&AuditFilters) -> String,
                            put: fn(&mut AuditFilters, String),
                            kind: &'static str| {
        view! {
            <div>
                <label for=id>{label}</label>
                <input id=id type=kind
                    prop:value=move || filters.with(get)
                    on:input=move |ev| filters.update(|f| put(f, event_target_value(&ev))) />
            </div>
        }
    };

    view! {
        <div class="title-row">
            <h1>"Audit log"</h1>
            <a class="btn" href=csv rel="external" download="audit.csv">"Download CSV"</a>
        </div>
        <form class="filters card" on:submit=apply aria-label="Filter the audit log">
            <div class="grid">
                <div>
                    <label for="a-kind">"Actor kind"</label>
                    <select id="a-kind"
                        prop:value=move || filters.with(|f| f.actor_kind.clone())
                        on:change=move |ev| filters.update(|f| f.actor_kind = event_target_value(&ev))>
                        <option value="">"Any"</option>
                        {ActorKind::ALL.into_iter().map(|k| view! {
                            <option value=k.as_str()>{text::actor_label(k)}</option>
                        }).collect_view()}
                    </select>
                </div>
                {text_filter("a-actor", "Actor name or email", |f| f.actor.clone(), |f, v| f.actor = v, "text")}
                {text_filter("a-what", "Event (e.g. approved)", |f| f.kind.clone(), |f, v| f.kind = v, "text")}
                {text_filter("a-intake", "Intake reference", |f| f.intake.clone(), |f, v| f.intake = v, "text")}
                {text_filter("a-from", "From", |f| f.from.clone(), |f, v| f.from = v, "date")}
                {text_filter("a-to", "To", |f| f.to.clone(), |f, v| f.to = v, "date")}
            </div>
            <div class="actions">
                <button type="submit" class="btn primary">"Apply filters"</button>
            </div>
        </form>
        {move || error.get().map(|e| view! { <p class="err" role="alert">{e}</p> })}
        <div class="table-wrap">
            <table>
                <caption class="sr-only">"Audit entries, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"What"</th>
                        <th scope="col">"Intake"</th>
                        <th scope="col">"Detail"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || entries.get().into_iter().map(|e| view! {
                        <tr>
                            <td><time datetime=e.at.clone()>{time::short_datetime(&e.at)}</time></td>
                            <td>
                                <span class=format!("badge k-{}", e.actor_kind.as_str())>{text::actor_label(e.actor_kind)}</span>
                                " "{text::actor_text(&e)}
                            </td>
                            <td>{text::kind_label(&e.kind)}</td>
                            <td>{e.intake_id.map(|id| view! {
                                <a href=format!("/console/intakes/{id}")>{e.intake_reference.clone().unwrap_or_else(|| id.to_string())}</a>
                            })}</td>
                            <td>{text::detail_text(&e.detail)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {move || (!loading.get() && entries.with(Vec::is_empty)).then(|| view! { <p class="empty">"No entries match."</p> })}
        </div>
        <div class="more">
            {move || next.get().is_some().then(|| view! {
                <button type="button" class="btn" prop:disabled=loading on:click=move |_| fetch(true)>"Older"</button>
            })}
            {move || loading.get().then(|| view! { <span class="loading" aria-busy="true">"Loading…"</span> })}
        </div>
    }
}
