"""Runs the per-file phase in worker processes that may crash, hang or run out of memory and
take only their own file with them.

libcst's native parser segfaults on some inputs (thousands of nested parentheses, a 7,100-term
`or` chain) and runs for minutes on others (nested `match` patterns), so no file is parsed in
the main process, whatever `--jobs` says. Each worker reports every file as it finishes, so
the file a worker was on when it died or overran its time is known exactly: that file alone is
retried once in a batch of its own (a crash may come from something else), then becomes an
SSOT000 finding naming the cause; the rest of its batch goes back to the queue.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path

from ssot_audit.model import FileFacts
from ssot_audit.pipeline.per_file import FileTask, RulePlan, analyze, failed

# Deep but valid chains (a 350-term `+`, `elif` ladders, long `.attr` chains) recurse far past
# Python's default limit of 1,000 in libcst's visitors; a thread with a big stack lets them
# finish. The stack is reserved address space, touched only as deep as a file needs.
STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 60_000
# Allocations between two young-generation collections in a worker (CPython's default: 700).
GC_THRESHOLD = 50_000
MIB = 1024 * 1024
# Woken by a result, this process lets more arrive before it reads them while every busy
# worker still has GATHER_FILES files of its batch to go: a worker's write to a process
# waiting on the pipe wakes it, which cost both processes CPU for every file (on the tree of
# 20,000 small files, a tenth of this process's CPU and a twentieth of the worker's wall
# time). Nearer a batch's end it reads at once, so the worker gets its next batch without
# waiting. A batch is sent only to a worker that has finished its last: one sent while it
# still writes results could fill both pipes, each process waiting for the other to read.
# A file's time limit counts from its predecessor's result as read, so it gets this much more.
GATHER_FILES = 8
GATHER_SECONDS = 0.004


@dataclass(frozen=True)
class Limits:
    """Per-file limits: seconds of analysis, and memory a worker may take beyond its start."""

    seconds: float  # per MiB started: a 4 MiB generated module gets four times as long
    memory_bytes: int

    def seconds_for(self, task: FileTask) -> float:
        return self.seconds * max(1, -(-len(task.data) // MIB))


@dataclass
class _Queue:
    """Files waiting for a worker, largest first, and their bytes."""

    tasks: deque[FileTask]
    bytes_left: int

    def batch(self, jobs: int) -> list[FileTask]:
        """The next batch: files from the head up to a quarter of a worker's share of the
        bytes left, or 32 files, at least one."""
        share = self.bytes_left // (jobs * 4)
        batch: list[FileTask] = []
        size = 0
        while self.tasks and len(batch) < 32 and (not batch or size + len(self.tasks[0].data) <= share):
            task = self.tasks.popleft()
            batch.append(task)
            size += len(task.data)
        self.bytes_left -= size
        return batch

    def add(self, tasks: Sequence[FileTask]) -> None:
        """More files, in their place by size among those still waiting."""
        self.tasks = deque(sorted([*self.tasks, *tasks], key=lambda t: -len(t.data)))
        self.bytes_left += sum(len(t.data) for t in tasks)

    def put_back(self, batch: deque[FileTask]) -> None:
        self.tasks.extendleft(reversed(batch))
        self.bytes_left += sum(len(t.data) for t in batch)


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    batch: deque[FileTask] = field(default_factory=deque)
    # When the file at the head of the batch started (the last result, or the send).
    started: float = 0.0


def run_isolated(
    tasks: Sequence[FileTask],
    plan: RulePlan,
    jobs: int,
    limits: Limits,
    while_waiting: Callable[[], Sequence[FileTask]] | None = None,
) -> Iterator[tuple[FileTask, FileFacts]]:
    """Each task with its facts, in completion order. Every worker is killed and reaped on
    the way out, also when the caller stops early or a signal interrupts. `while_waiting`
    runs once in this process after the workers have their first batches: work of the main
    process that can overlap with their parsing, which may find more tasks (it returns them).
    Workers are started as there are batches for them, up to `jobs`."""
    if not tasks:
        return
    jobs = max(1, jobs)
    # Largest files first, in batches that shrink as the queue does: no worker is left
    # finishing a big file or a long batch while the others have nothing to do.
    todo = _Queue(deque(sorted(tasks, key=lambda t: -len(t.data))), sum(len(t.data) for t in tasks))
    alone: deque[FileTask] = deque()  # a worker died on these: retried one per batch
    retried: set[str] = set()
    workers: list[_Worker] = []
    context = multiprocessing.get_context()
    try:
        while todo.tasks or alone or any(w.batch for w in workers):
            for worker in workers:
                if not worker.batch and (todo.tasks or alone):
                    _assign(worker, [alone.popleft()] if alone else todo.batch(jobs))
            while len(workers) < jobs and (todo.tasks or alone):
                worker = _start(context, plan, limits)
                workers.append(worker)
                _assign(worker, [alone.popleft()] if alone else todo.batch(jobs))
            if while_waiting is not None:
                more = while_waiting()
                while_waiting = None
                if more:
                    todo.add(more)
                    continue  # to the idle workers, and to start the others
            busy = [w for w in workers if w.batch]
            now = time.monotonic()
            timeout = max(0.0, min(w.started + limits.seconds_for(w.batch[0]) for w in busy) - now)
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout)
            if ready and all(len(w.batch) > GATHER_FILES and w.process.sentinel not in ready for w in busy):
                time.sleep(GATHER_SECONDS)
            for worker in busy:
                if ready or not worker.process.is_alive():
                    yield from _drain(worker)
                if worker.batch and not worker.process.is_alive():
                    culprit = worker.batch.popleft()
                    todo.put_back(worker.batch)
                    _stop(worker)
                    workers.remove(worker)
                    if culprit.relpath in retried:
                        yield culprit, failed(culprit, plan, _death(worker.process.exitcode, limits))
                    else:
                        retried.add(culprit.relpath)
                        alone.append(culprit)
                elif worker.batch and time.monotonic() - worker.started > limits.seconds_for(worker.batch[0]):
                    culprit = worker.batch.popleft()
                    todo.put_back(worker.batch)
                    _stop(worker)
                    workers.remove(worker)
                    message = (
                        f"analysis took longer than its time limit of {limits.seconds_for(culprit):g} s "
                        f"(file-time-limit: {limits.seconds:g} s per MiB); not audited"
                    )
                    yield culprit, failed(culprit, plan, message)
    finally:
        for worker in workers:
            _stop(worker)


def _assign(worker: _Worker, batch: list[FileTask]) -> None:
    worker.batch.extend(batch)
    worker.started = time.monotonic()
    try:
        worker.conn.send(batch)
    except OSError:
        pass  # the worker is gone; its sentinel tells the loop


def _drain(worker: _Worker) -> Iterator[tuple[FileTask, FileFacts]]:
    """Every result the worker has sent, also after it died."""
    try:
        while worker.batch and worker.conn.poll():
            facts = worker.conn.recv()
            yield worker.batch.popleft(), facts
            worker.started = time.monotonic()
    except (EOFError, OSError):
        pass


def _death(exitcode: int | None, limits: Limits) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            cause = signal.Signals(-exitcode).name
        except ValueError:
            cause = f"signal {-exitcode}"
    else:
        cause = f"exit status {exitcode}"
    return (
        f"analysing this file crashed the worker process twice ({cause}; the parser's limit, or more than "
        f"the per-file memory limit of {limits.memory_bytes // MIB} MiB, file-memory-limit); not audited"
    )


def _start(context: multiprocessing.context.BaseContext, plan: RulePlan, limits: Limits) -> _Worker:
    parent, child = context.Pipe()
    process = context.Process(target=_serve, args=(child, plan, limits.memory_bytes, os.getpid()), daemon=True)  # type: ignore[attr-defined]
    process.start()
    child.close()
    return _Worker(process, parent)


def _stop(worker: _Worker) -> None:
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join()
    worker.conn.close()


# -- inside a worker ------------------------------------------------------------------------


def _serve(conn: Connection, plan: RulePlan, memory_bytes: int, parent: int) -> None:
    _die_with_parent(parent)
    # Ctrl-C reaches the whole process group; the main process stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _cap_memory(memory_bytes)
    sys.setrecursionlimit(RECURSION_LIMIT)
    _tune_collector()
    threading.stack_size(STACK_BYTES)
    thread = threading.Thread(target=_loop, args=(conn, plan, memory_bytes))
    thread.start()
    thread.join()


def _loop(conn: Connection, plan: RulePlan, memory_bytes: int) -> None:
    while True:
        try:
            batch: list[FileTask] = conn.recv()
        except (EOFError, OSError):
            return
        for task in batch:
            try:
                facts = analyze(task, plan)
            except MemoryError:
                facts = failed(
                    task,
                    plan,
                    f"analysis needs more than the per-file memory limit of {memory_bytes // MIB} MiB (file-memory-limit); not audited",
                )
            except Exception as exc:  # noqa: BLE001 - a rule's bug costs its file, not the audit
                where = traceback.extract_tb(exc.__traceback__)[-1]
                origin = f"{Path(where.filename).name}:{where.lineno}"
                facts = failed(
                    task, plan, f"analysis failed with {type(exc).__name__}: {exc} (in {origin}); not audited"
                )
            # Plain pickle: multiprocessing's own pickler copies its table of reducers for every
            # message, and facts hold nothing (a socket, a file handle) that needs one.
            conn.send_bytes(pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL))


def _tune_collector() -> None:
    """What the worker inherits (modules, rule classes) lives as long as it does, so it is
    moved out of the cyclic collector's scans; and a parse allocates hundreds of thousands of
    nodes, which with the default threshold start a collection every 700 of them. Rarer
    collections still free each file's garbage; about a tenth of a worker's time."""
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 20, 20)
    gc.enable()  # the main process pauses it while it collects results (collector_pause.py)


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive an audit killed with SIGKILL (Linux only; elsewhere the
    closed pipe ends it once its file is done)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _cap_memory(memory_bytes: int) -> None:
    """Address space beyond what the worker holds now and its big stack: a file that needs
    more raises MemoryError in Python or aborts native code, either way only this worker."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as fh:
            size = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmSize:"))
    except (ImportError, OSError, StopIteration, ValueError):
        return
    cap = size + STACK_BYTES + memory_bytes
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
