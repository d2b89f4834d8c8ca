"""The worker holds numpy's OpenBLAS to one thread (its matrices are small; the engine owns the cores)."""

import json
import os
import subprocess
import sys

PROBE = """
import json
import numpy
from threadpoolctl import threadpool_info
from vocalio_worker.cli import single_threaded_numpy_blas

def openblas_threads():
    return [pool["num_threads"] for pool in threadpool_info() if pool["internal_api"] == "openblas"]

before = openblas_threads()
single_threaded_numpy_blas()
print(json.dumps([before, openblas_threads()]))
"""


def test_numpy_blas_runs_on_one_thread_in_the_worker() -> None:
    # a fresh interpreter whose OpenBLAS may use two threads, as on the 2-core machines the worker runs on
    env = os.environ | {"OPENBLAS_NUM_THREADS": "2"}
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=True).stdout
    before, after = json.loads(out)
    assert before and set(before) == {2}  # numpy's OpenBLAS (and scipy's, where loaded)
    assert after == [1] * len(before)
