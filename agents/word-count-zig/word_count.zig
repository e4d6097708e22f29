//! The word-count example agent in Zig: same request and answer as
//! agents/word-count (Rust). Words are runs of letters, digits and
//! apostrophes; bytes outside ASCII count as letters, and only ASCII is
//! lower-cased (the Rust agent uses Unicode classes).
//!
//! Build (see README.md):
//!   python -m ziglang build-exe word_count.zig -target wasm32-wasi -O ReleaseSmall \
//!       -fno-entry -rdynamic --stack 65536 -femit-bin=word-count-zig.wasm

const std = @import("std");
const caxton = @import("caxton.zig");

comptime {
    caxton.handler(handle);
}

fn fail(gpa: std.mem.Allocator, message: []const u8) ![]u8 {
    var out = std.ArrayList(u8).init(gpa);
    try out.appendSlice("{\"error\":");
    try std.json.stringify(message, .{}, out.writer());
    try out.append('}');
    return out.toOwnedSlice();
}

fn handle(gpa: std.mem.Allocator, request: []const u8) ![]u8 {
    var arena = std.heap.ArenaAllocator.init(gpa);
    defer arena.deinit();
    const a = arena.allocator();
    const parsed = std.json.parseFromSliceLeaky(std.json.Value, a, request, .{}) catch
        return fail(gpa, "bad request: not JSON");
    if (parsed != .object) return fail(gpa, "bad request: not a JSON object");
    const input = parsed.object.get("input") orelse return fail(gpa, "bad request: missing field `input`");
    var top: u64 = 5;
    const text = switch (input) {
        .string => |s| s,
        .object => |o| blk: {
            if (o.get("top")) |t| if (t == .integer and t.integer >= 0) {
                top = @intCast(t.integer);
            };
            const t = o.get("text") orelse return fail(gpa, "input.text must be a string");
            if (t != .string) return fail(gpa, "input.text must be a string");
            break :blk t.string;
        },
        else => return fail(gpa, "input must be a string or {\"text\": ...}"),
    };
    return count(gpa, a, text, top);
}

fn isWord(c: u8) bool {
    return std.ascii.isAlphanumeric(c) or c == '\'' or c >= 0x80;
}

const Entry = struct { word: []const u8, count: u64 };

fn byCount(_: void, x: Entry, y: Entry) bool {
    if (x.count != y.count) return x.count > y.count;
    return std.mem.order(u8, x.word, y.word) == .lt;
}

fn count(gpa: std.mem.Allocator, a: std.mem.Allocator, text: []const u8, top: u64) ![]u8 {
    const lower = try std.ascii.allocLowerString(a, text);
    var freq = std.StringHashMap(u64).init(a);
    var words: u64 = 0;
    var i: usize = 0;
    while (i < lower.len) {
        if (!isWord(lower[i])) {
            i += 1;
            continue;
        }
        const start = i;
        while (i < lower.len and isWord(lower[i])) i += 1;
        words += 1;
        const slot = try freq.getOrPut(lower[start..i]);
        slot.value_ptr.* = if (slot.found_existing) slot.value_ptr.* + 1 else 1;
    }
    var chars: u64 = 0;
    var lines: u64 = 0;
    for (text) |c| {
        if (c & 0xC0 != 0x80) chars += 1;
        if (c == '\n') lines += 1;
    }
    if (text.len > 0 and text[text.len - 1] != '\n') lines += 1;
    var ranked = try std.ArrayList(Entry).initCapacity(a, freq.count());
    var it = freq.iterator();
    while (it.next()) |e| ranked.appendAssumeCapacity(.{ .word = e.key_ptr.*, .count = e.value_ptr.* });
    std.mem.sort(Entry, ranked.items, {}, byCount);
    const n = @min(top, 100, ranked.items.len);

    var out = std.ArrayList(u8).init(gpa);
    const w = out.writer();
    try w.print("{{\"words\":{d},\"lines\":{d},\"characters\":{d},\"unique_words\":{d},\"top_words\":[", .{ words, lines, chars, freq.count() });
    for (ranked.items[0..n], 0..) |e, k| {
        if (k > 0) try w.writeByte(',');
        try w.writeAll("{\"word\":");
        try std.json.stringify(e.word, .{}, w);
        try w.print(",\"count\":{d}}}", .{e.count});
    }
    try w.writeAll("]}");
    caxton.logLine(.info, try std.fmt.allocPrint(a, "counted {d} words", .{words}));
    return out.toOwnedSlice();
}
