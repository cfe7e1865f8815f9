"""`python -m marketplace.serve`: run gunicorn on HOST:PORT, reading `.env` like the app does."""

from __future__ import annotations

import os
import sys

from marketplace import config  # noqa: F401  (loads .env into the environment)


def main() -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    workers = os.environ.get("WORKERS", "2")
    print(f"Peken is serving on http://{host}:{port} (demo logins: see README.md)", flush=True)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    os.execv(
        gunicorn,
        [
            gunicorn,
            "--workers",
            workers,
            # Threads keep each worker's heartbeat going while one thread streams a long download
            # (a year's transaction register): a sync worker would be killed after 30 s.
            "--worker-class",
            "gthread",
            "--threads",
            os.environ.get("THREADS", "4"),
            # Stripe calls are bounded below this (config STRIPE_TIMEOUT_SECONDS, checked at start).
            "--timeout",
            os.environ.get("WORKER_TIMEOUT", "30"),
            "--bind",
            f"{host}:{port}",
            "--access-logfile",
            "-",
            "wsgi:app",
        ],
    )


if __name__ == "__main__":
    main()
