// Part of Trunk's post_build hook (scripts/post-build.sh), release builds only:
//
// 1. Short names between the app's WebAssembly and its JS glue. wasm-bindgen
//    names every import after the JS function plus a 16-digit hash
//    (`__wbg_setAttribute_5a7c…`) and every closure export after its full
//    Rust type (200 characters each); both are spelled out twice, in the
//    module and in the glue, and hashes do not compress. They are renamed
//    here to `a`, `b`, … in both files (about 4 KB of the first load).
//    Hand-written rather than `wasm-opt --minify-imports-and-exports`:
//    re-emitting the module through Binaryen again costs more bytes than it
//    saves on some builds, and its mapping leaves out the module's name;
//    the rewrite below touches only the two name sections' strings.
// 2. The glue minified with terser (Trunk's own minifier cannot parse it and
//    leaves it as is).
// 3. The Subresource Integrity hashes of both in index.html updated.
//
//   node scripts/minify-js.mjs STAGING_DIR
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { minify } from 'terser';

const dir = process.argv[2];
const indexPath = join(dir, 'index.html');
let html = readFileSync(indexPath, 'utf8');

for (const name of readdirSync(dir).filter((n) => /^fieldcase-app-[0-9a-f]+\.js$/.test(n))) {
  const path = join(dir, name);
  const wasmName = name.replace(/\.js$/, '_bg.wasm');
  const wasmPath = join(dir, wasmName);
  let glue = readFileSync(path, 'utf8');

  const wasm = readFileSync(wasmPath);
  const { bytes, renames } = shortenNames(wasm);
  for (const [from, to] of renames.imports) glue = replaceWord(glue, from, to, '', true);
  // An export the glue never names (a marker of wasm-bindgen's) is renamed all the same.
  for (const [from, to] of renames.exports) glue = replaceWord(glue, from, to, '.', false);
  for (const [from] of renames.exports) {
    if (new RegExp(`\\.${from.replace(/\$/g, '\\$')}\\b`).test(glue)) {
      console.error(`minify-js: the glue still names the export ${from} after renaming it`);
      process.exit(1);
    }
  }
  glue = glue.split(JSON.stringify(renames.module[0])).join(JSON.stringify(renames.module[1]));
  glue = glue.split(`'${renames.module[0]}'`).join(JSON.stringify(renames.module[1]));
  writeFileSync(wasmPath, bytes);

  const { code } = await minify(glue, {
    module: true,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
  });
  writeFileSync(path, code);
  html = setIntegrity(html, name, code);
  html = setIntegrity(html, wasmName, bytes);
  console.error(
    `minify-js: ${name} ${code.length} bytes; ${wasmName} ${wasm.length} → ${bytes.length} bytes ` +
      `(${renames.imports.length} imports, ${renames.exports.length} exports renamed)`,
  );
}
writeFileSync(indexPath, html);

/** Put `content`'s sha384 into the one `<link … integrity>` that names `file`. */
function setIntegrity(html, file, content) {
  const sri = 'sha384-' + createHash('sha384').update(content).digest('base64');
  let tags = 0;
  const out = html.replace(/<link\b[^>]*>/g, (tag) => {
    if (!tag.includes(`/${file}`) || !tag.includes('integrity=')) return tag;
    tags += 1;
    return tag.replace(/integrity=("?)sha(256|384|512)-[A-Za-z0-9+/=]+/, `integrity=$1${sri}`);
  });
  if (tags !== 1) {
    console.error(`minify-js: expected one <link> with integrity for ${file}, found ${tags}`);
    process.exit(1);
  }
  return out;
}

/** Replace `from` where it is a whole identifier (after `prefix`, if any). */
function replaceWord(text, from, to, prefix, required) {
  const escaped = from.replace(/[$.*+?^(){}|[\]\\]/g, '\\$&');
  const before = prefix ? '\\.' : '(?<![A-Za-z0-9_$.])';
  const re = new RegExp(`${before}${escaped}(?![A-Za-z0-9_$])`, 'g');
  let found = 0;
  const out = text.replace(re, () => {
    found += 1;
    return `${prefix}${to}`;
  });
  if (!found && required) {
    console.error(`minify-js: the glue never names ${from}; not renaming it would break the module`);
    process.exit(1);
  }
  return out;
}

/**
 * The module with its imports' and exports' names shortened, and the renames.
 * Exports the glue reaches by name are renamed except `memory` and `main`
 * (kept for tools); the one import module is renamed to `a`.
 */
function shortenNames(wasm) {
  const sections = readSections(wasm);
  const renames = { imports: [], exports: [], module: null };
  const out = [wasm.subarray(0, 8)];
  for (const s of sections) {
    let body = wasm.subarray(s.start, s.end);
    if (s.id === 2) body = rewriteImports(body, renames);
    if (s.id === 7) body = rewriteExports(body, renames);
    out.push(Buffer.from([s.id]), uleb(body.length), body);
  }
  return { bytes: Buffer.concat(out), renames };
}

function readSections(wasm) {
  if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('not a WebAssembly module');
  const sections = [];
  let i = 8;
  while (i < wasm.length) {
    const id = wasm[i++];
    const [size, at] = readUleb(wasm, i);
    sections.push({ id, start: at, end: at + size });
    i = at + size;
  }
  return sections;
}

function rewriteImports(body, renames) {
  let [count, i] = readUleb(body, 0);
  const parts = [uleb(count)];
  const names = shortNames();
  const seen = new Map();
  for (; count > 0; count--) {
    const [module, j] = readName(body, i);
    const [name, k] = readName(body, j);
    const descStart = k;
    const descEnd = skipImportDesc(body, k);
    if (renames.module && renames.module[0] !== module) {
      throw new Error(`more than one import module (${renames.module[0]}, ${module})`);
    }
    renames.module = [module, 'a'];
    let short = seen.get(name);
    if (!short) {
      short = names.next().value;
      seen.set(name, short);
      renames.imports.push([name, short]);
    }
    parts.push(name_('a'), name_(short), body.subarray(descStart, descEnd));
    i = descEnd;
  }
  if (i !== body.length) throw new Error('import section not read to its end');
  return Buffer.concat(parts);
}

function rewriteExports(body, renames) {
  let [count, i] = readUleb(body, 0);
  const parts = [uleb(count)];
  const names = shortNames();
  for (; count > 0; count--) {
    const [name, j] = readName(body, i);
    const [, end] = readUleb(body, j + 1); // kind byte, then the index
    let short = name;
    if (name !== 'memory' && name !== 'main') {
      short = names.next().value;
      renames.exports.push([name, short]);
    }
    parts.push(name_(short), body.subarray(j, end));
    i = end;
  }
  if (i !== body.length) throw new Error('export section not read to its end');
  return Buffer.concat(parts);
}

function skipImportDesc(b, i) {
  const kind = b[i++];
  const limits = (at) => {
    const flags = b[at++];
    let [, next] = readUleb(b, at);
    if (flags & 1) [, next] = readUleb(b, next);
    return next;
  };
  switch (kind) {
    case 0: return readUleb(b, i)[1]; // function: its type
    case 1: return limits(i + 1); // table: element type, limits
    case 2: return limits(i); // memory: limits
    case 3: return i + 2; // global: value type, mutability
    case 4: return readUleb(b, i + 1)[1]; // tag: attribute, type
    default: throw new Error(`unknown import kind ${kind}`);
  }
}

/** a, b, …, z, A, …, Z, aa, ab, … (never a JS keyword: none is this short or shaped). */
function* shortNames() {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (let n = 0; ; n++) {
    let s = '';
    let k = n;
    do {
      s = letters[k % letters.length] + s;
      k = Math.floor(k / letters.length) - 1;
    } while (k >= 0);
    if (!['do', 'if', 'in'].includes(s)) yield s;
  }
}

function readUleb(b, i) {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = b[i++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [result, i];
  }
}

function uleb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}

function readName(b, i) {
  const [len, at] = readUleb(b, i);
  return [b.subarray(at, at + len).toString('utf8'), at + len];
}

function name_(s) {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([uleb(bytes.length), bytes]);
}
