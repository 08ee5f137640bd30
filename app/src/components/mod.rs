//! The views. They stay thin: state changes go through `Flow`'s methods in
//! `intake`, and every decision is made by the pure modules.

use fieldcase_core::token::CodeEntryWords;
use fieldcase_i18n::{t, view};
use leptos::either::EitherOf4;
use leptos::prelude::*;

use crate::browser;
use crate::route::Route;

mod intake;
mod review;

/// The whole app: one screen per path, chosen once.
#[component]
pub fn App() -> impl IntoView {
    let screen = match Route::parse(&browser::pathname()) {
        Route::Landing => EitherOf4::A(view! { <Landing /> }),
        Route::Intake(token) => EitherOf4::B(view! { <intake::Intake token /> }),
        Route::BadToken => EitherOf4::C(inactive()),
        Route::NotFound => EitherOf4::D(not_found()),
    };
    // On an asset's link the server already drew the bar and the asset's
    // card (first paint without WebAssembly): the bar stays, the card is
    // replaced by the app's own once it has the context (`intake`).
    let bar = (!browser::has_element("first-bar")).then(|| {
        let (code, name) = crate::text::other_language();
        let mut href = String::from("?lang=");
        href.push_str(code);
        view! {
            <header class="bar">
                <span class="brand">"fieldcase"</span>
                <a class="lang" href=href hreflang=code lang=code>{name}</a>
            </header>
        }
    });
    view! {
        {bar}
        // Online or not, reports waiting to send: drawn by offline.js.
        <section id="net" class="net" aria-label=t!("Connection") aria-live="polite" hidden></section>
        {screen}
        // The one region status changes are announced through.
        <p id="live" class="visually-hidden" role="status" aria-live="polite"></p>
    }
}

/// `/`: scan, or type the code printed under the QR. The same form as the
/// "code not active" page's, driven by the same script.
#[component]
fn Landing() -> impl IntoView {
    let code_entry = code_entry(t!("Or type the 20-character code printed under the QR"));
    view! {
        <main class="page">
            <h1>"Scan the QR code on the equipment"</h1>
            <p class="lead">
                "Point your phone's camera at the fieldcase label on the pump, chiller or door. "
                "The link opens the report for that equipment."
            </p>
            <div class="code-entry" inner_html=code_entry></div>
        </main>
    }
}

/// An unknown, retired or malformed code. Says nothing about which. The
/// same page as the server's for such a link (`inactive_page` in
/// `server/src/http/assets.rs`).
pub fn inactive() -> impl IntoView {
    browser::set_title(t!("Code not active"));
    let code_entry = code_entry(t!("Type the 20-character code printed under the QR"));
    view! {
        <main class="page">
            <h1 tabindex="-1">"Code not active"</h1>
            <p class="lead">"This code is not active — ask your dispatcher."</p>
            <div class="code-entry" inner_html=code_entry></div>
        </main>
    }
}

/// Type or scan a code: the core's markup, driven by `public/code.js`
/// (loaded only on these pages, once the form is on the page: a script drawn
/// by the view would not run), so the app's pages and the server's work alike.
fn code_entry(label: &'static str) -> String {
    set_timeout(
        || browser::load_script("/public/code.js"),
        std::time::Duration::ZERO,
    );
    fieldcase_core::token::code_entry_html(&CodeEntryWords {
        label,
        open: t!("Open"),
        scan: t!("Scan a code"),
        camera: t!("Camera"),
        stop: t!("Stop scanning"),
    })
}

fn not_found() -> impl IntoView {
    view! {
        <main class="page">
            <h1>"Page not found"</h1>
            <p class="lead">"There is nothing at this address."</p>
            <p>
                <a class="btn secondary" href="/">"Go to the start page"</a>
            </p>
        </main>
    }
}
