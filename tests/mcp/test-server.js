// A deliberately misbehaving MCP stdio server for Caxton's tests of crash
// restart and timeouts (the real npm servers cover the normal protocol).
// Tools: `echo` answers, `crash` exits the process, `hang` never answers,
// `cancelled` answers with the params of every `notifications/cancelled`
// received so far (JSON text), so a test can check a timed-out call sent one.
// `env` answers with the names of the variables in its environment (JSON
// text), so a test can check what Caxton passes on.
// With `--outlive-stdin` it keeps running after its stdin closes, like a
// server that ignores EOF: only a signal stops it. With `--page-forever`
// every `tools/list` page names a next one.
const readline = require("readline");
if (process.argv.includes("--outlive-stdin")) {
  process.stdin.on("end", () => setInterval(() => {}, 1 << 30));
}
const rl = readline.createInterface({ input: process.stdin });
const send = (m) => process.stdout.write(JSON.stringify(m) + "\n");
const obj = { type: "object", properties: { message: { type: "string" } } };
const cancelled = [];
rl.on("line", (line) => {
  const msg = JSON.parse(line);
  if (msg.id === undefined) {
    if (msg.method === "notifications/cancelled") cancelled.push(msg.params);
    return;
  }
  if (msg.method === "initialize") {
    send({ jsonrpc: "2.0", id: msg.id, result: { protocolVersion: "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: "caxton-test", version: "1" } } });
  } else if (msg.method === "tools/list" && process.argv.includes("--page-forever")) {
    const page = Number((msg.params && msg.params.cursor) || 0);
    send({ jsonrpc: "2.0", id: msg.id, result: { tools: [{ name: `t${page}`, description: "page", inputSchema: obj }], nextCursor: String(page + 1) } });
  } else if (msg.method === "tools/list") {
    send({ jsonrpc: "2.0", id: msg.id, result: { tools: ["echo", "crash", "hang", "cancelled", "env"].map((name) => ({ name, description: name, inputSchema: obj })) } });
  } else if (msg.method === "tools/call") {
    const { name, arguments: args } = msg.params;
    if (name === "crash") { process.stderr.write("crashing on purpose\n"); process.exit(7); }
    if (name === "hang") {
      // Tests that need to know the call is in flight (and this pid) ask
      // for a marker file.
      if (process.env.MCP_TEST_HANG_MARK) require("fs").writeFileSync(process.env.MCP_TEST_HANG_MARK, String(process.pid));
      return;
    }
    if (name === "env") {
      send({ jsonrpc: "2.0", id: msg.id, result: { content: [{ type: "text", text: JSON.stringify(Object.keys(process.env).sort()) }] } });
      return;
    }
    if (name === "cancelled") {
      send({ jsonrpc: "2.0", id: msg.id, result: { content: [{ type: "text", text: JSON.stringify(cancelled) }] } });
      return;
    }
    send({ jsonrpc: "2.0", id: msg.id, result: { content: [{ type: "text", text: `pid ${process.pid}: ${args.message}` }] } });
  } else {
    send({ jsonrpc: "2.0", id: msg.id, error: { code: -32601, message: "unknown method" } });
  }
});
