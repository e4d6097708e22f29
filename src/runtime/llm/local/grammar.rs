//! Constrained decoding for tool calls. Left free, the 135M model almost
//! never writes a parsable call (0/6 zero-shot in the research notes); with
//! a token mask compiled from the tools' JSON Schemas by `llguidance` every
//! output parses (6/6), at ~0.07 ms per token.

use std::sync::Arc;

use llguidance::api::TopLevelGrammar;
use llguidance::toktrie::{SimpleVob, TokEnv, TokRxInfo, TokTrie, TokenId, TokenizerEnv};
use llguidance::{Matcher, ParserFactory};
use serde_json::{Map, Value, json};
use tokenizers::Tokenizer;

use crate::runtime::llm::ToolSpec;

/// Longest string the model may put in an argument without its own
/// `maxLength`: a stuck 135M model repeats itself ("A.B.C.D.E…") until cut.
const MAX_STRING: u64 = 200;
/// Longest array without its own `maxItems`, for the same reason.
const MAX_ITEMS: u64 = 16;
/// Largest magnitude of a number without its own bounds (llguidance's
/// bounds must fit an i64): at most 16 digits before the point.
const MAX_MAGNITUDE: f64 = 1e15;
/// Finest step of a number without its own `multipleOf`: at most 4 digits
/// after the point. A chart call looped on `10.000000000000001111…` to the
/// reply's token cap; with a step the grammar ends the number.
const NUMBER_STEP: f64 = 1e-4;

/// The model's tokenizer as llguidance sees it: a byte trie over the
/// vocabulary, plus the real BPE for the text it must force (canonical
/// tokenization keeps forced tokens the ones the model was trained on).
struct GgufTokEnv {
    trie: TokTrie,
    tokenizer: Tokenizer,
}

impl TokenizerEnv for GgufTokEnv {
    fn tok_trie(&self) -> &TokTrie {
        &self.trie
    }

    fn tokenize_bytes(&self, s: &[u8]) -> Vec<TokenId> {
        match self
            .tokenizer
            .encode(String::from_utf8_lossy(s).as_ref(), false)
        {
            Ok(e) => e.get_ids().to_vec(),
            // The BPE covers every byte, so this does not happen; the trie's
            // greedy split is still a valid spelling if it did.
            Err(_) => self.trie.greedy_tokenize(s),
        }
    }
}

/// Compiles grammars for one tokenizer. Building it walks the 49k-token
/// vocabulary (~0.15 s), so it is made once per loaded model, on the first
/// request with tools.
pub struct Grammars {
    factory: ParserFactory,
}

impl Grammars {
    pub fn new(token_bytes: &[Vec<u8>], eos: u32, tokenizer: &Tokenizer) -> Result<Self, String> {
        let info = TokRxInfo::new(token_bytes.len() as u32, eos);
        let env: TokEnv = Arc::new(GgufTokEnv {
            trie: TokTrie::from(&info, token_bytes),
            tokenizer: tokenizer.clone(),
        });
        Self::with_env(&env)
    }

    fn with_env(env: &TokEnv) -> Result<Self, String> {
        let mut factory = ParserFactory::new_simple(env).map_err(|e| e.to_string())?;
        // The core never prints: llguidance would log warnings to stderr.
        factory.quiet();
        Ok(Grammars { factory })
    }

    /// A matcher that accepts exactly one tool call object of [`call_schema`].
    pub fn tool_call(&self, tools: &[ToolSpec]) -> Result<Constraint, String> {
        let grammar = TopLevelGrammar::from_json_schema(call_schema(tools));
        let matcher = Matcher::new(self.factory.create_parser(grammar));
        if let Some(e) = matcher.get_error() {
            return Err(e);
        }
        Ok(Constraint { matcher })
    }
}

/// One in-progress constrained generation.
pub struct Constraint {
    matcher: Matcher,
}

impl Constraint {
    /// Tokens allowed next (only EOS once the object is complete).
    pub fn allowed(&mut self) -> Result<SimpleVob, String> {
        self.matcher
            .compute_mask_or_eos()
            .map_err(|e| e.to_string())
    }

    pub fn consume(&mut self, token: u32) -> Result<(), String> {
        self.matcher.consume_token(token).map_err(|e| e.to_string())
    }

    /// The tokens the grammar allows no choice about from here (the JSON
    /// around a call's choices: `{"tool": "`, the only tool's name, a fixed
    /// argument name), at most `max`, consumed. The model gets them in one
    /// forward pass instead of one pass each.
    pub fn forced(&mut self, max: usize) -> Result<Vec<u32>, String> {
        let mut tokens = self.matcher.compute_ff_tokens();
        tokens.truncate(max);
        if !tokens.is_empty() {
            self.matcher
                .consume_tokens(&tokens)
                .map_err(|e| e.to_string())?;
        }
        Ok(tokens)
    }

    /// The object is complete: nothing but EOS can follow.
    pub fn is_done(&self) -> bool {
        self.matcher.is_stopped()
    }
}

/// The schema of one tool call: `anyOf` over the tools, each
/// `{"tool": <const name>, "arguments": <its parameters>}`, with "tool"
/// first so the model picks the tool before writing arguments. Separators
/// are fixed (`", "`, `": "`) so the model cannot burn tokens on whitespace.
/// `lenient` lets llguidance skip keywords it cannot enforce; the result is
/// validated against the original schema afterwards anyway.
pub fn call_schema(tools: &[ToolSpec]) -> Value {
    let mut defs = Map::new();
    let variants: Vec<Value> = tools
        .iter()
        .enumerate()
        .map(|(i, tool)| {
            let mut params = tool.parameters.clone();
            hoist_defs(&mut params, &format!("t{i}_"), &mut defs);
            tighten(&mut params);
            json!({
                "type": "object",
                "properties": {"tool": {"const": tool.name}, "arguments": params},
                "required": ["tool", "arguments"],
                "additionalProperties": false,
            })
        })
        .collect();
    let mut schema = json!({
        "x-guidance": {
            "whitespace_flexible": false,
            "item_separator": ", ",
            "key_separator": ": ",
            "lenient": true,
        },
        "anyOf": variants,
    });
    if !defs.is_empty() {
        schema["$defs"] = Value::Object(defs);
    }
    schema
}

/// Tool schemas are documents of their own (schemars puts nested types in
/// `$defs` and refers to them as `#/$defs/X`). Nested in the call schema,
/// those references would point at its root, so each tool's definitions move
/// to the root `$defs` under a per-tool prefix and its references follow.
fn hoist_defs(params: &mut Value, prefix: &str, defs: &mut Map<String, Value>) {
    let Some(obj) = params.as_object_mut() else {
        return;
    };
    obj.remove("$schema");
    let own: Vec<(String, Value)> = ["$defs", "definitions"]
        .iter()
        .filter_map(|k| obj.remove(*k))
        .filter_map(|v| match v {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .flatten()
        .collect();
    let root = params.clone();
    let mut refers_to_root = false;
    rewrite_refs(params, prefix, &mut refers_to_root);
    for (name, mut def) in own {
        rewrite_refs(&mut def, prefix, &mut refers_to_root);
        tighten(&mut def);
        defs.insert(format!("{prefix}{name}"), def);
    }
    if refers_to_root {
        let mut root = root;
        rewrite_refs(&mut root, prefix, &mut refers_to_root);
        tighten(&mut root);
        defs.insert(format!("{prefix}root"), root);
    }
}

fn rewrite_refs(v: &mut Value, prefix: &str, refers_to_root: &mut bool) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => {
                        let name = r
                            .strip_prefix("#/$defs/")
                            .or_else(|| r.strip_prefix("#/definitions/"));
                        if let Some(name) = name {
                            *r = format!("#/$defs/{prefix}{name}");
                        } else if r == "#" {
                            *refers_to_root = true;
                            *r = format!("#/$defs/{prefix}root");
                        }
                    }
                    (_, x) => rewrite_refs(x, prefix, refers_to_root),
                }
            }
        }
        Value::Array(a) => a
            .iter_mut()
            .for_each(|x| rewrite_refs(x, prefix, refers_to_root)),
        _ => {}
    }
}

/// Narrow a schema so a looping model ends its output: cap free strings and
/// arrays, close objects that list their properties. Anything this accepts
/// the original schema accepts too.
fn tighten(v: &mut Value) {
    let Some(m) = v.as_object_mut() else {
        if let Value::Array(a) = v {
            a.iter_mut().for_each(tighten);
        }
        return;
    };
    let has_type = |m: &Map<String, Value>, t: &str| match m.get("type") {
        Some(Value::String(s)) => s == t,
        Some(Value::Array(a)) => a.iter().any(|x| x == t),
        _ => false,
    };
    // Also below a larger limit of the tool's own (send_message allows
    // 4000 characters of content): a looping call must end in a few
    // seconds, not at the reply's token cap.
    let cap = |m: &mut Map<String, Value>, max: &str, min: &str, limit: u64| {
        let own = m.get(max).and_then(Value::as_u64).unwrap_or(u64::MAX);
        let floor = m.get(min).and_then(Value::as_u64).unwrap_or(0);
        m.insert(max.into(), own.min(limit.max(floor)).into());
    };
    let fixed = m.contains_key("enum") || m.contains_key("const");
    if has_type(m, "string") && !fixed {
        cap(m, "maxLength", "minLength", MAX_STRING);
    }
    if has_type(m, "array") {
        cap(m, "maxItems", "minItems", MAX_ITEMS);
    }
    if (has_type(m, "number") || has_type(m, "integer")) && !fixed {
        // Within ±MAX_MAGNITUDE; a tool's own narrower bound stays.
        for (keys, limit) in [
            (["minimum", "exclusiveMinimum"], -MAX_MAGNITUDE),
            (["maximum", "exclusiveMaximum"], MAX_MAGNITUDE),
        ] {
            let own = keys.iter().find_map(|k| m.get(*k).and_then(Value::as_f64));
            if own.is_none_or(|v| v.abs() > MAX_MAGNITUDE && v.signum() == limit.signum()) {
                keys.iter().for_each(|k| drop(m.remove(*k)));
                m.insert(keys[0].into(), limit.into());
            }
        }
        if !has_type(m, "integer") && !m.contains_key("multipleOf") {
            m.insert("multipleOf".into(), NUMBER_STEP.into());
        }
    }
    if m.contains_key("properties") && !m.contains_key("additionalProperties") {
        m.insert("additionalProperties".into(), false.into());
    }
    for (k, x) in m.iter_mut() {
        // Literal values, not schemas.
        if !matches!(k.as_str(), "enum" | "const" | "default" | "examples") {
            tighten(x);
        }
    }
}

/// A finished constrained output: which tool, and its arguments as JSON
/// text, checked against the tool's own (untightened) schema.
pub fn parse_call(text: &str, tools: &[ToolSpec]) -> Result<(String, String), String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({e}): {text}"))?;
    let name = value["tool"]
        .as_str()
        .ok_or_else(|| format!("no tool name in {text}"))?;
    let tool = tools
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| format!("unknown tool {name}"))?;
    let args = &value["arguments"];
    let validator = jsonschema::validator_for(&tool.parameters)
        .map_err(|e| format!("the schema of tool {name} does not compile: {e}"))?;
    let problems: Vec<String> = validator
        .iter_errors(args)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    if !problems.is_empty() {
        return Err(format!(
            "arguments for {name} do not match its schema: {}",
            problems.join("; ")
        ));
    }
    Ok((name.to_string(), args.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use llguidance::toktrie::ApproximateTokEnv;

    fn spec(name: &str, parameters: Value) -> ToolSpec {
        ToolSpec {
            name: name.into(),
            description: String::new(),
            parameters,
        }
    }

    /// Drive a matcher over a single-byte vocabulary with `text`; true when
    /// the grammar accepts it as a complete call.
    fn accepts(tools: &[ToolSpec], text: &str) -> bool {
        let g = Grammars::with_env(&ApproximateTokEnv::single_byte_env()).unwrap();
        let mut c = g.tool_call(tools).unwrap();
        for b in text.bytes() {
            if !c.allowed().unwrap().is_allowed(b as u32) || c.consume(b as u32).is_err() {
                return false;
            }
        }
        let eos = ApproximateTokEnv::single_byte().tok_trie().eos_token();
        c.allowed().unwrap().is_allowed(eos)
    }

    #[test]
    fn every_builtin_tool_schema_compiles_and_constrains() {
        let tools: Vec<ToolSpec> = crate::tools::builtin()
            .iter()
            .map(|t| spec(t.name(), t.parameters()))
            .collect();
        let g = Grammars::with_env(&ApproximateTokEnv::single_byte_env()).unwrap();
        g.tool_call(&tools).unwrap();
        assert!(!accepts(
            &tools,
            r#"{"tool": "no_such_tool", "arguments": {}}"#
        ));
    }

    /// `oneOf` argument groups reach the grammar: csv_parser takes `path`
    /// or `content`, never both, never neither (what its `run` checks).
    #[test]
    fn exclusive_arguments_are_exclusive_in_the_grammar() {
        let tool = crate::tools::find("csv_parser").unwrap();
        let tools = [spec("csv_parser", tool.parameters())];
        assert!(accepts(
            &tools,
            r#"{"tool": "csv_parser", "arguments": {"path": "sales.csv"}}"#
        ));
        assert!(accepts(
            &tools,
            r#"{"tool": "csv_parser", "arguments": {"content": "a,b\n1,2"}}"#
        ));
        assert!(!accepts(
            &tools,
            r#"{"tool": "csv_parser", "arguments": {"path": "a.csv", "content": "x"}}"#
        ));
        assert!(!accepts(
            &tools,
            r#"{"tool": "csv_parser", "arguments": {}}"#
        ));
    }

    /// Values the tools reject cannot be written: blank observations, empty
    /// chart labels.
    #[test]
    fn blank_observations_and_empty_labels_are_unreachable() {
        let tool = |n: &str| spec(n, crate::tools::find(n).unwrap().parameters());
        let store = [tool("memory_store")];
        let call = |obs: &str| {
            format!(
                r#"{{"tool": "memory_store", "arguments": {{"entity": "x", "observations": [{obs}]}}}}"#
            )
        };
        assert!(accepts(&store, &call(r#""Friday""#)));
        assert!(accepts(&store, &call(r#"" the deploy window is Friday""#)));
        assert!(!accepts(&store, &call(r#""""#)));
        assert!(!accepts(&store, &call(r#""  ""#)));
        let chart = [tool("chart_generator")];
        let call = |labels: &str| {
            format!(
                r#"{{"tool": "chart_generator", "arguments": {{"chart_type": "bar", "labels": [{labels}], "series": [{{"values": [1]}}]}}}}"#
            )
        };
        assert!(accepts(&chart, &call(r#""north""#)));
        assert!(!accepts(&chart, &call(r#""""#)));
    }

    /// The chart calls the 135M model wrote and the tool refused cannot be
    /// decoded: a bar chart without labels, values that do not match the
    /// labels, two pie series, an output name unlike its format.
    #[test]
    fn chart_calls_the_tool_refuses_are_unreachable() {
        let chart = [spec(
            "chart_generator",
            crate::tools::find("chart_generator").unwrap().parameters(),
        )];
        let call =
            |args: &str| format!(r#"{{"tool": "chart_generator", "arguments": {{{args}}}}}"#);
        for ok in [
            r#""chart_type": "bar", "labels": ["north", "south"], "series": [{"values": [10, 20]}]"#,
            r#""chart_type": "pie", "labels": ["apples", "pears"], "series": [{"values": [3, 5]}]"#,
            r#""chart_type": "line", "series": [{"values": [1, 4, 9, 16]}]"#,
            r#""chart_type": "line", "labels": ["a", "b"], "series": [{"values": [1, 4]}], "output": "trend.svg""#,
            r#""chart_type": "scatter", "series": [{"points": [[1, 2], [3, 4]]}]"#,
        ] {
            assert!(accepts(&chart, &call(ok)), "{ok}");
        }
        for refused in [
            r#""chart_type": "bar", "series": [{"name": "bar", "values": [10, 20]}]"#,
            r#""chart_type": "bar", "labels": ["a", "b"], "series": [{"values": [1]}]"#,
            r#""chart_type": "bar", "labels": ["a"], "series": [{"values": [1, 2]}]"#,
            r#""chart_type": "pie", "labels": ["a"], "series": [{"values": [1]}, {"values": [2]}]"#,
            r#""chart_type": "pie", "labels": ["a"], "series": [{"values": [0]}]"#,
            r#""chart_type": "line", "series": []"#,
            r#""chart_type": "line", "series": [{"points": [[1, 2]]}]"#,
            r#""chart_type": "line", "series": [{"values": [1]}], "format": "png", "output": "x.svg""#,
            r#""chart_type": "line", "series": [{"values": [1]}], "output": "../x.png""#,
        ] {
            assert!(!accepts(&chart, &call(refused)), "{refused}");
        }
    }

    #[test]
    fn grammar_fixes_shape_separators_and_caps() {
        let tools = [
            spec(
                "get_weather",
                json!({"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"]}),
            ),
            spec("ping", json!({"type": "object", "properties": {}})),
        ];
        assert!(accepts(
            &tools,
            r#"{"tool": "get_weather", "arguments": {"city": "Paris"}}"#
        ));
        assert!(accepts(&tools, r#"{"tool": "ping", "arguments": {}}"#));
        // Wrong tool/arguments pairing, missing field, extra field, loose
        // separators and over-long strings are all unreachable.
        assert!(!accepts(
            &tools,
            r#"{"tool": "ping", "arguments": {"city": "x"}}"#
        ));
        assert!(!accepts(
            &tools,
            r#"{"tool": "get_weather", "arguments": {}}"#
        ));
        assert!(!accepts(&tools, r#"{"tool":"ping","arguments":{}}"#));
        let long = "a".repeat(MAX_STRING as usize + 1);
        assert!(!accepts(
            &tools,
            &format!(r#"{{"tool": "get_weather", "arguments": {{"city": "{long}"}}}}"#)
        ));
        // A tool's own larger limit is capped too (send_message's content
        // looped to the reply's token cap under its 4000); a smaller one
        // stays.
        let say = |max: u64| {
            [spec(
                "say",
                json!({"type": "object", "required": ["text"],
                       "properties": {"text": {"type": "string", "maxLength": max}}}),
            )]
        };
        let call = |text: &str| format!(r#"{{"tool": "say", "arguments": {{"text": "{text}"}}}}"#);
        assert!(accepts(&say(4000), &call(&"a".repeat(MAX_STRING as usize))));
        assert!(!accepts(&say(4000), &call(&long)));
        assert!(accepts(&say(5), &call("abcde")));
        assert!(!accepts(&say(5), &call("abcdef")));
    }

    #[test]
    fn numbers_end_within_a_magnitude_and_a_step() {
        let tools = [spec(
            "plot",
            json!({"type": "object", "required": ["y", "n"],
                   "properties": {"y": {"type": "number"}, "n": {"type": "integer"}}}),
        )];
        let call = |y: &str, n: &str| {
            format!(r#"{{"tool": "plot", "arguments": {{"y": {y}, "n": {n}}}}}"#)
        };
        for ok in [
            ("10", "1"),
            ("-2.5", "0"),
            ("3.1416", "-7"),
            ("999999999999999", "12"),
        ] {
            assert!(accepts(&tools, &call(ok.0, ok.1)), "{ok:?}");
        }
        // A chart call looped on `10.000000000000001111…` until the cap.
        for looping in [
            ("10.00000", "1"),
            ("10.000000000000001111", "1"),
            ("10000000000000000", "1"),
            ("1", "10000000000000000"),
        ] {
            assert!(!accepts(&tools, &call(looping.0, looping.1)), "{looping:?}");
        }
    }

    #[test]
    fn a_chart_request_stating_its_type_and_numbers_can_only_draw_those() {
        use crate::runtime::grounding::{Files, Peers, ground};
        let tool = crate::tools::find("chart_generator").unwrap();
        let grounded = |request: &str| {
            let mut specs = vec![spec("chart_generator", tool.parameters())];
            ground(
                &mut specs,
                &|_| Some((tool.grounded_args(), None)),
                &Files {
                    root: std::path::PathBuf::new(),
                    paths: Vec::new(),
                    complete: true,
                },
                &Peers::default(),
                request,
            );
            specs
        };
        let line = grounded("Plot a line chart of the values 1, 4, 9 and 16");
        let call =
            |args: &str| format!(r#"{{"tool": "chart_generator", "arguments": {{{args}}}}}"#);
        assert!(accepts(
            &line,
            &call(r#""chart_type": "line", "series": [{"values": [1, 4, 9, 16]}]"#)
        ));
        for refused in [
            // Another type than the one asked for, other numbers, a second
            // series, labels whose count differs from the numbers'.
            r#""chart_type": "bar", "labels": ["a", "b", "c", "d"], "series": [{"values": [1, 4, 9, 16]}]"#,
            r#""chart_type": "line", "series": [{"values": [1, 2, 3, 4]}]"#,
            r#""chart_type": "line", "series": [{"values": [1, 4, 9, 16]}, {"values": [1, 4, 9, 16]}]"#,
            r#""chart_type": "line", "labels": ["a", "b"], "series": [{"values": [1, 4, 9, 16]}]"#,
        ] {
            assert!(!accepts(&line, &call(refused)), "{refused}");
        }
        let bar = grounded("Draw a bar chart with labels north and south and values 10 and 20");
        assert!(accepts(
            &bar,
            &call(
                r#""chart_type": "bar", "labels": ["north", "south"], "series": [{"values": [10, 20]}]"#
            )
        ));
        assert!(!accepts(
            &bar,
            &call(
                r#""chart_type": "bar", "labels": ["north", "south", "east"], "series": [{"values": [10, 20, 30]}]"#
            )
        ));
        // The labels are the words the request names.
        assert!(!accepts(
            &bar,
            &call(
                r#""chart_type": "bar", "labels": [", ", "south"], "series": [{"values": [10, 20]}]"#
            )
        ));
        // Numbers that are parts of names, or a single number, leave the
        // series to the model.
        let free = grounded("Chart q3 from report_2024 as a pie with 5 slices");
        assert!(accepts(
            &free,
            &call(r#""chart_type": "pie", "labels": ["a", "b"], "series": [{"values": [7, 8]}]"#)
        ));
    }

    #[test]
    fn nested_definitions_are_hoisted_per_tool() {
        let params = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {"p": {"$ref": "#/$defs/Point"}},
            "required": ["p"],
            "$defs": {"Point": {"type": "object", "properties": {"x": {"type": "integer"}},
                                "required": ["x"]}}
        });
        let tools = [spec("a", params.clone()), spec("b", params)];
        let schema = call_schema(&tools);
        assert!(schema["$defs"]["t0_Point"].is_object());
        assert_eq!(
            schema["anyOf"][1]["properties"]["arguments"]["properties"]["p"]["$ref"],
            "#/$defs/t1_Point"
        );
        assert!(accepts(
            &tools,
            r#"{"tool": "b", "arguments": {"p": {"x": 3}}}"#
        ));
        assert!(!accepts(
            &tools,
            r#"{"tool": "b", "arguments": {"p": {"y": 3}}}"#
        ));
    }

    #[test]
    fn parse_call_validates_against_the_original_schema() {
        let tools = [spec(
            "get_weather",
            json!({"type": "object", "properties": {"city": {"type": "string", "minLength": 2}},
                   "required": ["city"]}),
        )];
        let (name, args) = parse_call(
            r#"{"tool": "get_weather", "arguments": {"city": "Paris"}}"#,
            &tools,
        )
        .unwrap();
        assert_eq!(
            (name.as_str(), args.as_str()),
            ("get_weather", r#"{"city":"Paris"}"#)
        );
        let err = parse_call(
            r#"{"tool": "get_weather", "arguments": {"city": "P"}}"#,
            &tools,
        )
        .unwrap_err();
        assert!(err.contains("/city"), "{err}");
        assert!(parse_call(r#"{"tool": "x", "arguments": {}}"#, &tools).is_err());
        assert!(parse_call("{", &tools).is_err());
    }
}
