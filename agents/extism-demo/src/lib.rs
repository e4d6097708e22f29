//! An Extism plug-in written against the Extism PDK only: nothing here
//! knows it runs in Caxton.

use extism_pdk::*;

/// Greets `name` with the deployment's `greeting` config, logs it, and
/// counts its calls in the `count` variable (persisted by the host).
#[plugin_fn]
pub fn greet(name: String) -> FnResult<String> {
    let greeting = config::get("greeting")?.unwrap_or_else(|| "Hello".to_string());
    let count: u64 = var::get::<String>("count")?
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
        + 1;
    var::set("count", count.to_string())?;
    info!("greeting {} (call {})", name, count);
    Ok(format!("{greeting}, {name}! (call {count})"))
}

/// GETs the URL given as input and answers `STATUS BODY`.
#[plugin_fn]
pub fn fetch(url: String) -> FnResult<String> {
    let response = http::request::<()>(&HttpRequest::new(&url), None)?;
    Ok(format!(
        "{} {}",
        response.status_code(),
        String::from_utf8_lossy(&response.body())
    ))
}

/// What a message to the agent calls by default: the input, wrapped.
#[plugin_fn]
pub fn handle(input: String) -> FnResult<String> {
    Ok(format!("{{\"handled\": {:?}}}", input))
}

/// Fails with the input as its error message.
#[plugin_fn]
pub fn fail(input: String) -> FnResult<String> {
    Err(Error::msg(format!("refused: {input}")).into())
}
