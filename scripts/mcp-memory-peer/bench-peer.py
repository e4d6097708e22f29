#!/usr/bin/env python3
"""MCP memory benchmark over stdio: the MCP reference memory server
(@modelcontextprotocol/server-memory, --target peer, the default) or `caxton mcp serve`
(--target caxton), driven by the same client on the same dataset.

Usage: bench-peer.py DATASET.json [--target peer|caxton] [--caxton-bin PATH]
                     [--out results.json] [--version X] [--cache-dir DIR]
                     [--limit-entities N] [--limit-queries N] [--conc-n 500] [--keep] [--ingest-only]

Installs the server at a pinned exact version into a cache dir (reused when present),
runs it with `node <pkg>/dist/index.js` over stdio, and speaks MCP JSON-RPC 2.0 to it
(newline-delimited JSON, one message per line). Measures:
  a) ingest: create_entities in batches (default 100), create_relations in batches
  b) search_nodes latency over the dataset's queries (P50/P99/mean/total) + hit rates
  c) semantic checks: is the expected entity in the search_nodes result
  d) memory file size on disk, server RSS (VmRSS, VmHWM from /proc/<pid>/status)
  e) lost updates: two server processes on one MEMORY_FILE_PATH, each adds N observations
     (one per call) to one shared entity concurrently; count what survives in the store
     (the peer: its memory.jsonl; Caxton: its data directory, read back over MCP).
     Also the same with ONE server and pipelined (not awaited) requests.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

PKG = "@modelcontextprotocol/server-memory"
PINNED = "2026.8.31"          # newest on npm at 2026-11-27 (`npm view @modelcontextprotocol/server-memory version`)
PROTOCOL = "2025-11-25"       # the SDK's LATEST_PROTOCOL_VERSION (sdk 1.32.x); server echoes it back
ENV_VAR = "MEMORY_FILE_PATH"  # read in dist/index.js ensureMemoryFilePath(); relative paths resolve to the pkg dir!


def log(*a):
    print(*a, flush=True)


# ---------------------------------------------------------------- install ---------------
def ensure_installed(cache_dir, version):
    pkg_dir = os.path.join(cache_dir, "node_modules", *PKG.split("/"))
    pj = os.path.join(pkg_dir, "package.json")
    if os.path.exists(pj) and json.load(open(pj)).get("version") == version:
        log(f"reusing {PKG}@{version} in {cache_dir}")
    else:
        os.makedirs(cache_dir, exist_ok=True)
        with open(os.path.join(cache_dir, "package.json"), "w") as f:
            json.dump({"name": "caxton-bench-mcp-memory", "private": True}, f)
        log(f"installing {PKG}@{version} into {cache_dir}")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--save-exact", f"{PKG}@{version}"],
                       cwd=cache_dir, check=True)
    meta = json.load(open(pj))
    bin_ = meta.get("bin")
    rel = bin_ if isinstance(bin_, str) else (list(bin_.values())[0] if bin_ else meta.get("main", "dist/index.js"))
    entry = os.path.join(pkg_dir, rel)
    sdk_pj = os.path.join(cache_dir, "node_modules", "@modelcontextprotocol", "sdk", "package.json")
    sdk_version = json.load(open(sdk_pj))["version"] if os.path.exists(sdk_pj) else None
    return entry, meta["version"], sdk_version


# ---------------------------------------------------------------- MCP client ------------
class McpError(Exception):
    pass


class Server:
    """One server process; synchronous request/response over newline-delimited JSON."""

    def __init__(self, target, memory_file, stderr_path, name="peer"):
        argv, env = target.command(memory_file)
        self.stderr = open(stderr_path, "ab")
        # Buffered pipes: unbuffered, readline() reads the server's answer
        # one byte per system call, which made the client, not the server,
        # the bottleneck of every large answer (both targets alike).
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, env=env)
        self.next_id = 0
        self.name = name
        self.lock = threading.Lock()

    def _send(self, msg):
        self.proc.stdin.write((json.dumps(msg, separators=(",", ":")) + "\n").encode())
        self.proc.stdin.flush()

    def _read(self):
        line = self.proc.stdout.readline()
        self.last_bytes = len(line)
        if not line:
            raise McpError(f"{self.name}: server closed stdout (exit {self.proc.poll()})")
        return json.loads(line)

    def _new_id(self):
        self.next_id += 1
        return self.next_id

    def _wait(self, rid):
        while True:
            msg = self._read()
            if msg.get("id") == rid and ("result" in msg or "error" in msg):
                if "error" in msg:
                    raise McpError(f"{self.name}: {msg['error']}")
                return msg["result"]
            if "method" in msg and "id" in msg:   # server->client request (none expected): refuse
                self._send({"jsonrpc": "2.0", "id": msg["id"],
                            "error": {"code": -32601, "message": "not supported by bench client"}})
            # notifications (logging, resources/updated) are ignored

    def request(self, method, params=None):
        rid = self._new_id()
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self._send(msg)
        return self._wait(rid)

    def notify(self, method, params=None):
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self._send(msg)

    def initialize(self):
        res = self.request("initialize", {"protocolVersion": PROTOCOL, "capabilities": {},
                                          "clientInfo": {"name": "caxton-bench-peer", "version": "1"}})
        self.notify("notifications/initialized")
        self.server_info = res.get("serverInfo")
        self.protocol = res.get("protocolVersion")
        tools = [t["name"] for t in self.request("tools/list", {})["tools"]]
        for needed in ("create_entities", "create_relations", "add_observations", "search_nodes"):
            if needed not in tools:
                raise McpError(f"tool {needed} missing; server has {tools}")
        return res

    def call(self, tool, args):
        res = self.request("tools/call", {"name": tool, "arguments": args})
        if res.get("isError"):   # tool exceptions come back as a result with isError, not a JSON-RPC error
            raise McpError(f"{tool}: {res.get('content')}")
        return res

    def pipelined_calls(self, tool, args_list):
        """Send all calls without waiting (writer thread), read all responses.
        Returns (#errors, #observations the server reported as added)."""
        ids = []
        msgs = []
        for args in args_list:
            rid = self._new_id()
            ids.append(rid)
            msgs.append({"jsonrpc": "2.0", "id": rid, "method": "tools/call",
                         "params": {"name": tool, "arguments": args}})

        def writer():
            for m in msgs:
                self._send(m)
        t = threading.Thread(target=writer)
        t.start()
        pending, errors, added = set(ids), 0, 0
        while pending:
            msg = self._read()
            if msg.get("id") in pending:
                pending.discard(msg["id"])
                if "error" in msg or msg.get("result", {}).get("isError"):
                    errors += 1
                else:
                    added += reported_added(msg["result"])
        t.join()
        return errors, added

    def rss(self):
        out = {}
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    k, _, v = line.partition(":")
                    if k in ("VmRSS", "VmHWM"):
                        out[k] = int(v.split()[0])  # kB
        except OSError:
            pass
        return out

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()


def result_entities(res):
    sc = res.get("structuredContent")
    if sc is None:
        sc = json.loads(res["content"][0]["text"])
    return [e["name"] for e in sc.get("entities", [])]


def reported_added(res):
    return sum(len(x["addedObservations"]) for x in res["structuredContent"]["results"])


def pct(sorted_vals, p):
    if not sorted_vals:
        return None
    k = max(0, min(len(sorted_vals) - 1, int(round(p / 100 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


class PeerTarget:
    """The reference server: one memory.jsonl per store."""
    name = PKG

    def __init__(self, entry):
        self.entry = entry

    def command(self, mem):
        env = dict(os.environ)
        env[ENV_VAR] = mem
        return ["node", self.entry], env

    def store_bytes(self, mem):
        return os.path.getsize(mem)

    def settle(self, mem):
        """Seconds until every write is searchable: the reference server has no
        deferred work."""
        return 0.0

    def count(self, mem, entity, prefixes):
        return count_file_observations(mem, entity, prefixes)


class CaxtonTarget:
    """`caxton mcp serve`: one data directory per store, next to where the peer keeps its file."""
    name = "caxton mcp serve"

    def __init__(self, binary):
        self.binary = binary

    def data_dir(self, mem):
        return os.path.join(os.path.dirname(mem), "caxton-data")

    def command(self, mem):
        env = dict(os.environ)
        env["CAXTON_DATA_DIR"] = self.data_dir(mem)
        return [self.binary, "mcp", "serve"], env

    def settle(self, mem, deadline_s=3600):
        """Seconds until the background embedder has drained the backlog (the
        writes were acknowledged when they committed; until embedded they are
        found by keyword only). Polls `caxton memory status` on the same data dir."""
        env = dict(os.environ)
        env["CAXTON_DATA_DIR"] = self.data_dir(mem)
        t0 = time.perf_counter()
        while True:
            out = json.loads(subprocess.run([self.binary, "memory", "status", "--json"], env=env,
                                            capture_output=True, text=True, check=True).stdout)
            if out["pending_embeddings"] == 0:
                return time.perf_counter() - t0
            if out.get("embedding_model", "").endswith("missing"):
                raise McpError("the embedding model is missing: set CAXTON_MODELS_DIR (scripts/fetch-models)")
            if time.perf_counter() - t0 > deadline_s:
                raise McpError(f"backlog not embedded after {deadline_s} s")
            time.sleep(0.5)

    def store_bytes(self, mem):
        d = self.data_dir(mem)
        return sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d) if f.startswith("caxton.db"))

    def count(self, mem, entity, prefixes):
        srv = Server(self, mem, os.devnull, "count")
        try:
            srv.initialize()
            got = srv.call("open_nodes", {"names": [entity]})["structuredContent"]["entities"]
        finally:
            srv.close()
        obs = [o for e in got if e["name"] == entity for o in e["observations"]]
        return {p: sum(o.startswith(p) for o in obs) for p in prefixes}


def count_file_observations(path, entity, prefixes):
    found = {p: 0 for p in prefixes}
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("type") == "entity" and item.get("name") == entity:
                for o in item["observations"]:
                    for p in prefixes:
                        if o.startswith(p):
                            found[p] += 1
    return found


# ---------------------------------------------------------------- benchmark -------------
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset")
    ap.add_argument("--out")
    ap.add_argument("--target", choices=["peer", "caxton"], default="peer")
    ap.add_argument("--caxton-bin", default=os.path.join(os.path.dirname(__file__), "..", "..", "target", "release", "caxton"))
    ap.add_argument("--version", default=PINNED)
    ap.add_argument("--cache-dir", default=os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")),
                                                        "caxton-bench", "mcp-memory"))
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--rel-batch", type=int, default=100)
    ap.add_argument("--limit-entities", type=int)
    ap.add_argument("--limit-queries", type=int)
    ap.add_argument("--conc-n", type=int, default=500, help="observations per writer in the lost-update test")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    ap.add_argument("--ingest-only", action="store_true",
                    help="stop after (a): ingest and the wait until it is searchable by meaning")
    a = ap.parse_args()

    data = json.load(open(a.dataset))
    entities = data["entities"][: a.limit_entities] if a.limit_entities else data["entities"]
    names = {e["name"] for e in entities}
    relations = [r for r in data["relations"] if r["from"] in names and r["to"] in names]
    queries = data["queries"][: a.limit_queries] if a.limit_queries else data["queries"]
    kinds = (data.get("query_kinds") or ["?"] * len(data["queries"]))[: len(queries)]
    checks = [c for c in data.get("semantic_checks", []) if c["expect_entity"] in names]

    if a.target == "peer":
        entry, version, sdk_version = ensure_installed(a.cache_dir, a.version)
        target = PeerTarget(entry)
    else:
        entry = os.path.abspath(a.caxton_bin)
        version = subprocess.run([entry, "--version"], capture_output=True, text=True, check=True).stdout.strip()
        sdk_version = "rmcp"
        target = CaxtonTarget(entry)
    node_version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    work = tempfile.mkdtemp(prefix="mcp-memory-bench-")
    mem = os.path.join(work, "main", "memory.jsonl")
    os.makedirs(os.path.dirname(mem))
    R = {"peer": target.name, "version": version, "sdk_version": sdk_version, "node": node_version,
         "entry": entry, "protocol_requested": PROTOCOL, "dataset": os.path.abspath(a.dataset),
         "loadavg_start": os.getloadavg()[0], "nproc": os.cpu_count(),
         "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    log(f"{target.name} {version} (sdk {sdk_version}, node {node_version}); work dir {work}")

    srv = Server(target, mem, os.path.join(work, "server.stderr"), "main")
    try:
        t0 = time.perf_counter()
        srv.initialize()
        R["initialize_ms"] = (time.perf_counter() - t0) * 1000
        R["protocol_negotiated"] = srv.protocol
        R["server_info"] = srv.server_info

        # (a) ingest
        lat, created = [], 0
        t0 = time.perf_counter()
        for i in range(0, len(entities), a.batch):
            t = time.perf_counter()
            res = srv.call("create_entities", {"entities": entities[i:i + a.batch]})
            lat.append(time.perf_counter() - t)
            created += len(res["structuredContent"]["entities"])
        ent_s = time.perf_counter() - t0
        if created != len(entities):
            raise McpError(f"created {created} != {len(entities)}")
        rlat = []
        t0 = time.perf_counter()
        for i in range(0, len(relations), a.rel_batch):
            t = time.perf_counter()
            srv.call("create_relations", {"relations": relations[i:i + a.rel_batch]})
            rlat.append(time.perf_counter() - t)
        rel_s = time.perf_counter() - t0
        R["ingest"] = {
            "entities": len(entities), "observations": sum(len(e["observations"]) for e in entities),
            "batch": a.batch, "entities_seconds": ent_s, "entities_per_s": len(entities) / ent_s,
            "first_batch_ms": lat[0] * 1000, "last_batch_ms": lat[-1] * 1000,
            "relations": len(relations), "rel_batch": a.rel_batch, "relations_seconds": rel_s,
            "relations_per_s": len(relations) / rel_s if rel_s else None,
            "rel_last_batch_ms": rlat[-1] * 1000 if rlat else None,
        }
        log(f"(a) ingest: {len(entities)} entities in {ent_s:.2f} s = {len(entities)/ent_s:,.0f} entities/s "
            f"(batch {a.batch}; first batch {lat[0]*1000:.1f} ms, last {lat[-1]*1000:.1f} ms); "
            f"{len(relations)} relations in {rel_s:.2f} s (batch {a.rel_batch})")
        R["ingest"]["embedding_settled_seconds"] = target.settle(mem)
        log(f"(a) every observation searchable by meaning {R['ingest']['embedding_settled_seconds']:.1f} s after the last write")
        R["memory_file_bytes_after_ingest"] = target.store_bytes(mem)

        if not a.ingest_only:
            # (b) search
            slat, hits, sizes, nbytes, by_kind = [], {}, [], [], {}
            t0 = time.perf_counter()
            for q, k in zip(queries, kinds):
                t = time.perf_counter()
                res = srv.call("search_nodes", {"query": q})
                slat.append(time.perf_counter() - t)
                nbytes.append(srv.last_bytes)
                by_kind.setdefault(k, []).append(slat[-1] * 1000)
                n = len(result_entities(res))
                sizes.append(n)
                h = hits.setdefault(k, [0, 0])
                h[0] += n > 0
                h[1] += 1
            total = time.perf_counter() - t0
            s = sorted(x * 1000 for x in slat)
            R["search"] = {"queries": len(queries), "total_s": total, "p50_ms": pct(s, 50), "p99_ms": pct(s, 99),
                           "mean_ms": statistics.fmean(s), "max_ms": s[-1],
                           "mean_result_entities": statistics.fmean(sizes), "max_result_entities": max(sizes),
                           "mean_response_bytes": statistics.fmean(nbytes), "max_response_bytes": max(nbytes),
                           "by_kind_ms": {k: {"p50": pct(sorted(v), 50), "p99": pct(sorted(v), 99),
                                              "mean": statistics.fmean(v)} for k, v in by_kind.items()},
                           "queries_with_hits": {k: {"hit": v[0], "of": v[1]} for k, v in hits.items()}}
            log(f"(b) search_nodes x{len(queries)}: P50 {pct(s,50):.2f} ms, P99 {pct(s,99):.2f} ms, "
                f"mean {statistics.fmean(s):.2f} ms, total {total:.2f} s; mean {statistics.fmean(sizes):.1f} "
                f"entities/result; queries with >=1 hit: "
                + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in hits.items()))
            log(f"    mean response {statistics.fmean(nbytes)/1024:.1f} KiB (max {max(nbytes)/1024:.0f} KiB); by kind: "
                + ", ".join(f"{k} P50 {pct(sorted(v),50):.1f} ms / mean {statistics.fmean(v):.1f} ms"
                            for k, v in by_kind.items()))

            # (c) semantic checks
            found, detail = 0, []
            for c in checks:
                got = result_entities(srv.call("search_nodes", {"query": c["query"]}))
                ok = c["expect_entity"] in got
                found += ok
                detail.append({"query": c["query"], "expect": c["expect_entity"], "found": ok, "n_results": len(got)})
            R["semantic_checks"] = {"found": found, "of": len(checks), "detail": detail}
            log(f"(c) semantic checks: {found}/{len(checks)} expected entities returned")

            # (d) footprint
            R["memory_file_bytes"] = target.store_bytes(mem)
            R["server_rss_kb"] = srv.rss()
            log(f"(d) memory file {R['memory_file_bytes']/1e6:.2f} MB; server VmRSS "
                f"{R['server_rss_kb'].get('VmRSS', 0)/1024:.1f} MiB (peak VmHWM {R['server_rss_kb'].get('VmHWM', 0)/1024:.1f} MiB)")
    finally:
        srv.close()

    # (e) lost updates
    if not a.ingest_only:
        R["lost_updates"] = lost_updates(target, work, a.conc_n)
    R["loadavg_end"] = os.getloadavg()[0]
    R["finished_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    if a.out:
        with open(a.out, "w") as f:
            json.dump(R, f, indent=2)
        log(f"wrote {a.out}")
    if a.keep:
        log(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


def lost_updates(target, work, n):
    out = {}
    # e1: two processes, same file, each one request at a time, running concurrently
    d = os.path.join(work, "conc2")
    os.makedirs(d)
    mem = os.path.join(d, "memory.jsonl")
    A = Server(target, mem, os.path.join(d, "a.stderr"), "A")
    B = Server(target, mem, os.path.join(d, "B.stderr"), "B")
    errors = {"A": [], "B": []}
    added = {"A": 0, "B": 0}
    try:
        A.initialize()
        B.initialize()
        A.call("create_entities", {"entities": [{"name": "shared", "entityType": "test", "observations": []}]})
        barrier = threading.Barrier(2)

        def writer(srv, tag):
            barrier.wait()
            for i in range(n):
                try:
                    res = srv.call("add_observations", {"observations": [{"entityName": "shared",
                                                                          "contents": [f"{tag}-obs-{i}"]}]})
                    added[tag] += reported_added(res)
                except McpError as e:  # e.g. "Entity with name shared not found" if a race dropped it
                    errors[tag].append(str(e)[:200])
        t0 = time.perf_counter()
        ts = [threading.Thread(target=writer, args=(A, "A")), threading.Thread(target=writer, args=(B, "B"))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        el = time.perf_counter() - t0
    finally:
        A.close()
        B.close()
    f = target.count(mem, "shared", ["A-obs-", "B-obs-"])
    present = f["A-obs-"] + f["B-obs-"]
    out["two_processes"] = {"expected": 2 * n, "present": present, "present_A": f["A-obs-"],
                            "present_B": f["B-obs-"], "lost": 2 * n - present,
                            "reported_added": added["A"] + added["B"],
                            "call_errors": len(errors["A"]) + len(errors["B"]),
                            "first_errors": (errors["A"] + errors["B"])[:3], "seconds": el}
    log(f"(e) lost updates, 2 processes x {n} add_observations on one MEMORY_FILE_PATH: "
        f"{present}/{2*n} present (A {f['A-obs-']}/{n}, B {f['B-obs-']}/{n}), "
        f"server acknowledged {added['A'] + added['B']} as added, "
        f"{len(errors['A']) + len(errors['B'])} call errors, {el:.1f} s")

    # e2: one process, requests pipelined (client does not wait between calls)
    d = os.path.join(work, "pipe1")
    os.makedirs(d)
    mem = os.path.join(d, "memory.jsonl")
    S = Server(target, mem, os.path.join(d, "s.stderr"), "S")
    try:
        S.initialize()
        S.call("create_entities", {"entities": [{"name": "shared", "entityType": "test", "observations": []}]})
        t0 = time.perf_counter()
        errs, acked = S.pipelined_calls("add_observations", [
            {"observations": [{"entityName": "shared", "contents": [f"P-obs-{i}"]}]} for i in range(n)])
        el = time.perf_counter() - t0
    finally:
        S.close()
    f = target.count(mem, "shared", ["P-obs-"])
    out["one_process_pipelined"] = {"expected": n, "present": f["P-obs-"], "lost": n - f["P-obs-"],
                                    "reported_added": acked, "call_errors": errs, "seconds": el}
    log(f"    1 process, {n} pipelined add_observations: {f['P-obs-']}/{n} present, server acknowledged {acked} as added, {errs} call errors, {el:.1f} s")
    return out


if __name__ == "__main__":
    main()
