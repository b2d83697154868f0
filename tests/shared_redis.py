"""The shared Redis database that tests may use (never db 0, the one `make run` uses): each
pytest-xdist worker its own (13, 14, …), so one worker's Celery worker never takes the other's tasks."""

import os

_XDIST_INDEX = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
SHARED_TEST_REDIS = os.environ.get("JOBS_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{13 + _XDIST_INDEX}")
