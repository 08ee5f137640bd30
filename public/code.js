// The "code not active" page (the server's and the app's, same markup):
// type the code printed on the label, or scan one with the camera.
//
// Plain JS, loaded only by that page, so nothing here is in the intake
// page's first load. The scanner uses the browser's BarcodeDetector where it
// exists; elsewhere a small QR decoder compiled to WebAssembly (scanner/,
// named by <meta name="fieldcase-scanner">), fetched only when Scan is
// tapped. No inline script or style anywhere (the CSP forbids them).

const LEN = 20;

// The page's words: English here, the page's language from the
// <meta name="fieldcase-words"> the server writes into a page that is not
// in English (server/src/i18n.rs; the keys are what its t() calls are given).
const WORDS = (() => {
  try {
    return JSON.parse(document.querySelector('meta[name="fieldcase-words"]').content);
  } catch (_) {
    return {};
  }
})();
const t = (english) => WORDS[english] || english;
/** `template` with each `{}` replaced, in order, by the next of `parts`. */
const fill = (template, ...parts) => template.replace(/\{\}/g, () => String(parts.shift() ?? ''));

/** A code typed, pasted or scanned → `{ token }` or `{ error }` (what to fix). */
export function readCode(raw) {
  let text = String(raw ?? '').trim();
  // A whole link (what the QR encodes): the part after /a/.
  const link = /\/a\/([^/?#\s]+)/i.exec(text);
  if (link) text = link[1];
  const code = text.replace(/[\s-]+/g, '').toUpperCase();
  if (!code) return { error: t('Type the code printed under the QR.') };
  const n = [...code].length;
  if (n !== LEN) {
    return {
      error: fill(t("That code doesn't look right: an asset code has {} characters; this one has {}."), LEN, n),
    };
  }
  const bad = /[^A-Z2-7]/.exec(code);
  if (bad) {
    const hint = { 0: t(' (the letter O?)'), 1: t(' (the letter I?)'), 8: t(' (the letter B?)') }[bad[0]] ?? '';
    return {
      error: fill(
        t("That code doesn't look right: an asset code uses only letters and the digits 2–7; “{}” is not one of them{}."),
        bad[0],
        hint,
      ),
    };
  }
  return { token: code };
}

const $ = (id) => document.getElementById(id);

function open(token) {
  location.assign(`/a/${token}`);
}

function showError(message) {
  const err = $('code-err');
  const input = $('code');
  err.textContent = message;
  err.hidden = false;
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}

function bindForm() {
  const form = $('code-form');
  if (!form || form.dataset.bound) return;
  form.dataset.bound = '1';
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const r = readCode($('code').value);
    if (r.error) showError(r.error);
    else open(r.token);
  });
  $('code').addEventListener('input', () => {
    $('code-err').hidden = true;
    $('code').removeAttribute('aria-invalid');
  });
  const scan = $('scan-btn');
  if (navigator.mediaDevices?.getUserMedia) {
    scan.hidden = false;
    scan.addEventListener('click', startScan);
    $('scan-stop').addEventListener('click', () => stopScan(t('Scanning stopped.')));
  }
}

let stream = null;
let timer = 0;

function say(text) {
  $('scan-status').textContent = text;
}

async function startScan() {
  const box = $('scanner');
  const video = $('scan-video');
  box.hidden = false;
  $('scan-btn').hidden = true;
  say(t('Starting the camera…'));
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: 'environment' },
      audio: false,
    });
  } catch (e) {
    stopScan(
      e && e.name === 'NotAllowedError'
        ? t('The camera is blocked for this page. Allow it in the browser, or type the code.')
        : t('No camera could be opened. Type the code instead.'),
    );
    return;
  }
  video.srcObject = stream;
  await video.play().catch(() => {});
  let detect;
  try {
    detect = await detector();
  } catch {
    stopScan(t('This browser cannot read QR codes. Type the code instead.'));
    return;
  }
  say(t('Point the camera at the QR code on the label.'));
  $('scan-stop').focus();
  const tick = async () => {
    if (!stream) return;
    let text = null;
    try {
      text = await detect(video);
    } catch {
      text = null;
    }
    if (text) {
      const r = readCode(text);
      if (r.token) {
        stopScan(t('Code found. Opening…'));
        open(r.token);
        return;
      }
      say(t('That QR code is not a fieldcase label. Try another one.'));
    }
    timer = setTimeout(tick, 250);
  };
  tick();
}

function stopScan(message) {
  clearTimeout(timer);
  if (stream) stream.getTracks().forEach((t) => t.stop());
  stream = null;
  $('scan-video').srcObject = null;
  $('scanner').hidden = true;
  const btn = $('scan-btn');
  btn.hidden = false;
  say(message || '');
  btn.focus();
}

/** `video → Promise<string | null>`: the browser's detector, or ours. */
async function detector() {
  if ('BarcodeDetector' in window) {
    const formats = await BarcodeDetector.getSupportedFormats().catch(() => []);
    if (formats.includes('qr_code')) {
      const d = new BarcodeDetector({ formats: ['qr_code'] });
      return async (video) => {
        const found = await d.detect(video);
        return found.length ? found[0].rawValue : null;
      };
    }
  }
  return wasmDetector();
}

/**
 * The WebAssembly decoder (scanner/): no JS glue. Exports `memory`,
 * `alloc(len) → ptr` (a buffer for `len` bytes of grey pixels, reused),
 * `decode(width, height) → len` (the decoded text's length, 0 when none) and
 * `text() → ptr` (where that text is, UTF-8).
 */
async function wasmDetector() {
  const url = document.querySelector('meta[name="fieldcase-scanner"]')?.content;
  if (!url) throw new Error('no decoder');
  const { instance } = await WebAssembly.instantiateStreaming(fetch(url), {});
  const x = instance.exports;
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  return async (video) => {
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (!w || !h) return null;
    // At most 640 px wide: plenty for a label held in front of the camera.
    const scale = Math.min(1, 640 / w);
    const cw = Math.round(w * scale);
    const ch = Math.round(h * scale);
    canvas.width = cw;
    canvas.height = ch;
    ctx.drawImage(video, 0, 0, cw, ch);
    const rgba = ctx.getImageData(0, 0, cw, ch).data;
    const ptr = x.alloc(cw * ch);
    const grey = new Uint8Array(x.memory.buffer, ptr, cw * ch);
    for (let i = 0, j = 0; j < grey.length; i += 4, j++) {
      grey[j] = (rgba[i] * 77 + rgba[i + 1] * 150 + rgba[i + 2] * 29) >> 8;
    }
    const len = x.decode(cw, ch);
    if (!len) return null;
    return new TextDecoder().decode(new Uint8Array(x.memory.buffer, x.text(), len));
  };
}

bindForm();
