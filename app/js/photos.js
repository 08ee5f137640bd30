// The photo pipeline of the technician app: shrink, hash, upload.
//
// Never in the first load: the app adds this file as a module script the
// first time a photo is chosen (its hashed URL is in
// <meta name="fieldcase-photos">, written by scripts/post-build.sh), and the
// same file runs as the module Worker that shrinks photos off the main
// thread. Hand-written, not a library: it is ~150 lines of browser API calls
// (createImageBitmap, OffscreenCanvas, crypto.subtle, XMLHttpRequest) that
// no package makes shorter, and every byte is fetched on a weak signal.
//
// What it promises (window.fieldcasePhotos):
// - prepare(file) → {blob, sha256, bytes, shrunk}: the photo decoded with its
//   EXIF orientation applied, at most 1600 px on the long edge, re-encoded as
//   JPEG at 0.8. Re-encoding drops every metadata block (EXIF, GPS, make,
//   model, XMP): nothing but pixels leaves the phone. Something the browser
//   cannot decode goes as it is (shrunk: false) so the server's own
//   "not a photo" answer reaches the technician. sha256 is the hex SHA-256
//   of the blob that will be sent (the server stores photos by it).
// - upload(token, blob, progress) → {status, body}: one
//   POST /api/v1/assets/{token}/photos with XMLHttpRequest (fetch reports no
//   upload progress); status 0 when the network failed, stalled or dropped.
//   `progress` is a function (sent, total), or the id of a <progress>
//   element to move (the app's way: no callback into WebAssembly per event).
//   The offline outbox calls this with a stored Blob, too.

export const MAX_EDGE = 1600;
export const QUALITY = 0.8;
/** No upload progress for this long: the connection is as good as dropped. */
export const STALL_MS = 30000;

/** The size to draw `w`×`h` at: the long edge at most `max`, never enlarged. */
export function fit(w, h, max = MAX_EDGE) {
  const s = Math.min(1, max / Math.max(w, h));
  return [Math.max(1, Math.round(w * s)), Math.max(1, Math.round(h * s))];
}

/** Hex SHA-256 of a blob ('' where the page is not a secure context). */
export async function sha256(blob) {
  const subtle = globalThis.crypto && crypto.subtle;
  if (!subtle) return '';
  const d = new Uint8Array(await subtle.digest('SHA-256', await blob.arrayBuffer()));
  let s = '';
  for (const b of d) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Decode (orientation applied once, by the decoder), downscale, re-encode. */
export async function shrink(blob) {
  const bmp = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  const [w, h] = fit(bmp.width, bmp.height);
  const offscreen = typeof OffscreenCanvas !== 'undefined';
  const c = offscreen ? new OffscreenCanvas(w, h) : document.createElement('canvas');
  c.width = w;
  c.height = h;
  const g = c.getContext('2d');
  g.imageSmoothingQuality = 'high';
  g.drawImage(bmp, 0, 0, w, h);
  bmp.close();
  const out = offscreen
    ? await c.convertToBlob({ type: 'image/jpeg', quality: QUALITY })
    : await new Promise((ok) => c.toBlob(ok, 'image/jpeg', QUALITY));
  if (!out || out.type !== 'image/jpeg') throw new Error('no JPEG encoder');
  return out;
}

/** Shrink and hash here (the worker, or the page when no worker can). */
async function prepareHere(file) {
  let blob = file;
  let shrunk = false;
  try {
    blob = await shrink(file);
    shrunk = true;
  } catch {
    // Not an image this browser decodes: the server judges it.
  }
  return { blob, sha256: await sha256(blob), bytes: blob.size, shrunk };
}

const inWorker = typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope;

let worker = null;
let seq = 0;
const waiting = new Map();

function viaWorker(file) {
  if (!worker) {
    worker = new Worker(import.meta.url, { type: 'module', name: 'fieldcase-photos' });
    worker.onmessage = ({ data }) => {
      const w = waiting.get(data.id);
      waiting.delete(data.id);
      if (w) data.error ? w.no(new Error(data.error)) : w.ok(data.result);
    };
    worker.onerror = () => {
      // The worker itself failed (a browser without module workers): every
      // photo waiting for it, and every later one, is prepared on the page.
      worker.terminate();
      worker = false;
      for (const w of waiting.values()) w.no(new Error('worker failed'));
      waiting.clear();
    };
  }
  const id = ++seq;
  return new Promise((ok, no) => {
    waiting.set(id, { ok, no });
    worker.postMessage({ id, file });
  });
}

/** The photo as it will be sent: shrunk in a worker when the browser can. */
export async function prepare(file) {
  if (worker !== false && typeof Worker !== 'undefined' && typeof OffscreenCanvas !== 'undefined') {
    try {
      return await viaWorker(file);
    } catch {
      // fall through: the page does it
    }
  }
  return prepareHere(file);
}

/** POST one photo; resolves {status, body}, status 0 for a network failure. */
export function upload(token, blob, progress) {
  const onProgress =
    typeof progress === 'function'
      ? progress
      : (sent, total) => {
          // Looked up each time: the app may draw the list again meanwhile.
          const bar = progress && document.getElementById(progress);
          if (bar) {
            bar.max = total;
            bar.value = sent;
          }
        };
  return new Promise((resolve) => {
    const x = new XMLHttpRequest();
    let stall = 0;
    const done = (status, body) => {
      clearTimeout(stall);
      resolve({ status, body });
    };
    const watch = () => {
      clearTimeout(stall);
      stall = setTimeout(() => x.abort(), STALL_MS);
    };
    x.open('POST', `/api/v1/assets/${encodeURIComponent(token)}/photos`);
    x.setRequestHeader('Accept', 'application/json');
    x.upload.onprogress = (e) => {
      watch();
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    };
    x.onload = () => done(x.status, x.responseText);
    x.onerror = x.onabort = x.ontimeout = () => done(0, '');
    const form = new FormData();
    form.append('photo', blob, blob.type === 'image/jpeg' ? 'photo.jpg' : blob.name || 'photo');
    watch();
    x.send(form);
  });
}

if (inWorker) {
  self.onmessage = async ({ data }) => {
    try {
      const result = await prepareHere(data.file);
      self.postMessage({ id: data.id, result });
    } catch (e) {
      self.postMessage({ id: data.id, error: String(e) });
    }
  };
} else {
  globalThis.fieldcasePhotos = { prepare, upload };
  dispatchEvent(new Event('fieldcase-photos'));
}
