// The pure parts of offline.js (node --test app/js/): what the status panel
// says, when the outbox tries again, what an answer means, and the body sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./offline.js');
const o = globalThis.fcOffline;

test('the status line says online or not, what waits and when the last one was sent', () => {
  const at = new Date(2026, 10, 30, 14, 2).getTime();
  const items = [{ state: 'waiting' }, { state: 'sending' }, { state: 'sent' }, { state: 'refused' }];
  assert.equal(o.statusLine(false, items, at, 'en-GB'), 'Offline · 2 waiting to send · last sent 14:02');
  assert.equal(o.statusLine(true, [], null, 'en-GB'), 'Online');
  assert.equal(o.statusLine(true, [{ state: 'sent' }], at, 'en-GB'), 'Online · last sent 14:02');
});

test("times are written as the phone's region writes them", () => {
  const at = new Date(2026, 10, 30, 14, 2).getTime();
  assert.equal(o.clock(at, 'en-GB'), '14:02');
  assert.match(o.clock(at, 'en-US'), /^2:02\sPM$/);
  assert.equal(o.clock(at, 'es'), '14:02');
  assert.equal(o.clock(new Date(2026, 10, 30, 9, 5).getTime(), 'es-MX').replace(/\s/g, ' ').replace(/\./g, ''), '9:05 am');
});

test('each queued item says where it stands', () => {
  const now = new Date(2026, 10, 30, 9, 0).getTime();
  const next = new Date(2026, 10, 30, 9, 5).getTime();
  assert.equal(o.itemLine({ asset: 'Pump P-12', state: 'waiting', next }, now, 'en-GB'), 'Pump P-12: waiting to send, next try at 9:05.');
  assert.match(o.itemLine({ asset: 'Pump P-12', state: 'waiting', next }, now, 'en-US'), /next try at 9:05\sAM\.$/);
  assert.equal(o.itemLine({ asset: 'Pump P-12', state: 'waiting', next: 0 }, now), 'Pump P-12: waiting to send.');
  assert.equal(o.itemLine({ asset: 'Pump P-12', state: 'sending' }, now), 'Pump P-12: sending…');
  assert.equal(o.itemLine({ asset: 'Pump P-12', state: 'sent', reference: 'FC-7K3M-9QXD' }, now), 'Pump P-12: sent, reference FC-7K3M-9QXD.');
  assert.equal(o.itemLine({ asset: '', state: 'refused', error: 'The code is not active.' }, now), 'Report: not sent — The code is not active.');
});

test('retries back off from 5 s to 5 min, with jitter', () => {
  assert.equal(o.backoff(0, 0.5), 5000);
  assert.equal(o.backoff(1, 0.5), 10000);
  assert.equal(o.backoff(6, 0.5), 300000);
  assert.equal(o.backoff(40, 0.5), 300000);
  assert.equal(o.backoff(0, 0), 4000);
  assert.equal(o.backoff(0, 1), 6000);
});

test('only a missing answer or a server asking to wait is tried again', () => {
  for (const s of [200, 201]) assert.equal(o.outcome(s), 'ok');
  for (const s of [0, 408, 429, 500, 502, 503, 504]) assert.equal(o.outcome(s), 'retry');
  for (const s of [400, 404, 409, 413, 422]) assert.equal(o.outcome(s), 'refused');
});

test("the photos uploaded from the outbox join the body's, once each, in order", () => {
  const body = JSON.stringify({ id: 'x', photos: ['aa'], notes: 'n' });
  assert.deepEqual(JSON.parse(o.withPhotos(body, ['bb', 'aa', 'cc', null])), { id: 'x', photos: ['aa', 'bb', 'cc'], notes: 'n' });
  // The same photos again: the same body, so a resend is the same PUT.
  assert.equal(o.withPhotos(body, ['bb', 'cc']), o.withPhotos(body, ['bb', 'cc']));
  assert.deepEqual(JSON.parse(o.withPhotos('{"id":"y"}', [])).photos, []);
});

test("a photo's location keeps degrees and whole metres, and says what went wrong in words", () => {
  const e = o.locationEntry({ latitude: 53.800755, longitude: -1.549077, accuracy: 11.2 });
  assert.equal(e.latitude, 53.800755);
  assert.equal(e.longitude, -1.549077);
  assert.equal(e.accuracy_m, 12);
  assert.equal(e.msg, 'Location added (±12 m)');
  // A browser that claims perfect accuracy (0) still sends a valid figure.
  assert.equal(o.locationEntry({ latitude: 1, longitude: 2, accuracy: 0 }).accuracy_m, 1);
  assert.match(o.locationEntry({ latitude: 1, longitude: 2, accuracy: 200000 }).error, /imprecise/);
  assert.match(o.locationError({ code: 1 }).error, /blocked/);
  assert.match(o.locationError({ code: 2 }).error, /Couldn't find/);
  assert.match(o.locationError({ code: 3 }).error, /too long/);
});
