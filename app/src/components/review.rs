//! The review screen: every technician-visible field, where its value came
//! from, live validation, and the one Submit.
//!
//! The review engine does the thinking (structuring, merging, validating,
//! the submission body) and draws the fields: their HTML is inserted once,
//! then the controls belong to the person typing, and each answer replaces
//! only what changed (a field's message and source line, the summary). One
//! listener on the fields' container takes every edit and click.

use fieldcase_i18n::{t, view};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::intake::{Engine, Flow, PhotoState};
use crate::api::{self, Failure};
use crate::browser;
use crate::review::{self, Answer, OP_RENDER, OP_REVIEW, OP_SUBMISSION};
use crate::text::fill;

fn field_id(name: &str) -> String {
    let mut id = String::from("f-");
    id.push_str(name);
    id
}

/// Said when the engine gave no usable answer (it should not happen).
const BROKEN: &str =
    t!("Something went wrong checking this case; go back to your notes and try again.");

/// The engine's review of the draft as it stands; re-run on every change.
fn answer(f: Flow) -> Answer {
    if f.engine.get() != Engine::Ready {
        return Answer::default();
    }
    let input = f.engine_input(None);
    engine_call(OP_REVIEW, &input)
        .and_then(|a| review::parse_answer(&a))
        .unwrap_or_else(|| {
            let mut summary = String::from(
                "<div class=\"summary\" id=\"summary\" role=\"alert\" tabindex=\"-1\"><p>",
            );
            summary.push_str(BROKEN);
            summary.push_str("</p></div>");
            Answer {
                summary,
                first: Some(String::new()),
                ..Answer::default()
            }
        })
}

fn engine_call(op: u32, input: &str) -> Option<String> {
    crate::engine::call(op, input).filter(|a| !review::is_error(a))
}

#[component]
pub fn ReviewScreen(f: Flow) -> impl IntoView {
    // Every new answer counts as a change: the screen compares it with what
    // it shows and replaces only what differs.
    let answer = Memo::new_with_compare(move |_| answer(f), |_, _| true);

    let submit = move || {
        if f.sending.get_untracked() {
            return;
        }
        f.send_error.set(None);
        let first = answer.with_untracked(|a| {
            a.first.as_ref().map(|n| {
                if a.first_editable {
                    field_id(n)
                } else {
                    "summary".to_owned()
                }
            })
        });
        if let Some(first) = first {
            browser::focus(&first);
            return;
        }
        let (uploading, failed) = f.photo_problems();
        // Photos still uploading, or waiting for a connection, go with the
        // queued intake: it is sent once they are up.
        let queue_now = uploading + failed > 0 && f.photos_wait_for_connection();
        if uploading + failed > 0 && !queue_now {
            let message = if uploading > 0 {
                t!("Wait a moment: the photos are being made smaller, then submit.")
            } else {
                t!("A photo did not upload: go back to your notes and retry or remove it.")
            };
            f.send_error.set(Some(Failure::Api {
                status: 0,
                error: api::ApiError {
                    code: "photos_pending".to_owned(),
                    message: message.to_owned(),
                    fields: Vec::new(),
                },
            }));
            return;
        }
        let id = f.intake_id();
        let Some(body) = engine_call(OP_SUBMISSION, &untrack(|| f.engine_input(Some(&id)))) else {
            f.send_error.set(Some(Failure::unreadable()));
            return;
        };
        // What the confirmation names.
        f.sent.set_value(answer.with_untracked(|a| {
            let text = |name: &str| a.field(name).map(|s| s.text.clone()).unwrap_or_default();
            (text("Subject"), text("Priority"))
        }));
        f.sending.set(true);
        browser::announce(t!("Submitting the case…"));
        let token = f.token();
        spawn_local(async move {
            // No connection (or photos waiting for one): queued on this
            // phone in one IndexedDB transaction, sent by itself later.
            let result = if queue_now {
                Err(Failure::Offline)
            } else {
                api::submit(&id, &body).await
            };
            if matches!(result, Err(Failure::Offline)) && f.queue(id, &body).await {
                f.sending.set(false);
                return;
            }
            let result = match result {
                // Already submitted under this id (with other content): fetch what was kept.
                Err(Failure::Api { status: 409, error }) => match api::intake(&token, &id).await {
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
                    // The review now shows the server's messages: go to the first.
                    let first = answer.with_untracked(|a| a.first.as_deref().map(field_id));
                    browser::focus(first.as_deref().unwrap_or("send-error"));
                }
            }
        });
    };

    let for_line = f.ctx.with_value(|c| {
        let mut line = c.asset.name.clone();
        line.push_str(" · ");
        line.push_str(&c.asset.site);
        line
    });
    let ready = move || f.engine.get() == Engine::Ready;

    view! {
        <main class="page review">
            <h1 id="review-h" tabindex="-1">"Check the case"</h1>
            <p class="lead">
                "For " <strong>{for_line}</strong> ". Nothing is sent until you press Submit."
            </p>
            {f.draft.with_untracked(|d| d.amend.as_ref().map(|a| a.reference.clone())).map(|r| view! {
                <p>"Your answer to the dispatcher's question: sent again as " <strong>{r}</strong> "."</p>
            })}
            {move || match f.engine.get() {
                Engine::Ready => EitherOf3::A(review_body(f, answer, submit)),
                Engine::Loading => EitherOf3::B(view! {
                    <p class="lead loading" aria-busy="true">"Preparing the review…"</p>
                }),
                Engine::Failed => EitherOf3::C(view! {
                    <div class="alert" role="alert">
                        <p>{api::OFFLINE_MESSAGE}</p>
                        <button type="button" class="btn secondary" on:click=move |_| f.start_engine()>
                            "Retry"
                        </button>
                    </div>
                }),
            }}
            <div class="actions">
                {move || {
                    let sending = f.sending.get();
                    ready().then(|| view! {
                        <button
                            type="button"
                            class="btn primary"
                            disabled=sending
                            aria-busy=sending.then_some("true")
                            on:click=move |_| submit()
                        >
                            {if sending { t!("Submitting…") } else { t!("Submit case") }}
                        </button>
                    })
                }}
                <button type="button" class="btn secondary" on:click=move |_| f.set_reviewing(false)>
                    "Back to notes"
                </button>
            </div>
        </main>
    }
}

fn review_body(
    f: Flow,
    answer: Memo<Answer>,
    submit: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    // The engine draws the summary and the fields as they stand…
    let html = untrack(|| engine_call(OP_RENDER, &f.engine_input(None)))
        .and_then(|a| review::parse_render(&a))
        .unwrap_or_default();
    // …and from then on each answer replaces only what changed.
    let shown = StoredValue::new(answer.get_untracked());
    Effect::new(move |_| {
        answer.with(|next| {
            shown.update_value(|prev| {
                browser::patch_review(prev, next);
                *prev = next.clone();
            })
        })
    });
    let edit = move |ev: web_sys::Event, change: bool| {
        if let Some((name, detail, value)) = browser::edited(&ev, change) {
            f.edit(&name, detail, value);
        }
    };
    let click = move |ev: web_sys::MouseEvent| match browser::clicked(&ev) {
        Some((true, id)) => browser::focus(&id),
        Some((false, name)) => {
            // "Use the suggestion": back to the proposal, into the control too.
            f.revert(&name);
            let (text, checked) = answer.with_untracked(|a| {
                a.field(&name)
                    .map(|s| (s.text.clone(), s.checked))
                    .unwrap_or_default()
            });
            browser::set_control(&field_id(&name), &text, checked);
        }
        None => {}
    };
    view! {
        <div
            inner_html=html
            on:input=move |ev| edit(ev, false)
            on:change=move |ev| edit(ev, true)
            on:click=click
        ></div>
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
    }
}

fn photos_summary(f: Flow) -> impl IntoView {
    let items = f.photos.get();
    let done: Vec<String> = items
        .iter()
        .filter(|p| matches!(p.state, PhotoState::Done(_)))
        .map(|p| p.thumb.clone())
        .collect();
    let (uploading, failed) = f.photo_problems();
    let title = fill(t!("Photos: {} attached"), &[&done.len().to_string()]);
    let warning = if uploading > 0 {
        Some(t!("Some photos are still uploading."))
    } else if failed > 0 {
        Some(t!(
            "A photo did not upload: go back to your notes to retry or remove it."
        ))
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
