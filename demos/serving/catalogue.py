# The slow backend behind the product cache (the cache steps and the stampede lab): each call is
# counted per round, and it answers only once every expected caller of the round has missed the
# cache (or after 5 s), so no caller can find the value cached before all have looked: a stampede
# shows as a count, not as a race.

import asyncio

from fastapi import APIRouter

router = APIRouter()

DB_CALLS = {}
MISSES = {}
ALL_MISSED = {}


def missed(round_, expect):
    MISSES[round_] = MISSES.get(round_, 0) + 1
    if MISSES[round_] >= expect:
        ALL_MISSED.setdefault(round_, asyncio.Event()).set()


async def load_from_db(pid, round_):
    DB_CALLS[round_] = DB_CALLS.get(round_, 0) + 1
    event = ALL_MISSED.setdefault(round_, asyncio.Event())
    try:
        await asyncio.wait_for(event.wait(), 5)
    except asyncio.TimeoutError:
        pass
    await asyncio.sleep(0.05)
    return {"id": pid, "name": f"product {pid}"}


@router.get("/db-calls")
async def db_calls(round: str):
    return {"calls": DB_CALLS.get(round, 0)}
