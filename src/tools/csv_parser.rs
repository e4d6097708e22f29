//! `csv_parser`: profile a CSV/TSV file or text in one streaming pass: column
//! types, per-column statistics and a typed preview.
//!
//! Memory stays bounded whatever the row count: statistics are running ones
//! (Welford's mean/variance, min/max), and distinct values are counted exactly
//! only up to [`MAX_DISTINCT`] per column. That is also why there is no median.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;

use csv::{ByteRecord, ErrorKind, ReaderBuilder, Trim};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{
    GroundedArg, Tool, ToolContext, ToolError, exclusive, parse_args, resolve_read_path, schema_of,
    unique_names,
};

const NAME: &str = "csv_parser";
const DEFAULT_MAX_ROWS: u64 = 1_000_000;
const DEFAULT_PREVIEW_ROWS: usize = 5;
const MAX_DISTINCT: usize = 10_000;
const TOP_VALUES: usize = 5;
/// Auto-detection candidates, in tie-break order.
const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];

pub struct CsvParser;

fn default_true() -> bool {
    true
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Args {
    /// Path of a CSV/TSV file (relative paths are relative to the agent's
    /// readable directory). Give exactly one of `path` and `content`.
    path: Option<String>,
    /// CSV text to parse directly. Give exactly one of `path` and `content`.
    content: Option<String>,
    /// Field delimiter: one character, or "comma", "tab", "semicolon", "pipe".
    /// Detected from the first line when omitted (`.tsv` files default to tab).
    delimiter: Option<String>,
    /// Whether the first row holds column names (default true). Without
    /// headers, columns are named column_1, column_2, ...
    #[serde(default = "default_true")]
    has_headers: bool,
    /// Read at most this many data rows; the result then says `truncated: true`
    /// (default 1000000).
    #[schemars(range(min = 1))]
    max_rows: Option<u64>,
    /// How many leading rows to return in `preview`, typed like their columns
    /// (default 5).
    #[schemars(range(max = 1000))]
    preview_rows: Option<usize>,
}

fn parse_delimiter(given: &str) -> Result<u8, ToolError> {
    match given {
        "comma" => Ok(b','),
        "tab" | "\\t" => Ok(b'\t'),
        "semicolon" => Ok(b';'),
        "pipe" => Ok(b'|'),
        single if single.len() == 1 && single.is_ascii() => Ok(single.as_bytes()[0]),
        other => Err(ToolError::invalid_args(
            NAME,
            format!(
                "delimiter {other:?}: expected one ASCII character or comma, tab, semicolon, pipe"
            ),
        )),
    }
}

/// The candidate delimiter occurring most often outside quotes in `line`;
/// comma when none occurs.
fn detect_delimiter(line: &[u8]) -> u8 {
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    for &byte in line {
        if byte == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = DELIMITERS.iter().position(|&d| d == byte) {
            counts[i] += 1;
        }
    }
    let mut best = 0;
    for i in 1..DELIMITERS.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    DELIMITERS[best]
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
}

/// A finite decimal number. `f64::from_str` also takes "inf" and "NaN",
/// which in a CSV are words, not numbers.
fn parse_float(s: &str) -> Option<f64> {
    let numeric = s
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'.' | b'e' | b'E'));
    if !numeric {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ColumnType {
    Empty,
    Integer,
    Float,
    Boolean,
    Date,
    String,
}

impl ColumnType {
    fn as_str(self) -> &'static str {
        match self {
            ColumnType::Empty => "empty",
            ColumnType::Integer => "integer",
            ColumnType::Float => "float",
            ColumnType::Boolean => "boolean",
            ColumnType::Date => "date",
            ColumnType::String => "string",
        }
    }

    /// A cell as JSON, typed like its column.
    fn value(self, cell: &str) -> Value {
        if cell.is_empty() {
            return Value::Null;
        }
        match self {
            ColumnType::Integer => cell.parse::<i64>().map_or(Value::Null, Value::from),
            ColumnType::Float => parse_float(cell).map_or(Value::Null, Value::from),
            ColumnType::Boolean => parse_bool(cell).map_or(Value::Null, Value::from),
            ColumnType::Empty | ColumnType::Date | ColumnType::String => json!(cell),
        }
    }
}

/// Running statistics for one column. Every candidate type is tracked at once
/// because the type is only known after the last row.
struct Column {
    name: String,
    count: u64,
    nulls: u64,
    could_be_int: bool,
    could_be_float: bool,
    could_be_bool: bool,
    could_be_date: bool,
    distinct: HashMap<String, u64>,
    distinct_capped: bool,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
    sum: f64,
    int_min: i64,
    int_max: i64,
    int_sum: i128,
    min_len: usize,
    max_len: usize,
    trues: u64,
    falses: u64,
    date_min: Option<String>,
    date_max: Option<String>,
}

impl Column {
    fn new(name: String) -> Self {
        Column {
            name,
            count: 0,
            nulls: 0,
            could_be_int: true,
            could_be_float: true,
            could_be_bool: true,
            could_be_date: true,
            distinct: HashMap::new(),
            distinct_capped: false,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            sum: 0.0,
            int_min: i64::MAX,
            int_max: i64::MIN,
            int_sum: 0,
            min_len: usize::MAX,
            max_len: 0,
            trues: 0,
            falses: 0,
            date_min: None,
            date_max: None,
        }
    }

    fn add(&mut self, cell: &str) {
        if cell.is_empty() {
            self.nulls += 1;
            return;
        }
        self.count += 1;
        if let Some(n) = self.distinct.get_mut(cell) {
            *n += 1;
        } else if self.distinct.len() < MAX_DISTINCT {
            self.distinct.insert(cell.to_string(), 1);
        } else {
            self.distinct_capped = true;
        }
        let len = cell.chars().count();
        self.min_len = self.min_len.min(len);
        self.max_len = self.max_len.max(len);

        if self.could_be_int {
            match cell.parse::<i64>() {
                Ok(i) => {
                    self.int_min = self.int_min.min(i);
                    self.int_max = self.int_max.max(i);
                    self.int_sum += i128::from(i);
                }
                Err(_) => self.could_be_int = false,
            }
        }
        if self.could_be_float {
            match parse_float(cell) {
                Some(x) => {
                    let delta = x - self.mean;
                    self.mean += delta / self.count as f64;
                    self.m2 += delta * (x - self.mean);
                    self.min = self.min.min(x);
                    self.max = self.max.max(x);
                    self.sum += x;
                }
                None => {
                    self.could_be_float = false;
                    self.could_be_int = false;
                }
            }
        }
        if self.could_be_bool {
            match parse_bool(cell) {
                Some(true) => self.trues += 1,
                Some(false) => self.falses += 1,
                None => self.could_be_bool = false,
            }
        }
        if self.could_be_date {
            if is_date(cell) {
                // ISO dates sort lexically in time order.
                if self.date_min.as_deref().is_none_or(|d| cell < d) {
                    self.date_min = Some(cell.to_string());
                }
                if self.date_max.as_deref().is_none_or(|d| cell > d) {
                    self.date_max = Some(cell.to_string());
                }
            } else {
                self.could_be_date = false;
            }
        }
    }

    fn column_type(&self) -> ColumnType {
        if self.count == 0 {
            ColumnType::Empty
        } else if self.could_be_int {
            ColumnType::Integer
        } else if self.could_be_float {
            ColumnType::Float
        } else if self.could_be_bool {
            ColumnType::Boolean
        } else if self.could_be_date {
            ColumnType::Date
        } else {
            ColumnType::String
        }
    }

    fn summary(&self) -> Value {
        let column_type = self.column_type();
        let mut out = Map::new();
        out.insert("name".into(), json!(self.name));
        out.insert("type".into(), json!(column_type.as_str()));
        out.insert("count".into(), json!(self.count));
        out.insert("nulls".into(), json!(self.nulls));
        out.insert("unique".into(), json!(self.distinct.len()));
        if self.distinct_capped {
            out.insert("unique_capped".into(), json!(true));
        }
        let stddev = (self.count > 1).then(|| (self.m2 / (self.count - 1) as f64).sqrt());
        match column_type {
            ColumnType::Empty => {}
            ColumnType::Integer => {
                out.insert("min".into(), json!(self.int_min));
                out.insert("max".into(), json!(self.int_max));
                let sum = i64::try_from(self.int_sum).map_or(json!(self.sum), Value::from);
                out.insert("sum".into(), sum);
                out.insert("mean".into(), json!(self.mean));
                out.insert("stddev".into(), json!(stddev));
            }
            ColumnType::Float => {
                out.insert("min".into(), json!(self.min));
                out.insert("max".into(), json!(self.max));
                out.insert("sum".into(), json!(self.sum));
                out.insert("mean".into(), json!(self.mean));
                out.insert("stddev".into(), json!(stddev));
            }
            ColumnType::Boolean => {
                out.insert("true_count".into(), json!(self.trues));
                out.insert("false_count".into(), json!(self.falses));
            }
            ColumnType::Date => {
                out.insert("min".into(), json!(self.date_min));
                out.insert("max".into(), json!(self.date_max));
            }
            ColumnType::String => {
                out.insert("min_length".into(), json!(self.min_len));
                out.insert("max_length".into(), json!(self.max_len));
                let mut top: Vec<(&String, &u64)> = self.distinct.iter().collect();
                top.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
                let top: Vec<Value> = top
                    .into_iter()
                    .take(TOP_VALUES)
                    .map(|(value, count)| json!({"value": value, "count": count}))
                    .collect();
                out.insert("top_values".into(), Value::Array(top));
            }
        }
        Value::Object(out)
    }
}

fn csv_error(err: &csv::Error, has_headers: bool) -> ToolError {
    let line = err
        .position()
        .map_or(String::new(), |p| format!("line {}: ", p.line()));
    match err.kind() {
        ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            let reference = if has_headers { "header" } else { "first row" };
            ToolError::failed(format!(
                "csv_parser: {line}row has {len} fields but the {reference} has {expected_len}"
            ))
        }
        _ => ToolError::failed(format!("csv_parser: {line}{err}")),
    }
}

struct Profile {
    names: Vec<String>,
    columns: Vec<Column>,
    preview: Vec<ByteRecord>,
    rows: u64,
    truncated: bool,
}

fn profile(
    source: impl Read,
    delimiter: u8,
    has_headers: bool,
    max_rows: u64,
    preview_rows: usize,
) -> Result<Profile, ToolError> {
    let mut reader = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(false)
        .trim(Trim::All)
        .from_reader(source);
    let mut record = ByteRecord::new();
    let read = |reader: &mut csv::Reader<_>, record: &mut ByteRecord| {
        reader
            .read_byte_record(record)
            .map_err(|e| csv_error(&e, has_headers))
    };
    if !read(&mut reader, &mut record)? {
        return Ok(Profile {
            names: Vec::new(),
            columns: Vec::new(),
            preview: Vec::new(),
            rows: 0,
            truncated: false,
        });
    }
    let names = if has_headers {
        unique_names(
            record
                .iter()
                .map(|cell| String::from_utf8_lossy(cell).into_owned()),
        )
    } else {
        (1..=record.len()).map(|i| format!("column_{i}")).collect()
    };
    let mut columns: Vec<Column> = names.iter().cloned().map(Column::new).collect();
    let mut preview = Vec::new();
    let mut rows = 0;
    let mut have_row = !has_headers || read(&mut reader, &mut record)?;
    while have_row {
        if rows == max_rows {
            return Ok(Profile {
                names,
                columns,
                preview,
                rows,
                truncated: true,
            });
        }
        rows += 1;
        for (column, cell) in columns.iter_mut().zip(record.iter()) {
            column.add(&String::from_utf8_lossy(cell));
        }
        if preview.len() < preview_rows {
            preview.push(record.clone());
        }
        have_row = read(&mut reader, &mut record)?;
    }
    Ok(Profile {
        names,
        columns,
        preview,
        rows,
        truncated: false,
    })
}

impl Tool for CsvParser {
    fn name(&self) -> &'static str {
        NAME
    }

    fn description(&self) -> &'static str {
        "Parse CSV/TSV data from a file or inline text and profile it: row count, each \
         column's inferred type (integer, float, boolean, date, string) with statistics \
         (nulls, unique values, min/max/mean/stddev/sum for numbers, top values for text), \
         and a typed preview of the first rows."
    }

    fn parameters(&self) -> Value {
        exclusive(schema_of::<Args>(), &["path", "content"], true)
    }

    fn grounded_args(&self) -> &'static [GroundedArg] {
        &[GroundedArg::File {
            name: "path",
            extensions: &["csv", "tsv"],
        }]
    }

    fn run(&self, ctx: &ToolContext, args: Value) -> Result<Value, ToolError> {
        let args: Args = parse_args(NAME, args)?;
        let explicit_delimiter = args.delimiter.as_deref().map(parse_delimiter).transpose()?;
        let (mut input, default_delimiter): (Box<dyn BufRead>, Option<u8>) =
            match (&args.path, args.content) {
                (Some(path), None) => {
                    let resolved = resolve_read_path(ctx, path)?;
                    let file = std::fs::File::open(&resolved).map_err(|e| {
                        ToolError::failed(format!(
                            "csv_parser: cannot open {}: {e}",
                            resolved.display()
                        ))
                    })?;
                    let is_tsv = Path::new(path)
                        .extension()
                        .is_some_and(|ext| ext.eq_ignore_ascii_case("tsv"));
                    (Box::new(BufReader::new(file)), is_tsv.then_some(b'\t'))
                }
                (None, Some(content)) => (Box::new(Cursor::new(content.into_bytes())), None),
                _ => {
                    return Err(ToolError::invalid_args(
                        NAME,
                        "give exactly one of `path` and `content`",
                    ));
                }
            };

        // The first line is read ahead for delimiter detection, then put back
        // in front of the rest of the stream.
        let mut first_line = Vec::new();
        input
            .read_until(b'\n', &mut first_line)
            .map_err(|e| ToolError::failed(format!("csv_parser: cannot read input: {e}")))?;
        if first_line.starts_with(b"\xEF\xBB\xBF") {
            first_line.drain(..3);
        }
        let delimiter = explicit_delimiter
            .or(default_delimiter)
            .unwrap_or_else(|| detect_delimiter(&first_line));
        let preview_rows = args.preview_rows.unwrap_or(DEFAULT_PREVIEW_ROWS);
        let profile = profile(
            Cursor::new(first_line).chain(input),
            delimiter,
            args.has_headers,
            args.max_rows.unwrap_or(DEFAULT_MAX_ROWS),
            preview_rows,
        )?;

        let types: Vec<ColumnType> = profile.columns.iter().map(Column::column_type).collect();
        let preview: Vec<Value> = profile
            .preview
            .iter()
            .map(|record| {
                let row: Map<String, Value> = profile
                    .names
                    .iter()
                    .zip(&types)
                    .zip(record.iter())
                    .map(|((name, column_type), cell)| {
                        (
                            name.clone(),
                            column_type.value(&String::from_utf8_lossy(cell)),
                        )
                    })
                    .collect();
                Value::Object(row)
            })
            .collect();
        let columns: Vec<Value> = profile.columns.iter().map(Column::summary).collect();
        let mut result = Map::new();
        if let Some(path) = args.path {
            result.insert("path".into(), json!(path));
        }
        result.insert("rows".into(), json!(profile.rows));
        result.insert("columns".into(), Value::Array(columns));
        result.insert("preview".into(), Value::Array(preview));
        result.insert("delimiter".into(), json!(char::from(delimiter).to_string()));
        result.insert("has_headers".into(), json!(args.has_headers));
        result.insert("truncated".into(), json!(profile.truncated));
        Ok(Value::Object(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(read_root: Option<&Path>) -> ToolContext {
        ToolContext {
            workspace: std::env::temp_dir(),
            read_root: read_root.map(Path::to_path_buf),
            config: Map::new(),
            memory: None,
            messaging: None,
        }
    }

    fn run(args: Value) -> Result<Value, ToolError> {
        super::super::invoke(&CsvParser, &ctx(None), args)
    }

    fn column<'a>(result: &'a Value, name: &str) -> &'a Value {
        result["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
    }

    const SALES: &str = "id,product,price,in_stock,sold_on,note\n\
                         1,apple,1.5,true,2024-01-31,\n\
                         2,pear,2,false,2024-02-29,x\n\
                         3,apple,,TRUE,2023-12-01,\n\
                         4,plum,4.5,false,2024-03-15,y\n";

    #[test]
    fn infers_types_and_stats() {
        let result = run(json!({"content": SALES})).unwrap();
        assert_eq!(result["rows"], 4);
        assert_eq!(result["delimiter"], ",");
        assert_eq!(result["truncated"], false);

        let id = column(&result, "id");
        assert_eq!(id["type"], "integer");
        assert_eq!(id["min"], 1);
        assert_eq!(id["max"], 4);
        assert_eq!(id["sum"], 10);
        assert_eq!(id["mean"], 2.5);
        let stddev = id["stddev"].as_f64().unwrap();
        assert!((stddev - 1.290_994_448_7).abs() < 1e-9, "{stddev}");

        let price = column(&result, "price");
        assert_eq!(price["type"], "float");
        assert_eq!(price["nulls"], 1);
        assert_eq!(price["count"], 3);
        assert_eq!(price["min"], 1.5);
        assert_eq!(price["max"], 4.5);
        assert_eq!(price["sum"], 8.0);

        let stock = column(&result, "in_stock");
        assert_eq!(stock["type"], "boolean");
        assert_eq!(stock["true_count"], 2);
        assert_eq!(stock["false_count"], 2);

        let sold = column(&result, "sold_on");
        assert_eq!(sold["type"], "date");
        assert_eq!(sold["min"], "2023-12-01");
        assert_eq!(sold["max"], "2024-03-15");

        let product = column(&result, "product");
        assert_eq!(product["type"], "string");
        assert_eq!(product["unique"], 3);
        assert_eq!(product["min_length"], 4);
        assert_eq!(product["max_length"], 5);
        assert_eq!(
            product["top_values"][0],
            json!({"value": "apple", "count": 2})
        );

        assert_eq!(column(&result, "note")["nulls"], 2);

        let preview = result["preview"].as_array().unwrap();
        assert_eq!(preview.len(), 4);
        assert_eq!(
            preview[0],
            json!({"id": 1, "product": "apple", "price": 1.5, "in_stock": true,
                   "sold_on": "2024-01-31", "note": null})
        );
        assert_eq!(preview[2]["price"], Value::Null);
    }

    #[test]
    fn invalid_dates_and_words_are_strings() {
        let result = run(json!({"content": "d,n\n2023-02-29,inf\n2024-01-01,NaN\n"})).unwrap();
        assert_eq!(column(&result, "d")["type"], "string");
        assert_eq!(column(&result, "n")["type"], "string");
    }

    #[test]
    fn detects_delimiters() {
        for (text, expected) in [
            ("a;b;c\n1;2;3\n", ";"),
            ("a\tb\n1\t2\n", "\t"),
            ("a|b\n1|2\n", "|"),
            ("\"x,y\";b\n1;2\n", ";"),
            ("single\n1\n", ","),
        ] {
            let result = run(json!({"content": text})).unwrap();
            assert_eq!(result["delimiter"], expected, "{text:?}");
        }
        let explicit = run(json!({"content": "a;b\n1;2\n", "delimiter": "comma"})).unwrap();
        assert_eq!(explicit["columns"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn tsv_file_defaults_to_tab_and_honours_read_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("data.tsv"), "a,b\tc\n1,2\t3\n").unwrap();
        let result = super::super::invoke(
            &CsvParser,
            &ctx(Some(dir.path())),
            json!({"path": "data.tsv"}),
        )
        .unwrap();
        assert_eq!(result["delimiter"], "\t");
        assert_eq!(result["preview"][0], json!({"a,b": "1,2", "c": 3}));
        let outside = super::super::invoke(
            &CsvParser,
            &ctx(Some(dir.path())),
            json!({"path": "../../etc/passwd"}),
        );
        assert!(
            matches!(
                outside,
                Err(ToolError::Denied { .. } | ToolError::NotFound { .. })
            ),
            "{outside:?}"
        );
    }

    #[test]
    fn ragged_row_reports_line() {
        let err = run(json!({"content": "a,b\n1,2\n3\n"})).unwrap_err();
        match err {
            ToolError::Failed { message } => {
                assert!(message.contains("line 3"), "{message}");
                assert!(
                    message.contains("1 fields but the header has 2"),
                    "{message}"
                );
            }
            other => panic!("expected Failed, got {other:?}"),
        }
    }

    #[test]
    fn max_rows_truncates() {
        let text: String = std::iter::once("n\n".to_string())
            .chain((0..20).map(|i| format!("{i}\n")))
            .collect();
        let result = run(json!({"content": text, "max_rows": 10, "preview_rows": 2})).unwrap();
        assert_eq!(result["rows"], 10);
        assert_eq!(result["truncated"], true);
        assert_eq!(result["preview"].as_array().unwrap().len(), 2);
        assert_eq!(column(&result, "n")["max"], 9);
        let exact = run(json!({"content": text, "max_rows": 20})).unwrap();
        assert_eq!(exact["truncated"], false);
    }

    #[test]
    fn headerless_duplicate_and_bom() {
        let result = run(json!({"content": "1,2\n3,4\n", "has_headers": false})).unwrap();
        assert_eq!(result["rows"], 2);
        assert_eq!(result["preview"][0], json!({"column_1": 1, "column_2": 2}));
        let result = run(json!({"content": "\u{feff}x,x,\n1,2,3\n"})).unwrap();
        assert_eq!(
            result["preview"][0],
            json!({"x": 1, "x_2": 2, "column_3": 3})
        );
    }

    #[test]
    fn unique_is_capped() {
        let text: String = std::iter::once("v\n".to_string())
            .chain((0..MAX_DISTINCT + 5).map(|i| format!("k{i}\n")))
            .collect();
        let result = run(json!({"content": text})).unwrap();
        let v = column(&result, "v");
        assert_eq!(v["unique"], MAX_DISTINCT);
        assert_eq!(v["unique_capped"], true);
        assert_eq!(v["count"], MAX_DISTINCT + 5);
    }

    #[test]
    fn argument_errors() {
        for args in [
            json!({}),
            json!({"content": "a", "path": "x.csv"}),
            json!({"content": "a", "delimiter": "::"}),
        ] {
            assert!(
                matches!(run(args.clone()), Err(ToolError::InvalidArgs { .. })),
                "{args}"
            );
        }
        assert!(matches!(
            run(json!({"path": "/definitely/not/here.csv"})),
            Err(ToolError::NotFound { .. })
        ));
        let empty = run(json!({"content": ""})).unwrap();
        assert_eq!(empty["rows"], 0);
    }
}
