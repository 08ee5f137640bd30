// Part of Trunk's post_build hook (scripts/post-build.sh), release builds only:
// minify wasm-bindgen's JS glue with terser (Trunk's own minifier cannot
// parse it and leaves it as is) and put the minified file's Subresource
// Integrity hash into the index.html tag that names it.
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
  const { code } = await minify(readFileSync(path, 'utf8'), {
    module: true,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
  });
  writeFileSync(path, code);
  const sri = 'sha384-' + createHash('sha384').update(code).digest('base64');
  let tags = 0;
  html = html.replace(/<link\b[^>]*>/g, (tag) => {
    if (!tag.includes(`/${name}`) || !tag.includes('integrity=')) return tag;
    tags += 1;
    return tag.replace(/integrity=("?)sha(256|384|512)-[A-Za-z0-9+/=]+/, `integrity=$1${sri}`);
  });
  if (tags !== 1) {
    console.error(`minify-js: expected one <link> with integrity for ${name}, found ${tags}`);
    process.exit(1);
  }
  console.error(`minify-js: ${name} ${code.length} bytes`);
}
writeFileSync(indexPath, html);
