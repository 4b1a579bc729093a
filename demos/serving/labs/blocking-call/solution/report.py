# GET /report/{order_id}: an order's invoice as a PDF, made by the vendor's library. Its render()
# takes about 400 ms and never gives the event loop a turn; you cannot change it. When a few
# customers download invoices at once, the whole API stops answering until they are done.

from fastapi import APIRouter

from vendor_pdf import render

router = APIRouter()


@router.get("/report/{order_id}")
def report(order_id: int):
    # A plain `def`: FastAPI runs it in AnyIO's thread pool, so render() blocks a pool thread and
    # the event loop goes on serving. (In an `async def`: `await run_in_threadpool(render, ...)`.)
    return {"pdf": render(order_id)}
