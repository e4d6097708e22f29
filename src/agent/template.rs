//! Prompt templates (handlebars): strict checks at validation time, lenient
//! rendering at run time. Prompts are plain text, so HTML escaping is off.

use handlebars::template::{Parameter, Template, TemplateElement};
use handlebars::{Handlebars, Path};
use serde_json::Value;

/// Variables every prompt can use (README "Agent files"), besides `[parameters]` keys and
/// the keys of a JSON request.
pub const BUILTIN_VARS: &[&str] = &[
    "request",
    "context",
    "conversation_history",
    "sender",
    "capability",
    "timestamp",
];

/// Handlebars' own helpers: a bare `{{name}}` with one of these names is a
/// helper call, not a variable.
const HELPERS: &[&str] = &[
    "if", "unless", "each", "with", "lookup", "raw", "log", "eq", "ne", "gt", "gte", "lt", "lte",
    "and", "or", "not", "len",
];

#[derive(Debug, Clone, PartialEq)]
pub enum IssueKind {
    Syntax,
    UnknownVariable(String),
}

/// A problem in a template, positioned within the template text (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub kind: IssueKind,
    pub message: String,
    pub line: usize,
    pub column: usize,
}

/// Compile `text` and report syntax errors and references to variables that
/// `known` does not accept. Variables inside `#each`/`#with` blocks refer to
/// the block's item, so only their block parameters are checked.
pub fn check(text: &str, known: &dyn Fn(&str) -> bool) -> Vec<Issue> {
    match Template::compile(text) {
        Err(e) => {
            let (line, column) = e.pos().unwrap_or((1, 1));
            vec![Issue {
                kind: IssueKind::Syntax,
                message: e.reason().to_string(),
                line,
                column,
            }]
        }
        Ok(t) => {
            let mut issues = Vec::new();
            walk(&t, known, &mut issues);
            issues
        }
    }
}

fn walk(t: &Template, known: &dyn Fn(&str) -> bool, issues: &mut Vec<Issue>) {
    for (i, el) in t.elements.iter().enumerate() {
        let (line, column) = t.mapping.get(i).map_or((1, 1), |m| (m.0, m.1));
        let mut note = |name: Option<&str>| {
            if let Some(name) = name.filter(|n| !known(n)) {
                issues.push(Issue {
                    kind: IssueKind::UnknownVariable(name.to_string()),
                    message: format!("unknown variable `{name}`"),
                    line,
                    column,
                });
            }
        };
        match el {
            TemplateElement::Expression(h) | TemplateElement::HtmlExpression(h) => {
                if h.params.is_empty() && h.hash.is_empty() {
                    note(root_var(&h.name));
                } else {
                    h.params.iter().for_each(|p| note(root_var(p)));
                }
            }
            TemplateElement::HelperBlock(h) => {
                h.params.iter().for_each(|p| note(root_var(p)));
                let scoped = matches!(&h.name, Parameter::Name(n) if n == "each" || n == "with");
                if !scoped && let Some(inner) = &h.template {
                    walk(inner, known, issues);
                }
                if let Some(inverse) = &h.inverse {
                    walk(inverse, known, issues);
                }
            }
            _ => {}
        }
    }
}

/// The root variable a parameter refers to, if it is a plain variable path
/// (not `this`, `@index`, `../x`, a literal or a helper name).
fn root_var(p: &Parameter) -> Option<&str> {
    let raw = match p {
        Parameter::Name(n) if !HELPERS.contains(&n.as_str()) => n.as_str(),
        Parameter::Path(Path::Relative((_, raw))) => raw.as_str(),
        _ => return None,
    };
    let root = raw.split(['.', '/', '[']).next().unwrap_or("");
    (!root.is_empty() && root != "this" && !root.starts_with('@') && root != "..").then_some(root)
}

/// Render `text` with `vars`; unknown variables render as empty text.
pub fn render(text: &str, vars: &Value) -> Result<String, String> {
    let mut hb = Handlebars::new();
    hb.register_escape_fn(handlebars::no_escape);
    hb.render_template(text, vars).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(n: &str) -> bool {
        BUILTIN_VARS.contains(&n) || n == "limit"
    }

    #[test]
    fn finds_unknown_variables_with_positions() {
        let issues = check(
            "Hi {{request}}\n{{#if verbose}}{{detail}}{{/if}} {{limit}}",
            &known,
        );
        let names: Vec<_> = issues
            .iter()
            .map(|i| match &i.kind {
                IssueKind::UnknownVariable(n) => (n.as_str(), i.line),
                IssueKind::Syntax => ("<syntax>", i.line),
            })
            .collect();
        assert_eq!(names, vec![("verbose", 2), ("detail", 2)]);
    }

    #[test]
    fn each_blocks_scope_their_body() {
        let issues = check("{{#each items}}{{this}} {{name}}{{/each}}", &known);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].kind, IssueKind::UnknownVariable("items".into()));
    }

    #[test]
    fn unbalanced_braces_are_syntax_errors() {
        let issues = check("line one\nAnalyze {{request", &known);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].kind, IssueKind::Syntax);
        assert_eq!(issues[0].line, 2);
        let issues = check("{{#if request}}x", &known);
        assert_eq!(issues[0].kind, IssueKind::Syntax);
    }

    #[test]
    fn renders_without_escaping() {
        let out = render(
            "Q: {{request}} <{{missing}}>{{#each xs}}[{{this}}]{{/each}}",
            &serde_json::json!({"request": "a & <b>", "xs": [1, 2]}),
        )
        .unwrap();
        assert_eq!(out, "Q: a & <b> <>[1][2]");
    }
}
