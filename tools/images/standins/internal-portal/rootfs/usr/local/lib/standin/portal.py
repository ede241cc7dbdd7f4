#!/usr/bin/python3
"""STAND-IN for the portal images ghcr.io/jdjones/rag-external-portal and rag-internal-portal.

The real images cannot be had where the cluster tests run (no registry), so this small server honours
the contract the program wires into them (components/applications.go portal, portalEnv), and no more:
  port      3000 (the program's portalPort; $PORT, which the image sets to 3000 as Node servers read it)
  probes    GET / (probes.portalPath), liveness and readiness: 200 whenever the server runs, since a
            portal's page does not depend on the API being up
  env       API_PUBLIC_URL (where browsers reach the API) and API_INTERNAL_URL (where the portal itself
            does, http://api:8000): both required, http(s) URLs, shown on the page; missing or
            malformed, the process exits 78 naming them
  GET /standin/api   asks $API_INTERNAL_URL/health and reports what came back (the NetworkPolicy path
            portal -> api, and the API's readiness)
Runs as UID 10001 on a read-only root: it writes nothing. SIGTERM: stops accepting, finishes the
requests in flight, exits. Which portal it is comes from $STANDIN_PORTAL, set by each image.
"""

import html
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

PORTAL = os.environ.get("STANDIN_PORTAL", "portal")


def log(msg):
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {PORTAL} STAND-IN: {msg}", file=sys.stderr, flush=True)


def contract():
    urls, problems = {}, []
    for name in ("API_PUBLIC_URL", "API_INTERNAL_URL"):
        value = os.environ.get(name, "")
        parts = urlsplit(value)
        if not value:
            problems.append(f"{name} is not set")
        elif parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(f"{name}={value!r} is not an http(s) URL")
        urls[name] = value
    return urls, problems


class Handler(BaseHTTPRequestHandler):
    server_version = "portal-standin"
    timeout = 30  # an idle client cannot hold a thread (and so a SIGTERM) for longer
    urls = {}

    def log_message(self, fmt, *args):
        log(f"{self.address_string()} {fmt % args}")

    def send(self, status, body, ctype):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/":
            rows = "".join(f"<tr><th>{k}</th><td><code>{html.escape(v)}</code></td></tr>" for k, v in self.urls.items())
            self.send(200, f"<!doctype html><html><head><title>{PORTAL} (stand-in)</title></head><body>"
                           f"<h1>JD Jones RAG {html.escape(PORTAL)} &mdash; STAND-IN</h1>"
                           f"<p>This is a stand-in for the portal image, which cannot be had here.</p>"
                           f"<table>{rows}</table></body></html>\n", "text/html; charset=utf-8")
        elif path == "/standin/config":
            self.send(200, json.dumps({"portal": PORTAL, "standin": True, **self.urls}) + "\n", "application/json")
        elif path == "/standin/api":
            url = self.urls["API_INTERNAL_URL"].rstrip("/") + "/health"
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    status, body = r.status, r.read(4096).decode(errors="replace")
            except urllib.error.HTTPError as e:
                status, body = e.code, e.read(4096).decode(errors="replace")
            except (OSError, ValueError) as e:
                self.send(502, json.dumps({"url": url, "error": str(e)}) + "\n", "application/json")
                return
            self.send(200 if status == 200 else 502, json.dumps({"url": url, "status": status, "body": body}) + "\n",
                      "application/json")
        else:
            self.send(404, "not found\n", "text/plain")


def main():
    urls, problems = contract()
    if problems:
        log("contract error: " + "; ".join(problems))
        return 78
    Handler.urls = urls
    port = int(os.environ.get("PORT", "3000"))
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    server.daemon_threads = False  # server_close() waits for requests in flight
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    signal.signal(signal.SIGINT, lambda *_: threading.Thread(target=server.shutdown).start())
    log(f"serving on :{port}, " + ", ".join(f"{k}={v}" for k, v in urls.items()))
    server.serve_forever(poll_interval=0.5)
    server.server_close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
