//! The chat request as SmolLM2's ChatML prompt, and the tool-call policy.

use crate::runtime::llm::{ChatRequest, Message, Role};

/// What SmolLM2's own chat template puts in when there is no system message.
const DEFAULT_SYSTEM: &str = "You are a helpful AI assistant named SmolLM, trained by Hugging Face";

/// The tool policy that makes a 135M model useful: while the trailing user
/// turn has no tool results yet, the reply is one constrained tool call;
/// once results are there, the model answers in free text. So a local agent
/// runs at most one tool round per user turn, and never has to decide "call
/// or answer": offered a "no tool" choice, it took it for requests that
/// needed a tool ("Echo the message: ..." with an echo tool). Requests that
/// need no tool are sent without tools instead (the run decides, see
/// `grounding::small_talk`), whatever `tool_choice` says.
pub fn tool_round(request: &ChatRequest) -> bool {
    if request.tools.is_empty() || request.answer_prefix().is_some() {
        return false;
    }
    let start = request
        .messages
        .iter()
        .rposition(|m| m.role == Role::User)
        .map_or(0, |i| i + 1);
    !request.messages[start..]
        .iter()
        .any(|m| m.role == Role::Tool)
}

/// Render the conversation as ChatML, ending with the open assistant turn
/// (holding the request's [`ChatRequest::answer_prefix`], if any).
/// For a tool call the tools are listed in a system turn after the
/// conversation (name and description; the argument shapes are enforced by
/// the grammar, not explained): there a 135M model follows it best, and the
/// turns before it are the same in the prompt that answers after the call,
/// or without one, so the model's saved state for them is reused rather than
/// computed again. ChatML has no tool role, so earlier calls appear as the
/// JSON the model would write and their results as user turns.
pub fn render(request: &ChatRequest, call_tool: bool) -> String {
    let system: Vec<&str> = request
        .messages
        .iter()
        .filter(|m| m.role == Role::System)
        .map(|m| m.content.as_str())
        .collect();
    let system = if system.is_empty() {
        DEFAULT_SYSTEM.to_string()
    } else {
        system.join("\n\n")
    };
    let conversation = request.conversation();
    let last_result = conversation.last().is_some_and(|m| m.role == Role::Tool);
    let mut out = turn("system", &system);
    for m in conversation {
        match m.role {
            Role::System => {}
            Role::User => out.push_str(&turn("user", &m.content)),
            Role::Assistant => out.push_str(&turn("assistant", &assistant_text(m))),
            Role::Tool => {
                let name = tool_name(&request.messages, m.tool_call_id.as_deref());
                // The instruction comes last, right after the facts: a
                // 135M model follows the nearest instruction.
                let ask = if last_result && std::ptr::eq(m, conversation.last().unwrap_or(m)) {
                    "\n\nUsing only these facts, answer the request in two or three \
                     sentences and quote the numbers."
                } else {
                    ""
                };
                out.push_str(&turn(
                    "user",
                    &format!("Result of the tool {name}:\n{}{ask}", m.content),
                ));
            }
        }
    }
    // Once results are in, the tool list only distracts a tiny model from
    // them: it is left out of the answering prompt.
    if call_tool {
        out.push_str(&turn("system", &tool_list(request)));
    }
    out.push_str("<|im_start|>assistant\n");
    out.push_str(request.answer_prefix().unwrap_or_default());
    out
}

/// The tools and how to call one.
fn tool_list(request: &ChatRequest) -> String {
    let mut text = "You can use these tools:\n".to_string();
    for tool in &request.tools {
        text.push_str(&format!("- {}: {}\n", tool.name, brief(&tool.description)));
    }
    text.push_str(
        "Answer with exactly one JSON object of the form \
         {\"tool\": \"<tool name>\", \"arguments\": {...}} and nothing else.",
    );
    text
}

/// The gist of a tool description for the tool list: its first sentence,
/// without a long list of details after a colon. The prompt is most of a
/// local call's time (~90 tokens/s on one core against ~27 generated), and
/// csv_parser's full description alone was ~75 of the quickstart's ~200
/// prompt tokens; a 135M model picks the tool from its name and gist, and
/// the grammar enforces the arguments. A short list after a colon stays
/// (send_message's capabilities and who offers them).
fn brief(description: &str) -> &str {
    // Byte offsets of `sep` outside parentheses.
    let outside = |sep: &str| {
        let mut depth = 0i32;
        let mut found = None;
        for (i, c) in description.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ if depth == 0 && description[i..].starts_with(sep) => {
                    found = Some(i);
                    break;
                }
                _ => {}
            }
        }
        found
    };
    let sentence = match outside(". ") {
        Some(end) => &description[..end],
        None => description.trim_end_matches('.'),
    };
    match outside(": ") {
        Some(colon) if colon < sentence.len() && sentence.len() - colon > 120 => &sentence[..colon],
        _ => sentence,
    }
}

fn turn(role: &str, content: &str) -> String {
    format!("<|im_start|>{role}\n{content}<|im_end|>\n")
}

/// An assistant message with its calls spelled the way the grammar makes the
/// model write them.
fn assistant_text(m: &Message) -> String {
    let calls = m.tool_calls.iter().map(|c| {
        let name = serde_json::Value::String(c.name.clone());
        format!(r#"{{"tool": {name}, "arguments": {}}}"#, c.arguments)
    });
    std::iter::once(m.content.clone())
        .filter(|c| !c.is_empty())
        .chain(calls)
        .collect::<Vec<_>>()
        .join("\n")
}

fn tool_name<'a>(messages: &'a [Message], call_id: Option<&str>) -> &'a str {
    messages
        .iter()
        .flat_map(|m| &m.tool_calls)
        .find(|c| Some(c.id.as_str()) == call_id)
        .map_or("call", |c| c.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::llm::{ToolCall, ToolChoice, ToolSpec};
    use std::time::Duration;

    fn request(messages: Vec<Message>, tools: Vec<ToolSpec>) -> ChatRequest {
        ChatRequest {
            model: None,
            messages,
            tools,
            tool_choice: ToolChoice::Auto,
            temperature: None,
            max_tokens: None,
            seed: None,
            timeout: Duration::from_secs(5),
        }
    }

    fn weather() -> ToolSpec {
        ToolSpec {
            name: "get_weather".into(),
            description: "Current weather of a city".into(),
            parameters: serde_json::json!({"type": "object"}),
        }
    }

    #[test]
    fn tool_descriptions_are_cut_to_their_gist() {
        let csv = crate::tools::find("csv_parser").unwrap().description();
        assert_eq!(
            brief(csv),
            "Parse CSV/TSV data from a file or inline text and profile it"
        );
        let jq = crate::tools::find("json_processor").unwrap().description();
        assert_eq!(
            brief(jq),
            "Transform or query JSON with a jq filter (jq syntax and standard library: select, \
             map, group_by, to_entries, test, ...)"
        );
        let ask = "Ask another agent for help by capability (or agent id); with `request` its \
                   reply is the result Capabilities you can ask for: data-analysis \
                   (data-analyzer), charting (chart-maker).";
        assert_eq!(brief(ask), ask.trim_end_matches('.'));
        assert_eq!(
            brief("Current weather of a city"),
            "Current weather of a city"
        );
    }

    #[test]
    fn plain_chat_uses_the_default_system_prompt() {
        let r = request(vec![Message::new(Role::User, "Hi")], vec![]);
        assert!(!tool_round(&r));
        assert_eq!(
            render(&r, false),
            "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by \
             Hugging Face<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
    }

    #[test]
    fn tools_are_called_once_then_answered_in_text() {
        let user = Message::new(Role::User, "Weather in Paris?");
        let first = request(vec![user.clone()], vec![weather()]);
        assert!(tool_round(&first));
        let prompt = render(&first, true);
        assert!(prompt.contains("- get_weather: Current weather of a city\n"));
        assert!(prompt.contains("exactly one JSON object"));
        // The tool list comes after the conversation, so the turns before it
        // are the start of the answering prompt too (their state is reused).
        let shared = prompt
            .split("<|im_start|>system\nYou can use")
            .next()
            .unwrap();
        assert!(shared.ends_with("<|im_start|>user\nWeather in Paris?<|im_end|>\n"));
        assert!(render(&first, false).starts_with(shared));

        let call = Message {
            tool_calls: vec![ToolCall {
                id: "call_1".into(),
                name: "get_weather".into(),
                arguments: r#"{"city":"Paris"}"#.into(),
            }],
            ..Message::new(Role::Assistant, "")
        };
        let second = request(
            vec![user, call, Message::tool_result("call_1", "sunny, 21 C")],
            vec![weather()],
        );
        assert!(!tool_round(&second));
        let prompt = render(&second, false);
        assert!(prompt.contains(
            "<|im_start|>assistant\n{\"tool\": \"get_weather\", \"arguments\": {\"city\":\"Paris\"}}<|im_end|>\n"
        ));
        assert!(prompt.contains("<|im_start|>user\nResult of the tool get_weather:\nsunny, 21 C"));
        // The answering prompt ends with the facts and one instruction; the
        // tool list is gone.
        assert!(prompt.contains("sunny, 21 C\n\nUsing only these facts, answer the request"));
        assert!(!prompt.contains("You can use these tools"));
        assert!(prompt.ends_with("<|im_start|>assistant\n"));

        // A new user turn after the round asks for a tool call again.
        let mut third = second.clone();
        third
            .messages
            .push(Message::new(Role::User, "And in Rome?"));
        assert!(tool_round(&third));
    }
}
