//! `/console/users` (admins): staff accounts and invitations.

use fieldcase_core::console::{Invitation, Invite, Role, StaffUser, UserChange};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::{handle, session};
use crate::api;
use crate::{browser, text};

#[component]
pub fn Users() -> impl IntoView {
    browser::set_title(&text::page_title("Users"));
    let s = session();
    let users = RwSignal::new(Vec::<StaffUser>::new());
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Dispatcher);
    let invitation = RwSignal::new(None::<Invitation>);
    let invite_err = RwSignal::new(None::<String>);

    let fetch = move || {
        spawn_local(async move {
            match api::users().await {
                Ok(u) => {
                    users.set(u);
                    error.set(None);
                }
                Err(f) => error.set(Some(handle(&f))),
            }
        });
    };
    fetch();

    let change = move |id: Uuid, change: UserChange, what: String| {
        spawn_local(async move {
            match api::change_user(&id, &change).await {
                Ok(u) => {
                    status.set(format!("{}: {what}.", u.name));
                    users.update(|all| {
                        if let Some(x) = all.iter_mut().find(|x| x.id == u.id) {
                            *x = u;
                        }
                    });
                    error.set(None);
                }
                Err(f) => {
                    error.set(Some(handle(&f)));
                    fetch();
                }
            }
        });
    };

    let invite = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = Invite {
            email: email.get_untracked().trim().to_owned(),
            name: name.get_untracked().trim().to_owned(),
            role: role.get_untracked(),
        };
        if body.email.is_empty() || body.name.is_empty() {
            invite_err.set(Some("Give the person's email and name.".to_owned()));
            return;
        }
        invitation.set(None);
        invite_err.set(None);
        spawn_local(async move {
            match api::invite(&body).await {
                Ok(inv) => {
                    invitation.set(Some(inv));
                    email.set(String::new());
                    name.set(String::new());
                    fetch();
                }
                Err(f) => invite_err.set(Some(handle(&f))),
            }
        });
    };

    let me = move || s.user.with(|u| u.as_ref().map(|u| u.id));

    view! {
        <h1>"Users"</h1>
        <p class="sr-only" aria-live="polite">{status}</p>
        {move || error.get().map(|e| view! { <p class="err" role="alert">{e}</p> })}
        <div class="table-wrap">
            <table>
                <caption class="sr-only">"Staff accounts"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Account"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {move || users.get().into_iter().map(|u| {
                        let id = u.id;
                        let myself = me() == Some(id);
                        let active = u.active;
                        let role_id = format!("role-{id}");
                        view! {
                            <tr class:inactive=!active>
                                <td>{u.name.clone()}</td>
                                <td>{u.email.clone()}</td>
                                <td>
                                    <label class="sr-only" for=role_id.clone()>{format!("Role of {}", u.name)}</label>
                                    <select id=role_id prop:disabled=myself
                                        prop:value=u.role.as_str()
                                        on:change=move |ev| {
                                            if let Some(r) = Role::parse(&event_target_value(&ev)) {
                                                change(id, UserChange { role: Some(r), active: None }, format!("now {}", text::role_label(r)));
                                            }
                                        }>
                                        <option value="dispatcher">"Dispatcher"</option>
                                        <option value="admin">"Admin"</option>
                                    </select>
                                </td>
                                <td>{if active { "Active" } else { "Disabled" }}</td>
                                <td>
                                    {(!myself).then(|| view! {
                                        <button type="button" class=if active { "btn danger" } else { "btn" }
                                            aria-label=format!("{} {}", if active { "Disable" } else { "Enable" }, u.name)
                                            on:click=move |_| change(id, UserChange { role: None, active: Some(!active) },
                                                (if active { "disabled" } else { "enabled" }).to_owned())>
                                            {if active { "Disable" } else { "Enable" }}
                                        </button>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>

        <section class="card narrow-card" aria-labelledby="invite-h">
            <h2 id="invite-h">"Invite a person"</h2>
            <form on:submit=invite>
                <div class="grid">
                    <div>
                        <label for="i-email">"Email"</label>
                        <input id="i-email" type="email" required autocomplete="off"
                            prop:value=email on:input=move |ev| email.set(event_target_value(&ev)) />
                    </div>
                    <div>
                        <label for="i-name">"Name"</label>
                        <input id="i-name" type="text" required autocomplete="off"
                            prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                    </div>
                    <div>
                        <label for="i-role">"Role"</label>
                        <select id="i-role"
                            prop:value=move || role.get().as_str()
                            on:change=move |ev| role.set(Role::parse(&event_target_value(&ev)).unwrap_or(Role::Dispatcher))>
                            <option value="dispatcher">"Dispatcher"</option>
                            <option value="admin">"Admin"</option>
                        </select>
                    </div>
                </div>
                {move || invite_err.get().map(|e| view! { <p class="err" role="alert">{e}</p> })}
                <div class="actions">
                    <button type="submit" class="btn primary">"Create invitation"</button>
                </div>
            </form>
            <div aria-live="polite">
                {move || invitation.get().map(|inv| {
                    let link = inv.link.clone();
                    let copied = RwSignal::new(false);
                    view! {
                        <div class="invitation">
                            <p>"Send this link to "{inv.email.clone()}" ("{text::role_label(inv.role)}"). It is shown once and expires "{crate::time::short_datetime(&inv.expires_at)}"."</p>
                            <label for="inv-link">"One-time link"</label>
                            <div class="copy">
                                <input id="inv-link" type="text" readonly prop:value=inv.link.clone() />
                                <button type="button" class="btn" on:click=move |_| { browser::copy_to_clipboard(&link); copied.set(true); }>
                                    {move || if copied.get() { "Copied" } else { "Copy" }}
                                </button>
                            </div>
                        </div>
                    }
                })}
            </div>
        </section>
    }
}
