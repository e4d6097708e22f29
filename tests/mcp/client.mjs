// A scripted MCP client on the official TypeScript SDK (@modelcontextprotocol/sdk),
// for tests/it/mcp_server.rs: connects over stdio or Streamable HTTP, runs the steps
// read from stdin (a JSON array), and prints one JSON array of outcomes.
//
//   node client.mjs stdio CMD [ARGS...]            < steps.json
//   node client.mjs http URL [HEADER=VALUE ...]    < steps.json
//
// Steps: {"list": true} | {"call": NAME, "arguments": {...}, "progress"?: true, "abortOnProgress"?: true} |
//        {"waitToolsChanged": MS}  (waits for notifications/tools/list_changed) |
//        {"resources": true} | {"templates": true} | {"read": URI} |
//        {"waitResourcesChanged": MS}  (waits for notifications/resources/list_changed) |
//        {"exec": [CMD, ARGS...]}  (runs a command mid-session, e.g. a deploy)
// Outcomes: {"result": ...} or {"error": {"code", "message"}} per step.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
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
// list_changed notifications seen and those a wait step has consumed: a wait
// returns at once for one that came before it (the tools and the resources
// notification of one deploy arrive together), else waits for the next.
const seen = { tools: 0, resources: 0 };
const consumed = { tools: 0, resources: 0 };
const waiters = { tools: [], resources: [] };
for (const [kind, schema] of [["tools", ToolListChangedNotificationSchema], ["resources", ResourceListChangedNotificationSchema]]) {
  client.setNotificationHandler(schema, () => {
    seen[kind] += 1;
    waiters[kind].splice(0).forEach((w) => w());
  });
}
const waitChanged = (kind, ms) =>
  new Promise((resolve, reject) => {
    const done = () => { consumed[kind] = seen[kind]; resolve(); };
    if (seen[kind] > consumed[kind]) return done();
    const t = setTimeout(() => reject(new Error(`no notifications/${kind}/list_changed`)), ms);
    waiters[kind].push(() => { clearTimeout(t); done(); });
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
        // "progress": collect notifications/progress (the SDK sends a progressToken
        // when onprogress is given); "abortOnProgress": cancel the call (AbortSignal,
        // notifications/cancelled) at its first progress notification.
        const progress = [];
        const abort = new AbortController();
        const options = { timeout: 120000, signal: abort.signal };
        if (step.progress || step.abortOnProgress) {
          options.onprogress = (p) => {
            progress.push(p);
            if (step.abortOnProgress) abort.abort("cancelled by the test");
          };
        }
        try {
          const result = await client.callTool({ name: step.call, arguments: step.arguments ?? {} }, undefined, options);
          outcomes.push({ result: step.progress ? { ...result, progress } : result });
        } catch (e) {
          outcomes.push({ error: { code: e.code ?? null, message: String(e.message ?? e), aborted: abort.signal.aborted, progress } });
        }
      } else if (step.exec) {
        execFileSync(step.exec[0], step.exec.slice(1), { stdio: ["ignore", "ignore", "inherit"] });
        outcomes.push({ result: { exec: true } });
      } else if (step.waitToolsChanged !== undefined) {
        await waitChanged("tools", step.waitToolsChanged);
        outcomes.push({ result: { toolsChanged: true } });
      } else if (step.waitResourcesChanged !== undefined) {
        await waitChanged("resources", step.waitResourcesChanged);
        outcomes.push({ result: { resourcesChanged: true } });
      } else if (step.resources) {
        outcomes.push({ result: await client.listResources() });
      } else if (step.templates) {
        outcomes.push({ result: await client.listResourceTemplates() });
      } else if (step.read) {
        outcomes.push({ result: await client.readResource({ uri: step.read }) });
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
