#!/usr/bin/env python3
"""A minimal OTLP/HTTP trace receiver for the tests (tests/it/otlp.rs).

Listens on 127.0.0.1 (the port given as the optional second argument, else
an ephemeral one; printed as `PORT <n>` on the first stdout line), accepts `POST /v1/traces` with `application/x-protobuf`
bodies, decodes them with the official protobuf definitions
(PyPI opentelemetry-proto) and appends one JSON line per span to the file
given as the first argument. Also writes `HEADERS <json>` lines of the
request headers it saw to `<file>.headers` (the test checks that configured
OTLP headers arrive). Stops when its standard input closes, so it never
outlives the test.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

OUT = sys.argv[1]
LOCK = threading.Lock()
# Bodies larger than this are refused: a bound on outside input.
MAX_BODY = 16 << 20


def value(v):
    kind = v.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [value(x) for x in v.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: value(kv.value) for kv in v.kvlist_value.values}
    if kind == "bytes_value":
        return v.bytes_value.hex()
    return getattr(v, kind)


def attrs(kvs):
    return {kv.key: value(kv.value) for kv in kvs}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        if self.path != "/v1/traces" or length > MAX_BODY:
            self.send_response(404 if self.path != "/v1/traces" else 413)
            self.end_headers()
            return
        body = self.rfile.read(length)
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        lines = []
        for rs in request.resource_spans:
            resource = attrs(rs.resource.attributes)
            for ss in rs.scope_spans:
                for s in ss.spans:
                    lines.append(
                        json.dumps(
                            {
                                "trace_id": s.trace_id.hex(),
                                "span_id": s.span_id.hex(),
                                "parent_span_id": s.parent_span_id.hex(),
                                "name": s.name,
                                "kind": s.kind,
                                "status": s.status.code,
                                "status_message": s.status.message,
                                "start": s.start_time_unix_nano,
                                "end": s.end_time_unix_nano,
                                "attributes": attrs(s.attributes),
                                "resource": resource,
                                "scope": ss.scope.name,
                            }
                        )
                    )
        with LOCK:
            with open(OUT, "a") as f:
                for line in lines:
                    f.write(line + "\n")
            with open(OUT + ".headers", "a") as f:
                f.write(json.dumps({k.lower(): v for k, v in self.headers.items()}) + "\n")
        reply = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


def main():
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
