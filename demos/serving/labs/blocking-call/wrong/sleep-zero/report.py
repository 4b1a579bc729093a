# GET /report/{order_id}: an order's invoice as a PDF, made by the vendor's library. Its render()
# takes about 400 ms and never gives the event loop a turn; you cannot change it. When a few
# customers download invoices at once, the whole API stops answering until they are done.

import asyncio

from fastapi import APIRouter

from vendor_pdf import render

router = APIRouter()


@router.get("/report/{order_id}")
async def report(order_id: int):
    # Give the event loop a turn first, so the other requests are not held up.
    await asyncio.sleep(0)
    return {"pdf": render(order_id)}
