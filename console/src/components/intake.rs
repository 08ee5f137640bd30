//! `/console/intakes/:id`: one intake, everything a reviewer needs.

use fieldcase_core::CaseSchema;
use fieldcase_core::console::{
    Approve, AuditEntry, FieldEdit, IntakeDetail, Redact, Reject, Return,
};
use fieldcase_core::pii::FieldFinding;
use fieldcase_core::schema::{FieldDef, FieldType};
use fieldcase_core::structure::Source;
use fieldcase_core::validate::FieldErrors;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::{handle, load_schema, session, session_ended};
use crate::api::{self, Failure};
use crate::edit::{self, Inputs};
use crate::highlight::{field_spans, segments};
use crate::{browser, text, time};

/// A message at the top of the form; `stale` offers "Reload the latest".
#[derive(Clone, PartialEq)]
struct Alert {
    message: String,
    stale: bool,
    good: bool,
}

/// Which action's dialog is open.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Approve,
    Reject,
    Return,
}

fn inputs_of(schema: &CaseSchema, d: &IntakeDetail) -> Inputs {
    edit::editable_fields(schema)
        .map(|f| (f.name.clone(), edit::input_text(d.fields.get(&f.name))))
        .collect()
}

#[component]
pub fn Intake() -> impl IntoView {
    let s = session();
    load_schema();
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|i| Uuid::parse_str(&i).ok())));
    let detail = RwSignal::new(None::<IntakeDetail>);
    let load_error = RwSignal::new(None::<String>);
    let inputs = RwSignal::new(Inputs::new());
    let errors = RwSignal::new(FieldErrors::default());
    let alert = RwSignal::new(None::<Alert>);
    let active = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let action = RwSignal::new(None::<Action>);
    let words = RwSignal::new(String::new());
    let words_err = RwSignal::new(None::<String>);
    let viewer = RwSignal::new(None::<(String, String)>);

    // What the dispatcher typed that differs from the intake as loaded.
    let dirty = move || -> Inputs {
        let Some(schema) = s.schema.get_untracked() else {
            return Inputs::new();
        };
        detail.with_untracked(|d| {
            d.as_ref()
                .map(|d| edit::dirty(&schema, &d.fields, &inputs.get_untracked()))
                .unwrap_or_default()
        })
    };

    // Show an intake; keep `keep` (typed edits) on top of its values.
    let show = move |d: IntakeDetail, keep: Inputs| {
        browser::set_title(&text::page_title(&d.reference));
        if let Some(schema) = s.schema.get_untracked() {
            let mut i = inputs_of(&schema, &d);
            i.extend(keep);
            inputs.set(i);
        }
        detail.set(Some(d));
    };

    let load = move |keep: Inputs| {
        let Some(id) = id.get_untracked() else {
            load_error.set(Some("That is not an intake's address.".to_owned()));
            return;
        };
        spawn_local(async move {
            match api::intake(&id).await {
                Ok(d) => {
                    load_error.set(None);
                    show(d, keep);
                }
                Err(f) => load_error.set(Some(handle(&f))),
            }
        });
    };

    // First load, and again when the route's id changes; edits kept over a
    // sign-in come back.
    Effect::new(move |_| {
        if let Some(id) = id.get() {
            let kept = s
                .kept
                .try_update_value(|k| k.remove(&id))
                .flatten()
                .unwrap_or_default();
            if !kept.is_empty() {
                alert.set(Some(Alert {
                    message: "Your unsaved edits were kept; check them and Save.".to_owned(),
                    stale: false,
                    good: false,
                }));
            }
            detail.set(None);
            load(kept);
        }
    });
    // The schema may arrive after the intake.
    Effect::new(move |_| {
        if let Some(schema) = s.schema.get()
            && inputs.with_untracked(Inputs::is_empty)
            && let Some(d) = detail.get_untracked()
        {
            inputs.set(inputs_of(&schema, &d));
        }
    });

    // A failure of a save or an action: 401 keeps the edits, 409 offers reload.
    let failed = move |f: Failure| {
        if f.is_unauthorized() {
            let keep = dirty();
            if let Some(id) = id.get_untracked()
                && !keep.is_empty()
            {
                s.kept.update_value(|k| {
                    k.insert(id, keep);
                });
            }
            session_ended();
            return;
        }
        if let Failure::Api { error, .. } = &f
            && !error.fields.is_empty()
        {
            errors.set(error.fields.clone());
        }
        alert.set(Some(Alert {
            message: f.message().to_owned(),
            stale: f.is_stale(),
            good: false,
        }));
        browser::focus("intake-alert");
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(schema), Some(d)) = (s.schema.get_untracked(), detail.get_untracked()) else {
            return;
        };
        match edit::changes(&schema, &d.fields, &inputs.get_untracked()) {
            Err(e) => {
                errors.set(e);
                alert.set(Some(Alert {
                    message: "Some fields need fixing; see the messages next to them.".to_owned(),
                    stale: false,
                    good: false,
                }));
            }
            Ok(fields) if fields.is_empty() => alert.set(Some(Alert {
                message: "Nothing has changed.".to_owned(),
                stale: false,
                good: true,
            })),
            Ok(fields) => {
                busy.set(true);
                let body = FieldEdit {
                    revision: d.revision,
                    fields,
                };
                spawn_local(async move {
                    match api::edit_intake(&d.id, &body).await {
                        Ok(new) => {
                            errors.set(FieldErrors::default());
                            alert.set(Some(Alert {
                                message: "Saved.".to_owned(),
                                stale: false,
                                good: true,
                            }));
                            show(new, Inputs::new());
                        }
                        Err(f) => failed(f),
                    }
                    busy.set(false);
                });
            }
        }
    };

    // Redact one finding (and the same words elsewhere), or all of them.
    let redact = move |one: Option<FieldFinding>| {
        let Some(d) = detail.get_untracked() else {
            return;
        };
        if !dirty().is_empty() {
            alert.set(Some(Alert {
                message: "Save or undo your edits before redacting.".to_owned(),
                stale: false,
                good: false,
            }));
            browser::focus("intake-alert");
            return;
        }
        let body = Redact {
            revision: d.revision,
            all: one.is_none(),
            findings: one.into_iter().collect(),
        };
        busy.set(true);
        spawn_local(async move {
            match api::redact(&d.id, &body).await {
                Ok(new) => {
                    alert.set(Some(Alert {
                        message: if body.all {
                            "Personal data redacted.".to_owned()
                        } else {
                            "Redacted.".to_owned()
                        },
                        stale: false,
                        good: true,
                    }));
                    show(new, Inputs::new());
                }
                Err(f) => failed(f),
            }
            busy.set(false);
        });
    };

    let reload_latest = move |_| {
        alert.set(None);
        errors.set(FieldErrors::default());
        load(dirty());
    };

    let open_action = move |a: Action| {
        if a == Action::Approve && !dirty().is_empty() {
            alert.set(Some(Alert {
                message: "Save or undo your edits before approving.".to_owned(),
                stale: false,
                good: false,
            }));
            return;
        }
        words.set(String::new());
        words_err.set(None);
        action.set(Some(a));
        browser::show_modal("action");
        if a != Action::Approve {
            browser::focus("words");
        }
    };

    let do_action = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(a), Some(d)) = (action.get_untracked(), detail.get_untracked()) else {
            return;
        };
        let w = words.get_untracked().trim().to_owned();
        if a != Action::Approve && w.is_empty() {
            words_err.set(Some(match a {
                Action::Reject => "Give a reason; the technician will see it.".to_owned(),
                _ => "Write the question for the technician.".to_owned(),
            }));
            browser::focus("words");
            return;
        }
        browser::close_dialog("action");
        action.set(None);
        busy.set(true);
        spawn_local(async move {
            let r = match a {
                Action::Approve => {
                    api::approve(
                        &d.id,
                        &Approve {
                            revision: d.revision,
                        },
                    )
                    .await
                }
                Action::Reject => {
                    api::reject(
                        &d.id,
                        &Reject {
                            revision: d.revision,
                            reason: w,
                        },
                    )
                    .await
                }
                Action::Return => {
                    api::return_to_technician(
                        &d.id,
                        &Return {
                            revision: d.revision,
                            question: w,
                        },
                    )
                    .await
                }
            };
            match r {
                Ok(new) => {
                    alert.set(Some(Alert {
                        message: format!("{}: {}.", new.reference, new.status.label()),
                        stale: false,
                        good: true,
                    }));
                    show(new, Inputs::new());
                }
                Err(f) => failed(f),
            }
            busy.set(false);
        });
    };

    let body = move || {
        if let Some(e) = load_error.get() {
            return view! { <p class="err" role="alert">{e}</p> }.into_any();
        }
        let (Some(d), Some(schema)) = (detail.get(), s.schema.get()) else {
            return view! { <p class="loading" aria-busy="true">"Loading the intake…"</p> }
                .into_any();
        };
        let reviewable = d.status.is_reviewable();
        let mut spans = field_spans(&d.proposal);
        spans.extend(crate::pii::note_spans(&d.pii));
        let segs = segments(&d.notes, &spans);
        let mark = |seg: crate::highlight::Segment| {
            let fs: Vec<String> = seg
                .fields
                .iter()
                .filter(|f| !f.starts_with(crate::pii::PREFIX))
                .cloned()
                .collect();
            if fs.is_empty() {
                view! { <span>{seg.text}</span> }.into_any()
            } else {
                let labels = fs
                    .iter()
                    .map(|f| schema.field(f).map_or(f.clone(), |d| d.label.clone()))
                    .collect::<Vec<_>>()
                    .join(", ");
                view! {
                        <mark class="hl" title=format!("Sets {labels}")
                            class:on=move || active.with(|a| a.as_ref().is_some_and(|a| fs.contains(a)))>
                            {seg.text}
                        </mark>
                    }
                    .into_any()
            }
        };
        let notes = crate::pii::runs(segs)
            .into_iter()
            .map(|(personal, run)| {
                let inner = run.into_iter().map(&mark).collect_view();
                match personal {
                    Some(kind) => view! {
                        <mark class="pii" title=format!("Personal data: {}", kind.label())>
                            {inner}
                        </mark>
                    }
                    .into_any(),
                    None => inner.into_any(),
                }
            })
            .collect_view();
        let personal = d
            .pii
            .iter()
            .filter_map(|f| {
                crate::pii::line(&schema, &d.notes, &d.fields, f).map(|l| (f.clone(), l))
            })
            .collect::<Vec<_>>();
        let n_personal = personal.len();
        let personal_card = (n_personal > 0).then(|| view! {
            <section class="card pii-card" aria-labelledby="pii-h">
                <h2 id="pii-h">"Personal data ("{n_personal}")"</h2>
                <p class="hint">"Redact what the case does not need before approving: the words are replaced, here and in what is written to the CRM, and the history records only their kind."</p>
                <ul class="pii-list">
                    {personal.into_iter().map(|(f, l)| {
                        let label = format!("Redact: {}", l.title);
                        view! {
                            <li>
                                <span class="pii-what">{l.title}</span>
                                <q>{l.before}<mark class="pii">{l.found}</mark>{l.after}</q>
                                {reviewable.then(|| view! {
                                    <button type="button" class="btn" aria-label=label prop:disabled=busy
                                        on:click=move |_| redact(Some(f.clone()))>"Redact"</button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {reviewable.then(|| view! {
                    <div class="actions">
                        <button type="button" class="btn danger" prop:disabled=busy on:click=move |_| redact(None)>"Redact all"</button>
                    </div>
                })}
            </section>
        });
        let fields = edit::editable_fields(&schema)
            .cloned()
            .map(|def| field_input(def, &d, inputs, errors, active, reviewable))
            .collect_view();
        let photos = d.photos.clone();
        let n_photos = photos.len();
        view! {
            <div class="title-row">
                <h1>{d.reference.clone()}" · "{d.fields.get("Subject").map(ToString::to_string).unwrap_or_default()}</h1>
                <span class=format!("status s-{}", d.status.as_str())>{d.status.label()}</span>
            </div>
            <p class="meta">
                "Submitted "{time::short_datetime(&d.submitted_at)}" by "{d.technician.name.clone()}
                {d.origin.clone().map(|o| format!(" (customer via portal {})", o.portal_name))}
                {d.technician.email.clone().map(|e| format!(" · {e}"))}
                {d.technician.phone.clone().map(|p| format!(" · {p}"))}
                " · revision "{d.revision}
            </p>
            {d.policy.escalated.then(|| view! { <p class="note escalated" role="note">"Escalated to on-call at submission."</p> })}
            {(!d.policy.reasons.is_empty() && d.status.is_reviewable()).then(|| view! {
                <p class="note">"Waiting for a person: "{d.policy.reasons.join("; ")}</p>
            })}
            {d.policy.case_not_written.then(|| view! { <p class="note">"The policy does not allow writing cases: approving it will not write it."</p> })}
            {d.policy.photos_not_attached.then(|| view! { <p class="note">"The policy does not allow attaching files: the photos stay in fieldcase and are not uploaded to the case."</p> })}
            {d.reason.clone().map(|r| view! { <p class="note">"Rejected: "{r}</p> })}
            {d.question.clone().map(|q| view! { <p class="note">"Question for the technician: "{q}</p> })}
            {d.case_url.clone().map(|u| view! {
                <p class="note">"Case "<a href=u rel="external noopener" target="_blank">{d.case_number.clone().unwrap_or_else(|| "in the CRM".to_owned())}</a></p>
            })}
            {personal_card}
            <div class="columns">
                <section class="card notes-card" aria-labelledby="notes-h">
                    <h2 id="notes-h">"Technician's notes"</h2>
                    <p class="notes">{notes}</p>
                    <p class="hint">"Highlighted words set a field; hover or focus a field to find its words."</p>
                </section>
                <section class="card" aria-labelledby="fields-h">
                    <h2 id="fields-h">"Case fields"</h2>
                    <form on:submit=save novalidate>
                        {fields}
                        {reviewable.then(|| view! {
                            <div class="actions">
                                <button type="submit" class="btn primary" prop:disabled=busy>"Save changes"</button>
                            </div>
                        })}
                    </form>
                </section>
            </div>
            {reviewable.then(|| view! {
                <section class="card decide" aria-labelledby="decide-h">
                    <h2 id="decide-h">"Decision"</h2>
                    <div class="actions">
                        <button type="button" class="btn primary" prop:disabled=busy on:click=move |_| open_action(Action::Approve)>"Approve"</button>
                        <button type="button" class="btn danger" prop:disabled=busy on:click=move |_| open_action(Action::Reject)>"Reject…"</button>
                        <button type="button" class="btn" prop:disabled=busy on:click=move |_| open_action(Action::Return)>"Return to technician…"</button>
                    </div>
                </section>
            })}
            <section class="card" aria-labelledby="photos-h">
                <h2 id="photos-h">"Photos ("{n_photos}")"</h2>
                {(n_photos == 0).then(|| view! { <p class="empty">"No photos."</p> })}
                <ul class="photos">
                    {photos.into_iter().enumerate().map(|(i, p)| {
                        let alt = format!("Photo {} of {n_photos}", i + 1);
                        let (url, alt2) = (p.url.clone(), alt.clone());
                        let label = format!("{alt}: open full size");
                        view! {
                            <li>
                                <button type="button" class="thumb"
                                    aria-label=label
                                    on:click=move |_| { viewer.set(Some((url.clone(), alt2.clone()))); browser::show_modal("viewer"); }>
                                    <img src=p.thumb_url.clone() alt=alt loading="lazy" width="160" height="120" />
                                </button>
                                {p.location.map(|at| view! {
                                    <p class="photo-loc">
                                        {crate::text::photo_location(&at)}" "
                                        <a href=crate::text::map_link(&at) target="_blank" rel="noopener noreferrer">{crate::text::MAP_LINK}</a>
                                    </p>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
            <div class="columns">
                <section class="card" aria-labelledby="asset-h">
                    <h2 id="asset-h">"Asset"</h2>
                    <dl class="facts">
                        <dt>"Name"</dt><dd>{d.asset.name.clone()}</dd>
                        <dt>"Model"</dt><dd>{d.asset.model.clone()}</dd>
                        <dt>"Serial number"</dt><dd>{d.asset.serial_number.clone()}</dd>
                        <dt>"Account"</dt><dd>{d.asset.account_name.clone()}</dd>
                        <dt>"Site"</dt><dd>{d.asset.site.clone()}</dd>
                        {d.asset.location.clone().map(|l| view! { <dt>"Location"</dt><dd>{l}</dd> })}
                        <dt>"Asset id"</dt><dd><code>{d.asset.id.clone()}</code></dd>
                    </dl>
                </section>
                <section class="card" aria-labelledby="related-h">
                    <h2 id="related-h">"Related intakes and cases"</h2>
                    {d.related.is_empty().then(|| view! { <p class="empty">"None on this asset."</p> })}
                    <ul class="related">
                        {d.related.iter().cloned().map(|r| view! {
                            <li>
                                <a href=format!("/console/intakes/{}", r.id)>{r.reference}</a>
                                " "<span class=format!("status s-{}", r.status.as_str())>{r.status.label()}</span>
                                " "{r.subject}" · "{time::short_datetime(&r.submitted_at)}
                                {r.case_url.map(|u| view! {
                                    " · "<a href=u rel="external noopener" target="_blank">"Case "{r.case_number.unwrap_or_default()}</a>
                                })}
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            </div>
            <section class="card" aria-labelledby="history-h">
                <h2 id="history-h">"History"</h2>
                <ol class="timeline">{d.history.iter().map(history_item).collect_view()}</ol>
            </section>
        }
        .into_any()
    };

    view! {
        <p><a href="/console/">"← Queue"</a></p>
        <div id="intake-alert" tabindex="-1" aria-live="polite">
            {move || alert.get().map(|a| view! {
                <div class=if a.good { "alert good" } else { "alert" } role=if a.good { "status" } else { "alert" }>
                    <p>{a.message}</p>
                    {a.stale.then(|| view! {
                        <p class="hint">"What you typed is kept; reload to see the latest values with your edits on top."</p>
                        <button type="button" class="btn" on:click=reload_latest>"Reload the latest"</button>
                    })}
                </div>
            })}
        </div>
        {body}
        <dialog id="action" aria-labelledby="action-title" on:close=move |_| action.set(None)>
            <form method="dialog" novalidate on:submit=do_action>
                <h2 id="action-title">
                    {move || {
                        let r = detail.with(|d| d.as_ref().map(|d| d.reference.clone()).unwrap_or_default());
                        match action.get() {
                            Some(Action::Approve) => format!("Approve {r}?"),
                            Some(Action::Reject) => format!("Reject {r}?"),
                            Some(Action::Return) => format!("Return {r} to the technician?"),
                            None => String::new(),
                        }
                    }}
                </h2>
                {move || matches!(action.get(), Some(Action::Reject | Action::Return)).then(|| view! {
                    <label for="words">
                        {move || if action.get() == Some(Action::Reject) { "Reason (the technician sees it)" } else { "Question for the technician" }}
                    </label>
                    <textarea id="words" rows="4" required aria-describedby="words-err"
                        prop:value=words
                        on:input=move |ev| { words.set(event_target_value(&ev)); words_err.set(None); }></textarea>
                    <p id="words-err" class="err" role="alert">{move || words_err.get()}</p>
                })}
                {move || (action.get() == Some(Action::Approve)).then(|| view! {
                    <p>"It will be written to the CRM as a case with these fields and photos."</p>
                    {move || {
                        let kinds = detail.with(|d| d.as_ref().map(|d| crate::pii::kinds_text(&d.pii)).unwrap_or_default());
                        (!kinds.is_empty()).then(|| view! {
                            <p class="problem" role="note">{format!("Personal data is still in it ({kinds}). Cancel and redact it unless the case needs it.")}</p>
                        })
                    }}
                })}
                <div class="actions">
                    <button type="submit" class="btn primary">
                        {move || match action.get() {
                            Some(Action::Reject) => "Reject",
                            Some(Action::Return) => "Return",
                            _ => "Approve",
                        }}
                    </button>
                    <button type="button" class="btn ghost" on:click=move |_| browser::close_dialog("action")>"Cancel"</button>
                </div>
            </form>
        </dialog>
        <dialog id="viewer" class="viewer" aria-label="Photo" on:close=move |_| viewer.set(None)>
            {move || viewer.get().map(|(url, alt)| view! { <img src=url alt=alt /> })}
            <form method="dialog">
                <button type="submit" class="btn">"Close"</button>
            </form>
        </dialog>
    }
}

/// One field: label, input by type, the source of its proposed value, the
/// browser's message and the CRM's problem.
fn field_input(
    def: FieldDef,
    d: &IntakeDetail,
    inputs: RwSignal<Inputs>,
    errors: RwSignal<FieldErrors>,
    active: RwSignal<Option<String>>,
    enabled: bool,
) -> impl IntoView {
    let name = def.name.clone();
    let id = format!("field-{name}");
    let err_id = format!("{id}-err");
    // Staff see the CRM's own words (ours, as the technician saw them, when
    // the CRM gave none).
    let problem = d
        .crm_messages
        .get(&name)
        .or_else(|| d.problems.get(&name))
        .map(str::to_owned);
    let not_written = d.policy.not_written.contains(&name);
    let source = d.proposal.get(&name).map(|p| match &p.source {
        Source::Notes { .. } if p.proposed_by_ai => format!(
            "AI-proposed from the notes, checked against them ({:.0}% sure)",
            p.confidence * 100.0
        ),
        Source::Notes { .. } => format!("From the notes ({:.0}% sure)", p.confidence * 100.0),
        Source::Asset => "From the asset".to_owned(),
        Source::Technician => "From the technician's details".to_owned(),
        Source::Default => "The default".to_owned(),
    });
    let value = {
        let name = name.clone();
        move || inputs.with(|i| i.get(&name).cloned().unwrap_or_default())
    };
    let set = {
        let (name, def) = (name.clone(), def.clone());
        move |v: String| {
            let check = edit::check_input(&def, &v);
            inputs.update(|i| {
                i.insert(name.clone(), v);
            });
            errors.update(|e| match check {
                Err(m) => {
                    e.0.insert(name.clone(), m);
                }
                Ok(_) => {
                    e.0.remove(&name);
                }
            });
        }
    };
    let message = {
        let name = name.clone();
        move || errors.with(|e| e.get(&name).map(str::to_owned))
    };
    let invalid = {
        let name = name.clone();
        move || errors.with(|e| e.get(&name).is_some()).then_some("true")
    };
    let (n1, n2, n3) = (name.clone(), name.clone(), name.clone());
    let hover = move |_: leptos::ev::MouseEvent| active.set(Some(n1.clone()));
    let unhover = move |_: leptos::ev::MouseEvent| active.set(None);
    let focus = move |_: leptos::ev::FocusEvent| active.set(Some(n3.clone()));
    let blur = move |_: leptos::ev::FocusEvent| active.set(None);
    let is_on = move || active.with(|a| a.as_deref() == Some(n2.as_str()));
    let describedby = format!("{err_id} {id}-src");
    let max = def.max_length.map(|m| m.to_string());
    let input = match def.field_type {
        FieldType::Picklist => {
            let set = set.clone();
            let options = def
                .values
                .iter()
                .map(|v| view! { <option value=v.value.clone()>{v.label().to_owned()}</option> })
                .collect_view();
            view! {
                <select id=id.clone() prop:disabled=!enabled aria-describedby=describedby.clone()
                    aria-invalid=invalid.clone() aria-required=def.required.then_some("true")
                    prop:value=value.clone()
                    on:change=move |ev| set(event_target_value(&ev))>
                    {(!def.required).then(|| view! { <option value="">"— none —"</option> })}
                    {options}
                </select>
            }
            .into_any()
        }
        FieldType::Checkbox => {
            let set = set.clone();
            view! {
                <input type="checkbox" id=id.clone() prop:disabled=!enabled aria-describedby=describedby.clone()
                    prop:checked=move || value() == "true"
                    on:change=move |ev| set(event_target_checked(&ev).to_string()) />
            }
            .into_any()
        }
        FieldType::Textarea => {
            let set = set.clone();
            view! {
                <textarea id=id.clone() rows="5" prop:disabled=!enabled aria-describedby=describedby.clone()
                    aria-invalid=invalid.clone() maxlength=max.clone()
                    prop:value=value.clone()
                    on:input=move |ev| set(event_target_value(&ev))></textarea>
            }
            .into_any()
        }
        t => {
            let kind = match t {
                FieldType::Email => "email",
                FieldType::Phone => "tel",
                FieldType::Date => "date",
                _ => "text",
            };
            let mode = (t == FieldType::Number).then_some("decimal");
            let set = set.clone();
            view! {
                <input type=kind id=id.clone() inputmode=mode prop:disabled=!enabled
                    aria-describedby=describedby.clone() aria-invalid=invalid.clone()
                    aria-required=def.required.then_some("true") maxlength=max.clone()
                    prop:value=value.clone()
                    on:input=move |ev| set(event_target_value(&ev)) />
            }
            .into_any()
        }
    };
    view! {
        <div class="field" class:on=is_on on:mouseenter=hover on:mouseleave=unhover on:focusin=focus on:focusout=blur>
            <label for=id.clone()>
                {def.label.clone()}
                {def.required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}
                {not_written.then(|| view! { <span class="policy-flag">" not written (policy)"</span> })}
            </label>
            {input}
            <p class="src" id=format!("{id}-src")>{source}</p>
            <p class="err" id=err_id>{message}</p>
            {problem.map(|p| view! { <p class="problem" role="note">"The CRM refused it: "{p}</p> })}
        </div>
    }
}

fn history_item(e: &AuditEntry) -> impl IntoView {
    let detail = text::detail_text(&e.detail);
    view! {
        <li>
            <time datetime=e.at.clone()>{time::short_datetime(&e.at)}</time>
            <span class=format!("badge k-{}", e.actor_kind.as_str())>{text::actor_label(e.actor_kind)}</span>
            <span class="actor">{text::actor_text(e)}</span>
            <span class="what">{text::kind_label(&e.kind)}</span>
            {(!detail.is_empty()).then(|| view! { <span class="detail">{detail}</span> })}
        </li>
    }
}
