# GET /product/{pid}: cache-aside in front of the catalogue service. `cache` is a redis.asyncio
# client; load_product() calls the catalogue, which takes about 50 ms and falls over under load.
# At peak time, whenever a hot product is not in Redis (its entry expired, or Redis restarted),
# the catalogue gets one call from every request in flight at that moment, and goes down.

import json

from fastapi import APIRouter

from shop import cache, load_product

router = APIRouter()


@router.get("/product/{pid}")
async def product(pid: int):
    key = f"product:{pid}"
    cached = await cache.get(key)
    if cached is not None:
        return json.loads(cached)
    # TODO: every request that misses calls the catalogue itself.
    value = await load_product(pid)
    await cache.set(key, json.dumps(value), ex=300)
    return value
