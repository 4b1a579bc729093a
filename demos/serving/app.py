# The demo's FastAPI app, run by Debian's uvicorn (`/usr/bin/python3 -m uvicorn app:app`).
# Every endpoint records what the server itself saw (start and end on its monotonic clock, the
# thread that ran it), so the demo's claims come from the server, not from client wall time.
# REDIS_URL locates the run's own redis-server.

import asyncio
import importlib.metadata
import inspect
import json
import math
import os
import platform
import threading
import time
import uuid

import anyio
import httpx
import redis.asyncio as aioredis
from circuitbreaker import CircuitBreaker, CircuitBreakerError, CircuitBreakerMonitor, circuit
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

import catalogue
import handled
from catalogue import load_from_db, missed
from handled import mark

app = FastAPI()

# ------------------------------------------------------------------ what the server saw

app.include_router(handled.router)


@app.get("/health")
async def health():
    return {"status": "up"}


@app.get("/versions")
async def versions():
    names = ["fastapi", "starlette", "uvicorn", "anyio", "redis", "prometheus_client", "circuitbreaker"]
    return {n: importlib.metadata.version(n) for n in names} | {"python": platform.python_version()}


@app.get("/pool")
async def pool():
    # The limiter lives in the event loop's context: read it from an async handler.
    limiter = anyio.to_thread.current_default_thread_limiter()
    return {"total_tokens": limiter.total_tokens, "threads": threading.active_count()}


# ------------------------------------------------------------------ step 1: loop vs thread pool


@app.get("/def-sleep")
def def_sleep(ms: int, tag: str = ""):
    start = time.monotonic()
    time.sleep(ms / 1000)
    mark(tag, start)
    return {"ok": True}


@app.get("/async-block")
async def async_block(ms: int, tag: str = ""):
    start = time.monotonic()
    time.sleep(ms / 1000)  # the mistake: a blocking call inside async def holds the event loop
    mark(tag, start)
    return {"ok": True}


@app.get("/async-await")
async def async_await(ms: int, tag: str = ""):
    start = time.monotonic()
    await asyncio.sleep(ms / 1000)
    mark(tag, start)
    return {"ok": True}


@app.get("/work")
async def work(ms: int):
    """The endpoint the metrics step watches: nothing else calls it."""
    await asyncio.sleep(ms / 1000)
    return {"ok": True}


@app.get("/cpu")
async def cpu(ms: int):
    """CPU-bound work: spins for `ms` of this thread's CPU time, and says which process did it."""
    spent = time.thread_time() + ms / 1000
    while time.thread_time() < spent:
        pass
    return {"pid": os.getpid()}


# ------------------------------------------------------------------ metrics (step 7)

REQUESTS = Counter("http_requests_total", "Requests served", ["route", "status"])
LATENCY = Histogram("http_request_duration_seconds", "Time to answer", ["route"])


@app.middleware("http")
async def measure(request: Request, call_next):
    start = time.monotonic()
    response = await call_next(request)
    # The route template, not the raw path: one series per endpoint, not one per id.
    route = request.scope.get("route")
    label = route.path if route is not None else "unmatched"
    LATENCY.labels(label).observe(time.monotonic() - start)
    REQUESTS.labels(label, str(response.status_code)).inc()
    return response


@app.get("/metrics")
async def metrics():
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


# ------------------------------------------------------------------ rate limit (step 5)

CAPACITY = 5
REFILL_SECONDS = 12.0  # one token back every 12 s: a burst cannot refill while it is sent
BUCKETS = {}


def take_token(key):
    """0 when a token was taken, else the whole seconds until the next one (Retry-After)."""
    now = time.monotonic()
    tokens, at = BUCKETS.get(key, (CAPACITY, now))
    tokens = min(CAPACITY, tokens + (now - at) / REFILL_SECONDS)
    if tokens >= 1:
        BUCKETS[key] = (tokens - 1, now)
        return 0
    BUCKETS[key] = (tokens, now)
    return max(1, math.ceil((1 - tokens) * REFILL_SECONDS))


@app.middleware("http")
async def rate_limit(request: Request, call_next):
    if not request.url.path.startswith("/limited"):
        return await call_next(request)
    # One bucket per client: the X-Client header when given (the demo names itself), else the IP.
    key = request.headers.get("x-client") or request.client.host
    wait = take_token(key)
    if wait:
        return JSONResponse(
            {"error": "too many requests"}, status_code=429, headers={"Retry-After": str(wait)}
        )
    return await call_next(request)


@app.get("/limited")
async def limited():
    return {"ok": True}


# ------------------------------------------------------------------ cache-aside (step 4)

_redis = None


def cache():
    global _redis
    if _redis is None:
        _redis = aioredis.Redis.from_url(os.environ["REDIS_URL"])
    return _redis


RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
INFLIGHT = {}


async def fill(key, pid, round_, ttl):
    value = await load_from_db(pid, round_)
    await cache().setex(key, ttl, json.dumps(value))
    return value


@app.get("/product/{pid}")
async def product(pid: int, mode: str = "plain", round: str = "", expect: int = 1, ttl: int = 300):
    key = f"product:{pid}"
    cached = await cache().get(key)
    if cached is not None:
        return json.loads(cached)
    missed(round, expect)
    if mode == "plain":
        return await fill(key, pid, round, ttl)
    if mode == "coalesce":
        # One load per key in this process: later callers await the first caller's future.
        if key in INFLIGHT:
            return await INFLIGHT[key]
        future = asyncio.get_running_loop().create_future()
        INFLIGHT[key] = future
        try:
            value = await fill(key, pid, round, ttl)
            future.set_result(value)
            return value
        except Exception as err:
            future.set_exception(err)
            raise
        finally:
            del INFLIGHT[key]
    # mode == "lock": one caller across every process takes the lock and loads; the rest poll.
    token = uuid.uuid4().hex
    if await cache().set(f"lock:{key}", token, nx=True, px=2000):
        try:
            return await fill(key, pid, round, ttl)
        finally:
            await cache().eval(RELEASE, 1, f"lock:{key}", token)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        await asyncio.sleep(0.01)
        cached = await cache().get(key)
        if cached is not None:
            return json.loads(cached)
    return JSONResponse({"error": "lock holder did not fill the cache"}, status_code=503)


app.include_router(catalogue.router)


# ------------------------------------------------------------------ circuit breaker (step 6)

DEPENDENCY = httpx.Client()  # one client per process: building one loads the CA bundle
TIMEOUT_SECONDS = 0.5
BREAKERS = {}


def call_dependency(url):
    response = DEPENDENCY.get(url, timeout=TIMEOUT_SECONDS)
    response.raise_for_status()
    return response.text


def breaker(name):
    if name not in BREAKERS:
        cb = CircuitBreaker(failure_threshold=3, recovery_timeout=2, name=name)
        BREAKERS[name] = (cb, cb(call_dependency))
    return BREAKERS[name]


@app.get("/boom")
async def boom():
    raise RuntimeError("an unhandled error in one request")


@app.get("/dep/plain")
def dep_plain(url: str):
    try:
        call_dependency(url)
        return {"outcome": "ok"}
    except httpx.HTTPError as err:
        return JSONResponse({"outcome": type(err).__name__}, status_code=504)


@app.get("/dep/breaker")
def dep_breaker(url: str, name: str):
    cb, guarded = breaker(name)
    before = cb.state
    try:
        guarded(url)
        outcome, status = "ok", 200
    except CircuitBreakerError:
        outcome, status = "CircuitBreakerError", 503
    except httpx.HTTPError as err:
        outcome, status = type(err).__name__, 504
    body = {"before": before, "after": cb.state, "outcome": outcome, "failures": cb.failure_count}
    return JSONResponse(body, status_code=status)


@app.get("/dep/state")
async def dep_state(name: str):
    cb, _ = breaker(name)
    return {"state": cb.state, "failures": cb.failure_count}


@app.get("/dep/seed")
async def dep_seed():
    """Seed 002's breaker as written: @circuit(failure_threshold=5, ...) on an async def, whose
    body fails 8 times. The breaker's own record says whether it saw the failures."""
    name = f"seed-{uuid.uuid4().hex}"
    ran = []

    @circuit(failure_threshold=5, recovery_timeout=60, name=name)
    async def call_external_service():
        ran.append(1)
        raise ConnectionError("the dependency is down")

    errors = []
    for _ in range(8):
        try:
            await call_external_service()
        except Exception as err:
            errors.append(type(err).__name__)
    cb = CircuitBreakerMonitor.get(name)
    return {
        "errors": errors,
        "ran": len(ran),
        "state": cb.state,
        "failures": cb.failure_count,
        "is_coroutine_function": inspect.iscoroutinefunction(call_external_service),
    }
