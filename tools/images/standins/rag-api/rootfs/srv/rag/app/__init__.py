"""STAND-IN for the application image ghcr.io/jdjones/rag-api (API, Celery worker and beat, migration).

The real image cannot be had where the cluster tests run (no registry), so this package honours the
contract the Pulumi program wires into that image, and nothing more: see settings.py for the
environment, main.py/serve.py for the API, worker.py for Celery and migrate.py for `alembic`.
"""
