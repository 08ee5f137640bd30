//! `/console/`: the queue, live, filtered, with keyboard and bulk actions.

use std::collections::BTreeSet;

use fieldcase_core::console::{
    Approve, BulkAction, BulkFailure, BulkItem, BulkKind, QueuePage, QueueRow, Reject,
};
use fieldcase_core::schema::FieldType;
use fieldcase_core::wire::IntakeStatus;
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use uuid::Uuid;

use super::{go, handle, load_schema, session};
use crate::api;
use crate::browser::{self, Live};
use crate::query::QueueFilters;
use crate::select::{KeyAction, Selection};
use crate::{text, time};

const PAGE: u32 = 50;

/// An approve or reject waiting for the dispatcher's confirmation.
#[derive(Clone, PartialEq)]
struct Pending {
    kind: BulkKind,
    items: Vec<BulkItem>,
    /// The reference when it is one intake (keyboard `a` / `r`).
    single: Option<String>,
}

#[derive(Clone, PartialEq)]
struct Outcome {
    summary: String,
    failures: Vec<BulkFailure>,
}

#[component]
pub fn Queue() -> impl IntoView {
    let s = session();
    load_schema();
    let filters = RwSignal::new(QueueFilters::default());
    let applied = RwSignal::new(QueueFilters::default());
    let rows = RwSignal::new(Vec::<QueueRow>::new());
    let next = RwSignal::new(None::<String>);
    let waiting = RwSignal::new(None::<u64>);
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<String>);
    let announce = RwSignal::new(String::new());
    let selection = RwSignal::new(Selection::new(0));
    let checked = RwSignal::new(BTreeSet::<Uuid>::new());
    let pending = RwSignal::new(None::<Pending>);
    let reason = RwSignal::new(String::new());
    let reason_err = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(None::<Outcome>);
    let now = RwSignal::new(browser::now_secs());
    let live_closed = RwSignal::new(false);

    Effect::new(move |_| {
        let title = match waiting.get() {
            Some(n) => text::queue_title(n),
            None => text::page_title("Queue"),
        };
        browser::set_title(&title);
    });

    // Replace the rows (a new filter, a refresh) or append the next page.
    let fetch = move |append: bool| {
        let f = applied.get_untracked();
        let mut q = if append {
            f.to_query(next.get_untracked().as_deref())
        } else {
            f.to_query(None)
        };
        if !append {
            // A refresh keeps as many rows as are shown.
            let shown = rows.with_untracked(Vec::len) as u32;
            q.limit = Some(shown.clamp(PAGE, 200));
        }
        loading.set(true);
        spawn_local(async move {
            match api::queue(&q).await {
                Ok(QueuePage {
                    rows: new,
                    next: n,
                    waiting: w,
                }) => {
                    let selected_id = selection
                        .get_untracked()
                        .index
                        .and_then(|i| rows.with_untracked(|r| r.get(i).map(|r| r.id)));
                    rows.update(|r| {
                        if append {
                            r.extend(new);
                        } else {
                            *r = new;
                        }
                    });
                    let (len, pos) = rows.with_untracked(|r| {
                        (
                            r.len(),
                            selected_id.and_then(|id| r.iter().position(|x| x.id == id)),
                        )
                    });
                    selection.update(|sel| sel.relist(len, pos));
                    let ids: BTreeSet<Uuid> =
                        rows.with_untracked(|r| r.iter().map(|r| r.id).collect());
                    checked.update(|c| c.retain(|id| ids.contains(id)));
                    next.set(n);
                    waiting.set(Some(w));
                    error.set(None);
                }
                Err(f) => error.set(Some(handle(&f))),
            }
            loading.set(false);
        });
    };
    fetch(false);

    // Live: each change refreshes the visible page and the waiting count.
    let live = Live::open(
        &api::path::events(),
        move |change| {
            waiting.set(Some(change.waiting));
            announce.set(format!(
                "{}: {}. {} waiting.",
                change.reference,
                change.status.label(),
                change.waiting
            ));
            fetch(false);
        },
        move || live_closed.set(true),
    );
    let live = SendWrapper::new(live);
    on_cleanup(move || drop(live));

    // The ages tick.
    let tick = set_interval_with_handle(
        move || now.set(browser::now_secs()),
        std::time::Duration::from_secs(30),
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = tick {
            t.clear();
        }
    });

    let ask = move |kind: BulkKind, items: Vec<BulkItem>, single: Option<String>| {
        if items.is_empty() {
            return;
        }
        reason.set(String::new());
        reason_err.set(None);
        pending.set(Some(Pending {
            kind,
            items,
            single,
        }));
        browser::show_modal("confirm");
        if kind == BulkKind::Reject {
            browser::focus("reason");
        }
    };

    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if browser::typing_target(&ev) || pending.get_untracked().is_some() {
            return;
        }
        let mut sel = selection.get_untracked();
        let action = sel.key(&ev.key());
        selection.set(sel);
        let row = |i: usize| rows.with_untracked(|r| r.get(i).cloned());
        match action {
            KeyAction::Ignored => return,
            KeyAction::Moved(i) => {
                if let Some(r) = row(i) {
                    browser::focus(&row_anchor(r.id));
                }
            }
            KeyAction::Open(i) => {
                if let Some(r) = row(i) {
                    go(&format!("/intakes/{}", r.id));
                }
            }
            KeyAction::Approve(i) | KeyAction::Reject(i) => {
                if let Some(r) = row(i).filter(|r| r.status.is_reviewable()) {
                    let kind = if matches!(action, KeyAction::Approve(_)) {
                        BulkKind::Approve
                    } else {
                        BulkKind::Reject
                    };
                    ask(
                        kind,
                        vec![BulkItem {
                            id: r.id,
                            revision: r.revision,
                        }],
                        Some(r.reference),
                    );
                }
            }
        }
        ev.prevent_default();
    });
    on_cleanup(move || keys.remove());

    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(p) = pending.get_untracked() else {
            return;
        };
        let why = reason.get_untracked().trim().to_owned();
        if p.kind == BulkKind::Reject && why.is_empty() {
            reason_err.set(Some(
                "Give a reason; the technician will see it.".to_owned(),
            ));
            browser::focus("reason");
            return;
        }
        browser::close_dialog("confirm");
        pending.set(None);
        spawn_local(async move {
            let result = match (p.items.as_slice(), &p.single) {
                ([item], Some(reference)) => {
                    let r = match p.kind {
                        BulkKind::Approve => {
                            api::approve(
                                &item.id,
                                &Approve {
                                    revision: item.revision,
                                },
                            )
                            .await
                        }
                        BulkKind::Reject => {
                            api::reject(
                                &item.id,
                                &Reject {
                                    revision: item.revision,
                                    reason: why,
                                },
                            )
                            .await
                        }
                    };
                    Ok(match r {
                        Ok(_) => fieldcase_core::console::BulkOutcome {
                            done: vec![item.id],
                            failed: vec![],
                        },
                        Err(f) if f.is_unauthorized() => return error.set(Some(handle(&f))),
                        Err(f) => fieldcase_core::console::BulkOutcome {
                            done: vec![],
                            failed: vec![BulkFailure {
                                id: item.id,
                                reference: reference.clone(),
                                message: f.message().to_owned(),
                            }],
                        },
                    })
                }
                _ => {
                    let body = BulkAction {
                        action: p.kind,
                        reason: (p.kind == BulkKind::Reject).then_some(why),
                        items: p.items.clone(),
                    };
                    api::bulk(&body).await
                }
            };
            match result {
                Ok(o) => {
                    outcome.set(Some(Outcome {
                        summary: text::bulk_summary(p.kind, &o),
                        failures: o.failed,
                    }));
                    checked.update(|c| c.retain(|id| !o.done.contains(id)));
                }
                Err(f) => error.set(Some(handle(&f))),
            }
            fetch(false);
        });
    };

    let bulk = move |kind: BulkKind| {
        let items: Vec<BulkItem> = rows.with_untracked(|r| {
            let c = checked.get_untracked();
            r.iter()
                .filter(|row| c.contains(&row.id))
                .map(|row| BulkItem {
                    id: row.id,
                    revision: row.revision,
                })
                .collect()
        });
        ask(kind, items, None);
    };

    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        applied.set(filters.get_untracked());
        selection.set(Selection::new(0));
        rows.set(Vec::new());
        fetch(false);
    };
    let reset = move |_| {
        filters.set(QueueFilters::default());
        applied.set(QueueFilters::default());
        rows.set(Vec::new());
        fetch(false);
    };

    let priorities = move || {
        s.schema.with(|sc| {
            sc.as_ref()
                .and_then(|sc| sc.field("Priority"))
                .filter(|f| f.field_type == FieldType::Picklist)
                .map(|f| {
                    f.values
                        .iter()
                        .map(|v| (v.value.clone(), v.label().to_owned()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };

    let all_checked = move || {
        rows.with(|r| !r.is_empty() && checked.with(|c| r.iter().all(|row| c.contains(&row.id))))
    };

    view! {
        <div class="title-row">
            <h1>"Queue"</h1>
            <p class="waiting" aria-live="polite">
                {move || waiting.get().map(|n| format!("{n} waiting"))}
            </p>
        </div>
        <p class="sr-only" aria-live="polite">{announce}</p>
        {move || live_closed.get().then(|| view! {
            <p class="note" role="status">"Live updates stopped. Reload the page to resume them."</p>
        })}
        <form class="filters card" on:submit=apply aria-label="Filter the queue">
            <fieldset class="statuses">
                <legend>"Status"</legend>
                {IntakeStatus::ALL
                    .into_iter()
                    .map(|st| {
                        let id = format!("st-{}", st.as_str());
                        let for_id = id.clone();
                        view! {
                            <label class="check" for=for_id>
                                <input
                                    type="checkbox"
                                    id=id
                                    prop:checked=move || filters.with(|f| f.statuses.contains(&st))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        filters.update(|f| f.toggle_status(st, on));
                                    }
                                />
                                {st.label()}
                            </label>
                        }
                    })
                    .collect_view()}
                <p class="hint">"None ticked: those waiting for a person."</p>
            </fieldset>
            <div class="grid">
                <div>
                    <label for="f-priority">"Priority"</label>
                    <select
                        id="f-priority"
                        prop:value=move || filters.with(|f| f.priority.clone())
                        on:change=move |ev| filters.update(|f| f.priority = event_target_value(&ev))
                    >
                        <option value="">"Any"</option>
                        {move || priorities()
                            .into_iter()
                            .map(|(v, l)| view! { <option value=v>{l}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div>
                    <label for="f-asset">"Asset id"</label>
                    <input id="f-asset" type="text"
                        prop:value=move || filters.with(|f| f.asset.clone())
                        on:input=move |ev| filters.update(|f| f.asset = event_target_value(&ev)) />
                </div>
                <div>
                    <label for="f-account">"Account"</label>
                    <input id="f-account" type="text"
                        prop:value=move || filters.with(|f| f.account.clone())
                        on:input=move |ev| filters.update(|f| f.account = event_target_value(&ev)) />
                </div>
                <div>
                    <label for="f-from">"Submitted from"</label>
                    <input id="f-from" type="date"
                        prop:value=move || filters.with(|f| f.from.clone())
                        on:input=move |ev| filters.update(|f| f.from = event_target_value(&ev)) />
                </div>
                <div>
                    <label for="f-to">"Submitted to"</label>
                    <input id="f-to" type="date"
                        prop:value=move || filters.with(|f| f.to.clone())
                        on:input=move |ev| filters.update(|f| f.to = event_target_value(&ev)) />
                </div>
                <div class="wide">
                    <label for="f-q">"Search notes and subjects"</label>
                    <input id="f-q" type="search"
                        prop:value=move || filters.with(|f| f.search.clone())
                        on:input=move |ev| filters.update(|f| f.search = event_target_value(&ev)) />
                </div>
            </div>
            <div class="actions">
                <button type="submit" class="btn primary">"Apply filters"</button>
                <button type="button" class="btn ghost" on:click=reset>"Clear"</button>
            </div>
        </form>

        <div class="toolbar" role="toolbar" aria-label="Selected intakes">
            <span aria-live="polite">
                {move || {
                    let n = checked.with(BTreeSet::len);
                    if n == 0 { "Tick intakes to act on several.".to_owned() } else { format!("{n} selected") }
                }}
            </span>
            <button type="button" class="btn"
                prop:disabled=move || checked.with(BTreeSet::is_empty)
                on:click=move |_| bulk(BulkKind::Approve)>"Approve selected"</button>
            <button type="button" class="btn danger"
                prop:disabled=move || checked.with(BTreeSet::is_empty)
                on:click=move |_| bulk(BulkKind::Reject)>"Reject selected"</button>
            <span class="keys">"Keys: j/k move · Enter opens · a approve · r reject"</span>
        </div>

        <div aria-live="polite">
            {move || outcome.get().map(|o| view! {
                <div class="outcome card" role="status">
                    <p><strong>{o.summary}</strong></p>
                    {(!o.failures.is_empty()).then(|| view! {
                        <ul class="failures">
                            {o.failures.into_iter().map(|f| view! {
                                <li><a href=format!("/console/intakes/{}", f.id)>{f.reference}</a>": "{f.message}</li>
                            }).collect_view()}
                        </ul>
                    })}
                    <button type="button" class="btn ghost" on:click=move |_| outcome.set(None)>"Dismiss"</button>
                </div>
            })}
        </div>
        {move || error.get().map(|e| view! { <p class="err" role="alert">{e}</p> })}

        <div class="table-wrap">
            <table class="queue">
                <caption class="sr-only">"Intakes, highest priority and oldest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">
                            <input type="checkbox" aria-label="Select all shown"
                                prop:checked=all_checked
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let ids: Vec<Uuid> = rows.with_untracked(|r| r.iter().filter(|r| r.status.is_reviewable()).map(|r| r.id).collect());
                                    checked.update(|c| if on { c.extend(ids) } else { c.clear() });
                                } />
                        </th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Reference"</th>
                        <th scope="col">"Asset"</th>
                        <th scope="col">"Account"</th>
                        <th scope="col">"Priority"</th>
                        <th scope="col">"Hazard"</th>
                        <th scope="col">"Age"</th>
                        <th scope="col">"Technician"</th>
                        <th scope="col" class="num">"Photos"</th>
                    </tr>
                </thead>
                <tbody>
                    // Keyed by id: a refresh (every live event) adds and removes
                    // only the rows that came or went, and a row that changed
                    // (another dispatcher's edit, a status) has its cells
                    // follow it in place, so the row a dispatcher has focused,
                    // or is about to click, stays in the page's document.
                    <For
                        each=move || rows.get()
                        key=|r: &QueueRow| r.id
                        children=move |first: QueueRow| {
                            let id = first.id;
                            let row = Memo::new(move |_| {
                                rows.with(|rs| rs.iter().find(|x| x.id == id).cloned())
                                    .unwrap_or_else(|| first.clone())
                            });
                            let cell = move |f: fn(&QueueRow) -> String| move || row.with(f);
                            let href = format!("/console/intakes/{id}");
                            let position = move || rows.with(|rs| rs.iter().position(|x| x.id == id));
                            let selected = move || {
                                let at = selection.with(|s| s.index);
                                at.is_some() && at == position()
                            };
                            view! {
                                <tr class:selected=selected class:hazard=move || row.with(|r| r.hazard)>
                                    <td>
                                        <input type="checkbox"
                                            aria-label=cell(|r| format!("Select {}", r.reference))
                                            prop:disabled=move || !row.with(|r| r.status.is_reviewable())
                                            prop:checked=move || checked.with(|c| c.contains(&id))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                checked.update(|c| { if on { c.insert(id); } else { c.remove(&id); } });
                                            } />
                                    </td>
                                    <td>
                                        <span class=cell(|r| format!("status s-{}", r.status.as_str()))>
                                            {cell(|r| r.status.label().to_owned())}
                                        </span>
                                    </td>
                                    <td>
                                        <a id=row_anchor(id) href=href
                                            on:focus=move |_| {
                                                selection.update(|s| s.index = untrack(position));
                                            }>
                                            {cell(|r| r.reference.clone())}
                                        </a>
                                        <div class="subject">{cell(|r| r.subject.clone())}</div>
                                    </td>
                                    <td>{cell(|r| r.asset_name.clone())}</td>
                                    <td>{cell(|r| r.account_name.clone())}</td>
                                    <td>
                                        <span class=cell(|r| format!("prio p-{}", r.priority.clone().unwrap_or_default().to_ascii_lowercase()))>
                                            {cell(|r| r.priority.clone().unwrap_or_else(|| "—".to_owned()))}
                                        </span>
                                    </td>
                                    <td>
                                        {move || row.with(|r| r.hazard).then(|| view! { <span class="hazard-flag">"⚠ Hazard"</span> })}
                                        {move || row.with(|r| r.escalated).then(|| view! { <span class="escalated-flag">"Escalated"</span> })}
                                        {move || row.with(|r| r.proposed_by_ai).then(|| view! { <span class="ai-flag" title="Proposed by an AI assistant on a person's behalf">"AI-proposed"</span> })}
                                    </td>
                                    <td>
                                        <time datetime=cell(|r| r.submitted_at.clone())
                                            title=move || row.with(|r| time::short_datetime(&r.submitted_at))>
                                            {move || row.with(|r| time::age_of(now.get(), &r.submitted_at))}
                                        </time>
                                    </td>
                                    <td>{cell(|r| r.technician.clone())}</td>
                                    <td class="num">{move || row.with(|r| r.photo_count)}</td>
                                </tr>
                            }
                        }
                    />
                </tbody>
            </table>
            {move || (!loading.get() && rows.with(Vec::is_empty)).then(|| view! {
                <p class="empty">"Nothing here. New intakes appear as they are submitted."</p>
            })}
        </div>
        <div class="more">
            {move || next.get().is_some().then(|| view! {
                <button type="button" class="btn" prop:disabled=loading on:click=move |_| fetch(true)>"Load more"</button>
            })}
            {move || loading.get().then(|| view! { <span class="loading" aria-busy="true">"Loading…"</span> })}
        </div>

        <dialog id="confirm" aria-labelledby="confirm-title"
            on:close=move |_| pending.set(None)>
            <form method="dialog" novalidate on:submit=confirm>
                <h2 id="confirm-title">
                    {move || pending.get().map(|p| match (&p.single, p.kind) {
                        (Some(r), BulkKind::Approve) => format!("Approve {r}?"),
                        (Some(r), BulkKind::Reject) => format!("Reject {r}?"),
                        (None, k) => text::bulk_question(k, p.items.len()),
                    })}
                </h2>
                {move || (pending.with(|p| p.as_ref().map(|p| p.kind)) == Some(BulkKind::Reject)).then(|| view! {
                    <label for="reason">"Reason (the technician sees it)"</label>
                    <textarea id="reason" rows="3" required
                        aria-describedby="reason-err"
                        prop:value=reason
                        on:input=move |ev| { reason.set(event_target_value(&ev)); reason_err.set(None); }></textarea>
                    <p id="reason-err" class="err" role="alert">{move || reason_err.get()}</p>
                })}
                <div class="actions">
                    <button type="submit" class="btn primary">
                        {move || match pending.with(|p| p.as_ref().map(|p| p.kind)) {
                            Some(BulkKind::Reject) => "Reject",
                            _ => "Approve",
                        }}
                    </button>
                    <button type="button" class="btn ghost" on:click=move |_| browser::close_dialog("confirm")>"Cancel"</button>
                </div>
            </form>
        </dialog>
    }
}

/// The id of a row's link, which the keyboard moves focus to.
fn row_anchor(id: Uuid) -> String {
    format!("row-{id}")
}
