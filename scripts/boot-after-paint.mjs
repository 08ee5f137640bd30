// Trunk's post_build hook, step 4 (scripts/post-build.sh): the app's
// WebAssembly and JS glue start loading after the first paint, not beside it.
//
// The first paint of an asset's page is the server's (the asset's card and
// the notes card: no WebAssembly needed), so on a slow link the stylesheet
// it waits for should not share the link with 100 KB of WebAssembly. Trunk
// preloads the glue, its snippets and the WebAssembly from <head> and boots
// them from an inline module; here the preloads go, and the boot waits for
// the first frame (requestAnimationFrame, then a task: after that paint)
// before importing the glue. Everything else about the boot is Trunk's.
//
//   node scripts/boot-after-paint.mjs <staging dir>
import fs from 'node:fs';
import path from 'node:path';

const file = path.join(process.argv[2], 'index.html');
let html = fs.readFileSync(file, 'utf8');

const before = html.length;
html = html.replace(/<link\b[^>]*\brel="?(?:modulepreload|preload)"?[^>]*>\s*/g, (tag) =>
  /\.(?:js|wasm)\b/.test(tag) ? '' : tag,
);
if (html.length === before) throw new Error('boot-after-paint: no preload of the app found in index.html');

const boot = /import init, \* as bindings from (['"])([^'"]+)\1;/;
if (!boot.test(html)) throw new Error("boot-after-paint: Trunk's boot script is not the expected shape");
html = html.replace(
  boot,
  (_, q, glue) =>
    `const bindings = await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok))).then(() => import(${q}${glue}${q}));`,
);
if (!html.includes('await init(')) throw new Error('boot-after-paint: no init call in the boot script');
html = html.replace('await init(', 'await bindings.default(');
fs.writeFileSync(file, html);
