"""Settings gunicorn reads from the working directory: `gunicorn 'app:create_app()'` in production
(README) and in `make bench` both use them."""

import gc


def post_worker_init(worker):
    """Tune CPython's cyclic garbage collector for a web worker.

    A page allocates tens of thousands of short-lived objects (rows, ORM objects, template output); with
    the default threshold (700 allocations) the collector ran dozens of times per page and each full run
    walked everything the app had loaded. Freezing moves what is loaded at start-up out of its sight, and a
    higher first threshold lets short-lived objects die by reference counting first. Measured by
    `make bench` (docs/benchmarks.md), including the workers' peak memory.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
