//! An agent's recorded versions for display and rollback: one version's
//! text, a line diff between any two, and which version a rollback
//! restores. A config agent's version is its TOML file, a WASM agent's its
//! manifest (JSON), both stored byte for byte by [`super::versions`].

use serde::Serialize;

use super::versions::{self, VersionRecord};
use crate::Caxton;
use crate::error::{Error, Result};

/// One recorded version with its content as text.
#[derive(Debug, Clone, Serialize)]
pub struct VersionText {
    pub agent: String,
    #[serde(flatten)]
    pub record: VersionRecord,
    /// The stored bytes, lossily decoded (agent files and manifests are UTF-8).
    pub text: String,
}

/// How one line of a [`VersionDiff`] changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineTag {
    Equal,
    Insert,
    Delete,
}

/// One line of a [`VersionDiff`].
#[derive(Debug, Clone, Serialize)]
pub struct DiffLine {
    pub tag: LineTag,
    /// The line without its line break.
    pub text: String,
}

/// Every line of two versions in order, each kept, added or removed.
#[derive(Debug, Clone, Serialize)]
pub struct VersionDiff {
    pub agent: String,
    pub from: VersionRecord,
    pub to: VersionRecord,
    pub inserted: usize,
    pub deleted: usize,
    pub lines: Vec<DiffLine>,
}

/// The record of version `seq` of `agent`, which must be one of its own.
fn find(agent: &str, history: &[VersionRecord], seq: i64) -> Result<VersionRecord> {
    history
        .iter()
        .find(|v| v.seq == seq)
        .cloned()
        .ok_or_else(|| Error::VersionNotFound {
            agent: agent.to_string(),
            seq,
        })
}

/// The stored text of version `seq` of the agent named `name`.
pub fn version_text(cx: &Caxton, name: &str, seq: i64) -> Result<VersionText> {
    let agent = super::resolve(cx, name)?;
    let record = find(agent.id(), agent.history(), seq)?;
    let text = read(cx, agent.id(), seq)?;
    Ok(VersionText {
        agent: agent.id().to_string(),
        record,
        text,
    })
}

fn read(cx: &Caxton, agent: &str, seq: i64) -> Result<String> {
    let store = cx
        .store_if_exists()?
        .ok_or_else(|| Error::VersionNotFound {
            agent: agent.to_string(),
            seq,
        })?;
    let bytes = versions::content(&store, seq)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A line diff from version `from` to version `to` of the agent `name`.
pub fn diff(cx: &Caxton, name: &str, from: i64, to: i64) -> Result<VersionDiff> {
    let agent = super::resolve(cx, name)?;
    let (id, history) = (agent.id(), agent.history());
    let (from_rec, to_rec) = (find(id, history, from)?, find(id, history, to)?);
    let lines = line_diff(&read(cx, id, from)?, &read(cx, id, to)?);
    let count = |t| lines.iter().filter(|l| l.tag == t).count();
    Ok(VersionDiff {
        agent: id.to_string(),
        from: from_rec,
        to: to_rec,
        inserted: count(LineTag::Insert),
        deleted: count(LineTag::Delete),
        lines,
    })
}

fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|c| DiffLine {
            tag: match c.tag() {
                similar::ChangeTag::Equal => LineTag::Equal,
                similar::ChangeTag::Insert => LineTag::Insert,
                similar::ChangeTag::Delete => LineTag::Delete,
            },
            text: c.value().trim_end_matches(['\n', '\r']).to_string(),
        })
        .collect()
}

/// The version a rollback restores: `to` when given (any earlier version,
/// as long as its content is not the one deployed now), else the newest
/// whose content differs from the current one (`current_hash`).
pub fn rollback_target(
    agent: &str,
    history: &[VersionRecord],
    current_hash: Option<&str>,
    to: Option<i64>,
) -> Result<VersionRecord> {
    let Some(seq) = to else {
        return history
            .iter()
            .find(|v| Some(v.content_hash.as_str()) != current_hash)
            .cloned()
            .ok_or_else(|| Error::NoPreviousVersion {
                agent: agent.to_string(),
            });
    };
    let v = find(agent, history, seq)?;
    if Some(v.content_hash.as_str()) == current_hash {
        return Err(Error::Usage {
            message: format!("version #{seq} of `{agent}` is the one deployed now"),
            hint: format!("pick a version with other content (`caxton agents show {agent}`)"),
        });
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(seq: i64, hash: &str) -> VersionRecord {
        VersionRecord {
            seq,
            version: format!("1.0.{seq}"),
            content_hash: hash.into(),
            source: "test".into(),
            action: "deploy".into(),
            deployed_at: 0,
        }
    }

    #[test]
    fn a_line_diff_keeps_every_line_in_order_with_its_tag() {
        let d = line_diff("a\nb\nc\n", "a\nB\nc\nd\n");
        let got: Vec<(LineTag, &str)> = d.iter().map(|l| (l.tag, l.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (LineTag::Equal, "a"),
                (LineTag::Delete, "b"),
                (LineTag::Insert, "B"),
                (LineTag::Equal, "c"),
                (LineTag::Insert, "d"),
            ]
        );
    }

    #[test]
    fn rollback_picks_the_named_version_or_the_newest_other_one() {
        // Newest first, as history() returns them; #3 is deployed now.
        let h = [rec(3, "c"), rec(2, "c"), rec(1, "a")];
        assert_eq!(rollback_target("x", &h, Some("c"), None).unwrap().seq, 1);
        assert_eq!(rollback_target("x", &h, Some("c"), Some(1)).unwrap().seq, 1);
        let same = rollback_target("x", &h, Some("c"), Some(2)).unwrap_err();
        assert_eq!(same.code(), "usage", "{same}");
        let missing = rollback_target("x", &h, Some("c"), Some(9)).unwrap_err();
        assert_eq!(missing.code(), "version_not_found");
        let only = rollback_target("x", &h[..2], Some("c"), None).unwrap_err();
        assert_eq!(only.code(), "no_previous_version");
    }
}
