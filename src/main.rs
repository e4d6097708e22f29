use clap::Parser;

fn main() -> std::process::ExitCode {
    // SAFETY: first statement of main, before any thread exists.
    unsafe { caxton::runtime::llm::local::candle_defaults() };
    if let Some(code) = caxton::cli::tool_worker() {
        return std::process::ExitCode::from(code);
    }
    let cli = caxton::cli::Cli::parse();
    let json = cli.global.json;
    let code = match caxton::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            caxton::cli::output::render_error(&e, json);
            e.exit_code()
        }
    };
    std::process::ExitCode::from(code as u8)
}
