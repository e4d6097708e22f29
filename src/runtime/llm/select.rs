//! Which provider answers an agent: its own `[llm]` table, else the server
//! config's `[llm]`, else the embedded `local` model. Per-provider settings
//! live in `[llm.providers.<name>]` (base_url, model, api_key, api_key_env).

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use super::{LlmError, LlmErrorKind, Provider, anthropic, local, openai};
use crate::agent::spec::{self, LlmSettings};
use crate::config::LlmConfig;

/// The resolved settings of one agent's provider. Serialises without the
/// key: `diagnose` shows where the key comes from, never the key.
#[derive(Debug, Clone, Serialize)]
pub struct Resolved {
    pub provider: String,
    /// Where the choice came from: `agent`, `server config`, or `default`.
    pub chosen_by: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// `env OPENAI_API_KEY`, `config api_key`, or `none`.
    pub key_source: String,
    #[serde(skip)]
    api_key: Option<String>,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u32>,
}

impl Resolved {
    /// A stable key for caching built providers.
    pub fn cache_key(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.provider,
            self.base_url.as_deref().unwrap_or(""),
            self.model.as_deref().unwrap_or(""),
            self.key_source
        )
    }
}

fn provider_name(p: &spec::Provider) -> &'static str {
    match p {
        spec::Provider::Local => "local",
        spec::Provider::Openai => openai::NAME,
        spec::Provider::Anthropic => anthropic::NAME,
    }
}

/// Resolve the provider settings for an agent. `env` reads environment
/// variables (injected so tests and the daemon control it).
pub fn resolve(
    cfg: &LlmConfig,
    agent: Option<&LlmSettings>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Resolved {
    let from_agent = agent.and_then(|a| a.provider.as_ref()).map(provider_name);
    let (provider, chosen_by) = match from_agent {
        Some(p) => (p.to_string(), "agent"),
        None if cfg.provider != "local" => (cfg.provider.clone(), "server config"),
        None => ("local".to_string(), "default"),
    };
    let empty = Map::new();
    let table = cfg
        .providers
        .get(&provider)
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let text = |k: &str| table.get(k).and_then(Value::as_str).map(str::to_string);
    let default_url = match provider.as_str() {
        openai::NAME => Some(openai::DEFAULT_BASE_URL),
        anthropic::NAME => Some(anthropic::DEFAULT_BASE_URL),
        _ => None,
    };
    let base_url = agent
        .and_then(|a| a.base_url.clone())
        .or_else(|| text("base_url"))
        .or_else(|| default_url.map(str::to_string));
    let default_model = match provider.as_str() {
        openai::NAME => Some(openai::DEFAULT_MODEL),
        anthropic::NAME => Some(anthropic::DEFAULT_MODEL),
        _ => None,
    };
    let model = agent
        .and_then(|a| a.model.clone())
        .or_else(|| cfg.model.clone().filter(|_| cfg.provider == provider))
        .or_else(|| text("model"))
        .or_else(|| default_model.map(str::to_string));
    let default_env = match provider.as_str() {
        openai::NAME => Some("OPENAI_API_KEY"),
        anthropic::NAME => Some("ANTHROPIC_API_KEY"),
        _ => None,
    };
    let named_env = text("api_key_env");
    let (api_key, key_source) = if let Some(var) = &named_env {
        (env(var), format!("env {var}"))
    } else if let Some(k) = text("api_key") {
        (Some(k), "config api_key".to_string())
    } else if let Some(var) = default_env {
        (env(var), format!("env {var}"))
    } else {
        (None, "none".to_string())
    };
    let api_key = api_key.filter(|k| !k.trim().is_empty());
    let key_source = if api_key.is_some() {
        key_source
    } else {
        format!("none ({key_source} is not set)")
    };
    Resolved {
        provider,
        chosen_by,
        base_url,
        model,
        key_source,
        api_key,
        temperature: agent.and_then(|a| a.temperature),
        max_tokens: agent.and_then(|a| a.max_tokens),
    }
}

/// Build the provider for resolved settings; the local model lives under
/// `models_dir` (loaded on its first chat, not here).
pub fn build(r: &Resolved, models_dir: &Path) -> Result<Arc<dyn Provider>, LlmError> {
    let url = r.base_url.as_deref().unwrap_or_default();
    let model = r.model.as_deref().unwrap_or_default();
    match r.provider.as_str() {
        openai::NAME => Ok(Arc::new(openai::OpenAi::new(
            url,
            r.api_key.clone(),
            model,
        )?)),
        anthropic::NAME => Ok(Arc::new(anthropic::Anthropic::new(
            url,
            r.api_key.clone(),
            model,
        )?)),
        "local" => Ok(Arc::new(local::LocalProvider::new(models_dir))),
        other => Err(LlmError {
            kind: LlmErrorKind::Unavailable,
            provider: other.to_string(),
            message: format!(
                "unknown provider `{other}` in the server config [llm] provider (use local, openai or anthropic)"
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(provider: Option<spec::Provider>, base_url: Option<&str>) -> LlmSettings {
        LlmSettings {
            provider,
            model: None,
            base_url: base_url.map(String::from),
            temperature: None,
            max_tokens: None,
            answer_max_tokens: None,
        }
    }

    #[test]
    fn agent_beats_server_config_beats_local() {
        let mut cfg = LlmConfig::default();
        let none = |_: &str| None;
        assert_eq!(resolve(&cfg, None, &none).provider, "local");
        cfg.provider = "anthropic".into();
        cfg.model = Some("claude-x".into());
        let r = resolve(&cfg, None, &none);
        assert_eq!(
            (r.provider.as_str(), r.chosen_by),
            ("anthropic", "server config")
        );
        assert_eq!(r.model.as_deref(), Some("claude-x"));
        let a = settings(Some(spec::Provider::Openai), Some("http://127.0.0.1:9/v1"));
        let r = resolve(&cfg, Some(&a), &none);
        assert_eq!((r.provider.as_str(), r.chosen_by), ("openai", "agent"));
        assert_eq!(r.base_url.as_deref(), Some("http://127.0.0.1:9/v1"));
        // The server's model belongs to the server's provider.
        assert_eq!(r.model.as_deref(), Some(openai::DEFAULT_MODEL));
    }

    #[test]
    fn key_sources_and_serialisation_without_key() {
        let mut cfg = LlmConfig::default();
        cfg.providers.insert(
            "openai".into(),
            serde_json::json!({"api_key_env": "MY_KEY"}),
        );
        let a = settings(Some(spec::Provider::Openai), None);
        let env = |k: &str| (k == "MY_KEY").then(|| "sk-secret-value".to_string());
        let r = resolve(&cfg, Some(&a), &env);
        assert_eq!(r.key_source, "env MY_KEY");
        let shown = serde_json::to_string(&r).unwrap();
        assert!(!shown.contains("sk-secret-value"), "{shown}");
        let r = resolve(&cfg, Some(&a), &|_| None);
        assert!(r.key_source.starts_with("none"));
    }

    #[test]
    fn local_is_the_default_and_builds_without_touching_the_model() {
        let r = resolve(&LlmConfig::default(), None, &|_| None);
        assert_eq!((r.provider.as_str(), r.chosen_by), ("local", "default"));
        // The model loads on the first chat, so a missing file is no error yet.
        let p = build(&r, Path::new("/nonexistent/models")).unwrap();
        assert_eq!(p.name(), "local");
        assert!(p.notice().is_some());
    }
}
