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

/// The opening sentences of an answer written from a tool's successful
/// result: its facts in plain words (totals, extremes, rows, values, the
/// file written), stated by the runtime so they are right whatever the
/// model adds. A 135M model asked for "the total revenue" copied a column's
/// minimum or invented a figure; this states the sum. `None` for tools whose
/// results have no known shape: the model answers alone.
pub fn digest(tool: &str, result: &Value) -> Option<String> {
    match tool {
        "csv_parser" => csv_digest(result),
        "xlsx_reader" => sheet_digest(result),
        "json_processor" => jq_digest(result),
        "chart_generator" => chart_digest(result),
        "memory_search" => recall_digest(result),
        "memory_store" => stored_digest(result),
        _ => None,
    }
}

/// Most memory hits a digest quotes.
const QUOTED_HITS: usize = 3;

fn recall_digest(r: &Value) -> Option<String> {
    let hits = r.get("results")?.as_array()?;
    let quoted: Vec<String> = hits
        .iter()
        .take(QUOTED_HITS)
        .filter_map(|h| {
            let name = h.get("name")?.as_str()?;
            let matched = h.get("matched").and_then(Value::as_str).unwrap_or("");
            Some(if matched.is_empty() {
                name.to_string()
            } else {
                matched.trim_end_matches('.').to_string()
            })
        })
        .collect();
    Some(if quoted.is_empty() {
        "Nothing in memory matches.".to_string()
    } else {
        format!("From memory: {}.", quoted.join("; "))
    })
}

fn stored_digest(r: &Value) -> Option<String> {
    let entity = r.get("entity")?.as_str()?;
    let added: Vec<&str> = r
        .get("added")?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .map(|o| o.trim_end_matches('.'))
        .collect();
    Some(if added.is_empty() {
        format!("Memory already had that under {entity}.")
    } else {
        format!("Remembered under {entity}: {}.", added.join("; "))
    })
}

/// `3 rows` / `1 row`.
fn count(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn csv_digest(r: &Value) -> Option<String> {
    let columns = r.get("columns")?.as_array()?;
    let rows = r.get("rows")?.as_u64()?;
    let path = r.get("path").and_then(Value::as_str).unwrap_or("The file");
    let names: Vec<String> = columns
        .iter()
        .filter_map(|c| c.get("name").map(scalar))
        .collect();
    let mut out = format!(
        "{path} has {} and {} ({}).",
        count(rows, "row"),
        count(columns.len() as u64, "column"),
        names.join(", ")
    );
    if r.get("truncated") == Some(&Value::Bool(true)) {
        // The figures below are of the rows read, not the whole file.
        out = format!(
            "{path} has more rows than were read; the first {} of its {} ({}) give:",
            count(rows, "row"),
            count(columns.len() as u64, "column"),
            names.join(", ")
        );
    }
    for c in columns.iter().take(LISTED) {
        let name = c.get("name").map(scalar).unwrap_or_default();
        let stat = |k: &str| c.get(k).filter(|v| !v.is_null()).map(number);
        match c.get("type").and_then(Value::as_str) {
            Some("integer" | "float") => {
                let mut facts = Vec::new();
                if let Some(v) = stat("sum") {
                    facts.push(format!("{v} in total"));
                }
                for (k, label) in [("min", "lowest"), ("max", "highest"), ("mean", "average")] {
                    if let Some(v) = stat(k) {
                        facts.push(format!("{label} {v}"));
                    }
                }
                if !facts.is_empty() {
                    out.push_str(&format!(" {name}: {}.", facts.join(", ")));
                }
            }
            Some("string") => {
                let values: Vec<String> = c
                    .get("top_values")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.get("value").map(scalar))
                    .take(PREVIEW_ROWS + 2)
                    .collect();
                if !values.is_empty() {
                    out.push_str(&format!(" {name}: {}.", values.join(", ")));
                }
            }
            _ => {}
        }
    }
    Some(out)
}

fn sheet_digest(r: &Value) -> Option<String> {
    let sheet = r.get("sheet")?.as_str()?;
    let rows = r.get("rows")?.as_u64()?;
    let data = r.get("data")?.as_array()?;
    let mut out = format!("Sheet {sheet} has {}", count(rows, "row"));
    if let Some(columns) = r.get("columns").and_then(Value::as_array) {
        let names: Vec<String> = columns.iter().map(scalar).collect();
        out.push_str(&format!(" with columns {}", names.join(", ")));
    }
    let shown: Vec<String> = data.iter().take(LISTED).map(row_line).collect();
    if shown.is_empty() {
        out.push('.');
    } else {
        out.push_str(&format!(": {}", shown.join("; ")));
        out.push_str(if data.len() > LISTED { "; …" } else { "." });
    }
    Some(out)
}

fn jq_digest(r: &Value) -> Option<String> {
    let results = r.get("results")?.as_array()?;
    let values: Vec<String> = results
        .iter()
        .take(LISTED)
        .map(|v| match v {
            Value::Object(_) | Value::Array(_) => row_line(v),
            other => scalar(other),
        })
        .collect();
    Some(match values.as_slice() {
        [] => "The query found nothing.".to_string(),
        [one] => format!("The result is {one}."),
        many => format!(
            "The results are {}{}",
            many.join(", "),
            if results.len() > LISTED { ", …" } else { "." }
        ),
    })
}

fn chart_digest(r: &Value) -> Option<String> {
    let path = std::path::Path::new(r.get("path")?.as_str()?);
    let name = path.file_name()?.to_string_lossy();
    let format = r.get("format").and_then(Value::as_str).unwrap_or("image");
    Some(format!(
        "The chart was written to output/{name} ({}x{} {format}).",
        r.get("width").map(scalar).unwrap_or_default(),
        r.get("height").map(scalar).unwrap_or_default(),
    ))
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
    fn digests_state_the_facts_of_known_results() {
        let csv = json!({
            "path": "q3-revenue.csv", "rows": 3, "truncated": false,
            "columns": [
                {"name": "month", "type": "string", "nulls": 0,
                 "top_values": [{"value": "july", "count": 1}, {"value": "august", "count": 1}]},
                {"name": "revenue", "type": "integer", "nulls": 0,
                 "min": 100, "max": 250, "sum": 500, "mean": 166.666666}
            ]
        });
        assert_eq!(
            digest("csv_parser", &csv).unwrap(),
            "q3-revenue.csv has 3 rows and 2 columns (month, revenue). month: july, august. \
             revenue: 500 in total, lowest 100, highest 250, average 166.67."
        );
        let sheet = json!({
            "sheet": "Sales", "rows": 1, "columns": ["region", "units"],
            "data": [{"region": "north", "units": 10}]
        });
        assert_eq!(
            digest("xlsx_reader", &sheet).unwrap(),
            "Sheet Sales has 1 row with columns region, units: region north, units 10."
        );
        assert_eq!(
            digest("json_processor", &json!({"results": ["operational"]})).unwrap(),
            "The result is operational."
        );
        assert_eq!(
            digest("json_processor", &json!({"results": ["admin", "dev"]})).unwrap(),
            "The results are admin, dev."
        );
        assert_eq!(
            digest("json_processor", &json!({"results": []})).unwrap(),
            "The query found nothing."
        );
        assert_eq!(
            digest(
                "chart_generator",
                &json!({"path": "/w/output/bar-1.png", "format": "png", "width": 800, "height": 600})
            )
            .unwrap(),
            "The chart was written to output/bar-1.png (800x600 png)."
        );
        let mut cut = csv.clone();
        cut["truncated"] = json!(true);
        assert!(digest("csv_parser", &cut).unwrap().starts_with(
            "q3-revenue.csv has more rows than were read; the first 3 rows of its 2 \
                 columns (month, revenue) give: month"
        ));
        let hits = json!({"mode": "hybrid", "pending_embeddings": 0, "results": [
            {"name": "Alice", "score": 0.9, "matched": "Alice owns the billing service."},
            {"name": "deploy window", "score": 0.4, "matched": ""}
        ]});
        assert_eq!(
            digest("memory_search", &hits).unwrap(),
            "From memory: Alice owns the billing service; deploy window."
        );
        assert_eq!(
            digest("memory_search", &json!({"mode": "keyword", "results": []})).unwrap(),
            "Nothing in memory matches."
        );
        let stored = json!({"entity": "Alice", "created": true, "added": ["Alice owns billing"]});
        assert_eq!(
            digest("memory_store", &stored).unwrap(),
            "Remembered under Alice: Alice owns billing."
        );
        let again = json!({"entity": "Alice", "created": false, "added": []});
        assert_eq!(
            digest("memory_store", &again).unwrap(),
            "Memory already had that under Alice."
        );
        // Unknown tools and shapes: the model answers alone.
        assert_eq!(digest("http_client", &json!({"status": 200})), None);
        assert_eq!(digest("csv_parser", &json!({"x": 1})), None);
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
