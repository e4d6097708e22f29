//! Caxton WASM ABI v1 for Zig (docs/wasm-abi.md): the host imports and the
//! exports the host calls. In your agent:
//!
//!     const caxton = @import("caxton.zig");
//!     fn handle(gpa: std.mem.Allocator, request: []const u8) ![]u8 { ... }
//!     comptime { caxton.handler(handle); }
//!
//! `request` is the request JSON; return the answer JSON allocated with
//! `gpa` (it is freed at the next call). An error becomes `{"error": NAME}`.

const std = @import("std");

extern "caxton" fn log(level: i32, ptr: [*]const u8, len: usize) void;
extern "caxton" fn now_ms() i64;
extern "caxton" fn memory_store(ptr: [*]const u8, len: usize) i32;
extern "caxton" fn send_message(ptr: [*]const u8, len: usize) i32;

pub const Level = enum(i32) { err = 0, warn = 1, info = 2, debug = 3 };

/// A line for the agent's log.
pub fn logLine(level: Level, message: []const u8) void {
    log(@intFromEnum(level), message.ptr, message.len);
}

/// Unix time in milliseconds.
pub fn nowMs() i64 {
    return now_ms();
}

/// Store entities/observations in the agent's memory scope (0 = done).
pub fn memoryStore(payload: []const u8) i32 {
    return memory_store(payload.ptr, payload.len);
}

/// Send a message in the conversation being handled (0 = accepted).
pub fn sendMessage(message: []const u8) i32 {
    return send_message(message.ptr, message.len);
}

pub const allocator = std.heap.wasm_allocator;

/// The answer stays alive until the next call, as the ABI asks.
var last: []u8 = &.{};

/// Export `caxton_alloc`, `caxton_dealloc` and `caxton_handle` around `handle`.
pub fn handler(comptime handle: fn (std.mem.Allocator, []const u8) anyerror![]u8) void {
    const S = struct {
        fn alloc(len: usize) callconv(.c) ?[*]u8 {
            const buf = allocator.alloc(u8, @max(len, 1)) catch return null;
            return buf.ptr;
        }
        fn dealloc(ptr: [*]u8, len: usize) callconv(.c) void {
            allocator.free(ptr[0..@max(len, 1)]);
        }
        fn call(ptr: [*]u8, len: usize) callconv(.c) i64 {
            if (last.len > 0) allocator.free(last);
            last = handle(allocator, ptr[0..len]) catch |e|
                std.fmt.allocPrint(allocator, "{{\"error\":\"{s}\"}}", .{@errorName(e)}) catch &.{};
            dealloc(ptr, len);
            const addr: i64 = @intCast(@intFromPtr(last.ptr));
            return (addr << 32) | @as(i64, @intCast(last.len));
        }
    };
    @export(&S.alloc, .{ .name = "caxton_alloc" });
    @export(&S.dealloc, .{ .name = "caxton_dealloc" });
    @export(&S.call, .{ .name = "caxton_handle" });
}
