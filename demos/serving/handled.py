# What the server saw of each request: when it started and ended on the server's monotonic clock,
# and the thread that ran it. The demo's app and the labs' app record into it, and the demo reads
# it back with GET /trace?tag=…, so the claims come from the server, not from client wall time.

import threading
import time

from fastapi import APIRouter

router = APIRouter()

TRACE = []


def mark(tag, start):
    if not tag:
        return  # untagged load (the Little's-law step) is not traced
    # list.append is atomic under the GIL: handler threads and the loop may all call it.
    TRACE.append({"tag": tag, "start": start, "end": time.monotonic(), "thread": threading.get_ident()})


@router.get("/trace")
async def trace(tag: str):
    return [e for e in TRACE if e["tag"] == tag]
