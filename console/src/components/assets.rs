//! `/console/assets` (admins): the assets, searched and paged; add and edit
//! one; retire one or give it a new link; download a label; choose assets
//! and print their labels; import a CSV or the connected org's assets.

use fieldcase_core::assets::{
    AdminAsset, AssetPage, ImportMode, ImportReport, LabelGrid, LabelPaper, labels_path,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use super::handle;
use crate::api::{self, path};
use crate::assets::{AssetForm, AssetQuery, parse_status, report_sentence};
use crate::{browser, text};

const PER_PAGE: u32 = 25;

fn confirm(message: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}

/// The text of the file chosen in `<input type=file id=…>`.
async fn chosen_file_text(id: &str) -> Option<String> {
    let input = web_sys::window()?
        .document()?
        .get_element_by_id(id)?
        .dyn_into::<web_sys::HtmlInputElement>()
        .ok()?;
    let file = input.files()?.get(0)?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()?;
    text.as_string()
}

#[component]
pub fn Assets() -> impl IntoView {
    browser::set_title(&text::page_title("Assets"));
    let query = RwSignal::new(AssetQuery {
        page: 1,
        per_page: PER_PAGE,
        ..AssetQuery::default()
    });
    let page = RwSignal::new(None::<AssetPage>);
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(String::new());
    let selected = RwSignal::new(Vec::<Uuid>::new());
    let paper = RwSignal::new(LabelPaper::A4);
    let grid = RwSignal::new(LabelGrid::G3x8);
    let crop = RwSignal::new(false);
    // The form: None = add a new asset; Some(id) = edit that one.
    let editing = RwSignal::new(None::<Uuid>);
    let form = RwSignal::new(AssetForm::default());
    let form_err = RwSignal::new(None::<fieldcase_core::FieldErrors>);
    let form_msg = RwSignal::new(None::<String>);
    let mode = RwSignal::new(ImportMode::AllOrNothing);
    let report = RwSignal::new(None::<ImportReport>);
    let import_err = RwSignal::new(None::<String>);
    let importing = RwSignal::new(false);

    let fetch = move || {
        let q = query.get_untracked();
        spawn_local(async move {
            match api::assets(&q).await {
                Ok(p) => {
                    page.set(Some(p));
                    error.set(None);
                }
                Err(f) => error.set(Some(handle(&f))),
            }
        });
    };
    fetch();

    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        query.update(|q| q.page = 1);
        fetch();
    };
    let go_page = move |delta: i64| {
        query.update(|q| {
            q.page = u32::try_from(i64::from(q.page) + delta).unwrap_or(1).max(1);
        });
        fetch();
    };

    let replace = move |a: AdminAsset| {
        page.update(|p| {
            if let Some(p) = p
                && let Some(x) = p.assets.iter_mut().find(|x| x.id == a.id)
            {
                *x = a;
            }
        });
    };
    let rotate = move |a: AdminAsset| {
        if !confirm(&format!(
            "Give {} a new link? Its printed label stops working at once; print the new one.",
            a.name
        )) {
            return;
        }
        spawn_local(async move {
            match api::rotate_asset(&a.id).await {
                Ok(x) => {
                    status.set(format!("{}: new link made. Print its new label.", x.name));
                    replace(x);
                }
                Err(f) => error.set(Some(handle(&f))),
            }
        });
    };
    let retire = move |a: AdminAsset| {
        if !confirm(&format!(
            "Retire {}? Its label stops working; its intakes are kept.",
            a.name
        )) {
            return;
        }
        spawn_local(async move {
            match api::retire_asset(&a.id).await {
                Ok(x) => {
                    status.set(format!("{}: retired.", x.name));
                    selected.update(|s| s.retain(|id| *id != x.id));
                    fetch();
                }
                Err(f) => error.set(Some(handle(&f))),
            }
        });
    };
    let edit = move |a: AdminAsset| {
        form.set(AssetForm::of(&a));
        editing.set(Some(a.id));
        form_err.set(None);
        form_msg.set(None);
        browser::focus("a-name");
    };
    let cancel_edit = move |_| {
        editing.set(None);
        form.set(AssetForm::default());
        form_err.set(None);
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_msg.set(None);
        let input = match form.get_untracked().input() {
            Ok(i) => i,
            Err(e) => {
                form_err.set(Some(e));
                return;
            }
        };
        form_err.set(None);
        let id = editing.get_untracked();
        spawn_local(async move {
            let done = match id {
                Some(id) => api::update_asset(&id, &input).await,
                None => api::create_asset(&input).await,
            };
            match done {
                Ok(a) => {
                    form_msg.set(Some(if id.is_some() {
                        format!("{} saved.", a.name)
                    } else {
                        format!("{} added, with its own link.", a.name)
                    }));
                    editing.set(None);
                    form.set(AssetForm::default());
                    fetch();
                }
                Err(f) => {
                    if let api::Failure::Api { error: e, .. } = &f
                        && !e.fields.is_empty()
                    {
                        form_err.set(Some(e.fields.clone()));
                    } else {
                        form_msg.set(Some(handle(&f)));
                    }
                }
            }
        });
    };
    let import_csv = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        import_err.set(None);
        report.set(None);
        let m = mode.get_untracked();
        importing.set(true);
        spawn_local(async move {
            let Some(csv) = chosen_file_text("csv-file").await else {
                import_err.set(Some("Choose a CSV file first.".into()));
                importing.set(false);
                return;
            };
            match api::import_csv(m, csv).await {
                Ok(r) => {
                    report.set(Some(r));
                    fetch();
                }
                Err(f) => import_err.set(Some(handle(&f))),
            }
            importing.set(false);
        });
    };
    let import_org = move |_| {
        import_err.set(None);
        report.set(None);
        importing.set(true);
        spawn_local(async move {
            match api::import_from_salesforce().await {
                Ok(r) => {
                    report.set(Some(r));
                    fetch();
                }
                Err(f) => import_err.set(Some(handle(&f))),
            }
            importing.set(false);
        });
    };

    let field = move |id: &'static str,
                      key: &'static str,
                      label: &'static str,
                      get: fn(&AssetForm) -> String,
                      set: fn(&mut AssetForm, String)| {
        let err_id = format!("{id}-err");
        let err_id2 = err_id.clone();
        let message = move || form_err.get().and_then(|e| e.get(key).map(str::to_owned));
        view! {
            <div>
                <label for=id>{label}</label>
                <input id=id type=if key == "install_date" { "date" } else { "text" } autocomplete="off"
                    aria-invalid=move || message().is_some().then_some("true")
                    aria-describedby=move || message().is_some().then(|| err_id.clone())
                    prop:value=move || get(&form.get())
                    on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| set(f, v)); } />
                {move || message().map(|m| view! { <p class="err" id=err_id2.clone()>{m}</p> })}
            </div>
        }
    };

    let print_href = move || labels_path(&selected.get(), paper.get(), grid.get(), crop.get());

    view! {
        <h1>"Assets"</h1>
        <p>"Each asset has a link printed as a QR code on its label. A technician who scans it reports on that asset."</p>
        <p class="sr-only" aria-live="polite">{status}</p>
        {move || error.get().map(|e| view! { <p class="err" role="alert">{e}</p> })}

        <form class="filters" role="search" on:submit=search>
            <label for="asset-q">"Search"</label>
            <input id="asset-q" type="search" placeholder="Name, serial number, site or account"
                prop:value=move || query.get().q
                on:input=move |ev| query.update(|q| q.q = event_target_value(&ev)) />
            <label for="asset-status">"Show"</label>
            <select id="asset-status" on:change=move |ev| {
                let v = event_target_value(&ev);
                query.update(|q| { q.status = parse_status(&v); q.page = 1; });
                fetch();
            }>
                <option value="active">"Active"</option>
                <option value="retired">"Retired"</option>
                <option value="all">"All"</option>
            </select>
            <button type="submit" class="btn">"Search"</button>
        </form>

        <div class="table-wrap">
            <table>
                <caption class="sr-only">"Assets"</caption>
                <thead>
                    <tr>
                        <th scope="col"><span class="sr-only">"Choose"</span></th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Serial"</th>
                        <th scope="col">"Account"</th>
                        <th scope="col">"Site"</th>
                        <th scope="col">"State"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {move || page.get().map(|p| p.assets).unwrap_or_default().into_iter().map(|a| {
                        let id = a.id;
                        let retired = a.is_retired();
                        let name = a.name.clone();
                        let (a1, a2, a3) = (a.clone(), a.clone(), a.clone());
                        let site = match &a.location {
                            Some(l) if !a.site.is_empty() => format!("{} — {l}", a.site),
                            Some(l) => l.clone(),
                            None => a.site.clone(),
                        };
                        view! {
                            <tr class:inactive=retired>
                                <td>
                                    {(!retired).then(|| view! {
                                        <input type="checkbox" aria-label=format!("Choose {name}")
                                            prop:checked=move || selected.get().contains(&id)
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                selected.update(|s| {
                                                    s.retain(|x| *x != id);
                                                    if on { s.push(id); }
                                                });
                                            } />
                                    })}
                                </td>
                                <td>{a.name.clone()}</td>
                                <td>{a.serial_number.clone()}</td>
                                <td>{a.account_name.clone()}</td>
                                <td>{site}</td>
                                <td>{if retired { "Retired" } else if a.crm_asset_id.is_some() { "Active · Salesforce" } else { "Active" }}</td>
                                <td class="actions">
                                    {(!retired).then(|| { let n = a.name.clone(); view! {
                                        <a class="btn" download="" href=path::asset_action(&id, "label.png")
                                            aria-label=format!("Label PNG: {n}")>"PNG"</a>
                                        <a class="btn" download="" href=path::asset_action(&id, "label.svg")
                                            aria-label=format!("Label SVG: {n}")>"SVG"</a>
                                        <button type="button" class="btn" aria-label=format!("Edit {n}")
                                            on:click=move |_| edit(a1.clone())>"Edit"</button>
                                        <button type="button" class="btn" aria-label=format!("New link for {n}")
                                            on:click=move |_| rotate(a2.clone())>"New link"</button>
                                        <button type="button" class="btn danger" aria-label=format!("Retire {n}")
                                            on:click=move |_| retire(a3.clone())>"Retire"</button>
                                    }})}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {move || page.get().map(|p| {
            let pages = p.pages();
            let at = u64::from(p.page);
            // Computed here: a `>` inside the tag would end it in `view!`.
            let first = at <= 1;
            let last = at >= pages;
            view! {
                <p class="pager">
                    {format!("{} asset{} · page {at} of {pages} ", p.total, if p.total == 1 { "" } else { "s" })}
                    <button type="button" class="btn" disabled=first on:click=move |_| go_page(-1)>"Previous"</button>
                    <button type="button" class="btn" disabled=last on:click=move |_| go_page(1)>"Next"</button>
                </p>
            }
        })}

        <section class="card" aria-labelledby="print-h">
            <h2 id="print-h">"Print labels"</h2>
            <p>{move || match selected.get().len() {
                0 => "Tick the assets whose labels you need.".to_owned(),
                1 => "1 asset chosen.".to_owned(),
                n => format!("{n} assets chosen."),
            }}</p>
            <div class="grid">
                <div>
                    <label for="label-paper">"Paper"</label>
                    <select id="label-paper" on:change=move |ev| {
                        paper.set(LabelPaper::parse(&event_target_value(&ev)).unwrap_or_default());
                    }>
                        {LabelPaper::ALL.into_iter().map(|p| view! { <option value=p.as_str()>{p.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="label-grid">"Labels per sheet"</label>
                    <select id="label-grid" on:change=move |ev| {
                        grid.set(LabelGrid::parse(&event_target_value(&ev)).unwrap_or_default());
                    }>
                        {LabelGrid::ALL.into_iter().map(|g| view! { <option value=g.as_str()>{g.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <label>
                        <input type="checkbox" prop:checked=crop on:change=move |ev| crop.set(event_target_checked(&ev)) />
                        " Crop marks"
                    </label>
                </div>
            </div>
            <div class="actions">
                <a class="btn primary" rel="external" href=print_href>"Print labels"</a>
            </div>
        </section>

        <section class="card narrow-card" aria-labelledby="asset-form-h">
            <h2 id="asset-form-h">{move || if editing.get().is_some() { "Edit asset" } else { "Add an asset" }}</h2>
            <form on:submit=save novalidate>
                <div class="grid">
                    {field("a-name", "name", "Name", |f| f.name.clone(), |f, v| f.name = v)}
                    {field("a-serial", "serial_number", "Serial number", |f| f.serial_number.clone(), |f, v| f.serial_number = v)}
                    {field("a-model", "model", "Model", |f| f.model.clone(), |f, v| f.model = v)}
                    {field("a-account", "account_name", "Account", |f| f.account_name.clone(), |f, v| f.account_name = v)}
                    {field("a-site", "site", "Site", |f| f.site.clone(), |f, v| f.site = v)}
                    {field("a-location", "location", "Location", |f| f.location.clone(), |f, v| f.location = v)}
                    {field("a-installed", "install_date", "Install date", |f| f.install_date.clone(), |f, v| f.install_date = v)}
                </div>
                <div aria-live="polite">{move || form_msg.get().map(|m| view! { <p>{m}</p> })}</div>
                <div class="actions">
                    <button type="submit" class="btn primary">{move || if editing.get().is_some() { "Save asset" } else { "Add asset" }}</button>
                    {move || editing.get().is_some().then(|| view! {
                        <button type="button" class="btn" on:click=cancel_edit>"Cancel"</button>
                    })}
                </div>
            </form>
        </section>

        <section class="card narrow-card" aria-labelledby="import-h">
            <h2 id="import-h">"Import assets"</h2>
            <form on:submit=import_csv>
                <label for="csv-file">"CSV file (name, serial, model, account, site, location, install_date, salesforce_id; name and account required)"</label>
                <input id="csv-file" type="file" accept=".csv,text/csv" />
                <fieldset>
                    <legend>"If some rows have problems"</legend>
                    <label>
                        <input type="radio" name="import-mode" checked=true
                            on:change=move |_| mode.set(ImportMode::AllOrNothing) />
                        " Import nothing until every row is valid"
                    </label>
                    <label>
                        <input type="radio" name="import-mode"
                            on:change=move |_| mode.set(ImportMode::ValidRows) />
                        " Import the valid rows"
                    </label>
                </fieldset>
                <div class="actions">
                    <button type="submit" class="btn primary" disabled=importing>"Import CSV"</button>
                    <button type="button" class="btn" disabled=importing on:click=import_org>"Import from Salesforce"</button>
                </div>
            </form>
            {move || import_err.get().map(|e| view! { <p class="err" role="alert">{e}</p> })}
            <div aria-live="polite">
                {move || report.get().map(|r| view! {
                    <p>{report_sentence(&r)}</p>
                    {(!r.problems.is_empty()).then(|| view! {
                        <div class="table-wrap">
                            <table>
                                <caption>"Rows to fix"</caption>
                                <thead><tr><th scope="col">"Row"</th><th scope="col">"Column"</th><th scope="col">"What to fix"</th></tr></thead>
                                <tbody>
                                    {r.problems.iter().map(|p| view! {
                                        <tr>
                                            <td>{p.salesforce_id.clone().map_or_else(|| p.row.to_string(), |id| format!("{} ({id})", p.row))}</td>
                                            <td>{p.column.clone()}</td>
                                            <td>{p.message.clone()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    })}
                })}
            </div>
        </section>
    }
}
