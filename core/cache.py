"""A Redis cache that keeps answering when Redis does not.

Throttle and rate-limit counts must be shared by every web process, so they live in Redis. A
Redis outage must not turn every failed sign-in or API call into a 500 (the registry keeps
serving without Redis, see README "Reliability"), so while Redis cannot be reached this
process counts in its own memory: limits still hold, per process, until Redis is back.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 30  # after a failure, how long to use memory before trying Redis again


class FailoverRedisCache(BaseCache):
    def __init__(self, server, params):
        super().__init__(params)
        options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, **params.get("OPTIONS", {})}
        self.redis = RedisCache(server, {**params, "OPTIONS": options})
        self.memory = LocMemCache(f"failover:{server}", params)
        self.down_until = 0.0

    def _call(self, method: str, *args, **kwargs):
        if time.monotonic() >= self.down_until:
            try:
                return getattr(self.redis, method)(*args, **kwargs)
            except (RedisConnectionError, RedisTimeoutError) as error:
                self.down_until = time.monotonic() + RETRY_SECONDS
                logger.warning("cache: Redis unreachable (%s); counting in this process's memory", error)
        return getattr(self.memory, method)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version=version)

    def clear(self):
        self.memory.clear()
        return self._call("clear")

    def close(self, **kwargs):
        self.redis.close(**kwargs)
