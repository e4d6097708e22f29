//! The `local` provider: SmolLM2-135M-Instruct run in-process on the CPU with
//! candle's quantized llama, the default when no other provider is
//! configured so agents answer offline out of the box. It is a tiny model:
//! fluent but often wrong, and it picks the right tool about 4 times in 6.
//!
//! One dedicated thread owns the model (its forward pass mutates the KV
//! cache), loads it on the first request or when a run asks it to prepare
//! (so constructing the provider, and starting the daemon, costs nothing)
//! and serves requests one at a time from a channel; callers block on their reply and receive streamed
//! text on their own thread.
//!
//! Tool calls: see [`prompt::tool_round`] for the policy and
//! [`grammar`] for the constrained decoding that makes every call parse.

pub(crate) mod grammar;
pub mod model;
mod prompt;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Instant;

use candle_core::{Device, Tensor};
use candle_transformers::generation::{LogitsProcessor, Sampling};
use llguidance::toktrie::SimpleVob;

use super::{
    ChatRequest, ChatResponse, FinishReason, LlmError, LlmErrorKind, Message, Preparing, Provider,
    Role, ToolCall, Usage,
};
use grammar::{Constraint, Grammars};
use model::{CONTEXT_TOKENS, Model};

/// The model directory under the models dir, and the model's name in
/// responses.
pub const MODEL_NAME: &str = "SmolLM2-135M-Instruct";
/// The caveat shown with the local model's answers.
pub const NOTICE: &str =
    "tiny offline model (SmolLM2-135M): weak answers, tool choice right ~4 in 6";
/// candle sizes its quantized-matmul thread pool from this variable, read
/// once when the pool is first used; there is no API to set it.
pub const THREADS_ENV: &str = "CANDLE_NUM_THREADS";
/// With this set, candle turns every quantized weight matrix into f32 when
/// the model loads (read once per thread; `0` keeps them quantized). Its
/// f32 matrix products are far faster on a prompt than its quantized ones:
/// on one thread of this machine kind, 118 prompt tokens/s against 26 with
/// Q8_0, for 14 against 16 generated tokens/s and ~420 MB more memory
/// (docs/performance.md, "Local LLM").
pub const DEQUANTIZE_ENV: &str = "CANDLE_DEQUANTIZE_ALL";
/// candle's f32 matrix products split over this many threads; unset, it
/// counts the cores again (reading /proc) on every product.
const RAYON_THREADS_ENV: &str = "RAYON_NUM_THREADS";

/// Set candle's defaults unless the operator chose otherwise: its quantized
/// pool on one thread (on a shared 2-core machine two spinning threads
/// collapsed to 6 tok/s while one kept 20), the local model's weights as
/// f32 ([`DEQUANTIZE_ENV`]), and the f32 thread count fixed once to the
/// cores this process may use.
///
/// # Safety
/// Sets environment variables, so it must run before any other thread
/// exists: call it first thing in `main`.
pub unsafe fn candle_defaults() {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    for (name, value) in [
        (THREADS_ENV, "1".to_string()),
        (DEQUANTIZE_ENV, "1".to_string()),
        (RAYON_THREADS_ENV, cores.to_string()),
    ] {
        if std::env::var_os(name).is_none() {
            // SAFETY: the caller guarantees the process is still single-threaded.
            unsafe { std::env::set_var(name, value) };
        }
    }
}

pub(crate) fn unavailable(message: String) -> LlmError {
    error(LlmErrorKind::Unavailable, message)
}

fn error(kind: LlmErrorKind, message: String) -> LlmError {
    LlmError {
        kind,
        provider: "local".into(),
        message,
    }
}

/// The `local` provider: loads the model on first use.
pub struct LocalProvider {
    models_dir: PathBuf,
    /// The worker's queue; started on the first chat and restarted if the
    /// worker ever died.
    jobs: Mutex<Option<mpsc::Sender<Work>>>,
    /// Set by the worker once the model is loaded: then there is nothing
    /// left to prepare.
    loaded: Arc<AtomicBool>,
}

enum Work {
    Chat(Job),
    /// Load the model now; the instant it is done (or failed: the next chat
    /// then reports why) goes back on the channel.
    Load(mpsc::Sender<Instant>),
}

struct Job {
    request: ChatRequest,
    deadline: Instant,
    events: mpsc::Sender<Event>,
}

enum Event {
    Text(String),
    Done(Result<ChatResponse, LlmError>),
}

impl LocalProvider {
    /// A provider for the model under `models_dir` (the resolved
    /// `memory.models_dir` / `CAXTON_MODELS_DIR`, shared with the
    /// embedder). Does no I/O: a missing model shows up on the first chat.
    pub fn new(models_dir: impl Into<PathBuf>) -> LocalProvider {
        LocalProvider {
            models_dir: models_dir.into(),
            jobs: Mutex::new(None),
            loaded: Arc::new(AtomicBool::new(false)),
        }
    }

    fn submit(&self, mut work: Work) -> Result<(), LlmError> {
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        // Two attempts: the second after replacing a worker that died.
        for _ in 0..2 {
            let sender = jobs
                .get_or_insert_with(|| spawn_worker(self.models_dir.clone(), self.loaded.clone()));
            match sender.send(work) {
                Ok(()) => return Ok(()),
                Err(mpsc::SendError(back)) => {
                    work = back;
                    *jobs = None;
                }
            }
        }
        Err(unavailable(
            "the local model thread cannot be started".into(),
        ))
    }
}

impl Provider for LocalProvider {
    fn name(&self) -> &str {
        "local"
    }

    fn default_model(&self) -> &str {
        MODEL_NAME
    }

    fn notice(&self) -> Option<&'static str> {
        Some(NOTICE)
    }

    fn continues_answers(&self) -> bool {
        true
    }

    /// Loads the model on the worker while the run builds its prompt: in a
    /// one-shot CLI run the load (seconds, for the f32 weights) then hides
    /// the memory context and the workspace scan.
    fn prepare(&self) -> Option<Preparing> {
        if self.loaded.load(Ordering::Relaxed) {
            return None;
        }
        let (done, finished) = mpsc::channel();
        self.submit(Work::Load(done)).ok()?;
        Some(Preparing::new(finished))
    }

    fn chat(
        &self,
        request: &ChatRequest,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<ChatResponse, LlmError> {
        let (events, replies) = mpsc::channel();
        let deadline = Instant::now() + request.timeout;
        self.submit(Work::Chat(Job {
            request: request.clone(),
            deadline,
            events,
        }))?;
        loop {
            // The worker stops at the deadline too; waiting here as well
            // keeps the timeout when the worker is still busy with an
            // earlier request (it then drops this one unanswered).
            let left = deadline.saturating_duration_since(Instant::now());
            match replies.recv_timeout(left) {
                Ok(Event::Text(t)) => on_text(&t),
                Ok(Event::Done(result)) => return result,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(error(
                        LlmErrorKind::Timeout,
                        format!(
                            "the local model did not answer within {}",
                            crate::human::duration(request.timeout)
                        ),
                    ));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(error(
                        LlmErrorKind::Server,
                        "the local model thread stopped while answering".into(),
                    ));
                }
            }
        }
    }
}

fn spawn_worker(models_dir: PathBuf, loaded: Arc<AtomicBool>) -> mpsc::Sender<Work> {
    let (tx, rx) = mpsc::channel::<Work>();
    // If the spawn fails the receiver is dropped and `submit` reports it.
    let _ = std::thread::Builder::new()
        .name("caxton-local-llm".into())
        .spawn(move || {
            let mut engine: Option<Engine> = None;
            for work in rx {
                match work {
                    Work::Chat(job) => {
                        let result = serve(&models_dir, &mut engine, &job);
                        let _ = job.events.send(Event::Done(result));
                    }
                    // A failed load is left to the next chat, which
                    // retries it and reports why.
                    Work::Load(done) => {
                        if engine.is_none() {
                            engine = Engine::load(&models_dir).ok();
                        }
                        let _ = done.send(Instant::now());
                    }
                }
                loaded.store(engine.is_some(), Ordering::Relaxed);
            }
        });
    tx
}

/// The loaded model plus its grammar compiler (built on first tool use).
pub struct Engine {
    /// The weights and tokenizer.
    pub model: Model,
    grammars: Option<Grammars>,
}

impl Engine {
    /// Loads the model from `models_dir` (`Unavailable` when missing).
    pub fn load(models_dir: &std::path::Path) -> Result<Engine, LlmError> {
        Ok(Engine {
            model: Model::load(models_dir)?,
            grammars: None,
        })
    }

    fn tool_constraint(&mut self, request: &ChatRequest) -> Result<Constraint, LlmError> {
        if self.grammars.is_none() {
            let m = &self.model;
            let g = Grammars::new(&m.token_bytes, m.eos, &m.tokenizer)
                .map_err(|e| unavailable(format!("building the tool-call grammar: {e}")))?;
            self.grammars = Some(g);
        }
        let grammars = self.grammars.as_ref().expect("set above");
        grammars.tool_call(&request.tools).map_err(|e| {
            error(
                LlmErrorKind::InvalidRequest,
                format!("the tools' JSON Schemas cannot be turned into a grammar: {e}"),
            )
        })
    }

    /// Answer one request (see the module docs for the tool policy).
    pub fn answer(
        &mut self,
        request: &ChatRequest,
        deadline: Instant,
        on_text: &mut dyn FnMut(&str) -> bool,
    ) -> Result<ChatResponse, LlmError> {
        if let Some(name) = &request.model
            && !name.eq_ignore_ascii_case(MODEL_NAME)
        {
            return Err(error(
                LlmErrorKind::InvalidRequest,
                format!("the local provider only runs {MODEL_NAME}, not {name}"),
            ));
        }
        let call_tool = prompt::tool_round(request);
        let max_tokens = request.max_tokens.unwrap_or(super::DEFAULT_REPLY_TOKENS);
        let mut sampler = Sampler::new(request)?;
        let mut usage = Usage::default();
        let mut constraint = if call_tool {
            Some(self.tool_constraint(request)?)
        } else {
            None
        };
        // The answer written from a tool result ends at its first paragraph
        // break once it has said something: a 135M model states the facts
        // first and then invents more of them until the token cap. Going on
        // from an answer's given start, it ends with its first line.
        let stop = if request.answer_prefix().is_some() {
            Stop::Line
        } else if !call_tool
            && request
                .messages
                .last()
                .is_some_and(|m| m.role == Role::Tool)
        {
            Stop::Paragraph
        } else {
            Stop::Cap
        };
        let (text, finished) = self.reply(
            &prompt::render(request, call_tool),
            max_tokens,
            &mut sampler,
            constraint.as_mut(),
            stop,
            deadline,
            &mut usage,
            on_text,
        )?;
        let text = if stop == Stop::Cap {
            text
        } else {
            text.trim_end().to_string()
        };
        let respond = |message, finish_reason| ChatResponse {
            message,
            finish_reason,
            usage,
            model: MODEL_NAME.into(),
        };
        if !finished {
            // Cut by max_tokens: a partial tool call is returned as text so
            // the caller sees what happened instead of a call that cannot run.
            return Ok(respond(
                Message::new(Role::Assistant, text),
                FinishReason::Length,
            ));
        }
        if !call_tool {
            return Ok(respond(
                Message::new(Role::Assistant, text),
                FinishReason::Stop,
            ));
        }
        let (name, arguments) = grammar::parse_call(&text, &request.tools).map_err(|e| {
            error(
                LlmErrorKind::BadResponse,
                format!("the local model's tool call is not valid: {e}"),
            )
        })?;
        let earlier = request
            .messages
            .iter()
            .map(|m| m.tool_calls.len())
            .sum::<usize>();
        let call = ToolCall {
            id: format!("call_{}", earlier + 1),
            name,
            arguments,
        };
        Ok(respond(
            Message {
                tool_calls: vec![call],
                ..Message::new(Role::Assistant, "")
            },
            FinishReason::ToolCalls,
        ))
    }

    /// Generate a reply to the rendered `prompt` (at most `max_tokens`, less
    /// when the context is nearly full), adding to `usage`. Returns the text
    /// and whether it ended by itself rather than at the cap.
    #[allow(clippy::too_many_arguments)]
    fn reply(
        &mut self,
        prompt: &str,
        max_tokens: u32,
        sampler: &mut Sampler,
        constraint: Option<&mut Constraint>,
        stop: Stop,
        deadline: Instant,
        usage: &mut Usage,
        on_text: &mut dyn FnMut(&str) -> bool,
    ) -> Result<(String, bool), LlmError> {
        let prompt_ids = self.model.encode(prompt)?;
        // The prompt and at least one reply token must fit the context.
        if prompt_ids.len() >= CONTEXT_TOKENS {
            return Err(error(
                LlmErrorKind::InvalidRequest,
                format!(
                    "the prompt is {} tokens but the local model holds at most {CONTEXT_TOKENS} \
                     (prompt and reply together): shorten the conversation or the system prompt",
                    prompt_ids.len()
                ),
            ));
        }
        let room = (CONTEXT_TOKENS - prompt_ids.len()) as u32;
        let out = self.generate(
            &prompt_ids,
            max_tokens.min(room),
            sampler,
            constraint,
            stop,
            deadline,
            on_text,
        )?;
        usage.prompt_tokens += prompt_ids.len() as u32;
        usage.completion_tokens += out.ids.len() as u32;
        Ok((self.model.decode(&out.ids)?, out.finished))
    }

    /// Decode up to `max_new` tokens after `prompt`. Stops at a control
    /// token (free text), when the grammar is complete (tool call), or where
    /// `stop` says.
    /// `on_text` gets each new piece of text; false means the caller left.
    #[allow(clippy::too_many_arguments)]
    fn generate(
        &mut self,
        prompt: &[u32],
        max_new: u32,
        sampler: &mut Sampler,
        mut constraint: Option<&mut Constraint>,
        stop: Stop,
        deadline: Instant,
        on_text: &mut dyn FnMut(&str) -> bool,
    ) -> Result<Generated, LlmError> {
        let mut in_time = || {
            if Instant::now() >= deadline {
                Err(error(
                    LlmErrorKind::Timeout,
                    "the local model did not finish within the request timeout".into(),
                ))
            } else {
                Ok(())
            }
        };
        let started = Instant::now();
        let (mut logits, reused) = self.model.prefill(prompt, &mut in_time)?;
        let prefilled = Instant::now();
        let timed = |ids: Vec<u32>, finished: bool| {
            let done = Instant::now();
            tracing::debug!(
                prompt_tokens = prompt.len(),
                reused_tokens = reused,
                prefill_ms = (prefilled - started).as_secs_f64() * 1e3,
                generated_tokens = ids.len(),
                generate_ms = (done - prefilled).as_secs_f64() * 1e3,
                "local model reply"
            );
            Generated { ids, finished }
        };
        let mut ids = Vec::new();
        let mut shown = String::new();
        let mut strings = JsonStrings::default();
        while ids.len() < max_new as usize {
            if let Some(c) = constraint.as_deref_mut() {
                let forced = c
                    .forced(max_new as usize - ids.len())
                    .map_err(grammar_failed)?;
                if !forced.is_empty() {
                    for &t in &forced {
                        strings.push(t, &self.model.token_bytes[t as usize]);
                    }
                    ids.extend_from_slice(&forced);
                    if c.is_done() {
                        return Ok(timed(ids, true));
                    }
                    if ids.len() < max_new as usize {
                        in_time()?;
                        logits = self.model.step(&forced)?;
                    }
                    continue;
                }
            }
            let allowed = match constraint.as_deref_mut() {
                Some(c) => Some(c.allowed().map_err(grammar_failed)?),
                None => None,
            };
            if constraint.is_none() {
                penalise_repeats(&mut logits, &ids);
            } else if strings.inside {
                penalise_repeats(&mut logits, &strings.current);
            }
            let token = sampler.pick(&logits, allowed.as_ref())?;
            if token == self.model.eos || self.model.special[token as usize] {
                return Ok(timed(ids, true));
            }
            ids.push(token);
            if let Some(c) = constraint.as_deref_mut() {
                strings.push(token, &self.model.token_bytes[token as usize]);
                c.consume(token).map_err(grammar_failed)?;
                if c.is_done() {
                    return Ok(timed(ids, true));
                }
            }
            // Only free text streams. Byte-level BPE can split a character
            // across tokens: only text that decodes cleanly is passed on.
            let text = match constraint {
                Some(_) => String::new(),
                None => self.model.decode(&ids)?,
            };
            if stop.reached(&text) {
                return Ok(timed(ids, true));
            }
            if let Some(new) = text.strip_prefix(shown.as_str())
                && !new.is_empty()
                && !new.ends_with(char::REPLACEMENT_CHARACTER)
            {
                if !on_text(new) {
                    return Err(error(
                        LlmErrorKind::Timeout,
                        "the caller stopped waiting".into(),
                    ));
                }
                shown = text;
            }
            if ids.len() < max_new as usize {
                in_time()?;
                logits = self.model.step(&[token])?;
            }
        }
        Ok(timed(ids, false))
    }
}

/// Where free text ends before the token cap (the break that ends it is not
/// streamed and is trimmed from the answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Only at the cap or a control token.
    Cap,
    /// At the first paragraph break after a sentence.
    Paragraph,
    /// At the first line break after a sentence.
    Line,
}

impl Stop {
    fn reached(self, text: &str) -> bool {
        let text = text.trim_start();
        let brk = match self {
            Stop::Cap => return false,
            Stop::Paragraph => "\n\n",
            Stop::Line => "\n",
        };
        text.find(brk)
            .is_some_and(|i| text[..i].contains(['.', '!', '?']))
    }
}

/// Generated tokens looked back on by [`penalise_repeats`].
const REPEAT_WINDOW: usize = 64;
/// How much less likely a recently generated token becomes (llama.cpp's
/// `repeat_penalty`, same rule). Greedy decoding of a 135M model otherwise
/// falls into a loop ("The first row is a list of columns..." until the
/// cap), and the answer's facts are lost in it.
const REPEAT_PENALTY: f32 = 1.3;

/// Where a constrained output is: inside a JSON string or not, and the
/// tokens that wrote the current string's text. A tool call's JSON repeats
/// by construction (keys, separators), but a string value can loop like free
/// text: a coordinator's `send_message` content was "The chart is ready."
/// over and over until the reply's token cap. So inside a string the
/// repetition penalty applies to that string's own tokens; the token that
/// closes it never wrote text, so ending the string is not pushed down.
#[derive(Default)]
struct JsonStrings {
    inside: bool,
    escaped: bool,
    current: Vec<u32>,
}

impl JsonStrings {
    /// Follow one generated token (its bytes) through the JSON text.
    fn push(&mut self, token: u32, bytes: &[u8]) {
        let mut wrote = false;
        for &b in bytes {
            if !self.inside {
                if b == b'"' {
                    self.inside = true;
                    self.current.clear();
                }
            } else if self.escaped {
                self.escaped = false;
                wrote = true;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.inside = false;
            } else {
                wrote = true;
            }
        }
        if wrote && self.inside {
            self.current.push(token);
        }
    }
}

/// Push down the logits of tokens among the last [`REPEAT_WINDOW`] of
/// `generated` (free text, or the current string of a tool call, see
/// [`JsonStrings`]). Prompt tokens are not penalised, so numbers from a
/// tool result can be copied.
fn penalise_repeats(logits: &mut [f32], generated: &[u32]) {
    let recent = &generated[generated.len().saturating_sub(REPEAT_WINDOW)..];
    let mut seen = std::collections::HashSet::with_capacity(recent.len());
    for &t in recent {
        if let Some(l) = logits.get_mut(t as usize)
            && seen.insert(t)
        {
            *l = if *l > 0.0 {
                *l / REPEAT_PENALTY
            } else {
                *l * REPEAT_PENALTY
            };
        }
    }
}

fn grammar_failed(e: String) -> LlmError {
    error(
        LlmErrorKind::BadResponse,
        format!("constrained decoding failed: {e}"),
    )
}

struct Generated {
    /// Generated tokens, without the stop token.
    ids: Vec<u32>,
    /// Stopped by itself (end of turn or complete call), not by the cap.
    finished: bool,
}

/// Greedy at temperature 0 (and by default, so answers are reproducible);
/// seeded multinomial sampling above it.
enum Sampler {
    Greedy,
    Random(Box<LogitsProcessor>),
}

impl Sampler {
    fn new(request: &ChatRequest) -> Result<Sampler, LlmError> {
        match request.temperature {
            Some(t) if t > 0.0 => {
                let seed = match request.seed {
                    Some(s) => s,
                    None => {
                        getrandom::u64().map_err(|e| unavailable(format!("no random seed: {e}")))?
                    }
                };
                Ok(Sampler::Random(Box::new(LogitsProcessor::from_sampling(
                    seed,
                    Sampling::All { temperature: t },
                ))))
            }
            _ => Ok(Sampler::Greedy),
        }
    }

    fn pick(&mut self, logits: &[f32], allowed: Option<&SimpleVob>) -> Result<u32, LlmError> {
        let ok = |i: usize| allowed.is_none_or(|a| a.is_allowed(i as u32));
        match self {
            Sampler::Greedy => logits
                .iter()
                .enumerate()
                .filter(|(i, _)| ok(*i))
                .fold(None, |best: Option<(usize, f32)>, (i, &l)| match best {
                    Some((_, b)) if b >= l => best,
                    _ => Some((i, l)),
                })
                .map(|(i, _)| i as u32)
                .ok_or_else(|| grammar_failed("no token is allowed".into())),
            Sampler::Random(p) => {
                let t = Tensor::new(logits, &Device::Cpu)
                    .map_err(|e| unavailable(format!("sampling: {e}")))?;
                p.sample_f(&t, |prs| {
                    prs.iter_mut()
                        .enumerate()
                        .filter(|(i, _)| !ok(*i))
                        .for_each(|(_, p)| *p = 0.0)
                })
                .map_err(|e| unavailable(format!("sampling: {e}")))
            }
        }
    }
}

fn serve(
    models_dir: &std::path::Path,
    engine: &mut Option<Engine>,
    job: &Job,
) -> Result<ChatResponse, LlmError> {
    if Instant::now() >= job.deadline {
        return Err(error(
            LlmErrorKind::Timeout,
            "the request timed out waiting for the local model (it serves one request at a time)"
                .into(),
        ));
    }
    // A failed load is retried on the next request, so fetching the model
    // while the daemon runs is enough.
    if engine.is_none() {
        *engine = Some(Engine::load(models_dir)?);
    }
    let engine = engine.as_mut().expect("loaded above");
    engine.answer(&job.request, job.deadline, &mut |text| {
        job.events.send(Event::Text(text.to_string())).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::llm::{ToolChoice, ToolSpec};
    use std::sync::OnceLock;
    use std::time::Duration;

    fn models_dir() -> Option<PathBuf> {
        std::env::var_os("CAXTON_MODELS_DIR")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .map(|h| PathBuf::from(h).join(".local/share/caxton/models"))
            })
    }

    /// The installed model, loaded once for all tests (they take turns), or
    /// `None` (skip) unless CAXTON_REQUIRE_MODEL=1.
    fn engine() -> Option<std::sync::MutexGuard<'static, Engine>> {
        static ENGINE: OnceLock<Result<Mutex<Engine>, String>> = OnceLock::new();
        let loaded = ENGINE.get_or_init(|| {
            let dir = models_dir().ok_or("no HOME or CAXTON_MODELS_DIR")?;
            Engine::load(&dir)
                .map(Mutex::new)
                .map_err(|e| e.to_string())
        });
        match loaded {
            Ok(m) => Some(m.lock().unwrap_or_else(|p| p.into_inner())),
            Err(e) if std::env::var("CAXTON_REQUIRE_MODEL").is_ok_and(|v| v == "1") => {
                panic!("CAXTON_REQUIRE_MODEL=1 but the local model does not load: {e}")
            }
            Err(e) => {
                eprintln!("note: skipping local model test: {e}");
                None
            }
        }
    }

    fn request(user: &str, max_tokens: u32) -> ChatRequest {
        ChatRequest {
            model: None,
            messages: vec![Message::new(Role::User, user)],
            tools: vec![],
            tool_choice: ToolChoice::Auto,
            temperature: Some(0.0),
            max_tokens: Some(max_tokens),
            seed: None,
            timeout: Duration::from_secs(60),
        }
    }

    fn run(e: &mut Engine, r: &ChatRequest) -> Result<(ChatResponse, String), LlmError> {
        let mut streamed = String::new();
        let deadline = Instant::now() + r.timeout;
        let resp = e.answer(r, deadline, &mut |t| {
            streamed.push_str(t);
            true
        })?;
        Ok((resp, streamed))
    }

    #[test]
    fn an_answer_ends_at_its_first_break_after_a_sentence() {
        let p = Stop::Paragraph;
        assert!(p.reached("The total is 30.\n\nNorth"));
        assert!(!p.reached("The total is 30.\nNorth"));
        assert!(!p.reached("The total is 30."));
        // A heading before the facts is not yet an answer.
        assert!(!p.reached("Summary\n\n"));
        assert!(!p.reached("\n\nThe total"));
        // Going on from a given start: one line.
        assert!(Stop::Line.reached(" North sold the most.\nSouth"));
        assert!(!Stop::Line.reached("\nNorth sold the most."));
        assert!(!Stop::Cap.reached("The total is 30.\n\nNorth"));
    }

    #[test]
    fn recent_tokens_are_penalised_once_and_the_prompt_is_not() {
        let mut logits = vec![2.6, -1.0, 3.0, 0.5];
        // token 0 twice, token 1 once; 2 and 3 never generated.
        penalise_repeats(&mut logits, &[0, 1, 0]);
        assert_eq!(logits, vec![2.0, -1.3, 3.0, 0.5]);
        // Outside the window: not penalised.
        let mut logits = vec![1.3, 1.0];
        let mut old = vec![0u32];
        old.extend(std::iter::repeat_n(1u32, REPEAT_WINDOW));
        penalise_repeats(&mut logits, &old);
        assert_eq!(logits[0], 1.3);
    }

    /// Inside a call's string the tokens that wrote its text are tracked
    /// (and only those of the current string); the closing quote is not.
    #[test]
    fn string_tokens_of_a_call_are_tracked_for_the_repetition_penalty() {
        let mut s = JsonStrings::default();
        let feed = |s: &mut JsonStrings, pieces: &[(u32, &str)]| {
            for (t, text) in pieces {
                s.push(*t, text.as_bytes());
            }
        };
        feed(&mut s, &[(1, "{\""), (2, "tool"), (3, "\": \"")]);
        assert!(s.inside);
        assert!(s.current.is_empty(), "a new string starts empty");
        feed(
            &mut s,
            &[(4, "The"), (5, " chart"), (6, " is"), (7, " \\\"")],
        );
        assert_eq!(s.current, [4, 5, 6, 7], "an escaped quote is text");
        assert!(s.inside);
        feed(&mut s, &[(8, ".\"")]);
        assert!(!s.inside);
        feed(&mut s, &[(9, ", \"x"), (10, "y")]);
        assert_eq!(s.current, [9, 10]);
        // Penalised: this string's tokens, not the one that would close it.
        let mut logits = vec![1.0; 12];
        penalise_repeats(&mut logits, &s.current);
        assert!(logits[9] < 1.0 && logits[10] < 1.0);
        assert_eq!(logits[8], 1.0);
        assert_eq!(logits[4], 1.0);
    }

    /// Pinned from this tokenizer; the research notes checked it gives
    /// llama.cpp's ids for chat prompts, digits, unicode and emoji. The
    /// ChatML frame is SmolLM2's own: `<|im_start|>` = 1, `<|im_end|>` = 2,
    /// "assistant" = "ass" + "istant".
    #[test]
    fn tokenizer_matches_pinned_chat_ids() {
        let Some(e) = engine() else { return };
        let text = prompt::render(&request("What is 2+2? Say hi 👋", 1), false);
        let ids = e.model.encode(&text).unwrap();
        assert_eq!(
            ids,
            [
                1, 9690, 198, 2683, 359, 253, 5356, 5646, 11173, 3365, 3511, 308, 34519, 28, 7018,
                411, 407, 19712, 8182, 2, 198, 1, 4093, 198, 1780, 314, 216, 34, 27, 34, 47, 16172,
                15876, 15107, 235, 229, 2, 198, 1, 520, 9531, 198
            ]
        );
        let plain = text.replace("<|im_start|>", "").replace("<|im_end|>", "");
        assert_eq!(e.model.decode(&ids).unwrap(), plain);
    }

    #[test]
    fn greedy_generation_is_deterministic_and_streams_its_text() {
        let Some(mut e) = engine() else { return };
        let r = request("Name three colours.", 8);
        let (a, streamed) = run(&mut e, &r).unwrap();
        let (b, _) = run(&mut e, &r).unwrap();
        assert_eq!(a, b);
        assert!(!a.message.content.trim().is_empty());
        assert_eq!(streamed, a.message.content);
        assert_eq!(a.model, MODEL_NAME);
        assert!(a.usage.prompt_tokens > 20);
        assert!(a.usage.completion_tokens >= 1 && a.usage.completion_tokens <= 8);
        if a.finish_reason == FinishReason::Length {
            assert_eq!(a.usage.completion_tokens, 8);
        }
        // A seeded sample is reproducible too.
        let hot = ChatRequest {
            temperature: Some(1.0),
            seed: Some(7),
            ..r.clone()
        };
        assert_eq!(run(&mut e, &hot).unwrap().0, run(&mut e, &hot).unwrap().0);
    }

    #[test]
    fn max_tokens_caps_the_reply() {
        let Some(mut e) = engine() else { return };
        let (r, _) = run(&mut e, &request("Write a long poem about the sea.", 3)).unwrap();
        assert_eq!(r.finish_reason, FinishReason::Length);
        assert_eq!(r.usage.completion_tokens, 3);
    }

    /// Short string caps keep every possible call within the test's
    /// `max_tokens`, so a cut-off call cannot make the test flaky.
    fn tools() -> Vec<ToolSpec> {
        let string = serde_json::json!({"type": "string", "maxLength": 16});
        let spec = |name: &str, description: &str, props: serde_json::Value| ToolSpec {
            name: name.into(),
            description: description.into(),
            parameters: serde_json::json!({
                "type": "object",
                "properties": props,
                "required": props.as_object().unwrap().keys().collect::<Vec<_>>(),
            }),
        };
        vec![
            spec(
                "get_weather",
                "Current weather of a city",
                serde_json::json!({"city": string}),
            ),
            spec(
                "remember",
                "Store a fact about the user",
                serde_json::json!({"fact": string}),
            ),
            spec(
                "send_message",
                "Send a text to another agent",
                serde_json::json!({"agent": string, "text": string,
                                   "urgent": {"type": "boolean"}}),
            ),
        ]
    }

    /// Whatever the model picks, greedy or sampled, the call parses and
    /// validates against the chosen tool's schema; with tools offered the
    /// first reply is a call whether or not the request requires one.
    #[test]
    fn constrained_tool_calls_always_parse_and_validate() {
        let Some(mut e) = engine() else { return };
        let asks = [
            ("What's the weather in Paris?", None, ToolChoice::Auto),
            (
                "Tell the billing agent that invoice 42 is paid.",
                Some(3),
                ToolChoice::Required,
            ),
            ("Hello! Who are you?", None, ToolChoice::Auto),
        ];
        for (ask, seed, tool_choice) in asks {
            let r = ChatRequest {
                tools: tools(),
                tool_choice,
                temperature: seed.map(|_| 1.0),
                seed,
                ..request(ask, 64)
            };
            let (resp, streamed) = run(&mut e, &r).unwrap();
            assert!(streamed.is_empty(), "tool calls are not streamed as text");
            assert_eq!(resp.finish_reason, FinishReason::ToolCalls, "{resp:?}");
            let [call] = resp.message.tool_calls.as_slice() else {
                panic!("one call expected: {resp:?}")
            };
            assert_eq!(call.id, "call_1");
            let spec = tools().into_iter().find(|t| t.name == call.name).unwrap();
            let args: serde_json::Value = serde_json::from_str(&call.arguments).unwrap();
            assert!(jsonschema::is_valid(&spec.parameters, &args), "{args}");
        }
    }

    #[test]
    fn after_a_tool_result_the_model_answers_in_text() {
        let Some(mut e) = engine() else { return };
        let mut r = ChatRequest {
            tools: tools(),
            ..request("What's the weather in Paris?", 8)
        };
        r.messages.push(Message {
            tool_calls: vec![ToolCall {
                id: "call_1".into(),
                name: "get_weather".into(),
                arguments: r#"{"city": "Paris"}"#.into(),
            }],
            ..Message::new(Role::Assistant, "")
        });
        r.messages
            .push(Message::tool_result("call_1", "Sunny, 21 degrees."));
        let (resp, streamed) = run(&mut e, &r).unwrap();
        assert!(resp.message.tool_calls.is_empty());
        assert!(!resp.message.content.is_empty());
        assert_eq!(streamed, resp.message.content);
    }

    /// A prompt that starts with an earlier prompt's turns continues from
    /// the saved state, and gets the logits a full computation gets.
    #[test]
    fn a_shared_start_of_prompt_is_computed_once_and_reused_exactly() {
        let Some(mut e) = engine() else { return };
        let system = "<|im_start|>system\nYou are a careful data analyst.<|im_end|>\n";
        let a = e
            .model
            .encode(&format!(
                "{system}<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
            ))
            .unwrap();
        let b = e
            .model
            .encode(&format!(
                "{system}<|im_start|>user\nSummarise sales.csv<|im_end|>\n<|im_start|>assistant\n"
            ))
            .unwrap();
        let mut go = || Ok(());
        e.model.forget();
        let (_, reused) = e.model.prefill(&a, &mut go).unwrap();
        assert_eq!(reused, 0);
        let (continued, reused) = e.model.prefill(&b, &mut go).unwrap();
        let system_len = e.model.encode(system).unwrap().len();
        assert_eq!(reused, system_len);
        // A generated token continues the state in place.
        let next = e.model.step(&[42]).unwrap();
        e.model.forget();
        let (fresh, reused) = e.model.prefill(&b, &mut go).unwrap();
        assert_eq!(reused, 0);
        let close = |x: &[f32], y: &[f32]| x.iter().zip(y).all(|(p, q)| (p - q).abs() < 1e-3);
        assert!(close(&continued, &fresh));
        assert!(close(&next, &e.model.step(&[42]).unwrap()));
        // States are saved where turns start: a prompt that goes on from
        // the earlier one's user turn continues after it.
        let mut longer = b[..b.len() - 1].to_vec();
        longer.extend(e.model.encode("Hello").unwrap());
        let (_, reused) = e.model.prefill(&longer, &mut go).unwrap();
        let assistant_turn = b.iter().rposition(|&t| t == b[0]).unwrap();
        assert_eq!(reused, assistant_turn);
    }

    #[test]
    fn too_long_a_prompt_is_refused_clearly() {
        let Some(mut e) = engine() else { return };
        let r = request(&"lorem ipsum ".repeat(3000), 8);
        let err = run(&mut e, &r).unwrap_err();
        assert_eq!(err.kind, LlmErrorKind::InvalidRequest);
        assert!(err.message.contains("at most 4096"), "{}", err.message);
    }

    #[test]
    fn an_exceeded_timeout_stops_generation() {
        let Some(mut e) = engine() else { return };
        let r = request("Write a long story.", 400);
        let err = e.answer(&r, Instant::now(), &mut |_| true).unwrap_err();
        assert_eq!(err.kind, LlmErrorKind::Timeout);
    }

    #[test]
    fn the_provider_keeps_the_timeout_of_a_queued_request() {
        let dir = tempfile::tempdir().unwrap();
        let p = LocalProvider::new(dir.path());
        let r = ChatRequest {
            timeout: Duration::ZERO,
            ..request("Hi", 4)
        };
        let err = p.chat(&r, &mut |_| {}).unwrap_err();
        assert_eq!(err.kind, LlmErrorKind::Timeout, "{err}");
    }

    #[test]
    fn a_missing_model_names_the_path_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let p = LocalProvider::new(dir.path());
        assert_eq!(p.name(), "local");
        assert_eq!(p.notice(), Some(NOTICE));
        for _ in 0..2 {
            let err = p.chat(&request("Hi", 4), &mut |_| {}).unwrap_err();
            assert_eq!(err.kind, LlmErrorKind::Unavailable);
            assert_eq!(err.provider, "local");
            let expected = dir.path().join(MODEL_NAME).join(model::Q4_1_FILE);
            assert!(
                err.message.contains(&expected.display().to_string()),
                "{}",
                err.message
            );
            assert!(
                err.message.contains("scripts/fetch-models"),
                "{}",
                err.message
            );
        }
    }

    /// Through the provider: the worker thread loads the model (from a
    /// Q4_1-only directory, so it re-encodes and writes the Q8_0 cache)
    /// and a later load uses that cache and answers the same.
    #[test]
    fn first_load_reencodes_and_caches_q8_0() {
        let Some(installed) = engine().map(|_| models_dir().unwrap()) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let mdir = dir.path().join(MODEL_NAME);
        std::fs::create_dir(&mdir).unwrap();
        let q4 = installed.join(MODEL_NAME).join(model::Q4_1_FILE);
        if std::fs::hard_link(&q4, mdir.join(model::Q4_1_FILE)).is_err() {
            std::fs::copy(&q4, mdir.join(model::Q4_1_FILE)).unwrap();
        }
        let r = request("Hello!", 6);
        let first = LocalProvider::new(dir.path())
            .chat(&r, &mut |_| {})
            .unwrap();
        assert!(mdir.join(model::Q8_0_FILE).is_file());
        let cached = Model::load(dir.path()).unwrap();
        assert_eq!(cached.source, model::Source::Cached);
        let again = LocalProvider::new(dir.path())
            .chat(&r, &mut |_| {})
            .unwrap();
        assert_eq!(first, again);
    }
}
