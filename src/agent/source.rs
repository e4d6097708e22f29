//! An agent file as text: parsed with spans so that every later check can say
//! `file:line:col`, normalised into JSON for schema validation, with the
//! misplaced-key trap of README "Agent files" repaired (and remembered, for a warning).

use std::collections::HashMap;
use std::ops::Range;

use serde_json::{Map, Number, Value};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::spec::HOISTABLE;

/// A syntax problem found while parsing.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub message: String,
    pub span: Range<usize>,
}

/// A key that TOML placed inside a table but that Caxton moved to the top level.
#[derive(Debug, Clone)]
pub struct Hoisted {
    pub key: String,
    pub table: String,
    pub span: Range<usize>,
}

/// Spans of one value: its key (if it has one) and the value itself.
#[derive(Debug, Clone)]
pub struct Spans {
    pub key: Option<Range<usize>>,
    pub value: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct SourceDoc {
    pub text: String,
    /// The document as JSON, after hoisting. `Null` when the text is not TOML at all.
    pub value: Value,
    /// JSON pointer (`/capabilities/0`) → spans in `text`.
    pub spans: HashMap<String, Spans>,
    pub syntax: Vec<SyntaxError>,
    pub hoisted: Vec<Hoisted>,
}

impl SourceDoc {
    pub fn parse(text: String) -> SourceDoc {
        let (table, errors) = DeTable::parse_recoverable(&text);
        let syntax: Vec<SyntaxError> = errors
            .into_iter()
            .map(|e| SyntaxError {
                message: e.message().trim().to_string(),
                span: e.span().unwrap_or(0..0),
            })
            .collect();
        let mut spans = HashMap::new();
        let mut syntax = syntax;
        let value = convert_table(table.get_ref(), "", &mut spans, &mut syntax);
        spans.insert(
            String::new(),
            Spans {
                key: None,
                value: 0..text.len(),
            },
        );
        let mut doc = SourceDoc {
            text,
            value: Value::Object(value),
            spans,
            syntax,
            hoisted: Vec::new(),
        };
        doc.hoist();
        doc
    }

    /// Move `system_prompt`, `user_prompt_template` and `documentation` out of
    /// whatever table TOML put them in, unless the top level already has them.
    fn hoist(&mut self) {
        let Value::Object(root) = &mut self.value else {
            return;
        };
        let tables: Vec<String> = root
            .iter()
            .filter(|(_, v)| v.is_object())
            .map(|(k, _)| k.clone())
            .collect();
        for table in tables {
            for key in HOISTABLE {
                if root.contains_key(*key) {
                    continue;
                }
                let Some(Value::Object(t)) = root.get_mut(&table) else {
                    continue;
                };
                let Some(v) = t.shift_remove(*key) else {
                    continue;
                };
                root.insert((*key).to_string(), v);
                let from = format!("/{}/{}", escape(&table), key);
                let to = format!("/{key}");
                let moved: Vec<(String, Spans)> = self
                    .spans
                    .iter()
                    .filter(|(p, _)| *p == &from || p.starts_with(&format!("{from}/")))
                    .map(|(p, s)| (format!("{to}{}", &p[from.len()..]), s.clone()))
                    .collect();
                let span = self
                    .spans
                    .get(&from)
                    .and_then(|s| s.key.clone())
                    .unwrap_or(0..0);
                self.spans.extend(moved);
                self.hoisted.push(Hoisted {
                    key: (*key).to_string(),
                    table: table.clone(),
                    span,
                });
            }
        }
    }

    /// The best span for a JSON pointer: the value's own span, or the closest
    /// ancestor that has one (a missing field points at its parent table).
    pub fn span_of(&self, pointer: &str) -> Range<usize> {
        let mut p = pointer;
        loop {
            if let Some(s) = self.spans.get(p) {
                return s.key.clone().unwrap_or_else(|| s.value.clone());
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return 0..0,
            }
        }
    }

    /// The span of the value (not the key) at `pointer`, if known.
    pub fn value_span(&self, pointer: &str) -> Option<Range<usize>> {
        self.spans.get(pointer).map(|s| s.value.clone())
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    /// The source line at `offset` with a caret under the column.
    pub fn excerpt(&self, offset: usize) -> String {
        let (line, col) = self.line_col(offset);
        let text = self.text.lines().nth(line - 1).unwrap_or("");
        let gutter = line.to_string().len();
        format!(
            "{:gutter$} |\n{line} | {text}\n{:gutter$} | {}^",
            "",
            "",
            " ".repeat(col.saturating_sub(1))
        )
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Escape a key for use in a JSON pointer (RFC 6901).
pub fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn convert_table(
    table: &DeTable<'_>,
    pointer: &str,
    spans: &mut HashMap<String, Spans>,
    syntax: &mut Vec<SyntaxError>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in table.iter() {
        let p = format!("{pointer}/{}", escape(key.get_ref()));
        spans.insert(
            p.clone(),
            Spans {
                key: Some(key.span()),
                value: value.span(),
            },
        );
        out.insert(key.get_ref().to_string(), convert(value, &p, spans, syntax));
    }
    out
}

fn convert(
    value: &Spanned<DeValue<'_>>,
    pointer: &str,
    spans: &mut HashMap<String, Spans>,
    syntax: &mut Vec<SyntaxError>,
) -> Value {
    match value.get_ref() {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            match i64::from_str_radix(&digits, i.radix()) {
                Ok(n) => Value::Number(n.into()),
                Err(_) => {
                    syntax.push(SyntaxError {
                        message: format!("integer `{}` does not fit in 64 bits", i.as_str()),
                        span: value.span(),
                    });
                    Value::Null
                }
            }
        }
        DeValue::Float(f) => {
            let parsed = f.as_str().replace('_', "").parse::<f64>().ok();
            match parsed.and_then(Number::from_f64) {
                Some(n) => Value::Number(n),
                None => {
                    syntax.push(SyntaxError {
                        message: format!(
                            "float `{}` cannot be used (nan and inf are not supported)",
                            f.as_str()
                        ),
                        span: value.span(),
                    });
                    Value::Null
                }
            }
        }
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let p = format!("{pointer}/{i}");
                    spans.insert(
                        p.clone(),
                        Spans {
                            key: None,
                            value: item.span(),
                        },
                    );
                    convert(item, &p, spans, syntax)
                })
                .collect(),
        ),
        DeValue::Table(t) => Value::Object(convert_table(t, pointer, spans, syntax)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_hoisting() {
        let text = "name = \"A\"\ncapabilities = [\"x\", \"y\"]\n[parameters]\nlimit = 3\nsystem_prompt = '''\nhi\n'''\n";
        let doc = SourceDoc::parse(text.to_string());
        assert!(doc.syntax.is_empty());
        assert_eq!(doc.value["system_prompt"], "hi\n");
        assert!(doc.value["parameters"].get("system_prompt").is_none());
        assert_eq!(doc.value["parameters"]["limit"], 3);
        assert_eq!(doc.hoisted.len(), 1);
        assert_eq!(doc.hoisted[0].table, "parameters");
        assert_eq!(doc.line_col(doc.hoisted[0].span.start), (5, 1));
        assert_eq!(doc.line_col(doc.span_of("/capabilities/1").start), (2, 22));
        assert_eq!(doc.line_col(doc.span_of("/system_prompt").start), (5, 1));
        // A missing field points at its parent.
        assert_eq!(doc.line_col(doc.span_of("/llm/model").start), (1, 1));
    }

    #[test]
    fn syntax_errors_are_all_reported_with_positions() {
        let doc = SourceDoc::parse("name = \"A\nx = \ny = [1,\n".to_string());
        let lines: Vec<usize> = doc
            .syntax
            .iter()
            .map(|e| doc.line_col(e.span.start).0)
            .collect();
        assert!(lines.len() >= 2 && lines.contains(&1), "{lines:?}");
        let first = doc
            .syntax
            .iter()
            .find(|e| doc.line_col(e.span.start).0 == 1)
            .unwrap();
        assert!(doc.excerpt(first.span.start).contains("1 | name"));
    }

    #[test]
    fn top_level_key_wins_over_table_copy() {
        let doc = SourceDoc::parse(
            "system_prompt = \"top\"\n[parameters]\nsystem_prompt = \"p\"\n".into(),
        );
        assert_eq!(doc.value["system_prompt"], "top");
        assert_eq!(doc.value["parameters"]["system_prompt"], "p");
        assert!(doc.hoisted.is_empty());
    }
}
