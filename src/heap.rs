//! Per-thread heap accounting: the process allocator counts, for a thread
//! that asked for it, the bytes it allocated minus the bytes it freed, so a
//! thread running untrusted work (a jq filter, src/tools/json_processor.rs)
//! can be stopped once it holds too much. Counting is a thread-local flag
//! test on every allocation; threads that never start a count pay only that.
//!
//! The allocator itself never refuses: Rust aborts the process when an
//! allocation fails, so the limit is enforced by the counted thread checking
//! [`used`] at its own safe points and stopping there.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting for threads inside [`count`].
pub struct Counting;

thread_local! {
    // `const` and without `Drop`: no lazy initialisation and no destructor
    // registration, so reading them can never allocate (or recurse here).
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static NET: Cell<isize> = const { Cell::new(0) };
}

#[inline]
fn track(delta: isize) {
    // `try_with`: during thread teardown the slots may be gone.
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let _ = NET.try_with(|n| n.set(n.get().saturating_add(delta)));
        }
    });
}

// SAFETY: every call is forwarded unchanged to `System`; the bookkeeping
// touches only thread-local cells and neither allocates nor unwinds.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        track(layout.size() as isize);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        track(layout.size() as isize);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        track(-(layout.size() as isize));
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        track(new_size as isize - layout.size() as isize);
        // SAFETY: as for `dealloc`, with the caller's `new_size`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Count this thread's heap growth from zero while `f` runs.
pub fn count<T>(f: impl FnOnce() -> T) -> T {
    struct Stop(bool);
    impl Drop for Stop {
        fn drop(&mut self) {
            COUNTING.with(|c| c.set(self.0));
        }
    }
    let _stop = Stop(COUNTING.with(Cell::get));
    NET.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    f()
}

/// Bytes this thread allocated and has not freed since [`count`] began (0
/// outside it, or when it freed more than it allocated).
#[inline]
pub fn used() -> usize {
    NET.with(|n| n.get().max(0) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_is_counted_per_thread_and_freed_bytes_come_off() {
        count(|| {
            let v = vec![0u8; 10 << 20];
            assert!(used() >= 10 << 20, "{}", used());
            // Another thread's allocations are not this thread's.
            std::thread::spawn(|| drop(vec![0u8; 64 << 20]))
                .join()
                .unwrap();
            assert!(used() < 11 << 20, "{}", used());
            drop(v);
            assert!(used() < 1 << 20, "{}", used());
        });
    }
}
