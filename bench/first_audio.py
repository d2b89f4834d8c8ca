"""Time to first audio byte and total time: streaming (/v1/audio/speech) against the async job path.

Usage (from the repository root, with the dev environment):

    .venv/bin/python bench/first_audio.py                     # fresh embedded stack, eSpeak (CPU)
    .venv/bin/python bench/first_audio.py --repeats 5 --format mp3
    .venv/bin/python bench/first_audio.py --api-url http://gpu-host:8000 --api-key vk_...   # e.g. F5 on a GPU

For 1, 5 and 20 sentences, each measured `--repeats` times (median shown), one request at a time:
- stream: POST /v1/audio/speech, reading the body as it arrives; first byte = first audio byte
  (wav/pcm: the first PCM after the header), total = the last byte.
- job: POST /api/v1/jobs, poll every 20 ms until `succeeded`, then GET the audio; first byte = the
  first byte of that download, total = the download done.
Both paths run the same text, sample rate (24 kHz) and format, on the `high` lane.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from stack_overhead import EmbeddedStack  # bench/ holds scripts, not a package

SENTENCES = [
    "Había una vez, en un pueblo pequeño junto al río, una niña que soñaba con el mar.",
    "Cada mañana caminaba hasta la colina para mirar el horizonte.",
    "¿Llegaría algún día a ver las olas?",
    "Su abuelo le contaba historias de barcos, de tormentas y de puertos lejanos.",
    "Ella las escuchaba en silencio, con los ojos muy abiertos.",
]
JOB_FORMAT = {"pcm": "wav", "wav": "wav", "mp3": "mp3", "flac": "flac", "opus": "opus", "aac": "m4a"}


def text_of(sentences: int) -> str:
    return " ".join(SENTENCES[n % len(SENTENCES)] for n in range(sentences))


def streamed(client: httpx.Client, text: str, response_format: str) -> tuple[float, float]:
    body = {"model": "tts-1", "voice": "alloy", "input": text, "response_format": response_format, "stream": True}
    started = time.perf_counter()
    first: float | None = None
    skip = 44 if response_format == "wav" else 0  # the streaming header is not audio
    with client.stream("POST", "/v1/audio/speech", json=body) as response:
        response.raise_for_status()
        received = 0
        for data in response.iter_bytes():
            received += len(data)
            if first is None and received > skip:
                first = time.perf_counter() - started
    return first or 0.0, time.perf_counter() - started


def async_job(client: httpx.Client, text: str, response_format: str) -> tuple[float, float]:
    body = {"text": text, "output_format": JOB_FORMAT[response_format], "priority": "high", "region": "neutral"}
    started = time.perf_counter()
    created = client.post("/api/v1/jobs", json=body)
    created.raise_for_status()
    job_id = created.json()["id"]
    while (job := client.get(f"/api/v1/jobs/{job_id}").json())["status"] not in ("succeeded", "failed", "cancelled"):
        time.sleep(0.02)
    if job["status"] != "succeeded":
        raise RuntimeError(f"job {job_id} {job['status']}: {job.get('error')}")
    first: float | None = None
    with client.stream("GET", f"/api/v1/jobs/{job_id}/audio") as response:
        for _ in response.iter_bytes():
            first = first or time.perf_counter() - started
    return first or 0.0, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--format", default="pcm", choices=sorted(JOB_FORMAT))
    parser.add_argument("--sentences", default="1,5,20")
    parser.add_argument("--api-url", help="Use a running stack instead of starting one.")
    parser.add_argument("--api-key", default=os.environ.get("VOCALIO_API_KEY"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vocalio-bench-") as directory:
        stack = None
        if args.api_url:
            api_url, api_key = args.api_url, args.api_key
        else:
            stack = EmbeddedStack(Path(directory))
            api_url, api_key = stack.start()
        headers = {"Authorization": f"Bearer {api_key}"}
        try:
            with httpx.Client(base_url=api_url, headers=headers, timeout=600) as client:
                streamed(client, text_of(1), args.format)  # warm-up: imports, ffmpeg, caches
                async_job(client, text_of(1), args.format)
                print(f"format {args.format}, 24 kHz, median of {args.repeats}; seconds")
                columns = ("stream 1st", "stream all", "job 1st", "job all")
                print(f"{'sentences':>9} {'chars':>6} | " + " ".join(f"{name:>10}" for name in columns))
                for count in (int(n) for n in args.sentences.split(",")):
                    text = text_of(count)
                    runs = [(streamed(client, text, args.format), async_job(client, text, args.format))
                            for _ in range(args.repeats)]  # fmt: skip
                    figures = [
                        statistics.median(run[path][which] for run in runs) for path in (0, 1) for which in (0, 1)
                    ]
                    print(f"{count:>9} {len(text):>6} | {figures[0]:>10.3f} {figures[1]:>10.3f} | "
                          f"{figures[2]:>10.3f} {figures[3]:>10.3f}")  # fmt: skip
        finally:
            if stack:
                stack.stop()


if __name__ == "__main__":
    main()
