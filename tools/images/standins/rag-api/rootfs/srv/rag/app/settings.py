"""STAND-IN for ghcr.io/jdjones/rag-api: the environment contract the program wires.

Every container running the application image reads jd-jones-config (envFrom) and the credentials
through secretKeyRef (components/foundation.go appEnv, trust.go tlsSettings):

  ENVIRONMENT
  POSTGRES_HOST POSTGRES_PORT POSTGRES_DB POSTGRES_USER POSTGRES_PASSWORD
      TLS (external Postgres): libpq's own PGSSLMODE=verify-full and PGSSLROOTCERT=<file>|system,
      which libpq (under psycopg) reads from the environment by itself; nothing here overrides them.
  REDIS_SCHEME (redis|rediss) REDIS_HOST REDIS_PORT REDIS_PASSWORD
      TLS (external Redis): REDIS_SCHEME=rediss, REDIS_SSL_CERT_REQS=required, REDIS_SSL_CA_CERTS=<file>
      (absent: the system's trust store).
  CHROMA_HOST CHROMA_PORT CHROMA_TOKEN (the token the chroma proxy checks; absent for an external
      Chroma the stack has no token for)
  LLM_PROVIDER LLM_MODEL EMBEDDING_MODEL LLM_BASE_URL LLM_API_KEY (absent for ollama)
  MODEL_CACHE_DIR UPLOADS_DIR (the shared claims, API and worker only)
  JWT_SECRET
  METRICS_PORT (API only)

A variable the role needs but the program did not set is a ContractError: the process exits non-zero
naming the variables (never their values), so a wiring mistake is a visible CrashLoopBackOff.
"""

import os
import ssl
from urllib.parse import quote

# Values that must never reach a log line or a response body.
SECRET_NAMES = ("POSTGRES_PASSWORD", "REDIS_PASSWORD", "JWT_SECRET", "LLM_API_KEY", "CHROMA_TOKEN")

POSTGRES = ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD")
REDIS = ("REDIS_SCHEME", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD")
CHROMA = ("CHROMA_HOST", "CHROMA_PORT")
LLM = ("LLM_PROVIDER", "LLM_MODEL", "EMBEDDING_MODEL", "LLM_BASE_URL")
STORAGE = ("MODEL_CACHE_DIR", "UPLOADS_DIR")

# What each role of the image reads. Beat only talks to the broker; the migration only to Postgres.
ROLES = {
    "api": ("ENVIRONMENT",) + POSTGRES + REDIS + CHROMA + LLM + STORAGE + ("JWT_SECRET", "METRICS_PORT"),
    "worker": ("ENVIRONMENT",) + POSTGRES + REDIS + CHROMA + LLM + STORAGE,
    "beat": ("ENVIRONMENT",) + REDIS,
    "migration": POSTGRES,
}

# The providers the program's validation accepts; all but ollama need LLM_API_KEY (config/validate.go).
KEYLESS_PROVIDERS = ("ollama",)

CERT_REQS = {"none": ssl.CERT_NONE, "optional": ssl.CERT_OPTIONAL, "required": ssl.CERT_REQUIRED}


class ContractError(Exception):
    """The program did not wire what this role of the image needs."""


def scrub(text):
    """text with every secret value of the environment replaced by ***."""
    text = str(text)
    for name in SECRET_NAMES:
        value = os.environ.get(name, "")
        if len(value) >= 4:
            text = text.replace(value, "***")
            text = text.replace(quote(value, safe=""), "***")
    return text


def _port(name):
    raw = os.environ[name]
    try:
        port = int(raw)
    except ValueError:
        raise ContractError(f"{name} is not a port number") from None
    if not 0 < port < 65536:
        raise ContractError(f"{name} is not a port number")
    return port


class Settings:
    """The environment of one role, checked against the contract."""

    def __init__(self, role, env=None):
        env = os.environ if env is None else env
        self.role = role
        missing = [n for n in ROLES[role] if not env.get(n)]
        if missing:
            raise ContractError(f"the {role} needs {', '.join(missing)}, which the program did not set")
        self.env = env
        g = env.get
        self.environment = g("ENVIRONMENT", "")
        if role in ("api", "worker", "migration"):
            self.postgres = dict(
                host=g("POSTGRES_HOST"), port=_port("POSTGRES_PORT"), dbname=g("POSTGRES_DB"),
                user=g("POSTGRES_USER"), password=g("POSTGRES_PASSWORD"),
            )
            self.pg_sslmode = g("PGSSLMODE", "")
            self.pg_sslrootcert = g("PGSSLROOTCERT", "")
        if role in ("api", "worker", "beat"):
            self.redis_scheme = g("REDIS_SCHEME")
            if self.redis_scheme not in ("redis", "rediss"):
                raise ContractError("REDIS_SCHEME must be redis or rediss")
            self.redis_host, self.redis_port = g("REDIS_HOST"), _port("REDIS_PORT")
            self.redis_password = g("REDIS_PASSWORD")
            self.redis_cert_reqs = g("REDIS_SSL_CERT_REQS", "")
            self.redis_ca_certs = g("REDIS_SSL_CA_CERTS", "")
            if self.redis_scheme == "rediss":
                if self.redis_cert_reqs not in CERT_REQS:
                    raise ContractError("REDIS_SCHEME=rediss needs REDIS_SSL_CERT_REQS (none, optional or required)")
            elif self.redis_cert_reqs or self.redis_ca_certs:
                raise ContractError("REDIS_SSL_* is set but REDIS_SCHEME is redis: the connection would not use TLS")
        if role in ("api", "worker"):
            self.chroma_host, self.chroma_port = g("CHROMA_HOST"), _port("CHROMA_PORT")
            self.chroma_token = g("CHROMA_TOKEN", "")
            self.llm_provider, self.llm_model = g("LLM_PROVIDER"), g("LLM_MODEL")
            self.embedding_model, self.llm_base_url = g("EMBEDDING_MODEL"), g("LLM_BASE_URL")
            self.llm_api_key = g("LLM_API_KEY", "")
            self.model_cache_dir, self.uploads_dir = g("MODEL_CACHE_DIR"), g("UPLOADS_DIR")
        if role == "api":
            self.metrics_port = _port("METRICS_PORT")

    # Redis, for the API's check and for Celery's broker: database 0, whose list "celery" is the
    # default queue the redis exporter watches (REDIS_EXPORTER_CHECK_SINGLE_KEYS=db0=celery).
    def redis_url(self):
        return f"{self.redis_scheme}://:{quote(self.redis_password, safe='')}@{self.redis_host}:{self.redis_port}/0"

    def redis_ssl(self):
        """The TLS options of a rediss connection (redis-py and kombu spell them alike), else None.
        The host name is checked too, as libpq's verify-full does for Postgres."""
        if self.redis_scheme != "rediss":
            return None
        opts = {"ssl_cert_reqs": CERT_REQS[self.redis_cert_reqs], "ssl_check_hostname": self.redis_cert_reqs == "required"}
        if self.redis_ca_certs:
            opts["ssl_ca_certs"] = self.redis_ca_certs
        return opts

    def chroma_headers(self):
        # chromadb's token auth sends Authorization: Bearer by default; the proxy accepts it or X-Chroma-Token.
        return {"Authorization": f"Bearer {self.chroma_token}"} if self.chroma_token else {}


def load(role):
    return Settings(role)
