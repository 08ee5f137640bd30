//! Getting Trunk's `dist/` ready to serve under a strict Content-Security-Policy.
//!
//! 1. Trunk boots the app from an *inline* `<script type="module">`, which a
//!    CSP without `'unsafe-inline'` blocks. [`rewrite_index`] moves each inline
//!    script into `boot-<hash>.js` and points the tag at it.
//!    There is one index per language (`index.html`, `index.es.html`: the
//!    app is built once per language); each gets the same treatment, and a
//!    non-English one the words its scripts show (`i18n::words_meta`).
//! 2. [`write_service_worker`] writes `sw.js` from the template `app/js/sw.js`
//!    with this release's file list and version (a hash of the files'
//!    contents), so each release is a new service worker that caches exactly
//!    its own files: the ones every language shares, and those of the
//!    language of the page that registered it (`sw.js?lang=es`).
//! 1b. [`version_links`] puts `?v=<hash>` on the icon's and the manifest's
//!    links (fixed names under `public/`), so they are cached like the
//!    hashed files: a repeat visit fetches neither.
//! 3. [`compress_all`] writes `.br` (quality 11) and `.gz` (best) copies beside
//!    each text-like file, so `ServeDir` can send them precompressed.
//!
//! All are idempotent: a second run finds nothing to do.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::i18n::Lang;

/// Extensions worth compressing.
const COMPRESSIBLE: &[&str] = &[
    "html",
    "js",
    "mjs",
    "wasm",
    "css",
    "svg",
    "json",
    "webmanifest",
];

/// What [`prepare_dist`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// Boot scripts written out of index.html (file names).
    pub boot_scripts: Vec<String>,
    /// Compressed copies written (`.br` and `.gz` count separately).
    pub compressed: usize,
}

/// Rewrite index.html and compress everything. The server runs the two halves
/// separately (compression in the background); tests run this.
pub fn prepare_dist(dist: &Path) -> io::Result<Prepared> {
    let boot_scripts = rewrite_index(dist, "/")?;
    write_service_worker(dist)?;
    remove_stale_compressed(dist)?;
    let compressed = compress_all(dist)?;
    Ok(Prepared {
        boot_scripts,
        compressed,
    })
}

/// Move inline scripts of `dist/index.html` into `dist/boot-<hash>.js` files,
/// referenced under `base` (the URL path the bundle is served at: `/` for the
/// app, `/console/` for the console). Returns the names of the files written
/// (empty when there was nothing to do).
pub fn rewrite_index(dist: &Path, base: &str) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for lang in Lang::ALL {
        let index = dist.join(lang.index_file());
        let html = match fs::read_to_string(&index) {
            Ok(html) => html,
            // Only English is always built.
            Err(e) if lang != Lang::En && e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        let (mut rewritten, scripts) = extract_inline_scripts(&html, base);
        for (name, body) in &scripts {
            write_atomically(&dist.join(name), body.as_bytes())?;
            names.push(name.clone());
        }
        // The status panel's and the "code not active" screen's words.
        let words = crate::i18n::words_meta(lang, &[crate::i18n::OFFLINE_JS, crate::i18n::CODE_JS]);
        let has_words = rewritten.contains("name=\"fieldcase-words\"");
        if !words.is_empty() && !has_words {
            rewritten = rewritten.replacen("</head>", &(words + "</head>"), 1);
        }
        let rewritten = version_links(&rewritten, base, |rel| file_version(&dist.join(rel)));
        if rewritten != html {
            write_atomically(&index, rewritten.as_bytes())?;
        }
    }
    Ok(names)
}

/// A file's version as [`version_links`] writes it: the first 16 hex digits
/// of its content's SHA-256 (`None` when it cannot be read).
pub fn file_version(path: &Path) -> Option<String> {
    let bytes = fs::read(path).ok()?;
    Some(hex::encode(Sha256::digest(bytes))[..16].to_owned())
}

/// `html` with each `<link rel="icon">` and `<link rel="manifest">` under
/// `base` pointing at `…?v=<version>` (`version` of its path under `base`;
/// an existing `?v=` is replaced, so a changed file gets a new one). The
/// server answers such a URL, while it is the file's version, as immutable
/// (`static_files`). Other tags are left as they are.
pub fn version_links(html: &str, base: &str, version: impl Fn(&str) -> Option<String>) -> String {
    map_links(html, |attrs| {
        let rel = get(attrs, "rel").to_ascii_lowercase();
        if rel != "icon" && rel != "manifest" {
            return false;
        }
        let path = get(attrs, "href").split('?').next().unwrap_or_default();
        let Some(v) = path.strip_prefix(base).and_then(&version) else {
            return false;
        };
        let href = format!("{path}?v={v}");
        set(attrs, "href", href);
        true
    })
}

fn get<'a>(attrs: &'a [(String, String)], name: &str) -> &'a str {
    attrs
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map_or("", |(_, v)| v.as_str())
}

fn set(attrs: &mut Vec<(String, String)>, name: &str, value: String) {
    match attrs.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        Some((_, v)) => *v = value,
        None => attrs.push((name.to_owned(), value)),
    }
}

/// `html` with each `<link …>` tag that `change` changes (it returns true)
/// written again from its attributes (quoted); every other tag as it was.
fn map_links(html: &str, mut change: impl FnMut(&mut Vec<(String, String)>) -> bool) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(start) = find_ascii_ci(rest, "<link") {
        let after = &rest[start + "<link".len()..];
        let Some(end) = after.find('>') else { break };
        out.push_str(&rest[..start]);
        let tag = &after[..end];
        let mut attrs = attributes(tag);
        out.push_str("<link");
        if after.starts_with(|c: char| c.is_ascii_whitespace()) && change(&mut attrs) {
            for (name, value) in &attrs {
                out.push_str(&format!(" {name}=\"{}\"", value.replace('"', "&quot;")));
            }
        } else {
            out.push_str(tag);
        }
        out.push('>');
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The pure half of [`rewrite_index`]: the new HTML and `(file name, body)` of
/// each script taken out of it.
pub fn extract_inline_scripts(html: &str, base: &str) -> (String, Vec<(String, String)>) {
    let mut out = String::with_capacity(html.len());
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = find_ascii_ci(rest, "<script") {
        let after_name = &rest[start + "<script".len()..];
        // `<scripts>` or `<script-foo>` are not script tags.
        if !after_name.starts_with(|c: char| c == '>' || c.is_ascii_whitespace()) {
            out.push_str(&rest[..start + "<script".len()]);
            rest = after_name;
            continue;
        }
        let Some(tag_end) = after_name.find('>') else {
            break;
        };
        let attrs = &after_name[..tag_end];
        let body_and_rest = &after_name[tag_end + 1..];
        let Some(close) = find_ascii_ci(body_and_rest, "</script>") else {
            break;
        };
        let body = &body_and_rest[..close];
        let whole_end = start + "<script".len() + tag_end + 1 + close + "</script>".len();
        if is_executable_inline(attrs, body) {
            let name = format!(
                "boot-{}.js",
                &hex::encode(Sha256::digest(body.as_bytes()))[..16]
            );
            out.push_str(&rest[..start]);
            out.push_str(&format!(
                "<script{} src=\"{base}{name}\"></script>",
                attrs.trim_end()
            ));
            scripts.push((name, body.trim().to_owned() + "\n"));
        } else {
            out.push_str(&rest[..whole_end]);
        }
        rest = &rest[whole_end..];
    }
    out.push_str(rest);
    (out, scripts)
}

/// An inline script the browser would run: no `src`, a body, and a
/// JavaScript type (or none). JSON data blocks are left alone.
fn is_executable_inline(attrs: &str, body: &str) -> bool {
    let lower = attrs.to_ascii_lowercase();
    if lower.contains("src=") || body.trim().is_empty() {
        return false;
    }
    match attr_value(&lower, "type") {
        None => true,
        Some(t) => matches!(
            t.as_str(),
            "module" | "text/javascript" | "application/javascript"
        ),
    }
}

fn attr_value(attrs: &str, name: &str) -> Option<String> {
    let i = attrs.find(&format!("{name}="))?;
    let v = &attrs[i + name.len() + 1..];
    let v = v.trim_start_matches(['"', '\'']);
    let end = v.find(['"', '\'', ' ', '\t', '\n']).unwrap_or(v.len());
    Some(v[..end].to_owned())
}

fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The service worker's template (`app/js/sw.js`); its `"__FIELDCASE_RELEASE__"`
/// becomes `{"version":…,"files":[…]}`.
const SW_TEMPLATE: &str = include_str!("../../app/js/sw.js");
const SW_PLACEHOLDER: &str = "\"__FIELDCASE_RELEASE__\"";
/// The worker's own file: not part of the release it lists.
pub const SW_FILE: &str = "sw.js";

/// A release as its service worker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// A hash of every file of every language.
    pub version: String,
    /// The files every language uses.
    pub files: Vec<String>,
    /// Per language (when more than one is built): its index and the files
    /// only it uses (its WebAssembly, glue, engine…).
    pub langs: std::collections::BTreeMap<&'static str, LangFiles>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LangFiles {
    pub index: String,
    pub files: Vec<String>,
}

/// [`all_files`], split by language: a file that only one language's index
/// names (or is) belongs to that language.
pub fn release(dist: &Path) -> io::Result<Release> {
    let (version, all) = all_files(dist)?;
    let mut named = Vec::new();
    for lang in Lang::ALL {
        let index = format!("/{}", lang.index_file());
        if let Ok(html) = fs::read_to_string(dist.join(lang.index_file())) {
            let mut refs: Vec<String> = local_urls(&html)
                .into_iter()
                .filter(|u| all.contains(u))
                .collect();
            // The boot script names the language's glue and WebAssembly
            // (it imports them after the first paint: no preload names them).
            let booted: Vec<String> = refs
                .iter()
                .filter(|u| u.starts_with("/boot-"))
                .filter_map(|u| fs::read_to_string(dist.join(&u[1..])).ok())
                .flat_map(|js| quoted_urls(&js))
                .filter(|u| all.contains(u) && !refs.contains(u))
                .collect();
            refs.extend(booted);
            refs.push(index.clone());
            named.push((lang, index, refs));
        }
    }
    let mut langs = std::collections::BTreeMap::new();
    if named.len() > 1 {
        for (lang, index, refs) in &named {
            let only: Vec<String> = refs
                .iter()
                .filter(|u| {
                    named
                        .iter()
                        .all(|(other, _, theirs)| other == lang || !theirs.contains(u))
                })
                .cloned()
                .collect();
            langs.insert(
                lang.code(),
                LangFiles {
                    index: index.clone(),
                    files: only,
                },
            );
        }
    }
    let files = all
        .into_iter()
        .filter(|f| !langs.values().any(|l| l.files.contains(f)))
        .collect();
    Ok(Release {
        version,
        files,
        langs,
    })
}

/// The local URLs (`'/…'` or `"/…"`) a script names in quotes.
fn quoted_urls(js: &str) -> Vec<String> {
    let mut out = Vec::new();
    for q in ['\'', '"'] {
        for (i, piece) in js.split(q).enumerate() {
            if i % 2 == 1
                && piece.starts_with('/')
                && !piece.starts_with("//")
                && !piece.contains(char::is_whitespace)
                && !out.iter().any(|u: &String| u == piece)
            {
                out.push(piece.to_owned());
            }
        }
    }
    out
}

/// The local URLs (`/…`) an HTML page names in `href`, `src` or `content`.
fn local_urls(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=", "src=", "content="] {
        for part in html.split(attr).skip(1) {
            let value = match part.chars().next() {
                Some(q @ ('"' | '\'')) => part[1..].split(q).next().unwrap_or_default(),
                _ => part
                    .split(|c: char| c.is_whitespace() || c == '>')
                    .next()
                    .unwrap_or_default(),
            };
            if value.starts_with('/') && !value.starts_with("//") {
                out.push(value.to_owned());
            }
        }
    }
    out
}

/// Every file of `dist` (not the compressed copies, not the worker), as URL
/// paths, sorted; and the release's version, the first 16 hex digits of a
/// SHA-256 over each path and its content's SHA-256, so any changed byte is
/// a new release.
fn all_files(dist: &Path) -> io::Result<(String, Vec<String>)> {
    let mut files = Vec::new();
    let mut stack = vec![dist.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name.contains(".tmp-") {
                continue;
            }
            let compressed = name.ends_with(".br") || name.ends_with(".gz");
            let the_worker = dir == dist && name == SW_FILE;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() && !compressed && !the_worker {
                let rel = path
                    .strip_prefix(dist)
                    .map_err(io::Error::other)?
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((format!("/{rel}"), path));
            }
        }
    }
    files.sort();
    let mut hasher = Sha256::new();
    for (url, path) in &files {
        hasher.update(url.as_bytes());
        hasher.update([0]);
        hasher.update(Sha256::digest(fs::read(path)?));
    }
    let version = hex::encode(hasher.finalize())[..16].to_owned();
    Ok((version, files.into_iter().map(|(url, _)| url).collect()))
}

/// The service worker's text for a release.
pub fn service_worker(release: &Release) -> String {
    let json = serde_json::json!({
        "version": release.version,
        "files": release.files,
        "langs": release.langs,
    });
    SW_TEMPLATE.replacen(SW_PLACEHOLDER, &json.to_string(), 1)
}

/// Write `dist/sw.js` for the release in `dist` (only when it changed, so its
/// compressed copies stay valid); returns the release's version.
pub fn write_service_worker(dist: &Path) -> io::Result<String> {
    let release = release(dist)?;
    let text = service_worker(&release);
    let path = dist.join(SW_FILE);
    if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        write_atomically(&path, text.as_bytes())?;
    }
    Ok(release.version)
}

/// Delete compressed copies older than their source, so a stale one is never
/// served while [`compress_all`] catches up.
pub fn remove_stale_compressed(dist: &Path) -> io::Result<()> {
    for source in compressible_files(dist)? {
        let modified = fs::metadata(&source)?.modified()?;
        for ext in ["br", "gz"] {
            let copy = with_extra_ext(&source, ext);
            if is_stale(&copy, modified) && copy.exists() {
                fs::remove_file(&copy)?;
            }
        }
    }
    Ok(())
}

/// Write each missing or outdated `.br` and `.gz` copy; returns how many.
pub fn compress_all(dist: &Path) -> io::Result<usize> {
    let mut written = 0;
    for source in compressible_files(dist)? {
        let modified = fs::metadata(&source)?.modified()?;
        let br = with_extra_ext(&source, "br");
        let gz = with_extra_ext(&source, "gz");
        if !is_stale(&br, modified) && !is_stale(&gz, modified) {
            continue;
        }
        let bytes = fs::read(&source)?;
        if is_stale(&br, modified) {
            let mut out = Vec::with_capacity(bytes.len() / 3);
            let params = brotli::enc::BrotliEncoderParams {
                quality: 11,
                lgwin: 22,
                ..Default::default()
            };
            brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
            write_atomically(&br, &out)?;
            written += 1;
        }
        if is_stale(&gz, modified) {
            let mut encoder = flate2::write::GzEncoder::new(
                Vec::with_capacity(bytes.len() / 3),
                flate2::Compression::best(),
            );
            encoder.write_all(&bytes)?;
            write_atomically(&gz, &encoder.finish()?)?;
            written += 1;
        }
    }
    Ok(written)
}

fn is_stale(copy: &Path, source_modified: SystemTime) -> bool {
    match fs::metadata(copy).and_then(|m| m.modified()) {
        Ok(t) => t < source_modified,
        Err(_) => true,
    }
}

fn with_extra_ext(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

fn compressible_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file()
                && path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| COMPRESSIBLE.contains(&e))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(format!(".tmp-{}", std::process::id()));
    let temp = PathBuf::from(temp);
    fs::write(&temp, bytes)?;
    fs::rename(&temp, path)
}

/// Whether a file name carries a content hash (Trunk's `name-<16 hex>.ext`,
/// our `boot-<16 hex>.js`), so it may be cached forever.
pub fn is_hashed_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split(['-', '_', '.']).any(|part| {
        part.len() >= 16 && part.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// What the server's own pages borrow from the built app's index.html: its
/// stylesheet (hashed name) and the QR decoder's URL, so a "code not active"
/// page looks like the app and can scan.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PageAssets {
    pub stylesheet: Option<String>,
    pub scanner: Option<String>,
}

impl PageAssets {
    pub fn from_index(html: &str) -> PageAssets {
        PageAssets {
            stylesheet: tag_attr(html, "link", ("rel", "stylesheet"), "href"),
            scanner: tag_attr(html, "meta", ("name", "fieldcase-scanner"), "content"),
        }
    }
}

/// The value of `attr` on the first `<tag …>` whose attribute `is.0` is
/// `is.1`. Trunk's minifier leaves values unquoted where it can, so values
/// are read quoted (either quote) or bare.
fn tag_attr(html: &str, tag: &str, is: (&str, &str), attr: &str) -> Option<String> {
    let open = format!("<{tag}");
    let mut rest = html;
    while let Some(start) = find_ascii_ci(rest, &open) {
        let after = &rest[start + open.len()..];
        let end = after.find('>')?;
        let attrs = attributes(&after[..end]);
        let get = |name: &str| {
            attrs
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        if after.starts_with(|c: char| c.is_ascii_whitespace())
            && get(is.0).is_some_and(|v| v.eq_ignore_ascii_case(is.1))
            && let Some(v) = get(attr)
        {
            return Some(v.to_owned());
        }
        rest = &after[end..];
    }
    None
}

/// `name=value` pairs of a tag's inside (`"…"`, `'…'` or bare values;
/// a name alone has an empty value).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_owned();
        rest = rest[name_end..].trim_start();
        let mut value = String::new();
        if let Some(v) = rest.strip_prefix('=') {
            let v = v.trim_start();
            let (val, tail) = match v.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &v[1..];
                    let close = inner.find(q).unwrap_or(inner.len());
                    (&inner[..close], inner.get(close + 1..).unwrap_or(""))
                }
                _ => {
                    let end = v.find(|c: char| c.is_ascii_whitespace()).unwrap_or(v.len());
                    (&v[..end], &v[end..])
                }
            };
            value = val.to_owned();
            rest = tail;
        }
        if !name.is_empty() {
            out.push((name, value));
        }
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
    }
    out
}

/// `html` with `fragment` inserted right after the opening `<body…>` tag
/// (unchanged when there is none).
pub fn insert_after_body(html: &str, fragment: &str) -> String {
    let Some(at) =
        find_ascii_ci(html, "<body").and_then(|i| html[i..].find('>').map(|j| i + j + 1))
    else {
        return html.to_owned();
    };
    let mut out = String::with_capacity(html.len() + fragment.len());
    out.push_str(&html[..at]);
    out.push_str(fragment);
    out.push_str(&html[at..]);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pages_borrow_the_stylesheet_and_the_scanner_from_the_index() {
        let html = "<html><head><link rel=\"modulepreload\" href=\"/a.js\">\
                    <link rel=\"stylesheet\" href=\"/main-0123456789abcdef.css\" integrity=\"x\">\
                    <meta name=\"fieldcase-scanner\" content=\"/fieldcase-scanner-0123456789abcdef.wasm\"></head>\
                    <BODY class=\"x\"><noscript>no</noscript></BODY></html>";
        assert_eq!(
            PageAssets::from_index(html),
            PageAssets {
                stylesheet: Some("/main-0123456789abcdef.css".into()),
                scanner: Some("/fieldcase-scanner-0123456789abcdef.wasm".into()),
            }
        );
        assert_eq!(
            PageAssets::from_index("<html></html>"),
            PageAssets::default()
        );
        // Trunk's minified index.html: bare values, any order.
        let minified = "<title>fieldcase</title><link href=/public/favicon.svg rel=icon>\
                        <link href=/main-2dc2e3ee0a1d4a74.css integrity=sha384-bmH8/x+y rel=stylesheet>\
                        <linkx rel=stylesheet href=/no.css>\
                        <meta name=\"fieldcase-scanner\" content=\"/s.wasm\"></head><body>";
        assert_eq!(
            PageAssets::from_index(minified),
            PageAssets {
                stylesheet: Some("/main-2dc2e3ee0a1d4a74.css".into()),
                scanner: Some("/s.wasm".into()),
            }
        );
        assert!(
            insert_after_body(html, "<p>card</p>")
                .contains("<BODY class=\"x\"><p>card</p><noscript>")
        );
        assert_eq!(insert_after_body("<p>", "x"), "<p>");
    }

    #[test]
    fn the_icon_and_the_manifest_carry_their_version() {
        let version = |p: &str| (p != "public/gone.svg").then(|| format!("v-{}", p.len()));
        let html = "<title>x</title><link href=/public/favicon.svg rel=icon type=image/svg+xml>\
                    <link rel=\"manifest\" href=\"/public/manifest.webmanifest?v=old\">\
                    <link href=/main-0123456789abcdef.css rel=stylesheet>\
                    <link rel=icon href=/public/gone.svg><link rel=icon href=https://cdn.example/x.svg>";
        let out = version_links(html, "/", version);
        assert_eq!(
            out,
            "<title>x</title><link href=\"/public/favicon.svg?v=v-18\" rel=\"icon\" type=\"image/svg+xml\">\
             <link rel=\"manifest\" href=\"/public/manifest.webmanifest?v=v-27\">\
             <link href=/main-0123456789abcdef.css rel=stylesheet>\
             <link rel=icon href=/public/gone.svg><link rel=icon href=https://cdn.example/x.svg>"
        );
        assert_eq!(version_links(&out, "/", version), out, "idempotent");
    }

    #[test]
    fn a_bundle_served_under_a_path_gets_its_boot_script_there() {
        let (html, scripts) =
            extract_inline_scripts("<script type=\"module\">boot()</script>", "/console/");
        assert_eq!(scripts.len(), 1);
        assert!(
            html.contains(&format!("src=\"/console/{}\"", scripts[0].0)),
            "{html}"
        );
    }

    const TRUNK_INDEX: &str = r#"<!DOCTYPE html><html lang="en"><head>
    <meta charset="utf-8">
    <title>fieldcase</title>
<link rel="stylesheet" href="/main-5a7c1e2f3b4d6e80.css" integrity="sha384-abc"/>
<link rel="modulepreload" href="/fieldcase-app-3f2a8c1d9e7b6a50.js" crossorigin="anonymous" integrity="sha384-def">
<link rel="preload" href="/fieldcase-app-3f2a8c1d9e7b6a50_bg.wasm" crossorigin="anonymous" integrity="sha384-ghi" as="fetch" type="application/wasm">
<script type="application/ld+json">{"@context":"https://schema.org"}</script>
</head>
  <body>
    <noscript>fieldcase needs JavaScript to run in this browser.</noscript>
<script type="module">
import init, * as bindings from '/fieldcase-app-3f2a8c1d9e7b6a50.js';
const wasm = await init({ module_or_path: '/fieldcase-app-3f2a8c1d9e7b6a50_bg.wasm' });
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent("TrunkApplicationStarted", {detail: {wasm}}));
</script>
</body></html>"#;

    fn fake_dist() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("index.html"), TRUNK_INDEX).unwrap();
        fs::write(
            dir.path().join("fieldcase-app-3f2a8c1d9e7b6a50.js"),
            "export default 1;\n".repeat(50),
        )
        .unwrap();
        fs::write(
            dir.path().join("fieldcase-app-3f2a8c1d9e7b6a50_bg.wasm"),
            [0u8; 4096],
        )
        .unwrap();
        fs::create_dir(dir.path().join("icons")).unwrap();
        fs::write(
            dir.path().join("icons/icon.svg"),
            "<svg xmlns='http://www.w3.org/2000/svg'/>",
        )
        .unwrap();
        fs::write(dir.path().join("icons/photo.png"), [0u8; 64]).unwrap();
        dir
    }

    #[test]
    fn moves_the_inline_boot_script_out_and_is_idempotent() {
        let dist = fake_dist();
        let first = prepare_dist(dist.path()).unwrap();
        assert_eq!(first.boot_scripts.len(), 1);
        let boot = &first.boot_scripts[0];
        assert!(
            boot.starts_with("boot-") && boot.ends_with(".js") && is_hashed_name(boot),
            "{boot}"
        );

        let html = fs::read_to_string(dist.path().join("index.html")).unwrap();
        assert!(
            html.contains(&format!(r#"<script type="module" src="/{boot}"></script>"#)),
            "{html}"
        );
        assert!(
            !html.contains("import init"),
            "the inline body is gone: {html}"
        );
        assert!(
            html.contains("application/ld+json"),
            "data blocks stay inline"
        );
        let js = fs::read_to_string(dist.path().join(boot)).unwrap();
        assert!(
            js.starts_with("import init, * as bindings from '/fieldcase-app-"),
            "{js}"
        );

        // html, js, wasm, svg, the boot script and the service worker: a .br
        // and a .gz each; not the png.
        assert_eq!(first.compressed, 12);
        assert!(dist.path().join("icons/icon.svg.br").exists());
        assert!(!dist.path().join("icons/photo.png.br").exists());
        let br = fs::read(dist.path().join("index.html.br")).unwrap();
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut plain).unwrap();
        assert_eq!(String::from_utf8(plain).unwrap(), html);

        let second = prepare_dist(dist.path()).unwrap();
        assert_eq!(second, Prepared::default(), "a second run changes nothing");
        assert_eq!(
            fs::read_to_string(dist.path().join("index.html")).unwrap(),
            html
        );
    }

    #[test]
    fn outdated_copies_are_redone() {
        let dist = fake_dist();
        prepare_dist(dist.path()).unwrap();
        let svg = dist.path().join("icons/icon.svg");
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(&svg, "<svg xmlns='http://www.w3.org/2000/svg'><g/></svg>").unwrap();
        // The svg, and the service worker of what is now a new release.
        assert_eq!(prepare_dist(dist.path()).unwrap().compressed, 4);
    }

    fn release_of(sw: &str) -> (String, Vec<String>) {
        let json = sw
            .split("const RELEASE = ")
            .nth(1)
            .and_then(|r| r.split(";\n").next())
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(v["langs"], serde_json::json!({}), "one language built");
        let files = v["files"].as_array().unwrap();
        (
            v["version"].as_str().unwrap().to_owned(),
            files
                .iter()
                .map(|f| f.as_str().unwrap().to_owned())
                .collect(),
        )
    }

    #[test]
    fn the_service_worker_lists_the_release_and_changes_with_any_byte() {
        let dist = fake_dist();
        prepare_dist(dist.path()).unwrap();
        let sw = fs::read_to_string(dist.path().join(SW_FILE)).unwrap();
        let (version, files) = release_of(&sw);
        assert!(sw.contains("importScripts('/offline.js')"), "the template");
        let boot = &files.iter().find(|f| f.starts_with("/boot-")).unwrap();
        assert_eq!(
            files,
            vec![
                boot.to_string(),
                "/fieldcase-app-3f2a8c1d9e7b6a50.js".to_owned(),
                "/fieldcase-app-3f2a8c1d9e7b6a50_bg.wasm".to_owned(),
                "/icons/icon.svg".to_owned(),
                "/icons/photo.png".to_owned(),
                "/index.html".to_owned(),
            ],
            "every file, not the compressed copies nor the worker itself"
        );
        // The same release: the same worker, not rewritten.
        let before = fs::metadata(dist.path().join(SW_FILE))
            .unwrap()
            .modified()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(write_service_worker(dist.path()).unwrap(), version);
        let after = fs::metadata(dist.path().join(SW_FILE))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(before, after);
        // One byte of a file without a hashed name: a new release.
        fs::write(dist.path().join("icons/photo.png"), [1u8; 64]).unwrap();
        let next = write_service_worker(dist.path()).unwrap();
        assert_ne!(next, version);
        let (v2, files2) = release_of(&fs::read_to_string(dist.path().join(SW_FILE)).unwrap());
        assert_eq!((v2, files2), (next, files));
    }

    #[test]
    fn with_two_languages_each_keeps_its_own_files_and_gets_its_words() {
        let dist = fake_dist();
        // As scripts/boot-after-paint.mjs leaves it: no preload, the boot
        // script alone names the language's glue and WebAssembly.
        let es = "<!doctype html><html lang=\"es\"><head>\
            <script type=\"module\">\
const bindings = await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok))).then(() => import('/fieldcase-app-0000aaaa1111bbbb.js'));\
const wasm = await bindings.default({ module_or_path: '/fieldcase-app-0000aaaa1111bbbb_bg.wasm' });\
</script>\
            <meta name=\"fieldcase-engine\" content=\"/fieldcase-engine-2222cccc3333dddd.wasm\">\
            </head><body></body></html>";
        fs::write(dist.path().join("index.es.html"), es).unwrap();
        fs::write(dist.path().join("fieldcase-app-0000aaaa1111bbbb.js"), "es").unwrap();
        fs::write(
            dist.path().join("fieldcase-app-0000aaaa1111bbbb_bg.wasm"),
            "es",
        )
        .unwrap();
        fs::write(
            dist.path().join("fieldcase-engine-2222cccc3333dddd.wasm"),
            "es",
        )
        .unwrap();
        prepare_dist(dist.path()).unwrap();
        let release = release(dist.path()).unwrap();
        let es = &release.langs["es"];
        assert_eq!(es.index, "/index.es.html");
        // Its own boot script, engine, and the glue and WebAssembly its boot
        // script imports.
        assert!(es.files[0].starts_with("/boot-"), "{:?}", es.files);
        assert_eq!(
            es.files[1..],
            [
                "/fieldcase-engine-2222cccc3333dddd.wasm",
                "/fieldcase-app-0000aaaa1111bbbb.js",
                "/fieldcase-app-0000aaaa1111bbbb_bg.wasm",
                "/index.es.html"
            ]
        );
        let en = &release.langs["en"];
        assert!(en.files.contains(&"/index.html".to_owned()));
        assert!(
            en.files
                .contains(&"/fieldcase-app-3f2a8c1d9e7b6a50_bg.wasm".to_owned())
        );
        assert!(
            release.files.contains(&"/icons/icon.svg".to_owned()),
            "named by neither index: shared"
        );
        assert!(!release.files.iter().any(|f| f.contains("index")));
        // The Spanish page carries its scripts' words; the English none.
        let es_html = fs::read_to_string(dist.path().join("index.es.html")).unwrap();
        assert_eq!(es_html.matches("name=\"fieldcase-words\"").count(), 1);
        let en_html = fs::read_to_string(dist.path().join("index.html")).unwrap();
        assert!(!en_html.contains("fieldcase-words"));
        // Idempotent.
        prepare_dist(dist.path()).unwrap();
        let again = fs::read_to_string(dist.path().join("index.es.html")).unwrap();
        assert_eq!(again, es_html);
    }

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed_name("/fieldcase-app-3f2a8c1d9e7b6a50_bg.wasm"));
        assert!(is_hashed_name("main-5a7c1e2f3b4d6e80.css"));
        assert!(!is_hashed_name("/index.html"));
        assert!(!is_hashed_name("/icons/icon-192.png"));
        assert!(!is_hashed_name("/a/ABCDEFGHIJKLMNOPQRST"));
    }
}
