"""Batching for the recognizer: decode requests that wait at the same time run as one CTranslate2 call.

A worker that frees up takes the oldest waiting request and every other waiting request with the same batch key
(same window length and prompt length, which CTranslate2 needs to stack them), up to a maximum batch size.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Request = TypeVar("Request")
Result = TypeVar("Result")


@dataclass
class _Job(Generic[Request, Result]):
    key: Hashable
    request: Request
    done: threading.Event = field(default_factory=threading.Event)
    result: Result | None = None
    error: BaseException | None = None


class Batcher(Generic[Request, Result]):
    """Runs `run_batch(requests) -> results` (same length, same order) on `workers` threads, batching requests
    that share a key. `submit` blocks its caller until its own result is ready and returns it (or raises what
    the batch raised). `gather_s` > 0 makes a worker wait that long for more requests when its batch is not full.
    """

    def __init__(self, run_batch: Callable[[Sequence[Request]], Sequence[Result]], workers: int = 2,
                 max_batch: int = 10, gather_s: float = 0.0, name: str = "asr-batch") -> None:
        self._run_batch = run_batch
        self._workers = workers
        self._max_batch = max(1, max_batch)
        self._gather_s = gather_s
        self._name = name
        self._waiting: deque[_Job[Request, Result]] = deque()
        self._cond = threading.Condition()
        self._threads: list[threading.Thread] = []
        self.batch_sizes: list[int] = []  # every batch run so far, for benches and tests (bounded)

    def submit(self, key: Hashable, request: Request) -> Result:
        """Queue `request` under `key`, wait for its batch to run, return its result."""
        job: _Job[Request, Result] = _Job(key, request)
        with self._cond:
            if len(self._threads) < self._workers:
                thread = threading.Thread(target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
            self._waiting.append(job)
            self._cond.notify()
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]

    def waiting(self) -> int:
        """How many requests wait for a worker now."""
        with self._cond:
            return len(self._waiting)

    def _take(self) -> list[_Job[Request, Result]]:
        """The next batch: the oldest job and the waiting jobs of its key (called holding the condition)."""
        while not self._waiting:
            self._cond.wait()
        first = self._waiting.popleft()
        batch = [first]
        deadline = time.monotonic() + self._gather_s
        while True:
            for job in list(self._waiting):
                if len(batch) >= self._max_batch:
                    break
                if job.key == first.key:
                    self._waiting.remove(job)
                    batch.append(job)
            remaining = deadline - time.monotonic()
            if len(batch) >= self._max_batch or remaining <= 0:
                return batch
            self._cond.wait(remaining)

    def _work(self) -> None:
        while True:
            with self._cond:
                batch = self._take()
            self.batch_sizes.append(len(batch))
            del self.batch_sizes[:-1000]
            try:
                results = self._run_batch([job.request for job in batch])
                if len(results) != len(batch):
                    raise RuntimeError(f"a batch of {len(batch)} gave {len(results)} results")
                for job, result in zip(batch, results, strict=True):
                    job.result = result
            except BaseException as exc:  # handed to every caller of the batch, which raises it
                for job in batch:
                    job.error = exc
            for job in batch:
                job.done.set()
