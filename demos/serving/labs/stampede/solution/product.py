# GET /product/{pid}: cache-aside in front of the catalogue service. `cache` is a redis.asyncio
# client; load_product() calls the catalogue, which takes about 50 ms and falls over under load.
# At peak time, whenever a hot product is not in Redis (its entry expired, or Redis restarted),
# the catalogue gets one call from every request in flight at that moment, and goes down.

import asyncio
import json

from fastapi import APIRouter

from shop import cache, load_product

router = APIRouter()

# The catalogue call in progress per key, in this process: requests that miss meanwhile await it.
INFLIGHT = {}


async def fill(key, pid):
    try:
        value = await load_product(pid)
        await cache.set(key, json.dumps(value), ex=300)
        return value
    finally:
        del INFLIGHT[key]


@router.get("/product/{pid}")
async def product(pid: int):
    key = f"product:{pid}"
    cached = await cache.get(key)
    if cached is not None:
        return json.loads(cached)
    # One catalogue call per key at a time: the first request to miss makes it, the others wait
    # for its result. (Across processes: a Redis lock, SET lock:<key> NX PX, the others polling.)
    if key not in INFLIGHT:
        INFLIGHT[key] = asyncio.create_task(fill(key, pid))
    # shield: a client that hangs up must not cancel the call the others are waiting for.
    return await asyncio.shield(INFLIGHT[key])
