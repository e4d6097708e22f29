// Caxton dashboard: renders the daemon's JSON API (/api/v1/*), nothing
// else. No framework and no build step; every value from the API is put in
// the page as text (textContent), never as HTML. Live views poll.
"use strict";

const POLL_MS = 2000;
const TOKEN_KEY = "caxton-token";
const main = () => document.getElementById("main");

// ---- DOM helpers -----------------------------------------------------------

// h("td", {class: "num"}, "3") builds an element; strings become text nodes.
function h(tag, attrs, ...children) {
  const svg = ["svg", "line", "circle", "text", "polyline", "a", "g", "title", "rect"].includes(tag)
    && attrs && attrs.svg;
  const el = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "svg" || v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
const s = (tag, attrs, ...children) => h(tag, Object.assign({svg: true}, attrs), ...children);

function badge(status) {
  const v = String(status || "unknown");
  return h("span", {class: "badge s-" + v.toLowerCase().replace(/[^a-z]/g, "")}, v);
}
function table(headers, rows, attrs) {
  return h("table", attrs || {},
    h("thead", null, h("tr", null, headers.map(x => typeof x === "string"
      ? h("th", {scope: "col"}, x) : h("th", Object.assign({scope: "col"}, x[1]), x[0])))),
    h("tbody", null, rows));
}
function fmtDuration(secs) {
  secs = Math.max(0, Math.floor(secs || 0));
  const d = Math.floor(secs / 86400), hr = Math.floor(secs % 86400 / 3600), m = Math.floor(secs % 3600 / 60);
  return d ? `${d}d ${hr}h` : hr ? `${hr}h ${m}m` : m ? `${m}m ${secs % 60}s` : `${secs}s`;
}
function fmtTime(ms) {
  return ms ? new Date(ms).toLocaleString() : "–";
}
function fmtBytes(n) {
  if (!n) return "0 B";
  const u = ["B", "KiB", "MiB", "GiB"];
  const i = Math.min(u.length - 1, Math.floor(Math.log(n) / Math.log(1024)));
  return (n / 1024 ** i).toFixed(i ? 1 : 0) + " " + u[i];
}
function json(v) {
  return typeof v === "string" ? v : JSON.stringify(v, null, 2);
}
function setLive(text) {
  document.getElementById("live").textContent = text;
}

// ---- API -------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    const e = body && body.error;
    super(e ? `${e.message}${e.hint ? " — " + e.hint : ""}` : `HTTP ${status}`);
    this.status = status;
    this.code = e && e.code;
  }
}

function authHeaders(extra) {
  const headers = Object.assign({}, extra);
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = "Bearer " + token;
  return headers;
}

// An answer that is not what was asked for: the API's error, or a login.
async function failure(resp) {
  const text = await resp.text();
  const data = text && (resp.headers.get("content-type") || "").includes("json") ? JSON.parse(text) : text;
  if (resp.status === 401) showLogin(sessionStorage.getItem(TOKEN_KEY) ? "That token was refused." : "");
  return new ApiError(resp.status, data);
}

async function api(method, path, body) {
  const headers = authHeaders(body === undefined ? {} : {"Content-Type": "application/json"});
  const resp = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  if (!resp.ok) throw await failure(resp);
  const text = await resp.text();
  return text && (resp.headers.get("content-type") || "").includes("json") ? JSON.parse(text) : text;
}

// POST with the answer as Server-Sent Events: onEvent(name, data) for each
// event as it arrives. Errors before the stream starts (unknown agent, too
// many executions, a refused token) come back as plain API errors.
async function postEvents(path, body, onEvent) {
  const headers = authHeaders({"Content-Type": "application/json", Accept: "text/event-stream"});
  const resp = await fetch(path, {method: "POST", headers, body: JSON.stringify(body)});
  if (!resp.ok || !(resp.headers.get("content-type") || "").startsWith("text/event-stream")) throw await failure(resp);
  const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buf += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buf.indexOf("\n\n")) >= 0) {
      const frame = buf.slice(0, end);
      buf = buf.slice(end + 2);
      let name = "message";
      const data = [];
      for (const line of frame.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    }
  }
}
const get = path => api("GET", path);
const post = (path, body) => api("POST", path, body);

function showLogin(message) {
  const d = document.getElementById("login");
  document.getElementById("login-error").textContent = message || "";
  if (!d.open) d.showModal();
}

function confirmDialog(text, okLabel) {
  const d = document.getElementById("confirm");
  document.getElementById("confirm-text").textContent = text;
  const ok = document.getElementById("confirm-ok");
  ok.textContent = okLabel;
  return new Promise(resolve => {
    const done = v => () => { d.close(v); };
    const okH = done("ok"), cancelH = done("cancel");
    ok.addEventListener("click", okH, {once: true});
    document.getElementById("confirm-cancel").addEventListener("click", cancelH, {once: true});
    d.addEventListener("close", () => {
      ok.removeEventListener("click", okH);
      resolve(d.returnValue === "ok");
    }, {once: true});
    d.returnValue = "";
    d.showModal();
    document.getElementById("confirm-cancel").focus();
  });
}

// ---- Pages and polling -----------------------------------------------------

// The current page's polls; a poll starts `ms` after the previous one
// finished, so a slow daemon is never asked twice at once.
let generation = 0;
function every(ms, f) {
  const mine = generation;
  const run = async () => {
    if (mine !== generation) return;
    try {
      await f();
      setLive("live · updated " + new Date().toLocaleTimeString());
    } catch (e) {
      setLive(e.status === 401 ? "signed out" : "daemon unreachable: " + e.message);
    }
    if (mine === generation) setTimeout(run, ms);
  };
  run();
}
function stopTimers() {
  generation += 1;
}

// A section whose content is replaced on each update.
function panel(title, id) {
  return h("section", {class: "panel", "aria-labelledby": id + "-h"}, h("h2", {id: id + "-h"}, title),
    h("div", {id}));
}
function fill(id, ...content) {
  const el = document.getElementById(id);
  // replaceChildren would print a left-out part (null) as the text "null".
  if (el) el.replaceChildren(...content.flat().filter(c => c !== null && c !== undefined && c !== false));
}
function errorText(e) {
  return h("p", {class: "error", role: "alert"}, e.message);
}

// Sum of every sample of a Prometheus metric (all label sets).
function metricSum(text, name) {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
      const v = parseFloat(line.slice(line.lastIndexOf(" ") + 1));
      if (Number.isFinite(v)) sum += v;
    }
  }
  return sum;
}

// ---- Overview --------------------------------------------------------------

function overview() {
  main().replaceChildren(
    h("h1", null, "Overview"),
    h("div", {class: "grid", id: "cards"}),
    h("div", {class: "cols"}, panel("Health", "components"), panel("Memory", "memory")),
    panel("Agents", "agents"));
  let last = null;
  every(POLL_MS, async () => {
    // The agents table first: it does not wait for the other four calls.
    const agentsDrawn = get("/api/v1/agents").then(agents => fill("agents", agentsTable(agents)));
    // Awaited below; until then a failure must not count as unhandled.
    agentsDrawn.catch(() => {});
    const [health, mem, res, metrics] = await Promise.all([
      get("/api/v1/health/detailed"), get("/api/v1/health/memory"), get("/api/v1/health/resources"),
      get("/api/v1/metrics")]);
    document.getElementById("safe-mode").hidden = !health.safe_mode;
    const now = performance.now();
    const counts = {
      exec: metricSum(metrics, "caxton_agent_response_duration_seconds_count"),
      msgs: metricSum(metrics, "caxton_messages_total"),
    };
    const rate = k => last && now > last.t ? ((counts[k] - last[k]) * 1000 / (now - last.t)).toFixed(2) : "–";
    const cards = [
      ["Status", badge(health.status)], ["Uptime", fmtDuration(health.uptime_seconds)],
      ["Executions / s", rate("exec")], ["Messages / s", rate("msgs")],
      ["In flight", health.executions_in_flight], ["Daemon memory", `${res.memory_mb} MB`],
      ["Daemon CPU", `${res.cpu_percent} %`], ["Version", health.version],
    ];
    last = Object.assign({t: now}, counts);
    fill("cards", cards.map(([k, v]) => h("div", {class: "card"}, h("div", {class: "k"}, k), h("div", {class: "v"}, v))));
    const comp = Object.entries(health.components).map(([k, v]) => typeof v === "object"
      ? h("tr", null, h("th", {scope: "row"}, k), h("td", null, Object.entries(v).map(([a, b]) => `${a}: ${b}`).join(", ")))
      : h("tr", null, h("th", {scope: "row"}, k), h("td", null, badge(v))));
    fill("components", table(["Component", "State"], comp));
    fill("memory",
      h("p", null, `${mem.entities} of ${mem.max_entities} entities (${mem.usage_percent}% of the capacity limit)`),
      h("meter", {min: 0, max: 100, value: mem.usage_percent, low: 70, high: 90, optimum: 0,
        "aria-label": "memory usage against capacity"}),
      h("p", {class: "muted"}, `SQLite ${mem.sqlite_status}, embedding model ${mem.embedding_model}, backend ${mem.backend}`));
    await agentsDrawn;
  });
}

function agentsTable(agents) {
  if (!agents.length) return h("p", null, "No agents deployed. Deploy one with caxton agents deploy.");
  const rows = agents.map(a => h("tr", {"data-agent": a.id},
    h("th", {scope: "row"}, h("a", {href: "#/agent/" + encodeURIComponent(a.id)}, a.id)),
    h("td", null, a.type), h("td", null, badge(a.status)),
    h("td", {class: "opt"}, a.version || "–"),
    h("td", {class: "num opt"}, fmtDuration(a.uptime_seconds)),
    h("td", {class: "num"}, a.memory_mb + " MB"), h("td", {class: "num"}, a.cpu_percent + " %"),
    h("td", {class: "num"}, a.runs.executions), h("td", {class: "num opt"}, a.runs.failures)));
  return table(["Agent", "Type", "Status", ["Version", {class: "opt"}], ["Uptime", {class: "num opt"}],
    ["Memory", {class: "num"}], ["CPU", {class: "num"}], ["Runs", {class: "num"}], ["Failures", {class: "num opt"}]],
    rows, {class: "wide", id: "agents-table"});
}

// ---- Agent page ------------------------------------------------------------

// TOML with simple highlighting: comments, [tables], keys, strings, numbers.
function tomlView(text) {
  const pre = h("pre", {class: "toml", tabindex: 0, "aria-label": "agent definition"});
  for (const line of text.split("\n")) {
    const m = line.match(/^(\s*)(#.*)$/);
    if (m) pre.append(m[1], h("span", {class: "c"}, m[2]));
    else if (/^\s*\[\[?[^\]]+\]\]?\s*$/.test(line)) pre.append(h("span", {class: "h"}, line));
    else {
      const kv = line.match(/^(\s*)([A-Za-z0-9_."-]+)(\s*=\s*)(.*)$/);
      if (kv) {
        pre.append(kv[1], h("span", {class: "k"}, kv[2]), kv[3]);
        pre.append(...valueSpans(kv[4]));
      } else pre.append(...valueSpans(line));
    }
    pre.append("\n");
  }
  return pre;
}
function valueSpans(v) {
  const out = [];
  const re = /("""|'''|"(?:[^"\\]|\\.)*"|'[^']*'|\b-?\d[\d_.eE+-]*\b|\btrue\b|\bfalse\b|#.*$)/g;
  let at = 0, m;
  while ((m = re.exec(v))) {
    out.push(v.slice(at, m.index));
    const t = m[0];
    out.push(h("span", {class: t[0] === "#" ? "c" : /^["']/.test(t) ? "s" : "n"}, t));
    at = m.index + t.length;
  }
  out.push(v.slice(at));
  return out;
}

// Line chart of `points` ([label, ms]) as inline SVG.
function latencyChart(points, caption) {
  if (!points.length) return h("p", {class: "muted"}, "No runs yet.");
  const W = 600, H = 160, P = 34;
  const max = Math.max(...points.map(p => p[1]), 1);
  const x = i => P + (points.length === 1 ? (W - 2 * P) / 2 : i * (W - 2 * P) / (points.length - 1));
  const y = v => H - P + 10 - v / max * (H - 2 * P);
  const poly = points.map((p, i) => `${x(i).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" ");
  return s("svg", {class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": caption},
    s("title", null, caption),
    s("line", {x1: P, y1: H - P + 10, x2: W - P, y2: H - P + 10, stroke: "#8a9099"}),
    s("line", {x1: P, y1: y(max), x2: P, y2: H - P + 10, stroke: "#8a9099"}),
    s("text", {x: 2, y: y(max) + 4, fill: "#555b66"}, `${max.toFixed(0)} ms`),
    s("text", {x: 2, y: H - P + 14, fill: "#555b66"}, "0"),
    s("polyline", {points: poly, fill: "none", stroke: "#0b57d0", "stroke-width": 2}),
    points.map((p, i) => s("circle", {cx: x(i), cy: y(p[1]), r: 3, fill: "#0b57d0"},
      s("title", null, `${p[0]}: ${p[1].toFixed(1)} ms`))));
}

function agentPage(id) {
  const enc = encodeURIComponent(id);
  const level = h("select", {id: "log-level"},
    ["all", "debug", "info", "warn", "error"].map(l => h("option", {value: l === "all" ? "" : l}, l)));
  const from = h("select", {id: "diff-from"}), to = h("select", {id: "diff-to"});
  main().replaceChildren(
    h("p", null, h("a", {href: "#/"}, "← Overview")),
    h("h1", {id: "agent-title"}, id),
    h("div", {class: "grid", id: "agent-cards"}),
    h("p", null, h("a", {href: "#/try/" + enc}, "Try this agent")),
    h("div", {class: "cols"}, panel("Definition", "definition"), panel("Versions", "versions")),
    h("section", {class: "panel", "aria-labelledby": "diff-h"}, h("h2", {id: "diff-h"}, "Compare versions"),
      h("form", {class: "inline", onsubmit: e => { e.preventDefault(); showDiff(enc, from.value, to.value); }},
        h("div", null, h("label", {for: "diff-from"}, "From"), from),
        h("div", null, h("label", {for: "diff-to"}, "To"), to),
        h("button", {type: "submit", id: "diff-button"}, "Show diff")),
      h("div", {id: "diff", "aria-live": "polite"})),
    panel("Latency", "latency"),
    panel("Recent runs", "runs"),
    h("section", {class: "panel", "aria-labelledby": "logs-h"}, h("h2", {id: "logs-h"}, "Logs"),
      h("form", {class: "inline", onsubmit: e => e.preventDefault()},
        h("div", null, h("label", {for: "log-level"}, "Lowest level"), level)),
      h("div", {id: "logs"})));
  level.addEventListener("change", () => refreshLogs(enc, level.value));
  let shownVersions = "", samples = [], lastRuns = null;
  every(POLL_MS, async () => {
    const [a, v] = await Promise.all([get("/api/v1/agents/" + enc), get("/api/v1/agents/" + enc + "/versions")]);
    document.getElementById("agent-title").textContent = `${a.name} (${a.type})`;
    const cards = [["Status", badge(a.status)], ["Version", a.version || "–"], ["Uptime", fmtDuration(a.uptime_seconds)],
      ["Memory", a.memory_mb + " MB"], ["CPU", a.cpu_percent + " %"], ["Runs", a.runs.executions],
      ["Failures", a.runs.failures], ["Capabilities", (a.capabilities || []).join(", ") || "–"]];
    if (a.type === "wasm" && a.usage) {
      const u = a.usage;
      cards.push(["Fuel", u.fuel.toLocaleString()], ["CPU time", u.cpu_ms.toFixed(1) + " ms"],
        ["Peak memory", fmtBytes(u.peak_memory_bytes)],
        ["Traps", Object.entries(u.traps || {}).map(([k, n]) => `${k}: ${n}`).join(", ") || "none"]);
    }
    if (a.error) cards.push(["Reload error", h("span", {class: "error"}, a.error)]);
    fill("agent-cards", cards.map(([k, val]) => h("div", {class: "card"}, h("div", {class: "k"}, k), h("div", {class: "v"}, val))));
    const key = JSON.stringify(v.versions);
    if (key !== shownVersions) {
      shownVersions = key;
      await renderVersions(enc, a, v.versions, from, to);
    }
    await refreshLogs(enc, level.value);
    if (a.type === "config") {
      const r = await get("/api/v1/agents/" + enc + "/runs?limit=20");
      renderRuns(r.runs);
      const pts = r.runs.slice().reverse().map(x => [x.record.started_at, x.record.timings.total_ms]);
      fill("latency", latencyChart(pts, "Latency of the last runs (ms)"));
    } else {
      // WASM agents keep counters, not a run log: the mean latency per poll.
      const now = a.runs;
      if (lastRuns && now.executions > lastRuns.executions) {
        samples.push([new Date().toLocaleTimeString(), (now.wall_us - lastRuns.wall_us) / 1000 / (now.executions - lastRuns.executions)]);
        samples = samples.slice(-60);
      }
      if (!lastRuns && now.executions) samples.push(["last run", now.wall_us / 1000]);
      lastRuns = now;
      fill("latency", latencyChart(samples, "Mean execution latency per interval while this page is open (ms)"));
      fill("runs", h("p", null, `${now.executions} executions, ${now.failures} failed; last: ${(now.wall_us / 1000).toFixed(1)} ms wall, ${(now.cpu_us / 1000).toFixed(1)} ms CPU, ${fmtBytes(now.last_memory_bytes)}`),
        now.last_error ? h("p", {class: "error"}, now.last_error) : null);
    }
  });
}

async function renderVersions(enc, agent, versions, from, to) {
  const current = versions[0];
  const rows = versions.map(v => h("tr", {"data-seq": v.seq},
    h("td", {class: "num"}, "#" + v.seq), h("td", null, v.version), h("td", null, v.action),
    h("td", {class: "opt"}, fmtTime(v.deployed_at)),
    h("td", null, v.content_hash === current.content_hash ? h("span", {class: "muted"}, "deployed")
      : h("button", {type: "button", class: "danger", id: "rollback-" + v.seq,
        onclick: () => rollback(enc, agent.id, v)}, "Roll back to #" + v.seq))));
  fill("versions", versions.length ? table([["#", {class: "num"}], "Version", "Action", ["When", {class: "opt"}], ""], rows, {class: "wide"})
    : h("p", null, "No recorded versions."));
  const opts = sel => versions.map((v, i) => h("option", {value: v.seq, selected: i === sel}, `#${v.seq} ${v.version}`));
  from.replaceChildren(...opts(Math.min(1, versions.length - 1)));
  to.replaceChildren(...opts(0));
  if (current) {
    const t = await get(`/api/v1/agents/${enc}/versions/${current.seq}`);
    fill("definition", agent.type === "config" ? tomlView(t.text) : tomlView(json(JSON.parse(t.text))));
  }
}

async function showDiff(enc, a, b) {
  try {
    const d = await get(`/api/v1/agents/${enc}/diff?from=${a}&to=${b}`);
    const pre = h("pre", {class: "diff", tabindex: 0, "aria-label": `changes from #${a} to #${b}`},
      d.lines.map(l => h("span", {class: l.tag === "insert" ? "ins" : l.tag === "delete" ? "del" : "eq"},
        (l.tag === "insert" ? "+ " : l.tag === "delete" ? "- " : "  ") + l.text)));
    fill("diff", h("p", null, `#${d.from.seq} ${d.from.version} → #${d.to.seq} ${d.to.version}: ${d.inserted} added, ${d.deleted} removed`), pre);
  } catch (e) {
    fill("diff", errorText(e));
  }
}

async function rollback(enc, id, v) {
  if (!await confirmDialog(`Roll ${id} back to version #${v.seq} (${v.version})? It is deployed and made live at once.`, "Roll back")) return;
  try {
    const r = await post(`/api/v1/agents/${enc}/rollback`, {to: v.seq});
    fill("diff", h("p", {role: "status"}, `Rolled back to ${r.rolled_back.version} (recorded as #${r.rolled_back.seq}).`));
  } catch (e) {
    fill("diff", errorText(e));
  }
}

async function refreshLogs(enc, level) {
  const l = await get(`/api/v1/agents/${enc}/logs?tail=100${level ? "&level=" + level : ""}`);
  fill("logs", l.lines.length ? h("pre", {tabindex: 0, "aria-label": "log lines"},
    l.lines.map(x => `${x.at || ""} ${String(x.level).toUpperCase().padEnd(5)} ${x.message}\n`))
    : h("p", {class: "muted"}, "No log lines at this level."));
}

function toolCalls(calls) {
  if (!calls || !calls.length) return h("p", {class: "muted"}, "No tool calls.");
  return h("ol", {class: "calls"}, calls.map(c => h("li", null,
    h("strong", null, c.name), " ", badge(c.outcome), ` ${c.duration_ms.toFixed(1)} ms`,
    h("pre", null, "arguments: " + json(c.arguments)),
    c.result !== undefined ? h("pre", null, "result: " + json(c.result)) : null,
    c.error ? h("p", {class: "error"}, c.error) : null)));
}

function renderRuns(runs) {
  if (!runs.length) return fill("runs", h("p", {class: "muted"}, "No runs recorded."));
  fill("runs", runs.map(r => {
    const x = r.record;
    return h("details", null,
      h("summary", null, `${x.started_at} · `, badge(x.status), ` · ${x.timings.total_ms.toFixed(0)} ms · ${x.tool_calls.length} tool calls`),
      h("p", null, "Input: ", h("code", null, json(x.input))),
      toolCalls(x.tool_calls),
      h("p", null, "Answer:"), h("pre", null, x.output || ""),
      x.error ? h("p", {class: "error"}, `${x.error.kind}: ${x.error.message}`) : null);
  }));
}

// ---- Try it ----------------------------------------------------------------

async function tryPage(preset) {
  const agentSel = h("select", {id: "try-agent", required: true});
  const input = h("textarea", {id: "try-input", required: true, "aria-describedby": "try-help"});
  const isJson = h("input", {type: "checkbox", id: "try-json"});
  const button = h("button", {type: "submit", id: "try-run"}, "Run");
  main().replaceChildren(h("h1", null, "Try it"),
    h("section", {class: "panel"},
      h("form", {id: "try-form", onsubmit: e => { e.preventDefault(); runTry(agentSel.value, input.value, isJson.checked, button); }},
        h("label", {for: "try-agent"}, "Agent"), agentSel,
        h("p", null, h("label", {for: "try-input"}, "Input"), input),
        h("p", {id: "try-help", class: "muted"}, "A question for a config agent, or JSON input for a WASM agent."),
        h("p", null, h("label", {class: "check", for: "try-json"}, isJson, "Send the input as JSON")),
        button)),
    panel("Result", "try-result"));
  const agents = await get("/api/v1/agents");
  agentSel.replaceChildren(...agents.map(a => h("option", {value: a.id, selected: a.id === preset, "data-type": a.type}, `${a.id} (${a.type})`)));
  const sync = () => { isJson.checked = (agents.find(a => a.id === agentSel.value) || {}).type === "wasm"; };
  agentSel.addEventListener("change", sync);
  sync();
}

async function runTry(id, text, asJson, button) {
  let input = text;
  if (asJson) {
    try { input = JSON.parse(text); } catch (e) {
      return fill("try-result", h("p", {class: "error", role: "alert"}, "The input is not JSON: " + e.message));
    }
  }
  button.disabled = true;
  const started = performance.now();
  const status = h("p", {role: "status"}, `Running ${id}…`);
  const calls = h("ol", {class: "calls", id: "try-calls"});
  const streamed = h("pre", {id: "try-stream"});
  const tick = setInterval(() => { status.textContent = `Running ${id}… ${((performance.now() - started) / 1000).toFixed(1)} s`; }, 200);
  fill("try-result", status, h("h3", null, "Tool calls"), calls, h("h3", null, "Answer"), streamed);
  // The run unfolds here: each tool call appears when the model asks for
  // it and gets its result when it finishes; the answer streams in.
  let pending = null;
  let result = null;
  try {
    await postEvents(`/api/v1/agents/${encodeURIComponent(id)}/execute`, {input}, (name, data) => {
      if (name === "text") streamed.append(data.text);
      else if (name === "tool_call") {
        pending = h("li", {class: "running"}, h("strong", null, data.name), " ", badge("running"));
        calls.append(pending);
      } else if (name === "tool_result") {
        const done = toolCalls([data]).firstChild;
        if (pending) pending.replaceWith(done); else calls.append(done);
        pending = null;
      } else if (name === "done") result = data;
      else if (name === "error") throw new ApiError(data.status, data);
    });
    clearInterval(tick);
    if (!result) throw new Error("The run's stream ended without a result; see the agent's runs.");
    const run = result.run;
    fill("try-result",
      h("p", {role: "status"}, `Finished in ${((performance.now() - started) / 1000).toFixed(2)} s`),
      h("h3", null, "Tool calls"), run ? toolCalls(run.tool_calls) : h("p", {class: "muted"}, "WASM agents call no tools; their log lines and resource use are below."),
      h("h3", null, "Answer"), h("pre", {id: "try-answer"}, json(result.output)),
      result.logs && result.logs.length ? [h("h3", null, "Log"), h("pre", null, result.logs.map(l => `${l.level} ${l.message}\n`))] : null,
      result.stats ? h("p", {class: "muted"}, `fuel ${result.stats.fuel}, CPU ${(result.stats.cpu_us / 1000).toFixed(1)} ms, wall ${(result.stats.wall_us / 1000).toFixed(1)} ms, peak memory ${fmtBytes(result.stats.peak_memory_bytes)}`) : null,
      run ? h("p", {class: "muted"}, `${run.provider} ${run.model}, ${run.rounds} rounds, ${run.timings.total_ms.toFixed(0)} ms`) : null);
  } catch (e) {
    clearInterval(tick);
    fill("try-result", errorText(e), calls.childNodes.length ? [h("h3", null, "Tool calls"), calls] : null);
  } finally {
    button.disabled = false;
  }
}

// ---- Memory ----------------------------------------------------------------

function memoryPage() {
  const q = h("input", {type: "search", id: "memory-query", required: true});
  main().replaceChildren(h("h1", null, "Memory"),
    h("section", {class: "panel"},
      h("form", {class: "inline", role: "search", onsubmit: e => { e.preventDefault(); search(q.value); }},
        h("div", null, h("label", {for: "memory-query"}, "Search"), q),
        h("button", {type: "submit", id: "memory-search"}, "Search"))),
    panel("Results", "memory-results"));
  q.focus();
}

async function search(query) {
  try {
    const r = await post("/api/v1/memory/search", {query, limit: 20});
    const top = Math.max(...r.results.map(x => x.score), 1e-9);
    fill("memory-results",
      h("p", {class: "muted"}, `${r.results.length} results (${r.mode} search)${r.pending_embeddings ? `, ${r.pending_embeddings} observations not embedded yet` : ""}`),
      h("ol", {class: "results", id: "memory-result-list"}, r.results.map(x => h("li", {"data-entity": x.name},
        h("a", {href: "#/memory/entity/" + encodeURIComponent(x.name)}, x.name), ` (${x.entity_type}) score ${x.score.toFixed(3)} `,
        h("meter", {min: 0, max: top, value: x.score, "aria-label": "score of " + x.name}),
        h("div", {class: "muted"}, x.matched)))));
  } catch (e) {
    fill("memory-results", errorText(e));
  }
}

async function entityPage(name) {
  main().replaceChildren(h("p", null, h("a", {href: "#/memory"}, "← Memory")), h("h1", null, name),
    h("div", {class: "cols"}, panel("Observations", "observations"), panel("Neighbourhood", "graph")), panel("Relations", "relations"));
  try {
    const g = await get("/api/v1/memory/entities/" + encodeURIComponent(name));
    const me = g.entities.find(e => e.name === name) || {observations: []};
    fill("observations", h("p", {class: "muted"}, me.entityType || ""), h("ul", null, me.observations.map(o => h("li", null, o))));
    fill("relations", g.relations.length ? table(["From", "Relation", "To"], g.relations.map(r => h("tr", null,
      h("td", null, h("a", {href: "#/memory/entity/" + encodeURIComponent(r.from)}, r.from)), h("td", null, r.relationType),
      h("td", null, h("a", {href: "#/memory/entity/" + encodeURIComponent(r.to)}, r.to))))) : h("p", {class: "muted"}, "No relations."));
    fill("graph", neighbourhood(name, g));
  } catch (e) {
    fill("observations", errorText(e));
  }
}

// The entity in the middle, its neighbours on a circle, one line per relation.
function neighbourhood(name, g) {
  const others = g.entities.map(e => e.name).filter(n => n !== name).slice(0, 24);
  const W = 520, H = 360, cx = W / 2, cy = H / 2, R = 130;
  const pos = {[name]: [cx, cy]};
  others.forEach((n, i) => {
    const a = 2 * Math.PI * i / Math.max(others.length, 1) - Math.PI / 2;
    pos[n] = [cx + R * Math.cos(a), cy + R * Math.sin(a)];
  });
  const edges = g.relations.filter(r => pos[r.from] && pos[r.to]);
  return s("svg", {class: "graph", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `${name} and ${others.length} neighbours`},
    edges.map(r => {
      const [x1, y1] = pos[r.from], [x2, y2] = pos[r.to];
      return s("g", null, s("line", {x1, y1, x2, y2, stroke: "#8a9099"}),
        s("text", {x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, "text-anchor": "middle", fill: "#555b66"}, r.relationType));
    }),
    Object.entries(pos).map(([n, [x, y]]) => s("a", {href: "#/memory/entity/" + encodeURIComponent(n)},
      s("circle", {cx: x, cy: y, r: n === name ? 10 : 7, fill: n === name ? "#0b57d0" : "#fff", stroke: "#0b57d0", "stroke-width": 2}),
      s("text", {x, y: y + 22, "text-anchor": "middle", fill: "#1b1d21"}, n))));
}

// ---- Conversations ---------------------------------------------------------

function conversationsPage() {
  main().replaceChildren(h("h1", null, "Conversations"), panel("Recent conversations", "conversations"));
  every(POLL_MS, async () => {
    const cs = await get("/api/v1/conversations");
    fill("conversations", cs.length ? table(["Conversation", "Initiator", "Capability", ["Messages", {class: "num"}], ["Updated", {class: "opt"}]],
      cs.map(c => h("tr", {"data-conversation": c.conversation_id},
        h("td", null, h("a", {href: "#/conversations/" + encodeURIComponent(c.conversation_id)}, c.conversation_id.slice(0, 13) + "…")),
        h("td", null, c.initiator), h("td", null, c.capability || "–"), h("td", {class: "num"}, c.message_count),
        h("td", {class: "opt"}, fmtTime(c.updated_at)))), {class: "wide"}) : h("p", {class: "muted"}, "No conversations yet."));
  });
}

function conversationPage(id) {
  main().replaceChildren(h("p", null, h("a", {href: "#/conversations"}, "← Conversations")),
    h("h1", null, "Conversation"), h("p", {class: "muted"}, id), panel("Messages", "timeline"));
  every(POLL_MS, async () => {
    const c = await get("/api/v1/conversations/" + encodeURIComponent(id));
    const byId = Object.fromEntries(c.messages.map(m => [m.message_id, m]));
    fill("timeline", h("ol", {class: "timeline"}, c.messages.map(m => {
      const asked = m.in_reply_to && byId[m.in_reply_to];
      const latency = asked ? `${m.created_at - asked.created_at} ms after the request` : m.delivered_at ? `delivered in ${m.delivered_at - m.created_at} ms` : m.state;
      return h("li", null, h("strong", null, m.performative), ` ${m.sender} → ${m.receiver} · ${fmtTime(m.created_at)} · ${latency} `, badge(m.state),
        h("pre", null, json(m.content)), m.error ? h("p", {class: "error"}, m.error) : null);
    })));
  });
}

// ---- Router ----------------------------------------------------------------

function route() {
  stopTimers();
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const page = parts[0] || "overview";
  document.querySelectorAll("[data-nav]").forEach(a => {
    if (a.dataset.nav === page) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });
  const pages = {
    overview: () => overview(),
    agent: () => agentPage(parts[1]),
    try: () => tryPage(parts[1]),
    memory: () => parts[1] === "entity" ? entityPage(parts.slice(2).join("/")) : memoryPage(),
    conversations: () => parts[1] ? conversationPage(parts[1]) : conversationsPage(),
  };
  const render = pages[page] || overview;
  document.title = `Caxton · ${page}`;
  Promise.resolve(render()).catch(e => main().append(errorText(e)));
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("login-form").addEventListener("submit", e => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, document.getElementById("login-token").value);
    document.getElementById("login").close();
    route();
  });
  window.addEventListener("hashchange", route);
  route();
});
