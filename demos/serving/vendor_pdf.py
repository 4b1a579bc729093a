# The vendor's PDF library of the blocking-call lab: render() does its work without ever giving
# the event loop a turn (as a C extension or a blocking HTTP client does), here 400 ms of
# time.sleep. Each call is recorded as the app's own endpoints record theirs (handled.mark), so
# the lab reads back when each render ran, and on which thread.

import time

from handled import mark

RENDER_SECONDS = 0.4


def render(order_id: int) -> str:
    start = time.monotonic()
    time.sleep(RENDER_SECONDS)
    mark("render", start)
    return f"order-{order_id}.pdf"
