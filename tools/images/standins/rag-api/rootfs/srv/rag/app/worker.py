"""STAND-IN for ghcr.io/jdjones/rag-api: the Celery app of the worker and beat commands the program runs,
`celery -A app.worker worker --loglevel=INFO` and
`celery -A app.worker beat --loglevel=INFO --schedule=/tmp/celerybeat-schedule` (config/defaults.go).

Contract checked:
  broker      Redis database 0 at $REDIS_SCHEME://:$REDIS_PASSWORD@$REDIS_HOST:$REDIS_PORT, with TLS
              options REDIS_SSL_CERT_REQS / REDIS_SSL_CA_CERTS for rediss (settings.py)
  worker      liveness  `find /tmp/worker_heartbeat -mmin -2`: a bootstep on the worker's timer touches
                        the file every HEARTBEAT_SECONDS (celery issue 4079's pattern) and removes it on stop
              readiness `test -e /tmp/worker_ready`: touched once the worker is consuming (worker_ready)
                        AND Postgres, Chroma, the shared claims and the LLM settings pass checks.py;
                        until then the reason is logged every RECHECK_SECONDS. Removed on shutdown.
  beat        liveness and readiness read /tmp/beat_heartbeat: the scheduler touches it on every tick
              (at least every beat_max_loop_interval = HEARTBEAT_SECONDS) after an AUTH+PING of the broker succeeds, so a
              beat that cannot reach its broker goes stale instead of looking alive.
  schedule    beat sends standin.check every 30 s; the worker runs it (Postgres and Chroma again),
              which proves beat -> Redis -> worker end to end at a negligible CPU cost.
Missing variables exit the process with 78 before Celery starts consuming. The pool is one prefork
child: the stand-in does no work worth more.
"""

import os
import sys
import threading
import time

from celery import Celery, bootsteps
from celery.beat import PersistentScheduler
from celery.signals import celeryd_init, worker_ready, worker_shutdown
from celery.utils.log import get_logger

from . import checks
from .settings import ContractError, Settings, scrub

WORKER_HEARTBEAT = "/tmp/worker_heartbeat"
WORKER_READY = "/tmp/worker_ready"
BEAT_HEARTBEAT = "/tmp/beat_heartbeat"
HEARTBEAT_SECONDS = 5.0
RECHECK_SECONDS = 10.0

logger = get_logger("app.worker")


def _fail(role, e):
    print(f"rag-api STAND-IN ({role}): contract error: {e}", file=sys.stderr, flush=True)
    # Not SystemExit: Celery may run signal handlers inside code that catches it.
    os._exit(78)


def _touch(path):
    with open(path, "a"):
        pass
    os.utime(path, None)


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


# The broker settings every role shares; the worker's own are checked in celeryd_init.
try:
    broker = Settings("beat")
except ContractError as e:
    _fail("celery", e)

app = Celery("app")
app.conf.update(
    broker_url=broker.redis_url(),
    broker_use_ssl=broker.redis_ssl(),
    broker_connection_retry_on_startup=True,
    task_ignore_result=True,
    result_backend=None,
    worker_concurrency=1,
    worker_prefetch_multiplier=1,
    worker_hijack_root_logger=True,
    beat_scheduler="app.worker:HeartbeatScheduler",
    beat_max_loop_interval=HEARTBEAT_SECONDS,  # the default scheduler would sleep up to 300 s
    beat_schedule={"standin-check": {"task": "standin.check", "schedule": 30.0}},
    timezone="UTC",
)


class Heartbeat(bootsteps.StartStopStep):
    """Touches WORKER_HEARTBEAT on the worker's timer while the worker runs."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.tref = None

    def start(self, parent):
        _touch(WORKER_HEARTBEAT)
        self.tref = parent.timer.call_repeatedly(HEARTBEAT_SECONDS, _touch, (WORKER_HEARTBEAT,), priority=10)

    def stop(self, parent):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
        _remove(WORKER_HEARTBEAT)


app.steps["worker"].add(Heartbeat)

_worker_settings = None


@celeryd_init.connect
def _check_worker_contract(**_):
    global _worker_settings
    try:
        _worker_settings = Settings("worker")
    except ContractError as e:
        _fail("worker", e)


def _readiness_loop():
    last = None
    while True:
        results = checks.run(_worker_settings)
        failed = {k: r["error"] for k, r in results.items() if not r["ok"]}
        if not failed:
            _touch(WORKER_READY)
            logger.info("rag-api STAND-IN worker ready: %s", ", ".join(results))
            return
        if failed != last:
            logger.error("rag-api STAND-IN worker NOT ready: %s", scrub("; ".join(f"{k}: {v}" for k, v in failed.items())))
            last = failed
        time.sleep(RECHECK_SECONDS)


@worker_ready.connect
def _on_ready(**_):
    threading.Thread(target=_readiness_loop, name="readiness", daemon=True).start()


@worker_shutdown.connect
def _on_shutdown(**_):
    _remove(WORKER_READY)


@app.task(name="standin.check")
def standin_check():
    s = _worker_settings or Settings("worker")
    results = checks.run(s, (("postgres", checks.postgres), ("chroma", checks.chroma)))
    logger.info("standin.check from beat: %s", scrub(results))
    return results


class HeartbeatScheduler(PersistentScheduler):
    """The persistent scheduler (--schedule under /tmp), touching BEAT_HEARTBEAT on every tick at which
    the broker answers an authenticated PING."""

    _client = None
    _broken = None

    def tick(self, *args, **kwargs):
        error = None
        try:
            if HeartbeatScheduler._client is None:
                HeartbeatScheduler._client = checks.redis_client(broker)
            HeartbeatScheduler._client.ping()
        except Exception as e:  # any failure means: not alive as a scheduler
            error = scrub(f"{type(e).__name__}: {e}")
            HeartbeatScheduler._client = None
        if error is None:
            _touch(BEAT_HEARTBEAT)
            if HeartbeatScheduler._broken is not False:
                logger.info("rag-api STAND-IN beat: broker answers, heartbeat %s", BEAT_HEARTBEAT)
        elif error != HeartbeatScheduler._broken:
            logger.error("rag-api STAND-IN beat: broker unreachable, heartbeat not touched: %s", error)
        HeartbeatScheduler._broken = error if error else False
        return super().tick(*args, **kwargs)
