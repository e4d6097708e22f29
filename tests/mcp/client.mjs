// A scripted MCP client on the official TypeScript SDK (@modelcontextprotocol/sdk),
// for tests/it/mcp_server.rs: connects over stdio or Streamable HTTP, runs the steps
// read from stdin (a JSON array), and prints one JSON array of outcomes.
//
//   node client.mjs stdio CMD [ARGS...]            < steps.json
//   node client.mjs http URL [HEADER=VALUE ...]    < steps.json
//
// Steps: {"list": true} | {"call": NAME, "arguments": {...}} |
//        {"waitToolsChanged": MS}  (waits for notifications/tools/list_changed) |
//        {"exec": [CMD, ARGS...]}  (runs a command mid-session, e.g. a deploy)
// Outcomes: {"result": ...} or {"error": {"code", "message"}} per step.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { execFileSync } from "node:child_process";

const [mode, target, ...rest] = process.argv.slice(2);
const steps = JSON.parse(await new Promise((resolve) => {
  let s = "";
  process.stdin.on("data", (d) => (s += d));
  process.stdin.on("end", () => resolve(s));
}));

let transport;
if (mode === "stdio") {
  transport = new StdioClientTransport({ command: target, args: rest, env: process.env, stderr: "inherit" });
} else if (mode === "http") {
  const headers = Object.fromEntries(rest.map((h) => [h.slice(0, h.indexOf("=")), h.slice(h.indexOf("=") + 1)]));
  transport = new StreamableHTTPClientTransport(new URL(target), { requestInit: { headers } });
} else {
  console.error(`usage: client.mjs stdio CMD [ARGS...] | http URL [HEADER=VALUE ...]`);
  process.exit(2);
}

const client = new Client({ name: "caxton-tests", version: "1" });
let changes = 0;
const waiters = [];
client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
  changes += 1;
  waiters.splice(0).forEach((w) => w());
});

const outcomes = [];
try {
  await client.connect(transport);
  outcomes.push({ result: { serverInfo: client.getServerVersion(), capabilities: client.getServerCapabilities() } });
  for (const step of steps) {
    try {
      if (step.list) {
        outcomes.push({ result: await client.listTools() });
      } else if (step.call) {
        outcomes.push({ result: await client.callTool({ name: step.call, arguments: step.arguments ?? {} }, undefined, { timeout: 120000 }) });
      } else if (step.exec) {
        execFileSync(step.exec[0], step.exec.slice(1), { stdio: ["ignore", "ignore", "inherit"] });
        outcomes.push({ result: { exec: true } });
      } else if (step.waitToolsChanged !== undefined) {
        const seen = changes;
        await new Promise((resolve, reject) => {
          if (changes > seen) return resolve();
          const t = setTimeout(() => reject(new Error("no notifications/tools/list_changed")), step.waitToolsChanged);
          waiters.push(() => { clearTimeout(t); resolve(); });
        });
        outcomes.push({ result: { toolsChanged: true } });
      } else {
        throw new Error(`unknown step ${JSON.stringify(step)}`);
      }
    } catch (e) {
      outcomes.push({ error: { code: e.code ?? null, message: String(e.message ?? e) } });
    }
  }
} catch (e) {
  outcomes.push({ error: { code: e.code ?? null, message: String(e.message ?? e) } });
} finally {
  console.log(JSON.stringify(outcomes));
  await client.close().catch(() => {});
}
