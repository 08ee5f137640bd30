// fieldcase's service worker: the template. The server writes dist/sw.js
// from it at start-up (server/src/dist.rs, write_service_worker), putting
// this release's file list and version (a hash of the files' contents) in
// place of RELEASE below, so every release is a new worker.
//
// - install: the whole release (index.html, boot and app JS, the app's and
//   the engine's WebAssembly, CSS, public/…) into cache "fieldcase-<version>":
//   the files every language shares, and those of this worker's language
//   (`sw.js?lang=es`, registered by the page in its language: each language
//   is its own build, RELEASE.langs);
// - activate, and each page opened: takes over at once, and deletes the
//   caches of older releases no open page was started from (a page still
//   running the previous release keeps its files until it is gone; a newer
//   release's cache is never an older worker's to delete), again once the
//   page a navigation replaced has unloaded; a page from the network runs
//   the release its Fieldcase-Release header names, not this worker's;
// - /a/{token} and /: network first (a short timeout), else the cached
//   index.html of this same release, whose files are all in the same cache;
// - GET /api/v1/assets/{token}: network first, the last good answer kept, so
//   an asset opened before opens offline with its context; its photos'
//   thumbnails from the cache once seen;
// - that context and GET /api/v1/assets/{token}/intakes, read right after
//   the page: from the cache when what it keeps is exactly the version the
//   page's answer named (its Fieldcase-Versions header, server/src/http/
//   assets.rs), so a repeat visit moves only the HTML; else the network;
// - sync: sends the outbox (offline.js, the same code the page runs).
'use strict';
const RELEASE = "__FIELDCASE_RELEASE__";
importScripts('/offline.js');

/** This worker's language: its own index and files, beside the shared ones. */
const MINE = (RELEASE.langs || {})[new URL(self.location).searchParams.get('lang')] ||
  (RELEASE.langs || {}).en || { index: '/index.html', files: [] };

const PREFIX = 'fieldcase-';
const CACHE = PREFIX + RELEASE.version;
const DATA = PREFIX + 'data';
const META = PREFIX + 'meta';
const NAVIGATION_TIMEOUT_MS = 3500;
const API_TIMEOUT_MS = 5000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      // Known as newer than every release installed before, before its
      // cache exists: an older worker never deletes a newer one's cache.
      await rememberRelease();
      const cache = await caches.open(CACHE);
      const files = RELEASE.files.concat(MINE.files);
      await cache.addAll(files.map((f) => new Request(f, { cache: 'no-cache' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      await self.clients.claim();
      await cleanUp();
    })(),
  );
});

/**
 * Which release each open page was started from: {clientId: {version, at}},
 * `at` when it opened (an entry of an older worker, a bare version: long ago).
 */
async function pages() {
  const res = await (await caches.open(META)).match('/__pages');
  const map = res ? await res.json() : {};
  for (const [id, page] of Object.entries(map)) {
    if (typeof page === 'string') map[id] = { version: page, at: 0 };
  }
  return map;
}

/**
 * A page just opened is not among the worker's clients until its document
 * exists (its navigation is still being answered): its entry stays this
 * long even so, or the clean-up that follows its opening would forget it.
 */
const JUST_OPENED_MS = 10000;

async function remember(clientId, version) {
  if (!clientId) return;
  const map = await pages();
  map[clientId] = { version, at: Date.now() };
  await (await caches.open(META)).put('/__pages', new Response(JSON.stringify(map)));
}

/**
 * After a page of `version` opens: clean up now, and again once the page it
 * replaced (a reload, a link followed) has had time to unload — it is still
 * listed as open while the new one loads, and may run an older release.
 */
function opened(event, version) {
  event.waitUntil(
    remember(event.resultingClientId, version)
      .then(cleanUp)
      .then(() => new Promise((resolve) => setTimeout(resolve, AFTER_UNLOAD_MS)))
      .then(cleanUp),
  );
}
const AFTER_UNLOAD_MS = 2000;

/** The releases this phone installed, oldest first. */
async function releases() {
  const res = await (await caches.open(META)).match('/__releases');
  return res ? res.json() : [];
}

async function rememberRelease() {
  const order = (await releases()).filter((v) => v !== RELEASE.version);
  order.push(RELEASE.version);
  await (await caches.open(META)).put('/__releases', new Response(JSON.stringify(order)));
}

/**
 * Delete the caches of releases older than this one that no open page uses
 * (never this one's, never a newer one's: an older worker still running
 * while a newer one installs must leave the newer cache alone).
 */
async function cleanUp() {
  const open = new Set((await self.clients.matchAll({ includeUncontrolled: true })).map((c) => c.id));
  const map = await pages();
  const inUse = new Set([RELEASE.version]);
  for (const [id, { version, at }] of Object.entries(map)) {
    if (open.has(id) || Date.now() - at < JUST_OPENED_MS) inUse.add(version);
    else delete map[id];
  }
  await (await caches.open(META)).put('/__pages', new Response(JSON.stringify(map)));
  const order = await releases();
  const mine = order.indexOf(RELEASE.version);
  // A release not in the list is from before it was kept: older.
  const older = (v) => order.indexOf(v) < mine;
  for (const name of await caches.keys()) {
    if (name === DATA || name === META || !name.startsWith(PREFIX)) continue;
    const version = name.slice(PREFIX.length);
    if (!inUse.has(version) && older(version)) await caches.delete(name);
  }
  // Forget releases whose files are gone (this one stays).
  const kept = new Set((await caches.keys()).map((n) => n.slice(PREFIX.length)));
  const still = order.filter((v) => v === RELEASE.version || kept.has(v));
  if (still.length !== order.length) {
    await (await caches.open(META)).put('/__releases', new Response(JSON.stringify(still)));
  }
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/**
 * The versions of an asset's answers its page was just served with
 * ({API path: ETag}), each good for the page's first read only: a later
 * read (after a submit, say) goes to the network. Kept in memory: a worker
 * stopped in between only means the network.
 */
const served = new Map();

function rememberVersions(pagePath, header) {
  const api = '/api/v1/assets/' + pagePath.slice('/a/'.length);
  const paths = { context: api, intakes: api + '/intakes' };
  for (const [, name, etag] of (header || '').matchAll(/(\w+)=("[^"]*")/g)) {
    if (paths[name]) served.set(paths[name], etag);
  }
}

async function navigation(event) {
  try {
    const res = await withTimeout(fetch(event.request), NAVIGATION_TIMEOUT_MS);
    const path = new URL(event.request.url).pathname;
    if (path.startsWith('/a/')) rememberVersions(path, res.headers.get('fieldcase-versions'));
    // A page of the server's release now, which after a deploy is newer than
    // this worker (its Fieldcase-Release header, server/src/http/mod.rs): an
    // older release's cache goes once no open page runs it (a phone keeps
    // one release, not every one it saw).
    opened(event, res.headers.get('fieldcase-release') || RELEASE.version);
    return res;
  } catch (_) {
    const index = await (await caches.open(CACHE)).match(MINE.index);
    if (!index) throw _;
    opened(event, RELEASE.version);
    return index;
  }
}

/** The kept answer when it is the version the page was just served with. */
async function asServed(cache, request) {
  const path = new URL(request.url).pathname;
  const etag = served.get(path);
  served.delete(path);
  if (!etag) return null;
  const kept = await cache.match(request);
  return kept && kept.headers.get('etag') === etag ? kept : null;
}

async function context(request) {
  const cache = await caches.open(DATA);
  const same = await asServed(cache, request);
  if (same) return same;
  try {
    const res = await withTimeout(fetch(request), API_TIMEOUT_MS);
    if (res.ok) await cache.put(request, res.clone());
    else if (res.status === 404) await cache.delete(request);
    return res;
  } catch (e) {
    const kept = await cache.match(request);
    if (kept) return kept;
    throw e;
  }
}

/** The recent submissions: as served (above), else the network, kept for next time. */
async function recent(request) {
  const cache = await caches.open(DATA);
  const same = await asServed(cache, request);
  if (same) return same;
  const res = await fetch(request);
  if (res.ok) await cache.put(request, res.clone());
  return res;
}

async function thumbnail(request) {
  const cache = await caches.open(DATA);
  const kept = await cache.match(request);
  if (kept) return kept;
  const res = await fetch(request);
  if (res.ok) await cache.put(request, res.clone());
  return res;
}

/** A file of a release: this one's, or the release the asking page runs. */
async function file(request) {
  const kept = await caches.match(request, { ignoreSearch: true, ignoreVary: true });
  return kept || fetch(request);
}

const FILES = new Set(RELEASE.files.concat(MINE.files));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (request.mode === 'navigate') {
    // A language switch (`?lang=`) is the server's to answer (a redirect that
    // sets the choice); the worker only keeps plain pages working offline.
    if (url.searchParams.has('lang')) return;
    if (path === '/' || /^\/a\/[^/]+$/.test(path)) event.respondWith(navigation(event));
    return;
  }
  if (/^\/api\/v1\/assets\/[^/]+$/.test(path)) {
    event.respondWith(context(request));
  } else if (/^\/api\/v1\/assets\/[^/]+\/intakes$/.test(path)) {
    event.respondWith(recent(request));
  } else if (/^\/api\/v1\/assets\/[^/]+\/photos\/[0-9a-f]{64}\/thumb$/.test(path)) {
    event.respondWith(thumbnail(request));
  } else if (FILES.has(path) || (!path.startsWith('/console/') && /\.(js|wasm|css|svg)$/.test(path))) {
    event.respondWith(file(request));
  }
});

// Background Sync: the browser wakes this worker when the connection is
// back, even with the page closed. Still waiting afterwards: a rejection,
// so the browser tries again later.
self.addEventListener('sync', (event) => {
  if (event.tag !== self.fcOffline.SYNC_TAG) return;
  event.waitUntil(
    self.fcOffline.send(true).then((empty) => {
      if (!empty) throw new Error('still waiting');
    }),
  );
});
