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

/**
 * A JPEG's stored size and EXIF orientation (1–8) from its first bytes (the
 * APP1 and SOF segments), or null when they are not there. Hand-written:
 * two segments of a format frozen since 1992, fewer bytes than any package.
 */
export function jpegInfo(b) {
  if (b[0] !== 0xff || b[1] !== 0xd8) return null;
  let orientation = 1;
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null;
    const m = b[i + 1];
    if (m === 0xff) {
      i++; // a fill byte
      continue;
    }
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd8)) {
      i += 2; // markers without a length
      continue;
    }
    if (m === 0xd9 || m === 0xda) return null; // the image data, and no size yet
    const len = (b[i + 2] << 8) | b[i + 3];
    const exif = [0x45, 0x78, 0x69, 0x66, 0, 0].every((c, k) => b[i + 4 + k] === c);
    if (m === 0xe1 && exif) orientation = exifOrientation(b, i + 10, Math.min(b.length, i + 2 + len)) ?? 1;
    // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC).
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      const height = (b[i + 5] << 8) | b[i + 6];
      const width = (b[i + 7] << 8) | b[i + 8];
      return i + 9 <= b.length && width && height ? { width, height, orientation } : null;
    }
    i += 2 + len;
  }
  return null;
}

/** The Orientation tag of the TIFF structure at `t` (EXIF), or null. */
function exifOrientation(b, t, end) {
  const le = b[t] === 0x49; // "II": little-endian; "MM": big-endian
  if (!le && b[t] !== 0x4d) return null;
  const u16 = (o) => (o + 2 > end ? NaN : le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1]);
  const u32 = (o) => (le ? u16(o) + u16(o + 2) * 65536 : u16(o) * 65536 + u16(o + 2));
  const ifd = t + u32(t + 4);
  const n = u16(ifd);
  for (let k = 0; k < n; k++) {
    const e = ifd + 2 + 12 * k;
    if (u16(e) === 0x0112) {
      const v = u16(e + 8);
      return v >= 1 && v <= 8 ? v : null;
    }
  }
  return null;
}

/** How ImageDecoder's frame must say it is turned for each EXIF orientation we take from it. */
const ROTATION = { 1: 0, 3: 180, 6: 90, 8: 270 };

/**
 * A JPEG decoded at a fraction of its size (WebCodecs' ImageDecoder with a
 * desired size: the JPEG decoder scales by eighths as it decodes, so a 12 MP
 * photo becomes 3 MP without ever being 12), upright, at least `min` on its
 * long edge; null where the browser cannot, or its frame is not provably
 * turned as the EXIF says (never rotated twice, never left on its side).
 */
async function scaledFrame(blob, info, scale, min) {
  if (typeof ImageDecoder === 'undefined' || !(info.orientation in ROTATION)) return null;
  const n = Math.min(8, Math.ceil(scale * 8)); // eighths: at least the target size
  const d = new ImageDecoder({
    data: blob.stream(),
    type: 'image/jpeg',
    desiredWidth: Math.ceil((info.width * n) / 8) + 1,
    desiredHeight: Math.ceil((info.height * n) / 8) + 1,
  });
  try {
    const { image } = await d.decode();
    const turned = info.orientation === 1 ? (image.rotation ?? 0) === 0 : image.rotation === ROTATION[info.orientation];
    if (turned && !image.flip && Math.max(image.displayWidth, image.displayHeight) >= min) return image;
    image.close();
    return null;
  } finally {
    d.close();
  }
}

/**
 * The photo decoded upright, and the size to draw it at. Decoding all of a
 * 12 MP photo to draw 2 MP of it is most of the time a shrink takes, so a
 * JPEG is decoded at about the size it is drawn at (above), else resized by
 * createImageBitmap as it decodes; anything else, or a result that is not
 * exactly the size asked for, is decoded whole (orientation applied once, by
 * the decoder).
 */
async function decode(blob) {
  const info = jpegInfo(new Uint8Array(await blob.slice(0, 256 * 1024).arrayBuffer()));
  if (info) {
    const [w, h] = info.orientation >= 5 ? [info.height, info.width] : [info.width, info.height];
    const [tw, th] = fit(w, h);
    if (tw < w) {
      const frame = await scaledFrame(blob, info, tw / w, Math.max(tw, th)).catch(() => null);
      if (frame) return { src: frame, w: tw, h: th };
      const bmp = await createImageBitmap(blob, {
        imageOrientation: 'from-image',
        resizeWidth: tw,
        resizeHeight: th,
        resizeQuality: 'medium',
      }).catch(() => null);
      if (bmp && bmp.width === tw && bmp.height === th) return { src: bmp, w: tw, h: th };
      bmp?.close();
    }
  }
  const bmp = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  const [w, h] = fit(bmp.width, bmp.height);
  return { src: bmp, w, h };
}

/** Decode (upright, about the size needed), downscale, re-encode. */
export async function shrink(blob) {
  const { src, w, h } = await decode(blob);
  const offscreen = typeof OffscreenCanvas !== 'undefined';
  const c = offscreen ? new OffscreenCanvas(w, h) : document.createElement('canvas');
  c.width = w;
  c.height = h;
  const g = c.getContext('2d');
  g.imageSmoothingQuality = 'high';
  g.drawImage(src, 0, 0, w, h);
  src.close();
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
