//! The one way Caxton builds an HTTP client, so every client (LLM providers,
//! the `http_client` tool, Qdrant, the daemon client) speaks TLS through the
//! same crypto provider.
//!
//! reqwest is built with `rustls-no-provider` and rustls with *ring* only:
//! reqwest's default provider, aws-lc-rs, compiles the aws-lc C library, the
//! costliest build script of a first build (docs/performance.md, "Build
//! time"). Without a built-in provider reqwest panics when a client is built
//! before a process-wide provider is installed, so the builder below installs
//! it first.

use std::sync::Once;

/// A blocking client builder, with the TLS crypto provider installed.
pub fn client_builder() -> reqwest::blocking::ClientBuilder {
    install_crypto_provider();
    reqwest::blocking::Client::builder()
}

/// Installs *ring* as the process's rustls provider, once. An `Err` from
/// `install_default` means a provider is already installed, which is as good.
fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The adapters must still reach https endpoints (OpenAI, Anthropic):
    /// a client with certificate verification builds, and an https request
    /// fails on the network, not for want of TLS support.
    #[test]
    fn https_client_builds() {
        let client = client_builder()
            .https_only(true)
            .build()
            .expect("an https client builds");
        // Port 1 on loopback refuses at once; the error must be a connect
        // error, which reqwest only reaches once its TLS connector exists.
        let err = client
            .get("https://127.0.0.1:1/")
            .send()
            .expect_err("nothing listens on port 1");
        assert!(err.is_connect(), "{err:?}");
    }
}
