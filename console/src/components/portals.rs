//! `/console/portals` (admins): customer portals that embed the form, the
//! snippet each pastes, and the Salesforce Experience Cloud settings.

use fieldcase_core::embed::{NewPortal, Portal, PortalSecret};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::handle;
use crate::api;
use crate::{browser, portal, text};

fn fieldcase_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

#[component]
pub fn Portals() -> impl IntoView {
    browser::set_title(&text::page_title("Portals"));
    let portals = RwSignal::new(Vec::<Portal>::new());
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let origins = RwSignal::new(String::new());
    let form_err = RwSignal::new(None::<String>);
    let secret = RwSignal::new(None::<PortalSecret>);
    let shown = RwSignal::new(None::<Uuid>);

    let fetch = move || {
        spawn_local(async move {
            match api::portals().await {
                Ok(p) => {
                    portals.set(p);
                    error.set(None);
                }
                Err(f) => error.set(Some(handle(&f))),
            }
        });
    };
    fetch();

    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewPortal {
            name: name.get_untracked().trim().to_owned(),
            origins: origins
                .get_untracked()
                .split([',', '\n', ' '])
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect(),
        };
        form_err.set(None);
        secret.set(None);
        spawn_local(async move {
            match api::add_portal(&body).await {
                Ok(made) => {
                    shown.set(Some(made.portal.id));
                    secret.set(Some(made));
                    name.set(String::new());
                    origins.set(String::new());
                    fetch();
                }
                Err(f) => {
                    let message = f
                        .field_message("origins")
                        .or_else(|| f.field_message("name"))
                        .map_or_else(|| handle(&f), str::to_owned);
                    form_err.set(Some(message));
                }
            }
        });
    };

    let rotate = move |id: Uuid| {
        spawn_local(async move {
            match api::rotate_portal(&id).await {
                Ok(made) => {
                    status.set(format!("{}: new secret made.", made.portal.name));
                    shown.set(Some(id));
                    secret.set(Some(made));
                }
                Err(f) => error.set(Some(handle(&f))),
            }
        });
    };
    let disable = move |id: Uuid| {
        spawn_local(async move {
            match api::disable_portal(&id).await {
                Ok(p) => {
                    status.set(format!("{}: disabled.", p.name));
                    fetch();
                }
                Err(f) => error.set(Some(handle(&f))),
            }
        });
    };

    view! {
        <h1>"Portals"</h1>
        <p>"Customer portals that embed the intake form. A portal's server signs a short-lived token for each customer; the form opens only inside the origins listed here."</p>
        <p class="sr-only" aria-live="polite">{status}</p>
        {move || error.get().map(|e| view! { <p class="err" role="alert">{e}</p> })}
        <div class="table-wrap">
            <table>
                <caption class="sr-only">"Registered portals"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Origins"</th>
                        <th scope="col">"State"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {move || portals.get().into_iter().map(|p| {
                        let id = p.id;
                        let enabled = p.enabled;
                        let label = p.name.clone();
                        view! {
                            <tr class:inactive=!enabled>
                                <td>{p.name.clone()}</td>
                                <td>{p.origins.join(" ")}</td>
                                <td>{if enabled { "Enabled" } else { "Disabled" }}</td>
                                <td class="actions">
                                    <button type="button" class="btn"
                                        aria-label=format!("How to embed: {label}")
                                        on:click=move |_| shown.set(Some(id))>"How to embed"</button>
                                    {enabled.then(|| { let l1 = label.clone(); let l2 = label.clone(); view! {
                                        <button type="button" class="btn"
                                            aria-label=format!("New secret for {l1}")
                                            on:click=move |_| rotate(id)>"New secret"</button>
                                        <button type="button" class="btn danger"
                                            aria-label=format!("Disable {l2}")
                                            on:click=move |_| disable(id)>"Disable"</button>
                                    }})}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>

        <div aria-live="polite">
            {move || secret.get().map(|made| view! {
                <div class="invitation">
                    <p>"The shared secret of "{made.portal.name.clone()}". It is shown once: give it to the portal's developers now (their server signs embed tokens with it, HS256)."</p>
                    <label for="portal-secret">"Secret"</label>
                    <div class="copy">
                        <input id="portal-secret" type="text" readonly prop:value=made.secret.clone() />
                    </div>
                </div>
            })}
        </div>

        {move || shown.get().and_then(|id| portals.get().into_iter().find(|p| p.id == id)).map(|p| {
            let origin = fieldcase_origin();
            let code = portal::snippet(&origin, &p);
            let claims = portal::token_claims(&p);
            let steps = portal::experience_cloud_steps(&origin);
            view! {
                <section class="card" aria-labelledby="embed-h">
                    <h2 id="embed-h">{format!("Embed {}", p.name)}</h2>
                    <h3>"1. Paste this where the form goes"</h3>
                    <p>"Replace EMBED_TOKEN with a token the portal's server signs for each page view (never in the browser: the secret stays on the server)."</p>
                    <label for="embed-snippet">"Snippet"</label>
                    <textarea id="embed-snippet" readonly rows="7" prop:value=code></textarea>
                    <h3>"2. The token's claims"</h3>
                    <label for="embed-claims">"JWT claims (HS256, signed with the portal's secret)"</label>
                    <textarea id="embed-claims" readonly rows="9" prop:value=claims></textarea>
                    <h3>"3. Salesforce Experience Cloud"</h3>
                    <ol>
                        {steps.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                    </ol>
                </section>
            }
        })}

        <section class="card narrow-card" aria-labelledby="add-portal-h">
            <h2 id="add-portal-h">"Register a portal"</h2>
            <form on:submit=add>
                <div class="grid">
                    <div>
                        <label for="p-name">"Name"</label>
                        <input id="p-name" type="text" required autocomplete="off"
                            prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                    </div>
                    <div>
                        <label for="p-origins">"Origins (space or comma separated)"</label>
                        <input id="p-origins" type="text" required autocomplete="off"
                            placeholder="https://portal.example.com"
                            prop:value=origins on:input=move |ev| origins.set(event_target_value(&ev)) />
                    </div>
                </div>
                {move || form_err.get().map(|e| view! { <p class="err" role="alert">{e}</p> })}
                <div class="actions">
                    <button type="submit" class="btn primary">"Register portal"</button>
                </div>
            </form>
        </section>
    }
}
