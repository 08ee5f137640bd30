// Part of build_app (scripts/lib.sh): a language's build of the app joins
// the English one in dist/.
//
//   node scripts/languages.mjs DIST LANG_DIST LANG
//
// - every file of LANG_DIST that dist/ lacks is copied in (its WebAssembly,
//   glue and engine have their own hashed names; the shared files — CSS,
//   photos.js, the scanner, public/ — are the same bytes and names);
// - LANG_DIST/index.html becomes dist/index.LANG.html, with `<html lang>`
//   and the index's own words (description, noscript) from i18n/LANG.json.
// The server sends each browser the index of its language (server/src/i18n.rs).
import { readFileSync, writeFileSync, readdirSync, statSync, mkdirSync, copyFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [dist, langDist, lang] = process.argv.slice(2);
if (!dist || !langDist || !/^[a-z]{2}$/.test(lang ?? '')) {
  console.error('usage: node scripts/languages.mjs DIST LANG_DIST LANG');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const catalog = JSON.parse(readFileSync(join(root, 'i18n', `${lang}.json`), 'utf8'));

let copied = 0;
(function copy(rel) {
  for (const name of readdirSync(join(langDist, rel))) {
    const from = join(langDist, rel, name);
    const to = join(dist, rel, name);
    if (statSync(from).isDirectory()) {
      mkdirSync(to, { recursive: true });
      copy(join(rel, name));
    } else if (!(rel === '' && name === 'index.html') && !existsSync(to)) {
      copyFileSync(from, to);
      copied += 1;
    }
  }
})('');

let html = readFileSync(join(langDist, 'index.html'), 'utf8');
html = html.replace(/<html lang=("?)en\1/, `<html lang=${lang}`);
if (!html.includes(`<html lang=${lang}`)) fail('no <html lang=en> to change');
for (const english of [
  'Report a problem on the equipment you scanned.',
  'fieldcase needs JavaScript to run in this browser.',
]) {
  const words = catalog[english];
  if (!words) fail(`no ${lang} translation of ${JSON.stringify(english)} in i18n/${lang}.json`);
  if (!html.includes(english)) fail(`the index no longer says ${JSON.stringify(english)}`);
  html = html.replace(english, words.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;'));
}
writeFileSync(join(dist, `index.${lang}.html`), html);
console.error(`languages: ${lang}: index.${lang}.html and ${copied} files of its own`);

function fail(message) {
  console.error(`languages: ${message}`);
  process.exit(1);
}
