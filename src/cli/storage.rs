//! `caxton storage ...`: verify, repair, safe mode and corruption level of
//! the data directory's database. Parse, call `ops`, render.

use clap::{ArgGroup, Subcommand};

use super::output::{Output, glyph};
use crate::Caxton;
use crate::agent::catalog;
use crate::diagnostics::Severity;
use crate::error::{ExitCode, Result};
use crate::ops::verify::{Level, Outcome};
use crate::ops::{repair, safe_mode, verify};

#[derive(Debug, Subcommand)]
pub enum StorageCommand {
    /// Check the database: --quick (SQLite quick_check, the default) or
    /// --comprehensive (integrity_check, foreign keys, orphaned rows, vectors
    /// vs observations, full-text index, agent versions vs files). Exit 3
    /// when a check fails
    Verify {
        #[arg(long, conflicts_with = "comprehensive")]
        quick: bool,
        #[arg(long)]
        comprehensive: bool,
    },
    /// Rebuild indexes and derived tables and drop orphaned rows; with
    /// --emergency, salvage every readable row of a damaged database into a
    /// fresh one and report what was lost. Refused while a daemon runs
    Repair {
        #[arg(long)]
        emergency: bool,
    },
    /// Refuse every write (exit 8) until disabled; with no flag, show the state
    #[command(group(ArgGroup::new("mode").args(["enable", "disable"])))]
    SafeMode {
        #[arg(long)]
        enable: bool,
        #[arg(long)]
        disable: bool,
    },
    /// Print the percentage of database pages failing SQLite's integrity
    /// check, as an integer (0 when healthy, 100 when unreadable)
    CorruptionLevel,
}

pub fn run(cx: &Caxton, cmd: StorageCommand, out: &Output) -> Result<ExitCode> {
    let data_dir = &cx.paths().data_dir;
    match cmd {
        StorageCommand::Verify { comprehensive, .. } => {
            let level = if comprehensive {
                Level::Comprehensive
            } else {
                Level::Quick
            };
            let r = verify::verify(cx.paths(), &catalog::context(cx), level)?;
            if out.json {
                out.json(&r);
            } else {
                for c in &r.checks {
                    let g = match c.outcome {
                        Outcome::Ok => glyph(None),
                        Outcome::Warning => glyph(Some(Severity::Warning)),
                        Outcome::Failed => glyph(Some(Severity::Error)),
                    };
                    out.line(format!("{g} {}: {}", c.name, c.detail));
                }
                if r.safe_mode {
                    out.warn("safe mode is enabled: writes are refused (`caxton storage safe-mode --disable`)");
                }
                let failed = r
                    .checks
                    .iter()
                    .filter(|c| c.outcome == Outcome::Failed)
                    .count();
                out.line(if r.healthy {
                    format!("Storage healthy: {}", r.database.display())
                } else {
                    format!(
                        "Storage damaged: {failed} check(s) failed for {}; see `caxton storage corruption-level`, then `caxton storage repair --emergency` or restore a backup",
                        r.database.display()
                    )
                });
            }
            Ok(if r.healthy {
                ExitCode::Ok
            } else {
                ExitCode::Invalid
            })
        }
        StorageCommand::Repair { emergency: false } => {
            let r = repair::repair(cx)?;
            if out.json {
                out.json(&r);
            } else {
                r.steps.iter().for_each(|s| out.line(format!("  {s}")));
                out.line(format!(
                    "{} repaired {}",
                    glyph(None),
                    cx.paths().db().display()
                ));
            }
            Ok(ExitCode::Ok)
        }
        StorageCommand::Repair { emergency: true } => {
            let r = repair::emergency(cx)?;
            if out.json {
                out.json(&r);
                return Ok(ExitCode::Ok);
            }
            out.line(format!("Method: {}", r.method));
            let rows: Vec<Vec<String>> = r
                .tables
                .iter()
                .map(|t| {
                    vec![
                        t.table.clone(),
                        t.rows_before.map_or("unknown".into(), |n| n.to_string()),
                        t.recovered.to_string(),
                        t.lost.map_or_else(
                            || {
                                format!(
                                    "unknown ({} unreadable rowid ranges)",
                                    t.unreadable_ranges.len()
                                )
                            },
                            |n| n.to_string(),
                        ),
                    ]
                })
                .collect();
            out.table(&["TABLE", "BEFORE", "RECOVERED", "LOST"], &rows);
            out.line(format!(
                "{} salvaged into a fresh database (integrity_check {}); {} rows lost{}",
                glyph(None),
                r.integrity,
                r.rows_lost,
                if r.uncounted.is_empty() {
                    String::new()
                } else {
                    format!(", plus an unknown number in {}", r.uncounted.join(", "))
                }
            ));
            out.line(format!(
                "  damaged files kept in {}",
                r.damaged_copy.display()
            ));
            if r.safe_mode {
                out.line("  safe mode is still enabled: check with `caxton storage verify --comprehensive`, then `caxton storage safe-mode --disable`");
            }
            Ok(ExitCode::Ok)
        }
        StorageCommand::SafeMode { enable, disable } => {
            let s = if enable {
                safe_mode::enable(data_dir)?
            } else if disable {
                safe_mode::disable(data_dir)?
            } else {
                safe_mode::state(data_dir)
            };
            if out.json {
                out.json(&s);
            } else if s.enabled {
                out.line(format!(
                    "Safe mode: enabled{} — writes are refused with exit 8; `caxton storage safe-mode --disable` turns it off ({})",
                    s.since.as_deref().map(|t| format!(" since {t}")).unwrap_or_default(),
                    s.marker.display()
                ));
            } else {
                out.line("Safe mode: disabled — writes are accepted");
            }
            Ok(ExitCode::Ok)
        }
        StorageCommand::CorruptionLevel => {
            let level = verify::corruption_level(&cx.paths().db())?;
            if out.json {
                out.json(&serde_json::json!({"corruption_percent": level}));
            } else {
                out.line(level);
            }
            Ok(ExitCode::Ok)
        }
    }
}
