"""STAND-IN for ghcr.io/jdjones/rag-api: request metrics named as prometheus-fastapi-instrumentator's
defaults (v7/v8 default(): handler = the route's path template or "none", status grouped as 2xx..5xx),
which is what components/monitoring/metrics.yml catalogues for job "api". Exposed only on METRICS_PORT.
"""

import time

from prometheus_client import Counter, Histogram
from starlette.routing import Match

REQUESTS = Counter("http_requests_total", "Total number of requests by method, status and handler.",
                   ("method", "status", "handler"))
LATENCY_HIGHR = Histogram(
    "http_request_duration_highr_seconds",
    "Latency with many buckets but no API specific labels. Made for more accurate percentile calculations.",
    buckets=(0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 7.5, 10, 30, 60),
)
LATENCY = Histogram("http_request_duration_seconds",
                    "Latency with only few buckets by handler. Made to be only used if aggregation by handler is important.",
                    ("method", "handler"), buckets=(0.1, 0.5, 1))


def handler_of(request):
    for route in request.app.routes:
        match, _ = route.matches(request.scope)
        if match == Match.FULL:
            return route.path
    return "none"


async def middleware(request, call_next):
    start = time.perf_counter()
    status = 500
    try:
        response = await call_next(request)
        status = response.status_code
        return response
    finally:
        elapsed = time.perf_counter() - start
        handler = handler_of(request)
        REQUESTS.labels(request.method, f"{str(status)[0]}xx", handler).inc()
        LATENCY_HIGHR.observe(elapsed)
        LATENCY.labels(request.method, handler).observe(elapsed)
