// The last step of build_app and build_console (scripts/lib.sh): each
// compressible file of a built front end gets its `.br` (quality 11, window
// 2^22) and `.gz` (level 9) copy beside it, as the server sends them.
//
//   node scripts/precompress.mjs DIST
//
// The server makes any copy that is missing or older than its file when it
// starts (server/src/dist.rs, compress_all), which is what it still does for
// the few files it rewrites itself (index.html, the service worker). The
// release's big files are compressed here once, by zlib's C encoders, rather
// than by every server started on a fresh build: brotli at quality 11 on the
// WebAssembly took a debug server about a minute of CPU, and the browser
// tests start four at once.
import { readdirSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { join, extname } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

// The same list as the server's COMPRESSIBLE (server/src/dist.rs).
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.wasm', '.css', '.svg', '.json', '.webmanifest']);

const [dist] = process.argv.slice(2);
if (!dist) {
  console.error('usage: node scripts/precompress.mjs DIST');
  process.exit(2);
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return files(path);
    return e.isFile() && COMPRESSIBLE.has(extname(e.name)) ? [path] : [];
  });
}

/** A copy is current when it is at least as new as its file. */
const current = (copy, modified) => {
  try {
    return statSync(copy).mtimeMs >= modified;
  } catch {
    return false;
  }
};

function write(path, bytes) {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, bytes);
  renameSync(temp, path);
}

let written = 0;
for (const file of files(dist)) {
  const modified = statSync(file).mtimeMs;
  const br = `${file}.br`;
  const gz = `${file}.gz`;
  if (current(br, modified) && current(gz, modified)) continue;
  const bytes = readFileSync(file);
  if (!current(br, modified)) {
    write(
      br,
      brotliCompressSync(bytes, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 11,
          [constants.BROTLI_PARAM_LGWIN]: 22,
          [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        },
      }),
    );
    written += 1;
  }
  if (!current(gz, modified)) {
    write(gz, gzipSync(bytes, { level: 9 }));
    written += 1;
  }
}
console.log(`precompressed: ${written} copies in ${dist}`);
