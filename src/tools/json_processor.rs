//! `json_processor`: run a jq filter over JSON with the jaq implementation
//! (jaq-core, plus jaq-std's and jaq-json's standard library).

use jaq_core::compile::Undefined;
use jaq_core::data::JustLut;
use jaq_core::load::{self, Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars};
use jaq_json::{Num, Val};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};

use super::{Tool, ToolContext, ToolError, parse_args, resolve_read_path, schema_of};

const NAME: &str = "json_processor";
const MAX_OUTPUTS: usize = 10_000;
/// Native filters left out of the library: `env` would hand the server's
/// environment (API keys included) to whoever writes the filter.
const EXCLUDED_FUNS: [&str; 1] = ["env"];

type Filter = jaq_core::Filter<JustLut<Val>>;

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
        .filter(|(name, ..)| !EXCLUDED_FUNS.contains(name));
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
/// lacks, become text.
fn to_json(value: &Val) -> Value {
    match value {
        Val::Null => Value::Null,
        Val::Bool(b) => Value::Bool(*b),
        Val::Num(n) => number(n),
        Val::BStr(bytes) | Val::TStr(bytes) => {
            Value::String(String::from_utf8_lossy(bytes).into_owned())
        }
        Val::Arr(items) => Value::Array(items.iter().map(to_json).collect()),
        Val::Obj(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        Val::TStr(bytes) | Val::BStr(bytes) => {
                            String::from_utf8_lossy(bytes).into_owned()
                        }
                        other => other.to_string(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
    }
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

fn run_filter(
    filter: &Filter,
    inputs: impl IntoIterator<Item = Val>,
) -> Result<Outputs, ToolError> {
    let mut outputs = Outputs {
        results: Vec::new(),
        truncated: false,
        halted: None,
    };
    for input in inputs {
        let ctx = Ctx::<JustLut<Val>>::new(&filter.lut, Vars::new([]));
        for output in filter.id.run((ctx, input)) {
            if outputs.results.len() == MAX_OUTPUTS {
                outputs.truncated = true;
                return Ok(outputs);
            }
            // `jaq_core::unwrap_valr` would turn `halt` into process::exit.
            match output {
                Ok(value) => outputs.results.push(to_json(&value)),
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

fn read_inputs(ctx: &ToolContext, path: &str) -> Result<Vec<Val>, ToolError> {
    let resolved = resolve_read_path(ctx, path)?;
    let bytes = std::fs::read(&resolved).map_err(|e| {
        ToolError::failed(format!(
            "json_processor: cannot read {}: {e}",
            resolved.display()
        ))
    })?;
    serde_json::Deserializer::from_slice(&bytes)
        .into_iter::<Val>()
        .collect::<Result<_, _>>()
        .map_err(|e| ToolError::failed(format!("json_processor: {path} is not valid JSON: {e}")))
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
        schema_of::<Args>()
    }

    fn run(&self, ctx: &ToolContext, args: Value) -> Result<Value, ToolError> {
        let args: Args = parse_args(NAME, args)?;
        // Compile first: a typo in the filter is reported without reading a file.
        let filter = compile(&args.filter)?;
        let inputs = match (args.input, &args.path) {
            (Some(input), None) => vec![
                Val::deserialize(input)
                    .map_err(|e| ToolError::invalid_args(NAME, format!("input: {e}")))?,
            ],
            (None, Some(path)) => read_inputs(ctx, path)?,
            _ => {
                return Err(ToolError::invalid_args(
                    NAME,
                    "give exactly one of `input` and `path`",
                ));
            }
        };
        let outputs = run_filter(&filter, inputs)?;
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
            agent: None,
            workspace: std::env::temp_dir(),
            read_root: None,
            config: Map::new(),
            memory: None,
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
