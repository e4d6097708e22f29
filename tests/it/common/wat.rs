//! The one WAT skeleton of a Caxton ABI v1 module, shared by the integration
//! tests and the benchmarks (`benches/common/mod.rs` includes this file).

/// WAT text of an ABI v1 module: one page of exported memory, a bump-free
/// `caxton_alloc` that always answers `alloc_at`, a no-op `caxton_dealloc`,
/// and `caxton_handle(p, n) -> i64` whose body is `body`. `extra` adds
/// imports, data segments and functions.
pub fn abi_wat_at(alloc_at: u32, extra: &str, body: &str) -> String {
    format!(
        r#"(module {extra}
             (memory (export "memory") 1)
             (func (export "caxton_alloc") (param i32) (result i32) i32.const {alloc_at})
             (func (export "caxton_dealloc") (param i32 i32))
             (func (export "caxton_handle") (param $p i32) (param $n i32) (result i64) {body}))"#
    )
}

/// [`abi_wat_at`] with requests placed at 1024, compiled to binary.
pub fn abi_module(extra: &str, body: &str) -> Vec<u8> {
    wat::parse_str(abi_wat_at(1024, extra, body)).expect("valid WAT")
}
