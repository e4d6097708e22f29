//! Findings about an input file (an agent definition, a backup member):
//! what is wrong, where (file:line:col, field), and how to fix it.
//!
//! A leaf module: it imports nothing of Caxton, so the error catalogue
//! (`error.rs`) can carry diagnostics without depending on the validator
//! that produces them (`agent::validate`).

use std::path::{Path, PathBuf};

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// The validation stages of a config-agent file, in the order they run
/// (see "Agent files" in README.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Syntax,
    Schema,
    References,
    Templates,
    Conflicts,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Syntax,
        Stage::Schema,
        Stage::References,
        Stage::Templates,
        Stage::Conflicts,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Stage::Syntax => "syntax",
            Stage::Schema => "schema",
            Stage::References => "references",
            Stage::Templates => "templates",
            Stage::Conflicts => "conflicts",
        }
    }
}

/// One finding, in the shape of `caxton agents validate --json`.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    #[serde(skip)]
    pub severity: Severity,
    #[serde(skip)]
    pub stage: Stage,
    pub code: &'static str,
    pub message: String,
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub field: Option<String>,
    pub hint: Option<String>,
    /// The source line with a caret, for human output.
    #[serde(skip)]
    pub excerpt: Option<String>,
}

/// The findings of one checked file, with what the file declares.
#[derive(Debug, Clone, Copy)]
pub struct Checked<'a> {
    pub file: &'a Path,
    /// The agent id the file declares (else its stem).
    pub agent: &'a str,
    pub version: Option<&'a str>,
    pub diagnostics: &'a [Diagnostic],
}

impl Checked<'_> {
    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// The `--json` shape of a validation run, also the `details` of an
/// invalid-agent error: with `strict`, warnings count as errors.
pub fn report_json(files: &[Checked<'_>], strict: bool) -> serde_json::Value {
    let all = || files.iter().flat_map(|f| f.diagnostics.iter());
    let errors: Vec<&Diagnostic> = all()
        .filter(|d| d.severity == Severity::Error || (strict && d.severity == Severity::Warning))
        .collect();
    let warnings: Vec<&Diagnostic> = if strict {
        Vec::new()
    } else {
        all().filter(|d| d.severity == Severity::Warning).collect()
    };
    let files: Vec<serde_json::Value> = files
        .iter()
        .map(|f| {
            let (e, w) = (f.count(Severity::Error), f.count(Severity::Warning));
            serde_json::json!({
                "file": f.file,
                "agent": f.agent,
                "version": f.version,
                "valid": e == 0 && !(strict && w > 0),
                "errors": e,
                "warnings": w,
            })
        })
        .collect();
    serde_json::json!({
        "valid": errors.is_empty(),
        "errors": errors,
        "warnings": warnings,
        "files": files,
    })
}
