//! The example agents shipped in `agents/`, compiled into the binary so
//! `caxton init` works from an installed binary without the source tree.

pub const AGENTS: &[(&str, &str)] = &[
    (
        "data-analyzer.toml",
        include_str!("../../agents/data-analyzer.toml"),
    ),
    (
        "api-watcher.toml",
        include_str!("../../agents/api-watcher.toml"),
    ),
    (
        "report-writer.toml",
        include_str!("../../agents/report-writer.toml"),
    ),
];

/// The commented server configuration `caxton init` writes.
pub const SAMPLE_CONFIG: &str = include_str!("../../docs/caxton.example.toml");
