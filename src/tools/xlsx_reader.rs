//! `xlsx_reader`: read one sheet of a spreadsheet (xlsx, xlsm, xlsb, xls, ods)
//! into JSON rows.

use calamine::{Data, ExcelDateTime, Reader, Sheets, open_workbook_auto};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{
    GroundedArg, Tool, ToolContext, ToolError, parse_args, resolve_read_path, schema_of,
    unique_names,
};

const NAME: &str = "xlsx_reader";
const DEFAULT_MAX_ROWS: usize = 1000;
/// The largest sheet (rows × columns of its bounding box) read: calamine
/// allocates the whole rectangle, ~32 bytes a cell, so two cells at A1 and
/// XFD1048576 would ask for 500 GB. 4 million cells is ~128 MiB.
pub const MAX_CELLS: u64 = 4_000_000;

pub struct XlsxReader;

fn default_true() -> bool {
    true
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Args {
    /// Path of the spreadsheet (.xlsx, .xlsm, .xlsb, .xls or .ods); relative
    /// paths are relative to the agent's readable directory.
    path: String,
    /// Sheet name (default: the first sheet). The result lists all sheet names.
    sheet: Option<String>,
    /// Whether the first row holds column names (default true). With headers,
    /// `data` rows are objects keyed by column name; without, arrays.
    #[serde(default = "default_true")]
    has_headers: bool,
    /// Return at most this many data rows; the result then says
    /// `truncated: true` (default 1000).
    #[schemars(range(min = 1))]
    max_rows: Option<usize>,
}

/// The sheets of the workbook at `path` under `root`, read the way a call
/// reads it (in a worker process when isolation is on), or `None` when it
/// cannot be read.
pub fn sheet_names(root: &std::path::Path, path: &str) -> Option<Vec<String>> {
    let ctx = ToolContext {
        workspace: root.to_path_buf(),
        read_root: Some(root.to_path_buf()),
        config: Map::new(),
        memory: None,
        messaging: None,
    };
    let result = super::invoke(&XlsxReader, &ctx, json!({"path": path, "max_rows": 1})).ok()?;
    serde_json::from_value(result.get("sheets")?.clone()).ok()
}

/// An Excel serial date as ISO 8601: a date alone when there is no time of day.
fn iso_datetime(dt: &ExcelDateTime) -> String {
    if dt.is_duration() {
        let total_ms = (dt.as_f64() * 86_400_000.0).round() as i64;
        let sign = if total_ms < 0 { "-" } else { "" };
        let ms = total_ms.unsigned_abs();
        let (hours, minutes, seconds, millis) =
            (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        return if millis == 0 {
            format!("{sign}PT{hours}H{minutes}M{seconds}S")
        } else {
            format!("{sign}PT{hours}H{minutes}M{seconds}.{millis:03}S")
        };
    }
    let (year, month, day, hour, minute, second, milli) = dt.to_ymd_hms_milli();
    let date = format!("{year:04}-{month:02}-{day:02}");
    match (hour, minute, second, milli) {
        (0, 0, 0, 0) => date,
        (_, _, _, 0) => format!("{date}T{hour:02}:{minute:02}:{second:02}"),
        _ => format!("{date}T{hour:02}:{minute:02}:{second:02}.{milli:03}"),
    }
}

fn cell_value(cell: &Data) -> Value {
    match cell {
        Data::Empty => Value::Null,
        Data::Int(i) => json!(i),
        // Spreadsheets store every number as a float; whole ones read better
        // (and compare equal in jq) as integers. 2^53 is where f64 stops
        // representing every integer.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => {
            json!(*f as i64)
        }
        Data::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => json!(s),
        Data::Bool(b) => json!(b),
        Data::DateTime(dt) => json!(iso_datetime(dt)),
        Data::Error(e) => json!(e.to_string()),
    }
}

fn header_text(cell: &Data) -> String {
    match cell_value(cell) {
        Value::Null => String::new(),
        Value::String(s) => s,
        other => other.to_string(),
    }
}

impl Tool for XlsxReader {
    fn name(&self) -> &'static str {
        NAME
    }

    fn description(&self) -> &'static str {
        "Read a sheet of a spreadsheet file (xlsx, xlsm, xlsb, xls, ods) as rows of JSON: \
         numbers, text, booleans, dates as ISO 8601 strings and cell errors as their Excel \
         codes (e.g. \"#DIV/0!\"). Also lists the workbook's sheet names."
    }

    fn parameters(&self) -> Value {
        schema_of::<Args>()
    }

    fn grounded_args(&self) -> &'static [GroundedArg] {
        &[
            GroundedArg::File {
                name: "path",
                extensions: &["xlsx", "xlsm", "xlsb", "xls", "ods"],
            },
            GroundedArg::Sheet {
                name: "sheet",
                file: "path",
            },
        ]
    }

    /// A worker process: calamine reserves what an xls file declares,
    /// and a failed allocation aborts the process (`tools::isolate`).
    fn isolated(&self) -> bool {
        true
    }

    fn run(&self, ctx: &ToolContext, args: Value) -> Result<Value, ToolError> {
        let args: Args = parse_args(NAME, args)?;
        let path = resolve_read_path(ctx, &args.path)?;
        check_shared_strings(&path)?;
        let mut workbook = open_workbook_auto(&path).map_err(|e| {
            ToolError::failed(format!(
                "xlsx_reader: cannot open {} as a spreadsheet (xlsx, xlsm, xlsb, xls, ods): {e}",
                path.display()
            ))
        })?;
        let sheets = workbook.sheet_names();
        let sheet = match args.sheet {
            Some(name) if sheets.contains(&name) => name,
            Some(name) => {
                return Err(ToolError::invalid_args(
                    NAME,
                    format!(
                        "sheet {name:?} not found; the workbook has: {}",
                        sheets
                            .iter()
                            .map(|s| format!("{s:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            None => sheets.first().cloned().ok_or_else(|| {
                ToolError::failed(format!("xlsx_reader: {} has no sheets", path.display()))
            })?,
        };
        check_dimensions(&mut workbook, &sheet, &path)?;
        let range = workbook.worksheet_range(&sheet).map_err(|e| {
            ToolError::failed(format!(
                "xlsx_reader: cannot read sheet {sheet:?} of {}: {e}",
                path.display()
            ))
        })?;

        let mut rows = range.rows();
        let columns: Vec<String> = if args.has_headers {
            unique_names(rows.next().unwrap_or_default().iter().map(header_text))
        } else {
            (1..=range.width()).map(|i| format!("column_{i}")).collect()
        };
        let max_rows = args.max_rows.unwrap_or(DEFAULT_MAX_ROWS);
        let total = rows.len();
        let data: Vec<Value> = rows
            .take(max_rows)
            .map(|row| {
                if args.has_headers {
                    Value::Object(
                        columns
                            .iter()
                            .cloned()
                            .zip(row.iter().map(cell_value))
                            .collect(),
                    )
                } else {
                    Value::Array(row.iter().map(cell_value).collect())
                }
            })
            .collect();

        let mut result = Map::new();
        result.insert("sheets".into(), json!(sheets));
        result.insert("sheet".into(), json!(sheet));
        result.insert("rows".into(), json!(total));
        result.insert("columns".into(), json!(columns));
        result.insert("data".into(), Value::Array(data));
        result.insert("truncated".into(), json!(total > max_rows));
        Ok(Value::Object(result))
    }
}

/// Refuse a zip workbook (xlsx, xlsm) whose shared-string table declares
/// more than [`MAX_CELLS`] strings before calamine opens it: calamine
/// reserves room for the declared `uniqueCount` up front (24 bytes each), so
/// `uniqueCount="100000000000"` in a tiny file would abort the process. Only
/// the start tag is read (the first 64 KiB of the part, decompressed).
fn check_shared_strings(path: &std::path::Path) -> Result<(), ToolError> {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        return Ok(()); // opening fails again below, with calamine's message
    };
    let Ok(mut zip) = zip::ZipArchive::new(std::io::BufReader::new(file)) else {
        return Ok(()); // not a zip: xls, or not a spreadsheet at all
    };
    for i in 0..zip.len() {
        let Ok(part) = zip.by_index(i) else { continue };
        let Ok(name) = part.name().map(|n| n.into_owned()) else {
            continue;
        };
        if !name.to_ascii_lowercase().ends_with("sharedstrings.xml") {
            continue;
        }
        let mut head = Vec::new();
        let _ = part.take(64 << 10).read_to_end(&mut head);
        let Some(declared) = unique_count(&head) else {
            continue;
        };
        if declared > MAX_CELLS {
            return Err(ToolError::failed(format!(
                "xlsx_reader: {} declares {declared} shared strings in {name}, more than the \
                 {MAX_CELLS} this tool reads; the file is damaged or hostile",
                path.display()
            )));
        }
    }
    Ok(())
}

/// `uniqueCount` of the `<sst ...>` start tag in `xml`, if present.
fn unique_count(xml: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(xml);
    let tag = &text[text.find("<sst")?..];
    let tag = &tag[..tag.find('>')?];
    let value = tag.split("uniqueCount=").nth(1)?;
    let quote = value.chars().next()?;
    let digits: String = value[1..].chars().take_while(|c| *c != quote).collect();
    digits.trim().parse().ok()
}

/// Refuse a sheet whose bounding box is over [`MAX_CELLS`] before calamine
/// builds its range: stream the cells (xlsx, xlsm and xlsb can be streamed;
/// xls and ods are read whole by calamine and are bounded by their size).
fn check_dimensions<RS: std::io::Read + std::io::Seek>(
    workbook: &mut Sheets<RS>,
    sheet: &str,
    path: &std::path::Path,
) -> Result<(), ToolError> {
    let mut bounds = Bounds::default();
    let streamed = match workbook {
        Sheets::Xlsx(x) => x
            .worksheet_cells_reader(sheet)
            .and_then(|mut r| {
                while let Some(cell) = r.next_cell()? {
                    bounds.add(cell.get_position());
                }
                Ok(())
            })
            .map_err(|e| e.to_string()),
        Sheets::Xlsb(x) => x
            .worksheet_cells_reader(sheet)
            .and_then(|mut r| {
                while let Some(cell) = r.next_cell()? {
                    bounds.add(cell.get_position());
                }
                Ok(())
            })
            .map_err(|e| e.to_string()),
        Sheets::Xls(_) | Sheets::Ods(_) => Ok(()),
    };
    streamed.map_err(|e| {
        ToolError::failed(format!(
            "xlsx_reader: cannot read sheet {sheet:?} of {}: {e}",
            path.display()
        ))
    })?;
    let cells = bounds.cells();
    if cells > MAX_CELLS {
        return Err(ToolError::failed(format!(
            "xlsx_reader: sheet {sheet:?} of {} spans {} rows × {} columns ({cells} cells), \
             more than the {MAX_CELLS} this tool reads; export the part you need",
            path.display(),
            bounds.rows(),
            bounds.cols(),
        )));
    }
    Ok(())
}

/// The bounding box of the cells seen so far.
#[derive(Default)]
struct Bounds(Option<((u32, u32), (u32, u32))>);

impl Bounds {
    fn add(&mut self, (r, c): (u32, u32)) {
        self.0 = Some(match self.0 {
            None => ((r, c), (r, c)),
            Some(((r0, c0), (r1, c1))) => ((r0.min(r), c0.min(c)), (r1.max(r), c1.max(c))),
        });
    }

    fn rows(&self) -> u64 {
        self.0
            .map_or(0, |((r0, _), (r1, _))| u64::from(r1 - r0) + 1)
    }

    fn cols(&self) -> u64 {
        self.0
            .map_or(0, |((_, c0), (_, c1))| u64::from(c1 - c0) + 1)
    }

    fn cells(&self) -> u64 {
        self.rows() * self.cols()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;
    use std::path::Path;

    const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const PKG_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

    fn inline(cell: &str, text: &str) -> String {
        format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    }

    fn sheet_xml(rows: &[String]) -> String {
        let rows: String = rows
            .iter()
            .enumerate()
            .map(|(i, cells)| format!(r#"<row r="{}">{cells}</row>"#, i + 1))
            .collect();
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>"#
        )
    }

    /// A minimal xlsx: two sheets of inline strings, numbers, a boolean, a
    /// date (style 1 = built-in format 14) and an error cell.
    fn write_xlsx(path: &Path) {
        write_xlsx_with_notes(path, &sheet_xml(&[inline("A1", "hello")]));
    }

    /// The same workbook with `notes` as the second sheet's XML.
    fn write_xlsx_with_notes(path: &Path, notes: &str) {
        let notes = notes.to_string();
        let sales = sheet_xml(&[
            [
                inline("A1", "name"),
                inline("B1", "qty"),
                inline("C1", "price"),
                inline("D1", "ok"),
                inline("E1", "when"),
                inline("F1", "ratio"),
                inline("G1", ""),
            ]
            .concat(),
            [
                inline("A2", "apple"),
                r#"<c r="B2"><v>3</v></c>"#.into(),
                r#"<c r="C2"><v>2.5</v></c>"#.into(),
                r#"<c r="D2" t="b"><v>1</v></c>"#.into(),
                r#"<c r="E2" s="1"><v>45306</v></c>"#.into(),
                r#"<c r="F2" t="e"><v>#DIV/0!</v></c>"#.into(),
                r#"<c r="G2"><v>7</v></c>"#.into(),
            ]
            .concat(),
            [
                inline("A3", "pear"),
                r#"<c r="B3"><v>-4</v></c>"#.into(),
                r#"<c r="E3" s="1"><v>45306.5</v></c>"#.into(),
            ]
            .concat(),
            [inline("A4", "plum")].concat(),
        ]);
        let parts = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#.to_string(),
            ),
            (
                "_rels/.rels",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
                ),
            ),
            (
                "xl/workbook.xml",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets><sheet name="Sales" sheetId="1" r:id="rId1"/><sheet name="Notes" sheetId="2" r:id="rId2"/></sheets></workbook>"#
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL_NS}/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="{REL_NS}/styles" Target="styles.xml"/></Relationships>"#
                ),
            ),
            (
                "xl/styles.xml",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN_NS}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#
                ),
            ),
            ("xl/worksheets/sheet1.xml", sales),
            ("xl/worksheets/sheet2.xml", notes),
        ];
        let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
        for (name, content) in parts {
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(content.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }

    fn run(dir: &Path, args: Value) -> Result<Value, ToolError> {
        let ctx = ToolContext {
            workspace: dir.to_path_buf(),
            read_root: Some(dir.to_path_buf()),
            config: Map::new(),
            memory: None,
            messaging: None,
        };
        super::super::invoke(&XlsxReader, &ctx, args)
    }

    #[test]
    fn reads_first_sheet_with_typed_cells() {
        let dir = tempfile::tempdir().unwrap();
        write_xlsx(&dir.path().join("book.xlsx"));
        let result = run(dir.path(), json!({"path": "book.xlsx"})).unwrap();
        assert_eq!(result["sheets"], json!(["Sales", "Notes"]));
        assert_eq!(result["sheet"], "Sales");
        assert_eq!(result["rows"], 3);
        assert_eq!(
            result["columns"],
            json!(["name", "qty", "price", "ok", "when", "ratio", "column_7"])
        );
        assert_eq!(
            result["data"][0],
            json!({"name": "apple", "qty": 3, "price": 2.5, "ok": true, "when": "2024-01-15",
                   "ratio": "#DIV/0!", "column_7": 7})
        );
        assert_eq!(result["data"][1]["qty"], -4);
        assert_eq!(result["data"][1]["price"], Value::Null);
        assert_eq!(result["data"][1]["when"], "2024-01-15T12:00:00");
        assert_eq!(result["truncated"], false);
    }

    #[test]
    fn named_sheet_without_headers_and_row_cap() {
        let dir = tempfile::tempdir().unwrap();
        write_xlsx(&dir.path().join("book.xlsx"));
        let notes = run(
            dir.path(),
            json!({"path": "book.xlsx", "sheet": "Notes", "has_headers": false}),
        )
        .unwrap();
        assert_eq!(notes["columns"], json!(["column_1"]));
        assert_eq!(notes["data"], json!([["hello"]]));
        let capped = run(dir.path(), json!({"path": "book.xlsx", "max_rows": 2})).unwrap();
        assert_eq!(capped["rows"], 3);
        assert_eq!(capped["data"].as_array().unwrap().len(), 2);
        assert_eq!(capped["truncated"], true);
    }

    #[test]
    fn unknown_sheet_lists_sheets() {
        let dir = tempfile::tempdir().unwrap();
        write_xlsx(&dir.path().join("book.xlsx"));
        match run(dir.path(), json!({"path": "book.xlsx", "sheet": "Nope"})) {
            Err(ToolError::InvalidArgs { message, .. }) => {
                assert_eq!(
                    message,
                    r#"sheet "Nope" not found; the workbook has: "Sales", "Notes""#
                )
            }
            other => panic!("expected InvalidArgs, got {other:?}"),
        }
    }

    #[test]
    fn missing_and_corrupt_files() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            run(dir.path(), json!({"path": "none.xlsx"})),
            Err(ToolError::NotFound { .. })
        ));
        std::fs::write(dir.path().join("bad.xlsx"), "not a zip").unwrap();
        match run(dir.path(), json!({"path": "bad.xlsx"})) {
            Err(ToolError::Failed { message }) => {
                assert!(message.contains("cannot open"), "{message}")
            }
            other => panic!("expected Failed, got {other:?}"),
        }
    }

    #[test]
    fn sheet_spanning_the_whole_grid_is_refused_before_allocating() {
        // Two cells at opposite corners: calamine would allocate 2^34 cells.
        let dir = tempfile::tempdir().unwrap();
        let corners = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">{}</row><row r="1048576">{}</row></sheetData></worksheet>"#,
            inline("A1", "a"),
            inline("XFD1048576", "z")
        );
        write_xlsx_with_notes(&dir.path().join("bomb.xlsx"), &corners);
        match run(dir.path(), json!({"path": "bomb.xlsx", "sheet": "Notes"})) {
            Err(ToolError::Failed { message }) => {
                assert!(
                    message.contains("1048576 rows × 16384 columns"),
                    "{message}"
                )
            }
            other => panic!("expected Failed, got {other:?}"),
        }
    }
}
