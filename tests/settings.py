"""Test settings: the real stack (PostgreSQL/PostGIS, Redis), with a fast password hasher, a
Redis database of its own and e-mails kept in memory."""

import os

# The project refuses to start without a secret key; the tests bring one of their own, which the
# processes they start (the browser tests' server, the benchmarks) inherit.
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "never-used-outside-the-test-suite")

from archipel.settings import *  # noqa: E402, F403
from archipel.settings import channel_layer, env, redis_cache  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The browser tests' server process writes e-mails to files the test reads.
EMAIL_BACKEND = (
    "core.mailspool.EmailBackend"  # one file per Message-ID
    if EMAIL_FILE_PATH  # noqa: F405
    else "django.core.mail.backends.locmem.EmailBackend"
)
TEST_REDIS_URL = env("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CACHES = {"default": {**redis_cache(TEST_REDIS_URL), "KEY_PREFIX": "archipel-test"}}
CHANNEL_LAYERS = {"default": channel_layer(TEST_REDIS_URL)}
CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = "archipel-test"
PRESENCE_REDIS_URL = TEST_REDIS_URL
CELERY_BROKER_URL = TEST_REDIS_URL
CELERY_RESULT_BACKEND = TEST_REDIS_URL
GRAPH_DIR = BASE_DIR / "var" / "test-graphs"  # noqa: F405
SMS_BACKEND = "core.sms.MemoryBackend"  # nothing leaves the machine; core.sms.outbox
# The partners and providers of the tests are plain HTTP servers on 127.0.0.1; tests of the
# guard itself (tests/core/test_egress.py) turn these back off.
EGRESS_ALLOW_LOOPBACK = True
EGRESS_HTTPS_ONLY = False
