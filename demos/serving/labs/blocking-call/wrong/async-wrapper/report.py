# GET /report/{order_id}: an order's invoice as a PDF, made by the vendor's library. Its render()
# takes about 400 ms and never gives the event loop a turn; you cannot change it. When a few
# customers download invoices at once, the whole API stops answering until they are done.

from fastapi import APIRouter

from vendor_pdf import render

router = APIRouter()


async def render_async(order_id: int) -> str:
    return render(order_id)


@router.get("/report/{order_id}")
async def report(order_id: int):
    # render() wrapped in a coroutine and awaited, so it no longer blocks.
    return {"pdf": await render_async(order_id)}
