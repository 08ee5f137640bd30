// node --test app/js/photos.test.mjs: the pure parts of photos.js (the
// size to draw at, and a JPEG's size and orientation read from its header).
import { test } from 'node:test';
import assert from 'node:assert/strict';

globalThis.dispatchEvent ??= () => true; // photos.js announces itself on a page
const { fit, jpegInfo } = await import('./photos.js');

const u16 = (n, le) => (le ? [n & 255, n >> 8] : [n >> 8, n & 255]);
const u32 = (n, le) => (le ? [...u16(n & 0xffff, true), ...u16(n >>> 16, true)] : [...u16(n >>> 16), ...u16(n & 0xffff)]);

/** An EXIF APP1 segment whose IFD0 has a Make tag, then Orientation. */
function exif(orientation, le) {
  const entry = (tag, type, count, value) => [...u16(tag, le), ...u16(type, le), ...u32(count, le), ...value];
  const tiff = [
    ...(le ? [0x49, 0x49] : [0x4d, 0x4d]),
    ...u16(42, le),
    ...u32(8, le),
    ...u16(2, le),
    ...entry(0x010f, 2, 4, [0x41, 0x42, 0x43, 0]), // Make "ABC"
    ...entry(0x0112, 3, 1, [...u16(orientation, le), 0, 0]),
    ...u32(0, le),
  ];
  const body = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  return [0xff, 0xe1, ...u16(body.length + 2), ...body];
}
const jfif = [0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
const sof = (marker, w, h) => [0xff, marker, 0, 17, 8, ...u16(h), ...u16(w), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
const dqt = [0xff, 0xdb, 0, 4, 0, 0];
const jpeg = (...parts) => new Uint8Array([0xff, 0xd8, ...parts.flat(), 0xff, 0xda, 0, 2]);

test('the size to draw at: the long edge at most 1600, never enlarged', () => {
  assert.deepEqual(fit(4000, 3000), [1600, 1200]);
  assert.deepEqual(fit(3000, 4000), [1200, 1600]);
  assert.deepEqual(fit(800, 600), [800, 600]);
  assert.deepEqual(fit(10000, 10), [1600, 2]);
});

test("a phone's JPEG: its stored size and EXIF orientation, either byte order", () => {
  assert.deepEqual(jpegInfo(jpeg(exif(6, true), dqt, sof(0xc0, 4000, 3000))), { width: 4000, height: 3000, orientation: 6 });
  assert.deepEqual(jpegInfo(jpeg(jfif, exif(8, false), sof(0xc2, 3000, 4000))), { width: 3000, height: 4000, orientation: 8 });
});

test('no EXIF, or an orientation out of range: upright as stored', () => {
  assert.deepEqual(jpegInfo(jpeg(jfif, dqt, sof(0xc0, 640, 480))), { width: 640, height: 480, orientation: 1 });
  assert.deepEqual(jpegInfo(jpeg(exif(9, true), sof(0xc1, 640, 480))), { width: 640, height: 480, orientation: 1 });
});

test('what is not a JPEG with a size in its header is null (decoded whole instead)', () => {
  assert.equal(jpegInfo(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10])), null); // PNG
  assert.equal(jpegInfo(jpeg(jfif, dqt)), null); // image data before any size
  assert.equal(jpegInfo(jpeg(jfif).slice(0, 12)), null); // cut short
  // DHT (C4) is not a frame header, whatever its bytes say.
  assert.equal(jpegInfo(jpeg([0xff, 0xc4, 0, 4, 0, 0])), null);
  assert.equal(jpegInfo(new Uint8Array([0xff, 0xd8, 0x00, 0x00])), null);
});
