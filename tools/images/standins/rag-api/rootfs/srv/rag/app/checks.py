"""STAND-IN for ghcr.io/jdjones/rag-api: the dependency checks behind readiness.

Each check authenticates with exactly what the program wired (settings.py) and proves it with a real
exchange:
  postgres  libpq connection (PGSSLMODE/PGSSLROOTCERT from the environment) and a query that reports
            the role, the database, whether the session is TLS, pgvector's version and the schema head
  redis     AUTH with REDIS_PASSWORD then PING, over TLS when REDIS_SCHEME=rediss
  chroma    GET /api/v2/auth/identity through the token proxy at CHROMA_HOST:CHROMA_PORT with
            Authorization: Bearer $CHROMA_TOKEN (the heartbeat is open to anyone, so it proves nothing)
  storage   a file written, synced and removed in MODEL_CACHE_DIR and UPLOADS_DIR (the shared claims)
  llm       LLM_API_KEY present unless the provider is ollama (no call: the tests have no provider)
A failure's message names the dependency and says why, without any secret (settings.scrub).
"""

import http.client
import json
import os
import socket
import threading
import time

from .settings import KEYLESS_PROVIDERS, scrub


class CheckFailed(Exception):
    pass


def postgres(s):
    import psycopg

    try:
        with psycopg.connect(**s.postgres, connect_timeout=5, application_name=f"rag-api-standin-{s.role}") as conn:
            row = conn.execute(
                "SELECT current_user, current_database(),"
                " COALESCE((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false),"
                " (SELECT extversion FROM pg_extension WHERE extname = 'vector'),"
                " to_regclass('alembic_version') IS NOT NULL"
            ).fetchone()
            head = None
            if row[4]:
                head = conn.execute("SELECT string_agg(version_num, ',') FROM alembic_version").fetchone()[0]
    except psycopg.Error as e:
        where = f"{s.postgres['host']}:{s.postgres['port']}/{s.postgres['dbname']} as {s.postgres['user']}"
        raise CheckFailed(f"cannot query Postgres at {where}: {str(e).strip()}") from None
    return {"user": row[0], "database": row[1], "tls": bool(row[2]), "pgvector": row[3], "schema": head}


def redis_client(s):
    import redis

    return redis.Redis(
        host=s.redis_host, port=s.redis_port, password=s.redis_password, db=0,
        ssl=s.redis_scheme == "rediss", socket_connect_timeout=5, socket_timeout=5,
        **(s.redis_ssl() or {}),
    )


def redis(s):
    import redis as redislib

    client = redis_client(s)
    try:
        client.ping()
    except redislib.RedisError as e:
        raise CheckFailed(f"cannot AUTH and PING Redis at {s.redis_scheme}://{s.redis_host}:{s.redis_port}: {e}") from None
    except OSError as e:  # TLS handshake errors surface as ssl.SSLError on some versions
        raise CheckFailed(f"cannot reach Redis at {s.redis_scheme}://{s.redis_host}:{s.redis_port}: {e}") from None
    finally:
        client.close()
    return {"tls": s.redis_scheme == "rediss"}


def chroma(s):
    url = f"http://{s.chroma_host}:{s.chroma_port}/api/v2/auth/identity"
    conn = http.client.HTTPConnection(s.chroma_host, s.chroma_port, timeout=5)
    try:
        conn.request("GET", "/api/v2/auth/identity", headers=s.chroma_headers())
        resp = conn.getresponse()
        body = resp.read(4096)
    except (OSError, http.client.HTTPException) as e:
        raise CheckFailed(f"cannot reach Chroma at {url}: {e}") from None
    finally:
        conn.close()
    if resp.status == 401:
        why = "refused the token (CHROMA_TOKEN)" if s.chroma_token else "requires a token and CHROMA_TOKEN is not set"
        raise CheckFailed(f"Chroma at {url} {why}: HTTP 401")
    if resp.status != 200:
        raise CheckFailed(f"Chroma at {url} answered HTTP {resp.status}: {body[:200]!r}")
    try:
        identity = json.loads(body)
    except ValueError:
        raise CheckFailed(f"Chroma at {url} answered something that is not JSON") from None
    return {"tenant": identity.get("tenant"), "token": bool(s.chroma_token)}


def storage(s):
    out = {}
    for name, path in (("MODEL_CACHE_DIR", s.model_cache_dir), ("UPLOADS_DIR", s.uploads_dir)):
        probe = os.path.join(path, f".standin-write-check-{socket.gethostname()}-{os.getpid()}")
        try:
            with open(probe, "wb") as f:
                f.write(b"ok")
                f.flush()
                os.fsync(f.fileno())
            os.unlink(probe)
        except OSError as e:
            raise CheckFailed(f"{name}={path} is not writable: {e.strerror}") from None
        out[name] = path
    return out


def llm(s):
    if s.llm_provider not in KEYLESS_PROVIDERS and not s.llm_api_key:
        raise CheckFailed(f"provider {s.llm_provider} needs LLM_API_KEY, which the program did not set")
    return {"provider": s.llm_provider, "model": s.llm_model, "embedding_model": s.embedding_model,
            "base_url": s.llm_base_url, "api_key": bool(s.llm_api_key)}


# The checks of the API and the worker, in the order they are reported.
ALL = (("postgres", postgres), ("redis", redis), ("chroma", chroma), ("storage", storage), ("llm", llm))


def run(s, checks=ALL):
    """{name: {"ok": bool, ...}} for every check."""
    results = {}
    for name, check in checks:
        try:
            results[name] = {"ok": True, **check(s)}
        except CheckFailed as e:
            results[name] = {"ok": False, "error": scrub(e)}
        except Exception as e:  # a bug or an unexpected library error must still name the dependency
            results[name] = {"ok": False, "error": scrub(f"{type(e).__name__}: {e}")}
    return results


class Checker:
    """Runs the checks in a thread, every interval seconds, and keeps the latest results."""

    def __init__(self, settings, log, interval=5.0, checks=ALL):
        self.settings, self.log, self.interval, self.checks = settings, log, interval, checks
        self.results = None
        self.checked_at = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="dependency-checks", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()

    def ready(self):
        return self.results is not None and all(r["ok"] for r in self.results.values())

    def failed(self):
        return {k: r["error"] for k, r in (self.results or {}).items() if not r["ok"]}

    def _loop(self):
        last = None
        while not self._stop.is_set():
            self.results, self.checked_at = run(self.settings, self.checks), time.time()
            state = ("ready", None) if self.ready() else ("unready", tuple(sorted(self.failed().items())))
            if state != last:
                if self.ready():
                    self.log("dependencies ready: " + ", ".join(self.results))
                else:
                    self.log("dependencies NOT ready: " + "; ".join(f"{k}: {v}" for k, v in self.failed().items()))
                last = state
            self._stop.wait(self.interval)
