//! `/console/policy` (admins): the policy as a form (actions, fields,
//! auto-approve rules, always-review conditions, escalation), its JSON,
//! a dry run against the latest intakes, Save, and the versions. Every
//! control edits the draft through `policy_form`; an error leaves the draft
//! as it was typed.

use fieldcase_core::policy::{Action, CurrentPolicy, DryRun, Policy, PolicyVersion};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{handle, load_schema, session};
use crate::api;
use crate::policy_form::{self as form, Always};
use crate::{browser, text, time};

type Errors = RwSignal<Vec<(String, String)>>;

/// The server's messages for a section of the document, next to it.
fn errors_at(errors: Errors, prefix: &'static str) -> impl IntoView {
    move || {
        errors.with(|all| {
            form::errors_under(all, prefix)
                .into_iter()
                .map(|(path, message)| {
                    view! { <p class="err" role="alert"><code>{path.clone()}</code>": "{message.clone()}</p> }
                })
                .collect_view()
        })
    }
}

#[component]
pub fn Policy() -> impl IntoView {
    browser::set_title(&text::page_title("Policy"));
    load_schema();
    let s = session();
    let draft = RwSignal::new(None::<Policy>);
    let current = RwSignal::new(None::<CurrentPolicy>);
    let versions = RwSignal::new(Vec::<PolicyVersion>::new());
    let errors: Errors = RwSignal::new(Vec::new());
    let message = RwSignal::new(None::<String>);
    let status = RwSignal::new(String::new());
    let run = RwSignal::new(None::<DryRun>);
    let busy = RwSignal::new(false);

    let fetch_versions = move || {
        spawn_local(async move {
            if let Ok(v) = api::policy_versions().await {
                versions.set(v);
            }
        });
    };
    spawn_local(async move {
        match api::policy().await {
            Ok(c) => {
                draft.set(Some(c.policy.clone()));
                current.set(Some(c));
            }
            Err(f) => message.set(Some(handle(&f))),
        }
    });
    fetch_versions();

    let edit = move |f: &dyn Fn(&mut Policy)| {
        draft.update(|d| {
            if let Some(p) = d {
                f(p);
            }
        });
        run.set(None);
    };
    let failed = move |f: api::Failure| {
        errors.set(f.field_messages());
        message.set(Some(handle(&f)));
    };
    let dry_run = move |_| {
        let Some(mut p) = draft.get_untracked() else {
            return;
        };
        form::tidy(&mut p);
        busy.set(true);
        errors.set(Vec::new());
        message.set(None);
        spawn_local(async move {
            match api::dry_run_policy(&p).await {
                Ok(r) => {
                    status.set(format!("Tried against {} intakes.", r.considered));
                    run.set(Some(r));
                }
                Err(f) => failed(f),
            }
            busy.set(false);
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(mut p) = draft.get_untracked() else {
            return;
        };
        form::tidy(&mut p);
        busy.set(true);
        errors.set(Vec::new());
        message.set(None);
        spawn_local(async move {
            match api::save_policy(&p).await {
                Ok(c) => {
                    status.set(format!("Saved as version {}.", c.policy.version));
                    message.set(Some(format!("Saved as version {}.", c.policy.version)));
                    draft.set(Some(c.policy.clone()));
                    current.set(Some(c));
                    fetch_versions();
                }
                Err(f) => failed(f),
            }
            busy.set(false);
        });
    };

    let schema_fields = move || {
        s.schema
            .get()
            .map(|sc| {
                sc.fields
                    .iter()
                    .map(|f| (f.name.clone(), f.label.clone()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let order = move || {
        schema_fields()
            .into_iter()
            .map(|(n, _)| n)
            .collect::<Vec<_>>()
    };
    let priorities = move || {
        s.schema
            .get()
            .and_then(|sc| {
                sc.field_with_hint(fieldcase_core::schema::Hint::Priority)
                    .map(|f| f.values.iter().map(|v| v.value.clone()).collect::<Vec<_>>())
            })
            .unwrap_or_default()
    };
    let checked = move |f: fn(&Policy) -> bool| move || draft.with(|d| d.as_ref().is_some_and(f));

    view! {
        <h1>"Policy"</h1>
        <p>"What this workflow may do in the CRM, which intakes a rule may approve without a person, and who is told at once. Every save is a new version."</p>
        <p class="sr-only" aria-live="polite">{status}</p>
        {move || current.get().map(|c| view! {
            <p class="meta">{match (c.author, c.saved_at) {
                (Some(a), Some(at)) => format!("Version {} — saved by {a}, {}", c.policy.version, time::short_datetime(&at)),
                _ => "The built-in policy: every intake needs a person.".to_owned(),
            }}</p>
        })}
        <div aria-live="assertive">
            {move || message.get().map(|m| view! { <p class=if errors.with(Vec::is_empty) { "note" } else { "err" } role="status">{m}</p> })}
        </div>
        <form on:submit=save>
            <section class="card" aria-labelledby="pol-actions">
                <h2 id="pol-actions">"Actions in the CRM"</h2>
                <p>"There is no action that deletes or changes anything but the intake's own case."</p>
                {Action::ALL.into_iter().map(|a| {
                    let id = format!("act-{}", a.as_str());
                    let label = match a {
                        Action::CreateCase => "Create cases",
                        Action::UpsertCase => "Update the intake's own case (upsert by its key)",
                        Action::AttachFiles => "Attach photos to the case",
                    };
                    view! {
                        <div class="check">
                            <input type="checkbox" id=id.clone()
                                prop:checked=move || draft.with(|d| d.as_ref().is_some_and(|p| form::has_action(p, a)))
                                on:change=move |ev| { let on = event_target_checked(&ev); edit(&|p| form::set_action(p, a, on)) } />
                            <label for=id>{label}</label>
                        </div>
                    }
                }).collect_view()}
                {errors_at(errors, "actions")}
            </section>

            <section class="card" aria-labelledby="pol-fields">
                <h2 id="pol-fields">"Fields it may write"</h2>
                <p>"A field left unticked is never sent to the CRM; the intake page marks it “not written (policy)”. The intake key is always written."</p>
                <div class="checks">
                    {move || schema_fields().into_iter().map(|(name, label)| {
                        let id = format!("fld-{name}");
                        let n1 = name.clone();
                        let n2 = name.clone();
                        view! {
                            <div class="check">
                                <input type="checkbox" id=id.clone()
                                    prop:checked=move || draft.with(|d| d.as_ref().is_some_and(|p| form::allows_field(p, &n1)))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let order = order();
                                        let n = n2.clone();
                                        edit(&|p| form::set_field(p, &n, on, &order))
                                    } />
                                <label for=id>{label}" "<code>{name}</code></label>
                            </div>
                        }
                    }).collect_view()}
                </div>
                {errors_at(errors, "fields")}
            </section>

            <section class="card" aria-labelledby="pol-auto">
                <h2 id="pol-auto">"Approved by a rule, without a person"</h2>
                <p>"Tried in order; the first that matches approves, unless an always-review condition below holds. With no rule, every intake needs a person."</p>
                {move || {
                    let n = draft.with(|d| d.as_ref().map_or(0, |p| p.review.auto_approve.len()));
                    (0..n).map(|i| {
                        let name_id = format!("rule-{i}-name");
                        view! {
                            <fieldset class="rule">
                                <legend>{format!("Rule {}", i + 1)}</legend>
                                <label for=name_id.clone()>"Name (recorded as the approver)"</label>
                                <input id=name_id type="text"
                                    prop:value=move || draft.with(|d| d.as_ref().and_then(|p| p.review.auto_approve.get(i)).map(|r| r.name.clone()).unwrap_or_default())
                                    on:input=move |ev| { let v = event_target_value(&ev); edit(&|p| if let Some(r) = p.review.auto_approve.get_mut(i) { r.name = v.clone() }) } />
                                <p class="label">"Priority is one of"</p>
                                {move || priorities().into_iter().map(|value| {
                                    let id = format!("rule-{i}-pri-{value}");
                                    let v1 = value.clone();
                                    let v2 = value.clone();
                                    view! {
                                        <span class="check inline">
                                            <input type="checkbox" id=id.clone()
                                                prop:checked=move || draft.with(|d| d.as_ref().is_some_and(|p| form::rule_priority(p, i, &v1)))
                                                on:change=move |ev| { let on = event_target_checked(&ev); let v = v2.clone(); edit(&|p| form::set_rule_priority(p, i, &v, on)) } />
                                            <label for=id>{value}</label>
                                        </span>
                                    }
                                }).collect_view()}
                                <div class="check">
                                    <input type="checkbox" id=format!("rule-{i}-nohazard")
                                        prop:checked=move || draft.with(|d| d.as_ref().and_then(|p| p.review.auto_approve.get(i)).is_some_and(|r| r.when.safety_hazard == Some(false)))
                                        on:change=move |ev| { let on = event_target_checked(&ev); edit(&|p| if let Some(r) = p.review.auto_approve.get_mut(i) { r.when.safety_hazard = on.then_some(false) }) } />
                                    <label for=format!("rule-{i}-nohazard")>"and no safety hazard"</label>
                                </div>
                                <div class="check">
                                    <input type="checkbox" id=format!("rule-{i}-ai")
                                        prop:checked=move || draft.with(|d| d.as_ref().and_then(|p| p.review.auto_approve.get(i)).is_some_and(|r| r.when.proposed_by_ai == Some(true)))
                                        on:change=move |ev| { let on = event_target_checked(&ev); edit(&|p| if let Some(r) = p.review.auto_approve.get_mut(i) { r.when.proposed_by_ai = on.then_some(true) }) } />
                                    <label for=format!("rule-{i}-ai")>"for AI assistants' proposals (only a rule with this ticked approves them)"</label>
                                </div>
                                <button type="button" class="btn ghost"
                                    on:click=move |_| edit(&|p| { if i < p.review.auto_approve.len() { p.review.auto_approve.remove(i); } })>
                                    {format!("Remove rule {}", i + 1)}
                                </button>
                                {move || errors.with(|all| {
                                    let prefix = format!("review.auto_approve[{i}]");
                                    form::errors_under(all, &prefix).into_iter().map(|(path, m)| view! {
                                        <p class="err" role="alert"><code>{path.clone()}</code>": "{m.clone()}</p>
                                    }).collect_view()
                                })}
                            </fieldset>
                        }
                    }).collect_view()
                }}
                <button type="button" class="btn" on:click=move |_| edit(&form::add_rule)>"Add an auto-approve rule"</button>
            </section>

            <section class="card" aria-labelledby="pol-always">
                <h2 id="pol-always">"Always needs a person when"</h2>
                {Always::ALL.into_iter().map(|a| {
                    let id = format!("always-{a:?}");
                    view! {
                        <div class="check">
                            <input type="checkbox" id=id.clone()
                                prop:checked=move || draft.with(|d| d.as_ref().is_some_and(|p| form::always(p, a)))
                                on:change=move |ev| { let on = event_target_checked(&ev); edit(&|p| form::set_always(p, a, on)) } />
                            <label for=id>{a.label()}</label>
                        </div>
                    }
                }).collect_view()}
                <label for="always-confidence">"The structuring's lowest confidence is below (0–1, empty: never)"</label>
                <input id="always-confidence" type="text" inputmode="decimal"
                    prop:value=move || draft.with(|d| d.as_ref().and_then(form::confidence_below).map(|x| x.to_string()).unwrap_or_default())
                    on:change=move |ev| { let v = event_target_value(&ev); let x = v.trim().parse::<f64>().ok(); edit(&|p| form::set_confidence_below(p, x)) } />
                <label for="always-photos">"More photos than (empty: never)"</label>
                <input id="always-photos" type="text" inputmode="numeric"
                    prop:value=move || draft.with(|d| d.as_ref().and_then(form::photos_over).map(|x| x.to_string()).unwrap_or_default())
                    on:change=move |ev| { let v = event_target_value(&ev); let n = v.trim().parse::<u32>().ok(); edit(&|p| form::set_photos_over(p, n)) } />
                <label for="watch-list">"Watch list: account names or ids, one a line"</label>
                <textarea id="watch-list" rows="3"
                    prop:value=move || draft.with(|d| d.as_ref().map(|p| p.watch_list.join("\n")).unwrap_or_default())
                    on:change=move |ev| { let v = form::split_list(&event_target_value(&ev)); edit(&|p| p.watch_list = v.clone()) }></textarea>
                {errors_at(errors, "review.always_review")}
                {errors_at(errors, "watch_list")}
            </section>

            <section class="card" aria-labelledby="pol-pii">
                <h2 id="pol-pii">"Personal data"</h2>
                <p>"Found in the notes and text fields: e-mail addresses, phone numbers, card numbers, IBANs, US SSNs, UK NI numbers and the health terms below."</p>
                <div class="check">
                    <input type="checkbox" id="pii-redact"
                        prop:checked=move || draft.with(|d| d.as_ref().is_some_and(|p| p.personal_data.require_redaction))
                        on:change=move |ev| { let on = event_target_checked(&ev); edit(&|p| p.personal_data.require_redaction = on) } />
                    <label for="pii-redact">"Approve an intake only once its personal data is redacted (no rule approves it meanwhile)"</label>
                </div>
                <label for="pii-terms">"Health terms a regulated customer must not send, one a line (empty: the built-in list)"</label>
                <textarea id="pii-terms" rows="4"
                    prop:value=move || draft.with(|d| d.as_ref().map(|p| p.personal_data.health_terms.join("\n")).unwrap_or_default())
                    on:change=move |ev| { let v = form::split_list(&event_target_value(&ev)); edit(&|p| p.personal_data.health_terms = v.clone()) }></textarea>
                {errors_at(errors, "personal_data")}
            </section>

            <section class="card" aria-labelledby="pol-esc">
                <h2 id="pol-esc">"Escalate to on-call at submission"</h2>
                <p>"Told before anyone reviews, through the hand-off channels; flagged in the queue."</p>
                <p class="label">"Priority is one of"</p>
                {move || priorities().into_iter().map(|value| {
                    let id = format!("esc-pri-{value}");
                    let v1 = value.clone();
                    let v2 = value.clone();
                    view! {
                        <span class="check inline">
                            <input type="checkbox" id=id.clone()
                                prop:checked=move || draft.with(|d| d.as_ref().is_some_and(|p| form::escalation_priority(p, &v1)))
                                on:change=move |ev| { let on = event_target_checked(&ev); let v = v2.clone(); edit(&|p| form::set_escalation_priority(p, &v, on)) } />
                            <label for=id>{value}</label>
                        </span>
                    }
                }).collect_view()}
                <div class="check">
                    <input type="checkbox" id="esc-hazard"
                        prop:checked=checked(form::escalation_hazard)
                        on:change=move |ev| { let on = event_target_checked(&ev); edit(&|p| form::set_escalation_hazard(p, on)) } />
                    <label for="esc-hazard">"A safety hazard is ticked"</label>
                </div>
                <label for="esc-words">"Words or phrases in the notes or fields, one a line (e.g. no heat, flooding)"</label>
                <textarea id="esc-words" rows="3"
                    prop:value=move || draft.with(|d| d.as_ref().map(|p| form::escalation_words(p).join("\n")).unwrap_or_default())
                    on:change=move |ev| { let v = form::split_list(&event_target_value(&ev)); edit(&|p| form::set_escalation_words(p, v.clone())) }></textarea>
                <label for="esc-email">"E-mail on-call (addresses, one a line)"</label>
                <textarea id="esc-email" rows="2"
                    prop:value=move || draft.with(|d| d.as_ref().and_then(|p| p.escalation.as_ref()).map(|e| e.route.email.join("\n")).unwrap_or_default())
                    on:change=move |ev| { let v = form::split_list(&event_target_value(&ev)); edit(&|p| form::escalation_mut(p).route.email = v.clone()) }></textarea>
                <label for="esc-webhook">"Webhook (a route name of the hand-off rules)"</label>
                <input id="esc-webhook" type="text"
                    prop:value=move || draft.with(|d| d.as_ref().and_then(|p| p.escalation.as_ref()).and_then(|e| e.route.webhook.clone()).unwrap_or_default())
                    on:change=move |ev| { let v = event_target_value(&ev); let v = v.trim().to_owned(); edit(&|p| form::escalation_mut(p).route.webhook = (!v.is_empty()).then(|| v.clone())) } />
                <div class="check">
                    <input type="checkbox" id="esc-skip"
                        prop:checked=move || draft.with(|d| d.as_ref().and_then(|p| p.escalation.as_ref()).is_some_and(|e| e.skip_review))
                        on:change=move |ev| { let on = event_target_checked(&ev); edit(&|p| form::escalation_mut(p).skip_review = on) } />
                    <label for="esc-skip">"An escalated intake may still be approved by a rule (otherwise it waits for a person)"</label>
                </div>
                {errors_at(errors, "escalation")}
            </section>

            <details class="card">
                <summary>"The policy as JSON (read-only)"</summary>
                <label for="pol-json" class="sr-only">"Policy JSON"</label>
                <textarea id="pol-json" readonly rows="16"
                    prop:value=move || draft.with(|d| d.as_ref().and_then(|p| serde_json::to_string_pretty(p).ok()).unwrap_or_default())></textarea>
            </details>

            <div class="actions">
                <button type="button" class="btn" prop:disabled=busy on:click=dry_run>"Try against the last 500 intakes"</button>
                <button type="submit" class="btn primary" prop:disabled=busy>"Save policy"</button>
            </div>
        </form>

        {move || run.get().map(|r| view! {
            <section class="card" aria-labelledby="dry-h">
                <h2 id="dry-h">"Dry run"</h2>
                <p>{format!("Of the last {} {}: {} auto-approved, {} escalated, {} held for a person.", r.considered, if r.considered == 1 { "intake" } else { "intakes" }, r.auto_approved, r.escalated, r.held)}</p>
                {if r.changed.is_empty() {
                    view! { <p>"No intake's outcome would change."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap"><table>
                            <caption>{match r.changed.len() { 1 => "1 intake would change".to_owned(), n => format!("{n} intakes would change") }}</caption>
                            <thead><tr><th scope="col">"Intake"</th><th scope="col">"Now"</th><th scope="col">"With this policy"</th><th scope="col">"Why"</th></tr></thead>
                            <tbody>
                                {r.changed.into_iter().map(|c| view! {
                                    <tr>
                                        <td><a href=format!("/console/intakes/{}", c.intake_id)>{c.reference}</a></td>
                                        <td>{c.before}</td>
                                        <td>{c.after}</td>
                                        <td>{c.reasons.join("; ")}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any()
                }}
            </section>
        })}

        <section class="card" aria-labelledby="ver-h">
            <h2 id="ver-h">"Versions"</h2>
            {move || if versions.with(Vec::is_empty) {
                view! { <p>"None saved yet: the built-in policy is in force."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table>
                        <caption class="sr-only">"Saved versions, newest first"</caption>
                        <thead><tr><th scope="col">"Version"</th><th scope="col">"Saved by"</th><th scope="col">"When"</th><th scope="col">"What changed"</th></tr></thead>
                        <tbody>
                            {versions.get().into_iter().map(|v| view! {
                                <tr>
                                    <td>{v.version}</td>
                                    <td>{v.author}</td>
                                    <td>{time::short_datetime(&v.created_at)}</td>
                                    <td><ul class="changes">{v.changes.into_iter().map(|c| {
                                        let what = match (&c.before, &c.after) {
                                            (Some(b), Some(a)) => format!("{b} → {a}"),
                                            (None, Some(a)) => a.to_string(),
                                            (Some(b), None) => b.to_string(),
                                            (None, None) => String::new(),
                                        };
                                        view! { <li><code>{c.path}</code>" "{c.change}" "{what}</li> }
                                    }).collect_view()}</ul></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>
    }
}
