//! The review screen: every technician-visible field, where its value came
//! from, live validation, and the one Submit.

use fieldcase_core::schema::{FieldDef, FieldType};
use fieldcase_core::{FieldErrors, FieldValue};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::intake::{Flow, PhotoState};
use crate::api::{self, Failure};
use crate::browser;
use crate::draft::{self, Detail, Origin, Proposed, Review};
use crate::highlight;

fn field_id(name: &str) -> String {
    let mut id = String::from("f-");
    id.push_str(name);
    id
}

fn value_text(v: Option<&FieldValue>) -> String {
    match v {
        Some(FieldValue::Text(s)) => s.clone(),
        Some(FieldValue::Number(n)) => serde_json::to_string(n).unwrap_or_default(),
        Some(FieldValue::Bool(b)) => if *b { "true" } else { "false" }.to_owned(),
        None => String::new(),
    }
}

#[component]
pub fn ReviewScreen(f: Flow) -> impl IntoView {
    let notes = Memo::new(move |_| f.draft.with(|d| d.notes.clone()));
    let proposal = Memo::new(move |_| {
        f.ctx
            .with_value(|c| f.tech.with(|t| notes.with(|n| draft::propose(c, n, t))))
    });
    let review = Memo::new(move |_| {
        f.ctx.with_value(|c| {
            proposal.with(|p| {
                f.draft.with(|d| {
                    f.tech
                        .with(|t| draft::merge(&c.schema, p, &d.edits, &draft::clean_technician(t)))
                })
            })
        })
    });
    let errors = Memo::new(move |_| {
        let mut e = f
            .ctx
            .with_value(|c| review.with(|r| draft::problems(c, r, None)));
        f.server_errors.with(|s| {
            for (k, v) in &s.0 {
                e.0.entry(k.clone()).or_insert_with(|| v.clone());
            }
        });
        e
    });

    let submit = move || {
        if f.sending.get_untracked() {
            return;
        }
        f.send_error.set(None);
        let first = f.ctx.with_value(|c| {
            errors.with_untracked(|e| draft::first_problem(&c.schema, e).map(str::to_owned))
        });
        if let Some(first) = first {
            let visible = f
                .ctx
                .with_value(|c| c.schema.field(&first).is_some_and(FieldDef::is_editable));
            browser::focus(&if visible {
                field_id(&first)
            } else {
                "summary".to_owned()
            });
            return;
        }
        let (uploading, failed) = f.photo_problems();
        if uploading + failed > 0 {
            let message = if uploading > 0 {
                "Wait until the photos finish uploading, then submit."
            } else {
                "A photo did not upload: go back to your notes and retry or remove it."
            };
            f.send_error.set(Some(Failure::Api {
                status: 0,
                error: fieldcase_core::wire::ApiError {
                    code: "photos_pending".to_owned(),
                    message: message.to_owned(),
                    fields: FieldErrors::default(),
                },
            }));
            return;
        }
        f.sending.set(true);
        let id = f.intake_id();
        let sub = f.ctx.with_value(|c| {
            f.draft.with_untracked(|d| {
                f.tech.with_untracked(|t| {
                    review.with_untracked(|r| draft::submission(c, d, t, r, id))
                })
            })
        });
        spawn_local(async move {
            let result = match api::submit(&sub).await {
                // Already submitted under this id (with other content): fetch what was kept.
                Err(Failure::Api { status: 409, error }) => match api::intake(&id).await {
                    Ok(receipt) => Ok((receipt, true)),
                    Err(_) => Err(Failure::Api { status: 409, error }),
                },
                other => other.map(|r| (r, false)),
            };
            f.sending.set(false);
            match result {
                Ok((receipt, changed)) => f.finish(receipt, changed),
                Err(e) => {
                    if let Failure::Api { status: 422, error } = &e {
                        f.server_errors.set(error.fields.clone());
                    }
                    f.send_error.set(Some(e));
                    let first = f.ctx.with_value(|c| {
                        f.server_errors
                            .with_untracked(|e| draft::first_problem(&c.schema, e).map(field_id))
                    });
                    browser::focus(first.as_deref().unwrap_or("send-error"));
                }
            }
        });
    };

    let (for_line, fields) = f.ctx.with_value(|c| {
        let mut line = c.asset.name.clone();
        line.push_str(" · ");
        line.push_str(&c.asset.site);
        let defs: Vec<FieldDef> = draft::visible_fields(&c.schema).cloned().collect();
        (line, defs)
    });
    let fields = fields
        .into_iter()
        .map(|def| field_view(f, def, notes, review, errors))
        .collect_view();

    view! {
        <main class="page review">
            <h1>"Check the case"</h1>
            <p class="lead">
                "For " <strong>{for_line}</strong> ". Nothing is sent until you press Submit."
            </p>
            {move || summary(f, errors)}
            {fields}
            {move || photos_summary(f)}
            {move || {
                f.send_error
                    .get()
                    .map(|e| {
                        let retry = matches!(e, Failure::Offline) || e.status().is_some_and(|s| s >= 500);
                        view! {
                            <div class="alert" id="send-error" role="alert" tabindex="-1">
                                <p>{e.message().to_owned()}</p>
                                {retry.then(|| view! {
                                    <button type="button" class="btn secondary" on:click=move |_| submit()>
                                        "Retry"
                                    </button>
                                })}
                            </div>
                        }
                    })
            }}
            <div class="actions">
                {move || {
                    let sending = f.sending.get();
                    view! {
                        <button
                            type="button"
                            class="btn primary"
                            disabled=sending
                            aria-busy=sending.then_some("true")
                            on:click=move |_| submit()
                        >
                            {if sending { "Submitting…" } else { "Submit case" }}
                        </button>
                    }
                }}
                <button type="button" class="btn secondary" on:click=move |_| f.set_reviewing(false)>
                    "Back to notes"
                </button>
            </div>
        </main>
    }
}

fn summary(f: Flow, errors: Memo<FieldErrors>) -> Option<impl IntoView> {
    let items: Vec<(Option<String>, String)> = f.ctx.with_value(|c| {
        errors.with(|e| {
            draft::visible_fields(&c.schema)
                .chain(c.schema.fields.iter().filter(|d| !d.is_editable()))
                .filter_map(|d| {
                    e.get(&d.name).map(|m| {
                        if d.is_editable() {
                            (Some(field_id(&d.name)), m.to_owned())
                        } else {
                            let mut s = String::from(
                                "This equipment's record has a problem (tell your dispatcher): ",
                            );
                            s.push_str(m);
                            (None, s)
                        }
                    })
                })
                .collect()
        })
    });
    if items.is_empty() {
        return None;
    }
    let title = if items.len() == 1 {
        "Fix 1 thing before you submit".to_owned()
    } else {
        let mut t = String::from("Fix ");
        t.push_str(&items.len().to_string());
        t.push_str(" things before you submit");
        t
    };
    Some(view! {
        <div class="summary" id="summary" role="alert" tabindex="-1">
            <h2>{title}</h2>
            <ul>
                {items
                    .into_iter()
                    .map(|(target, message)| match target {
                        Some(id) => view! {
                            <li>
                                <button type="button" class="link" on:click=move |_| browser::focus(&id)>
                                    {message}
                                </button>
                            </li>
                        }
                        .into_any(),
                        None => view! { <li>{message}</li> }.into_any(),
                    })
                    .collect_view()}
            </ul>
        </div>
    })
}

fn photos_summary(f: Flow) -> impl IntoView {
    let items = f.photos.get();
    let done: Vec<String> = items
        .iter()
        .filter(|p| matches!(p.state, PhotoState::Done(_)))
        .map(|p| p.thumb.clone())
        .collect();
    let (uploading, failed) = f.photo_problems();
    let mut title = String::from("Photos: ");
    title.push_str(&done.len().to_string());
    title.push_str(" attached");
    let warning = if uploading > 0 {
        Some("Some photos are still uploading.")
    } else if failed > 0 {
        Some("A photo did not upload: go back to your notes to retry or remove it.")
    } else {
        None
    };
    view! {
        <section class="card" aria-labelledby="review-photos-h">
            <h2 id="review-photos-h">{title}</h2>
            <div class="thumbs">
                {done
                    .into_iter()
                    .map(|src| view! { <img class="thumb" src=src alt="" width="56" height="56" /> })
                    .collect_view()}
            </div>
            {warning.map(|w| view! { <p class="err">{w}</p> })}
        </section>
    }
}

fn field_view(
    f: Flow,
    def: FieldDef,
    notes: Memo<String>,
    review: Memo<Review>,
    errors: Memo<FieldErrors>,
) -> impl IntoView {
    let name = def.name.clone();
    let id = field_id(&name);
    let mut err_id = id.clone();
    err_id.push_str("-err");
    let mut src_id = id.clone();
    src_id.push_str("-src");
    let mut described = err_id.clone();
    described.push(' ');
    described.push_str(&src_id);
    let detail = Detail::of(&def);

    let proposed = Memo::new({
        let name = name.clone();
        move |_| review.with(|r| r.get(&name).cloned())
    });
    let error = Memo::new({
        let name = name.clone();
        move |_| errors.with(|e| e.get(&name).map(str::to_owned))
    });
    // The controls are uncontrolled: they start from the review's value and
    // then belong to the person typing. "Use the suggestion" writes the new
    // value into the control directly.
    let initial = proposed.with_untracked(|p| p.as_ref().and_then(|p| p.value.clone()));
    let text = value_text(initial.as_ref());
    let invalid = move || error.with(|e| e.is_some().then_some("true"));
    let set = {
        let name = name.clone();
        move |v: FieldValue| f.edit(&name, detail, v)
    };
    let max = def.max_length.map(|n| n.to_string());
    let required = def.required.then_some("true");

    let label = view! {
        <label for=id.clone()>
            {def.label.clone()}
            {def.required.then(|| view! { <span class="req">" (required)"</span> })}
        </label>
    };
    let (label, control) = match def.field_type {
        FieldType::Checkbox => {
            let control = view! {
                <div class="check">
                    <input
                        type="checkbox"
                        id=id.clone()
                        aria-describedby=described
                        aria-invalid=invalid
                        prop:checked=matches!(initial, Some(FieldValue::Bool(true)))
                        on:change=move |ev| set(FieldValue::Bool(event_target_checked(&ev)))
                    />
                    {label}
                </div>
            };
            (None, control.into_any())
        }
        FieldType::Picklist => {
            let options = def
                .values
                .iter()
                .map(|v| {
                    view! {
                        <option value=v.value.clone() selected=v.value == text>
                            {v.label().to_owned()}
                        </option>
                    }
                })
                .collect_view();
            let control = view! {
                <select
                    id=id.clone()
                    aria-describedby=described
                    aria-invalid=invalid
                    aria-required=required
                    on:change=move |ev| set(FieldValue::text(event_target_value(&ev)))
                >
                    <option value="" selected=text.is_empty()>
                        "Choose…"
                    </option>
                    {options}
                </select>
            };
            (Some(label), control.into_any())
        }
        FieldType::Textarea => {
            let control = view! {
                <textarea
                    id=id.clone()
                    rows="6"
                    maxlength=max
                    aria-describedby=described
                    aria-invalid=invalid
                    aria-required=required
                    prop:value=text
                    on:input=move |ev| set(FieldValue::text(event_target_value(&ev)))
                ></textarea>
            };
            (Some(label), control.into_any())
        }
        kind => {
            let (input_type, mode) = match kind {
                FieldType::Email => ("email", None),
                FieldType::Phone => ("tel", None),
                FieldType::Date => ("date", None),
                FieldType::Number => ("text", Some("decimal")),
                _ => ("text", None),
            };
            let autocomplete = match detail {
                Some(Detail::Name) => "name",
                Some(Detail::Email) => "email",
                Some(Detail::Phone) => "tel",
                None => "off",
            };
            let control = view! {
                <input
                    id=id.clone()
                    type=input_type
                    inputmode=mode
                    autocomplete=autocomplete
                    maxlength=max
                    aria-describedby=described
                    aria-invalid=invalid
                    aria-required=required
                    prop:value=text
                    on:input=move |ev| set(FieldValue::text(event_target_value(&ev)))
                />
            };
            (Some(label), control.into_any())
        }
    };

    let empty = match (detail, def.required) {
        (Some(_), true) => "Remembered on this phone once you type it.",
        (Some(_), false) => "Optional.",
        (None, _) => "Nothing in your notes set this.",
    };
    // One reactive block for the message and the provenance line.
    let notes_and_source = move || {
        let message = error
            .get()
            .map(|m| view! { <p class="err" id=err_id.clone() role="alert">{m}</p> });
        let source = proposed.with(|p| {
            p.as_ref()
                .map(|p| provenance(f, &id, &name, p, notes, review, empty))
        });
        view! {
            {message}
            <p class="src" id=src_id.clone()>{source}</p>
        }
    };
    view! {
        <div class="field">
            {label}
            {control}
            {notes_and_source}
        </div>
    }
}

/// "From your notes: …<mark>smoke</mark>…", "From the asset", "Edited by you"…
fn provenance(
    f: Flow,
    id: &str,
    name: &str,
    p: &Proposed,
    notes: Memo<String>,
    review: Memo<Review>,
    empty: &'static str,
) -> AnyView {
    match &p.origin {
        Origin::Notes(spans) => {
            let badge = if p.confidence < 0.5 {
                view! { <span class="badge unsure">"unsure"</span> }
            } else {
                view! { <span class="badge">"likely"</span> }
            };
            let segments = notes.with(|n| {
                if highlight::covers_all(n, spans) {
                    Vec::new()
                } else {
                    highlight::excerpt(n, spans, 40, 80)
                }
            });
            if segments.is_empty() {
                return view! { "From your notes. " {badge} }.into_any();
            }
            let quoted = segments
                .into_iter()
                .map(|s| {
                    if s.marked {
                        view! { <mark>{s.text}</mark> }.into_any()
                    } else {
                        s.text.into_any()
                    }
                })
                .collect_view();
            view! { "From your notes: " <q>{quoted}</q> " " {badge} }.into_any()
        }
        Origin::Asset => "From the asset".into_any(),
        Origin::Technician => "From your details".into_any(),
        Origin::Default => "Default — nothing in the notes set this".into_any(),
        Origin::Edited => {
            let name = name.to_owned();
            let id = id.to_owned();
            let revert = move |_| {
                f.revert(&name);
                let v = review.with_untracked(|r| r.value(&name).cloned());
                browser::set_control(
                    &id,
                    &value_text(v.as_ref()),
                    matches!(v, Some(FieldValue::Bool(true))),
                );
            };
            view! {
                "Edited by you "
                <button type="button" class="link" on:click=revert>
                    "Use the suggestion"
                </button>
            }
            .into_any()
        }
        Origin::Empty => empty.into_any(),
    }
}
