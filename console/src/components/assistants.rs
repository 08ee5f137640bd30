//! `/console/assistants` (admins): every AI assistant (MCP client) a person
//! allowed, on whose behalf, what it may do, when it was last used; revoke
//! one (its tokens stop at once).

use fieldcase_core::console::McpGrant;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::handle;
use crate::api;
use crate::{browser, text, time};

#[component]
pub fn Assistants() -> impl IntoView {
    browser::set_title(&text::page_title("AI assistants"));
    let grants = RwSignal::new(Vec::<McpGrant>::new());
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(String::new());

    let fetch = move || {
        spawn_local(async move {
            match api::mcp_grants().await {
                Ok(g) => {
                    grants.set(g);
                    error.set(None);
                }
                Err(f) => error.set(Some(handle(&f))),
            }
        });
    };
    fetch();

    let revoke = move |id: Uuid| {
        spawn_local(async move {
            match api::revoke_mcp_grant(&id).await {
                Ok(g) => {
                    status.set(format!(
                        "{} (for {}): revoked.",
                        g.client_name, g.user_email
                    ));
                    fetch();
                }
                Err(f) => error.set(Some(handle(&f))),
            }
        });
    };

    view! {
        <h1>"AI assistants"</h1>
        <p>"Assistants a dispatcher or admin connected to fieldcase over MCP. They look up assets and propose intakes into the review queue on that person's behalf; they never approve or write to Salesforce. Revoking one ends its access at once."</p>
        <p class="sr-only" aria-live="polite">{status}</p>
        {move || error.get().map(|e| view! { <p class="err" role="alert">{e}</p> })}
        <div class="table-wrap">
            <table>
                <caption class="sr-only">"Connected AI assistants"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Assistant"</th>
                        <th scope="col">"On behalf of"</th>
                        <th scope="col">"May"</th>
                        <th scope="col">"Connected"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col">"State"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let now = browser::now_secs();
                        grants.get().into_iter().map(|g| {
                            let id = g.id;
                            let active = g.revoked_at.is_none();
                            let label = format!("{} for {}", g.client_name, g.user_email);
                            let may = g.scopes.iter().map(|s| text::scope_text(s)).collect::<Vec<_>>().join(", ");
                            view! {
                                <tr class:inactive=!active>
                                    <td>{g.client_name.clone()}</td>
                                    <td>{g.user_email.clone()}</td>
                                    <td>{may}</td>
                                    <td>{time::short_datetime(&g.created_at)}</td>
                                    <td>{g.last_used_at.as_deref().map_or_else(|| "never".to_owned(), |t| time::age_of(now, t))}</td>
                                    <td>{g.revoked_at.as_deref().map_or_else(
                                        || "Active".to_owned(),
                                        |t| format!("Revoked {}", time::short_datetime(t)),
                                    )}</td>
                                    <td class="actions">
                                        {active.then(|| view! {
                                            <button type="button" class="btn danger"
                                                aria-label=format!("Revoke {label}")
                                                on:click=move |_| revoke(id)>"Revoke"</button>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()
                    }}
                </tbody>
            </table>
        </div>
        {move || grants.with(Vec::is_empty).then(|| view! {
            <p class="hint">"No assistant is connected yet. README → \"Connect an AI assistant (MCP)\" says how."</p>
        })}
    }
}
