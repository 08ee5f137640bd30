//! The technician app's languages, chosen when the app is built.
//!
//! Every user-facing string of the app and the review engine is written in
//! English inside `t!("…")`. `FIELDCASE_LANG` (unset or `en`, or `es`) picks
//! the language of a build: `t!` becomes the string literal in that
//! language, from the catalog in this folder (`es.json`: English → Spanish),
//! and a Spanish build without a translation does not compile.
//! `scripts/lib.sh` builds the app once per language; the server sends each
//! browser the index of its language (`server/src/i18n.rs`).
//!
//! Why at build time rather than a catalog fetched at run time: the first
//! load is budgeted (100 KB), and a literal costs nothing there — Leptos
//! draws static markup from one HTML string, which a run-time lookup would
//! turn into code per element. Why hand-written rather than `fluent`: that
//! is a run-time catalog (and 100 KB of WebAssembly); the two languages
//! need only whole sentences with `{}` slots, filled in order by the caller.
//!
//! `view!` is Leptos's, in the build's language: its text (a string literal
//! between tags) is translated as `t!` would, and so is every `t!("…")` in
//! it (attribute values, Rust blocks); a `{t!("…")}` child becomes a plain
//! literal, so the markup around it stays static. Text with no letters
//! (" · ", "—") is left as it is.

use std::collections::HashMap;
use std::sync::OnceLock;

use proc_macro::{Delimiter, Group, Literal, TokenStream, TokenTree};

/// The English sentence, in the build's language.
#[proc_macro]
pub fn t(input: TokenStream) -> TokenStream {
    match english(input).and_then(|(english, span)| translate(&english, span)) {
        Ok(lit) => TokenTree::Literal(lit).into(),
        Err(e) => e,
    }
}

/// The build's language: `"en"` or `"es"` (for `<html lang>`, `Intl` and
/// number formats).
#[proc_macro]
pub fn lang(_: TokenStream) -> TokenStream {
    match language() {
        Ok(lang) => TokenTree::Literal(Literal::string(lang)).into(),
        Err(m) => error(&m, proc_macro::Span::call_site()),
    }
}

/// Leptos's `view!`, with every `t!("…")` in it already in the build's language.
#[proc_macro]
pub fn view(input: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let body = replace(input, true, &mut errors);
    if !errors.is_empty() {
        // Every missing sentence at once, not one per build.
        let all: TokenStream = errors
            .into_iter()
            .flat_map(|e| {
                let mut e = e;
                e.extend(";".parse::<TokenStream>().unwrap_or_default());
                e
            })
            .collect();
        return TokenTree::Group(Group::new(Delimiter::Brace, all)).into();
    }
    let mut out: TokenStream = "::leptos::view!".parse().unwrap_or_default();
    out.extend([TokenTree::Group(Group::new(Delimiter::Brace, body))]);
    out
}

/// The languages a build can be in.
const LANGUAGES: &[&str] = &["en", "es"];

fn language() -> Result<&'static str, String> {
    let lang = std::env::var("FIELDCASE_LANG").unwrap_or_default();
    match lang.as_str() {
        "" | "en" => Ok("en"),
        "es" => Ok("es"),
        other => Err(format!(
            "FIELDCASE_LANG={other:?} is not one of the app's languages ({})",
            LANGUAGES.join(", ")
        )),
    }
}

fn catalog(lang: &str) -> &'static HashMap<String, String> {
    static ES: OnceLock<HashMap<String, String>> = OnceLock::new();
    match lang {
        "es" => ES.get_or_init(|| {
            serde_json::from_str(include_str!("../es.json"))
                .unwrap_or_else(|e| panic!("i18n/es.json is not a JSON object of strings: {e}"))
        }),
        _ => unreachable!("English needs no catalog"),
    }
}

fn translate(english: &str, span: proc_macro::Span) -> Result<Literal, TokenStream> {
    let lang = language().map_err(|m| error(&m, span))?;
    let text = if lang == "en" {
        english.to_owned()
    } else {
        let Some(text) = catalog(lang).get(english) else {
            return Err(error(
                &format!("no {lang} translation of {english:?}: add it to i18n/{lang}.json"),
                span,
            ));
        };
        if slots(text) != slots(english) {
            return Err(error(
                &format!(
                    "i18n/{lang}.json: {text:?} has {} `{{}}` slots, its English {english:?} has {}",
                    slots(text),
                    slots(english)
                ),
                span,
            ));
        }
        text.clone()
    };
    let mut lit = Literal::string(&text);
    lit.set_span(span);
    Ok(lit)
}

/// How many `{}` a sentence has (filled in order by the caller).
fn slots(s: &str) -> usize {
    s.matches("{}").count()
}

/// The one string literal `t!` was given.
fn english(input: TokenStream) -> Result<(String, proc_macro::Span), TokenStream> {
    let span = input
        .clone()
        .into_iter()
        .next()
        .map_or_else(proc_macro::Span::call_site, |t| t.span());
    match syn::parse::<syn::LitStr>(input) {
        Ok(lit) => Ok((lit.value(), span)),
        Err(_) => Err(error("t! takes one string literal, in English", span)),
    }
}

/// `tokens` with `t!("…")` replaced by the literal, and `{t!("…")}` by the
/// bare literal, at any depth; at the top of a `view!` (`markup`), text
/// between tags too.
fn replace(tokens: TokenStream, markup: bool, errors: &mut Vec<TokenStream>) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if let Some(call) = call_at(&tokens, i) {
            out.push(keep(call, Literal::string(""), errors));
            i += 3;
            continue;
        }
        match &tokens[i] {
            TokenTree::Group(g) => {
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                // `{t!("…")}` between tags: the literal alone, a static child.
                if markup
                    && g.delimiter() == Delimiter::Brace
                    && inner.len() == 3
                    && let Some(call) = call_at(&inner, 0)
                {
                    out.push(keep(call, Literal::string(""), errors));
                    i += 1;
                    continue;
                }
                let mut nested = Vec::new();
                let mut group = Group::new(g.delimiter(), replace(g.stream(), false, &mut nested));
                errors.extend(nested);
                group.set_span(g.span());
                out.push(TokenTree::Group(group));
            }
            TokenTree::Literal(lit) if markup && !after_equals(&tokens, i) => match text(lit) {
                Some(english) => {
                    out.push(keep(translate(&english, lit.span()), lit.clone(), errors));
                }
                None => out.push(TokenTree::Literal(lit.clone())),
            },
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// The literal, or `fallback` with the error kept for later.
fn keep(
    result: Result<Literal, TokenStream>,
    fallback: Literal,
    errors: &mut Vec<TokenStream>,
) -> TokenTree {
    match result {
        Ok(lit) => TokenTree::Literal(lit),
        Err(e) => {
            errors.push(e);
            TokenTree::Literal(fallback)
        }
    }
}

/// An attribute's value (`name="…"`), not text.
fn after_equals(tokens: &[TokenTree], i: usize) -> bool {
    i > 0 && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '=')
}

/// A string literal's text, if it has letters (words to translate).
fn text(lit: &Literal) -> Option<String> {
    let parsed = syn::parse::<syn::LitStr>(TokenTree::Literal(lit.clone()).into()).ok()?;
    let value = parsed.value();
    value.chars().any(char::is_alphabetic).then_some(value)
}

/// The translated literal if `tokens[i..]` starts with `t ! ( "…" )`.
fn call_at(tokens: &[TokenTree], i: usize) -> Option<Result<Literal, TokenStream>> {
    let (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(bang)), Some(TokenTree::Group(args))) =
        (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2))
    else {
        return None;
    };
    if name.to_string() != "t"
        || bang.as_char() != '!'
        || args.delimiter() != Delimiter::Parenthesis
    {
        return None;
    }
    Some(english(args.stream()).and_then(|(english, _)| translate(&english, name.span())))
}

fn error(message: &str, span: proc_macro::Span) -> TokenStream {
    let mut lit = Literal::string(message);
    lit.set_span(span);
    let mut out: TokenStream = "::core::compile_error!".parse().unwrap_or_default();
    out.extend([TokenTree::Group(Group::new(
        Delimiter::Parenthesis,
        TokenTree::Literal(lit).into(),
    ))]);
    out
}
