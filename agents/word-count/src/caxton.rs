//! A tiny SDK for Caxton's WASM ABI v1 (docs/wasm-abi.md): the exports the
//! host calls, the `caxton` host imports, and a macro that turns a
//! `fn(&[u8]) -> Vec<u8>` into `caxton_handle`. Copy it into your agent.

use std::cell::RefCell;

#[link(wasm_import_module = "caxton")]
unsafe extern "C" {
    #[link_name = "log"]
    fn host_log(level: i32, ptr: *const u8, len: usize);
    #[link_name = "now_ms"]
    fn host_now_ms() -> i64;
    #[link_name = "memory_store"]
    fn host_memory_store(ptr: *const u8, len: usize) -> i32;
    #[link_name = "send_message"]
    fn host_send_message(ptr: *const u8, len: usize) -> i32;
}

/// Log levels understood by the host.
pub const ERROR: i32 = 0;
pub const WARN: i32 = 1;
pub const INFO: i32 = 2;
pub const DEBUG: i32 = 3;

/// Write a line to the agent's log.
pub fn log(level: i32, message: &str) {
    // SAFETY: the host only reads `len` bytes at `ptr`, which we own.
    unsafe { host_log(level, message.as_ptr(), message.len()) }
}

/// Unix time in milliseconds, from the host.
pub fn now_ms() -> i64 {
    // SAFETY: no arguments, no memory access.
    unsafe { host_now_ms() }
}

/// Store entities/observations in the agent's memory scope; the status
/// code is 0 on success and negative otherwise (-1 = not available).
pub fn memory_store(payload: &str) -> i32 {
    // SAFETY: the host only reads `len` bytes at `ptr`, which we own.
    unsafe { host_memory_store(payload.as_ptr(), payload.len()) }
}

/// Send a message (JSON: `performative`, `capability` or `receiver`,
/// `content`, ...) in the conversation being handled. 0 = accepted;
/// -2 invalid, -3 too large, -6 refused by loop protection, -1 outside a
/// message delivery.
pub fn send_message(message: &str) -> i32 {
    // SAFETY: the host only reads `len` bytes at `ptr`, which we own.
    unsafe { host_send_message(message.as_ptr(), message.len()) }
}

thread_local! {
    /// The last output stays alive here until the next call, as the ABI says.
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The host asks for `len` bytes to write the request into.
#[unsafe(no_mangle)]
pub extern "C" fn caxton_alloc(len: usize) -> *mut u8 {
    let mut buf = Vec::<u8>::with_capacity(len.max(1));
    let ptr = buf.as_mut_ptr();
    std::mem::forget(buf);
    ptr
}

/// Give back memory from `caxton_alloc`.
///
/// # Safety
/// `ptr` and `len` must come from one `caxton_alloc(len)` call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn caxton_dealloc(ptr: *mut u8, len: usize) {
    // SAFETY: the caller passes a pointer and length from `caxton_alloc`.
    drop(unsafe { Vec::from_raw_parts(ptr, 0, len.max(1)) });
}

/// Keep `out` and pack its address and length for the host.
pub fn respond(out: Vec<u8>) -> i64 {
    OUTPUT.with(|o| {
        *o.borrow_mut() = out;
        let o = o.borrow();
        ((o.as_ptr() as u32 as i64) << 32) | o.len() as u32 as i64
    })
}

/// Export `caxton_handle` calling `$f(&[u8]) -> Vec<u8>` with the request JSON.
#[macro_export]
macro_rules! caxton_handler {
    ($f:path) => {
        /// Entry point of ABI v1.
        ///
        /// # Safety
        /// The host passes a buffer it got from `caxton_alloc(len)` and filled.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn caxton_handle(ptr: *mut u8, len: usize) -> i64 {
            // SAFETY: the host filled `len` bytes of the buffer from caxton_alloc(len).
            let input = unsafe { Vec::from_raw_parts(ptr, len, len.max(1)) };
            $crate::caxton::respond($f(&input))
        }
    };
}
