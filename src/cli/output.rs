//! Rendering for the terminal and for scripts: aligned tables, ✓/⚠/✗ lines,
//! `--json`, and the one place errors are printed. Colour is stripped
//! automatically when stdout/stderr is not a terminal or `NO_COLOR` is set.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use crate::diagnostics::{Diagnostic, Severity};
use crate::error::Error;

/// Success marks (✓).
pub const OK: Style = AnsiColor::Green.on_default();
/// Warnings (⚠).
pub const WARN: Style = AnsiColor::Yellow.on_default();
/// Errors (✗), bold.
pub const ERR: Style = AnsiColor::Red.on_default().bold();
/// Secondary text: notes, timestamps, hints.
pub const DIM: Style = Style::new().dimmed();
/// Table headers and names.
pub const BOLD: Style = Style::new().bold();

/// Where a command writes: results to stdout, notes and warnings to stderr.
pub struct Output {
    /// `--json`: results as JSON, no progress bars.
    pub json: bool,
}

impl Output {
    /// An output for `--json` (`json`) or for people.
    pub fn new(json: bool) -> Output {
        Output { json }
    }

    /// Print a line to stdout. A closed pipe (`| head`) ends output quietly.
    pub fn line(&self, text: impl std::fmt::Display) {
        let _ = writeln!(anstream::stdout(), "{text}");
    }

    /// Print `value` as pretty JSON on stdout (a warning if it cannot be
    /// encoded).
    pub fn json<T: Serialize>(&self, value: &T) {
        match serde_json::to_string_pretty(value) {
            Ok(s) => self.line(s),
            Err(e) => self.warn(&format!("cannot encode output as JSON: {e}")),
        }
    }

    /// A progress bar on stderr for long work; hidden under `--json` and
    /// when stderr is not a terminal (cron, pipes), so logs stay clean.
    pub fn progress(&self, total: u64, what: &str) -> indicatif::ProgressBar {
        use std::io::IsTerminal;
        if self.json || !std::io::stderr().is_terminal() {
            return indicatif::ProgressBar::hidden();
        }
        let style = indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        indicatif::ProgressBar::new(total)
            .with_style(style)
            .with_message(what.to_string())
    }

    /// A spinner on stderr while waiting for something of unknown length
    /// (a model answering); hidden like [`Output::progress`].
    pub fn spinner(&self, what: &str) -> indicatif::ProgressBar {
        use std::io::IsTerminal;
        if self.json || !std::io::stderr().is_terminal() {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new_spinner().with_message(what.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        bar
    }

    /// Information beside the output (stderr), not a problem.
    pub fn note(&self, text: &str) {
        let _ = writeln!(anstream::stderr(), "{DIM}note{DIM:#}: {text}");
    }

    /// Print `warning: text` on stderr.
    pub fn warn(&self, text: &str) {
        let _ = writeln!(anstream::stderr(), "{WARN}warning{WARN:#}: {text}");
    }

    /// An aligned table with a header row. The last column is not padded.
    pub fn table(&self, headers: &[&str], rows: &[Vec<String>]) {
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let render = |cells: Vec<&str>| {
            let last = cells.len().saturating_sub(1);
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == last {
                        c.to_string()
                    } else {
                        format!("{c:<w$}", w = widths[i])
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
        };
        self.line(format!("{BOLD}{}{BOLD:#}", render(headers.to_vec())));
        for row in rows {
            self.line(render(row.iter().map(String::as_str).collect()));
        }
    }
}

/// The coloured mark of a check: ✓ for none, ⚠ for a warning, ✗ for an
/// error.
pub fn glyph(severity: Option<Severity>) -> String {
    match severity {
        None => format!("{OK}✓{OK:#}"),
        Some(Severity::Warning) => format!("{WARN}⚠{WARN:#}"),
        Some(Severity::Error) => format!("{ERR}✗{ERR:#}"),
    }
}

/// One finding: `file:line:col: message`, then the source excerpt and hint.
pub fn diagnostic_lines(d: &Diagnostic, with_excerpt: bool) -> Vec<String> {
    let place = match (&d.file, d.line, d.column) {
        (Some(f), Some(l), Some(c)) => format!("{}:{l}:{c}: ", f.display()),
        (Some(f), _, _) => format!("{}: ", f.display()),
        _ => String::new(),
    };
    let mut lines = vec![format!(
        "{} {DIM}{place}{DIM:#}{}",
        glyph(Some(d.severity)),
        d.message
    )];
    if with_excerpt && let Some(x) = &d.excerpt {
        lines.extend(x.lines().map(|l| format!("    {DIM}{l}{DIM:#}")));
    }
    if let Some(h) = &d.hint {
        lines.push(format!("    {BOLD}hint{BOLD:#}: {h}"));
    }
    lines
}

/// Print an error: JSON on stderr with `--json`, otherwise the invalid
/// file's findings, the message and the hint.
pub fn render_error(e: &Error, json: bool) {
    let mut err = anstream::stderr();
    if json {
        let body = serde_json::json!({"error": {
            "code": e.code(),
            "message": e.to_string(),
            "hint": e.hint(),
            "details": e.details(),
        }});
        let _ = writeln!(err, "{body}");
        return;
    }
    if let Error::InvalidAgent { diagnostics, .. } = e {
        for d in diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            for l in diagnostic_lines(d, true) {
                let _ = writeln!(err, "{l}");
            }
        }
    }
    let _ = writeln!(err, "{ERR}error{ERR:#}: {e}");
    if let Some(h) = e.hint() {
        let _ = writeln!(err, "  {BOLD}hint{BOLD:#}: {h}");
    }
}
