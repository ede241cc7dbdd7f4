"""STAND-IN for ghcr.io/jdjones/rag-api: the image's default command (the program sets no command for
the API), `python3 -m app.serve`.

It checks the environment contract (settings.py, role "api": exits 78 naming what is missing), starts
the dependency checks, serves /metrics with prometheus-client on 0.0.0.0:$METRICS_PORT, and runs the
FastAPI app with uvicorn on 0.0.0.0:8000. SIGTERM is uvicorn's graceful shutdown: it stops accepting at
once, lets in-flight requests finish, then exits (uvicorn >= 0.29, trixie's, then re-raises the signal, so
the exit status is that of SIGTERM; bookworm's 0.17 exits 0). It writes nothing to disk except the checks' probe
files in the shared claims (the root filesystem is read-only; /tmp is the only scratch space).
"""

import argparse
import sys
import time

import uvicorn
from prometheus_client import start_http_server

from .checks import Checker
from .main import app
from .settings import ContractError, load, scrub


def log(msg):
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} rag-api STAND-IN: {scrub(msg)}", file=sys.stderr, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="app.serve", description="rag-api stand-in server")
    parser.add_argument("--host", default="0.0.0.0")
    # 8000 is the program's apiPort; the flag exists for tests on a shared host only.
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--check-interval", type=float, default=5.0)
    args = parser.parse_args(argv)
    try:
        settings = load("api")
    except ContractError as e:
        log(f"contract error: {e}")
        return 78
    log(f"starting: API on {args.host}:{args.port}, /metrics on 0.0.0.0:{settings.metrics_port}, "
        f"ENVIRONMENT={settings.environment}, Postgres {settings.postgres['host']}:{settings.postgres['port']} "
        f"(PGSSLMODE={settings.pg_sslmode or 'unset'}), Redis {settings.redis_scheme}://{settings.redis_host}:{settings.redis_port}, "
        f"Chroma http://{settings.chroma_host}:{settings.chroma_port} (token {'set' if settings.chroma_token else 'NOT set'})")
    checker = Checker(settings, log, interval=args.check_interval)
    app.state.checker = checker
    checker.start()
    start_http_server(settings.metrics_port, addr="0.0.0.0")
    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, lifespan="off", log_level="info"))
    server.run()
    checker.stop()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
