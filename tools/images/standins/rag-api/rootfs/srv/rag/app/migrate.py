"""STAND-IN for ghcr.io/jdjones/rag-api: `alembic upgrade head`, the program's migration command
(commands.migration), run by the db-migrate Job after its enable-pgvector init container.

Contract checked:
  connection  POSTGRES_HOST/PORT/DB/USER/PASSWORD, TLS from libpq's PGSSLMODE/PGSSLROOTCERT (settings.py)
  pgvector    the program enables it BEFORE the migration: postgres-init's 01-pgvector.sql on a fresh
              in-cluster database, and on every run the Job's init container (psql: CREATE EXTENSION IF
              NOT EXISTS vector, components/trust.go). So this migration does not create it: it
              requires it, and fails naming the missing step, so that a program that dropped that step
              fails here instead of being covered by the stand-in.
  schema      in one transaction: alembic's own table alembic_version at this stand-in's head, and a
              table with a vector(3) column, which only works where pgvector really is installed.
Exit 0 on success; 1 with a message on stderr when it cannot connect or migrate; 2 for other arguments.
"""

import sys

from .settings import ContractError, Settings, scrub

HEAD = "standin_0001"


def log(msg):
    print(f"alembic (rag-api STAND-IN): {scrub(msg)}", file=sys.stderr, flush=True)


def main(argv):
    if argv in (["--version"], ["-v"]):
        print("alembic STAND-IN of ghcr.io/jdjones/rag-api (supports: upgrade head, current)")
        return 0
    if argv not in (["upgrade", "head"], ["current"]):
        log(f"unsupported arguments {argv!r}: this stand-in runs only `alembic upgrade head` and `alembic current`")
        return 2
    try:
        s = Settings("migration")
    except ContractError as e:
        log(f"contract error: {e}")
        return 1
    import psycopg

    pg = s.postgres
    where = f"{pg['host']}:{pg['port']}/{pg['dbname']} as {pg['user']} (PGSSLMODE={s.pg_sslmode or 'unset'})"
    try:
        conn = psycopg.connect(**pg, connect_timeout=10, application_name="rag-api-standin-migration")
    except psycopg.Error as e:
        log(f"FAILED: cannot connect to Postgres at {where}: {str(e).strip()}")
        return 1
    try:
        with conn, conn.cursor() as cur:
            tls = cur.execute("SELECT COALESCE((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)").fetchone()[0]
            log(f"connected to {where}, TLS {'on' if tls else 'off'}")
            if argv == ["current"]:
                exists = cur.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()[0]
                head = cur.execute("SELECT string_agg(version_num, ',') FROM alembic_version").fetchone()[0] if exists else None
                print(f"{head} (head)" if head == HEAD else (head or ""))
                return 0
            row = cur.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
            if row is None:
                available = cur.execute("SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'").fetchone()[0]
                if available:
                    log(f"FAILED: pgvector is installed on the server but not enabled in database {pg['dbname']}: "
                        "the program's enable-pgvector step (CREATE EXTENSION IF NOT EXISTS vector) did not run")
                else:
                    log(f"FAILED: the server has no pgvector extension at all (pg_available_extensions has no 'vector'): "
                        f"database {pg['dbname']} cannot hold embeddings")
                return 1
            log(f"pgvector {row[0]} is enabled")
            cur.execute("CREATE TABLE IF NOT EXISTS alembic_version ("
                        " version_num varchar(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")
            cur.execute("CREATE TABLE IF NOT EXISTS standin_documents ("
                        " id bigserial PRIMARY KEY, content text NOT NULL,"
                        " embedding vector(3), created_at timestamptz NOT NULL DEFAULT now())")
            cur.execute("DELETE FROM alembic_version")
            cur.execute("INSERT INTO alembic_version (version_num) VALUES (%s)", (HEAD,))
        log(f"upgraded to head {HEAD}")
        return 0
    except psycopg.Error as e:
        log(f"FAILED: migration on {where}: {str(e).strip()}")
        return 1
    finally:
        conn.close()
