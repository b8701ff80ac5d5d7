#!/usr/bin/env python3
"""Measure this machine's CPython timing constants into a profile file that `simulate --profile` accepts.

usage: npm run calibrate -- --out PROFILE.json [--script FILE.py] [--quick] [--report REPORT.json]
   or: python3 tools/calibrate.py --out PROFILE.json [--script FILE.py] [--quick] [--report REPORT.json]

Every constant of src/sim/profile.ts (CPythonProfile), in its units (seconds), measured as the model uses it:
  switchInterval  sys.getswitchinterval(); two CPU-bound threads show the slices they really get (printed, not kept)
  gilHandoff      at those forced switches: one thread's last Python instant to the other's first (median)
  osSlice         2 x cores CPU-bound processes: how long one runs before the OS takes its core (median stretch)
  threadStart     threading.Thread.start() to the thread's first line
  submit          the main thread's cost per ThreadPoolExecutor.submit() while the one worker is busy
  dispatch        ProcessPoolExecutor, started pool: submit() to the tiny task running in the worker
  result          the same round trip: the task running to result() returning in the parent
  processStart    per start method, {launch, boot}: fitted to the time to the first task with 1 and 4 workers,
  forkserverBoot  as src/sim/models/processes.ts combines them (see fit_start below); fresh interpreter per run
  loopStart       asyncio.run() to the first coroutine's first line
  callSeconds     one hashlib.sha256().update() over 1 MiB (a `native` step is a loop of these)
  mainImport      the main module's import in a spawned or forkserver child: runpy.run_path(FILE,
                  run_name='__mp_main__') in a fresh interpreter (--script FILE.py), else an empty module's
  wakeup          threading.Lock: release() in one thread to acquire() returning in the one blocked on it (mean)
  ipcWakeup       the same across two processes: half a ping-pong of two multiprocessing Events (mean)
  poolBreak       os._exit(1) in a ProcessPoolExecutor worker to result() raising BrokenProcessPool (median)
  sendByte        per byte of a task's argument: the slope of pool round trips with bytes(N) arguments
  receiveByte     per byte of a task's result: the same with bytes(N) results
  rmwWindow       half of one bare `counter = bump(counter)` iteration: the read up to bump's entry, where a forced
                  switch leaves the value read and not written (measured directly, by instrumentation, at 21-25 ns of
                  a 43-53 ns iteration: tools/measure_sync.py)
Each is the median of several repetitions; a table of values, spreads (25th-75th percentile) and methods goes to
stderr, the profile (those keys only: the schema refuses any other) to --out, and with --report a JSON file of the
details: every figure's samples summary, the fit's check against the 2-worker runs, and the notes.
A figure that cannot be measured here keeps DEFAULT_PROFILE's value, and the table says so.
--quick takes fewer repetitions (about 3 s in all, for a test); a full run takes about 15 s on 2 cores.

Exit status: 0 written; 2 bad arguments (a message says which); 1 a measurement failed unexpectedly; 130 interrupted.
Standard library only, Python 3.9 or later.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

# src/sim/profile.ts DEFAULT_PROFILE (the 2-core reference machine): what a figure keeps when it cannot be measured,
# and the table's comparison. mainImport (the script's own) has no default.
DEFAULTS: Dict[str, float] = {
    "switchInterval": 0.005,
    "gilHandoff": 0.000025,
    "callSeconds": 0.00052,
    "osSlice": 0.003,
    "submit": 0.00005,
    "threadStart": 0.0001,
    "forkserverBoot": 0.014,
    "dispatch": 0.0003,
    "result": 0.0003,
    "loopStart": 0.0003,
    "wakeup": 0.000013,
    "ipcWakeup": 0.00004,
    "poolBreak": 0.008,
    "sendByte": 2.7e-9,
    "receiveByte": 2.6e-9,
    "rmwWindow": 2.15e-8,
}
DEFAULT_START = {
    "fork": {"launch": 0.0017, "boot": 0.0012},
    "forkserver": {"launch": 0.0015, "boot": 0.002},
    "spawn": {"launch": 0.004, "boot": 0.048},
}
START_METHODS = ("fork", "forkserver", "spawn")
# src/sim/schema.ts profileFileSchema: every constant at most LIMITS.seconds; the switch interval, the OS slice and
# a native call at least 1e-5, 1e-4 and 1e-6 s. Costs may be zero there; here they are kept above zero (a measured
# cost never is).
MAX_SECONDS = 3600.0
MIN_PERIOD = {"switchInterval": 1e-5, "osSlice": 1e-4, "callSeconds": 1e-6}
MIN_COST = 1e-7
# Costs per byte are nanoseconds: kept above zero, but far below MIN_COST.
MIN_PER_BYTE = {"sendByte": 1e-13, "receiveByte": 1e-13, "rmwWindow": 1e-12}
MIB = 1 << 20
WORKER_COUNTS = (1, 2, 4)  # the time to the first task is measured with these pool sizes


class Plan(NamedTuple):
    """How many repetitions each measurement takes."""

    gil_seconds: float  # per run of the two spinning threads
    gil_runs: int
    pingpongs: int
    thread_starts: int
    submit_batches: int
    submit_batch: int
    loops: int
    hashes: int
    slice_seconds: float  # per run of the 2 x cores spinning processes
    slice_runs: int
    round_trips: int
    start_runs: int  # fresh interpreters per start method and worker count
    imports: int
    wakes: int  # lock hand-overs between threads, and Event ping-pongs between processes
    breaks: int  # pools broken by a worker's os._exit
    payload_mb: Tuple[int, int]  # the two argument and result sizes whose round trips give the per-byte slopes
    payload_runs: int


FULL = Plan(0.6, 3, 2000, 300, 9, 2000, 200, 60, 0.6, 3, 400, 9, 7, 300, 5, (10, 40), 5)
QUICK = Plan(0.25, 1, 300, 40, 3, 300, 30, 10, 0.3, 1, 60, 2, 2, 40, 1, (4, 16), 2)


class UsageError(Exception):
    """A bad argument: the message says which (exit 2)."""


class Figure(NamedTuple):
    """One measured constant: its value (seconds), the 25th-75th percentile of its repetitions, how many there were,
    and how it was measured (or why the default was kept)."""

    value: float
    lo: float
    hi: float
    n: int
    how: str


def quartiles(xs: Sequence[float]) -> Tuple[float, float]:
    if len(xs) < 2:
        return (xs[0], xs[0]) if xs else (math.nan, math.nan)
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


def figure(xs: Sequence[float], how: str) -> Figure:
    """The median of repetitions `xs`, with their spread."""
    lo, hi = quartiles(xs)
    return Figure(statistics.median(xs), lo, hi, len(xs), how)


def mean_figure(xs: Sequence[float], how: str) -> Figure:
    """The mean of `xs`, with their spread: for a cost paid at every occurrence (the model adds one per GIL switch),
    where a long tail of slow ones counts in the total and the median would leave it out."""
    lo, hi = quartiles(xs)
    return Figure(statistics.fmean(xs), lo, hi, len(xs), how)


def kept(default: float, why: str) -> Figure:
    return Figure(default, math.nan, math.nan, 0, f"DEFAULT KEPT: {why}")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------------------
# Threads and the GIL (in this process)
# --------------------------------------------------------------------------------------------------------------


def _spin_and_sample(barrier: threading.Barrier, stop_at: float, gap: float, out: List[Tuple[float, float]], cpu: Optional[int]) -> None:
    """Pure Python, holding the GIL whenever it runs: sample perf_counter in a tight loop and record each stretch
    of running (a jump over `gap` between two samples means this thread was stopped in between). With `cpu`, this
    thread runs on that CPU only."""
    if cpu is not None:
        os.sched_setaffinity(threading.get_native_id(), {cpu})
    pc = time.perf_counter
    barrier.wait()
    start = last = pc()
    while last < stop_at:
        t = pc()
        if t - last > gap:
            out.append((start, last))
            start = t
        last = t
    out.append((start, last))


def gil_switches(seconds: float, cpus: Sequence[Optional[int]] = (None, None)) -> Tuple[List[float], List[float]]:
    """Two CPU-bound threads for `seconds`: the GIL holds (from a thread's first Python instant after it got the
    GIL to its last before it lost it) and the hand-offs (one thread's last instant to the other's first)."""
    barrier = threading.Barrier(2)
    stop_at = time.perf_counter() + 0.02 + seconds
    runs: List[List[Tuple[float, float]]] = [[], []]
    threads = [threading.Thread(target=_spin_and_sample, args=(barrier, stop_at, 20e-6, runs[i], cpus[i])) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stretches = sorted((s, e, i) for i in range(2) for s, e in runs[i])
    holds: List[List[float]] = []  # [start, end, thread]
    for s, e, i in stretches:
        if holds and holds[-1][2] == i:
            holds[-1][1] = e  # the same thread again: stopped by the OS while holding the GIL, not a switch
        else:
            holds.append([s, e, i])
    handoffs = [b[0] - a[1] for a, b in zip(holds, holds[1:])]
    return [h[1] - h[0] for h in holds[1:-1]], handoffs


def event_pingpong(n: int) -> List[float]:
    """Half the round trip of an Event ping-pong between two threads (a cross-check of the hand-off: it adds the
    Events' own Python code)."""
    ping, pong = threading.Event(), threading.Event()

    def other() -> None:
        for _ in range(n):
            ping.wait()
            ping.clear()
            pong.set()

    t = threading.Thread(target=other)
    t.start()
    out = []
    pc = time.perf_counter
    for _ in range(n):
        a = pc()
        ping.set()
        pong.wait()
        pong.clear()
        out.append((pc() - a) / 2)
    t.join()
    return out[n // 10 :]


def thread_starts(n: int) -> List[float]:
    """`Thread.start()` called to the thread's first line running."""
    out = []
    pc = time.perf_counter
    for _ in range(n):
        first: List[float] = []
        t = threading.Thread(target=lambda: first.append(pc()))
        a = pc()
        t.start()
        t.join()
        out.append(first[0] - a)
    return out


def submits(batches: int, per_batch: int) -> List[float]:
    """The main thread's time per `ThreadPoolExecutor.submit()` of a no-op while the pool's one worker is busy (so
    no call starts a thread: that is threadStart): the future, the work item, the queue, the idle check."""
    out = []
    pc = time.perf_counter
    noop = int
    with ThreadPoolExecutor(max_workers=1) as pool:
        for _ in range(batches):
            release = threading.Event()
            pool.submit(release.wait)  # occupies the worker, waiting without the GIL
            time.sleep(0.002)
            a = pc()
            for _ in range(per_batch):
                pool.submit(noop)
            out.append((pc() - a) / per_batch)
            release.set()
            pool.submit(noop).result()  # the queue drained before the next batch
    return out


def loop_starts(n: int) -> List[float]:
    """`asyncio.run(main())` called to main's first line."""
    out = []
    pc = time.perf_counter
    first: List[float] = []

    async def main() -> None:
        first.append(pc())

    for _ in range(n):
        first.clear()
        a = pc()
        asyncio.run(main())
        out.append(first[0] - a)
    return out


def hash_calls(n: int) -> List[float]:
    """One `hashlib.sha256().update()` over a 1 MiB buffer (as tools/capture.py and the fidelity runs do)."""
    buf = bytes(MIB)
    hashlib.sha256().update(buf)  # warm up: page the buffer in
    out = []
    pc = time.perf_counter
    for _ in range(n):
        a = pc()
        hashlib.sha256().update(buf)
        out.append(pc() - a)
    return out


_counter = 0


def _bump(x: int) -> int:
    return x + 1


def bump_loops(n: int, iterations: int) -> List[float]:
    """Seconds per iteration of the bare `counter = bump(counter)` loop on a module global, `n` runs."""
    global _counter
    out = []
    for _ in range(n):
        a = time.perf_counter()
        for _ in range(iterations):
            _counter = _bump(_counter)
        out.append((time.perf_counter() - a) / iterations)
    return out


def lock_wakes(n: int) -> List[float]:
    """A thread blocked in Lock.acquire(), woken by release() in the main thread: release to acquire returning, the
    GIL free (the main thread then joins the waiter, which releases it). A new waiter per sample, so no two rounds
    can overlap."""
    pc = time.perf_counter
    out = []
    for _ in range(n):
        lock = threading.Lock()
        lock.acquire()
        got: List[float] = []

        def waiter() -> None:
            lock.acquire()
            got.append(pc())
            lock.release()

        t = threading.Thread(target=waiter)
        t.start()
        time.sleep(0.0005)  # the waiter is blocked in acquire() by now
        a = pc()
        lock.release()
        t.join(5)
        if got:
            out.append(got[0] - a)
    return out


# --------------------------------------------------------------------------------------------------------------
# Processes (each in a fresh interpreter run with -c: no main module for a spawned child to import, so the child's
# boot is the bare start-up and mainImport stays a constant of its own)
# --------------------------------------------------------------------------------------------------------------

SLICE_CHILD = r"""
import sys, time, json
start_at, stop_at, gap = map(float, sys.argv[1:4])
pc = time.perf_counter
time.sleep(max(0.0, start_at - pc()))
runs, gaps = [], []
start = last = pc()
while last < stop_at:
    t = pc()
    if t - last > gap:
        runs.append(last - start); gaps.append(t - last); start = t
    last = t
print(json.dumps({"runs": runs[1:], "gaps": gaps}))
"""

ROUND_TRIP_CHILD = r"""
import sys, time, json, multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
n, method = int(sys.argv[1]), sys.argv[2]
pc = time.perf_counter
with ProcessPoolExecutor(1, mp_context=mp.get_context(method)) as pool:
    for _ in range(20):
        pool.submit(pc).result()
    dispatch, result = [], []
    for _ in range(n):
        a = pc()
        ran = pool.submit(pc).result()
        b = pc()
        dispatch.append(ran - a)
        result.append(b - ran)
print(json.dumps({"dispatch": dispatch, "result": result}))
"""

# Time from before the pool is made (as the fidelity runs time it) to each task running, with one task per worker,
# and when each worker's launch (ProcessPoolExecutor._spawn_process: Process.start() in the parent) began and ended.
START_CHILD = r"""
import sys, time, json, multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
method, n = sys.argv[1], int(sys.argv[2])
ctx = mp.get_context(method)
pc = time.perf_counter
launches = []
spawn = getattr(ProcessPoolExecutor, "_spawn_process", None)
if spawn is not None:
    def timed(self):
        a = pc()
        spawn(self)
        launches.append((a, pc()))
    ProcessPoolExecutor._spawn_process = timed
t0 = pc()
pool = ProcessPoolExecutor(n, mp_context=ctx)
starts = [f.result() - t0 for f in [pool.submit(pc) for _ in range(n)]]
pool.shutdown()
print(json.dumps({"first": min(starts), "starts": starts, "launches": [(a - t0, b - t0) for a, b in launches]}))
"""

# What a spawned child has imported when it imports the parent's main module (multiprocessing.spawn.prepare), then
# that import as spawn does it; the seconds go to a file, whatever the script prints.
IMPORT_CHILD = r"""
import os, sys, time, runpy
import multiprocessing.spawn
path, out = sys.argv[1], sys.argv[2]
sys.argv = [path]
sys.path[0] = os.path.dirname(path)
a = time.perf_counter()
runpy.run_path(path, run_name="__mp_main__")
b = time.perf_counter()
with open(out, "w") as f:
    f.write(repr(b - a))
"""


# Half a ping-pong of two multiprocessing Events between the parent and a forked child: one wake across processes.
IPC_CHILD = r"""
import sys, time, json, multiprocessing as mp
n = int(sys.argv[1])
ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else None)
ping, pong = ctx.Event(), ctx.Event()
def child(ping, pong, n):
    for _ in range(n):
        ping.wait(); ping.clear(); pong.set()
p = ctx.Process(target=child, args=(ping, pong, n)); p.start()
pc = time.perf_counter
out = []
for _ in range(n):
    a = pc(); ping.set(); pong.wait(); pong.clear(); out.append((pc() - a) / 2)
p.join()
print(json.dumps({"wakes": out}))
"""

# A pool worker stamps the clock into a file and calls os._exit(1): from the stamp to result() raising
# BrokenProcessPool in the parent, over fresh pools.
BREAK_CHILD = r"""
import os, sys, time, json, tempfile, multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
n = int(sys.argv[1])
def die(path):
    with open(path, "w") as f:
        f.write(repr(time.perf_counter()))
    os._exit(1)
if __name__ == "__main__":
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else None)
    out = []
    for _ in range(n):
        fd, path = tempfile.mkstemp(); os.close(fd)
        pool = ProcessPoolExecutor(2, mp_context=ctx)
        pool.submit(int).result()
        f = pool.submit(die, path)
        try:
            f.result()
        except BrokenProcessPool:
            out.append(time.perf_counter() - float(open(path).read()))
        pool.shutdown()
        os.unlink(path)
    print(json.dumps({"breaks": out}))
"""

# Pool round trips of f(bytes(N)) returning b"" and of f(b"") returning bytes(N), for two sizes: the slopes per byte.
PAYLOAD_CHILD = r"""
import sys, time, json, gc, multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
small, big, runs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def f(b, m):
    return bytes(m)
if __name__ == "__main__":
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else None)
    pc = time.perf_counter
    out = {}
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        pool.submit(f, b"", 0).result()
        for name, size in (("small", small), ("big", big)):
            arg = bytes(size)
            for what, a, m in (("send", arg, 0), ("receive", b"", size)):
                xs = []
                for _ in range(runs + 1):
                    gc.collect(); t = pc(); pool.submit(f, a, m).result(); xs.append(pc() - t)
                out[f"{what}_{name}"] = sorted(xs[1:])[len(xs[1:]) // 2]
            del arg
    print(json.dumps(out))
"""


def run_script(code: str, args: Sequence[str], timeout: float = 120.0) -> dict:
    """A child that needs a real main module (its pool's workers import it): the code in a temporary file."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(code)
        path = f.name
    try:
        p = subprocess.run([sys.executable, path, *args], capture_output=True, text=True, timeout=timeout)
    finally:
        os.unlink(path)
    if p.returncode != 0:
        raise ChildFailed(p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}")
    return json.loads(p.stdout)


class ChildFailed(Exception):
    pass


def run_child(code: str, args: Sequence[str], timeout: float = 60.0) -> dict:
    p = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        lines = (p.stderr or "").strip().splitlines()
        raise ChildFailed(lines[-1] if lines else f"exit status {p.returncode}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # what this process may use (a container or taskset may limit it)
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def os_slices(cores: int, seconds: float, runs: int) -> Tuple[List[float], List[float]]:
    """2 x cores CPU-bound processes at once, each sampling perf_counter: the stretches each ran before a gap of
    over 0.1 ms (its core taken), and those gaps. The model's osSlice is the stretch: a thread runs that long before
    the kernel preempts it for a waiting one (profile.test.ts observes it so, four processes on two cores)."""
    stretches: List[float] = []
    gaps: List[float] = []
    for _ in range(runs):
        start_at = time.perf_counter() + 0.25
        args = [repr(start_at), repr(start_at + seconds), "1e-4"]
        procs = [subprocess.Popen([sys.executable, "-c", SLICE_CHILD, *args], stdout=subprocess.PIPE, text=True) for _ in range(2 * cores)]
        for p in procs:
            out, _ = p.communicate(timeout=60)
            if p.returncode == 0:
                r = json.loads(out)
                stretches += r["runs"]
                gaps += r["gaps"]
    return stretches, gaps


def first_task_model(method: str, workers: int, cores: int, server: float, launch: float, boot: float, dispatch: float) -> float:
    """When src/sim/models/processes.ts starts the first task of `workers` one-task-each on `cores` cores, with the
    kernel's round robin taken as processor sharing (every runnable thread gets cores/runnable of a core).
    The launcher (the parent; the fork server for forkserver, after its own boot) launches the workers one after
    another; each then boots; fork feeds work only once all are launched, the others once the first is; a worker
    that has booted while work flows takes a task (dispatch) and runs it."""
    remaining: Dict[object, float] = {}
    phase: Dict[object, str] = {}
    state = {"launched": 0, "feeding": False, "t": 0.0}
    feeds_after = workers if method == "fork" else 1

    def burst(who: object, what: str, seconds: float) -> None:
        remaining[who] = seconds
        phase[who] = what

    def launch_next() -> None:
        if state["launched"] < workers:
            burst("launcher", "launch", launch)

    if method == "forkserver":
        burst("launcher", "server", server)
    else:
        launch_next()
    while True:
        share = min(1.0, cores / len(remaining))
        who = min(remaining, key=lambda k: remaining[k])
        step = remaining[who]
        state["t"] += step / share
        for k in remaining:
            remaining[k] -= step
        done = phase[who]
        del remaining[who]
        if done == "server":
            launch_next()
        elif done == "launch":
            w = state["launched"]
            state["launched"] += 1
            burst(w, "boot", boot)
            if not state["feeding"] and state["launched"] >= feeds_after:
                state["feeding"] = True
                for k, p in list(phase.items()):
                    if p == "idle":
                        burst(k, "dispatch", dispatch)
            launch_next()
        elif done == "boot":
            if state["feeding"]:
                burst(who, "dispatch", dispatch)
            else:
                phase[who] = "idle"
        elif done == "dispatch":
            return state["t"]


class StartFit(NamedTuple):
    launch: float
    boot: float
    note: str


def fit_start(method: str, cores: int, t1: float, t4: float, dispatch: float, direct: Optional[float]) -> StartFit:
    """launch L and boot B such that the model's time to the first task is the measured one with 1 worker exactly
    (L + B + dispatch: nothing contends) and, as near as can be, with 4: L minimises (model_4(L) - t4)^2, and is no
    less than the parent's measured Process.start() (`direct`; spawn's 4-worker time pins L only loosely). The times
    are from the pool's creation, but forkserver's from the first worker's launch, which takes the server's boot
    (the noisiest part) out of both (then t1 = B + dispatch, and the server's boot is the first launch's end - L).
    Where the 4-worker time does not depend on L the parent's measured launch time `direct` decides; where no L
    gives it within 5% + 1 ms (the machine does what the model has not: spawn and forkserver also boot a resource
    tracker, a fresh interpreter, that competes for the cores) L is `direct`, and the notes say so."""
    relative = method == "forkserver"
    top = max(t1, 2 * direct) if relative and direct is not None else t1 - dispatch
    if direct is not None:
        direct = min(max(direct, 0.0), top)

    def boot(L: float) -> float:
        return t1 - dispatch - (0.0 if relative else L)

    def model4(L: float) -> float:
        return first_task_model(method, 4, cores, 0.0, L, boot(L), dispatch) - (L if relative else 0.0)

    if top <= 0 or boot(0.0) <= 0:
        launch = direct if direct is not None else DEFAULT_START[method]["launch"]
        return StartFit(launch, MIN_COST, "the 1-worker time is no more than launch and dispatch: boot set to ~0")

    def cost(L: float) -> float:
        return (model4(L) - t4) ** 2 + (1e-3 * (L - direct) ** 2 if direct is not None else 0.0)

    floor = direct or 0.0  # the pool's cost per worker is at least the Process.start() in it
    step = (top - floor) / 200
    grid = [L for L in (floor + step * i for i in range(201)) if boot(L) >= 0]
    best = min(grid, key=cost)
    lo, hi = max(floor, best - step), min(grid[-1], best + step)
    for _ in range(40):  # golden-section refinement around the best grid point
        a, b = hi - (hi - lo) * 0.618, lo + (hi - lo) * 0.618
        if cost(a) < cost(b):
            hi = b
        else:
            lo = a
    launch = (lo + hi) / 2
    if abs(model4(launch) - t4) <= 0.001 + 0.05 * t4 or direct is None:
        return StartFit(launch, boot(launch), "")
    return StartFit(
        direct,
        max(MIN_COST, boot(direct)),
        f"no launch makes the model's 4-worker time the measured {t4 * 1e3:.1f} ms (the closest is {model4(launch) * 1e3:.1f} ms): "
        "launch is the parent's measured Process.start(), boot the rest of the 1-worker time",
    )


def process_starts(plan: Plan, cores: int, dispatch: float, notes: List[str]) -> Tuple[Dict[str, Dict[str, Figure]], Figure, dict]:
    """Time to the first task with 1, 2 and 4 workers per start method, `plan.start_runs` fresh interpreters each
    (interleaved, so a disturbance spreads over all), then the fit per method (fit_start)."""
    import multiprocessing

    methods = [m for m in START_METHODS if m in multiprocessing.get_all_start_methods()]
    runs: Dict[Tuple[str, int], List[dict]] = {(m, n): [] for m in methods for n in WORKER_COUNTS}
    failed: Dict[str, str] = {}
    for _ in range(plan.start_runs):
        for m in methods:
            for n in WORKER_COUNTS:
                if m in failed:
                    continue
                try:
                    runs[(m, n)].append(run_child(START_CHILD, [m, str(n)]))
                except (ChildFailed, subprocess.TimeoutExpired, ValueError) as e:
                    failed[m] = str(e)
    out: Dict[str, Dict[str, Figure]] = {}
    detail: dict = {}
    server_fig = kept(DEFAULTS["forkserverBoot"], "forkserver not available here")
    for m in START_METHODS:
        timed = all(r["launches"] for n in WORKER_COUNTS for r in runs.get((m, n), []))
        if m not in methods or m in failed or (m == "forkserver" and not timed):
            why = failed.get(m, "this start method is not available here" if m not in methods else "the pool's launches could not be timed")
            notes.append(f"processStart.{m}: default kept ({why})")
            out[m] = {k: kept(DEFAULT_START[m][k], why) for k in ("launch", "boot")}
            if m == "forkserver":
                server_fig = kept(DEFAULTS["forkserverBoot"], why)
            continue
        firsts = {n: [r["first"] for r in runs[(m, n)]] for n in WORKER_COUNTS}
        f = {n: statistics.median(firsts[n]) for n in WORKER_COUNTS}
        # The parent's serial cost per worker: the second launch (the pool's set-up, and for forkserver the
        # server's boot, are in the first), from the runs with 2 and more workers.
        seconds = [r["launches"][1][1] - r["launches"][1][0] for n in (2, 4) for r in runs[(m, n)] if len(r["launches"]) > 1]
        direct = statistics.median(seconds) if seconds else None
        if m == "forkserver":
            first_end = {n: [r["launches"][0][1] for r in runs[(m, n)]] for n in WORKER_COUNTS}
            after = {n: [a - e for a, e in zip(firsts[n], first_end[n])] for n in WORKER_COUNTS}
            t = {n: statistics.median(after[n]) for n in WORKER_COUNTS}
            pairs = list(zip(after[1], after[4]))
        else:
            t, pairs = f, list(zip(firsts[1], firsts[4]))
        fit = fit_start(m, cores, t[1], t[4], dispatch, direct)
        per_run = [fit_start(m, cores, a, b, dispatch, direct) for a, b in pairs]
        server = 0.0
        if m == "forkserver":
            # The model boots the server from the pool's creation, and the first launch ends a launch after that.
            ends = [e - fit.launch for n in WORKER_COUNTS for e in first_end[n]]
            server_fig = figure(ends, "the first worker's launch (the server booted, then forked it) minus a launch")
            server = server_fig.value
        text = f"first task with 1/4 workers {f[1] * 1e3:.1f}/{f[4] * 1e3:.1f} ms"
        if fit.note:
            launch_how = f"Process.start() in the parent (4 workers do not fit: notes); {text}"
            boot_how = f"the 1-worker time less launch and dispatch; {text}"
        else:
            launch_how = f"fit to the {text}" + (f"; Process.start() {direct * 1e3:.2f} ms" if direct is not None else "")
            boot_how = f"fit to the {text}"
        lo_l, hi_l = quartiles([p.launch for p in per_run])
        lo_b, hi_b = quartiles([p.boot for p in per_run])
        out[m] = {"launch": Figure(fit.launch, lo_l, hi_l, len(per_run), launch_how), "boot": Figure(fit.boot, lo_b, hi_b, len(per_run), boot_how)}
        if fit.note:
            notes.append(f"processStart.{m}: {fit.note}")
        model = {n: first_task_model(m, n, cores, server, fit.launch, fit.boot, dispatch) for n in WORKER_COUNTS}
        detail[m] = {
            "firstTaskSeconds": {str(n): {"measured": f[n], "spread": quartiles(firsts[n]), "model": model[n]} for n in WORKER_COUNTS},
            "launchSeconds": {"direct": direct, "samples": len(seconds)},
        }
        checks = ", ".join(f"{n}: {f[n] * 1e3:.1f} vs {model[n] * 1e3:.1f}" for n in WORKER_COUNTS)
        notes.append(f"processStart.{m}: time to the first task, measured vs the model with these figures (ms), workers {checks}")
    return out, server_fig, detail


def main_imports(script: Optional[str], n: int) -> List[float]:
    """The main module's import as a spawned child does it, in a fresh interpreter each time."""
    with tempfile.TemporaryDirectory(prefix="calibrate-") as d:
        path = script
        if path is None:
            path = os.path.join(d, "bare_main.py")
            open(path, "w").close()
        out = os.path.join(d, "seconds")
        samples = []
        for _ in range(n):
            p = subprocess.run([sys.executable, "-c", IMPORT_CHILD, os.path.abspath(path), out], capture_output=True, text=True, timeout=300)
            if p.returncode != 0:
                lines = (p.stderr or "").strip().splitlines()
                raise UsageError(f"--script {script}: importing it as __mp_main__ (as a spawned child does) failed: {lines[-1] if lines else p.returncode}")
            with open(out) as f:
                samples.append(float(f.read()))
        return samples


# --------------------------------------------------------------------------------------------------------------
# The profile
# --------------------------------------------------------------------------------------------------------------


def clamp(name: str, x: float) -> float:
    """Within what src/sim/schema.ts accepts, at 4 significant digits."""
    lo = MIN_PERIOD.get(name, MIN_PER_BYTE.get(name, MIN_COST))
    x = x if math.isfinite(x) else DEFAULTS.get(name, lo)
    return float(f"{min(MAX_SECONDS, max(lo, x)):.4g}")


def measure(plan: Plan, script: Optional[str]) -> Tuple[Dict[str, Figure], List[str], dict]:
    figs: Dict[str, Figure] = {}
    notes: List[str] = []
    detail: dict = {}
    cores = cpu_count()

    # First, so that a script that cannot be imported is reported at once.
    log("calibrate: the main module's import ...")
    what = f"runpy.run_path({os.path.basename(script)}, '__mp_main__') in a fresh interpreter" if script else "an empty main module, run as __mp_main__"
    imports = figure(main_imports(script, plan.imports), what)

    log("calibrate: threads and the GIL ...")
    interval = sys.getswitchinterval()
    holds: List[float] = []
    handoffs: List[float] = []
    for _ in range(plan.gil_runs):
        h, o = gil_switches(plan.gil_seconds)
        holds += h
        handoffs += o
    figs["switchInterval"] = Figure(interval, interval, interval, 1, "sys.getswitchinterval()")
    pingpong = event_pingpong(plan.pingpongs)
    if len(holds) >= 5:
        hold = figure(holds, "")
        detail["gilHold"] = {"median": hold.value, "spread": (hold.lo, hold.hi), "n": hold.n}
        notes.append(
            f"switchInterval: two CPU-bound threads hold the GIL {hold.value * 1e3:.2f} ms at a time (median of {hold.n}; "
            f"25-75%: {hold.lo * 1e3:.2f}-{hold.hi * 1e3:.2f} ms) for an interval of {interval * 1e3:.2f} ms "
            f"(the model: interval + hand-off = {(interval + (statistics.fmean(handoffs) if handoffs else 0)) * 1e3:.2f} ms)"
        )
        if hasattr(os, "sched_setaffinity") and cores >= 2:
            # Linux tends to keep two threads that take turns on one core: the waiter's time-out then has to wait
            # for the scheduler to preempt the holder. On two cores of their own that wait is gone.
            apart_holds, apart_handoffs = gil_switches(plan.gil_seconds, sorted(os.sched_getaffinity(0))[:2])
            if len(apart_holds) >= 5 and apart_handoffs:
                notes.append(
                    f"switchInterval: cross-check, the two threads pinned to two cores: holds {statistics.median(apart_holds) * 1e3:.2f} ms, "
                    f"hand-offs {statistics.median(apart_handoffs) * 1e6:.1f} us (a difference from the above is the OS's placement, not the GIL's)"
                )
        if not 0.8 * interval <= hold.value <= 1.2 * interval + 0.0002:
            notes.append("switchInterval: the slices are not the interval (+ a hand-off): the profile keeps the interval, which the model takes as a slice")
    if len(handoffs) >= 10:
        figs["gilHandoff"] = mean_figure(handoffs, "forced switches of 2 spinning threads: last instant to the other's first, mean")
    else:
        figs["gilHandoff"] = figure(pingpong, "half an Event ping-pong (too few forced switches seen)")
    ppf = figure(pingpong, "")
    notes.append(f"gilHandoff: cross-check, half an Event ping-pong between two threads: {ppf.value * 1e6:.1f} us (it adds the Events' own code)")
    figs["threadStart"] = figure(thread_starts(plan.thread_starts), "Thread.start() to the thread's first line")
    figs["submit"] = figure(submits(plan.submit_batches, plan.submit_batch), f"ThreadPoolExecutor.submit() x {plan.submit_batch}, worker busy: per call")
    figs["loopStart"] = figure(loop_starts(plan.loops), "asyncio.run() to the coroutine's first line")
    figs["callSeconds"] = figure(hash_calls(plan.hashes), "hashlib.sha256().update(1 MiB)")

    log(f"calibrate: the OS time slice ({2 * cores} spinning processes on {cores} cores) ...")
    stretches, gaps = os_slices(cores, plan.slice_seconds, plan.slice_runs)
    if len(stretches) >= 20 and len(gaps) >= 20:
        s, g = figure(stretches, ""), figure(gaps, "")
        detail["osSlice"] = {"stretch": {"median": s.value, "spread": (s.lo, s.hi), "n": s.n}, "gap": {"median": g.value, "spread": (g.lo, g.hi), "n": g.n}}
        notes.append(
            f"osSlice: the gaps while descheduled: median {g.value * 1e3:.2f} ms (25-75%: {g.lo * 1e3:.2f}-{g.hi * 1e3:.2f} ms, {g.n}), "
            f"{g.value / s.value:.1f} slices: the model, one run queue for all cores, has 1 (Linux keeps one per core, and "
            "whatever else runs here shares them)"
        )
        if s.value >= 1e-4 and s.hi <= 4 * s.lo:
            figs["osSlice"] = Figure(s.value, s.lo, s.hi, s.n, f"{2 * cores} spinning processes on {cores} cores: stretch between deschedules")
        else:
            figs["osSlice"] = kept(DEFAULTS["osSlice"], f"not reliable here (stretches {s.value * 1e3:.2f} ms, 25-75%: {s.lo * 1e3:.2f}-{s.hi * 1e3:.2f} ms)")
    else:
        figs["osSlice"] = kept(DEFAULTS["osSlice"], f"too few deschedules seen ({len(stretches)})")

    log("calibrate: process pool round trips ...")
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else multiprocessing.get_start_method()
    try:
        rt = run_child(ROUND_TRIP_CHILD, [str(plan.round_trips), method])
        shared = time.get_clock_info("perf_counter").implementation.startswith("clock_gettime(CLOCK_MONOTONIC")
        if shared:
            figs["dispatch"] = figure(rt["dispatch"], "started pool, 1 worker: submit() to the task running")
            figs["result"] = figure(rt["result"], "the same round trip: the task running to result() back")
        else:
            both = [d + r for d, r in zip(rt["dispatch"], rt["result"])]
            half = figure([x / 2 for x in both], "half a round trip (no clock shared between processes here to split it)")
            figs["dispatch"] = figs["result"] = half
            notes.append("dispatch/result: split evenly: perf_counter is not one clock across processes here")
    except (ChildFailed, subprocess.TimeoutExpired, ValueError) as e:
        figs["dispatch"] = kept(DEFAULTS["dispatch"], f"the pool failed: {e}")
        figs["result"] = kept(DEFAULTS["result"], f"the pool failed: {e}")

    log(f"calibrate: process start-up, {len(START_METHODS)} start methods x {len(WORKER_COUNTS)} pool sizes x {plan.start_runs} runs ...")
    starts, server, detail["processStart"] = process_starts(plan, cores, figs["dispatch"].value, notes)
    for m, kv in starts.items():
        for k, fig in kv.items():
            figs[f"processStart.{m}.{k}"] = fig
    figs["forkserverBoot"] = server

    log("calibrate: wake-ups, a broken pool, pickled bytes ...")
    figs["wakeup"] = mean_figure(lock_wakes(plan.wakes), "threading.Lock release() to the blocked acquire() returning, mean")
    try:
        figs["ipcWakeup"] = mean_figure(run_child(IPC_CHILD, [str(plan.wakes)])["wakes"], "half a ping-pong of two multiprocessing Events, mean")
    except (ChildFailed, subprocess.TimeoutExpired, ValueError) as e:
        figs["ipcWakeup"] = kept(DEFAULTS["ipcWakeup"], f"the child failed: {e}")
    try:
        figs["poolBreak"] = figure(run_script(BREAK_CHILD, [str(plan.breaks)])["breaks"], "a worker's os._exit(1) to result() raising BrokenProcessPool")
    except (ChildFailed, subprocess.TimeoutExpired, ValueError) as e:
        figs["poolBreak"] = kept(DEFAULTS["poolBreak"], f"the pool failed: {e}")
    small, big = (mb * 1_000_000 for mb in plan.payload_mb)
    try:
        pay = run_script(PAYLOAD_CHILD, [str(small), str(big), str(plan.payload_runs)])
        for name, what in (("sendByte", "send"), ("receiveByte", "receive")):
            slope = (pay[f"{what}_big"] - pay[f"{what}_small"]) / (big - small)
            figs[name] = Figure(slope, slope, slope, plan.payload_runs, f"pool round trips with {what} bytes of {plan.payload_mb[0]} and {plan.payload_mb[1]} MB: the slope")
    except (ChildFailed, subprocess.TimeoutExpired, ValueError, KeyError) as e:
        figs["sendByte"] = kept(DEFAULTS["sendByte"], f"the pool failed: {e}")
        figs["receiveByte"] = kept(DEFAULTS["receiveByte"], f"the pool failed: {e}")

    per = figure(bump_loops(5 if plan is FULL else 3, 1_000_000 if plan is FULL else 200_000), "")
    figs["rmwWindow"] = Figure(per.value / 2, per.lo / 2, per.hi / 2, per.n, "half a bare counter = bump(counter) iteration")

    figs["mainImport"] = imports
    detail["machine"] = {"cores": cores, "python": platform.python_version(), "implementation": platform.python_implementation(), "platform": platform.platform()}
    return figs, notes, detail


def profile_of(figs: Dict[str, Figure]) -> dict:
    """The profile file: exactly the schema's field names, in seconds, processStart nested."""
    out: dict = {}
    for name in ("switchInterval", "gilHandoff", "callSeconds", "osSlice", "submit", "threadStart"):
        out[name] = clamp(name, figs[name].value)
    out["processStart"] = {m: {k: clamp("cost", figs[f"processStart.{m}.{k}"].value) for k in ("launch", "boot")} for m in START_METHODS}
    for name in ("forkserverBoot", "dispatch", "result", "loopStart", "mainImport", "wakeup", "ipcWakeup", "poolBreak", "sendByte", "receiveByte", "rmwWindow"):
        out[name] = clamp(name, figs[name].value)
    return out


def seconds_text(x: float) -> str:
    if not math.isfinite(x):
        return "-"
    a = abs(x)
    if a >= 1:
        return f"{x:.3f} s"
    if a >= 1e-3:
        return f"{x * 1e3:.3g} ms"
    return f"{x * 1e6:.3g} us"


def default_of(name: str) -> Optional[float]:
    if name.startswith("processStart."):
        _, m, k = name.split(".")
        return DEFAULT_START[m][k]
    return DEFAULTS.get(name)


def table(figs: Dict[str, Figure]) -> str:
    rows = [("constant", "value", "default", "x default", "spread (25-75%)", "n", "how measured")]
    for name, f in figs.items():
        d = default_of(name)
        spread = "-" if f.n == 0 else f"{seconds_text(f.lo)} - {seconds_text(f.hi)}"
        ratio = f"{f.value / d:.2f}" if d else "-"
        rows.append((name, seconds_text(f.value), seconds_text(d) if d else "-", ratio, spread, str(f.n), f.how))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1] for r in rows)


# --------------------------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------------------------


def check_writable(flag: str, path: str) -> None:
    """Refuse, before the measuring, an output that cannot be written."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"{flag} {path}: is a directory (a file name is wanted)")
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise UsageError(f"{flag} {path}: cannot write there (no such folder, or not writable)")


def parse_args(argv: List[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="tools/calibrate.py",
        usage="npm run calibrate -- --out PROFILE.json [--script FILE.py] [--quick] [--report REPORT.json]",
        description=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", metavar="PROFILE.json", required=True, help="where to write the profile (simulate --profile reads it)")
    p.add_argument("--script", metavar="FILE.py", help="the program whose main module spawned children re-import (mainImport)")
    p.add_argument("--quick", action="store_true", help="fewer repetitions: about 3 s in all (noisier)")
    p.add_argument("--report", metavar="REPORT.json", help="also write every figure's details, the checks and the notes")
    args = p.parse_args(argv)
    check_writable("--out", args.out)
    if args.report:
        check_writable("--report", args.report)
    if args.script is not None:
        if not os.path.isfile(args.script):
            raise UsageError(f"--script {args.script}: no such file")
        if not os.access(args.script, os.R_OK):
            raise UsageError(f"--script {args.script}: cannot be read")
    return args


def write_json(flag: str, path: str, data: dict) -> None:
    """Whole or not at all: to a temporary file beside it, then renamed over it."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".calibrate-")
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)
    except OSError as e:
        raise UsageError(f"{flag} {path}: cannot write: {e.strerror or e}") from None


def main(argv: List[str]) -> int:
    try:
        args = parse_args(argv)
        started = time.perf_counter()
        figs, notes, detail = measure(QUICK if args.quick else FULL, args.script)
        profile = profile_of(figs)
        log("")
        log(table(figs))
        for n in notes:
            log("  " + n)
        write_json("--out", args.out, profile)
        if args.report:
            figures = {k: {"value": f.value, "spread": [f.lo, f.hi] if f.n else None, "n": f.n, "how": f.how, "default": default_of(k)} for k, f in figs.items()}
            write_json("--report", args.report, {"profile": profile, "figures": figures, "notes": notes, "detail": detail, "quick": args.quick})
        log(f"calibrate: wrote {args.out} in {time.perf_counter() - started:.1f} s")
        return 0
    except UsageError as e:
        print(f"calibrate: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("calibrate: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 -- one line, not a traceback, for whoever runs it
        print(f"calibrate: a measurement failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
