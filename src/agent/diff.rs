//! Field-level differences between two agent definitions, on the normalised
//! documents, so reordering keys or reformatting TOML shows no change.

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum Change {
    Added {
        field: String,
        new: Value,
    },
    Removed {
        field: String,
        old: Value,
    },
    Changed {
        field: String,
        old: Value,
        new: Value,
        /// A unified line diff, for multi-line text such as prompts.
        #[serde(skip_serializing_if = "Option::is_none")]
        text_diff: Option<String>,
    },
}

/// Changes from `old` to `new`, in the order fields appear (old first).
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    walk("", old, new, &mut out);
    out
}

fn walk(field: &str, old: &Value, new: &Value, out: &mut Vec<Change>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                let f = join(field, k);
                match b.get(k) {
                    Some(vb) => walk(&f, va, vb, out),
                    None => out.push(Change::Removed {
                        field: f,
                        old: va.clone(),
                    }),
                }
            }
            for (k, vb) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                out.push(Change::Added {
                    field: join(field, k),
                    new: vb.clone(),
                });
            }
        }
        _ if old == new => {}
        _ => {
            let text_diff = match (old, new) {
                (Value::String(a), Value::String(b)) if a.contains('\n') || b.contains('\n') => {
                    Some(
                        similar::TextDiff::from_lines(a, b)
                            .unified_diff()
                            .context_radius(2)
                            .header("deployed", "new")
                            .to_string(),
                    )
                }
                _ => None,
            };
            out.push(Change::Changed {
                field: field.to_string(),
                old: old.clone(),
                new: new.clone(),
                text_diff,
            });
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_each_field() {
        let a = json!({"name": "A", "capabilities": ["x"], "memory": {"enabled": true}, "system_prompt": "a\nb\n"});
        let b = json!({"name": "A", "capabilities": ["x", "y"], "memory": {"enabled": true, "scope": "global"}, "system_prompt": "a\nc\n", "version": "2.0.0"});
        let changes = diff(&a, &b);
        let fields: Vec<String> = changes
            .iter()
            .map(|c| match c {
                Change::Added { field, .. } => format!("+{field}"),
                Change::Removed { field, .. } => format!("-{field}"),
                Change::Changed { field, .. } => format!("~{field}"),
            })
            .collect();
        assert_eq!(
            fields,
            [
                "~capabilities",
                "+memory.scope",
                "~system_prompt",
                "+version"
            ]
        );
        let Change::Changed {
            text_diff: Some(t), ..
        } = &changes[2]
        else {
            panic!()
        };
        assert!(t.contains("-b") && t.contains("+c"), "{t}");
        assert!(diff(&a, &a).is_empty());
    }
}
