"""Host tests of the stand-in images' programs (run from this folder: `python3 -m unittest -v`).

Every stand-in runs as it would in its pod: as the image's UID, on a read-only root (a private mount
namespace whose / is remounted read-only, with /tmp a directory of the test's, like the program's
emptyDir), with the environment the program sets. Against real servers started here on loopback ports:
PostgreSQL (initdb into a temporary folder, plain and TLS), Redis with requirepass (plain, and TLS only
on a second server), and nginx running the program's own chroma-proxy template (read from
components/chromaproxy.go) in front of the Chroma stand-in. The workers' commands, the probe commands,
the Grafana provisioning files and the environment names are read from the program's sources too, so
a change there is tested here.

Nothing is skipped: without root, or without Debian's postgresql, redis-server, nginx, openssl or the
python3 packages the images install, setUpModule raises and every test errors, naming what is missing.
pgvector is not packaged for this host's Debian (bookworm): there the migration must fail, saying so,
and its success path (extension present, vector column created) runs with STANDINS_ROOT (below, the
images' trixie base with pgvector 0.8.0) and in the cluster test.
"""

import base64
import glob
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
API_ROOT = os.path.join(HERE, "rag-api", "rootfs")
API_PKG = os.path.join(API_ROOT, "srv", "rag")
PORTAL = os.path.join(HERE, "external-portal", "rootfs", "usr", "local", "lib", "standin", "portal.py")
CHROMA = os.path.join(HERE, "chroma", "rootfs", "usr", "local", "bin", "chroma")
CHROMA_CONFIG = os.path.join(HERE, "chroma", "rootfs", "config.yaml")
GRAFANA = os.path.join(HERE, "grafana", "rootfs", "usr", "local", "bin", "grafana-standin")
PYTHON = "/usr/bin/python3"  # Debian's, with the packages the images install (not a pyenv shim)
# STANDINS_ROOT: a scratch directory holding the images' shared Debian base, unpacked. The stand-ins (and
# PostgreSQL, with pgvector) then run chrooted into it, with the Debian versions the images ship; the
# test copies the recipes' rootfs/ files into it. Unset: they run on the host's Debian.
ROOT = os.path.abspath(os.environ["STANDINS_ROOT"]) if os.environ.get("STANDINS_ROOT") else ""
# Where a stand-in finds its files: the image's paths in ROOT, the recipes' folders on the host.
RUN_API_PKG = "/srv/rag" if ROOT else API_PKG
RUN_BIN = "/usr/local/bin" if ROOT else os.path.join(API_ROOT, "usr", "local", "bin")
RUN_PORTAL = "/usr/local/lib/standin/portal.py" if ROOT else PORTAL
RUN_CHROMA = "/usr/local/bin/chroma" if ROOT else CHROMA
RUN_CHROMA_CONFIG = "/config.yaml" if ROOT else CHROMA_CONFIG
RUN_GRAFANA = "/usr/local/bin/grafana-standin" if ROOT else GRAFANA
IMAGE_MODULES = ("fastapi", "uvicorn", "psycopg", "redis", "prometheus_client", "celery", "yaml")
IMAGE_COMMANDS = ("/usr/bin/celery",)  # Debian package celery (python3-celery has no command)
APP_UID, CHROMA_UID, GRAFANA_UID, NGINX_UID = 10001, 1000, 472, 10101

# Secrets of the test's servers: alphanumeric like the program's generated ones.
PG_PASSWORD = "pgSecret0123456789abcdefABCDEF01"
REDIS_PASSWORD = "redisSecret0123456789abcdefABCD"
CHROMA_TOKEN = "chromaToken0123456789abcdefABCDEFabcdef0123456789"[:48]
JWT_SECRET = "jwtSecret" + "0123456789" * 5
GRAFANA_PASSWORD = "grafanaSecret0123456789abcdefAB"
SECRETS = (PG_PASSWORD, REDIS_PASSWORD, CHROMA_TOKEN, JWT_SECRET, GRAFANA_PASSWORD)

S = {}  # the module's servers and paths, set by setUpModule
PROCS = []  # every process started, stopped by tearDownModule


def read(path):
    with open(os.path.join(REPO, path)) as f:
        return f.read()


def append(path, text):
    with open(path, "a") as f:
        f.write(text)


def go_strings(text):
    return re.findall(r'"((?:[^"\\]|\\.)*)"', text)


# --- what the program wires, read from its sources --------------------------------------------------

def program_commands():
    src = read("config/defaults.go")
    out = {}
    for key in ("Worker", "Beat", "Migration"):
        m = re.search(r"\b%s:\s*\[\]string\{([^}]*)\}" % key, src)
        out[key.lower()] = go_strings(m.group(1))
    return out


def program_probes():
    src = read("config/defaults.go")
    fmt = re.search(r"fmt\.Sprintf\(`([^`]*)`, path, minutes\)", src).group(1)
    out = {}
    for key in ("WorkerLiveness", "BeatLiveness"):
        m = re.search(r'\b%s:\s*fileFresherThan\("([^"]+)", (\d+)\)' % key, src)
        out[key] = ["sh", "-c", fmt % (m.group(1), int(m.group(2)))]
    for key in ("WorkerReadiness", "BeatReadiness"):
        m = re.search(r"\b%s:\s*\[\]string\{([^}]*)\}" % key, src)
        out[key] = go_strings(m.group(1))
    out["APIPath"] = re.search(r'\bAPIPath:\s*"([^"]+)"', src).group(1)
    out["PortalPath"] = re.search(r'\bPortalPath:\s*"([^"]+)"', src).group(1)
    return out


def program_env_names():
    """Every variable name the program can set in an application container."""
    foundation, trust = read("components/foundation.go"), read("components/trust.go")
    shared = re.search(r"func sharedSettings.*?\n}\n", foundation, re.S).group(0)
    creds = re.search(r"func \(f \*Foundation\) appCredentials.*?\n}\n", foundation, re.S).group(0)
    tls = re.search(r"func tlsSettings.*?\n}\n", trust, re.S).group(0)
    names = set(re.findall(r'"([A-Z][A-Z0-9_]+)":', shared)) | set(re.findall(r'"([A-Z][A-Z0-9_]+)"', tls + creds))
    apps = read("components/applications.go")
    names |= set(re.findall(r'plainEnv\("([A-Z][A-Z0-9_]+)"', apps))
    # Where uploads live (the claim's path or the bucket): the names are uploads.go's constants.
    names |= set(re.findall(r'\w+Env\s*=\s*"([A-Z][A-Z0-9_]+)"', read("components/uploads.go")))
    return names


def chroma_proxy_conf(listen, upstream, tmp):
    src = read("components/chromaproxy.go")
    template = re.search(r"const chromaProxyTemplate = `(.*?)`", src, re.S).group(1)
    heartbeat = re.search(r'chromaHeartbeat\s*=\s*"([^"]+)"', src).group(1)
    conf = (template.replace("{{token}}", CHROMA_TOKEN).replace("{{listenPort}}", f"127.0.0.1:{listen}")
            .replace("{{chromaPort}}", str(upstream)).replace("{{heartbeat}}", heartbeat))
    # nginx writes only under /tmp in the pod; here under the test's folder.
    return conf.replace("/tmp/", tmp + "/")


def grafana_provisioning(root, dashboards_dir):
    src = read("components/grafana.go")
    ds = re.search(r'"prometheus.yaml": fmt\.Sprintf\(`(.*?)`, PrometheusName, prometheusPort\)', src, re.S).group(1)
    providers = re.search(r'"dashboards.yaml": `(.*?)`', src, re.S).group(1)
    mounts = dict(re.findall(r'mount\("(\w+)", "([^"]+)"\)', src))
    os.makedirs(os.path.join(root, "datasources"))
    os.makedirs(os.path.join(root, "dashboards"))
    os.makedirs(dashboards_dir)
    with open(os.path.join(root, "datasources", "prometheus.yaml"), "w") as f:
        f.write(ds % ("prometheus", 9090))
    with open(os.path.join(root, "dashboards", "dashboards.yaml"), "w") as f:
        f.write(providers.replace(mounts["dashboards"], dashboards_dir))
    for path in glob.glob(os.path.join(REPO, "components", "monitoring", "*.json")):
        shutil.copy(path, dashboards_dir)
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(REPO, "components", "monitoring", "*.json")))


# --- processes -------------------------------------------------------------------------------------

SANDBOX = r"""
set -e
tmp=$1; uid=$2; root=$3; base=$4; shift 4
if [ -z "$root" ]; then
    while [ "$1" != "--" ]; do mount --bind "$1" "$1"; shift; done
    shift
    mount --bind "$tmp" /tmp
    mount -o remount,bind,ro /
    exec setpriv --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all --no-new-privs -- "$@"
fi
mount --bind "$root" "$root"
mount --rbind /dev "$root/dev"
mount --rbind /proc "$root/proc"
mount --bind "$base" "$root$base"
mount -o remount,bind,ro "$root$base"
while [ "$1" != "--" ]; do mount --bind "$1" "$root$1"; shift; done
shift
mount --bind "$tmp" "$root/tmp"
mount -o remount,bind,ro "$root"
exec chroot "$root" setpriv --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all --no-new-privs -- "$@"
"""


class Proc:
    def __init__(self, name, argv, env, uid=None, rw=(), tmp=None, cwd=None):
        self.name, self.uid = name, uid
        self.log = os.path.join(S["base"], "logs", f"{name}.log")
        self.tmp = tmp
        out = open(self.log, "ab")
        os.chmod(self.log, 0o666)  # nginx (non-root) reopens /dev/stdout
        if uid is not None:
            argv = ["unshare", "-m", "--propagation", "private", "--", "sh", "-c", SANDBOX, "sh", tmp, str(uid),
                    ROOT, S["base"], *rw, "--", *argv]
        self.p = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  cwd=cwd or "/", start_new_session=True)
        out.close()
        PROCS.append(self)

    @property
    def pid(self):
        return self.p.pid

    def output(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def __str__(self):
        """The end of the output, for assertion messages."""
        out = self.output()
        return f"--- {self.name} (log {self.log}) ---\n" + (out if len(out) < 4000 else "...\n" + out[-4000:])

    def running(self):
        return self.p.poll() is None

    def wait(self, timeout):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def term(self):
        if self.running():
            self.p.send_signal(signal.SIGTERM)

    def stop(self):
        if self.running():
            try:
                os.killpg(self.p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if self.wait(10) is None:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait()

    def probe(self, argv):
        """Runs argv inside the process's mount namespace as its UID, as the kubelet's exec probe does."""
        r = subprocess.run(["nsenter", "-t", str(self.pid), "-m", "-r", "--", "setpriv", f"--reuid={self.uid}",
                            f"--regid={self.uid}", "--clear-groups", "--", *argv], capture_output=True, timeout=10)
        return r.returncode


_handed_out = set()


def free_port():
    """A TCP port free on every address now, below the kernel's ephemeral range (so no outgoing connection
    can take it before the server binds it, which made a stand-in fail with "address already in use" on a
    busy machine) and never handed out before in this run."""
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        ephemeral_low = int(f.read().split()[0])
    for _ in range(10000):
        port = random.randrange(10000, ephemeral_low)
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("0.0.0.0", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free port between 10000 and {ephemeral_low}")


def workdir(name, uid=0, mode=0o755):
    path = os.path.join(S["base"], name)
    os.makedirs(path, exist_ok=True)
    os.chown(path, uid, uid)
    os.chmod(path, mode)
    return path


def http(method, url, body=None, headers=None, timeout=5):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode(errors="replace"), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace"), e.headers


def get(url, **kw):
    return http("GET", url, **kw)


def wait_for(what, predicate, timeout, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        if proc is not None and not proc.running():
            raise AssertionError(f"{what}: {proc.name} exited {proc.p.returncode}:\n{proc}")
        time.sleep(0.3)
    raise AssertionError(f"{what}: not within {timeout} s" + (f"\n{proc}" if proc else ""))


def base_env(extra=None):
    env = {"PATH": f"{RUN_BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/",
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "PYTHONPATH": RUN_API_PKG}
    env.update(extra or {})
    return env


def app_env(role="api", **overrides):
    """The environment the program gives the application image in dev (in-cluster data services),
    pointing at this test's servers; overrides change or (with None) remove variables."""
    env = {
        "ENVIRONMENT": "dev",
        "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": str(S["pg_port"]), "POSTGRES_DB": "jdjones",
        "POSTGRES_USER": "jdjones", "POSTGRES_PASSWORD": PG_PASSWORD,
        "REDIS_SCHEME": "redis", "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(S["redis_port"]),
        "REDIS_PASSWORD": REDIS_PASSWORD,
        "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(S["proxy_port"]), "CHROMA_TOKEN": CHROMA_TOKEN,
        "LLM_PROVIDER": "ollama", "LLM_MODEL": "llama3.1:8b", "EMBEDDING_MODEL": "nomic-embed-text",
        "LLM_BASE_URL": "http://ollama.ollama.svc.cluster.local:11434",
        "MODEL_CACHE_DIR": S["models"], "UPLOADS_DIR": S["uploads"], "JWT_SECRET": JWT_SECRET,
    }
    if role == "api":
        env["METRICS_PORT"] = str(free_port())
    for k, v in overrides.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def start_api(name, env, port=None):
    port = port or free_port()
    tmp = workdir(f"{name}-tmp", APP_UID)
    proc = Proc(name, [PYTHON, "-m", "app.serve", "--port", str(port), "--host", "127.0.0.1", "--check-interval", "2"],
                base_env(env), uid=APP_UID, rw=(S["models"], S["uploads"]), tmp=tmp, cwd=RUN_API_PKG if not ROOT else None)
    proc.url = f"http://127.0.0.1:{port}"
    proc.metrics = f"http://127.0.0.1:{env.get('METRICS_PORT')}"
    return proc


def health(proc):
    status, body, _ = get(proc.url + S["probes"]["APIPath"])
    return status, json.loads(body)


# --- the servers -----------------------------------------------------------------------------------

def require_host():
    problems = []
    if os.geteuid() != 0:
        problems.append("run as root: the stand-ins run in private mount namespaces (unshare) as their images' UIDs")
    pg_bins = sorted(glob.glob(f"{ROOT}/usr/lib/postgresql/*/bin/postgres"))
    if not pg_bins:
        problems.append("PostgreSQL is missing: apt-get install postgresql")
    for tool, pkg in (("redis-server", "redis-server"), ("nginx", "nginx"), ("openssl", "openssl"),
                      ("unshare", "util-linux"), ("setpriv", "util-linux"), ("nsenter", "util-linux")):
        if not shutil.which(tool, path="/usr/sbin:/usr/bin:/sbin:/bin"):
            problems.append(f"{tool} is missing: apt-get install {pkg}")
    if not os.path.exists(ROOT + PYTHON):
        problems.append(f"{ROOT}{PYTHON} is missing: apt-get install python3")
    for cmd in IMAGE_COMMANDS:
        if not os.path.exists(ROOT + cmd):
            problems.append(f"{cmd} is missing: apt-get install {os.path.basename(cmd)}")
    if problems:
        raise RuntimeError("the stand-ins' host tests cannot run:\n  " + "\n  ".join(problems))
    return os.path.dirname(pg_bins[-1])[len(ROOT):]


def prepare_root():
    """Copies the recipes' rootfs/ into ROOT, as the images' thin layers lay them over the base."""
    for rootfs in glob.glob(os.path.join(HERE, "*", "rootfs")):
        shutil.copytree(rootfs, ROOT, symlinks=True, dirs_exist_ok=True)
    for d in ("dev", "proc", "tmp", S["base"].lstrip("/")):
        os.makedirs(os.path.join(ROOT, d), exist_ok=True)
    hosts = os.path.join(ROOT, "etc", "hosts")
    if not os.path.exists(hosts) or "localhost" not in open(hosts).read():
        with open(hosts, "a") as f:
            f.write("127.0.0.1 localhost\n::1 localhost ip6-localhost\n")


def make_certs(d):
    def ossl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=d)
    # The extensions Python 3.13's default context requires (VERIFY_X509_STRICT), as real CAs have them.
    ossl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
         "-subj", "/CN=standins test CA", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", "ca.key", "-out", "ca.crt")
    ossl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=localhost",
         "-keyout", "server.key", "-out", "server.csr")
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n")
    ossl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
         "-extfile", "ext.cnf", "-out", "server.crt")
    os.chmod(os.path.join(d, "ca.crt"), 0o644)


def start_postgres(bindir):
    if ROOT:
        pg_uid = 999  # the postgres image's user
    else:
        pg_uid = int(subprocess.check_output(["id", "-u", "postgres"]))
    data, sock = workdir("pgdata", pg_uid, 0o700), workdir("pgsock", pg_uid, 0o755)
    for name in ("server.crt", "server.key"):
        dst = os.path.join(S["base"], f"pg-{name}")
        shutil.copy(os.path.join(S["certs"], name), dst)
        os.chown(dst, pg_uid, pg_uid)
        os.chmod(dst, 0o600)
    pw = os.path.join(S["base"], "pg-superuser-pw")
    with open(pw, "w") as f:
        f.write("superSecret\n")
    os.chown(pw, pg_uid, pg_uid)
    tmp = workdir("postgres-tmp", pg_uid)

    def run(name, argv, timeout=120):
        proc = Proc(name, argv, base_env(), uid=pg_uid, rw=(data, sock), tmp=tmp)
        code = proc.wait(timeout)
        if code != 0:
            raise RuntimeError(f"{name} failed ({code}):\n{proc}")

    run("initdb", [f"{bindir}/initdb", "-D", data, "-U", "postgres", "--pwfile", pw, "--auth-local=trust",
                   "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C"])
    port = free_port()
    S["pg_port"] = port
    proc = Proc("postgres", [f"{bindir}/postgres", "-D", data, "-c", f"port={port}",
                             "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={sock}",
                             "-c", "ssl=on", "-c", f"ssl_cert_file={S['base']}/pg-server.crt",
                             "-c", f"ssl_key_file={S['base']}/pg-server.key", "-c", "fsync=off",
                             "-c", "max_connections=50", "-c", "shared_buffers=16MB"],
                base_env(), uid=pg_uid, rw=(data, sock), tmp=tmp)
    psql = [f"{bindir}/psql", "-h", sock, "-p", str(port), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]
    S["psql"] = lambda *sql, db="postgres": run(f"psql-{time.time_ns()}", psql + ["-d", db] + [a for q in sql for a in ("-c", q)])
    def ready():
        p = Proc(f"pg-ready-{time.time_ns()}", psql + ["-c", "SELECT 1"], base_env(), uid=pg_uid, rw=(data, sock), tmp=tmp)
        return p.wait(10) == 0
    wait_for("postgres accepts connections", ready, 60, proc)
    S["psql"](f"CREATE ROLE jdjones LOGIN PASSWORD '{PG_PASSWORD}'", "CREATE DATABASE jdjones OWNER jdjones")


def start_redis(name, tls):
    d = workdir(name, 0, 0o700)
    port = free_port()
    lines = ["bind 127.0.0.1", "protected-mode yes", f'requirepass "{REDIS_PASSWORD}"', "save \"\"", "appendonly no",
             f"dir {d}", "loglevel warning"]
    if tls:
        lines += ["port 0", f"tls-port {port}", f"tls-cert-file {S['certs']}/server.crt",
                  f"tls-key-file {S['certs']}/server.key", f"tls-ca-cert-file {S['certs']}/ca.crt", "tls-auth-clients no"]
    else:
        lines += [f"port {port}"]
    conf = os.path.join(d, "redis.conf")
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    proc = Proc(name, ["redis-server", conf], base_env())
    def up():
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    wait_for(f"{name} listens", up, 15, proc)
    return port


def start_chroma(persist, port=None):
    port = port or free_port()
    env = base_env({"CHROMA_LISTEN_ADDRESS": "127.0.0.1", "CHROMA_PORT": str(port), "CHROMA_PERSIST_PATH": persist,
                    "ANONYMIZED_TELEMETRY": "FALSE"})
    proc = Proc(f"chroma-{port}", [PYTHON, RUN_CHROMA, "run", RUN_CHROMA_CONFIG], env, uid=CHROMA_UID, rw=(persist,),
                tmp=workdir(f"chroma-{port}-tmp", CHROMA_UID))
    proc.url = f"http://127.0.0.1:{port}"
    return proc


def setUpModule():
    bindir = require_host()
    S["base"] = tempfile.mkdtemp(prefix="standins-test-", dir="/var/tmp")
    os.chmod(S["base"], 0o755)
    os.makedirs(os.path.join(S["base"], "logs"))
    try:
        if ROOT:
            prepare_root()
        S["probes"], S["commands"] = program_probes(), program_commands()
        # The images' Python packages, imported as a stand-in would (the sandbox gives ROOT its /dev).
        check = Proc("import-check", [PYTHON, "-c", "import " + ", ".join(IMAGE_MODULES)], base_env(), uid=APP_UID,
                     tmp=workdir("import-check-tmp", APP_UID))
        if check.wait(60) != 0:
            raise RuntimeError("Debian's python3 lacks the images' packages: apt-get install python3-fastapi "
                               "python3-uvicorn python3-psycopg python3-redis python3-prometheus-client python3-celery "
                               f"python3-yaml\n{check}")
        S["certs"] = workdir("certs")
        make_certs(S["certs"])
        S["models"], S["uploads"] = workdir("models", APP_UID), workdir("uploads", APP_UID)
        start_postgres(bindir)
        S["redis_port"] = start_redis("redis", tls=False)
        S["redis_tls_port"] = start_redis("redis-tls", tls=True)
        S["chroma_data"] = workdir("chroma-data", CHROMA_UID)
        S["chroma"] = start_chroma(S["chroma_data"])
        wait_for("chroma stand-in serves", lambda: get(S["chroma"].url + "/api/v2/heartbeat")[0] == 200, 15, S["chroma"])
        S["proxy_port"] = free_port()
        ntmp = workdir("nginx-tmp", NGINX_UID)
        conf = os.path.join(S["base"], "nginx.conf")
        with open(conf, "w") as f:
            f.write(chroma_proxy_conf(S["proxy_port"], S["chroma"].url.rsplit(":", 1)[1], ntmp))
        os.chmod(conf, 0o644)
        S["nginx"] = Proc("nginx", ["setpriv", f"--reuid={NGINX_UID}", f"--regid={NGINX_UID}", "--clear-groups", "--",
                                    "nginx", "-e", "stderr", "-c", conf], base_env())
        S["proxy"] = f"http://127.0.0.1:{S['proxy_port']}"
        wait_for("nginx proxies the heartbeat", lambda: get(S["proxy"] + "/api/v2/heartbeat")[0] == 200, 15, S["nginx"])
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    for proc in reversed(PROCS):
        proc.stop()
    base = S.get("base")
    if base and os.environ.get("STANDINS_KEEP") != "1":
        shutil.rmtree(base, ignore_errors=True)
    elif base:
        print(f"\nkept {base} (STANDINS_KEEP=1)", file=sys.stderr)


def sample(text, name, **labels):
    """The value of the one sample of name with exactly these labels in Prometheus's text format."""
    for line in text.splitlines():
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$", line)
        if m and m.group(1) == name and dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or "")) == labels:
            return float(m.group(3))
    raise AssertionError(f"no sample {name}{labels} in:\n{text}")


def in_output(test, text, proc):
    if text not in proc.output():
        test.fail(f"{text!r} not in the output of {proc}")


def assert_no_secrets(test, text, allowed=()):
    for i, secret in enumerate(SECRETS):
        if secret not in allowed and secret in text:
            test.fail(f"secret #{i} of the test appears in output or a response")


# --- the tests -------------------------------------------------------------------------------------

class Contract(unittest.TestCase):
    """The stand-ins read only what the program sets, and their copies agree."""

    def test_api_reads_only_what_the_program_sets(self):
        sys.path.insert(0, API_PKG)
        sys.dont_write_bytecode, saved = True, sys.dont_write_bytecode  # no __pycache__ in the recipe
        try:
            from app import settings
        finally:
            sys.path.remove(API_PKG)
            sys.dont_write_bytecode = saved
        names = program_env_names() | {"METRICS_PORT"}
        for role, required in settings.ROLES.items():
            self.assertLessEqual(set(required), names, f"{role} requires variables the program never sets")
        optional = {"PGSSLMODE", "PGSSLROOTCERT", "REDIS_SSL_CERT_REQS", "REDIS_SSL_CA_CERTS", "CHROMA_TOKEN", "LLM_API_KEY"}
        self.assertLessEqual(optional, names)
        self.assertLessEqual(set(app_env()) - {"METRICS_PORT"}, names, "the test sets names the program does not")

    def test_portal_copies_are_identical(self):
        with open(PORTAL, "rb") as a, open(PORTAL.replace("external-portal", "internal-portal"), "rb") as b:
            self.assertEqual(a.read(), b.read(), "external-portal and internal-portal must ship the same portal.py")

    def test_recipes(self):
        for path in glob.glob(os.path.join(HERE, "*", "image.json")):
            with open(path) as f:
                recipe = json.load(f)
            self.assertIn("standin", recipe["name"], path)
            self.assertTrue(recipe["reference"].startswith("jdj.test/"), path)
        keys = {}
        for path in glob.glob(os.path.join(HERE, "*", "image.json")):
            with open(path) as f:
                for key in json.load(f)["configKeys"]:
                    keys[key] = os.path.basename(os.path.dirname(path))
        self.assertEqual(keys, {"api": "rag-api", "worker": "rag-api", "externalPortal": "external-portal",
                                "internalPortal": "internal-portal", "chroma": "chroma", "grafana": "grafana"})
        images = re.search(r"type Images struct \{.*?\n\}\n", read("config/images.go"), re.S).group(0)
        for key in keys:
            self.assertIn(f'`json:"{key}"`', images, f"images.{key} is not a key of config.Images")
        uids = {}
        for name in ("rag-api", "external-portal", "internal-portal", "chroma", "grafana"):
            with open(os.path.join(HERE, name, "image.json")) as f:
                uids[name] = json.load(f)["user"]["uid"]
        self.assertEqual(uids, {"rag-api": 10001, "external-portal": 10001, "internal-portal": 10001,
                                "chroma": 1000, "grafana": 472})
        apps, data, mon = read("components/applications.go"), read("components/data.go"), read("components/monitoring.go")
        self.assertIn("appUID = 10001", apps)
        self.assertRegex(data, r"chromaUID\s*=\s*1000\b")
        self.assertRegex(mon, r"grafanaUID\s*=\s*472\b")


class API(unittest.TestCase):
    """The API stand-in: ready only with the wired credentials, which /health names when they fail."""

    @classmethod
    def setUpClass(cls):
        cls.good = start_api("api-dev", app_env())
        cls.bad = {
            "postgres": start_api("api-bad-postgres", app_env(POSTGRES_PASSWORD="wrong-" + PG_PASSWORD[:8])),
            "redis": start_api("api-bad-redis", app_env(REDIS_PASSWORD="wrong-" + REDIS_PASSWORD[:8])),
            "chroma": start_api("api-bad-chroma", app_env(CHROMA_TOKEN="wrong" + CHROMA_TOKEN[5:])),
            "storage": start_api("api-bad-storage", app_env(UPLOADS_DIR="/etc")),
            "llm": start_api("api-bad-llm", app_env(LLM_PROVIDER="openai", LLM_BASE_URL="https://api.openai.com/v1")),
        }
        cls.prod = start_api("api-prod-tls", app_env(
            POSTGRES_HOST="localhost", PGSSLMODE="verify-full", PGSSLROOTCERT=f"{S['certs']}/ca.crt",
            REDIS_SCHEME="rediss", REDIS_HOST="localhost", REDIS_PORT=str(S["redis_tls_port"]),
            REDIS_SSL_CERT_REQS="required", REDIS_SSL_CA_CERTS=f"{S['certs']}/ca.crt",
            ENVIRONMENT="prod", LLM_PROVIDER="openai", LLM_BASE_URL="https://api.openai.com/v1", LLM_API_KEY="sk-test-standin"))
        # The system trust store does not know the test's CA: both TLS verifications must refuse.
        cls.prod_untrusted = start_api("api-prod-untrusted", app_env(
            POSTGRES_HOST="localhost", PGSSLMODE="verify-full", PGSSLROOTCERT="system",
            REDIS_SCHEME="rediss", REDIS_HOST="localhost", REDIS_PORT=str(S["redis_tls_port"]),
            REDIS_SSL_CERT_REQS="required"))

    @classmethod
    def tearDownClass(cls):
        for p in [cls.good, cls.prod, cls.prod_untrusted, *cls.bad.values()]:
            p.stop()

    def test_ready_with_the_wired_credentials(self):
        wait_for("dev API ready", lambda: health(self.good)[0] == 200, 30, self.good)
        status, body = health(self.good)
        checks = body["checks"]
        self.assertEqual((checks["postgres"]["user"], checks["postgres"]["database"]), ("jdjones", "jdjones"))
        # No PGSSLMODE in dev: libpq's default "prefer" (this host's server offers TLS, the in-cluster one does not).
        self.assertTrue(checks["redis"]["ok"] and checks["chroma"]["ok"] and checks["storage"]["ok"])
        self.assertEqual(checks["chroma"]["tenant"], "default_tenant")
        self.assertEqual(get(self.good.url + "/livez")[0], 200)
        # /metrics: on METRICS_PORT with the instrumentator's names, not on the API port.
        self.assertEqual(get(self.good.url + "/metrics")[0], 404)
        status, text, _ = get(self.good.metrics + "/metrics")
        self.assertEqual(status, 200)
        self.assertGreaterEqual(sample(text, "http_requests_total", handler="/health", method="GET", status="2xx"), 1)
        self.assertEqual(sample(text, "http_requests_total", handler="none", method="GET", status="4xx"), 1)
        self.assertGreaterEqual(sample(text, "http_request_duration_highr_seconds_bucket", le="60.0"), 1)
        self.assertGreaterEqual(sample(text, "http_request_duration_seconds_bucket", handler="/health", method="GET", le="1.0"), 1)
        assert_no_secrets(self, self.good.output())

    def test_unready_naming_the_failed_dependency(self):
        deadline = time.time() + 12
        seen = {name: 0 for name in self.bad}
        while time.time() < deadline:
            for name, proc in self.bad.items():
                self.assertTrue(proc.running(), str(proc))
                status, body = health(proc)
                self.assertEqual(status, 503, f"{name}: {body}")
                if body["status"] == "unready":
                    self.assertEqual(set(body["failed"]), {name}, body)
                    seen[name] += 1
                self.assertEqual(get(proc.url + "/livez")[0], 200)
            time.sleep(1)
        self.assertTrue(all(n >= 5 for n in seen.values()), seen)
        failed = {name: health(proc)[1]["failed"][name] for name, proc in self.bad.items()}
        self.assertIn("password authentication failed", failed["postgres"])
        self.assertRegex(failed["redis"], r"(?i)invalid|WRONGPASS|auth")
        self.assertIn("refused the token", failed["chroma"])
        self.assertIn("UPLOADS_DIR=/etc is not writable", failed["storage"])
        self.assertIn("LLM_API_KEY", failed["llm"])
        for proc in self.bad.values():
            assert_no_secrets(self, proc.output() + json.dumps(health(proc)[1]))

    def test_prod_tls_verify_full_and_rediss(self):
        wait_for("prod-like API ready over TLS", lambda: health(self.prod)[0] == 200, 30, self.prod)
        checks = health(self.prod)[1]["checks"]
        self.assertTrue(checks["postgres"]["tls"], checks)
        self.assertTrue(checks["redis"]["tls"], checks)
        self.assertTrue(checks["llm"]["api_key"])

    def test_tls_refuses_an_unknown_ca(self):
        wait_for("untrusted API checked", lambda: health(self.prod_untrusted)[1].get("failed"), 30, self.prod_untrusted)
        failed = health(self.prod_untrusted)[1]["failed"]
        self.assertEqual(set(failed), {"postgres", "redis"}, failed)
        self.assertRegex(failed["redis"], r"(?i)certificate")

    def test_missing_variable_exits_naming_it(self):
        proc = start_api("api-missing-env", app_env(REDIS_PASSWORD=None, METRICS_PORT=None))
        self.assertEqual(proc.wait(20), 78, str(proc))
        in_output(self, "REDIS_PASSWORD, METRICS_PORT", proc)
        assert_no_secrets(self, proc.output())

    def test_sigterm_finishes_in_flight_requests(self):
        proc = start_api("api-sigterm", app_env())
        wait_for("API serves", lambda: get(proc.url + "/livez")[0] == 200, 30, proc)
        result = {}
        t = threading.Thread(target=lambda: result.update(r=get(proc.url + "/standin/sleep?seconds=2", timeout=10)))
        t.start()
        time.sleep(0.5)
        sent = time.time()
        proc.term()
        time.sleep(0.3)
        with self.assertRaises(OSError):  # no longer accepting
            get(proc.url + "/livez", timeout=2)
        t.join(10)
        self.assertEqual(result["r"][0], 200, result)
        # uvicorn >= 0.29 re-raises the signal after its graceful shutdown: killed by SIGTERM, or 0 before.
        self.assertIn(proc.wait(5), (0, -signal.SIGTERM), str(proc))
        self.assertLess(time.time() - sent, 4.5)


class Migration(unittest.TestCase):
    """`alembic upgrade head` (the program's migration command) with the wired credentials."""

    def run_migration(self, env, argv=None):
        argv = argv or S["commands"]["migration"]
        proc = Proc(f"migration-{time.time_ns()}", argv, base_env(env), uid=APP_UID,
                    tmp=workdir(f"migration-tmp-{time.time_ns()}", APP_UID), cwd=RUN_API_PKG if not ROOT else None)
        code = proc.wait(60)
        return code, proc.output()

    def test_requires_pgvector_then_migrates(self):
        self.assertEqual(S["commands"]["migration"], ["alembic", "upgrade", "head"])
        code, out = self.run_migration(app_env("migration"))
        self.assertEqual(code, 1, out)
        self.assertIn("connected to 127.0.0.1", out)
        assert_no_secrets(self, out)
        if "the server has no pgvector extension at all" in out:
            self.assertFalse(ROOT, "the images' Postgres has pgvector: " + out)
            sys.stderr.write("\nNOTE: this host's PostgreSQL has no pgvector: the migration failed as it must; its "
                             "success path needs STANDINS_ROOT (the images' base) or the cluster test\n")
            return
        self.assertIn("pgvector is installed on the server but not enabled in database jdjones", out)
        # What the program's enable-pgvector init container (and postgres-init) do before the migration.
        S["psql"]("CREATE EXTENSION IF NOT EXISTS vector", db="jdjones")
        for _ in range(2):  # the Job runs again on every new image: idempotent
            code, out = self.run_migration(app_env("migration"))
            self.assertEqual(code, 0, out)
            self.assertRegex(out, r"pgvector \d+\.\d+\.\d+ is enabled")
            self.assertIn("upgraded to head standin_0001", out)
        code, out = self.run_migration(app_env("migration"), ["alembic", "current"])
        self.assertEqual(code, 0, out)
        self.assertIn("standin_0001 (head)", out)
        S["psql"]("INSERT INTO standin_documents (content, embedding) VALUES ('probe', '[1,2,3]')",
                  "DELETE FROM standin_documents", db="jdjones")

    def test_fails_clearly_with_a_wrong_password(self):
        code, out = self.run_migration(app_env("migration", POSTGRES_PASSWORD="nope-nope"))
        self.assertEqual(code, 1, out)
        self.assertIn("cannot connect to Postgres at 127.0.0.1", out)
        self.assertIn("password authentication failed", out)

    def test_over_tls(self):
        code, out = self.run_migration(app_env("migration", POSTGRES_HOST="localhost", PGSSLMODE="verify-full",
                                               PGSSLROOTCERT=f"{S['certs']}/ca.crt"), ["alembic", "current"])
        self.assertEqual(code, 0, out)
        self.assertIn("TLS on", out)

    def test_other_arguments(self):
        code, out = self.run_migration(app_env("migration"), ["alembic", "downgrade", "-1"])
        self.assertEqual(code, 2, out)


class Celery(unittest.TestCase):
    """The program's worker and beat commands on the wired broker, probed with its probe commands."""

    def start(self, name, role, env):
        argv = S["commands"][role]
        tmp = workdir(f"{name}-tmp", APP_UID)
        return Proc(name, argv, base_env(env), uid=APP_UID, rw=(S["models"], S["uploads"]), tmp=tmp, cwd=RUN_API_PKG if not ROOT else None)

    def test_worker_and_beat_heartbeats(self):
        probes = S["probes"]
        env = app_env("worker")
        worker, beat = self.start("celery-worker", "worker", env), self.start("celery-beat", "beat", env)
        try:
            wait_for("worker ready file", lambda: os.path.exists(f"{worker.tmp}/worker_ready"), 40, worker)
            wait_for("beat heartbeat", lambda: os.path.exists(f"{beat.tmp}/beat_heartbeat"), 40, beat)
            for proc, live, ready in ((worker, "WorkerLiveness", "WorkerReadiness"), (beat, "BeatLiveness", "BeatReadiness")):
                self.assertEqual(proc.probe(probes[live]), 0, f"{proc.name} liveness {probes[live]}")
                self.assertEqual(proc.probe(probes[ready]), 0, f"{proc.name} readiness {probes[ready]}")
            mtimes = {"worker": set(), "beat": set()}
            end = time.time() + 20
            while time.time() < end:
                mtimes["worker"].add(os.stat(f"{worker.tmp}/worker_heartbeat").st_mtime)
                mtimes["beat"].add(os.stat(f"{beat.tmp}/beat_heartbeat").st_mtime)
                self.assertTrue(worker.running() and beat.running())
                time.sleep(1)
            self.assertGreaterEqual(len(mtimes["worker"]), 3, "worker heartbeat not refreshed every few seconds")
            self.assertGreaterEqual(len(mtimes["beat"]), 3, "beat heartbeat not refreshed on its ticks")
            wait_for("beat's task ran on the worker", lambda: "standin.check from beat" in worker.output(), 20, worker)
            in_output(self, "'postgres': {'ok': True", worker)
            # The probes fail once the files go stale or are gone: a liveness on a missing file fails.
            self.assertNotEqual(worker.probe(["sh", "-c", probes["WorkerLiveness"][2].replace("worker_heartbeat", "nothing")]), 0)
            for proc in (worker, beat):
                sent = time.time()
                proc.term()
                self.assertIsNotNone(proc.wait(10), f"{proc.name} ignored SIGTERM")
                self.assertLess(time.time() - sent, 6, proc.name)
            self.assertFalse(os.path.exists(f"{worker.tmp}/worker_ready"), "worker_ready left behind")
            assert_no_secrets(self, worker.output() + beat.output())
        finally:
            worker.stop()
            beat.stop()

    def test_prod_broker_over_tls(self):
        env = app_env("worker", POSTGRES_HOST="localhost", PGSSLMODE="verify-full", PGSSLROOTCERT=f"{S['certs']}/ca.crt",
                      REDIS_SCHEME="rediss", REDIS_HOST="localhost", REDIS_PORT=str(S["redis_tls_port"]),
                      REDIS_SSL_CERT_REQS="required", REDIS_SSL_CA_CERTS=f"{S['certs']}/ca.crt",
                      ENVIRONMENT="prod", LLM_PROVIDER="openai", LLM_BASE_URL="https://api.openai.com/v1", LLM_API_KEY="sk-test")
        worker, beat = self.start("celery-worker-tls", "worker", env), self.start("celery-beat-tls", "beat", env)
        try:
            wait_for("worker ready over rediss", lambda: os.path.exists(f"{worker.tmp}/worker_ready"), 40, worker)
            wait_for("beat heartbeat over rediss", lambda: os.path.exists(f"{beat.tmp}/beat_heartbeat"), 40, beat)
            in_output(self, "Connected to rediss://:**@localhost", worker)
            assert_no_secrets(self, worker.output() + beat.output())
        finally:
            worker.stop()
            beat.stop()

    def test_wrong_broker_password_never_ready(self):
        env = app_env("worker", REDIS_PASSWORD="wrong-broker-password")
        worker, beat = self.start("celery-worker-bad", "worker", env), self.start("celery-beat-bad", "beat", env)
        try:
            time.sleep(12)
            self.assertNotEqual(worker.probe(S["probes"]["WorkerReadiness"]), 0, str(worker))
            self.assertNotEqual(beat.probe(S["probes"]["BeatReadiness"]), 0, str(beat))
            in_output(self, "broker unreachable", beat)
            assert_no_secrets(self, worker.output() + beat.output())
        finally:
            worker.stop()
            beat.stop()

    def test_worker_unready_when_chroma_refuses(self):
        worker = self.start("celery-worker-bad-chroma", "worker", app_env("worker", CHROMA_TOKEN="x" * 48))
        try:
            wait_for("worker reports chroma", lambda: "NOT ready" in worker.output(), 40, worker)
            in_output(self, "chroma: Chroma at", worker)
            self.assertNotEqual(worker.probe(S["probes"]["WorkerReadiness"]), 0)
        finally:
            worker.stop()


class Chroma(unittest.TestCase):
    """The Chroma stand-in behind the program's nginx token proxy."""

    def test_token_is_checked_by_the_proxy_only(self):
        proxy, auth = S["proxy"], {"Authorization": f"Bearer {CHROMA_TOKEN}"}
        self.assertEqual(get(proxy + "/api/v2/heartbeat")[0], 200)
        self.assertEqual(get(proxy + "/api/v2/auth/identity")[0], 401)
        self.assertEqual(get(proxy + "/api/v2/auth/identity", headers={"Authorization": "Bearer nope"})[0], 401)
        self.assertEqual(get(proxy + "/api/v2/auth/identity", headers=auth)[0], 200)
        self.assertEqual(get(proxy + "/api/v2/auth/identity", headers={"X-Chroma-Token": CHROMA_TOKEN})[0], 200)
        self.assertEqual(get(proxy + "/api/v1/heartbeat", headers=auth)[0], 410)
        # The stand-in itself checks no token, and refuses one that the proxy should have stripped.
        self.assertEqual(get(S["chroma"].url + "/api/v2/auth/identity")[0], 200)
        self.assertEqual(get(S["chroma"].url + "/api/v2/auth/identity", headers=auth)[0], 400)

    def test_persists_and_restarts(self):
        persist = workdir("chroma-persist-2", CHROMA_UID)
        chroma = start_chroma(persist)
        wait_for("chroma serves", lambda: get(chroma.url + "/api/v2/heartbeat")[0] == 200, 15, chroma)
        coll = chroma.url + "/api/v2/tenants/default_tenant/databases/default_database/collections"
        status, body, _ = http("POST", coll, json.dumps({"name": "docs"}).encode(), {"Content-Type": "application/json"})
        self.assertEqual(status, 200, body)
        sent = time.time()
        chroma.term()
        self.assertEqual(chroma.wait(5), 0, str(chroma))
        self.assertLess(time.time() - sent, 2.5)
        with open(os.path.join(persist, "standin-chroma.json")) as f:
            self.assertEqual(json.load(f)["starts"], 1)
        self.assertEqual(os.stat(os.path.join(persist, "standin-chroma.json")).st_uid, CHROMA_UID)
        again = start_chroma(persist)
        wait_for("chroma serves again", lambda: get(again.url + "/api/v2/heartbeat")[0] == 200, 15, again)
        self.assertEqual([c["name"] for c in json.loads(get(coll.replace(chroma.url, again.url))[1])], ["docs"])
        again.stop()

    def test_unwritable_persist_path_fails(self):
        persist = workdir("chroma-readonly", 0)  # root's, not writable by UID 1000
        chroma = start_chroma(persist)
        self.assertEqual(chroma.wait(15), 1, str(chroma))
        in_output(self, "cannot persist to", chroma)


class Portal(unittest.TestCase):
    def start(self, name, env, port):
        return Proc(name, [PYTHON, RUN_PORTAL], base_env({"PORT": str(port), "STANDIN_PORTAL": name, **env}),
                    uid=APP_UID, tmp=workdir(f"{name}-tmp", APP_UID))

    def test_serves_the_probe_path_and_the_api_urls(self):
        api = start_api("api-for-portal", app_env())
        port = free_port()
        env = {"API_PUBLIC_URL": "https://api.dev.jdjones.com", "API_INTERNAL_URL": api.url}
        portal = self.start("external-portal", env, port)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for("portal serves", lambda: get(url + S["probes"]["PortalPath"])[0] == 200, 15, portal)
            page = get(url + S["probes"]["PortalPath"])[1]
            self.assertIn("https://api.dev.jdjones.com", page)
            self.assertIn(api.url, page)
            self.assertIn("STAND-IN", page)
            wait_for("API ready through the portal", lambda: get(url + "/standin/api")[0] == 200, 30, portal)
            sent = time.time()
            portal.term()
            self.assertEqual(portal.wait(5), 0, str(portal))
            self.assertLess(time.time() - sent, 2.5)
        finally:
            portal.stop()
            api.stop()

    def test_missing_api_url_exits(self):
        portal = self.start("internal-portal-bad", {"API_PUBLIC_URL": "https://api.x"}, free_port())
        self.assertEqual(portal.wait(10), 78, str(portal))
        in_output(self, "API_INTERNAL_URL is not set", portal)


class Grafana(unittest.TestCase):
    def start(self, name, env, prov=None, data=None, dashboards=None):
        port = free_port()
        prov = prov or os.path.join(S["base"], f"{name}-provisioning")
        dashboards = dashboards or os.path.join(S["base"], f"{name}-dashboards")
        if not os.path.exists(prov):
            self.provisioned = grafana_provisioning(prov, dashboards)
        data = data or workdir(f"{name}-data", GRAFANA_UID)
        logs = workdir(f"{name}-logs", 0)  # like /var/log/grafana under a read-only root: not writable
        full = {"GF_SECURITY_ADMIN_USER": "admin", "GF_PATHS_DATA": data, "GF_PATHS_PROVISIONING": prov,
                "GF_PATHS_LOGS": logs, "GF_USERS_ALLOW_SIGN_UP": "false", "GF_ANALYTICS_REPORTING_ENABLED": "false",
                "GF_ANALYTICS_CHECK_FOR_UPDATES": "false", "GF_SERVER_HTTP_PORT": str(port), **env}
        full = {k: v for k, v in full.items() if v is not None}
        proc = Proc(name, [PYTHON, RUN_GRAFANA], base_env(full), uid=GRAFANA_UID, rw=(data,),
                    tmp=workdir(f"{name}-tmp", GRAFANA_UID))
        proc.url = f"http://127.0.0.1:{port}"
        return proc, prov, dashboards

    def test_health_login_and_provisioning(self):
        g, _, _ = self.start("grafana", {"GF_SECURITY_ADMIN_PASSWORD": GRAFANA_PASSWORD})
        try:
            wait_for("grafana serves /api/health", lambda: get(g.url + "/api/health")[0] == 200, 15, g)
            self.assertEqual(json.loads(get(g.url + "/api/health")[1])["database"], "ok")
            basic = lambda u, p: {"Authorization": "Basic " + base64.b64encode(f"{u}:{p}".encode()).decode()}  # noqa: E731
            self.assertEqual(get(g.url + "/api/user", headers=basic("admin", GRAFANA_PASSWORD))[0], 200)
            self.assertEqual(get(g.url + "/api/user", headers=basic("admin", "admin"))[0], 401)
            self.assertEqual(get(g.url + "/api/user", headers=basic("root", GRAFANA_PASSWORD))[0], 401)
            self.assertEqual(get(g.url + "/api/user")[0], 401)
            login = lambda u, p: http("POST", g.url + "/login", json.dumps({"user": u, "password": p}).encode(),  # noqa: E731
                                      {"Content-Type": "application/json"})
            self.assertEqual(login("admin", "wrong")[0], 401)
            status, _, headers = login("admin", GRAFANA_PASSWORD)
            self.assertEqual(status, 200)
            cookie = headers["Set-Cookie"].split(";")[0]
            self.assertEqual(get(g.url + "/api/user", headers={"Cookie": cookie})[0], 200)
            self.assertEqual(http("POST", g.url + "/api/user/signup/step1", b"{}")[0], 401)
            ds = json.loads(get(g.url + "/api/datasources", headers=basic("admin", GRAFANA_PASSWORD))[1])
            self.assertEqual([(d["name"], d["url"]) for d in ds], [("Prometheus", "http://prometheus:9090")])
            found = json.loads(get(g.url + "/api/search", headers=basic("admin", GRAFANA_PASSWORD))[1])
            self.assertEqual(len(found), len(self.provisioned), found)
            self.assertEqual({d["folderTitle"] for d in found}, {"JD Jones RAG"})
            in_output(self, "cannot be written", g)  # the GF_PATHS_LOGS warning
            sent = time.time()
            g.term()
            self.assertEqual(g.wait(5), 0, str(g))
            self.assertLess(time.time() - sent, 2.5)
            assert_no_secrets(self, g.output())
        finally:
            g.stop()

    def test_password_file(self):
        path = os.path.join(S["base"], "grafana-password")
        with open(path, "w") as f:
            f.write(GRAFANA_PASSWORD + "\n")
        os.chmod(path, 0o444)
        g, _, _ = self.start("grafana-file", {"GF_SECURITY_ADMIN_PASSWORD__FILE": path})
        try:
            auth = {"Authorization": "Basic " + base64.b64encode(f"admin:{GRAFANA_PASSWORD}".encode()).decode()}
            wait_for("grafana serves", lambda: get(g.url + "/api/health")[0] == 200, 15, g)
            self.assertEqual(get(g.url + "/api/user", headers=auth)[0], 200)
        finally:
            g.stop()

    def test_refuses_to_start(self):
        cases = []
        g, _, _ = self.start("grafana-no-password", {})
        cases.append((g, 78, "no admin password"))
        g, prov, dashboards = self.start("grafana-bad-json", {"GF_SECURITY_ADMIN_PASSWORD": GRAFANA_PASSWORD},
                                         prov=self._prov("bad-json", lambda p, d: append(os.path.join(d, "api.json"), "}")))
        cases.append((g, 1, "is not valid JSON"))
        g, _, _ = self.start("grafana-bad-yaml", {"GF_SECURITY_ADMIN_PASSWORD": GRAFANA_PASSWORD},
                             prov=self._prov("bad-yaml", lambda p, d: append(os.path.join(p, "datasources", "prometheus.yaml"), "\n  - : [\n")))
        cases.append((g, 1, "is not valid YAML"))
        g, _, _ = self.start("grafana-ro-data", {"GF_SECURITY_ADMIN_PASSWORD": GRAFANA_PASSWORD}, data=workdir("grafana-ro-data-dir", 0))
        cases.append((g, 1, "GF_PATHS_DATA must be writable"))
        for proc, code, message in cases:
            self.assertEqual(proc.wait(15), code, str(proc))
            in_output(self, message, proc)
            assert_no_secrets(self, proc.output())

    def _prov(self, name, damage):
        prov, dashboards = os.path.join(S["base"], f"prov-{name}"), os.path.join(S["base"], f"dash-{name}")
        self.provisioned = grafana_provisioning(prov, dashboards)
        damage(prov, dashboards)
        return prov


if __name__ == "__main__":
    unittest.main()
