"""The reference for served throughput: a bare Flask route answering "Hello", served by
gunicorn exactly as the portal is in the same benchmark run (bench/bench_portal.py)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello"
