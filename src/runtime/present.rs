//! How tool results reach the model, and how a capped answer ends. A tiny
//! model copies numbers from a short "sum 30" line far more reliably than
//! it digs them out of a page of JSON, so results with a known shape are
//! written as a few plain lines; the run record keeps the full JSON.

use serde_json::Value;

/// Preview rows shown to the model at most (the record has them all).
const PREVIEW_ROWS: usize = 3;
/// Spreadsheet rows and jq results shown to the model at most.
const LISTED: usize = 20;

/// The text a model gets for a tool's successful result.
pub fn for_model(tool: &str, result: &Value) -> String {
    match tool {
        "csv_parser" => csv_profile(result).unwrap_or_else(|| result.to_string()),
        "send_message" => reply(result).unwrap_or_else(|| result.to_string()),
        "xlsx_reader" => sheet_rows(result).unwrap_or_else(|| result.to_string()),
        "json_processor" => jq_results(result).unwrap_or_else(|| result.to_string()),
        _ => result.to_string(),
    }
}

/// A number without float noise: `30`, `15`, `2.5`, `0.33`.
fn number(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if v.is_i64() || v.is_u64() => format!("{x:.0}"),
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
        Some(x) => {
            let s = format!("{x:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        None => v.to_string(),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(_) => number(v),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

/// send_message's reply as one line naming who answered, so the model
/// quotes the answer rather than the envelope.
fn reply(r: &Value) -> Option<String> {
    let from = r.get("from")?.as_str()?;
    Some(format!("{from} replied: {}", scalar(r.get("reply")?)))
}

/// One row as `column value, column value`.
fn row_line(row: &Value) -> String {
    match row {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k} {}", scalar(v)))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Array(a) => a.iter().map(scalar).collect::<Vec<_>>().join(", "),
        other => scalar(other),
    }
}

/// xlsx_reader's sheet as lines: which sheet, its size, then its rows.
fn sheet_rows(r: &Value) -> Option<String> {
    let sheet = r.get("sheet")?.as_str()?;
    let rows = r.get("rows")?.as_u64()?;
    let data = r.get("data")?.as_array()?;
    let mut out = format!("Sheet {sheet}");
    if let Some(sheets) = r
        .get("sheets")
        .and_then(Value::as_array)
        .filter(|s| s.len() > 1)
    {
        let names: Vec<String> = sheets.iter().map(scalar).collect();
        out.push_str(&format!(" (sheets: {})", names.join(", ")));
    }
    out.push_str(&format!(": {rows} rows"));
    if let Some(columns) = r.get("columns").and_then(Value::as_array) {
        let names: Vec<String> = columns.iter().map(scalar).collect();
        out.push_str(&format!(", columns {}", names.join(", ")));
    }
    out.push('.');
    for row in data.iter().take(LISTED) {
        out.push_str(&format!("\n- {}", row_line(row)));
    }
    if data.len() > LISTED || r.get("truncated") == Some(&Value::Bool(true)) {
        out.push_str("\n(more rows not shown)");
    }
    Some(out)
}

/// json_processor's outputs, one per line.
fn jq_results(r: &Value) -> Option<String> {
    let results = r.get("results")?.as_array()?;
    if results.is_empty() {
        return Some("No results.".into());
    }
    let mut out = String::from("Results:");
    for v in results.iter().take(LISTED) {
        let line = match v {
            Value::Object(_) | Value::Array(_) => row_line(v),
            other => scalar(other),
        };
        out.push_str(&format!("\n- {line}"));
    }
    if results.len() > LISTED || r.get("truncated") == Some(&Value::Bool(true)) {
        out.push_str("\n(more results not shown)");
    }
    Some(out)
}

/// csv_parser's profile as lines: the size, one line per column with the
/// statistics of its type, then the first rows.
fn csv_profile(r: &Value) -> Option<String> {
    let columns = r.get("columns")?.as_array()?;
    let rows = r.get("rows")?.as_u64()?;
    let mut out = String::new();
    if let Some(path) = r.get("path").and_then(Value::as_str) {
        out.push_str(path);
        out.push_str(": ");
    }
    out.push_str(&format!("{rows} rows, {} columns", columns.len()));
    if r.get("truncated") == Some(&Value::Bool(true)) {
        out.push_str(" (only the first rows were read)");
    }
    out.push('.');
    // Numeric columns first: a 135M model answers from the first lines of
    // a result, and their totals are what a summary should quote.
    let numeric = |c: &&Value| {
        matches!(
            c.get("type").and_then(Value::as_str),
            Some("integer" | "float")
        )
    };
    let (numbers, others): (Vec<&Value>, Vec<&Value>) = columns.iter().partition(numeric);
    for c in numbers.into_iter().chain(others) {
        let name = c.get("name").map(scalar).unwrap_or_default();
        let kind = c.get("type").and_then(Value::as_str).unwrap_or("?");
        let stat = |k: &str| c.get(k).filter(|v| !v.is_null()).map(number);
        let mut facts: Vec<String> = Vec::new();
        match kind {
            "integer" | "float" => {
                // The total first, its number right after the colon: the
                // model copies a line's start ("revenue (integer): 10" when
                // the line began "sum 30, min 10"), and "total"/"highest"
                // before the numbers made it parrot the words without them.
                if let Some(v) = stat("sum") {
                    facts.push(format!("{v} in total"));
                }
                for k in ["min", "max", "mean"] {
                    if let Some(v) = stat(k) {
                        facts.push(format!("{k} {v}"));
                    }
                }
            }
            "date" => {
                for k in ["min", "max"] {
                    if let Some(v) = c.get(k).and_then(Value::as_str) {
                        facts.push(format!("{k} {v}"));
                    }
                }
            }
            "boolean" => {
                for (k, label) in [("true_count", "true"), ("false_count", "false")] {
                    if let Some(v) = stat(k) {
                        facts.push(format!("{label} {v}"));
                    }
                }
            }
            _ => {
                if let Some(top) = c.get("top_values").and_then(Value::as_array) {
                    let values: Vec<String> = top
                        .iter()
                        .map(|t| {
                            format!(
                                "{} ({})",
                                t.get("value").map(scalar).unwrap_or_default(),
                                t.get("count").map(number).unwrap_or_default()
                            )
                        })
                        .collect();
                    if !values.is_empty() {
                        facts.push(format!("values {}", values.join(", ")));
                    }
                }
            }
        }
        if let Some(n) = c.get("nulls").and_then(Value::as_u64).filter(|n| *n > 0) {
            facts.push(format!("{n} empty"));
        }
        out.push_str(&format!("\n{name} ({kind}): {}.", facts.join(", ")));
    }
    let preview = r.get("preview").and_then(Value::as_array);
    if let Some(preview) = preview.filter(|p| !p.is_empty()) {
        // Sentences, not bullets: a list invites a tiny model to go on
        // listing rows it makes up.
        let rows: Vec<String> = preview.iter().take(PREVIEW_ROWS).map(row_line).collect();
        out.push_str(&format!("\nFirst rows: {}.", rows.join("; ")));
    }
    Some(out)
}

/// An answer cut by its token cap, ended at its last complete sentence (or
/// line) so it does not stop mid-word; unchanged when it has none.
pub fn cut_at_sentence(text: &str) -> String {
    let trimmed = text.trim_end();
    let end = trimmed
        .char_indices()
        .rev()
        .find(|&(i, c)| {
            matches!(c, '.' | '!' | '?' | '\n')
                && trimmed[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace)
        })
        .map(|(i, c)| i + c.len_utf8());
    match end {
        Some(end) if end > trimmed.len() / 3 => trimmed[..end].trim_end().to_string(),
        _ => trimmed.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_profiles_become_a_few_lines_with_the_totals() {
        let result = json!({
            "path": "sales.csv", "rows": 2, "truncated": false, "delimiter": ",",
            "has_headers": true,
            "columns": [
                {"name": "region", "type": "string", "count": 2, "nulls": 0, "unique": 2,
                 "top_values": [{"value": "North", "count": 1}, {"value": "South", "count": 1}]},
                {"name": "amount", "type": "integer", "count": 2, "nulls": 0, "unique": 2,
                 "min": 10, "max": 20, "sum": 30, "mean": 15.0, "stddev": 7.0710678}
            ],
            "preview": [{"region": "North", "amount": 10}, {"region": "South", "amount": 20}]
        });
        let text = for_model("csv_parser", &result);
        assert_eq!(
            text,
            "sales.csv: 2 rows, 2 columns.\n\
             amount (integer): 30 in total, min 10, max 20, mean 15.\n\
             region (string): values North (1), South (1).\n\
             First rows: region North, amount 10; region South, amount 20."
        );
        // Other tools, and shapes this does not know, stay JSON.
        assert_eq!(for_model("json_processor", &json!({"a": 1})), r#"{"a":1}"#);
        assert_eq!(for_model("http_client", &json!({"a": 1})), r#"{"a":1}"#);
        assert_eq!(for_model("csv_parser", &json!({"x": 1})), r#"{"x":1}"#);
    }

    #[test]
    fn sheets_and_jq_results_become_lines() {
        let sheet = json!({
            "sheets": ["Sales", "Notes"], "sheet": "Sales", "rows": 2,
            "columns": ["region", "units"], "truncated": false,
            "data": [{"region": "north", "units": 10}, {"region": "south", "units": 2.5}]
        });
        assert_eq!(
            for_model("xlsx_reader", &sheet),
            "Sheet Sales (sheets: Sales, Notes): 2 rows, columns region, units.\n\
             - region north, units 10\n\
             - region south, units 2.5"
        );
        let jq = json!({"results": ["admin", "dev", {"name": "Ada"}], "truncated": false});
        assert_eq!(
            for_model("json_processor", &jq),
            "Results:\n- admin\n- dev\n- name Ada"
        );
        assert_eq!(
            for_model(
                "json_processor",
                &json!({"results": [], "truncated": false})
            ),
            "No results."
        );
    }

    #[test]
    fn capped_answers_end_at_a_sentence() {
        assert_eq!(
            cut_at_sentence("The total is 30. North sold 10 and South sold 2"),
            "The total is 30."
        );
        assert_eq!(cut_at_sentence("No end at all"), "No end at all");
        // A decimal point is not a sentence end.
        assert_eq!(cut_at_sentence("Mean 1.5 and the"), "Mean 1.5 and the");
    }
}
