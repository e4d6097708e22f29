//! `json_processor`: run a jq filter over JSON with the jaq implementation
//! (jaq-core, plus jaq-std's and jaq-json's standard library).
//!
//! The filter is chosen by a model that may have read a hostile page, so it
//! runs under limits (docs/security.md, "json_processor"): a step budget and a
//! deadline (`until(false; .)`), a budgeted `range` (`[range(1e10)]`), a
//! bound on evaluation stack depth on a thread with a large stack of its own
//! (`reduce range(1e6) as $i (null; [.])`), and caps on the number, size and
//! nesting of outputs. Over a limit the run stops with a tool error and the
//! process lives.

use std::cell::Cell;
use std::time::{Duration, Instant};

use jaq_core::compile::Undefined;
use jaq_core::data::{DataT, HasLut};
use jaq_core::load::{self, Arena, File, Loader};
use jaq_core::native::{Fun, v};
use jaq_core::{Compiler, Ctx, Exn, Native, ValX, Vars};
use jaq_json::{Num, Val};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};

use super::{
    GroundedArg, Tool, ToolContext, ToolError, exclusive, parse_args, resolve_read_path, schema_of,
};

const NAME: &str = "json_processor";
const MAX_OUTPUTS: usize = 10_000;
/// Native filters left out of the library: `env` would hand the server's
/// environment (API keys included) to whoever writes the filter; `range/3`
/// is replaced by [`budgeted_range`], which charges a step per value;
/// `debug_empty` and `stderr_empty` (behind `debug`, `debug(msg)`, `stderr`
/// and `halt_error`) would write filter-chosen text to Caxton's log and
/// stderr, and are replaced by [`silent`] no-ops.
const EXCLUDED_FUNS: [&str; 4] = ["env", "range", "debug_empty", "stderr_empty"];

/// Evaluation steps (terms entered, plus values `range` yields) one call may
/// take: tens of millions is seconds of work, far more than filtering a
/// document of tens of megabytes needs.
pub const MAX_STEPS: u64 = 20_000_000;
/// Wall-clock deadline for one call, checked every [`DEADLINE_EVERY`] steps.
pub const DEADLINE: Duration = Duration::from_secs(10);
const DEADLINE_EVERY: u64 = 4096;
/// The filter thread's stack. Most of it is reserved, not used: evaluation
/// stops at [`MAX_EVAL_STACK`], and the rest is for dropping the deeply
/// nested values a bounded run can still build (one level per step).
const THREAD_STACK: usize = 1 << 30;
/// How deep evaluation may recurse, in bytes of stack.
pub const MAX_EVAL_STACK: usize = 256 << 20;
/// Outputs nested deeper than this are refused: the JSON they become is
/// serialised and parsed recursively by the caller and by whoever reads it.
pub const MAX_OUTPUT_DEPTH: usize = 512;
/// Total size of the outputs (JSON text, approximately).
pub const MAX_OUTPUT_BYTES: usize = 16 << 20;
/// Heap the filter thread may hold (its input values included), checked at
/// every step: a filter that doubles a value (`. + .` in a loop) stops
/// within one doubling of it.
pub const MAX_MEMORY: usize = 512 << 20;

type Filter = jaq_core::Filter<Limited>;

/// Which limit stopped a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exceeded {
    Steps,
    Deadline,
    Depth,
    Memory,
}

impl Exceeded {
    fn message(self) -> String {
        match self {
            Exceeded::Steps => format!(
                "json_processor: the filter took more than {MAX_STEPS} evaluation steps; \
                 it runs forever or does too much work (simplify it or filter less data)"
            ),
            Exceeded::Deadline => format!(
                "json_processor: the filter ran longer than {}s; it stops there",
                DEADLINE.as_secs()
            ),
            Exceeded::Depth => format!(
                "json_processor: the filter recursed deeper than {} MiB of stack allows",
                MAX_EVAL_STACK >> 20
            ),
            Exceeded::Memory => format!(
                "json_processor: the filter needed more than {} MiB of memory; \
                 it builds values that grow without bound (filter less data, or stop the growth)",
                MAX_MEMORY >> 20
            ),
        }
    }
}

/// The limits of one run, shared by every context of it (one thread).
struct Budget {
    steps: Cell<u64>,
    deadline: Instant,
    /// Address of a local at the bottom of the filter thread's stack.
    stack_base: usize,
}

impl Budget {
    /// Charge one step. Over a limit, unwind out of jaq's evaluation with a
    /// payload (`resume_unwind` runs no panic hook: nothing is printed),
    /// caught by [`run_limited`]: jaq has no other way to stop a run from
    /// inside, and its iterators own only ordinary Rust values, so unwinding
    /// through them just drops them.
    #[inline]
    fn step(&self) {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        let exceeded = if n > MAX_STEPS {
            Some(Exceeded::Steps)
        } else if n.is_multiple_of(DEADLINE_EVERY) && Instant::now() > self.deadline {
            Some(Exceeded::Deadline)
        } else if self.stack_base.abs_diff(stack_address()) > MAX_EVAL_STACK {
            Some(Exceeded::Depth)
        } else if crate::heap::used() > MAX_MEMORY {
            Some(Exceeded::Memory)
        } else {
            None
        };
        if let Some(e) = exceeded {
            std::panic::resume_unwind(Box::new(e));
        }
    }
}

#[inline(always)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// jaq's data kind for a limited run: jaq-json values, and a lookup table
/// that charges the budget each time evaluation enters a term.
struct Limited;

#[derive(Clone)]
struct LimitedData<'a> {
    lut: &'a jaq_core::Lut<Limited>,
    budget: &'a Budget,
}

impl DataT for Limited {
    type V<'a> = Val;
    type Data<'a> = LimitedData<'a>;
}

impl<'a> HasLut<'a, Limited> for LimitedData<'a> {
    fn lut(&self) -> &'a jaq_core::Lut<Limited> {
        self.budget.step();
        self.lut
    }
}

/// `range($from; $to; $by)` as jaq-core has it, charging a step per value:
/// the built-in is a native iterator that evaluation never re-enters, so
/// `[range(1e10)]` would otherwise fill memory without taking a step.
fn budgeted_range() -> Fun<Limited> {
    (
        "range",
        v(3),
        Native::new(|mut cv| {
            use std::cmp::Ordering::{Equal, Greater, Less};
            let budget = cv.0.data().budget;
            let by = cv.0.pop_var();
            let to = cv.0.pop_var();
            let mut from: ValX<Val> = Ok(cv.0.pop_var());
            let cmp = by.partial_cmp(&Val::from(0isize)).unwrap_or(Equal);
            Box::new(std::iter::from_fn(move || {
                budget.step();
                match from.clone() {
                    Ok(x) => match cmp {
                        Greater => x < to,
                        Less => x > to,
                        Equal => x != to,
                    }
                    .then(|| std::mem::replace(&mut from, (x + by.clone()).map_err(Exn::from))),
                    e @ Err(_) => {
                        from = Ok(to.clone());
                        Some(e)
                    }
                }
            }))
        }),
    )
}

/// A no-op with the name and arity of a jaq-std logging native: the filter
/// runs the same, and what it would have logged goes nowhere.
fn silent(name: &'static str) -> Fun<Limited> {
    (name, v(0), Native::new(|_| Box::new(std::iter::empty())))
}

pub struct JsonProcessor;

/// Keeps an explicit `"input": null` apart from an absent `input`: null is a
/// perfectly good jq input.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Args {
    /// The JSON value to filter (any JSON). Give exactly one of `input` and `path`.
    #[serde(default, deserialize_with = "present")]
    input: Option<Value>,
    /// Path of a JSON file to filter (relative paths are relative to the
    /// agent's readable directory). A file holding several JSON values, such
    /// as JSON Lines, runs the filter on each in turn.
    path: Option<String>,
    /// jq filter, e.g. `.items | map(.price) | add` or `.[] | select(.age > 30)`.
    filter: String,
}

/// jq words that cannot follow a `.` as a plain key.
const JQ_KEYWORDS: &[&str] = &[
    "and", "or", "not", "if", "then", "elif", "else", "end", "as", "def", "reduce", "foreach",
    "try", "catch", "label", "import", "include", "__loc__",
];

/// The filters that select each part of `value`, shallow first: `.`,
/// `.status`, `.users`, `.users[]`, `.users[].name`, ... (array elements
/// merged, keys that are not plain names quoted: `.["a b"]`). At most `max`
/// paths, `depth` levels. Every one compiles, and runs on `value` without
/// an error. Grounding offers them as the `filter` of a file the request
/// names, so a constrained model picks a filter instead of writing one.
pub fn paths_of(value: &Value, max: usize, depth: usize) -> Vec<String> {
    let mut out = vec![".".to_string()];
    let mut level: Vec<(String, Vec<&Value>)> = vec![(String::new(), vec![value])];
    for _ in 0..depth {
        let mut next = Vec::new();
        for (path, values) in level {
            let arrays: Vec<&Value> = values
                .iter()
                .filter_map(|v| v.as_array())
                .flat_map(|a| a.iter().take(50))
                .collect();
            if !arrays.is_empty() && values.iter().all(|v| v.is_array()) {
                next.push((format!("{path}[]"), arrays));
            }
            if values.iter().all(|v| v.is_object()) {
                let mut keys: Vec<&String> = Vec::new();
                for v in &values {
                    for k in v.as_object().into_iter().flat_map(|o| o.keys()) {
                        if !keys.contains(&k) {
                            keys.push(k);
                        }
                    }
                }
                for k in keys {
                    let plain = k
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && !JQ_KEYWORDS.contains(&k.as_str());
                    let step = if plain {
                        format!(".{k}")
                    } else {
                        format!("[{}]", Value::String(k.clone()))
                    };
                    let children: Vec<&Value> =
                        values.iter().filter_map(|v| v.get(k.as_str())).collect();
                    next.push((format!("{path}{step}"), children));
                }
            }
        }
        for (path, _) in &next {
            if out.len() >= max {
                return out;
            }
            out.push(if path.starts_with('[') {
                format!(".{path}")
            } else {
                path.clone()
            });
        }
        level = next;
    }
    out
}

/// 1-based line and column of byte `offset` in `code`.
fn line_col(code: &str, offset: usize) -> (usize, usize) {
    let before = &code[..offset.min(code.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    (line, column)
}

fn position(code: &str, part: &str) -> String {
    let (line, column) = line_col(code, load::span(code, part).start);
    format!("line {line}, column {column}")
}

fn found(part: &str) -> String {
    match part.chars().next() {
        None => "the end of the filter".to_string(),
        Some(_) => {
            let token: String = part.chars().take(20).collect();
            format!("`{token}`")
        }
    }
}

fn syntax_errors(errors: load::Errors<&str, ()>) -> ToolError {
    let mut messages = Vec::new();
    for (file, error) in errors {
        let code = file.code;
        match error {
            load::Error::Io(problems) => {
                messages.extend(
                    problems
                        .into_iter()
                        .map(|(path, e)| format!("cannot load {path}: {e}")),
                );
            }
            load::Error::Lex(problems) => {
                for (expected, rest) in problems {
                    let mut message = format!(
                        "syntax error at {}: expected {}",
                        position(code, rest),
                        expected.as_str()
                    );
                    if let load::lex::Expect::Delim(open) = expected {
                        message.push_str(&format!(
                            " for `{open:.1}` opened at {}",
                            position(code, open)
                        ));
                    }
                    messages.push(message);
                }
            }
            load::Error::Parse(problems) => {
                messages.extend(problems.into_iter().map(|(expected, part)| {
                    format!(
                        "syntax error at {}: expected {}, found {}",
                        position(code, part),
                        expected.as_str(),
                        found(part)
                    )
                }));
            }
        }
    }
    ToolError::invalid_args(NAME, format!("filter: {}", messages.join("; ")))
}

fn compile_errors(errors: jaq_core::compile::Errors<&str, ()>) -> ToolError {
    let messages: Vec<String> = errors
        .into_iter()
        .flat_map(|(file, problems)| {
            problems.into_iter().map(move |(name, undefined)| {
                let what = match undefined {
                    Undefined::Filter(arity) => format!("filter `{name}/{arity}`"),
                    other => format!("{} `{name}`", other.as_str()),
                };
                format!("undefined {what} at {}", position(file.code, name))
            })
        })
        .collect();
    ToolError::invalid_args(NAME, format!("filter: {}", messages.join("; ")))
}

fn compile(code: &str) -> Result<Filter, ToolError> {
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs())
        .filter(|(name, ..)| !EXCLUDED_FUNS.contains(name))
        .chain([
            budgeted_range(),
            silent("debug_empty"),
            silent("stderr_empty"),
        ]);
    let arena = Arena::default();
    let modules = Loader::new(defs)
        .load(&arena, File { code, path: () })
        .map_err(syntax_errors)?;
    Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(compile_errors)
}

fn number(n: &Num) -> Value {
    match n {
        Num::Int(i) => Value::from(*i as i64),
        // jq prints NaN as null; JSON has no infinities either.
        Num::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        big_or_decimal => {
            let text = big_or_decimal.to_string();
            serde_json::from_str::<Value>(&text)
                .ok()
                .filter(Value::is_number)
                .or_else(|| text.parse::<f64>().ok().map(Value::from))
                .unwrap_or(Value::Null)
        }
    }
}

/// A jaq value as JSON. Byte strings and non-string object keys, which JSON
/// lacks, become text. `None` when the value nests deeper than
/// [`MAX_OUTPUT_DEPTH`] or `size`, which grows by the approximate JSON
/// length, passes [`MAX_OUTPUT_BYTES`]: a value sharing its parts (`[., .]`
/// repeated) is small in memory and huge as JSON, so the conversion stops
/// there rather than after. Unwinds like a step past [`MAX_MEMORY`].
fn to_json(value: &Val, depth: usize, size: &mut usize) -> Option<Value> {
    if depth > MAX_OUTPUT_DEPTH || *size > MAX_OUTPUT_BYTES {
        return None;
    }
    if crate::heap::used() > MAX_MEMORY {
        std::panic::resume_unwind(Box::new(Exceeded::Memory));
    }
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    *size += 8;
    Some(match value {
        Val::Null => Value::Null,
        Val::Bool(b) => Value::Bool(*b),
        Val::Num(n) => number(n),
        Val::BStr(bytes) | Val::TStr(bytes) => {
            *size += bytes.len();
            Value::String(text(bytes))
        }
        Val::Arr(items) => Value::Array(
            items
                .iter()
                .map(|v| to_json(v, depth + 1, size))
                .collect::<Option<_>>()?,
        ),
        Val::Obj(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        Val::TStr(bytes) | Val::BStr(bytes) => text(bytes),
                        other => other.to_string(),
                    };
                    *size += key.len();
                    Some((key, to_json(v, depth + 1, size)?))
                })
                .collect::<Option<_>>()?,
        ),
    })
}

/// The message of a jq runtime error: `error("text")` reads as text, any
/// other error value as JSON.
fn error_message(error: jaq_core::Error<Val>) -> String {
    match error.into_val() {
        Val::TStr(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        other => other.to_string(),
    }
}

struct Outputs {
    results: Vec<Value>,
    truncated: bool,
    halted: Option<i32>,
}

/// Where the filter's input comes from.
enum Input {
    Inline(Value),
    /// A file holding one or more JSON values.
    File(String),
}

impl Input {
    fn into_vals(self, ctx: &ToolContext) -> Result<Vec<Val>, ToolError> {
        match self {
            Input::Inline(input) => {
                Ok(vec![Val::deserialize(input).map_err(|e| {
                    ToolError::invalid_args(NAME, format!("input: {e}"))
                })?])
            }
            Input::File(path) => serde_json::Deserializer::from_slice(&read_file(ctx, &path)?)
                .into_iter::<Val>()
                .collect::<Result<_, _>>()
                .map_err(|e| {
                    ToolError::failed(format!("json_processor: {path} is not valid JSON: {e}"))
                }),
        }
    }
}

/// Compile and run the filter on its own thread under the limits of this
/// module (jaq's values are not `Send`: everything jaq touches lives there).
fn run_filter(ctx: &ToolContext, code: &str, input: Input) -> Result<Outputs, ToolError> {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("json_processor".into())
            .stack_size(THREAD_STACK)
            .spawn_scoped(scope, || {
                crate::heap::count(|| {
                    let budget = Budget {
                        steps: Cell::new(0),
                        deadline: Instant::now() + DEADLINE,
                        stack_base: stack_address(),
                    };
                    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        // Compile first: a typo in the filter is reported without
                        // reading a file.
                        let filter = compile(code)?;
                        run_unlimited(&filter, input.into_vals(ctx)?, &budget)
                    }));
                    match outcome {
                        Ok(result) => result,
                        Err(payload) => match payload.downcast::<Exceeded>() {
                            Ok(e) => Err(ToolError::failed(e.message())),
                            // A real bug in jaq: not ours to hide.
                            Err(payload) => std::panic::resume_unwind(payload),
                        },
                    }
                })
            })
            .map_err(|e| {
                ToolError::failed(format!(
                    "json_processor: cannot start the filter thread: {e}"
                ))
            })?;
        worker
            .join()
            .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
    })
}

fn run_unlimited(filter: &Filter, inputs: Vec<Val>, budget: &Budget) -> Result<Outputs, ToolError> {
    let mut outputs = Outputs {
        results: Vec::new(),
        truncated: false,
        halted: None,
    };
    let mut size = 0usize;
    for input in inputs {
        let data = LimitedData {
            lut: &filter.lut,
            budget,
        };
        let ctx = Ctx::<Limited>::new(data, Vars::new([]));
        for output in filter.id.run((ctx, input)) {
            if outputs.results.len() == MAX_OUTPUTS || size > MAX_OUTPUT_BYTES {
                outputs.truncated = true;
                return Ok(outputs);
            }
            // `jaq_core::unwrap_valr` would turn `halt` into process::exit.
            match output {
                Ok(value) => match to_json(&value, 0, &mut size) {
                    Some(json) => outputs.results.push(json),
                    None if size > MAX_OUTPUT_BYTES => {
                        outputs.truncated = true;
                        return Ok(outputs);
                    }
                    None => {
                        return Err(ToolError::failed(format!(
                            "json_processor: an output nests deeper than {MAX_OUTPUT_DEPTH} levels"
                        )));
                    }
                },
                Err(exception) => match exception.get_err() {
                    Ok(error) => {
                        return Err(ToolError::failed(format!(
                            "json_processor: filter failed: {}",
                            error_message(error)
                        )));
                    }
                    Err(exception) => match exception.get_halt() {
                        Ok(code) => {
                            outputs.halted = Some(code);
                            return Ok(outputs);
                        }
                        Err(_) => {
                            return Err(ToolError::failed(
                                "json_processor: internal jaq control flow escaped the filter",
                            ));
                        }
                    },
                },
            }
        }
    }
    Ok(outputs)
}

fn read_file(ctx: &ToolContext, path: &str) -> Result<Vec<u8>, ToolError> {
    let resolved = resolve_read_path(ctx, path)?;
    std::fs::read(&resolved).map_err(|e| {
        ToolError::failed(format!(
            "json_processor: cannot read {}: {e}",
            resolved.display()
        ))
    })
}

impl Tool for JsonProcessor {
    fn name(&self) -> &'static str {
        NAME
    }

    fn description(&self) -> &'static str {
        "Transform or query JSON with a jq filter (jq syntax and standard library: select, \
         map, group_by, to_entries, test, ...). Takes the JSON inline or from a file and \
         returns every value the filter outputs."
    }

    fn parameters(&self) -> Value {
        exclusive(schema_of::<Args>(), &["input", "path"], true)
    }

    fn grounded_args(&self) -> &'static [GroundedArg] {
        &[
            GroundedArg::File {
                name: "path",
                extensions: &["json", "jsonl", "ndjson", "geojson"],
            },
            GroundedArg::JqPath {
                name: "filter",
                file: "path",
            },
        ]
    }

    /// A worker process: jaq allocates some results in one piece (`"abc" * 10^12`),
    /// and a failed allocation aborts the process (`tools::isolate`).
    fn isolated(&self) -> bool {
        true
    }

    fn run(&self, ctx: &ToolContext, args: Value) -> Result<Value, ToolError> {
        let args: Args = parse_args(NAME, args)?;
        let input = match (args.input, args.path) {
            (Some(input), None) => Input::Inline(input),
            (None, Some(path)) => Input::File(path),
            _ => {
                return Err(ToolError::invalid_args(
                    NAME,
                    "give exactly one of `input` and `path`",
                ));
            }
        };
        let outputs = run_filter(ctx, &args.filter, input)?;
        let mut result = Map::new();
        result.insert("results".into(), Value::Array(outputs.results));
        result.insert("truncated".into(), json!(outputs.truncated));
        if let Some(code) = outputs.halted {
            result.insert("halted".into(), json!({"exit_code": code}));
        }
        Ok(Value::Object(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: Value) -> Result<Value, ToolError> {
        let ctx = ToolContext {
            workspace: std::env::temp_dir(),
            read_root: None,
            config: Map::new(),
            memory: None,
            messaging: None,
        };
        super::super::invoke(&JsonProcessor, &ctx, args)
    }

    fn results(input: Value, filter: &str) -> Vec<Value> {
        let out = run(json!({"input": input, "filter": filter})).unwrap();
        out["results"].as_array().unwrap().clone()
    }

    #[test]
    fn sums_prices() {
        let input = json!({"items": [{"price": 1.5}, {"price": 2}, {"price": 3}]});
        assert_eq!(
            results(input, ".items | map(.price) | add"),
            vec![json!(6.5)]
        );
    }

    #[test]
    fn selects_and_keeps_key_order() {
        let input = json!([{"name": "a", "age": 31, "z": 1}, {"name": "b", "age": 20, "z": 2}]);
        let out = results(input, ".[] | select(.age > 30)");
        assert_eq!(out, vec![json!({"name": "a", "age": 31, "z": 1})]);
        assert_eq!(
            serde_json::to_string(&out[0]).unwrap(),
            r#"{"name":"a","age":31,"z":1}"#
        );
    }

    #[test]
    fn standard_library_is_available() {
        let input = json!([{"k": "x", "v": 1}, {"k": "y", "v": 2}, {"k": "x", "v": 3}]);
        assert_eq!(
            results(
                input.clone(),
                "group_by(.k) | map({key: .[0].k, value: (map(.v) | add)}) | from_entries"
            ),
            vec![json!({"x": 4, "y": 2})]
        );
        assert_eq!(
            results(json!("a-b-c"), r#"split("-") | join("+") | test("b\\+c")"#),
            vec![json!(true)]
        );
        assert_eq!(
            results(json!(null), "[limit(3; range(10))]"),
            vec![json!([0, 1, 2])]
        );
        assert_eq!(results(json!(null), "."), vec![Value::Null]);
        assert_eq!(
            results(json!({"b": 1, "a": 2}), "keys_unsorted, keys"),
            vec![json!(["b", "a"]), json!(["a", "b"])]
        );
        assert_eq!(results(json!(null), "nan"), vec![Value::Null]);
    }

    #[test]
    fn syntax_error_is_invalid_args_with_position() {
        match run(json!({"input": {}, "filter": ".items | map(.price"})) {
            Err(ToolError::InvalidArgs { message, .. }) => {
                assert!(message.contains("line 1, column"), "{message}");
                assert!(message.contains("closing parenthesis"), "{message}");
            }
            other => panic!("expected InvalidArgs, got {other:?}"),
        }
        match run(json!({"input": {}, "filter": ".a |"})) {
            Err(ToolError::InvalidArgs { message, .. }) => {
                assert!(
                    message.contains("syntax error at line 1, column 5"),
                    "{message}"
                );
                assert!(message.contains("the end of the filter"), "{message}");
            }
            other => panic!("expected InvalidArgs, got {other:?}"),
        }
        match run(json!({"input": {}, "filter": ".\n| nosuchfn(1)"})) {
            Err(ToolError::InvalidArgs { message, .. }) => {
                assert_eq!(
                    message
                        .matches("undefined filter `nosuchfn/1` at line 2, column 3")
                        .count(),
                    1,
                    "{message}"
                );
            }
            other => panic!("expected InvalidArgs, got {other:?}"),
        }
    }

    #[test]
    fn runtime_error_is_failed() {
        match run(json!({"input": {"a": "x"}, "filter": ".a + 1"})) {
            Err(ToolError::Failed { message }) => {
                assert!(
                    message.starts_with("json_processor: filter failed: cannot"),
                    "{message}"
                )
            }
            other => panic!("expected Failed, got {other:?}"),
        }
        match run(json!({"input": 1, "filter": r#"error("boom")"#})) {
            Err(ToolError::Failed { message }) => {
                assert_eq!(message, "json_processor: filter failed: boom")
            }
            other => panic!("expected Failed, got {other:?}"),
        }
    }

    #[test]
    fn outputs_are_capped_and_halt_stops() {
        let out = run(json!({"input": null, "filter": "repeat(1)"})).unwrap();
        assert_eq!(out["results"].as_array().unwrap().len(), MAX_OUTPUTS);
        assert_eq!(out["truncated"], true);
        let out = run(json!({"input": null, "filter": "1, halt, 2"})).unwrap();
        assert_eq!(out["results"], json!([1]));
        assert_eq!(out["halted"], json!({"exit_code": 0}));
    }

    fn failure(filter: &str) -> String {
        match run(json!({"input": null, "filter": filter})) {
            Err(ToolError::Failed { message }) => message,
            other => panic!("{filter}: expected a tool failure, got {other:?}"),
        }
    }

    #[test]
    fn hostile_filters_stop_at_a_limit() {
        // Each of these overflowed the stack, ran forever or filled memory.
        let deep = failure("reduce range(1000000) as $i (null; [.])");
        assert!(deep.contains("nests deeper than"), "{deep}");
        let forever = failure("until(false; .)");
        assert!(
            // On a loaded machine the wall-clock deadline may come first.
            forever.contains("evaluation steps")
                || forever.contains("recursed deeper")
                || forever.contains("ran longer than"),
            "{forever}"
        );
        let huge = failure("[range(1e10)]");
        assert!(
            // Whichever comes first: the step budget or the heap cap.
            huge.contains("evaluation steps") || huge.contains("of memory"),
            "{huge}"
        );
        let recursion = failure("def f: [f]; f");
        assert!(recursion.contains("recursed deeper"), "{recursion}");
        // The ordinary range still works, with all three arities.
        assert_eq!(
            results(json!(null), "[range(3)], [range(1; 3)], [range(4; 0; -2)]"),
            vec![json!([0, 1, 2]), json!([1, 2]), json!([4, 2])]
        );
    }

    #[test]
    fn doubling_values_stop_at_the_memory_limit() {
        for filter in [
            "[range(1000)] | until(length > 1e9; . + .) | length",
            "\"x\" | until(length > 1e12; . + .) | length",
            "\"ab\" | until(length > 1e12; \"\\(.)\\(.)\") | length",
        ] {
            let message = failure(filter);
            assert!(message.contains("MiB of memory"), "{filter}: {message}");
        }
        // Shared parts: tiny in memory, 2^60 values as JSON. Cut, not built.
        let out = run(json!({"input": null, "filter": "reduce range(60) as $i (\"x\"; [., .])"}))
            .unwrap();
        assert_eq!(out["truncated"], json!(true));
        // An ordinary filter after a stopped one is unaffected.
        assert_eq!(results(json!([1, 2]), ". + ."), vec![json!([1, 2, 1, 2])]);
    }

    /// Catches what anything logs through the `log` facade (jaq-std's
    /// `debug` and `stderr` did, to whatever logger the process has).
    struct Catch(std::sync::Mutex<Vec<String>>);

    impl log::Log for Catch {
        fn enabled(&self, _: &log::Metadata) -> bool {
            true
        }
        fn log(&self, record: &log::Record) {
            if let Ok(mut seen) = self.0.lock() {
                seen.push(record.args().to_string());
            }
        }
        fn flush(&self) {}
    }

    static CAUGHT: Catch = Catch(std::sync::Mutex::new(Vec::new()));

    #[test]
    fn debug_and_stderr_are_silent_no_ops() {
        let _ = log::set_logger(&CAUGHT);
        log::set_max_level(log::LevelFilter::Trace);
        assert_eq!(
            results(json!("LEAK_1"), "debug | stderr | debug(\"LEAK_2\") | ."),
            vec![json!("LEAK_1")]
        );
        let seen = CAUGHT.0.lock().unwrap().clone();
        assert!(!seen.iter().any(|m| m.contains("LEAK")), "{seen:?}");
    }

    #[test]
    fn env_is_not_exposed() {
        assert!(matches!(
            run(json!({"input": null, "filter": "env"})),
            Err(ToolError::InvalidArgs { .. })
        ));
    }

    #[test]
    fn reads_json_lines_from_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        std::fs::write(&path, "{\"n\":1}\n{\"n\":2}\n").unwrap();
        let out = run(json!({"path": path, "filter": ".n * 10"})).unwrap();
        assert_eq!(out["results"], json!([10, 20]));
        std::fs::write(&path, "{\"n\":1}\n{oops}\n").unwrap();
        match run(json!({"path": path, "filter": "."})) {
            Err(ToolError::Failed { message }) => assert!(message.contains("line 2"), "{message}"),
            other => panic!("expected Failed, got {other:?}"),
        }
        assert!(matches!(
            run(json!({"input": 1, "path": path, "filter": "."})),
            Err(ToolError::InvalidArgs { .. })
        ));
    }
}
