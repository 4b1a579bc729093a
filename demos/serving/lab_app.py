# The app a serving lab runs under uvicorn: the learner's module (the file LAB_FILE names; its
# APIRouter `router`) mounted on FastAPI, with what the checker reads back: GET /trace (handled.py)
# and GET /db-calls (catalogue.py). Each request's round and expected count come from the
# checker's x-round and x-expect headers (shop.py).

import importlib.util
import os

from fastapi import FastAPI, Request

import catalogue
import handled
import shop

spec = importlib.util.spec_from_file_location("lab_module", os.environ["LAB_FILE"])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)

app = FastAPI()
app.include_router(handled.router)
app.include_router(catalogue.router)
app.include_router(module.router)


@app.middleware("http")
async def rounds(request: Request, call_next):
    shop.begin_request(request.headers.get("x-round", ""), int(request.headers.get("x-expect", "1")))
    return await call_next(request)
