//! `/a/{TOKEN}`: load the asset, then notes & photos → review → confirmation.

use fieldcase_core::AssetToken;
use fieldcase_core::wire::Technician;
use fieldcase_i18n::{t, view};
use leptos::either::{Either, EitherOf3, EitherOf4};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::review::ReviewScreen;
use crate::api::{self, Failure, Receipt};
use crate::context::{Asset, Ctx};
use crate::draft::{self, Detail, Draft, SavedPhoto};
use crate::json::Json;
use crate::json::Obj;
use crate::review::{OP_AMEND, OP_CONTEXT, OP_DONE, OP_RECENT};
use crate::text::fill;
use crate::{browser, engine, offline, photos, review};
use uuid::Uuid;

#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    /// The context, and the draft saved on this phone (its text).
    Ready(Ctx, Option<String>),
    Inactive,
    Failed(String),
}

fn fetch(load: RwSignal<Load>, token: AssetToken) {
    load.set(Load::Loading);
    spawn_local(async move {
        let t = token.as_str();
        let ctx = match api::intake_context(t).await {
            Ok(ctx) => ctx,
            // Never opened on this phone, and no connection: write notes and
            // take photos now; the context comes when the connection does.
            Err(Failure::Offline) => Ctx::unseen(token.clone()),
            Err(f) => {
                load.set(if f.status() == Some(404) {
                    Load::Inactive
                } else {
                    Load::Failed(f.message().to_owned())
                });
                return;
            }
        };
        load.set(Load::Ready(ctx, offline::load_draft(t).await));
    });
}

#[component]
pub fn Intake(token: AssetToken) -> impl IntoView {
    let load = RwSignal::new(Load::Loading);
    fetch(load, token.clone());
    // The service worker, the outbox and the status: after first paint.
    let context = api::asset_path(token.as_str(), "");
    set_timeout(
        move || offline::start(&context),
        std::time::Duration::from_millis(50),
    );
    // The server's first paint (the asset's card) shows until the app has
    // the context, then the app's own screen takes its place in the same
    // frame: no flash, no layout shift.
    let first_paint = browser::has_element("first-paint");
    move || {
        let load_now = load.get();
        if load_now != Load::Loading && browser::has_element("first-paint") {
            // Someone already in the (read-only) notes box of the first
            // paint stays in the app's own, which takes its place.
            let in_notes = browser::focused_id().as_deref() == Some("notes");
            browser::remove_element("first-paint");
            if in_notes {
                set_timeout(|| browser::focus("notes"), std::time::Duration::ZERO);
            }
        }
        match load_now {
            Load::Loading => EitherOf4::A((!first_paint).then(|| {
                view! {
                    <main class="page" aria-busy="true">
                        <p class="lead loading">"Loading the equipment…"</p>
                    </main>
                }
            })),
            Load::Inactive => EitherOf4::B(super::inactive()),
            Load::Failed(message) => {
                let token = token.clone();
                EitherOf4::C(view! {
                    <main class="page">
                        <h1>"Can't load this equipment"</h1>
                        <p class="lead" role="alert">{message}</p>
                        <button
                            type="button"
                            class="btn primary"
                            on:click=move |_| fetch(load, token.clone())
                        >
                            "Try again"
                        </button>
                    </main>
                })
            }
            Load::Ready(ctx, saved) => EitherOf4::D(view! { <FlowView ctx saved /> }),
        }
    }
}

pub use crate::photos::{PhotoItem, PhotoState};

/// The review engine, fetched after the first paint.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Loading,
    Ready,
    Failed,
}

/// All the state of one intake, as signals. `Copy`, so handlers capture it freely.
#[derive(Clone, Copy)]
pub struct Flow {
    pub ctx: StoredValue<Ctx>,
    pub draft: RwSignal<Draft>,
    pub tech: RwSignal<Technician>,
    pub photos: RwSignal<Vec<PhotoItem>>,
    /// Each photo's bytes: the chosen file, then the shrunk one to send.
    files: StoredValue<Vec<(u32, web_sys::Blob)>, LocalStorage>,
    next_photo: StoredValue<u32>,
    pub photo_notice: RwSignal<Option<String>>,
    pub done: RwSignal<Option<(Receipt, bool)>>,
    /// Submitted without a connection: queued on this phone, sent by itself.
    pub queued: RwSignal<bool>,
    pub sending: RwSignal<bool>,
    pub send_error: RwSignal<Option<Failure>>,
    /// The server's messages from the last refused Submit: `(field, message)`.
    pub server_errors: RwSignal<Vec<(String, String)>>,
    /// The browser refused to save (storage full or blocked).
    pub unsaved: RwSignal<bool>,
    pub engine: RwSignal<Engine>,
    /// Opened offline, never seen before: the asset's context is still to come.
    unseen: RwSignal<bool>,
    engine_started: StoredValue<bool>,
    /// What the confirmation names: the subject and priority sent.
    pub sent: StoredValue<(String, String)>,
    /// The technician's recent submissions on this asset, as the server's
    /// JSON (none until loaded).
    recent: RwSignal<Option<String>>,
    /// The returned intake being fetched to answer.
    answering: RwSignal<Option<Uuid>>,
    /// Why "Answer and resend" did not open it.
    answer_error: RwSignal<Option<String>>,
    /// The server's answer on the notes (a model's proposal, checked by the
    /// core, when it says `by: ai`) and the notes it answered:
    /// `(notes, answer JSON)`.
    server_proposal: RwSignal<Option<(String, String)>>,
}

#[derive(Clone, Copy, PartialEq)]
enum Screen {
    /// With the returned intake being answered, if any; and whether the
    /// asset's context is still to come (drawn again when it comes).
    Notes(Option<Uuid>, bool),
    Review,
    Done,
}

impl Flow {
    fn new(ctx: Ctx, saved: Option<String>) -> Flow {
        let token = ctx.token().to_owned();
        let key = draft::draft_key(&ctx.asset.token);
        let d = match Draft::from_saved(saved.as_deref()) {
            Ok(d) => d,
            Err(raw) => {
                // Never overwrite what we cannot read: set it aside.
                let mut aside = key.clone();
                aside.push_str(".unreadable");
                browser::save(&aside, &raw);
                Draft::default()
            }
        };
        let tech = draft::technician_from_saved(browser::load(draft::TECHNICIAN_KEY).as_deref());
        let photos = photo_items(&token, &d, 0);
        let unseen = ctx.is_unseen();
        let flow = Flow {
            next_photo: StoredValue::new(photos.len() as u32),
            ctx: StoredValue::new(ctx),
            draft: RwSignal::new(d),
            tech: RwSignal::new(tech),
            photos: RwSignal::new(photos),
            files: StoredValue::new_local(Vec::new()),
            photo_notice: RwSignal::new(None),
            done: RwSignal::new(None),
            queued: RwSignal::new(false),
            sending: RwSignal::new(false),
            send_error: RwSignal::new(None),
            server_errors: RwSignal::new(Vec::new()),
            unsaved: RwSignal::new(false),
            unseen: RwSignal::new(unseen),
            engine: RwSignal::new(Engine::Loading),
            engine_started: StoredValue::new(false),
            sent: StoredValue::new(Default::default()),
            recent: RwSignal::new(None),
            answering: RwSignal::new(None),
            answer_error: RwSignal::new(None),
            server_proposal: RwSignal::new(None),
        };
        // The recent submissions and the photos kept on this phone after
        // the first paint; the review engine when the browser is idle
        // (within 3 s), so it never competes with the first load, and long
        // before the technician has written their notes (Review starts it at
        // once if it has not started yet).
        set_timeout(
            move || {
                flow.load_recent();
                flow.restore_photos();
            },
            std::time::Duration::ZERO,
        );
        browser::when_idle(move || flow.ensure_engine(), 3000);
        // Autosave: every change, as it happens.
        Effect::new(move |_| {
            flow.draft.track();
            flow.save_draft();
        });
        Effect::new(move |_| {
            let ok = flow
                .tech
                .with(|t| browser::save(draft::TECHNICIAN_KEY, &draft::technician_to_json(t)));
            if !ok {
                flow.unsaved.set(true);
            }
        });
        flow
    }

    /// Save the draft in the phone's storage (IndexedDB, by offline.js,
    /// which says so in the status panel when the browser refuses).
    fn save_draft(self) {
        offline::save_draft(&self.token(), self.draft_text().as_deref());
    }

    /// The draft as saved: none when there is nothing in it.
    fn draft_text(self) -> Option<String> {
        self.draft
            .with_untracked(|d| (!d.is_empty()).then(|| d.to_json()))
    }

    /// The draft's photos kept on this phone that it does not show (not
    /// uploaded yet: chosen offline, or the page closed mid-upload): shown
    /// from their Blob and uploaded again. A kept photo's key in the phone's
    /// storage is its `blob:` thumbnail, or its hash once uploaded.
    fn restore_photos(self) {
        let token = self.token();
        spawn_local(async move {
            for (thumb, file) in offline::pending_photos(&token).await {
                let id = self.next_photo.get_value();
                self.next_photo.set_value(id + 1);
                self.photos.update(|ps| {
                    ps.push(PhotoItem {
                        restored: true,
                        ..PhotoItem::new(id, thumb, file.size() as u64)
                    })
                });
                self.files.update_value(|fs| fs.push((id, file.into())));
                // Made smaller (again: a no-op in effect when it already
                // was), then uploaded, like a photo just chosen.
                spawn_local(self.work(id));
            }
        });
    }

    pub fn token(self) -> String {
        self.ctx.with_value(|c| c.token().to_owned())
    }

    /// Fetch the review engine unless that has already started.
    fn ensure_engine(self) {
        if !self.engine_started.get_value() {
            self.start_engine();
        }
    }

    /// Fetch the review engine and give it the context (again after a
    /// failure), first fetching the context of an asset opened offline.
    pub fn start_engine(self) {
        self.engine_started.set_value(true);
        if !self.unseen.get_untracked() {
            self.engine.set(Engine::Loading);
        }
        spawn_local(async move {
            if self.unseen.get_untracked() {
                let Ok(ctx) = api::intake_context(&self.token()).await else {
                    // Again in a while, until the connection brings it.
                    self.engine.set(Engine::Failed);
                    set_timeout(
                        move || self.start_engine(),
                        std::time::Duration::from_secs(5),
                    );
                    return;
                };
                self.ctx.set_value(ctx);
                self.unseen.set(false);
            }
            let ready = engine::load().await.is_ok()
                && self
                    .ctx
                    .with_value(|c| engine::call(OP_CONTEXT, &c.json))
                    .is_some_and(|answer| !review::is_error(&answer));
            self.engine
                .set(if ready { Engine::Ready } else { Engine::Failed });
        });
    }

    /// The draft as the engine reads it (tracked: a memo re-runs on changes).
    pub fn engine_input(self, id: Option<&uuid::Uuid>) -> String {
        let input = self.draft.with(|d| {
            self.tech.with(|t| {
                self.server_errors
                    .with(|e| draft::engine_input(d, t, e, id))
            })
        });
        let saved = browser::load(&draft::locations_key(&self.token()));
        let input = draft::with_locations(input, saved.as_deref());
        match self.server_proposal.get() {
            Some((notes, answer)) => draft::with_server(input, &notes, &answer),
            None => input,
        }
    }

    /// With a model on the server, ask it about the notes as they are now.
    /// The phone's own proposal shows meanwhile; the server's replaces it
    /// only if it comes within 6 s and while the notes stay the same (and
    /// never over a field the technician changed). Offline, slow or
    /// refused: nothing happens.
    fn ask_server(self) {
        if !self.ctx.with_value(|c| c.server_structuring) {
            return;
        }
        let notes = self.draft.with_untracked(|d| d.notes.clone());
        let asked_already = self
            .server_proposal
            .with_untracked(|s| s.as_ref().is_some_and(|(n, _)| *n == notes));
        if notes.trim().is_empty() || asked_already {
            return;
        }
        let mut body = String::new();
        let mut o = Obj::new(&mut body);
        o.str("notes", &notes);
        self.tech
            .with_untracked(|t| o.raw("technician", &draft::technician_to_json(t)));
        o.end();
        let token = self.token();
        let asked = js_sys::Date::now();
        spawn_local(async move {
            let Ok(answer) = api::structure(&token, &body).await else {
                return;
            };
            let in_time = js_sys::Date::now() - asked < 6_000.0;
            let same = self
                .draft
                .with_untracked(|d| d.reviewing && d.notes == notes);
            if in_time && same {
                self.server_proposal.set(Some((notes, answer)));
            }
        });
    }

    fn screen(self) -> Screen {
        if self.done.with(Option::is_some) || self.queued.get() {
            Screen::Done
        } else if self.draft.with(|d| d.reviewing) {
            Screen::Review
        } else {
            Screen::Notes(
                self.draft.with(|d| d.amend.as_ref().and(d.intake_id)),
                self.unseen.get(),
            )
        }
    }

    /// The recent submissions on this asset; on failure (offline…) the
    /// list stays as it was: nothing to alarm anyone about.
    fn load_recent(self) {
        let token = self.token();
        spawn_local(async move {
            if let Ok(list) = api::submissions(&token).await {
                self.recent.set(Some(list));
            }
        });
    }

    /// "Answer and resend": load a returned intake into the draft, with its
    /// own id, so Submit sends a new revision of it.
    fn answer(self, id: Uuid) {
        let unsent = self
            .draft
            .with_untracked(|d| d.intake_id != Some(id) && !d.is_empty());
        if unsent
            && !browser::confirm(t!(
                "Replace the report you have not sent yet with this one?"
            ))
        {
            return;
        }
        self.answer_error.set(None);
        self.answering.set(Some(id));
        let token = self.token();
        spawn_local(async move {
            let result = api::submission(&token, &id).await;
            self.answering.set(None);
            let text = match result {
                Ok(text) => text,
                Err(e) => return self.answer_error.set(Some(e.message().to_owned())),
            };
            // The engine makes it the draft again (`OP_AMEND`).
            let mut input = String::new();
            let mut o = Obj::new(&mut input);
            o.raw("detail", &text);
            self.tech
                .with_untracked(|t| o.raw("technician", &draft::technician_to_json(t)));
            o.end();
            match engine::call(OP_AMEND, &input).and_then(|a| review::read_amend(&a)) {
                Some(review::Amended::Draft(next, tech)) => self.start_amend(next, tech),
                Some(review::Amended::NotWaiting(message)) => {
                    self.answer_error.set(Some(message));
                    self.load_recent();
                }
                None => self.answer_error.set(Some(api::OFFLINE_MESSAGE.to_owned())),
            }
        });
    }

    fn start_amend(self, next: Draft, tech: Option<Technician>) {
        if let Some(t) = tech {
            self.tech.set(t);
        }
        self.reset();
        let first = self.next_photo.get_value();
        let items = photo_items(&self.token(), &next, first);
        self.next_photo.set_value(first + items.len() as u32);
        self.photos.set(items);
        self.draft.set(next);
    }

    /// Stop answering a returned intake: it stays returned, the draft is new.
    fn discard_amend(self) {
        if browser::confirm(t!(
            "Discard your changes? The report stays with the dispatcher's question."
        )) {
            self.reset();
        }
    }

    pub fn set_reviewing(self, reviewing: bool) {
        if reviewing {
            self.ensure_engine();
            self.ask_server();
        }
        self.draft.update(|d| d.reviewing = reviewing);
        browser::scroll_to_top();
    }

    /// Back or Forward in the browser (Android's Back button): the screen
    /// of that history entry (see [`history_key`]).
    fn popped(self, state: Option<String>) {
        let done = self.done.with_untracked(Option::is_some);
        let reviewing = self.draft.with_untracked(|d| d.reviewing);
        match state.as_deref() {
            None => {
                if done {
                    self.done.set(None);
                    browser::scroll_to_top();
                }
                if reviewing {
                    self.set_reviewing(false);
                }
            }
            Some(REVIEW_ENTRY) if !done && !reviewing => self.set_reviewing(true),
            _ => {}
        }
    }

    /// A person changed a field on the review screen.
    pub fn edit(self, field: &str, detail: Option<Detail>, value: Json) {
        match (detail, value) {
            (Some(d), Json::Str(s)) => self.tech.update(|t| d.set(t, s)),
            (_, value) => self.draft.update(|d| d.edit(field, value)),
        }
        if self
            .server_errors
            .with_untracked(|e| e.iter().any(|(k, _)| k == field))
        {
            self.server_errors.update(|e| e.retain(|(k, _)| k != field));
        }
    }

    pub fn revert(self, field: &str) {
        self.draft.update(|d| d.revert(field));
    }

    /// Photos still uploading, and photos that failed.
    pub fn photo_problems(self) -> (usize, usize) {
        self.photos.with(|ps| {
            let up = ps.iter().filter(|p| p.pending()).count();
            let failed = ps
                .iter()
                .filter(|p| matches!(p.state, PhotoState::Failed { .. }))
                .count();
            (up, failed)
        })
    }

    fn has_photo(self, id: u32) -> bool {
        self.photos
            .with_untracked(|ps| ps.iter().any(|p| p.id == id))
    }

    fn set_photo(self, id: u32, state: PhotoState) {
        self.photos.update(|ps| {
            if let Some(p) = ps.iter_mut().find(|p| p.id == id) {
                p.state = state;
            }
        });
    }

    /// A photo's thumbnail URL: its key among the photos kept on the phone
    /// until it is uploaded.
    fn thumb(self, id: u32) -> String {
        self.photos.with_untracked(|ps| {
            ps.iter()
                .find(|p| p.id == id)
                .map(|p| p.thumb.clone())
                .unwrap_or_default()
        })
    }

    fn blob(self, id: u32) -> Option<web_sys::Blob> {
        self.files
            .with_value(|fs| fs.iter().find(|(i, _)| *i == id).map(|(_, f)| f.clone()))
    }

    /// Photos chosen: each kept on this phone first, then listed (so a
    /// photo shown survives a reload, even with no signal), made smaller on
    /// the phone, then uploaded.
    fn add_files(self, list: web_sys::FileList) {
        let limits = self.ctx.with_value(|c| c.limits);
        let mut notices: Vec<String> = Vec::new();
        let mut chosen = Vec::new();
        for i in 0..list.length() {
            let Some(file) = list.get(i) else { continue };
            let count = chosen.len()
                + self.photos.with_untracked(|ps| {
                    ps.iter()
                        .filter(|p| !matches!(p.state, PhotoState::Failed { .. }))
                        .count()
                });
            // How many here; how big once made smaller, after.
            if let Err(m) = draft::check_photo(&limits, count, 0, &file.name(), 0) {
                notices.push(m);
                continue;
            }
            let id = self.next_photo.get_value();
            self.next_photo.set_value(id + 1);
            chosen.push((
                PhotoItem::new(id, browser::object_url(&file), file.size() as u64),
                file,
            ));
        }
        self.photo_notice
            .set((!notices.is_empty()).then(|| notices.join(" ")));
        // One after another, in the order chosen. Storing a Blob takes
        // milliseconds; until it is stored, the photo is not shown.
        spawn_local(async move {
            for (item, file) in chosen {
                offline::keep_photo(&self.token(), &item.thumb, &file).await;
                let id = item.id;
                self.photos.update(|ps| ps.push(item));
                self.files
                    .update_value(|fs| fs.push((id, file.clone().into())));
                spawn_local(self.work(id));
            }
        });
    }

    /// One photo's next step, as one task: shrink and hash it (then queue
    /// it, or say why not), or upload it. A dropped connection sends it again
    /// by itself after a pause (the server stores by hash: twice is once).
    async fn work(self, id: u32) {
        let Some(file) = self.blob(id) else { return };
        let state = self
            .photos
            .with_untracked(|ps| ps.iter().find(|p| p.id == id).map(|p| p.state.clone()));
        if state == Some(PhotoState::Sending) {
            let mut bar = String::from("up-");
            bar.push_str(&id.to_string());
            let result = photos::js::upload(&self.token(), &file, &bar).await;
            if self.has_photo(id) {
                self.sent(id, result).await;
            }
        } else {
            self.prepare(id, &file).await;
        }
        self.pump();
    }

    async fn prepare(self, id: u32, file: &web_sys::Blob) {
        let result = photos::js::prepare(file).await;
        if !self.has_photo(id) {
            return; // removed meanwhile
        }
        let ready = match result {
            Ok(ready) => ready,
            Err(_) => {
                // photos.js could not be fetched (no connection yet).
                self.set_photo(
                    id,
                    PhotoState::Failed {
                        message: t!(
                            "Couldn't get this photo ready. Check the connection, then tap Retry."
                        )
                        .to_owned(),
                        retry: true,
                    },
                );
                return;
            }
        };
        let limits = self.ctx.with_value(|c| c.limits);
        let (others, same, restored) = self.photos.with_untracked(|ps| {
            let others = ps
                .iter()
                .filter(|p| p.id != id && !matches!(p.state, PhotoState::Failed { .. }))
                .map(|p| p.bytes)
                .sum::<u64>();
            let restored = ps.iter().any(|p| p.id == id && p.restored);
            (
                others,
                photos::same_as_another(ps, id, &ready.sha256),
                restored,
            )
        });
        if same && restored {
            self.remove_photo(id);
            return;
        }
        let problem = if same {
            Some(t!("That photo is already attached.").to_owned())
        } else {
            draft::check_photo(&limits, 0, others, t!("This photo"), ready.bytes).err()
        };
        if let Some(m) = problem {
            self.remove_photo(id);
            self.photo_notice.set(Some(m));
            return;
        }
        offline::replace_photo(&self.token(), &self.thumb(id), &ready.blob);
        self.files.update_value(|fs| {
            if let Some(f) = fs.iter_mut().find(|(i, _)| *i == id) {
                f.1 = ready.blob;
            }
        });
        self.photos.update(|ps| {
            if let Some(p) = ps.iter_mut().find(|p| p.id == id) {
                p.sha256 = ready.sha256;
                p.bytes = ready.bytes;
                p.state = PhotoState::Waiting;
            }
        });
    }

    /// Start the waiting photos that fit in the upload slots.
    fn pump(self) {
        for id in self.photos.with_untracked(|ps| photos::to_start(ps)) {
            self.set_photo(id, PhotoState::Sending);
            spawn_local(self.work(id));
        }
    }

    async fn sent(self, id: u32, result: Result<(String, u64), Failure>) {
        match result {
            Ok((sha256, bytes)) => {
                let duplicate = self.photos.with_untracked(|ps| {
                    ps.iter()
                        .any(|p| p.id != id && p.state == PhotoState::Done(sha256.clone()))
                });
                self.files.update_value(|fs| fs.retain(|(i, _)| *i != id));
                if duplicate {
                    self.remove_photo(id);
                    self.photo_notice
                        .set(Some(t!("That photo is already attached.").to_owned()));
                } else {
                    self.draft.update(|d| {
                        d.add_photo(SavedPhoto {
                            sha256: sha256.clone(),
                            bytes,
                        })
                    });
                    // Attached once the saved draft names it, and only then
                    // is its kept copy marked as on the server: a page
                    // closed between the two finds the copy still to send,
                    // and drops it as the same photo once hashed (`prepare`).
                    if let Some(text) = self.draft_text() {
                        offline::store_draft(&self.token(), &text).await;
                    }
                    if self.has_photo(id) {
                        offline::photo_uploaded(&self.token(), &self.thumb(id), &sha256);
                        self.set_photo(id, PhotoState::Done(sha256));
                    } else {
                        // Removed meanwhile.
                        self.draft.update(|d| d.remove_photo(&sha256));
                    }
                }
            }
            Err(e) if photos::retryable(&e) => {
                let mut attempt = 0;
                self.photos.update(|ps| {
                    if let Some(p) = ps.iter_mut().find(|p| p.id == id) {
                        p.attempts += 1;
                        attempt = p.attempts;
                    }
                });
                match photos::retry_after(attempt) {
                    Some(ms) => {
                        self.set_photo(id, PhotoState::Paused);
                        set_timeout(
                            move || {
                                let paused = self.photos.with_untracked(|ps| {
                                    ps.iter()
                                        .any(|p| p.id == id && p.state == PhotoState::Paused)
                                });
                                if paused {
                                    self.set_photo(id, PhotoState::Waiting);
                                    self.pump();
                                }
                            },
                            std::time::Duration::from_millis(ms.into()),
                        );
                    }
                    None => self.set_photo(
                        id,
                        PhotoState::Failed {
                            message: e.message().to_owned(),
                            retry: true,
                        },
                    ),
                }
            }
            Err(e) => self.set_photo(
                id,
                PhotoState::Failed {
                    message: e.message().to_owned(),
                    retry: false,
                },
            ),
        }
    }

    /// Try this photo again now: upload it, or first make it smaller when
    /// that is what failed.
    pub fn retry_photo(self, id: u32) {
        let prepared = self
            .photos
            .with_untracked(|ps| ps.iter().any(|p| p.id == id && !p.sha256.is_empty()));
        self.photos.update(|ps| {
            if let Some(p) = ps.iter_mut().find(|p| p.id == id) {
                p.attempts = 0;
                p.state = if prepared {
                    PhotoState::Waiting
                } else {
                    PhotoState::Preparing
                };
            }
        });
        if prepared {
            self.pump();
        } else {
            spawn_local(self.work(id));
        }
    }

    pub fn remove_photo(self, id: u32) {
        let item = self
            .photos
            .with_untracked(|ps| ps.iter().find(|p| p.id == id).cloned());
        if let Some(p) = item {
            let key = match &p.state {
                PhotoState::Done(sha) => {
                    self.draft.update(|d| d.remove_photo(sha));
                    sha
                }
                _ => &p.thumb,
            };
            offline::drop_photo(&self.token(), key);
            browser::revoke_object_url(&p.thumb);
        }
        self.photos.update(|ps| ps.retain(|p| p.id != id));
        self.files.update_value(|fs| fs.retain(|(i, _)| *i != id));
    }

    /// Every photo is uploaded, or made smaller and waiting (for its turn, a
    /// retry or a connection) with its Blob on this phone: the outbox can
    /// send them with the intake, so Submit need not wait. A photo still
    /// being made smaller is not ready (its kept Blob is the original).
    pub fn photos_wait_for_connection(self) -> bool {
        self.photos.with_untracked(|ps| {
            ps.iter().all(|p| match &p.state {
                PhotoState::Done(_) => true,
                PhotoState::Preparing => false,
                PhotoState::Failed { retry, .. } => *retry && p.thumb.starts_with("blob:"),
                PhotoState::Waiting | PhotoState::Sending | PhotoState::Paused => {
                    p.thumb.starts_with("blob:")
                }
            })
        })
    }

    /// Submit without a connection: queue the intake (its id, the body, the
    /// draft's photos) on this phone; offline.js sends it by itself.
    pub async fn queue(self, id: Uuid, body: &str) -> bool {
        let (token, asset) = self
            .ctx
            .with_value(|c| (c.token().to_owned(), c.asset.name.clone()));
        if !offline::queue(&token, &id, body, &asset).await {
            return false;
        }
        self.queued.set(true);
        self.reset();
        true
    }

    /// Submitted: show the receipt, start a fresh draft, keep the technician.
    pub fn finish(self, receipt: Receipt, changed_after_sending: bool) {
        self.queued.set(false);
        self.done.set(Some((receipt, changed_after_sending)));
        self.reset();
        self.load_recent();
    }

    /// A fresh draft (a new intake, a new id when submitted), no photos.
    fn reset(self) {
        self.draft.update(Draft::clear);
        self.save_draft();
        offline::clear_draft_photos(&self.token());
        let old = self
            .photos
            .with_untracked(|ps| ps.iter().map(|p| p.thumb.clone()).collect::<Vec<_>>());
        for t in old {
            browser::revoke_object_url(&t);
        }
        self.photos.set(Vec::new());
        self.files.set_value(Vec::new());
        self.photo_notice.set(None);
        self.send_error.set(None);
        self.server_errors.set(Vec::new());
        self.answer_error.set(None);
        browser::scroll_to_top();
    }

    /// The document's title on a screen (the confirmation's is the
    /// engine's, set by `done_screen`).
    fn title(self, screen: Screen) -> Option<String> {
        let mut t = match screen {
            Screen::Notes(..) => String::new(),
            Screen::Review => String::from(t!("Check the case · ")),
            Screen::Done => return None,
        };
        self.ctx.with_value(|c| t.push_str(&c.asset.name));
        t.push_str(" · fieldcase");
        Some(t)
    }

    /// The id for this intake, made once and saved before the first attempt.
    pub fn intake_id(self) -> uuid::Uuid {
        let mut id = None;
        self.draft
            .update(|d| id = Some(d.intake_id_or(browser::new_intake_id)));
        self.save_draft();
        id.unwrap_or_else(browser::new_intake_id)
    }
}

const REVIEW_ENTRY: &str = "review";
const DONE_ENTRY: &str = "done";

/// The history entry a screen has: the notes are the page's own entry, the
/// review and the confirmation each push one, so Back returns to the
/// previous screen instead of leaving the app.
fn history_key(screen: Screen) -> Option<&'static str> {
    match screen {
        Screen::Notes(..) => None,
        Screen::Review => Some(REVIEW_ENTRY),
        Screen::Done => Some(DONE_ENTRY),
    }
}

/// Keep the browser's history in step with the screen shown.
fn sync_history(screen: Screen, first: bool) {
    let want = history_key(screen);
    let have = browser::history_state();
    if want == have.as_deref() {
        return;
    }
    match (want, have.is_some()) {
        // Left by the app's own buttons: the entry goes as Back would.
        // (At start, e.g. reloaded after sending, just relabel it.)
        (None, _) if !first => browser::history_back(),
        (want, replace) => browser::history_set(want, replace),
    }
}

#[component]
fn FlowView(ctx: Ctx, saved: Option<String>) -> impl IntoView {
    let f = Flow::new(ctx, saved);
    let screen = Memo::new(move |_| f.screen());
    // Each screen: its title, its history entry, and (after the first) the
    // keyboard focus on its heading, so a screen reader starts there.
    Effect::new(move |prev: Option<Screen>| {
        let s = screen.get();
        if let Some(title) = f.title(s) {
            browser::set_title(&title);
        }
        sync_history(s, prev.is_none());
        if prev.is_some_and(|p| p != s) {
            let heading = match s {
                Screen::Notes(..) => "asset-name",
                Screen::Review => "review-h",
                Screen::Done => "done-h",
            };
            set_timeout(move || browser::focus(heading), std::time::Duration::ZERO);
        }
        s
    });
    let _ = window_event_listener_untyped("popstate", move |_| f.popped(browser::history_state()));
    // Back online: photos that gave up (or are pausing) go again by
    // themselves, with no tap on Retry.
    let _ = window_event_listener_untyped("online", move |_| {
        for id in f.photos.with_untracked(|ps| photos::to_retry_online(ps)) {
            f.retry_photo(id);
        }
    });
    move || match screen.get() {
        Screen::Notes(amending, _) => EitherOf3::A(notes_screen(f, amending)),
        Screen::Review => EitherOf3::B(view! { <ReviewScreen f /> }),
        Screen::Done => EitherOf3::C(done_screen(f)),
    }
}

/// The photos of a draft, as this screen lists them, numbered from `first`.
fn photo_items(token: &str, d: &Draft, first: u32) -> Vec<PhotoItem> {
    d.photos
        .iter()
        .zip(first..)
        .map(|(p, id)| PhotoItem {
            sha256: p.sha256.clone(),
            state: PhotoState::Done(p.sha256.clone()),
            ..PhotoItem::new(id, api::thumb_path(token, &p.sha256), p.bytes)
        })
        .collect()
}

/// The technician's recent submissions here, under the asset card, drawn
/// by the review engine (`OP_RECENT`: none of it in the first load) once
/// both it and the list are here; drawn again as a whole when anything in
/// it changes (it is short). One listener answers a returned one's button.
fn recent_section(f: Flow) -> impl IntoView {
    move || {
        let list = f.recent.get()?;
        if f.engine.get() != Engine::Ready {
            return None;
        }
        let mut input = String::new();
        let mut o = Obj::new(&mut input);
        o.raw("list", &list);
        o.raw("now", &js_sys::Date::now().to_string());
        if let Some(id) = f.answering.get() {
            o.str("answering", draft::uuid_str(&id, &mut [0; 36]));
        }
        o.opt_str("error", f.answer_error.get().as_deref());
        o.end();
        let html = engine::call(OP_RECENT, &input).and_then(|a| review::parse_render(&a))?;
        let click = move |ev: leptos::ev::MouseEvent| {
            if let Some(id) =
                browser::closest_data(&ev, "data-answer").and_then(|id| Uuid::try_parse(&id).ok())
            {
                f.answer(id);
            }
        };
        Some(view! { <div inner_html=html on:click=click></div> })
    }
}

/// The dispatcher's question, above the notes, while answering it.
fn amend_banner(f: Flow) -> impl IntoView {
    let a = f
        .draft
        .with_untracked(|d| d.amend.clone())
        .unwrap_or_default();
    view! {
        <section class="card amend" aria-labelledby="amend-h">
            <h2 id="amend-h">"A dispatcher asks about " {a.reference}</h2>
            <p class="question">{a.question}</p>
            <p class="hint">
                "Answer in your notes, change photos or fields if needed, then review and send it again. It stays the same report."
            </p>
            <button type="button" class="link" on:click=move |_| f.discard_amend()>
                "Discard my changes"
            </button>
        </section>
    }
}

fn unsaved_warning(f: Flow) -> impl IntoView {
    view! {
        <p class="alert" role="alert" hidden=move || !f.unsaved.get()>
            "This browser is not saving your work (its storage is full or blocked). Keep this page open until you submit."
        </p>
    }
}

pub fn asset_card(a: &Asset) -> impl IntoView + use<> {
    let mut site = a.site.clone();
    if let Some(l) = &a.location {
        site.push_str(" — ");
        site.push_str(l);
    }
    let unseen = a.name == crate::context::UNSEEN_NAME;
    let installed = a.install_date.clone().map(|d| {
        view! {
            <div>
                <dt>"Installed"</dt>
                <dd>{d}</dd>
            </div>
        }
    });
    view! {
        <section class="asset" aria-labelledby="asset-name">
            <p class="eyebrow">"Equipment"</p>
            <h1 id="asset-name" tabindex="-1">{a.name.clone()}</h1>
            <p class="hint" hidden=!unseen>
                "No connection, and this link was not opened on this phone before. Write your notes and take photos now: they're saved on this phone, and the details load when you're back online."
            </p>
            <dl class="facts" hidden=unseen>
                <div>
                    <dt>"Model"</dt>
                    <dd>{a.model.clone()}</dd>
                </div>
                <div>
                    <dt>"Serial"</dt>
                    <dd>{a.serial_number.clone()}</dd>
                </div>
                <div>
                    <dt>"Account"</dt>
                    <dd>{a.account_name.clone()}</dd>
                </div>
                <div>
                    <dt>"Site"</dt>
                    <dd>{site}</dd>
                </div>
                {installed}
            </dl>
        </section>
    }
}

fn detail_input(
    f: Flow,
    detail: Detail,
    id: &'static str,
    label: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
) -> impl IntoView {
    let max = f
        .ctx
        .with_value(|c| c.detail_max[detail as usize].map(|n| n.to_string()));
    let required = detail == Detail::Name;
    view! {
        <div class="field">
            <label for=id>
                {label}
                {if required {
                    view! { <span class="req">" (required)"</span> }
                } else {
                    view! { <span class="opt">" (optional)"</span> }
                }}
            </label>
            <input
                id=id
                type=kind
                autocomplete=autocomplete
                maxlength=max
                aria-required=required.then_some("true")
                prop:value=f.tech.with_untracked(|t| detail.get(t).to_owned())
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    f.tech.update(|t| detail.set(t, v));
                }
            />
        </div>
    }
}

/// One photo of the list (the list is drawn again whenever it changes, so
/// its position `n` is always right).
fn photo_row(f: Flow, n: usize, p: PhotoItem) -> impl IntoView {
    let id = p.id;
    let n = (n + 1).to_string();
    let alt = fill(t!("Photo {}"), &[&n]);
    let remove = fill(t!("Remove photo {}"), &[&n]);
    // A photo waiting for a connection is on this phone: show it.
    let failed = matches!(p.state, PhotoState::Failed { retry: false, .. });
    let text = p.status().to_owned();
    let thumb = if failed {
        Either::Left(view! { <span class="thumb broken" aria-hidden="true">"!"</span> })
    } else {
        Either::Right(view! {
            <img
                class="thumb"
                src=p.thumb
                alt=alt
                width="64"
                height="64"
                decoding="async"
            />
        })
    };
    // One shape for every state: the line, a progress bar while sending,
    // and Retry when it may help.
    let (class, role, retry) = match p.state {
        PhotoState::Done(_) => ("status ok", None, false),
        PhotoState::Failed { retry, .. } => ("err", Some("alert"), retry),
        _ => ("status", None, false),
    };
    let bar = (p.state == PhotoState::Sending).then(|| {
        let label = fill(t!("Upload of photo {}"), &[&n]);
        let mut bar = String::from("up-");
        bar.push_str(&id.to_string());
        // photos.js moves it as the bytes go.
        view! { <progress id=bar class="bar" aria-label=label></progress> }
    });
    // Location, for this photo only: offline.js draws the toggle and its
    // line into this slot (and again each time the list is drawn), asks the
    // browser on a tap and keeps the answer on the phone.
    let sha = match &p.state {
        PhotoState::Done(sha) => sha.clone(),
        _ => p.sha256.clone(),
    };
    let loc = (!sha.is_empty() && !failed)
        .then(|| view! { <div class="loc-slot" data-loc=sha data-n=n.clone() data-row=id.to_string()></div> });
    let status = view! {
        <p class=class role=role>{text}</p>
        {bar}
        {loc}
        {retry.then(|| {
            view! {
                <button type="button" class="btn small" on:click=move |_| f.retry_photo(id)>
                    "Retry"
                </button>
            }
        })}
    };
    view! {
        <li class="photo" class:failed=failed>
            {thumb}
            <div class="photo-info">{status}</div>
            <button
                type="button"
                class="btn small"
                aria-label=remove
                on:click=move |_| f.remove_photo(id)
            >
                "Remove"
            </button>
        </li>
    }
}

/// Files chosen with either photo button.
fn chosen(f: Flow, ev: &web_sys::Event) {
    let input = event_target::<web_sys::HtmlInputElement>(ev);
    if let Some(list) = input.files() {
        f.add_files(list);
    }
    input.set_value("");
}

fn photos_section(f: Flow) -> impl IntoView {
    let limits = f.ctx.with_value(|c| c.limits);
    let hint = fill(
        t!("Up to {} photos, each up to {}."),
        &[
            &limits.max_photos.to_string(),
            &draft::megabytes(limits.max_photo_bytes),
        ],
    );
    view! {
        <section class="card" aria-labelledby="photos-h">
            <h2 id="photos-h">"Photos"</h2>
            <ul class="photos">
                {move || {
                    f.photos
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(n, p)| photo_row(f, n, p))
                        .collect_view()
                }}
            </ul>
            {move || f.photo_notice.get().map(|m| view! { <p class="err" role="alert">{m}</p> })}
            <div class="photo-btns">
                <label class="btn secondary file-btn" for="photo-camera">
                    "Take photo"
                </label>
                <input
                    id="photo-camera"
                    class="visually-hidden"
                    type="file"
                    accept="image/*"
                    capture="environment"
                    on:change=move |ev| chosen(f, &ev)
                />
                <label class="btn secondary file-btn" for="photo-input">
                    "Choose from gallery"
                </label>
                <input
                    id="photo-input"
                    class="visually-hidden"
                    type="file"
                    accept="image/*"
                    multiple
                    on:change=move |ev| chosen(f, &ev)
                />
            </div>
            <p class="hint">{hint}</p>
        </section>
    }
}

fn notes_screen(f: Flow, amending: Option<Uuid>) -> impl IntoView {
    let (card, max_notes) = f
        .ctx
        .with_value(|c| (asset_card(&c.asset), c.limits.max_notes_chars.to_string()));
    let above = if amending.is_some() {
        Either::Left(amend_banner(f))
    } else {
        Either::Right(recent_section(f))
    };
    view! {
        <main class="page">
            {card}
            {above}
            {unsaved_warning(f)}
            <section class="card">
                <label for="notes" class="big-label">
                    "What did you find?"
                </label>
                <p class="hint" id="notes-hint">
                    "Type it as it comes: symptoms, readings, error codes. It's saved on this phone as you type."
                </p>
                <textarea
                    id="notes"
                    rows="8"
                    maxlength=max_notes
                    aria-describedby="notes-hint"
                    // While a returned report loads into the draft, typing
                    // here would be replaced by it: wait for it.
                    prop:readOnly=move || f.answering.get().is_some()
                    prop:value=f.draft.with_untracked(|d| d.notes.clone())
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        f.draft.update(|d| d.notes = v);
                    }
                ></textarea>
            </section>
            {photos_section(f)}
            <section class="card" aria-labelledby="you-h">
                <h2 id="you-h">"Your details"</h2>
                <p class="hint">"Remembered on this phone for next time."</p>
                {detail_input(f, Detail::Name, "tech-name", t!("Your name"), "text", "name")}
                {detail_input(f, Detail::Email, "tech-email", t!("Your email"), "email", "email")}
                {detail_input(f, Detail::Phone, "tech-phone", t!("Your phone"), "tel", "tel")}
            </section>
            <div class="actions">
                <button type="button" class="btn primary" on:click=move |_| f.set_reviewing(true)>
                    "Review"
                </button>
            </div>
        </main>
    }
}

/// The confirmation, sent or queued on this phone (the status panel, `#net`,
/// then shows it waiting, and its reference once sent): drawn by the review
/// engine (`OP_DONE`), which the review before it always loaded, so none of
/// it is in the first load.
fn done_screen(f: Flow) -> impl IntoView {
    let queued = f.queued.get_untracked();
    let done = f.done.get_untracked();
    let (subject, priority) = f.sent.get_value();
    let mut input = String::new();
    let mut o = Obj::new(&mut input);
    if queued {
        o.raw("queued", "true");
    } else if let Some((r, changed)) = &done {
        let mut receipt = String::new();
        let mut ro = Obj::new(&mut receipt);
        ro.str("reference", &r.reference);
        ro.str("status", r.status.as_str());
        ro.raw("photo_count", &r.photo_count.to_string());
        ro.opt_str("case_number", r.case_number.as_deref());
        ro.end();
        o.raw("receipt", &receipt);
        o.raw("changed", if *changed { "true" } else { "false" });
    }
    f.ctx.with_value(|c| o.str("asset", &c.asset.name));
    o.str("subject", &subject);
    o.str("priority", &priority);
    o.end();
    let out = engine::call(OP_DONE, &input).and_then(|a| review::parse_done(&a));
    let html = match out {
        Some((html, title)) => {
            browser::set_title(&title);
            html
        }
        // Not reached (the review needed the engine); the reference at least.
        None => done.map(|(r, _)| r.reference).unwrap_or_default(),
    };
    let click = move |ev: leptos::ev::MouseEvent| {
        if browser::closest_data(&ev, "data-another").is_some() {
            f.queued.set(false);
            f.done.set(None);
            browser::scroll_to_top();
        } else {
            browser::copy_clicked(&ev);
        }
    };
    view! { <main class="page done" inner_html=html on:click=click></main> }
}
