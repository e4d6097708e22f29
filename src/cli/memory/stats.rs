//! `memory stats` and `memory monitor`: recorded searches (every search the
//! memory service runs is logged) and size samples over time.

use clap::Args;
use serde_json::json;

use crate::Caxton;
use crate::cli::output::{DIM, Output};
use crate::error::{Error, ExitCode, Result};
use crate::memory::status as mstatus;

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[arg(long)]
    include_trends: bool,
    /// Window to report, e.g. 24h or 7d
    #[arg(long, default_value = "24h", value_parser = crate::cli::args::duration, value_name = "DURATION")]
    window: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct MonitorArgs {
    /// Only searches at or above --threshold
    #[arg(long)]
    show_slow_queries: bool,
    #[arg(long, default_value = "100ms", value_parser = crate::cli::args::duration, value_name = "DURATION")]
    threshold: std::time::Duration,
    /// How many already recorded searches to show first
    #[arg(long, default_value_t = 20, value_name = "N")]
    last: usize,
    /// Show the recorded searches and exit instead of following
    #[arg(long)]
    once: bool,
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.1}ms"))
}

pub fn stats(cx: &Caxton, a: StatsArgs, out: &Output) -> Result<ExitCode> {
    cx.memory().require_embedded("stats")?;
    let (trends, window) = (a.include_trends, a.window);
    let Some(mut store) = cx.store_if_exists()? else {
        return Err(Error::Usage {
            message: format!("no memory store in {}", cx.paths().data_dir.display()),
            hint: "run `caxton init`, or point --data-dir at an existing data directory".into(),
        });
    };
    mstatus::sample_if_due(&mut store)?;
    let hours = window.as_secs().div_ceil(3600).max(1);
    let st = mstatus::stats(&store, hours, trends)?;
    let status = cx.memory().status(false)?;
    if out.json {
        out.json(&json!({"stats": st, "status": status}));
        return Ok(ExitCode::Ok);
    }
    out.line(format!(
        "Memory: {} entities, {} observations ({} embedded), {} relations, {}",
        status.entities,
        status.observations,
        status.embedded_observations,
        status.relations,
        bytesize::ByteSize::b(status.db_bytes)
    ));
    out.line(format!(
        "Searches in the last {hours}h: {} (P50 {}, P99 {})",
        st.searches,
        ms(st.search_p50_ms),
        ms(st.search_p99_ms)
    ));
    let rows = |v: &[mstatus::Latency]| -> Vec<Vec<String>> {
        v.iter()
            .map(|l| {
                vec![
                    l.key.clone(),
                    l.searches.to_string(),
                    ms(l.p50_ms),
                    ms(l.p99_ms),
                ]
            })
            .collect()
    };
    if !st.by_mode.is_empty() {
        out.table(&["MODE", "SEARCHES", "P50", "P99"], &rows(&st.by_mode));
    }
    if !st.by_index_load.is_empty() {
        out.table(
            &["VECTOR INDEX", "SEARCHES", "P50", "P99"],
            &rows(&st.by_index_load),
        );
    }
    if trends {
        out.line(format!("\nHourly search latency (last {hours}h):"));
        if st.hourly.is_empty() {
            out.line("  no searches recorded in this window");
        } else {
            out.table(&["HOUR", "SEARCHES", "P50", "P99"], &rows(&st.hourly));
        }
        out.line(format!(
            "\nSamples (taken at most every {} as memory is used):",
            humantime::format_duration(std::time::Duration::from_millis(
                mstatus::SAMPLE_EVERY_MS as u64
            ))
        ));
        let samples: Vec<Vec<String>> = st
            .samples
            .iter()
            .map(|s| {
                vec![
                    humantime::format_rfc3339_seconds(
                        std::time::UNIX_EPOCH + std::time::Duration::from_millis(s.at_ms as u64),
                    )
                    .to_string(),
                    s.entities.to_string(),
                    s.observations.to_string(),
                    s.vectors.to_string(),
                    bytesize::ByteSize::b(s.db_bytes as u64).to_string(),
                    ms(s.search_p99_ms),
                ]
            })
            .collect();
        out.table(
            &[
                "AT",
                "ENTITIES",
                "OBSERVATIONS",
                "VECTORS",
                "DATABASE",
                "SEARCH P99",
            ],
            &samples,
        );
        if let (Some(first), Some(last)) = (st.samples.first(), st.samples.last()) {
            out.line(format!(
                "Change over the window: {:+} entities, {:+} observations, {:+} vectors",
                last.entities - first.entities,
                last.observations - first.observations,
                last.vectors - first.vectors
            ));
        }
    }
    Ok(ExitCode::Ok)
}

pub fn monitor(cx: &Caxton, a: MonitorArgs, out: &Output) -> Result<ExitCode> {
    cx.memory().require_embedded("monitor")?;
    let min = if a.show_slow_queries {
        a.threshold
    } else {
        std::time::Duration::ZERO
    };
    let (last, once) = (a.last, a.once);
    let Some(store) = cx.store_if_exists()? else {
        return Err(Error::Usage {
            message: format!("no memory store in {}", cx.paths().data_dir.display()),
            hint: "run `caxton init`, or point --data-dir at an existing data directory".into(),
        });
    };
    let show = |l: &mstatus::Logged| {
        if out.json {
            // One JSON object per line, so a follower can be piped to jq.
            out.line(json!(l));
        } else {
            out.line(format!(
                "{} {:>9} {:<7} {:<11} {:>3} results  {}",
                humantime::format_rfc3339_millis(
                    std::time::UNIX_EPOCH + std::time::Duration::from_millis(l.at_ms as u64)
                ),
                format!("{:.1}ms", l.duration_ms),
                l.mode,
                if l.index_load.is_empty() {
                    "-"
                } else {
                    &l.index_load
                },
                l.results,
                l.query
            ));
        }
    };
    if !out.json && !once {
        out.line(format!(
            "{DIM}following searches{}; Ctrl-C stops{DIM:#}",
            if min.is_zero() {
                String::new()
            } else {
                format!(" at or above {}", humantime::format_duration(min))
            }
        ));
    }
    let mut seen = mstatus::last_search_id(&store)?;
    for l in mstatus::slow_searches(&store, 0, min, last)? {
        show(&l);
    }
    if once {
        return Ok(ExitCode::Ok);
    }
    loop {
        // Polling the log once a second is what "real time" needs here, and
        // works for searches made by any process on this data directory.
        std::thread::sleep(std::time::Duration::from_secs(1));
        for l in mstatus::slow_searches(&store, seen, min, 1000)? {
            seen = l.id;
            show(&l);
        }
    }
}
