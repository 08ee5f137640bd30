// Part of Trunk's post_build hook (scripts/post-build.sh): the photo
// pipeline, app/js/photos.js, into the staging dir under a name carrying a
// hash of its content (served as immutable), named in index.html as
// <meta name="fieldcase-photos" content="/photos-<hash>.js">. The app adds it
// to the page when the first photo is chosen, so it is never in the first
// load; it is also the module Worker that shrinks photos. Minified with
// terser in release builds.
//
//   node scripts/photos-js.mjs STAGING_DIR PUBLIC_URL [--minify]
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [dir, publicUrl = '/', flag] = process.argv.slice(2);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let code = readFileSync(join(root, 'app', 'js', 'photos.js'), 'utf8');
if (flag === '--minify') {
  const { minify } = await import('terser');
  ({ code } = await minify(code, {
    module: true,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
  }));
}
const name = `photos-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.js`;
writeFileSync(join(dir, name), code);
const indexPath = join(dir, 'index.html');
const html = readFileSync(indexPath, 'utf8');
const meta = `<meta name="fieldcase-photos" content="${publicUrl}${name}">`;
if (!html.includes('</head>')) {
  console.error('photos-js: no </head> in index.html');
  process.exit(1);
}
writeFileSync(indexPath, html.replace('</head>', `${meta}</head>`));
console.error(`photos-js: ${name} ${code.length} bytes`);
