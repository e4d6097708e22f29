// A deliberately misbehaving MCP stdio server for Caxton's tests of crash
// restart and timeouts (the real npm servers cover the normal protocol).
// Tools: `echo` answers, `crash` exits the process, `hang` never answers.
const readline = require("readline");
const rl = readline.createInterface({ input: process.stdin });
const send = (m) => process.stdout.write(JSON.stringify(m) + "\n");
const obj = { type: "object", properties: { message: { type: "string" } } };
rl.on("line", (line) => {
  const msg = JSON.parse(line);
  if (msg.id === undefined) return; // notifications
  if (msg.method === "initialize") {
    send({ jsonrpc: "2.0", id: msg.id, result: { protocolVersion: "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: "caxton-test", version: "1" } } });
  } else if (msg.method === "tools/list") {
    send({ jsonrpc: "2.0", id: msg.id, result: { tools: ["echo", "crash", "hang"].map((name) => ({ name, description: name, inputSchema: obj })) } });
  } else if (msg.method === "tools/call") {
    const { name, arguments: args } = msg.params;
    if (name === "crash") { process.stderr.write("crashing on purpose\n"); process.exit(7); }
    if (name === "hang") return;
    send({ jsonrpc: "2.0", id: msg.id, result: { content: [{ type: "text", text: `pid ${process.pid}: ${args.message}` }] } });
  } else {
    send({ jsonrpc: "2.0", id: msg.id, error: { code: -32601, message: "unknown method" } });
  }
});
