//! Grounding tool schemas in one run: an argument that names a file becomes
//! an `enum` of the files the agent can actually read (with the extensions the
//! tool reads), and a URL argument a `pattern` of the agent's allowed hosts.
//! With constrained decoding (the local provider) a call naming a missing file
//! or a refused host then cannot be produced at all; other providers see the
//! same schema and are steered by it. `send_message`'s capability and
//! receiver become enums of what the other deployed agents offer (the
//! agent's `requires` first), so a delegation names someone who exists.
//!
//! Files the request names are listed first. A request that names only files
//! that do not exist gets a note in the system prompt telling the model so,
//! and the tools that would read them are not offered, so the model answers
//! "not found" instead of reading some other file. Small talk (a greeting,
//! thanks, a question about the agent itself) is offered no tools either.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::llm::{ToolChoice, ToolSpec};
use crate::tools::{self, GroundedArg};

/// Most files one argument's `enum` lists; more fall back to a pattern on
/// the extension (an enum of 10,000 names would fill the prompt and grammar).
pub const MAX_ENUM_FILES: usize = 200;
/// Directory entries scanned at most per run, so a huge workspace cannot
/// stall the start of a run.
pub const MAX_SCANNED: usize = 20_000;
/// Directory levels below the read root that are scanned.
const MAX_DEPTH: usize = 6;
/// Largest JSON file whose paths are offered as jq filters (read whole).
const MAX_JSON_BYTES: u64 = 1 << 20;
/// jq filters offered for one file at most, and how deep they go.
const MAX_JQ_PATHS: usize = 64;
const JQ_DEPTH: usize = 4;
/// Plain jq paths (`.`, `.a.b`, `.[]`, `.items[0].name`): what a filter is
/// limited to when no single file is named. Each one compiles.
const JQ_PATH_PATTERN: &str =
    r"^\.(([A-Za-z_][A-Za-z0-9_]*|\[[0-9]{0,6}\])(\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]{0,6}\])*)?$";

/// The readable files of a run, as paths relative to the read root with `/`
/// separators, sorted. Hidden entries are skipped. Bounded by [`MAX_SCANNED`]
/// and [`MAX_DEPTH`]; `complete` is false when a bound cut the scan.
#[derive(Debug, Default)]
pub struct Files {
    /// The read root the paths are relative to.
    pub root: PathBuf,
    pub paths: Vec<String>,
    pub complete: bool,
}

impl Files {
    pub fn scan(root: &Path) -> Files {
        let mut files = Files {
            root: root.to_path_buf(),
            paths: Vec::new(),
            complete: true,
        };
        let mut seen = 0usize;
        let mut stack = vec![(root.to_path_buf(), String::new(), 0usize)];
        while let Some((dir, prefix, depth)) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                seen += 1;
                if seen > MAX_SCANNED {
                    files.complete = false;
                    files.paths.sort();
                    return files;
                }
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                if name.starts_with('.') {
                    continue;
                }
                let rel = format!("{prefix}{name}");
                // file_type does not follow symlinks: a link is offered only
                // as what it is, and the tool's own root check still applies.
                match entry.file_type() {
                    Ok(t) if t.is_file() => files.paths.push(rel),
                    Ok(t) if t.is_dir() => {
                        if depth + 1 < MAX_DEPTH {
                            stack.push((entry.path(), format!("{rel}/"), depth + 1));
                        } else {
                            files.complete = false;
                        }
                    }
                    _ => {}
                }
            }
        }
        files.paths.sort();
        files
    }
}

/// What grounding did to a run's tools, for the prompt and the record.
#[derive(Debug, Default, PartialEq)]
pub struct Grounding {
    /// Files the request names that are not in the readable root.
    pub missing: Vec<String>,
    /// Files the request names that exist.
    pub named: Vec<String>,
    /// A note for the system prompt (about missing files), if any.
    pub note: Option<String>,
    /// The sentence that opens the answer when the request names only
    /// missing files: which were not found and what is there. The runtime
    /// knows it; a 135M model does not reliably follow the note.
    pub not_found: Option<String>,
    /// The tools (as offered) that can read a file the request names: the
    /// request is about that file, so the first call is one of these.
    pub readers: Vec<String>,
    /// The request is small talk ([`small_talk`]): no tool is needed.
    pub small_talk: bool,
}

impl Grounding {
    /// The tools the first model call is offered, and whether it must call
    /// one. A request about files it names is answered by reading them: only
    /// their readers, and a call is required. A request that names only
    /// files that do not exist gets no tools: the model answers from the
    /// note (not found, and what is there) instead of calling some other
    /// tool. Small talk gets no tools: there is nothing to do. Otherwise
    /// every tool, and the provider decides (a capable model may answer
    /// without one; the local model always calls one, as it cannot tell).
    pub fn first_round(&self, specs: &[ToolSpec]) -> (Vec<ToolSpec>, ToolChoice) {
        if !self.readers.is_empty() {
            let readers = specs
                .iter()
                .filter(|s| self.readers.contains(&s.name))
                .cloned()
                .collect();
            (readers, ToolChoice::Required)
        } else if !self.missing.is_empty() || self.small_talk {
            (Vec::new(), ToolChoice::Auto)
        } else {
            (specs.to_vec(), ToolChoice::Auto)
        }
    }
}

/// Words that open a greeting, thanks or goodbye.
const OPENERS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hiya",
    "greetings",
    "thanks",
    "thank",
    "thx",
    "cheers",
    "bye",
    "goodbye",
    "morning",
    "evening",
    "afternoon",
];
/// Words too common to tie a request to a tool.
const COMMON: &[&str] = &[
    "that", "this", "these", "those", "with", "from", "have", "your", "about", "there", "their",
    "what", "which", "when", "where", "will", "would", "could", "should", "please", "today",
    "again", "very", "much", "some", "just", "them", "then", "than", "into", "also", "good",
    "great", "nice", "well", "done",
];

/// Whether `request` is small talk, which no tool can help with: a
/// greeting, thanks or goodbye that asks for nothing a tool does (no word
/// of it is in a tool's name or description), or a question about the
/// agent itself (`who are you`, `what can you do`, `which kinds of data can
/// you help with`: a question word opening a sentence that is about
/// "you"). A request with a number or a file name in it is never small
/// talk: it is about some data. Offered tools anyway, a 135M model called
/// one for "Hello! Who are you?"; offered a "no tool" choice, it also took
/// that for "Echo the message: hello".
pub fn small_talk(request: &str, specs: &[ToolSpec]) -> bool {
    if request.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let sentences: Vec<Vec<String>> = request
        .split(['.', '!', '?', ';', '\n'])
        .map(words)
        .filter(|w| !w.is_empty())
        .collect();
    let Some(first) = sentences.first() else {
        return false;
    };
    let about_you = sentences.iter().any(|s| {
        ["who", "what", "which", "how"].contains(&s[0].as_str())
            && s.iter()
                .any(|w| ["you", "your", "yourself"].contains(&w.as_str()))
    });
    if about_you {
        return true;
    }
    if !OPENERS.contains(&first[0].as_str()) {
        return false;
    }
    // "Hello, chart the sales" asks for a tool's work.
    let vocabulary: BTreeSet<String> = specs
        .iter()
        .flat_map(|s| {
            words(&s.name.replace('_', " "))
                .into_iter()
                .chain(words(&s.description))
        })
        .collect();
    let related = |w: &str| {
        w.len() >= 4
            && !COMMON.contains(&w)
            && !OPENERS.contains(&w)
            && vocabulary
                .iter()
                .any(|v| v.len() >= 4 && (v.starts_with(w) || w.starts_with(v.as_str())))
    };
    !sentences.iter().flatten().any(|w| related(w))
}

fn extension(path: &str) -> Option<String> {
    Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Words of `request` that look like file names with one of `extensions`
/// (trailing punctuation and quotes stripped), in order, without repeats.
fn named_files(request: &str, extensions: &BTreeSet<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in request.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')')) {
        let word = word.trim_matches(|c: char| matches!(c, '"' | '\'' | '`' | ':' | '?' | '!'));
        let word = word.trim_end_matches('.');
        if word.is_empty() || word.len() > 255 {
            continue;
        }
        if extension(word).is_some_and(|e| extensions.contains(e.as_str()))
            && !out.iter().any(|w| w == word)
        {
            out.push(word.to_string());
        }
    }
    out
}

/// A regex accepting a relative path ending in one of `extensions`, any case.
fn extension_pattern(extensions: &[&str]) -> String {
    let alts: Vec<String> = extensions
        .iter()
        .map(|e| {
            e.chars()
                .map(|c| {
                    if c.is_ascii_alphabetic() {
                        format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
                    } else {
                        regex_escape(c)
                    }
                })
                .collect()
        })
        .collect();
    format!(r"^[^/.][^\s]*\.({})$", alts.join("|"))
}

fn regex_escape(c: char) -> String {
    if c.is_ascii_alphanumeric() {
        c.to_string()
    } else {
        format!("\\{c}")
    }
}

/// A regex accepting http(s) URLs whose host is one of `domains` or a
/// subdomain of one (what `http_client` allows).
fn url_pattern(domains: &[String]) -> String {
    let alts: Vec<String> = domains
        .iter()
        .map(|d| d.chars().map(regex_escape).collect())
        .collect();
    format!(
        r"^https?://([a-z0-9-]+\.)*({})(:[0-9]{{1,5}})?([/?#][^\s]*)?$",
        alts.join("|")
    )
}

/// The normalised `allowed_domains` of a tool config, as `http_client` reads
/// them; empty when unset or not a list of strings (the tool reports that).
fn allowed_domains(config: Option<&Map<String, Value>>) -> Vec<String> {
    config
        .and_then(|c| c.get("allowed_domains"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|d| {
                    d.trim()
                        .trim_start_matches("*.")
                        .trim_start_matches('.')
                        .trim_end_matches('.')
                        .to_ascii_lowercase()
                })
                .filter(|d| !d.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Replace property `name` by `schema` wherever the argument object lists it
/// (top level and each `oneOf` variant); drop the variants requiring it when
/// `schema` is `None`. Returns false when nothing valid is left (the tool
/// cannot be called).
fn set_property(params: &mut Value, name: &str, schema: Option<&Value>) -> bool {
    let requires = |v: &Value| {
        v.get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|x| x == name))
    };
    let Some(obj) = params.as_object_mut() else {
        return true;
    };
    let replace = |props: &mut Value| match (props.as_object_mut(), schema) {
        (Some(p), Some(s)) if p.contains_key(name) => {
            p.insert(name.to_string(), s.clone());
        }
        (Some(p), None) => {
            p.remove(name);
        }
        _ => {}
    };
    if let Some(Value::Array(variants)) = obj.get_mut("oneOf") {
        if schema.is_none() {
            variants.retain(|v| !requires(v));
            if variants.is_empty() {
                return false;
            }
        }
        for v in variants.iter_mut() {
            if let Some(props) = v.get_mut("properties") {
                replace(props);
            }
        }
    }
    if schema.is_none() && requires(&Value::Object(obj.clone())) {
        return false;
    }
    if let Some(props) = obj.get_mut("properties") {
        replace(props);
    }
    true
}

/// The paths whose last key the request mentions (`role` in "which roles
/// appear"), when there are any, else all of them: a request that says
/// which field it wants gets that field. The named file's own name does not
/// count as a mention.
fn mentioned_paths(paths: Vec<String>, request: &str, file: Option<&str>) -> Vec<String> {
    let file_name = file.map(|f| f.rsplit('/').next().unwrap_or(f));
    let asked: Vec<String> = request
        .split_whitespace()
        .filter(|w| file_name.is_none_or(|f| !w.contains(f)))
        .flat_map(words)
        .collect();
    let last_key = |p: &str| {
        let key = p
            .rsplit('.')
            .next()?
            .trim_end_matches("[]")
            .to_ascii_lowercase();
        (key.len() >= 3 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then_some(key)
    };
    let mentioned: Vec<String> = paths
        .iter()
        .filter(|p| last_key(p).is_some_and(|k| asked.iter().any(|w| w.starts_with(&k))))
        .cloned()
        .collect();
    if mentioned.is_empty() {
        paths
    } else {
        mentioned
    }
}

/// Words that ask to look up what was stored, not to store it.
const RECALL: &[&str] = &[
    "search",
    "recall",
    "remembered",
    "store",
    "stored",
    "notes",
    "lookup",
    "look",
    "find",
];

/// The request asks what was remembered ("Search your notes: when is the
/// deploy window?", "What did I store about billing?"): its first call is
/// `memory_search`. The 135M model called `memory_store` instead, writing
/// the question down. A request to remember something is not one.
fn recall(request: &str) -> bool {
    let w = words(request);
    let stores = matches!(
        w.first().map(String::as_str),
        Some("remember" | "store" | "save" | "note" | "memorize" | "memorise")
    );
    !stores && w.iter().any(|x| RECALL.contains(&x.as_str()))
}

/// How a request asks to store a fact, before the fact itself.
const REMEMBER: &[&str] = &[
    "remember that ",
    "note that ",
    "store that ",
    "keep in mind that ",
    "remember: ",
    "note: ",
    "remember ",
];

/// Longest fact [`statement`] takes from a request (the rest of a longer
/// request is left to the model).
const MAX_STATEMENT_CHARS: usize = 500;

/// The fact a request asks to remember ("Remember that the deploy window is
/// Friday." gives "The deploy window is Friday"): the text after the first
/// phrase of [`REMEMBER`] that starts the request or one of its sentences.
/// The 135M model stored `", "` under an entity `A` instead.
fn statement(request: &str) -> Option<String> {
    let lower = request.to_ascii_lowercase();
    let start = REMEMBER.iter().find_map(|phrase| {
        lower
            .match_indices(phrase)
            .map(|(i, _)| i)
            .find(|&i| {
                let before = lower[..i].trim_end();
                before.is_empty() || before.ends_with(['.', '!', '?', ':', ','])
            })
            .map(|i| i + phrase.len())
    })?;
    let fact = request[start..].trim().trim_end_matches(['.', '!']).trim();
    // "Remember when the window is?" asks; it states nothing.
    if fact.is_empty() || fact.ends_with('?') || fact.len() > MAX_STATEMENT_CHARS {
        return None;
    }
    let mut chars = fact.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// Verbs that end a short fact's subject ("Alice owns ...").
const SUBJECT_ENDS: &[&str] = &[
    "is", "are", "was", "were", "has", "have", "had", "owns", "own", "runs", "uses", "lives",
    "works", "likes", "manages", "leads", "handles", "starts", "ends", "needs", "takes", "belongs",
    "will", "can", "should", "must",
];

/// What a fact is about: its words before the first verb of
/// [`SUBJECT_ENDS`], without a leading article, when that is one to four
/// words ("The deploy window is Friday" is about "deploy window").
fn subject(fact: &str) -> Option<String> {
    let words: Vec<&str> = fact.split_whitespace().collect();
    let verb = words
        .iter()
        .position(|w| SUBJECT_ENDS.contains(&w.to_ascii_lowercase().as_str()))?;
    let mut subject = &words[..verb];
    if let [first, rest @ ..] = subject
        && ["the", "a", "an", "our", "my", "your"].contains(&first.to_ascii_lowercase().as_str())
    {
        subject = rest;
    }
    let name = subject.join(" ");
    let name = name.trim_matches(|c: char| !c.is_alphanumeric());
    (1..=4)
        .contains(&subject.len())
        .then(|| name.to_string())
        .filter(|n| !n.is_empty())
}

/// The question a recall request asks ("Search your notes: when is the
/// deploy window?" gives "when is the deploy window?"): the text after a
/// colon that follows the words asking to search, else the whole request.
/// The 135M model searched for `search_tool`.
fn question(request: &str) -> Option<String> {
    if !recall(request) {
        return None;
    }
    let asked = match request.split_once(':') {
        Some((before, after)) if recall(before) && !after.trim().is_empty() => after,
        _ => request,
    };
    let q = asked.trim();
    (!q.is_empty() && q.len() <= MAX_STATEMENT_CHARS).then(|| q.to_string())
}

/// Most numbers [`stated_numbers`] takes from a request: the longest
/// series a chart's schema spells out.
const MAX_STATED_NUMBERS: usize = 16;

/// The numbers a request states, in order, when it states between two and
/// [`MAX_STATED_NUMBERS`] and all are above zero with at most four decimals
/// (what every chart type and the call grammar take): words that are plain
/// decimal numbers ("10", "2.5,"), not parts of names ("q3", "2024.csv").
fn stated_numbers(request: &str) -> Vec<Value> {
    let numbers: Vec<Value> = request
        .split_whitespace()
        .map(|w| {
            w.trim_start_matches('(')
                .trim_end_matches([',', ';', ':', ')', '!', '?', '.'])
        })
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .filter_map(|w| serde_json::from_str::<Value>(w).ok())
        .filter(|v| v.is_number())
        .collect();
    let fits = |v: &Value| {
        let text = v.to_string();
        let decimals = text.split_once('.').map_or(0, |(_, f)| f.len());
        v.as_f64().is_some_and(|x| x > 0.0 && x < 1e15) && decimals <= 4
    };
    if (2..=MAX_STATED_NUMBERS).contains(&numbers.len()) && numbers.iter().all(fits) {
        numbers
    } else {
        Vec::new()
    }
}

/// Words around stated numbers that are not what a number is of.
const NOT_LABELS: &[&str] = &[
    "and", "of", "the", "values", "value", "numbers", "with", "to", "is", "are", "at", "a", "an",
];

/// One name per stated number, in order, or none: the words after
/// "labels"/"labelled"/"categories" up to the first number or word that
/// introduces them ("labels north and south and values 10 and 20"), else
/// the word before each number ("apples 3 and pears 5"). The model wrote
/// labels like `", "` and `"]}}}  # This is a JSON object..."`.
fn stated_labels(request: &str, count: usize) -> Vec<String> {
    if count == 0 {
        return Vec::new();
    }
    let tokens: Vec<String> = request
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
        .filter(|w| !w.is_empty())
        .collect();
    let is_number = |w: &str| w.chars().all(|c| c.is_ascii_digit() || c == '.');
    let lower = |w: &String| w.to_ascii_lowercase();
    let introduced = tokens
        .iter()
        .position(|w| ["labels", "labelled", "labeled", "categories"].contains(&lower(w).as_str()))
        .map(|at| {
            tokens[at + 1..]
                .iter()
                .take_while(|w| {
                    !is_number(w)
                        && !["values", "value", "numbers", "with"].contains(&lower(w).as_str())
                })
                .filter(|w| !NOT_LABELS.contains(&lower(w).as_str()))
                .cloned()
                .collect::<Vec<_>>()
        });
    let labels = introduced.unwrap_or_else(|| {
        tokens
            .windows(2)
            .filter(|pair| is_number(&pair[1]) && !is_number(&pair[0]))
            .map(|pair| pair[0].clone())
            .collect()
    });
    if labels.len() == count
        && labels
            .iter()
            .all(|l| !NOT_LABELS.contains(&lower(l).as_str()))
    {
        labels
    } else {
        Vec::new()
    }
}

/// The string values property `name` of a tool's parameters may take (its
/// `enum`, through a `$ref` to the tool's definitions and an optional's
/// `anyOf`/`oneOf`).
fn choices(params: &Value, name: &str) -> Vec<String> {
    fn collect(schema: &Value, params: &Value, depth: usize, out: &mut Vec<String>) {
        if depth > 4 {
            return;
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            out.extend(values.iter().filter_map(Value::as_str).map(str::to_string));
        }
        if let Some(target) = schema.get("$ref").and_then(Value::as_str)
            && let Some(def) = target
                .strip_prefix("#/$defs/")
                .and_then(|d| params.get("$defs")?.get(d))
        {
            collect(def, params, depth + 1, out);
        }
        for key in ["anyOf", "oneOf"] {
            for s in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                collect(s, params, depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Some(schema) = params.get("properties").and_then(|p| p.get(name)) {
        collect(schema, params, 0, &mut out);
    }
    out
}

/// Lowercase words of `text` (letters, digits and `_`).
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The first JSON value of the file at `path` (JSON Lines: the first line),
/// when it is small enough to read whole.
fn json_of(path: &Path) -> Option<Value> {
    if std::fs::metadata(path).ok()?.len() > MAX_JSON_BYTES {
        return None;
    }
    let text = std::fs::read(path).ok()?;
    serde_json::Deserializer::from_slice(&text)
        .into_iter::<Value>()
        .next()?
        .ok()
}

/// Keep only the `oneOf` variants that require `name` (when any does).
fn only_variants_with(params: &mut Value, name: &str) {
    if let Some(Value::Array(variants)) = params.get_mut("oneOf") {
        let with = |v: &Value| {
            v.get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|x| x == name))
        };
        if variants.iter().any(with) {
            variants.retain(with);
        }
    }
}

/// The other deployed agents a run may message, for `send_message`.
#[derive(Debug, Default)]
pub struct Peers {
    /// `(capability, providers)`, the agent's `requires` first (in their
    /// order), then the rest by name.
    pub capabilities: Vec<(String, Vec<String>)>,
    /// Every other agent offering something, by id.
    pub agents: Vec<String>,
}

impl Peers {
    /// `offered` as [`crate::tools::send_message::Messaging::peers`] gives
    /// it, ranked by `requires`.
    pub fn new(mut offered: Vec<(String, Vec<String>)>, requires: &[String]) -> Peers {
        let rank = |c: &str| requires.iter().position(|r| r == c).unwrap_or(usize::MAX);
        offered.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then_with(|| a.0.cmp(&b.0)));
        let agents: BTreeSet<String> = offered.iter().flat_map(|(_, a)| a.clone()).collect();
        Peers {
            capabilities: offered,
            agents: agents.into_iter().collect(),
        }
    }

    /// `capability (agent, ...)` for each capability, as the model reads them.
    fn described(&self) -> String {
        self.capabilities
            .iter()
            .map(|(c, a)| format!("{c} ({})", a.join(", ")))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A built-in tool's grounded arguments and its `[tool_config]` table.
pub type ToolGrounding = (&'static [GroundedArg], Option<Map<String, Value>>);

/// Ground `specs` (already named as the model sees them) in this run.
/// `tool_of` maps a spec to its built-in tool's grounded arguments and
/// `[tool_config]` table (none for `mcp:` tools, which are left alone).
pub fn ground(
    specs: &mut Vec<ToolSpec>,
    tool_of: &dyn Fn(&str) -> Option<ToolGrounding>,
    files: &Files,
    peers: &Peers,
    request: &str,
) -> Grounding {
    let mut extensions: BTreeSet<&str> = BTreeSet::new();
    for spec in specs.iter() {
        if let Some((args, _)) = tool_of(&spec.name) {
            for a in args {
                if let GroundedArg::File { extensions: e, .. } = a {
                    extensions.extend(e.iter().copied());
                }
            }
        }
    }
    let mut grounding = Grounding::default();
    let exists = |word: &str| -> Option<String> {
        let word = word.trim_start_matches("./");
        files
            .paths
            .iter()
            .find(|p| p.as_str() == word)
            .or_else(|| {
                // A bare name the user typed for a file in a subdirectory,
                // when it is the only one of that name.
                let mut same = files
                    .paths
                    .iter()
                    .filter(|p| p.rsplit('/').next() == Some(word));
                match (same.next(), same.next()) {
                    (Some(one), None) => Some(one),
                    _ => None,
                }
            })
            .cloned()
    };
    for word in named_files(request, &extensions) {
        match exists(&word) {
            Some(path) => grounding.named.push(path),
            None => grounding.missing.push(word),
        }
    }
    let mut readers = Vec::new();
    specs.retain_mut(|spec| {
        let Some((args, config)) = tool_of(&spec.name) else {
            return true;
        };
        // The one file this call is about, when the request names it.
        let mut the_file: Option<String> = None;
        for arg in args {
            let keep = match *arg {
                GroundedArg::File { name, extensions } => {
                    let reads = |p: &str| extension(p).is_some_and(|e| extensions.contains(&e.as_str()));
                    let named_here = grounding.named.iter().any(|p| reads(p));
                    let missing_here = grounding.missing.iter().any(|p| reads(p));
                    if missing_here && !named_here {
                        // Reading some other file would answer a question
                        // the user did not ask.
                        false
                    } else {
                        // A request naming files is about those files: the
                        // argument offers just them, and inline alternatives
                        // (`content`) are dropped so none can be invented.
                        let matching: Vec<&String> = if named_here {
                            readers.push(spec.name.clone());
                            only_variants_with(&mut spec.parameters, name);
                            let named: Vec<&String> =
                                grounding.named.iter().filter(|p| reads(p)).collect();
                            if let [one] = named.as_slice() {
                                the_file = Some(one.to_string());
                            }
                            named
                        } else {
                            files.paths.iter().filter(|p| reads(p)).collect()
                        };
                        let schema = if matching.is_empty() {
                            None
                        } else if !named_here
                            && (matching.len() > MAX_ENUM_FILES || !files.complete)
                        {
                            Some(json!({
                                "type": "string",
                                "description": format!(
                                    "Path of a .{} file relative to the agent's readable directory.",
                                    extensions.join("/.")
                                ),
                                "pattern": extension_pattern(extensions),
                                "maxLength": 255,
                            }))
                        } else {
                            Some(json!({
                                "type": "string",
                                "description": "One of the readable files.",
                                "enum": matching,
                            }))
                        };
                        set_property(&mut spec.parameters, name, schema.as_ref())
                    }
                }
                GroundedArg::Url { name } => {
                    let domains = allowed_domains(config.as_ref());
                    if domains.is_empty() {
                        true
                    } else {
                        let schema = json!({
                            "type": "string",
                            "description": format!(
                                "Absolute http(s) URL on one of the allowed hosts: {}.",
                                domains.join(", ")
                            ),
                            "pattern": url_pattern(&domains),
                            "maxLength": 2048,
                        });
                        set_property(&mut spec.parameters, name, Some(&schema))
                    }
                }
                GroundedArg::Capability { name } => {
                    let schema = (!peers.capabilities.is_empty()).then(|| {
                        let names: Vec<&String> = peers.capabilities.iter().map(|(c, _)| c).collect();
                        json!({
                            "type": "string",
                            "description": format!(
                                "One of the capabilities other agents offer (with who offers it): {}.",
                                peers.described()
                            ),
                            "enum": names,
                        })
                    });
                    if schema.is_some() {
                        spec.description = format!(
                            "{} Capabilities you can ask for: {}.",
                            spec.description,
                            peers.described()
                        );
                    }
                    set_property(&mut spec.parameters, name, schema.as_ref())
                }
                GroundedArg::JqPath { name, .. } => {
                    let paths = the_file
                        .as_deref()
                        .and_then(|f| json_of(&files.root.join(f)))
                        .map(|v| tools::json_paths(&v, MAX_JQ_PATHS, JQ_DEPTH))
                        .map(|paths| mentioned_paths(paths, request, the_file.as_deref()));
                    let schema = match paths {
                        Some(paths) => json!({
                            "type": "string",
                            "description": "A jq path of the file: the part to extract.",
                            "enum": paths,
                        }),
                        None => json!({
                            "type": "string",
                            "description": "A jq path, e.g. `.status` or `.users[].name`.",
                            "pattern": JQ_PATH_PATTERN,
                            "maxLength": 200,
                        }),
                    };
                    set_property(&mut spec.parameters, name, Some(&schema))
                }
                GroundedArg::Sheet { name, .. } => {
                    if let Some(file) = &the_file {
                        // An unreadable workbook: the call reads the first
                        // sheet (and the tool reports the problem).
                        let schema = tools::sheet_names(&files.root, file)
                            .filter(|s| !s.is_empty())
                            .map(|sheets| {
                                json!({
                                    "type": "string",
                                    "description": "One of the workbook's sheets.",
                                    "enum": sheets,
                                })
                            });
                        set_property(&mut spec.parameters, name, schema.as_ref())
                    } else {
                        true
                    }
                }
                GroundedArg::Named { name } => {
                    let w = words(request);
                    let named: Vec<Value> = choices(&spec.parameters, name)
                        .into_iter()
                        .filter(|c| w.contains(&c.to_ascii_lowercase()))
                        .map(Value::String)
                        .collect();
                    if named.is_empty() {
                        true
                    } else {
                        let schema = json!({"type": "string", "enum": named});
                        set_property(&mut spec.parameters, name, Some(&schema))
                    }
                }
                GroundedArg::StatedNumbers { name, values } => {
                    let numbers = stated_numbers(request);
                    if numbers.len() < 2 {
                        true
                    } else {
                        let schema = json!({
                            "type": "array", "minItems": 1, "maxItems": 1,
                            "items": {"type": "object", "required": [values],
                                      "properties": {values: {"const": numbers}}},
                        });
                        set_property(&mut spec.parameters, name, Some(&schema))
                    }
                }
                GroundedArg::StatedLabels { name } => {
                    let labels = stated_labels(request, stated_numbers(request).len());
                    if labels.is_empty() {
                        true
                    } else {
                        let schema = json!({"type": "array", "const": labels});
                        set_property(&mut spec.parameters, name, Some(&schema))
                    }
                }
                GroundedArg::Statement { name, entity } => match statement(request) {
                    Some(fact) => {
                        let about = subject(&fact).unwrap_or_else(|| "notes".to_string());
                        let facts = json!({
                            "type": "array", "minItems": 1, "maxItems": 1,
                            "items": {"type": "string", "const": fact},
                        });
                        let about = json!({"type": "string", "const": about});
                        set_property(&mut spec.parameters, name, Some(&facts))
                            && set_property(&mut spec.parameters, entity, Some(&about))
                    }
                    None => true,
                },
                GroundedArg::Question { name } => match question(request) {
                    Some(q) => {
                        let schema = json!({"type": "string", "const": q});
                        set_property(&mut spec.parameters, name, Some(&schema))
                    }
                    None => true,
                },
                GroundedArg::Agent { name } => {
                    let schema = (!peers.agents.is_empty()).then(|| {
                        json!({
                            "type": "string",
                            "description": "One of the other deployed agents.",
                            "enum": peers.agents,
                        })
                    });
                    set_property(&mut spec.parameters, name, schema.as_ref())
                }
            };
            if !keep {
                return false;
            }
        }
        true
    });
    grounding.readers = readers;
    if grounding.readers.is_empty()
        && grounding.missing.is_empty()
        && recall(request)
        && specs.iter().any(|s| s.name == "memory_search")
    {
        grounding.readers = vec!["memory_search".to_string()];
    }
    grounding.small_talk =
        grounding.named.is_empty() && grounding.missing.is_empty() && small_talk(request, specs);
    if !grounding.missing.is_empty() {
        let listed: Vec<&str> = files
            .paths
            .iter()
            .filter(|p| extension(p).is_some_and(|e| extensions.contains(e.as_str())))
            .take(20)
            .map(String::as_str)
            .collect();
        let available = if listed.is_empty() {
            "there are no data files in it".to_string()
        } else {
            format!("the files there are: {}", listed.join(", "))
        };
        grounding.not_found = Some(format!(
            "{} was not found in the workspace; {available}.",
            grounding.missing.join(", "),
        ));
        grounding.note = Some(format!(
            "Note: the file {} named in the request does not exist in the workspace; {available}. \
             Tell the user that {} was not found. Do not invent its contents.",
            grounding.missing.join(", "),
            grounding.missing.join(", "),
        ));
    }
    grounding
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(names: &[&str]) -> Vec<ToolSpec> {
        names
            .iter()
            .map(|n| {
                let t = tools::find(n).unwrap();
                ToolSpec {
                    name: n.to_string(),
                    description: t.description().into(),
                    parameters: t.parameters(),
                }
            })
            .collect()
    }

    fn builtin(config: Option<Map<String, Value>>) -> impl Fn(&str) -> Option<ToolGrounding> {
        move |name| {
            tools::find(name)
                .ok()
                .map(|t| (t.grounded_args(), config.clone()))
        }
    }

    fn files(paths: &[&str]) -> Files {
        Files {
            root: PathBuf::new(),
            paths: paths.iter().map(|p| p.to_string()).collect(),
            complete: true,
        }
    }

    #[test]
    fn file_arguments_become_an_enum_with_named_files_first() {
        let mut s = specs(&["csv_parser"]);
        let g = ground(
            &mut s,
            &builtin(None),
            &files(&["a.csv", "notes.txt", "sales.csv", "sub/b.tsv"]),
            &Peers::default(),
            "Summarise this CSV: sales.csv",
        );
        assert_eq!(g.named, ["sales.csv"]);
        assert_eq!(g.readers, ["csv_parser"]);
        assert!(g.missing.is_empty() && g.note.is_none());
        let p = &s[0].parameters;
        // The request is about sales.csv: only it, and no inline content.
        assert_eq!(p["properties"]["path"]["enum"], json!(["sales.csv"]));
        assert_eq!(p["oneOf"].as_array().unwrap().len(), 1);
        assert_eq!(p["oneOf"][0]["properties"]["path"]["enum"][0], "sales.csv");
        assert!(jsonschema::is_valid(p, &json!({"path": "sales.csv"})));
        assert!(!jsonschema::is_valid(p, &json!({"path": "a.csv"})));
        assert!(!jsonschema::is_valid(p, &json!({"content": "a\n1"})));

        // Naming no file: every readable file of the tool's kinds.
        let mut s = specs(&["csv_parser"]);
        let files = files(&["a.csv", "notes.txt", "sales.csv", "sub/b.tsv"]);
        let g = ground(
            &mut s,
            &builtin(None),
            &files,
            &Peers::default(),
            "What is in my data?",
        );
        assert!(g.readers.is_empty());
        let p = &s[0].parameters;
        assert_eq!(
            p["properties"]["path"]["enum"],
            json!(["a.csv", "sales.csv", "sub/b.tsv"])
        );
        assert!(jsonschema::is_valid(p, &json!({"path": "a.csv"})));
        assert!(!jsonschema::is_valid(p, &json!({"path": "data.csv"})));
        assert!(!jsonschema::is_valid(
            p,
            &json!({"path": "a.csv", "content": "x"})
        ));
        assert!(!jsonschema::is_valid(p, &json!({})));
    }

    #[test]
    fn a_missing_named_file_drops_the_reading_tools_and_adds_a_note() {
        let mut s = specs(&["csv_parser", "memory_search"]);
        let g = ground(
            &mut s,
            &builtin(None),
            &files(&["a.csv"]),
            &Peers::default(),
            "Summarise data.csv please",
        );
        assert_eq!(g.missing, ["data.csv"]);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].name, "memory_search");
        assert_eq!(
            g.not_found.as_deref(),
            Some("data.csv was not found in the workspace; the files there are: a.csv.")
        );
        let note = g.note.unwrap();
        assert!(
            note.contains("data.csv") && note.contains("a.csv"),
            "{note}"
        );
    }

    #[test]
    fn stated_numbers_are_plain_numbers_outside_names() {
        let n = |r: &str| {
            stated_numbers(r)
                .iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(n("Plot the values 1, 4, 9 and 16."), ["1", "4", "9", "16"]);
        assert_eq!(n("apples 3 and pears 2.5"), ["3", "2.5"]);
        // Names, a single number, zero or too many decimals: none.
        assert!(n("Chart q3 of report_2024.csv and 2024.csv").is_empty());
        assert!(n("Top 5 regions").is_empty());
        assert!(n("values 0 and 3").is_empty());
        assert!(n("values 1.23456 and 3").is_empty());
        let l = |r: &str| stated_labels(r, stated_numbers(r).len());
        assert_eq!(
            l("Draw a bar chart with labels north and south and values 10 and 20"),
            ["north", "south"]
        );
        assert_eq!(
            l("Make a pie chart of apples 3 and pears 5"),
            ["apples", "pears"]
        );
        // No name for some number, or names that do not match the count.
        assert!(l("Plot a line chart of the values 1, 4, 9 and 16").is_empty());
        assert!(l("labels x, y and z with values 1 and 2").is_empty());
        assert_eq!(
            choices(
                &crate::tools::find("chart_generator").unwrap().parameters(),
                "format"
            ),
            ["png", "svg"]
        );
    }

    #[test]
    fn questions_about_what_was_stored_search_memory_first() {
        let all = specs(&["memory_store", "memory_search"]);
        let first = |request: &str| {
            let mut s = all.clone();
            let g = ground(
                &mut s,
                &builtin(None),
                &files(&[]),
                &Peers::default(),
                request,
            );
            g.first_round(&s)
                .0
                .into_iter()
                .map(|t| t.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            first("Search your notes: when is the deploy window?"),
            ["memory_search"]
        );
        assert_eq!(
            first("What did I store about the billing service?"),
            ["memory_search"]
        );
        assert_eq!(
            first("Remember that the deploy window is Friday"),
            ["memory_store", "memory_search"]
        );
    }

    #[test]
    fn memory_calls_store_the_stated_fact_and_search_the_question() {
        let grounded = |request: &str| {
            let mut s = specs(&["memory_store", "memory_search"]);
            ground(
                &mut s,
                &builtin(None),
                &files(&[]),
                &Peers::default(),
                request,
            );
            s
        };
        let s = grounded("Remember that Alice owns the billing service.");
        let store = &s[0].parameters["properties"];
        assert_eq!(
            store["observations"]["items"]["const"],
            "Alice owns the billing service"
        );
        assert_eq!(store["entity"]["const"], "Alice");
        let s = grounded("Search your notes: when is the deploy window?");
        assert_eq!(
            s[1].parameters["properties"]["query"]["const"],
            "when is the deploy window?"
        );
        // A store request leaves the query free, and a question stores nothing.
        assert!(
            s[0].parameters["properties"]["observations"]["items"]
                .get("const")
                .is_none()
        );
        assert_eq!(
            statement("Note: the deploy window is Friday").unwrap(),
            "The deploy window is Friday"
        );
        assert_eq!(
            subject("The deploy window is Friday").unwrap(),
            "deploy window"
        );
        assert_eq!(subject("Backups run nightly"), None);
        assert_eq!(statement("Remember when the window is?"), None);
        assert_eq!(statement("Do you remember the window"), None);
        assert_eq!(
            question("What did I store about billing?").unwrap(),
            "What did I store about billing?"
        );
        assert_eq!(question("Summarise sales.csv"), None);
    }

    #[test]
    fn an_empty_workspace_leaves_only_inline_input() {
        let mut s = specs(&["csv_parser", "xlsx_reader"]);
        let g = ground(
            &mut s,
            &builtin(None),
            &files(&[]),
            &Peers::default(),
            "hello",
        );
        assert_eq!(
            g,
            Grounding {
                small_talk: true,
                ..Grounding::default()
            }
        );
        // xlsx_reader needs a file: nothing to read, not offered.
        assert_eq!(s.len(), 1);
        let p = &s[0].parameters;
        assert!(p["properties"].get("path").is_none());
        assert!(jsonschema::is_valid(p, &json!({"content": "a\n1"})));
        assert!(!jsonschema::is_valid(p, &json!({"path": "a.csv"})));
    }

    #[test]
    fn many_files_fall_back_to_an_extension_pattern() {
        let names: Vec<String> = (0..10_000).map(|i| format!("f{i:05}.csv")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut s = specs(&["csv_parser"]);
        ground(
            &mut s,
            &builtin(None),
            &files(&refs),
            &Peers::default(),
            "stats of my data",
        );
        let path = &s[0].parameters["properties"]["path"];
        assert!(path.get("enum").is_none());
        let p = &s[0].parameters;
        assert!(jsonschema::is_valid(p, &json!({"path": "f00001.CSV"})));
        assert!(!jsonschema::is_valid(p, &json!({"path": "f00001.txt"})));
        assert!(!jsonschema::is_valid(p, &json!({"path": "/etc/x.csv"})));
    }

    #[test]
    fn urls_are_limited_to_the_allowed_hosts() {
        let mut config = Map::new();
        config.insert(
            "allowed_domains".into(),
            json!(["api.example.com", "*.test.org"]),
        );
        let mut s = specs(&["http_client"]);
        ground(
            &mut s,
            &builtin(Some(config)),
            &files(&[]),
            &Peers::default(),
            "fetch",
        );
        let p = &s[0].parameters;
        for ok in [
            "https://api.example.com/v1?q=1",
            "http://x.test.org:8080",
            "https://test.org/",
        ] {
            assert!(jsonschema::is_valid(p, &json!({"url": ok})), "{ok}");
        }
        for bad in [
            "https://evil.com/api.example.com",
            "https://api.example.com.evil.com/",
            "ftp://api.example.com/",
        ] {
            assert!(!jsonschema::is_valid(p, &json!({"url": bad})), "{bad}");
        }
    }

    #[test]
    fn send_message_offers_only_other_agents_capabilities_requires_first() {
        let offered = vec![
            ("charts".to_string(), vec!["chart-maker".to_string()]),
            (
                "data-analysis".to_string(),
                vec!["data-analyzer".to_string()],
            ),
        ];
        let peers = Peers::new(offered, &["data-analysis".to_string()]);
        let mut s = specs(&["send_message"]);
        ground(&mut s, &builtin(None), &files(&[]), &peers, "report");
        assert_eq!(s.len(), 1);
        let p = &s[0].parameters;
        assert_eq!(
            p["properties"]["capability"]["enum"],
            json!(["data-analysis", "charts"])
        );
        assert!(s[0].description.contains("data-analysis (data-analyzer)"));
        assert!(jsonschema::is_valid(
            p,
            &json!({"capability": "charts", "content": "x"})
        ));
        assert!(!jsonschema::is_valid(
            p,
            &json!({"capability": "writing", "content": "x"})
        ));
        assert!(jsonschema::is_valid(
            p,
            &json!({"receiver": "data-analyzer", "content": "x"})
        ));
        assert!(!jsonschema::is_valid(
            p,
            &json!({"receiver": "me", "content": "x"})
        ));

        // Nobody else deployed: nobody to ask, so the tool is not offered.
        let mut s = specs(&["send_message"]);
        ground(
            &mut s,
            &builtin(None),
            &files(&[]),
            &Peers::default(),
            "report",
        );
        assert!(s.is_empty());
    }

    fn grounded(names: &[&str], files: &Files, request: &str) -> Vec<ToolSpec> {
        let mut s = specs(names);
        ground(&mut s, &builtin(None), files, &Peers::default(), request);
        s
    }

    #[test]
    fn the_first_call_is_required_only_for_named_files_and_skipped_for_missing_ones() {
        let all = specs(&["csv_parser", "chart_generator"]);
        let first = |request: &str| {
            let mut s = all.clone();
            let g = ground(
                &mut s,
                &builtin(None),
                &files(&["sales.csv"]),
                &Peers::default(),
                request,
            );
            let (tools, choice) = g.first_round(&s);
            (
                tools.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
                choice,
            )
        };
        assert_eq!(
            first("Summarise this CSV: sales.csv"),
            (vec!["csv_parser".to_string()], ToolChoice::Required)
        );
        // Nothing to read: no tool, so the answer says it is not there.
        assert_eq!(
            first("Summarise this CSV: data.csv"),
            (vec![], ToolChoice::Auto)
        );
        // Small talk: nothing for a tool to do.
        assert_eq!(first("Hello! Who are you?"), (vec![], ToolChoice::Auto));
        assert_eq!(
            first("Draw a bar chart of north and south"),
            (
                vec!["csv_parser".to_string(), "chart_generator".to_string()],
                ToolChoice::Auto
            )
        );
    }

    #[test]
    fn small_talk_is_greetings_thanks_and_questions_about_the_agent() {
        let tools = specs(&["csv_parser", "chart_generator", "send_message"]);
        let mut echo = specs(&["csv_parser"]);
        echo[0].name = "mcp__everything__echo".into();
        echo[0].description = "Echoes back the input".into();
        for talk in [
            "Hello! Who are you?",
            "hi",
            "Thanks, that is all for today.",
            "What kinds of data can you help with?",
            "what can you do",
            "Good morning. How are you?",
        ] {
            assert!(small_talk(talk, &tools), "{talk}");
        }
        for task in [
            "Echo the message: hello from caxton",
            "What is the total revenue?",
            "Summarise this CSV: sales.csv",
            "Hello, please draw a bar chart of the sales",
            "Hi! Parse this data for me",
            "What can you tell me about 42?",
            "Search your notes: when is the deploy window?",
            "",
        ] {
            assert!(!small_talk(task, &tools), "{task}");
        }
        assert!(!small_talk("Hello, echo this back", &echo));
        assert!(small_talk("Hello there", &echo));
    }

    /// A filter for a JSON file the request names is one of the paths in
    /// it, each of which json_processor runs without an error; without a
    /// named file it is a plain path.
    #[test]
    fn jq_filters_are_the_paths_of_the_named_json_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("users.json"),
            r#"[{"name": "Ada", "role": "admin"}, {"name": "Grace", "role": "dev", "a b": 1}]"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("status.json"), r#"{"status": "ok"}"#).unwrap();
        let files = Files::scan(dir.path());
        let s = grounded(
            &["json_processor"],
            &files,
            "List the records of users.json",
        );
        let p = &s[0].parameters;
        let filters = p["properties"]["filter"]["enum"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(
            filters,
            json!([".", ".[]", ".[].name", ".[].role", ".[][\"a b\"]"])
                .as_array()
                .unwrap()
                .clone()
        );
        let ctx = tools::ToolContext {
            workspace: dir.path().to_path_buf(),
            read_root: Some(dir.path().to_path_buf()),
            config: Map::new(),
            memory: None,
            messaging: None,
        };
        let tool = tools::find("json_processor").unwrap();
        for f in &filters {
            let args = json!({"path": "users.json", "filter": f});
            assert!(jsonschema::is_valid(p, &args), "{args}");
            tools::invoke(tool, &ctx, args).unwrap();
        }
        assert!(!jsonschema::is_valid(
            p,
            &json!({"path": "users.json", "filter": "json_pr"})
        ));
        // A field the request asks for narrows the choice to it; the file's
        // own name is not a mention.
        for (request, only) in [
            ("Which roles appear in users.json?", json!([".[].role"])),
            (
                "What is the status field in status.json?",
                json!([".status"]),
            ),
            (
                "Which version does status.json report?",
                json!([".", ".status"]),
            ),
        ] {
            let s = grounded(&["json_processor"], &files, request);
            assert_eq!(
                s[0].parameters["properties"]["filter"]["enum"], only,
                "{request}"
            );
        }

        // No file named: plain paths only.
        let s = grounded(&["json_processor"], &files, "What is in my data?");
        let p = &s[0].parameters;
        for ok in [".", ".status", ".users[].name", ".[0].a_b"] {
            assert!(
                jsonschema::is_valid(p, &json!({"path": "status.json", "filter": ok})),
                "{ok}"
            );
        }
        for bad in ["json_pr", "..a", ".a |", "status"] {
            assert!(
                !jsonschema::is_valid(p, &json!({"path": "status.json", "filter": bad})),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_sheet_of_a_named_workbook_is_one_of_its_sheets() {
        let dir = tempfile::tempdir().unwrap();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sales.xlsx");
        std::fs::copy(&fixture, dir.path().join("sales.xlsx")).unwrap();
        let files = Files::scan(dir.path());
        let s = grounded(&["xlsx_reader"], &files, "Summarise sales.xlsx");
        let p = &s[0].parameters;
        let sheets = tools::sheet_names(dir.path(), "sales.xlsx").unwrap();
        assert!(!sheets.is_empty());
        assert_eq!(p["properties"]["sheet"]["enum"], json!(sheets));
        assert!(jsonschema::is_valid(
            p,
            &json!({"path": "sales.xlsx", "sheet": sheets[0]})
        ));
        assert!(!jsonschema::is_valid(
            p,
            &json!({"path": "sales.xlsx", "sheet": "sales.xlsx"})
        ));
    }

    #[test]
    fn scanning_is_bounded_and_skips_hidden_entries() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "x").unwrap();
        std::fs::write(dir.path().join(".hidden.csv"), "x").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b.json"), "{}").unwrap();
        let f = Files::scan(dir.path());
        assert_eq!(f.paths, ["a.csv", "sub/b.json"]);
        assert!(f.complete);
    }
}
