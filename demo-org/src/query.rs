//! The SOQL subset fieldcase needs, answered like Salesforce's `GET /query`:
//!
//! ```text
//! SELECT field [, field …] | COUNT()
//! FROM Object
//! [WHERE cond [AND cond …]]        cond: field = | != | <> | < | <= | > | >= value
//!                                        field [NOT] IN (value, …)
//!                                  value: 'text' | number | TRUE | FALSE | NULL
//! [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST] [, …]]
//! [LIMIT n] [OFFSET n]
//! ```
//!
//! Text comparisons ignore case, as in SOQL; ids match in 15- or 18-character
//! form. Anything else (OR, LIKE, relationship fields, sub-queries, date
//! literals, GROUP BY …) is a 400 `MALFORMED_QUERY` that says what the demo
//! org does not support; unknown fields and objects get Salesforce's
//! `INVALID_FIELD` / `INVALID_TYPE` messages with the row and column.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};
use sqlx::sqlite::SqliteConnection;

use crate::describe::{self, FieldDef, FieldType, SObjectDef};
use crate::error::{ApiError, Result};
use crate::ids;
use crate::sobjects::record_url;
use crate::store::{self, Record};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Sym(&'static str),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    pos: usize,
}

/// A parse error at a byte offset of the query.
#[derive(Debug)]
struct At {
    pos: usize,
    code: &'static str,
    message: String,
}

fn at(pos: usize, message: impl Into<String>) -> At {
    At {
        pos,
        code: "MALFORMED_QUERY",
        message: message.into(),
    }
}

fn unsupported(pos: usize, what: &str) -> At {
    at(
        pos,
        format!(
            "{what} is not supported by the demo org's SOQL subset \
             (SELECT fields | COUNT() FROM Object [WHERE field op value [AND …]] [ORDER BY …] [LIMIT n] [OFFSET n])"
        ),
    )
}

fn tokenize(q: &str) -> Result<Vec<Token>, At> {
    let b = q.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let pos = i;
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(q[pos..i].to_string()),
                pos,
            });
        } else if c.is_ascii_digit() || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            i += 1;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            // Date and datetime literals (2025-01-01, 2025-01-01T00:00:00Z).
            if i < b.len() && (b[i] == b'-' || b[i] == b'T' || b[i] == b':') {
                return Err(unsupported(pos, "A date literal"));
            }
            let n = q[pos..i]
                .parse()
                .map_err(|_| at(pos, format!("unexpected token: {}", &q[pos..i])))?;
            out.push(Token {
                tok: Tok::Num(n),
                pos,
            });
        } else if c == b'\'' {
            i += 1;
            let mut s = String::new();
            loop {
                let Some(&ch) = b.get(i) else {
                    return Err(at(
                        pos,
                        "unexpected end of query: unterminated string literal",
                    ));
                };
                match ch {
                    b'\'' => {
                        i += 1;
                        break;
                    }
                    b'\\' => {
                        let esc = b.get(i + 1).copied();
                        let r = match esc {
                            Some(b'n') => '\n',
                            Some(b't') => '\t',
                            Some(b'r') => '\r',
                            Some(b'b') => '\u{8}',
                            Some(b'f') => '\u{c}',
                            Some(b'\'') => '\'',
                            Some(b'"') => '"',
                            Some(b'\\') => '\\',
                            Some(b'_') => '_',
                            Some(b'%') => '%',
                            _ => {
                                return Err(at(
                                    i,
                                    "Invalid string literal: illegal escape sequence",
                                ));
                            }
                        };
                        s.push(r);
                        i += 2;
                    }
                    _ => {
                        // Whole UTF-8 characters.
                        let rest = &q[i..];
                        let ch = rest.chars().next().unwrap_or('\u{fffd}');
                        s.push(ch);
                        i += ch.len_utf8();
                    }
                }
            }
            out.push(Token {
                tok: Tok::Str(s),
                pos,
            });
        } else {
            let two = q.get(i..i + 2);
            let sym: &'static str = match (two, c) {
                (Some("!="), _) => "!=",
                (Some("<>"), _) => "<>",
                (Some("<="), _) => "<=",
                (Some(">="), _) => ">=",
                (_, b'=') => "=",
                (_, b'<') => "<",
                (_, b'>') => ">",
                (_, b',') => ",",
                (_, b'(') => "(",
                (_, b')') => ")",
                (_, b'.') => ".",
                (_, b'*') => "*",
                (_, b':') => return Err(unsupported(pos, "A bind variable")),
                _ => {
                    let ch = q[i..].chars().next().unwrap_or('?');
                    return Err(at(pos, format!("unexpected token: '{ch}'")));
                }
            };
            i += sym.len();
            out.push(Token {
                tok: Tok::Sym(sym),
                pos,
            });
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
}

#[derive(Debug, Clone)]
enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

#[derive(Debug)]
struct Cond {
    field: &'static FieldDef,
    op: Op,
    values: Vec<Lit>,
}

#[derive(Debug)]
struct Order {
    field: &'static FieldDef,
    desc: bool,
    nulls_last: bool,
}

#[derive(Debug)]
struct Query {
    object: &'static SObjectDef,
    count: bool,
    fields: Vec<&'static FieldDef>,
    conds: Vec<Cond>,
    order: Vec<Order>,
    limit: Option<usize>,
    offset: usize,
}

struct Parser<'q> {
    toks: Vec<Token>,
    i: usize,
    end: usize,
    _q: &'q str,
}

const CLAUSE_WORDS: &[&str] = &[
    "GROUP", "HAVING", "FOR", "WITH", "USING", "TYPEOF", "UPDATE",
];

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.i)
    }
    fn pos(&self) -> usize {
        self.peek().map(|t| t.pos).unwrap_or(self.end)
    }
    fn next(&mut self) -> Option<Token> {
        let t = self.toks.get(self.i).cloned();
        self.i += 1;
        t
    }
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Ident(s), .. }) if s.eq_ignore_ascii_case(kw))
    }
    fn is_sym(&self, sym: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Sym(s), .. }) if *s == sym)
    }
    fn unexpected(&self) -> At {
        match self.peek() {
            None => at(self.end, "unexpected token: <EOF>"),
            Some(t) => at(t.pos, format!("unexpected token: {}", describe_tok(&t.tok))),
        }
    }
    fn expect_kw(&mut self, kw: &str) -> Result<(), At> {
        if self.is_kw(kw) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }
    fn expect_sym(&mut self, sym: &str) -> Result<(), At> {
        if self.is_sym(sym) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }
    fn ident(&mut self) -> Result<(String, usize), At> {
        match self.peek().cloned() {
            Some(Token {
                tok: Tok::Ident(s),
                pos,
            }) => {
                self.i += 1;
                if self.is_sym(".") {
                    return Err(unsupported(pos, "A relationship field (Parent.Field)"));
                }
                Ok((s, pos))
            }
            _ => Err(self.unexpected()),
        }
    }
}

fn describe_tok(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => s.clone(),
        Tok::Str(s) => format!("'{s}'"),
        Tok::Num(n) => n.to_string(),
        Tok::Sym(s) => (*s).to_string(),
    }
}

fn no_such_column(pos: usize, name: &str, object: &str) -> At {
    At {
        pos,
        code: "INVALID_FIELD",
        message: format!(
            "No such column '{name}' on entity '{object}'. If you are attempting to use a custom field, \
             be sure to append the '__c' after the custom field name. Please reference your WSDL or the \
             describe call for the appropriate names."
        ),
    }
}

fn parse(q: &str) -> Result<Query, At> {
    let toks = tokenize(q)?;
    let mut p = Parser {
        toks,
        i: 0,
        end: q.len(),
        _q: q,
    };
    p.expect_kw("SELECT")?;

    // The select list, resolved once FROM names the object.
    let mut count = false;
    let mut names: Vec<(String, usize)> = Vec::new();
    if p.is_kw("COUNT") {
        let pos = p.pos();
        p.i += 1;
        p.expect_sym("(")?;
        if !p.is_sym(")") {
            return Err(unsupported(pos, "COUNT(field) (an aggregate query)"));
        }
        p.expect_sym(")")?;
        count = true;
        if p.is_sym(",") {
            return Err(unsupported(p.pos(), "COUNT() with other fields"));
        }
    } else {
        loop {
            if p.is_sym("(") {
                return Err(unsupported(p.pos(), "A sub-query"));
            }
            if p.is_sym("*") {
                return Err(at(p.pos(), "unexpected token: '*'"));
            }
            if p.is_kw("FROM") && names.is_empty() {
                return Err(p.unexpected());
            }
            if p.is_kw("TYPEOF") || p.is_kw("FIELDS") {
                return Err(unsupported(p.pos(), "TYPEOF / FIELDS()"));
            }
            let (name, pos) = p.ident()?;
            if p.is_sym("(") {
                return Err(unsupported(pos, &format!("The function {name}()")));
            }
            names.push((name, pos));
            if p.is_sym(",") {
                p.i += 1;
                continue;
            }
            break;
        }
    }
    p.expect_kw("FROM")?;
    let (object_name, object_pos) = match p.peek().cloned() {
        Some(Token {
            tok: Tok::Ident(s),
            pos,
        }) => {
            p.i += 1;
            (s, pos)
        }
        _ => return Err(p.unexpected()),
    };
    let Some(object) = describe::sobject(&object_name) else {
        return Err(At {
            pos: object_pos,
            code: "INVALID_TYPE",
            message: format!(
                "sObject type '{object_name}' is not supported. If you are attempting to use a custom object, \
                 be sure to append the '__c' after the entity name. Please reference your WSDL or the describe \
                 call for the appropriate names."
            ),
        });
    };
    if p.is_sym(",") {
        return Err(unsupported(
            p.pos(),
            "A semi-join or several objects in FROM",
        ));
    }
    let field = |name: &str, pos: usize| -> Result<&'static FieldDef, At> {
        object
            .field(name)
            .ok_or_else(|| no_such_column(pos, name, object.name))
    };
    let mut fields = Vec::new();
    for (name, pos) in &names {
        let f = field(name, *pos)?;
        if fields.iter().any(|g: &&FieldDef| g.name == f.name) {
            return Err(at(*pos, format!("duplicate field selected: {}", f.name)));
        }
        fields.push(f);
    }

    let mut conds = Vec::new();
    if p.is_kw("WHERE") {
        p.i += 1;
        loop {
            if p.is_sym("(") {
                return Err(unsupported(p.pos(), "A parenthesised condition"));
            }
            if p.is_kw("NOT") {
                return Err(unsupported(p.pos(), "NOT before a condition"));
            }
            let (name, pos) = p.ident()?;
            let f = field(&name, pos)?;
            let op_pos = p.pos();
            let op = match p.next() {
                Some(Token {
                    tok: Tok::Sym("="), ..
                }) => Op::Eq,
                Some(Token {
                    tok: Tok::Sym("!=" | "<>"),
                    ..
                }) => Op::Ne,
                Some(Token {
                    tok: Tok::Sym("<"), ..
                }) => Op::Lt,
                Some(Token {
                    tok: Tok::Sym("<="),
                    ..
                }) => Op::Le,
                Some(Token {
                    tok: Tok::Sym(">"), ..
                }) => Op::Gt,
                Some(Token {
                    tok: Tok::Sym(">="),
                    ..
                }) => Op::Ge,
                Some(Token {
                    tok: Tok::Ident(s), ..
                }) if s.eq_ignore_ascii_case("IN") => Op::In,
                Some(Token {
                    tok: Tok::Ident(s), ..
                }) if s.eq_ignore_ascii_case("NOT") => {
                    p.expect_kw("IN")?;
                    Op::NotIn
                }
                Some(Token {
                    tok: Tok::Ident(s), ..
                }) if ["LIKE", "INCLUDES", "EXCLUDES"]
                    .iter()
                    .any(|k| s.eq_ignore_ascii_case(k)) =>
                {
                    return Err(unsupported(op_pos, &s.to_ascii_uppercase()));
                }
                _ => {
                    p.i -= 1;
                    return Err(p.unexpected());
                }
            };
            let values = if matches!(op, Op::In | Op::NotIn) {
                p.expect_sym("(")?;
                if p.is_kw("SELECT") {
                    return Err(unsupported(p.pos(), "A semi-join sub-query"));
                }
                let mut v = vec![literal(&mut p)?];
                while p.is_sym(",") {
                    p.i += 1;
                    v.push(literal(&mut p)?);
                }
                p.expect_sym(")")?;
                v
            } else {
                vec![literal(&mut p)?]
            };
            conds.push(Cond {
                field: f,
                op,
                values,
            });
            if p.is_kw("AND") {
                p.i += 1;
                continue;
            }
            if p.is_kw("OR") {
                return Err(unsupported(p.pos(), "OR"));
            }
            break;
        }
    }

    let mut order = Vec::new();
    if p.is_kw("ORDER") {
        p.i += 1;
        p.expect_kw("BY")?;
        loop {
            let (name, pos) = p.ident()?;
            let f = field(&name, pos)?;
            let mut desc = false;
            if p.is_kw("ASC") {
                p.i += 1;
            } else if p.is_kw("DESC") {
                p.i += 1;
                desc = true;
            }
            // SOQL: nulls first by default, whatever the direction.
            let mut nulls_last = false;
            if p.is_kw("NULLS") {
                p.i += 1;
                if p.is_kw("LAST") {
                    nulls_last = true;
                    p.i += 1;
                } else {
                    p.expect_kw("FIRST")?;
                }
            }
            order.push(Order {
                field: f,
                desc,
                nulls_last,
            });
            if p.is_sym(",") {
                p.i += 1;
                continue;
            }
            break;
        }
    }

    let mut limit = None;
    let mut offset = 0;
    for _ in 0..2 {
        if p.is_kw("LIMIT") && limit.is_none() {
            p.i += 1;
            limit = Some(count_literal(&mut p)?);
        } else if p.is_kw("OFFSET") && offset == 0 {
            p.i += 1;
            offset = count_literal(&mut p)?;
        }
    }
    if let Some(t) = p.peek() {
        if let Tok::Ident(s) = &t.tok
            && CLAUSE_WORDS.iter().any(|k| s.eq_ignore_ascii_case(k))
        {
            return Err(unsupported(t.pos, &s.to_ascii_uppercase()));
        }
        return Err(p.unexpected());
    }
    Ok(Query {
        object,
        count,
        fields,
        conds,
        order,
        limit,
        offset,
    })
}

fn literal(p: &mut Parser<'_>) -> Result<Lit, At> {
    let pos = p.pos();
    match p.next() {
        Some(Token {
            tok: Tok::Str(s), ..
        }) => Ok(Lit::Str(s)),
        Some(Token {
            tok: Tok::Num(n), ..
        }) => Ok(Lit::Num(n)),
        Some(Token {
            tok: Tok::Ident(s), ..
        }) => {
            if s.eq_ignore_ascii_case("true") {
                Ok(Lit::Bool(true))
            } else if s.eq_ignore_ascii_case("false") {
                Ok(Lit::Bool(false))
            } else if s.eq_ignore_ascii_case("null") {
                Ok(Lit::Null)
            } else {
                Err(unsupported(
                    pos,
                    &format!("The date literal or unquoted value {s}"),
                ))
            }
        }
        _ => {
            p.i -= 1;
            Err(p.unexpected())
        }
    }
}

fn count_literal(p: &mut Parser<'_>) -> Result<usize, At> {
    let pos = p.pos();
    match p.next() {
        Some(Token {
            tok: Tok::Num(n), ..
        }) if n >= 0.0 && n.fract() == 0.0 => Ok(n as usize),
        _ => Err(at(pos, "expecting a non-negative integer")),
    }
}

fn error_message(q: &str, e: &At) -> String {
    // Row and column of the offset, 1-based, as Salesforce prints them.
    let before = &q[..e.pos.min(q.len())];
    let row = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before[line_start..].chars().count() + 1;
    let line = q[line_start..].lines().next().unwrap_or("");
    let caret = format!("{}^", " ".repeat(col - 1));
    format!(
        "\n{line}\n{caret}\nERROR at Row:{row}:Column:{col}\n{}",
        e.message
    )
}

/// A stored value as a comparable text/number/bool.
fn field_value<'r>(record: &'r Record, f: &FieldDef, id: &'r Value) -> Option<&'r Value> {
    if f.name == "Id" {
        return Some(id);
    }
    record.get(f.name).filter(|v| !v.is_null())
}

fn compare(f: &FieldDef, v: &Value, lit: &Lit) -> Option<Ordering> {
    match (v, lit) {
        (Value::String(s), Lit::Str(l)) => {
            if matches!(f.ty, FieldType::Id | FieldType::Reference) {
                let a = ids::normalize(s).unwrap_or_else(|| s.clone());
                let b = ids::normalize(l).unwrap_or_else(|| l.clone());
                return Some(a.cmp(&b));
            }
            Some(s.to_lowercase().cmp(&l.to_lowercase()))
        }
        (Value::Number(n), Lit::Num(l)) => n.as_f64().and_then(|n| n.partial_cmp(l)),
        (Value::Bool(b), Lit::Bool(l)) => Some(b.cmp(l)),
        _ => None,
    }
}

fn matches(record: &Record, c: &Cond, id: &Value) -> bool {
    let v = field_value(record, c.field, id);
    let eq = |lit: &Lit| match (v, lit) {
        (None, Lit::Null) => true,
        (None, _) | (Some(_), Lit::Null) => false,
        (Some(v), lit) => compare(c.field, v, lit) == Some(Ordering::Equal),
    };
    match c.op {
        Op::Eq => eq(&c.values[0]),
        Op::Ne => !eq(&c.values[0]),
        Op::In => c.values.iter().any(eq),
        Op::NotIn => !c.values.iter().any(eq),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            let Some(ord) = v.and_then(|v| compare(c.field, v, &c.values[0])) else {
                return false;
            };
            match c.op {
                Op::Lt => ord == Ordering::Less,
                Op::Le => ord != Ordering::Greater,
                Op::Gt => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            }
        }
    }
}

fn sort_key_cmp(a: Option<&Value>, b: Option<&Value>, o: &Order) -> Ordering {
    let ord = match (a, b) {
        (None, None) => return Ordering::Equal,
        (None, Some(_)) => {
            return if o.nulls_last {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        (Some(_), None) => {
            return if o.nulls_last {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        (Some(Value::String(x)), Some(Value::String(y))) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        _ => Ordering::Equal,
    };
    if o.desc { ord.reverse() } else { ord }
}

/// Salesforce only answers ContentDocumentLink queries filtered by id.
fn check_link_filter(q: &Query) -> Result<(), String> {
    if q.object.name != "ContentDocumentLink" {
        return Ok(());
    }
    let ok = q.conds.iter().any(|c| {
        matches!(c.field.name, "LinkedEntityId" | "ContentDocumentId" | "Id")
            && matches!(c.op, Op::Eq | Op::In)
            && c.values.iter().all(|v| matches!(v, Lit::Str(_)))
    });
    if ok {
        Ok(())
    } else {
        Err("Implementation restriction: ContentDocumentLink requires a filter by a single Id on \
             ContentDocumentId or LinkedEntityId using the equals operator or multiple Id's using the IN operator."
            .into())
    }
}

/// Runs a query; the response body of `GET /query?q=`.
pub async fn run(conn: &mut SqliteConnection, version: &str, q: &str) -> Result<Value> {
    let query = parse(q).map_err(|e| ApiError::bad_request(e.code, error_message(q, &e)))?;
    check_link_filter(&query).map_err(ApiError::malformed_query)?;
    let all = store::records_of(conn, query.object.name).await?;
    let mut rows: Vec<(Record, Value)> = all
        .into_iter()
        .map(|r| {
            let id = Value::String(r.id.clone());
            (r, id)
        })
        .filter(|(r, id)| query.conds.iter().all(|c| matches(r, c, id)))
        .collect();
    if query.count {
        return Ok(json!({"totalSize": rows.len(), "done": true, "records": []}));
    }
    if !query.order.is_empty() {
        rows.sort_by(|(a, aid), (b, bid)| {
            for o in &query.order {
                let ord = sort_key_cmp(
                    field_value(a, o.field, aid),
                    field_value(b, o.field, bid),
                    o,
                );
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            Ordering::Equal
        });
    }
    let rows: Vec<Value> = rows
        .into_iter()
        .skip(query.offset)
        .take(query.limit.unwrap_or(usize::MAX))
        .map(|(r, id)| {
            let url = record_url(version, query.object.name, &r.id);
            let mut m = Map::new();
            m.insert(
                "attributes".into(),
                json!({"type": query.object.name, "url": url}),
            );
            for f in &query.fields {
                let v = if f.ty == FieldType::Base64 {
                    Value::String(format!("{url}/{}", f.name))
                } else {
                    field_value(&r, f, &id).cloned().unwrap_or(Value::Null)
                };
                m.insert(f.name.into(), v);
            }
            Value::Object(m)
        })
        .collect();
    Ok(json!({"totalSize": rows.len(), "done": true, "records": rows}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(q: &str) -> (String, String) {
        let e = parse(q).expect_err(q);
        (e.code.to_string(), error_message(q, &e))
    }

    #[test]
    fn parses_the_queries_fieldcase_sends() {
        let q = parse("SELECT Id, CaseNumber FROM Case WHERE Intake_Key__c = 'abc' LIMIT 1")
            .expect("parse");
        assert_eq!(q.object.name, "Case");
        assert_eq!(q.fields.len(), 2);
        assert_eq!(q.limit, Some(1));
        assert!(parse("select count() from case").expect("count").count);
        assert!(
            parse("SELECT Id, Title, ContentDocumentId, FirstPublishLocationId, Checksum FROM ContentVersion WHERE FirstPublishLocationId = '500Dm0000000001AAA'")
                .is_ok()
        );
        assert!(parse("SELECT Id FROM Case WHERE Status IN ('New', 'Working') AND IsClosed = false ORDER BY CreatedDate DESC NULLS LAST LIMIT 5 OFFSET 1").is_ok());
    }

    #[test]
    fn errors_point_at_the_problem() {
        let (code, msg) = err("SELECT Foo FROM Case");
        assert_eq!(code, "INVALID_FIELD");
        assert!(msg.contains("ERROR at Row:1:Column:8"), "{msg}");
        assert!(
            msg.contains("No such column 'Foo' on entity 'Case'"),
            "{msg}"
        );
        let (code, msg) = err("SELECT Id FROM Case WHERE Subject = 'a' OR Subject = 'b'");
        assert_eq!(code, "MALFORMED_QUERY");
        assert!(msg.contains("OR is not supported"), "{msg}");
        assert_eq!(err("SELECT Id FROM Nope").0, "INVALID_TYPE");
        assert_eq!(err("SELECT FROM Case").0, "MALFORMED_QUERY");
        assert!(
            err("SELECT Id FROM Case WHERE CreatedDate > TODAY")
                .1
                .contains("not supported")
        );
        assert!(
            err("SELECT Account.Name FROM Case")
                .1
                .contains("relationship")
        );
        assert!(
            err("SELECT Id FROM Case WHERE Subject = 'open")
                .1
                .contains("unterminated")
        );
        assert!(err("SELECT Id FROM Case LIMIT 5 GROUP").1.contains("GROUP"));
    }
}
