"""STAND-IN for ghcr.io/jdjones/rag-api: the FastAPI server (port 8000, the program's apiPort).

Contract checked (components/applications.go, config/defaults.go):
  GET /health   the program's startup, liveness AND readiness probe (probes.apiPath): 200 once Postgres,
                Redis, Chroma, the shared claims and the LLM settings pass settings.py/checks.py's
                checks, else 503 with {"failed": {dependency: reason}}. Because the program points
                liveness at the same path, a dependency outage longer than the liveness budget (3 x 20 s)
                restarts the pods; /livez is what a liveness probe that ignores dependencies would use.
  GET /livez    200 while the process serves, whatever the dependencies (no probe of the program uses it).
  /metrics      NOT on this port (404): served on METRICS_PORT by serve.py, which the Ingress never routes.
  GET /standin/sleep?seconds=N   answers after N seconds (at most 30), to test graceful shutdown.
The request metrics are those prometheus-fastapi-instrumentator exposes by default, which the program's
dashboards and alerts select (components/monitoring/metrics.yml): Debian has no package of it, so
metrics.py records the same names, labels and buckets with prometheus-client.
"""

import asyncio

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from . import metrics

app = FastAPI(title="rag-api STAND-IN", docs_url=None, redoc_url=None, openapi_url=None)
# serve.py sets the Checker before serving.
app.state.checker = None
app.middleware("http")(metrics.middleware)


@app.get("/health")
def health():
    checker = app.state.checker
    if checker is None or checker.results is None:
        return JSONResponse({"status": "starting", "standin": True}, status_code=503)
    body = {"status": "ok" if checker.ready() else "unready", "standin": True, "checks": checker.results}
    if not checker.ready():
        body["failed"] = checker.failed()
    return JSONResponse(body, status_code=200 if checker.ready() else 503)


@app.get("/livez")
def livez():
    return {"status": "alive", "standin": True}


@app.get("/")
def root():
    return {"service": "rag-api", "standin": True,
            "note": "stand-in for ghcr.io/jdjones/rag-api; see /health for the dependency checks"}


@app.get("/standin/sleep")
async def sleep(request: Request, seconds: float = 1.0):
    seconds = max(0.0, min(seconds, 30.0))
    await asyncio.sleep(seconds)
    return {"slept": seconds}
