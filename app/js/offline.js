// fieldcase offline: the draft, its photos (as Blobs) and the outbox in
// IndexedDB, and the one sender of queued intakes.
//
// One classic script shared by the page (loaded after first paint by
// js/net.js with a dynamic import) and the service worker (importScripts in
// sw.js), so both send the outbox the same way. It defines `self.fcOffline`
// and nothing else; no import or export, so both loaders accept it.
// Hand-written (a few dozen lines of IndexedDB) rather than an npm package:
// nothing to bundle, and it is never in the first load.
//
// Stores (database "fieldcase", version 1):
//   drafts  key: asset token          value: the draft's JSON text (app/src/draft.rs)
//   photos  key: "<token>/<photo key>" value: {token, key, owner, blob, sha, at}
//           owner: "draft" while on the notes screen, else the intake id it
//           was queued with; sha: its SHA-256 once the server stored it
//   outbox  key: intake id           value: see queue()
//   meta    key: name                value: anything (lastSent)
//
// Every function returns a promise and never throws at its caller: a
// failure is an answer (false, null), shown to the technician by the app.
(function (self) {
  'use strict';
  const DB = 'fieldcase';
  const LEGACY_DRAFT = 'fieldcase.draft.';
  const SYNC_TAG = 'fieldcase-outbox';
  const API = '/api/v1';

  // The page's words: English here, the page's language from the
  // <meta name="fieldcase-words"> the server writes into a page that is not
  // in English (server/src/i18n.rs; the keys are what its t() calls are given).
  const WORDS = (() => {
    try {
      return JSON.parse(self.document.querySelector('meta[name="fieldcase-words"]').content);
    } catch (_) {
      return {};
    }
  })();
  const t = (english) => WORDS[english] || english;
  /** `template` with each `{}` replaced, in order, by the next of `parts`. */
  const fill = (template, ...parts) => template.replace(/\{\}/g, () => String(parts.shift() ?? ''));

  // ---------------------------------------------------------------- pure

  /** Delay before the next try after `tries` failed ones: 5 s doubling to 5 min, ±20 % jitter. */
  function backoff(tries, random) {
    const base = Math.min(5000 * Math.pow(2, Math.max(0, tries)), 300000);
    return Math.round(base * (0.8 + 0.4 * (random === undefined ? Math.random() : random)));
  }

  /**
   * How times are written: the page's language, in the phone's region when
   * the phone speaks that language ("en-GB" → 14:02, "en-US" → 2:02 PM,
   * "es" → 14:02).
   */
  function locale() {
    const page = (self.document && self.document.documentElement.lang) || 'en';
    const phone = (self.navigator && self.navigator.language) || '';
    return phone.toLowerCase().startsWith(page.toLowerCase()) ? phone : page;
  }

  /** The phone's clock at `ms`, as `loc` writes a time of day. */
  function clock(ms, loc = locale()) {
    const d = new Date(ms);
    try {
      return d.toLocaleTimeString(loc, { hour: 'numeric', minute: '2-digit' });
    } catch (_) {
      return String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
    }
  }

  /** The status line: "Offline · 2 waiting to send · last sent 14:02". */
  function statusLine(online, items, lastSent, loc = locale()) {
    const parts = [online ? t('Online') : t('Offline')];
    const waiting = items.filter((i) => i.state === 'waiting' || i.state === 'sending').length;
    if (waiting) parts.push(fill(t('{} waiting to send'), waiting));
    if (lastSent) parts.push(fill(t('last sent {}'), clock(lastSent, loc)));
    return parts.join(' · ');
  }

  /** One queued intake, as a person reads it. */
  function itemLine(item, now, loc = locale()) {
    const what = item.asset || t('Report');
    switch (item.state) {
      case 'sent':
        return fill(t('{}: sent, reference {}.'), what, item.reference);
      case 'sending':
        return fill(t('{}: sending…'), what);
      case 'refused':
        return fill(t('{}: not sent — {}'), what, item.error);
      default: {
        if (item.next && item.next > now) {
          return fill(t('{}: waiting to send, next try at {}.'), what, clock(item.next, loc));
        }
        return fill(t('{}: waiting to send.'), what);
      }
    }
  }

  /**
   * What to do after an answer: "ok", "retry" (no answer, or the server
   * asks to wait) or "refused" (sending it again cannot help).
   */
  function outcome(status) {
    if (status >= 200 && status < 300) return 'ok';
    if (status === 0 || status === 408 || status === 429 || status >= 500) return 'retry';
    return 'refused';
  }

  /** The submission body with the photos uploaded from the outbox added (once each, in order). */
  function withPhotos(body, shas) {
    const sub = JSON.parse(body);
    const list = Array.isArray(sub.photos) ? sub.photos.slice() : [];
    for (const sha of shas) if (sha && !list.includes(sha)) list.push(sha);
    sub.photos = list;
    return JSON.stringify(sub);
  }

  // ----------------------------------------------------------- IndexedDB

  let opening = null;
  function db() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const req = self.indexedDB.open(DB, 1);
        req.onupgradeneeded = () => {
          const d = req.result;
          for (const s of ['drafts', 'photos', 'outbox', 'meta']) {
            if (!d.objectStoreNames.contains(s)) d.createObjectStore(s);
          }
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
        req.onblocked = () => reject(new Error('blocked'));
      });
      opening.catch(() => {
        opening = null;
      });
    }
    return opening;
  }

  function done(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  /** Run `fn(store)` in one transaction; resolves with fn's value once committed. */
  async function tx(store, mode, fn) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const t = d.transaction(store, mode);
      let value;
      t.oncomplete = () => resolve(value);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error || new Error('aborted'));
      Promise.resolve(fn(t.objectStore(store))).then(
        (v) => {
          value = v;
        },
        (e) => {
          try {
            t.abort();
          } catch (_) {}
          reject(e);
        },
      );
    });
  }

  const get = (store, key) => tx(store, 'readonly', (s) => done(s.get(key)));
  const put = (store, key, value) => tx(store, 'readwrite', (s) => done(s.put(value, key)));
  const del = (store, key) => tx(store, 'readwrite', (s) => done(s.delete(key)));
  const all = (store, range) => tx(store, 'readonly', (s) => done(s.getAll(range)));
  const prefix = (token) => IDBKeyRange.bound(token + '/', token + '/\uffff');

  function legacyStorage() {
    try {
      return self.localStorage || null;
    } catch (_) {
      return null;
    }
  }

  // -------------------------------------------------------------- drafts

  /**
   * The saved draft's text for an asset, or null. A draft in localStorage is
   * moved here once: copied, and removed there only after IndexedDB has it.
   * It is the newer copy whenever there is one: an older version's draft
   * (moved before anything else is saved here), or what `saveDraft` kept
   * there when IndexedDB refused a write — after which IndexedDB's copy is
   * stale. Without IndexedDB the localStorage copy is used as before.
   */
  async function loadDraft(token) {
    const ls = legacyStorage();
    const legacy = ls && ls.getItem(LEGACY_DRAFT + token);
    try {
      if (legacy == null) return await get('drafts', token);
      await put('drafts', token, legacy);
      ls.removeItem(LEGACY_DRAFT + token);
      return legacy;
    } catch (_) {
      return legacy;
    }
  }

  const NOT_SAVING = t(
    'This browser is not saving your work (its storage is full or blocked). Keep this page open until you submit.',
  );
  let unsaved = false;

  /**
   * Save (or, with null, forget) the draft's text; false when nothing could
   * keep it, which the status panel then says until a save succeeds.
   */
  async function saveDraft(token, text) {
    let ok = true;
    try {
      if (text == null) await del('drafts', token);
      else await put('drafts', token, text);
      // A copy an earlier refused write left in localStorage is stale now.
      try {
        legacyStorage()?.removeItem(LEGACY_DRAFT + token);
      } catch (_) {}
    } catch (_) {
      const ls = legacyStorage();
      try {
        if (text == null) ls.removeItem(LEGACY_DRAFT + token);
        else ls.setItem(LEGACY_DRAFT + token, text);
      } catch (_) {
        ok = false;
      }
    }
    if (ok !== !unsaved) {
      unsaved = !ok;
      if (self.document) render();
    }
    return ok;
  }

  // -------------------------------------------------------------- photos

  /**
   * Keep a chosen photo's Blob with the draft, before it is uploaded, under
   * `key`: the page's blob: URL of it (unique; a new one after a reload).
   */
  async function keepPhoto(token, key, blob) {
    try {
      await put('photos', token + '/' + key, { token, key, owner: 'draft', blob, sha: null, at: Date.now() });
      if (self.document) checkStorage().then(render);
      return true;
    } catch (_) {
      unsaved = true;
      if (self.document) render();
      return false;
    }
  }

  /**
   * Replace a kept photo's Blob by its smaller copy, in its place in the
   * order. Only while it is still kept: a write that lands after the photo
   * was dropped, sent, or taken up under a new key by a reload
   * (pendingPhotos) must not bring it back a second time.
   */
  async function replacePhoto(token, key, blob) {
    try {
      await tx('photos', 'readwrite', async (s) => {
        const p = await done(s.get(token + '/' + key));
        if (p && !p.sha) await done(s.put(Object.assign(p, { blob }), token + '/' + key));
      });
      return true;
    } catch (_) {
      return false;
    }
  }

  /**
   * The photo kept as `key` is on the server as `sha`: remember it (the Blob
   * stays until the intake is sent), and keep its thumbnail for showing it
   * offline.
   */
  async function photoUploaded(token, key, sha) {
    try {
      let blob = null;
      await tx('photos', 'readwrite', async (s) => {
        const p = await done(s.get(token + '/' + key));
        if (p) {
          blob = p.blob;
          await done(s.put(Object.assign(p, { sha }), token + '/' + key));
        }
      });
      // The photo's thumbnail, for an offline reload: the phone's own copy,
      // cached at once (no second download, so no race with a signal that
      // drops just after the upload).
      if (self.caches && blob) {
        const url = API + '/assets/' + token + '/photos/' + sha + '/thumb';
        const headers = { 'content-type': blob.type || 'image/jpeg' };
        self.caches
          .open('fieldcase-data')
          .then((c) => c.put(url, new Response(blob, { headers })))
          .catch(() => {});
      }
      return true;
    } catch (_) {
      return false;
    }
  }

  /** Forget a draft's photo, by its key or its hash. */
  async function dropPhoto(token, keyOrSha) {
    try {
      await tx('photos', 'readwrite', async (s) => {
        for (const p of await done(s.getAll(prefix(token)))) {
          if (p.owner === 'draft' && (p.key === keyOrSha || p.sha === keyOrSha)) {
            await done(s.delete(token + '/' + p.key));
          }
        }
      });
    } catch (_) {}
    return true;
  }

  /**
   * The draft's photos not on the server yet, oldest first, for the page to
   * show and upload again: [url, file, url, file, …], each under a new
   * blob: URL of this page, which becomes its key.
   */
  async function pendingPhotos(token) {
    const out = [];
    try {
      await tx('photos', 'readwrite', async (s) => {
        const list = await done(s.getAll(prefix(token)));
        list.sort((a, b) => a.at - b.at);
        for (const p of list) {
          if (p.owner !== 'draft' || p.sha) continue;
          await done(s.delete(token + '/' + p.key));
          p.key = URL.createObjectURL(p.blob);
          await done(s.put(p, token + '/' + p.key));
          out.push(p.key, p.blob instanceof File ? p.blob : new File([p.blob], 'photo', { type: p.blob.type }));
        }
      });
    } catch (_) {}
    return out;
  }

  /** Forget the draft's photos (a new report; queued ones are not the draft's any more). */
  async function clearDraftPhotos(token) {
    try {
      localStorage.removeItem(locKey(token));
    } catch (_) {}
    try {
      await tx('photos', 'readwrite', async (s) => {
        const keys = await done(s.getAllKeys(prefix(token)));
        for (const k of keys) {
          const p = await done(s.get(k));
          if (p && p.owner === 'draft') await done(s.delete(k));
        }
      });
    } catch (_) {}
    return true;
  }

  // ------------------------------------------------------------ location
  // A photo's location, only when the technician taps "Add location" on its
  // row: asked of the browser then (never before), kept on this phone per
  // asset as {sha256: entry} in localStorage, and sent as the submission's
  // photo_locations (the app passes this map to the review engine), never
  // written into the photo's file. The words shown are all here.

  const LOC_TEXT = {
    button: t('Add location'),
    label: (n) => fill(t('Add location to photo {}'), n),
    finding: t('Finding your location…'),
    added: (m) => fill(t('Location added (±{} m)'), m),
    denied: t('Location is blocked for this site. Allow it in the browser settings, then tap again.'),
    unavailable: t("Couldn't find your location. Try near a window or outside, then tap again."),
    timeout: t('Finding your location took too long. Tap again to try once more.'),
    vague: t('Your location is too imprecise to attach. Try outside, then tap again.'),
    none: t("This browser can't share a location."),
  };
  const MAX_ACCURACY_M = 100000;

  const locKey = (token) => 'fieldcase.loc.' + token;

  /** What to keep of a position: degrees, and metres (at least 1). */
  function locationEntry(c) {
    const accuracy = Math.max(1, Math.ceil(Number(c.accuracy) || 0));
    if (accuracy > MAX_ACCURACY_M) return { error: LOC_TEXT.vague };
    return {
      latitude: c.latitude,
      longitude: c.longitude,
      accuracy_m: accuracy,
      msg: LOC_TEXT.added(accuracy),
    };
  }

  /** A GeolocationPositionError (code 1 denied, 2 unavailable, 3 timeout) in words. */
  function locationError(e) {
    const code = e && e.code;
    return { error: code === 1 ? LOC_TEXT.denied : code === 3 ? LOC_TEXT.timeout : LOC_TEXT.unavailable };
  }

  function readLocs(token) {
    try {
      const m = JSON.parse(localStorage.getItem(locKey(token)));
      return m && typeof m === 'object' && !Array.isArray(m) ? m : {};
    } catch (_) {
      return {};
    }
  }

  function writeLocs(token, m) {
    try {
      if (Object.keys(m).length) localStorage.setItem(locKey(token), JSON.stringify(m));
      else localStorage.removeItem(locKey(token));
    } catch (_) {}
  }

  /** The asset's link token of this page (`/a/{token}`). */
  const pageToken = () => decodeURIComponent(self.location.pathname.split('/')[2] || '');

  /** Show row `row`'s toggle and line as they stand. */
  function paintLocation(row, on, text, err) {
    const b = document.getElementById('loc-' + row);
    const m = document.getElementById('locmsg-' + row);
    if (b) b.setAttribute('aria-pressed', String(on));
    if (m) {
      m.textContent = text;
      m.className = err ? 'err' : 'status';
      m.setAttribute('role', err ? 'alert' : 'status');
    }
  }

  /**
   * Draw the toggle and line into each photo row's empty slot
   * (<div data-loc=sha256 data-n=N data-row=id>, drawn by the app), as kept.
   */
  function drawLocations() {
    const locs = readLocs(pageToken());
    for (const slot of document.querySelectorAll('div[data-loc]')) {
      if (slot.childElementCount) continue;
      const { loc: sha, n, row } = slot.dataset;
      const m = document.createElement('p');
      m.id = 'locmsg-' + row;
      const b = document.createElement('button');
      b.type = 'button';
      b.id = 'loc-' + row;
      b.className = 'btn small loc';
      b.setAttribute('aria-label', LOC_TEXT.label(n));
      b.textContent = LOC_TEXT.button;
      b.addEventListener('click', () => locate(pageToken(), sha, row));
      slot.append(m, b);
      const e = locs[sha];
      paintLocation(row, !!(e && e.latitude !== undefined), (e && (e.error || e.msg)) || '', !!(e && e.error));
    }
  }

  /** Switch photo `sha`'s location on (asking the browser) or off; `row` names its toggle and line. */
  async function locate(token, sha, row) {
    const locs = readLocs(token);
    if (locs[sha] && locs[sha].latitude !== undefined) {
      delete locs[sha];
      writeLocs(token, locs);
      paintLocation(row, false, '', false);
      return false;
    }
    let entry;
    if (!navigator.geolocation) {
      entry = { error: LOC_TEXT.none };
    } else {
      paintLocation(row, false, LOC_TEXT.finding, false);
      entry = await new Promise((ok) =>
        navigator.geolocation.getCurrentPosition(
          (p) => ok(locationEntry(p.coords)),
          (e) => ok(locationError(e)),
          { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
        ),
      );
    }
    const now = readLocs(token);
    now[sha] = entry;
    writeLocs(token, now);
    paintLocation(row, !entry.error, entry.error || entry.msg, !!entry.error);
    return !entry.error;
  }

  // -------------------------------------------------------------- outbox

  /**
   * Queue a submission: its intake id, the asset's link token, the body the
   * review engine made, and every photo of the draft (uploaded or not) now
   * belonging to it. One transaction: it is queued with its photos or not at
   * all. Then ask for it to be sent (Background Sync where the browser has
   * it, and at once).
   */
  async function queue(token, id, body, asset) {
    try {
      const d = await db();
      await new Promise((resolve, reject) => {
        const t = d.transaction(['outbox', 'photos'], 'readwrite');
        t.oncomplete = resolve;
        t.onerror = () => reject(t.error);
        t.onabort = () => reject(t.error || new Error('aborted'));
        const photos = t.objectStore('photos');
        const req = photos.getAll(prefix(token));
        req.onsuccess = () => {
          const keys = [];
          for (const p of req.result) {
            if (p.owner !== 'draft') continue;
            p.owner = id;
            keys.push(p.token + '/' + p.key);
            photos.put(p, p.token + '/' + p.key);
          }
          t.objectStore('outbox').put(
            { id, token, body, asset: asset || '', photos: keys, state: 'waiting', tries: 0, next: 0, queuedAt: Date.now() },
            id,
          );
        };
      });
    } catch (_) {
      return false;
    }
    requestSync();
    if (self.document) setTimeout(() => send(), 0);
    return true;
  }

  async function requestSync() {
    try {
      const reg = await self.navigator.serviceWorker.ready;
      if (reg.sync) await reg.sync.register(SYNC_TAG);
    } catch (_) {}
  }

  async function items() {
    try {
      return (await all('outbox')).sort((a, b) => a.queuedAt - b.queuedAt);
    } catch (_) {
      return [];
    }
  }

  /** fetch, with "no answer" as status 0. */
  async function call(method, url, body, json) {
    try {
      const res = await fetch(url, {
        method,
        body,
        headers: json ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' },
        cache: 'no-store',
      });
      let data = null;
      try {
        data = await res.json();
      } catch (_) {}
      return { status: res.status, data };
    } catch (_) {
      return { status: 0, data: null };
    }
  }

  /** Send one queued intake: its photos first, then the submission. */
  async function sendOne(item) {
    const shas = [];
    for (const k of item.photos) {
      const p = await get('photos', k);
      if (!p) continue;
      if (p.sha) {
        shas.push(p.sha);
        continue;
      }
      const form = new FormData();
      form.append('photo', p.blob, p.blob.name || 'photo.jpg');
      const r = await call('POST', API + '/assets/' + item.token + '/photos', form, false);
      const o = outcome(r.status);
      if (o === 'retry') return { o, error: 'no connection' };
      if (o === 'refused') return { o, error: (r.data && r.data.message) || 'a photo was refused.' };
      p.sha = r.data.sha256;
      await put('photos', k, p);
      shas.push(p.sha);
    }
    const body = withPhotos(item.body, shas);
    let r = await call('PUT', API + '/intakes/' + item.id, body, true);
    if (r.status === 409) {
      // Sent before with other content (by another tab of this draft): what the server kept.
      r = await call('GET', API + '/assets/' + item.token + '/intakes/' + item.id + '/receipt', undefined, false);
    }
    const o = outcome(r.status);
    if (o === 'ok') return { o, reference: r.data && r.data.reference };
    return { o, error: (r.data && r.data.message) || 'no connection' };
  }

  let sending = null;
  /**
   * Send everything due (or everything, with force): one run at a time in
   * this context, and across the page and the worker with a Web Lock where
   * the browser has one (the server's PUT is idempotent anyway). Resolves to
   * true when nothing is left waiting.
   */
  function send(force) {
    if (sending) return sending;
    const run = async () => {
      let left = 0;
      for (const item of await items()) {
        if (item.state === 'sent' || item.state === 'refused') continue;
        if (!force && item.next > Date.now()) {
          left++;
          continue;
        }
        item.state = 'sending';
        await put('outbox', item.id, item);
        notify();
        const r = await sendOne(item).catch(() => ({ o: 'retry', error: 'storage' }));
        if (r.o === 'ok') {
          Object.assign(item, { state: 'sent', reference: r.reference, sentAt: Date.now(), error: null });
          for (const k of item.photos) await del('photos', k).catch(() => {});
          await put('meta', 'lastSent', item.sentAt);
        } else if (r.o === 'refused') {
          Object.assign(item, { state: 'refused', error: r.error });
        } else {
          item.tries += 1;
          Object.assign(item, { state: 'waiting', next: Date.now() + backoff(item.tries - 1), error: r.error });
          left++;
        }
        await put('outbox', item.id, item);
        notify();
      }
      return left === 0;
    };
    const locked = () =>
      self.navigator.locks ? self.navigator.locks.request('fieldcase-outbox', run) : run();
    sending = locked().finally(() => {
      sending = null;
    });
    return sending;
  }

  /** Forget sent items after a day, so the list stays short. */
  async function prune() {
    const day = Date.now() - 86400000;
    for (const i of await items()) if (i.state === 'sent' && i.sentAt < day) await del('outbox', i.id).catch(() => {});
  }

  // ------------------------------------------------- the page's status panel

  function notify() {
    try {
      new BroadcastChannel('fieldcase-outbox').postMessage('changed');
    } catch (_) {}
    if (self.document) render();
  }

  const NEARLY_FULL = t("This phone's storage for fieldcase is nearly full: send or remove photos before adding more.");
  const NOT_PERSISTED = t('This browser may clear saved work when the phone runs low on space: send your reports when you can.');
  let persisted = true;
  let nearlyFull = false;
  async function render() {
    const el = self.document.getElementById('net');
    if (!el) return;
    const list = await items();
    const lastSent = await get('meta', 'lastSent').catch(() => null);
    const online = self.navigator.onLine;
    const shown = list.filter((i) => i.state !== 'sent' || i.sentAt > Date.now() - 3600000);
    const waiting = list.some((i) => i.state !== 'sent');
    // Online with nothing waiting, never sent, nothing wrong: nothing to say,
    // and the review's first fields keep the room.
    el.hidden = online && !shown.length && !lastSent && !unsaved && !nearlyFull;
    if (el.hidden) return el.replaceChildren();
    el.className = online ? 'net' : 'net offline';
    const line = self.document.createElement('p');
    line.className = 'net-line';
    line.textContent = statusLine(online, list, lastSent);
    const parts = [line];
    if (shown.length) {
      const ul = self.document.createElement('ul');
      ul.className = 'net-items';
      const now = Date.now();
      for (const i of shown) {
        const li = self.document.createElement('li');
        li.className = 'net-item ' + i.state;
        li.textContent = itemLine(i, now);
        ul.append(li);
      }
      parts.push(ul);
    }
    // Work at risk is an alert; storage the browser may clear, a note.
    for (const [text, alert] of [
      [unsaved ? NOT_SAVING : '', true],
      [nearlyFull ? NEARLY_FULL : '', true],
      // Only while there is work on the phone that the browser could clear.
      [persisted || (online && !waiting) ? '' : NOT_PERSISTED, false],
    ]) {
      if (!text) continue;
      const w = self.document.createElement('p');
      w.className = alert ? 'alert' : 'net-note';
      if (alert) w.setAttribute('role', 'alert');
      w.textContent = text;
      parts.push(w);
    }
    el.replaceChildren(...parts);
  }

  /** Ask to keep this site's storage; say so when the browser will not, or space is short. */
  async function checkStorage() {
    const s = self.navigator.storage;
    if (!s) return;
    try {
      persisted = (await s.persisted()) || (await s.persist());
    } catch (_) {
      persisted = false;
    }
    try {
      const e = await s.estimate();
      nearlyFull = e.quota > 0 && e.usage / e.quota > 0.9;
    } catch (_) {}
  }

  /**
   * The page, after first paint: the service worker, the storage check, the
   * status panel, and the outbox sent on `online`, every few seconds when
   * due (with back-off) and whenever the worker changes it.
   */
  let started = false;
  async function start(contextUrl) {
    if (started) return true;
    started = true;
    // Each photo row's "Add location", drawn into its slot whenever the app
    // draws the list.
    if (self.document && self.MutationObserver) {
      new MutationObserver(drawLocations).observe(self.document.body, { childList: true, subtree: true });
      drawLocations();
    }
    const nav = self.navigator;
    if (nav.serviceWorker) {
      try {
        // In the page's language: the worker keeps that build (sw.js).
        const lang = self.document.documentElement.lang || 'en';
        await nav.serviceWorker.register('/sw.js?lang=' + encodeURIComponent(lang), { scope: '/' });
      } catch (_) {}
      // The first visit: the worker was not there when the page read the
      // asset's context, so keep it now for opening this asset offline (and
      // it and the recent submissions for the next visit, sw.js).
      if (contextUrl && !nav.serviceWorker.controller && self.caches) {
        self.caches
          .open('fieldcase-data')
          .then((c) => Promise.all([c.add(contextUrl), c.add(contextUrl + '/intakes')]))
          .catch(() => {});
      }
    }
    await checkStorage();
    self.addEventListener('online', () => {
      render();
      send(true);
    });
    self.addEventListener('offline', render);
    try {
      new BroadcastChannel('fieldcase-outbox').onmessage = render;
    } catch (_) {}
    setInterval(() => {
      if (nav.onLine) send(false);
    }, 5000);
    await prune();
    await render();
    if (nav.onLine) send(true);
    return true;
  }

  self.fcOffline = {
    // pure, for tests
    backoff,
    clock,
    statusLine,
    itemLine,
    outcome,
    withPhotos,
    locationEntry,
    locationError,
    // the app's
    start,
    loadDraft,
    saveDraft,
    keepPhoto,
    replacePhoto,
    photoUploaded,
    dropPhoto,
    pendingPhotos,
    clearDraftPhotos,
    queue,
    send,
    SYNC_TAG,
  };
})(typeof self !== 'undefined' ? self : globalThis);
