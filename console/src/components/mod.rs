//! The views. They stay thin: every decision is made by the pure modules
//! (`api`, `query`, `highlight`, `time`, `select`, `edit`, `text`).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use fieldcase_core::CaseSchema;
use fieldcase_core::console::{Role, SignIn, StaffUser};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_navigate;
use leptos_router::{NavigateOptions, path};
use uuid::Uuid;

use crate::api::{self, Failure, SESSION_ENDED};
use crate::edit::Inputs;
use crate::{browser, text};

mod assets;
mod assistants;
mod audit;
mod intake;
mod policy;
mod portals;
mod queue;
mod users;

/// What every page shares: who is signed in, the schema, and what was typed
/// when the session ended (kept in memory until it is back).
#[derive(Clone, Copy)]
pub struct Session {
    pub user: RwSignal<Option<StaffUser>>,
    /// Asked the server `GET /session` already.
    pub checked: RwSignal<bool>,
    /// Shown on the sign-in page.
    pub notice: RwSignal<Option<String>>,
    /// Where to go back to after signing in (a path under `/console`).
    pub return_to: StoredValue<Option<String>>,
    /// Unsaved field inputs per intake, kept across a sign-in.
    pub kept: StoredValue<BTreeMap<Uuid, Inputs>>,
    pub schema: RwSignal<Option<CaseSchema>>,
}

/// The router's `navigate`, for paths under `/console`.
type Navigate = Rc<dyn Fn(&str)>;

thread_local! {
    // One page, one thread: the session and the router's navigate, reachable
    // from async tasks that outlive the component that started them.
    static SESSION: Cell<Option<Session>> = const { Cell::new(None) };
    static NAV: RefCell<Option<Navigate>> = const { RefCell::new(None) };
}

impl Session {
    fn new() -> Session {
        Session {
            user: RwSignal::new(None),
            checked: RwSignal::new(false),
            notice: RwSignal::new(None),
            return_to: StoredValue::new(None),
            kept: StoredValue::new(BTreeMap::new()),
            schema: RwSignal::new(None),
        }
    }
}

pub fn session() -> Session {
    SESSION.with(|c| {
        c.get().unwrap_or_else(|| {
            let s = Session::new();
            c.set(Some(s));
            s
        })
    })
}

/// The session ended (401): remember where we were, go to sign-in.
pub fn session_ended() {
    let s = session();
    let here = browser::pathname();
    let under = here.strip_prefix("/console").unwrap_or("/").to_owned();
    s.return_to.set_value(Some(if under.is_empty() {
        "/".to_owned()
    } else {
        under
    }));
    s.user.set(None);
    s.notice.set(Some(SESSION_ENDED.to_owned()));
    go("/sign-in");
}

/// Navigate to a path under `/console` (e.g. `/intakes/ID`).
pub fn go(path: &str) {
    let nav = NAV.with(|n| n.borrow().clone());
    if let Some(nav) = nav {
        nav(path);
    }
}

/// The message of a failure; a 401 leaves for the sign-in page.
pub fn handle(f: &Failure) -> String {
    if f.is_unauthorized() {
        session_ended();
    }
    f.message().to_owned()
}

/// The case schema, fetched once.
pub fn load_schema() {
    let s = session();
    if s.schema.get_untracked().is_some() {
        return;
    }
    spawn_local(async move {
        match api::schema().await {
            Ok(schema) => s.schema.set(Some(schema)),
            Err(f) if f.is_unauthorized() => session_ended(),
            Err(_) => {}
        }
    });
}

#[component]
pub fn App() -> impl IntoView {
    browser::rewrite_hash_link();
    session();
    view! {
        <Router base="/console">
            <a class="skip" href="#main">"Skip to content"</a>
            <Header />
            <main id="main" class="page" tabindex="-1">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=|| view! { <Staff><queue::Queue /></Staff> } />
                    <Route path=path!("/sign-in") view=SignInPage />
                    <Route path=path!("/accept/:token") view=AcceptPage />
                    <Route
                        path=path!("/intakes/:id")
                        view=|| view! { <Staff><intake::Intake /></Staff> }
                    />
                    <Route
                        path=path!("/audit")
                        view=|| view! { <Staff admin=true><audit::Audit /></Staff> }
                    />
                    <Route
                        path=path!("/users")
                        view=|| view! { <Staff admin=true><users::Users /></Staff> }
                    />
                    <Route
                        path=path!("/policy")
                        view=|| view! { <Staff admin=true><policy::Policy /></Staff> }
                    />
                    <Route
                        path=path!("/assets")
                        view=|| view! { <Staff admin=true><assets::Assets /></Staff> }
                    />
                    <Route
                        path=path!("/portals")
                        view=|| view! { <Staff admin=true><portals::Portals /></Staff> }
                    />
                    <Route
                        path=path!("/assistants")
                        view=|| view! { <Staff admin=true><assistants::Assistants /></Staff> }
                    />
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn Header() -> impl IntoView {
    let navigate = use_navigate();
    NAV.with(|n| {
        *n.borrow_mut() = Some(Rc::new(move |p: &str| {
            navigate(p, NavigateOptions::default())
        }));
    });
    let s = session();
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = api::sign_out().await;
            s.user.set(None);
            s.notice.set(Some("You have signed out.".to_owned()));
            browser::set_title(&text::page_title("Sign in"));
            go("/sign-in");
        });
    };
    view! {
        <header class="bar">
            <a class="brand" href="/console/">"fieldcase"<span class="sub">" console"</span></a>
            {move || {
                s.user.get().map(|u| {
                    let admin = u.role == Role::Admin;
                    view! {
                        <nav aria-label="Main">
                            <a href="/console/">"Queue"</a>
                            {admin.then(|| view! {
                                <a href="/console/audit">"Audit log"</a>
                                <a href="/console/users">"Users"</a>
                                <a href="/console/assets">"Assets"</a>
                                <a href="/console/portals">"Portals"</a>
                                <a href="/console/policy">"Policy"</a>
                                <a href="/console/assistants">"AI assistants"</a>
                                <a href="/admin/salesforce" rel="external">"Salesforce"</a>
                            })}
                        </nav>
                        <div class="who">
                            <span class="name">{u.name.clone()}</span>
                            <span class="role">{text::role_label(u.role)}</span>
                            <button type="button" class="btn ghost" on:click=sign_out>"Sign out"</button>
                        </div>
                    }
                })
            }}
        </header>
    }
}

/// Shows its children once a staff member (an admin, with `admin`) is signed
/// in; asks the server once, and sends a stranger to the sign-in page.
#[component]
fn Staff(#[prop(optional)] admin: bool, children: ChildrenFn) -> impl IntoView {
    let s = session();
    if !s.checked.get_untracked() && s.user.get_untracked().is_none() {
        spawn_local(async move {
            match api::session().await {
                Ok(u) => s.user.set(Some(u)),
                Err(f) if f.is_unauthorized() => {
                    let here = browser::pathname();
                    let under = here.strip_prefix("/console").unwrap_or("/").to_owned();
                    s.return_to.set_value(Some(under));
                    go("/sign-in");
                }
                Err(f) => s.notice.set(Some(f.message().to_owned())),
            }
            s.checked.set(true);
        });
    }
    let role = Memo::new(move |_| s.user.with(|u| u.as_ref().map(|u| u.role)));
    move || match role.get() {
        None => EitherOf3::A(view! {
            <p class="loading" aria-busy="true">
                {move || s.notice.get().unwrap_or_else(|| "Loading…".to_owned())}
            </p>
        }),
        Some(Role::Dispatcher) if admin => EitherOf3::B(view! {
            <h1>"Admins only"</h1>
            <p>"This page is for administrators. Ask an admin if you need it."</p>
        }),
        Some(_) => EitherOf3::C(children()),
    }
}

#[component]
fn NotFound() -> impl IntoView {
    browser::set_title(&text::page_title("Not found"));
    view! {
        <h1>"Page not found"</h1>
        <p><a href="/console/">"Back to the queue"</a></p>
    }
}

fn after_sign_in(u: StaffUser) {
    let s = session();
    s.user.set(Some(u));
    s.checked.set(true);
    s.notice.set(None);
    let to = s.return_to.get_value().unwrap_or_else(|| "/".to_owned());
    s.return_to.set_value(None);
    go(&to);
}

#[component]
fn SignInPage() -> impl IntoView {
    browser::set_title(&text::page_title("Sign in"));
    let s = session();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // A server page (the MCP consent page, the Salesforce page) sent the
    // person here with `?next=`: back there once signed in.
    let next = StoredValue::new(crate::query::sign_in_next(&browser::search()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let body = SignIn {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match api::sign_in(&body).await {
                Ok(u) => match next.get_value() {
                    Some(path) => browser::assign(&path),
                    None => after_sign_in(u),
                },
                Err(f) => {
                    error.set(Some(f.message().to_owned()));
                    browser::focus("password");
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="narrow">
            <h1>"Sign in"</h1>
            {move || s.notice.get().map(|n| view! { <p class="note" role="status">{n}</p> })}
            <form class="card" on:submit=submit>
                <label for="email">"Email"</label>
                <input
                    id="email"
                    type="email"
                    autocomplete="username"
                    required
                    prop:value=email
                    on:input=move |ev| email.set(event_target_value(&ev))
                />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    type="password"
                    autocomplete="current-password"
                    required
                    aria-describedby="signin-err"
                    prop:value=password
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                <div id="signin-err" aria-live="assertive">
                    {move || error.get().map(|e| view! { <p class="err" role="alert">{e}</p> })}
                </div>
                <button type="submit" class="btn primary" prop:disabled=busy>
                    {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </section>
    }
}

#[component]
fn AcceptPage() -> impl IntoView {
    use fieldcase_core::console::AcceptInvitation;
    use leptos_router::hooks::use_params_map;
    browser::set_title(&text::page_title("Accept invitation"));
    let params = use_params_map();
    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (p, a) = (password.get_untracked(), again.get_untracked());
        if p != a {
            error.set(Some(
                "The two passwords differ; type the same password twice.".to_owned(),
            ));
            browser::focus("password2");
            return;
        }
        let token = params
            .with_untracked(|m| m.get("token"))
            .unwrap_or_default();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::accept_invitation(&AcceptInvitation { token, password: p }).await {
                Ok(u) => after_sign_in(u),
                Err(f) => error.set(Some(f.message().to_owned())),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="narrow">
            <h1>"Welcome to fieldcase"</h1>
            <p>"Choose a password to finish setting up your account."</p>
            <form class="card" on:submit=submit>
                <label for="password1">"New password"</label>
                <input
                    id="password1"
                    type="password"
                    autocomplete="new-password"
                    required
                    prop:value=password
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                <label for="password2">"The same password again"</label>
                <input
                    id="password2"
                    type="password"
                    autocomplete="new-password"
                    required
                    aria-describedby="accept-err"
                    prop:value=again
                    on:input=move |ev| again.set(event_target_value(&ev))
                />
                <div id="accept-err" aria-live="assertive">
                    {move || error.get().map(|e| view! { <p class="err" role="alert">{e}</p> })}
                </div>
                <button type="submit" class="btn primary" prop:disabled=busy>
                    "Set password and sign in"
                </button>
            </form>
        </section>
    }
}
