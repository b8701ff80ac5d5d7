#!/usr/bin/env python3
"""Run a scenario file for real on CPython, under each of its models, and write a Chrome Trace Event JSON file.

usage: npm run capture -- FILE --out TRACE.json [--repeat N] [--dry-run]
   or: python3 tools/capture.py FILE --out TRACE.json [--repeat N] [--dry-run]

The steps run as the reference measurements in ../shared/fidelity were taken:
  cpu     a pure-Python loop (`for i in range(n): x += i`), n calibrated to the step's seconds alone on one core;
  native  hashlib.sha256().update() over 1 MiB buffers in a Python loop (the GIL is released inside each call),
          as many calls (and one partial buffer) as make the step's seconds, the per-call time calibrated too;
  io      time.sleep; in the asyncio model `await asyncio.sleep` unless the step says "blocking": true.
Models: sequential = a plain loop; threads = ThreadPoolExecutor(max_workers) with sys.setswitchinterval;
processes = ProcessPoolExecutor(max_workers, mp_context=get_context(startMethod)), timed from before the pool is
made; asyncio = asyncio.gather of one coroutine per task, behind a Semaphore(workers) when workers is set.
Every time is time.perf_counter() from one origin taken just before the model's run starts; a model's makespan
ends when the last task's result is back in the parent (before the pool's shutdown, as the simulator counts it).

Seeded ranges ({"min", "max", "integer"}) are drawn with a port of the simulator's mulberry32 (src/sim/random.ts),
in file order, so the capture runs the very durations the simulator does (`--dry-run` prints them and exits).
If the scenario asks for fewer cores than this machine has, the run is pinned to that many CPUs (Linux).

The output opens in Perfetto (ui.perfetto.dev) and chrome://tracing: one trace process per model run, one
complete ("X") event per step (ts and dur in microseconds), and a top-level "metadata" object with the machine,
the calibration and, per model, its settings, makespan, every task's start and end (seconds) and the makespans
of all --repeat runs (the run written is the one with the median makespan).

Exit status: 0 done; 2 bad input (a message names the file and field); 1 a run failed; 130 interrupted.
Standard library only, Python 3.9 or later.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime
import hashlib
import json
import math
import multiprocessing
import os
import platform
import stat
import sys
import threading
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, Callable, Dict, Generator, List, NamedTuple, Optional, Sequence, Tuple

# The app's and the simulator's limits (src/sim/schema.ts: LIMITS, MAX_FILE_BYTES), so a file either runs in
# both or is refused by both.
MAX_FILE_BYTES = 2_000_000
LIMITS = {"cores": 64, "tasks": 256, "workers": 256, "stepsPerTask": 2000, "seconds": 3600, "expandedSteps": 100_000}
MODEL_NAMES = ("sequential", "threads", "processes", "asyncio")
START_METHODS = ("fork", "forkserver", "spawn")
DEFAULT_SWITCH_MS = 5.0  # CPython's default sys.getswitchinterval(), and the simulator's profile
MAX_REPEAT = 100
MIB = 1 << 20

# One zeroed 1 MiB buffer per process, made at import so that spawned and forked workers have it too.
BUFFER = bytes(MIB)


class InputError(Exception):
    """Input that cannot be used: its messages (one per line) name the file and the field."""

    def __init__(self, errors: Sequence[str]):
        super().__init__("\n".join(errors))
        self.errors = list(errors)


# --------------------------------------------------------------------------------------------------------------
# Reading and checking the scenario file (the rules of src/sim/schema.ts)
# --------------------------------------------------------------------------------------------------------------


def read_text(path: str) -> str:
    """The file's text. Only a regular file of at most 2 MB is read, and never more than that: /dev/zero, a pipe
    or a huge file is refused at once. A UTF-8 byte-order mark is dropped."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise InputError([f"{path}: cannot read: {e.strerror or e}"])
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError([f"{path}: not a regular file"])
        if st.st_size > MAX_FILE_BYTES:
            raise InputError([f"{path}: {st.st_size / 1e6:.1f} MB, over the {MAX_FILE_BYTES / 1e6:g} MB limit for a scenario file"])
        chunks = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise InputError([f"{path}: over the {MAX_FILE_BYTES / 1e6:g} MB limit for a scenario file"])
    finally:
        os.close(fd)
    try:
        return b"".join(chunks).decode("utf-8-sig")
    except UnicodeDecodeError as e:
        # Named like a JSON error (by the file's name): the file was read, its content is what is wrong.
        raise InputError([f"{os.path.basename(path) or path}: not valid UTF-8 text (byte {e.start})"])


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(text: str, source: str) -> Any:
    """JSON as JavaScript reads it: NaN and Infinity are refused, as JSON.parse refuses them."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as e:
        raise InputError([f"{source}: not valid JSON: {e}"])


class Checker:
    """Collects problems as `source: field: message`, so one run names every bad field (the first eight)."""

    def __init__(self, source: str):
        self.source = source
        self.errors: List[str] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(f"{self.source}: {path or '(top level)'}: {message}")

    def obj(self, value: Any, path: str, required: Sequence[str], optional: Sequence[str]) -> Optional[dict]:
        """A JSON object with these keys and no others (the schema's strictObject)."""
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, not {json_type(value)}")
            return None
        ok = True
        for key in value:
            if key not in required and key not in optional:
                self.fail(join(path, key), "unknown field (check its spelling)")
                ok = False
        for key in required:
            if key not in value:
                self.fail(join(path, key), "missing")
                ok = False
        return value if ok else None

    def number(self, value: Any, path: str, lo: float, hi: float, integer: bool = False) -> Optional[float]:
        """A finite JSON number in [lo, hi] (a whole number if `integer`); true/false are not numbers."""
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.fail(path, f"expected a number, not {json_type(value)}")
            return None
        if integer and not float(value).is_integer():
            self.fail(path, f"expected a whole number, not {value}")
            return None
        if not lo <= value <= hi:
            span = f"at least {lo:g}" if hi == math.inf else f"from {lo:g} to {hi:g}"
            self.fail(path, f"must be {span}, not {value:g}")
            return None
        return int(value) if integer else float(value)

    def string(self, value: Any, path: str, max_len: int, nonempty: bool = True) -> Optional[str]:
        """A string of at most `max_len` characters without control characters (they would reach a terminal)."""
        if not isinstance(value, str):
            self.fail(path, f"expected a string, not {json_type(value)}")
            return None
        if nonempty and not value:
            self.fail(path, "must not be empty")
            return None
        # JavaScript counts UTF-16 code units: a character outside the BMP is two.
        if len(value.encode("utf-16-le")) // 2 > max_len:
            self.fail(path, f"at most {max_len} characters")
            return None
        if any(unicodedata.category(ch) == "Cc" for ch in value):
            self.fail(path, "must not contain control characters (such as terminal escape codes or line breaks)")
            return None
        return value

    def boolean(self, value: Any, path: str) -> Optional[bool]:
        if not isinstance(value, bool):
            self.fail(path, f"expected true or false, not {json_type(value)}")
            return None
        return value

    def choice(self, value: Any, path: str, choices: Sequence[str]) -> Optional[str]:
        if value not in choices or not isinstance(value, str):
            listed = ", ".join(f'"{c}"' for c in choices[:-1]) + f' or "{choices[-1]}"'
            self.fail(path, f"expected {listed}, not {json.dumps(value)}")
            return None
        return value

    def array(self, value: Any, path: str, min_len: int, max_len: int) -> Optional[list]:
        if not isinstance(value, list):
            self.fail(path, f"expected an array, not {json_type(value)}")
            return None
        if not min_len <= len(value) <= max_len:
            self.fail(path, f"expected {min_len} to {max_len} items, not {len(value)}")
            return None
        return value


def join(path: str, key: Any) -> str:
    """`tasks[2].steps[0].kind`, as the simulator's messages name a field."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number" if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def check_seconds(c: Checker, value: Any, path: str) -> None:
    """`seconds`: a number from 0 to an hour, or a seeded range { "min", "max", "integer"? } with min <= max."""
    if isinstance(value, dict):
        r = c.obj(value, path, ("min", "max"), ("integer",))
        if r is None:
            return
        lo = c.number(r["min"], join(path, "min"), 0, LIMITS["seconds"])
        hi = c.number(r["max"], join(path, "max"), 0, LIMITS["seconds"])
        if "integer" in r:
            c.boolean(r["integer"], join(path, "integer"))
        if lo is not None and hi is not None and lo > hi:
            c.fail(path, "min must not exceed max")
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        c.fail(path, f'expected a number of seconds or {{ "min", "max" }}, not {json_type(value)}')
    else:
        c.number(value, path, 0, LIMITS["seconds"])


def check_task(c: Checker, value: Any, path: str) -> None:
    t = c.obj(value, path, ("name", "steps"), ("repeat",))
    if t is None:
        return
    c.string(t["name"], join(path, "name"), 40)
    if "repeat" in t:
        c.number(t["repeat"], join(path, "repeat"), 1, LIMITS["stepsPerTask"], integer=True)
    steps = c.array(t["steps"], join(path, "steps"), 1, LIMITS["stepsPerTask"])
    for k, step in enumerate(steps or []):
        sp = join(join(path, "steps"), k)
        s = c.obj(step, sp, ("kind", "seconds"), ("blocking",))
        if s is None:
            continue
        c.choice(s["kind"], join(sp, "kind"), ("cpu", "native", "io"))
        check_seconds(c, s["seconds"], join(sp, "seconds"))
        if "blocking" in s:
            c.boolean(s["blocking"], join(sp, "blocking"))


def check_model(c: Checker, value: Any, path: str) -> None:
    """One entry of `models`: its `model` picks which other fields it may have."""
    if not isinstance(value, dict):
        c.fail(path, f"expected an object, not {json_type(value)}")
        return
    if c.choice(value.get("model"), join(path, "model"), MODEL_NAMES) is None:
        return
    name = value["model"]
    fields = {"sequential": (), "threads": ("workers", "switchIntervalMs"), "processes": ("workers", "startMethod"), "asyncio": ("workers",)}[name]
    m = c.obj(value, path, ("model",), fields)
    if m is None:
        return
    if "workers" in m:
        c.number(m["workers"], join(path, "workers"), 1, LIMITS["workers"], integer=True)
    if "switchIntervalMs" in m:
        c.number(m["switchIntervalMs"], join(path, "switchIntervalMs"), 0.01, 1000)
    if "startMethod" in m and c.choice(m["startMethod"], join(path, "startMethod"), START_METHODS) is not None:
        if m["startMethod"] not in multiprocessing.get_all_start_methods():
            c.fail(join(path, "startMethod"), f'"{m["startMethod"]}" is not available on this platform (it has {", ".join(multiprocessing.get_all_start_methods())})')


def check_scenario(data: Any, source: str) -> dict:
    """The scenario file's shape, as the app checks it; raises InputError naming every bad field (up to eight).
    A `story` is accepted and ignored: it only steers the app's presentation."""
    c = Checker(source)
    f = c.obj(data, "", ("name", "cores", "tasks"), ("$schema", "description", "seed", "models", "story"))
    if f is None:
        if not isinstance(data, dict):
            raise InputError([f"{source}: (top level): expected a JSON object with name, cores and tasks"])
        raise InputError(c.errors[:8])
    c.string(f["name"], "name", 80)
    if "description" in f:
        c.string(f["description"], "description", 300, nonempty=False)
    c.number(f["cores"], "cores", 1, LIMITS["cores"], integer=True)
    if "seed" in f:
        c.number(f["seed"], "seed", 0, math.inf, integer=True)
    for i, t in enumerate(c.array(f["tasks"], "tasks", 1, LIMITS["tasks"]) or []):
        check_task(c, t, join("tasks", i))
    if "models" in f:
        for i, m in enumerate(c.array(f["models"], "models", 1, 12) or []):
            check_model(c, m, join("models", i))
    if c.errors:
        raise InputError(c.errors[:8])
    sizes = [len(t["steps"]) * int(t.get("repeat", 1)) for t in f["tasks"]]
    if sum(sizes) > LIMITS["expandedSteps"]:
        big = sizes.index(max(sizes))
        t = f["tasks"][big]
        raise InputError([
            f"{source}: tasks[{big}].repeat: the scenario expands to {sum(sizes):,} steps (each task's steps × repeat), "
            f"over the {LIMITS['expandedSteps']:,} the simulator takes; the largest is \"{t['name']}\" "
            f"({len(t['steps'])} steps × repeat {int(t.get('repeat', 1))})"
        ])
    return f


# --------------------------------------------------------------------------------------------------------------
# Resolving: seeded ranges drawn exactly as src/sim/random.ts and schema.ts's resolveScenario draw them
# --------------------------------------------------------------------------------------------------------------

U32 = 0xFFFFFFFF


def _imul(a: int, b: int) -> int:
    """JavaScript's Math.imul on unsigned 32-bit values: the low 32 bits of the product."""
    return (a * b) & U32


def seeded_random(seed: int) -> Callable[[], float]:
    """mulberry32, bit for bit as the simulator's seededRandom: floats in [0, 1), the same sequence for a seed.
    Every intermediate is kept as an unsigned 32-bit value; JavaScript's signed ones have the same bits."""
    a = int(float(seed)) & U32  # `seed >>> 0` on a JavaScript number

    def rand() -> float:
        nonlocal a
        a = (a + 0x6D2B79F5) & U32
        t = a
        t = _imul(t ^ (t >> 15), t | 1)
        t ^= (t + _imul(t ^ (t >> 7), t | 61)) & U32
        return (t ^ (t >> 14)) / 4294967296

    return rand


def draw_seconds(rand: Callable[[], float], lo: float, hi: float, integer: bool) -> float:
    """Like bash's `min + RANDOM % (max - min + 1)` when `integer`, else uniform in [min, max] (seconds)."""
    if integer:
        return lo + math.floor(rand() * (math.floor(hi) - math.ceil(lo) + 1))
    return lo + rand() * (hi - lo)


def resolve_scenario(f: dict) -> dict:
    """The checked file as the simulator runs it: every range drawn from `seed` (default 0) in file order, once per
    task before its `repeat`, and each task's steps repeated. Models default to the four."""
    rand = seeded_random(f.get("seed", 0))
    tasks = []
    for t in f["tasks"]:
        once = []
        for s in t["steps"]:
            sec = s["seconds"]
            if isinstance(sec, dict):
                sec = draw_seconds(rand, sec["min"], sec["max"], bool(sec.get("integer", False)))
            step = {"kind": s["kind"], "seconds": sec}
            if s.get("blocking"):
                step["blocking"] = True
            once.append(step)
        tasks.append({"name": t["name"], "steps": once * int(t.get("repeat", 1))})
    models = f.get("models") or [{"model": m} for m in MODEL_NAMES]
    return {
        "name": f["name"],
        "description": f.get("description", ""),
        "cores": int(f["cores"]),
        "seed": int(f.get("seed", 0)),
        "tasks": tasks,
        "models": [dict(m) for m in models],
    }


def effective_settings(config: dict, scenario: dict) -> dict:
    """What a model entry runs with once its defaults are filled in (the simulator's defaults, types.ts):
    threads: one worker per task, a 5 ms switch interval; processes: `cores` workers, fork; asyncio: no limit."""
    model = config["model"]
    if model == "threads":
        return {"model": model, "workers": int(config.get("workers", len(scenario["tasks"]))), "switchIntervalMs": float(config.get("switchIntervalMs", DEFAULT_SWITCH_MS))}
    if model == "processes":
        method = config.get("startMethod")
        if method is None:
            # The app's default; a platform without fork (Windows) runs its own default and says so in the trace.
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else multiprocessing.get_start_method()
        return {"model": model, "workers": int(config.get("workers", scenario["cores"])), "startMethod": method}
    if model == "asyncio":
        return {"model": model, "workers": int(config["workers"]) if "workers" in config else None}
    return {"model": model}


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def describe(settings: dict) -> str:
    """The trace's name for a model run, such as "threads (switch interval 5 ms, 4 workers)" or "processes (fork, 2 workers)"."""
    m = settings["model"]
    if m == "threads":
        return f"threads (switch interval {settings['switchIntervalMs']:g} ms, {plural(settings['workers'], 'worker')})"
    if m == "processes":
        return f"processes ({settings['startMethod']}, {plural(settings['workers'], 'worker')})"
    if m == "asyncio" and settings["workers"]:
        return f"asyncio (Semaphore({settings['workers']}))"
    return m


# --------------------------------------------------------------------------------------------------------------
# The work itself, and its calibration
# --------------------------------------------------------------------------------------------------------------


def spin(n: int) -> int:
    """Pure Python: n iterations of `x += i`, holding the GIL (the reference's CPU-bound loop)."""
    x = 0
    for i in range(n):
        x += i
    return x


def hash_buffers(calls: int, tail: int) -> None:
    """Native code: `calls` sha256 updates of 1 MiB, then one of `tail` bytes; hashlib releases the GIL inside
    each update of 2 KiB or more, and the Python loop takes it back between them."""
    h = hashlib.sha256()
    for _ in range(calls):
        h.update(BUFFER)
    if tail:
        h.update(memoryview(BUFFER)[:tail])


class Calibration(NamedTuple):
    """Rates of this machine's work alone on one core: cpu iterations per second, native seconds per MiB."""

    cpu_per_second: float
    native_seconds_per_mib: float


def _quick_time(f: Callable[[], None], samples: int) -> float:
    """The first-quartile time of `samples` timed calls (seconds): the call's speed alone on a core. Not the very
    fastest, which on a virtual machine runs a few per cent ahead of what a loop keeps up for seconds; not the
    median, which a neighbour's load on a shared machine drags down (the machine's own load counts in the runs,
    not in what a step is asked to do)."""
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return sorted(times)[samples // 4]


def calibrate() -> Calibration:
    """Measure the two rates in this (parent) process, before any model runs, in about 0.15 s: each sample of
    the loop lasts at least ~10 ms (so the timer's resolution and a call's overhead do not count), after a
    warm-up."""
    n = 20_000
    while _quick_time(lambda: spin(n), 1) < 0.01 and n < 1 << 30:
        n *= 2
    cpu = n / _quick_time(lambda: spin(n), 11)
    hash_buffers(4, 0)  # warm up (page in the buffer, load the hash)
    native = _quick_time(lambda: hash_buffers(1, 0), 21)
    return Calibration(cpu, native)


# One step of work, ready to run: ("cpu", iterations, 0) | ("native", calls, tail bytes) | ("io", seconds, blocking)
Work = Tuple[str, float, int]


def plan_task(steps: List[dict], cal: Calibration) -> List[Work]:
    """A task's steps in units of work: the same work in every model, computed once in the parent (children get
    counts, not seconds, so a worker's own speed never changes what it is asked to do)."""
    plan: List[Work] = []
    for s in steps:
        sec = float(s["seconds"])
        if s["kind"] == "cpu":
            plan.append(("cpu", int(round(sec * cal.cpu_per_second)), 0))
        elif s["kind"] == "native":
            mib = sec / cal.native_seconds_per_mib
            calls = int(mib)
            plan.append(("native", calls, int(round((mib - calls) * MIB))))
        else:
            plan.append(("io", sec, 1 if s.get("blocking") else 0))
    return plan


def task_steps(index: int, plan: List[Work], on_loop: bool) -> Generator[float, None, dict]:
    """Run one task's steps in this thread (or worker process), each timed from its start to its end, and return
    where and when it ran: OS pid and thread, perf_counter() times (seconds, not yet made relative). On the
    event loop (`on_loop`) a wait that is not blocking is yielded, its seconds, for the coroutine to await."""
    start = time.perf_counter()
    times: List[Tuple[float, float]] = []
    for kind, amount, extra in plan:
        t0 = time.perf_counter()
        if kind == "cpu":
            spin(int(amount))
        elif kind == "native":
            hash_buffers(int(amount), extra)
        elif on_loop and not extra:
            yield amount
        else:
            time.sleep(amount)
        times.append((t0, time.perf_counter()))
    return {
        "task": index,
        "pid": os.getpid(),
        "tid": threading.get_native_id(),
        "thread": threading.current_thread().name,
        "start": start,
        "end": time.perf_counter(),
        "steps": times,
    }


def run_task(index: int, plan: List[Work]) -> dict:
    """One task in a thread or worker process: every wait is time.sleep, so the steps never yield."""
    steps = task_steps(index, plan, on_loop=False)
    try:
        next(steps)
    except StopIteration as done:
        return done.value
    raise AssertionError("a task off the event loop has nothing to await")


async def run_task_async(index: int, plan: List[Work]) -> dict:
    """One task as a coroutine: waits are `await asyncio.sleep` unless blocking; cpu and native hold the loop."""
    steps = task_steps(index, plan, on_loop=True)
    try:
        while True:
            await asyncio.sleep(next(steps))
    except StopIteration as done:
        return done.value


# --------------------------------------------------------------------------------------------------------------
# The four models. Each returns (origin, makespan end, task records), all in perf_counter() seconds.
# --------------------------------------------------------------------------------------------------------------

RunOutput = Tuple[float, float, List[dict]]


def run_sequential(plans: List[List[Work]], settings: dict) -> RunOutput:
    """A plain loop in the main thread: one task after another."""
    origin = time.perf_counter()
    records = [run_task(i, p) for i, p in enumerate(plans)]
    return origin, time.perf_counter(), records


def run_threads(plans: List[List[Work]], settings: dict) -> RunOutput:
    """ThreadPoolExecutor under the GIL, with the model's switch interval (restored afterwards)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(settings["switchIntervalMs"] / 1000)
    try:
        origin = time.perf_counter()
        with ThreadPoolExecutor(max_workers=settings["workers"]) as pool:
            futures = [pool.submit(run_task, i, p) for i, p in enumerate(plans)]
            records = [f.result() for f in futures]
            end = time.perf_counter()
    finally:
        sys.setswitchinterval(before)
    return origin, end, records


def run_processes(plans: List[List[Work]], settings: dict) -> RunOutput:
    """ProcessPoolExecutor with the model's start method, timed from before the pool is made. The workers time
    their steps with their own perf_counter(), which on Linux is CLOCK_MONOTONIC, one clock for every process
    (check_shared_clock holds each record between the origin and the moment its result arrived)."""
    context = multiprocessing.get_context(settings["startMethod"])
    origin = time.perf_counter()
    with ProcessPoolExecutor(max_workers=settings["workers"], mp_context=context) as pool:
        futures = [pool.submit(run_task, i, p) for i, p in enumerate(plans)]
        records = []
        for f in futures:
            r = f.result()
            r["received"] = time.perf_counter()
            records.append(r)
        end = time.perf_counter()
    if settings["startMethod"] == "forkserver":
        stop_forkserver()
    return origin, end, records


def stop_forkserver() -> None:
    """Stop multiprocessing's fork server, which outlives a pool, so that the next forkserver run boots its own
    as the first one did (the simulator counts that boot in every run). `_stop` is private but has been there,
    unchanged, from 3.8 to 3.13; without it the later runs simply reuse the server."""
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        stop()


def run_asyncio(plans: List[List[Work]], settings: dict) -> RunOutput:
    """asyncio.gather of one coroutine per task, each behind a Semaphore(workers) if the model sets workers."""
    ends: List[float] = []

    async def main() -> List[dict]:
        limit = asyncio.Semaphore(settings["workers"]) if settings["workers"] else None

        async def limited(i: int, plan: List[Work]) -> dict:
            if limit is None:
                return await run_task_async(i, plan)
            async with limit:
                return await run_task_async(i, plan)

        records = await asyncio.gather(*(limited(i, p) for i, p in enumerate(plans)))
        ends.append(time.perf_counter())
        return list(records)

    origin = time.perf_counter()
    records = asyncio.run(main())
    return origin, ends[0], records


RUNNERS: Dict[str, Callable[[List[List[Work]], dict], RunOutput]] = {
    "sequential": run_sequential,
    "threads": run_threads,
    "processes": run_processes,
    "asyncio": run_asyncio,
}


def check_shared_clock(origin: float, records: List[dict]) -> bool:
    """True when every worker's times fall between the parent's origin and the arrival of that worker's result:
    what a clock shared by all processes gives (a per-process clock would put them anywhere)."""
    return all(origin <= r["start"] <= r["end"] <= r.get("received", r["end"]) for r in records)


class Run(NamedTuple):
    """One model run, relative to its origin (seconds)."""

    makespan: float
    records: List[dict]
    clock_shared: bool


def run_once(plans: List[List[Work]], settings: dict) -> Run:
    origin, end, records = RUNNERS[settings["model"]](plans, settings)
    shared = check_shared_clock(origin, records)
    rel = []
    for r in records:
        r = dict(r)
        r["start"] -= origin
        r["end"] -= origin
        r["steps"] = [(s - origin, e - origin) for s, e in r["steps"]]
        r.pop("received", None)
        rel.append(r)
    return Run(end - origin, rel, shared)


def median_run(runs: List[Run]) -> int:
    """The index of the run whose makespan is the median (the lower middle one for an even count)."""
    order = sorted(range(len(runs)), key=lambda i: runs[i].makespan)
    return order[(len(runs) - 1) // 2]


def pin_cpus(cores: int) -> Optional[List[int]]:
    """Pin this process (and so its threads and children) to `cores` CPUs when the scenario asks for fewer than
    this machine has, so the run has the cores the simulation assumes. Returns the CPUs used, None if unknown."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if cores < len(cpus):
        cpus = cpus[:cores]
        os.sched_setaffinity(0, cpus)
    return cpus


# --------------------------------------------------------------------------------------------------------------
# The trace
# --------------------------------------------------------------------------------------------------------------


def us(seconds: float) -> float:
    """Seconds to the trace's microseconds, to the nanosecond."""
    return round(seconds * 1e6, 3)


def lane_of(settings: dict, r: dict) -> Tuple[int, str]:
    """Which lane a task's steps go on (a key unique within the run) and its name. Threads: the pool thread;
    processes: the worker process; sequential: the main thread. asyncio: one lane per coroutine, since their
    awaits overlap in time on the one loop thread and a trace thread's slices must nest."""
    m = settings["model"]
    if m == "asyncio":
        return r["task"], f"coroutine {r['task']} on {r['thread']} (tid {r['tid']})"
    if m == "processes":
        return r["pid"], f"worker pid {r['pid']}"
    return r["tid"], f"{r['thread']} (tid {r['tid']})"


def trace_events(index: int, label: str, settings: dict, scenario: dict, run: Run) -> List[dict]:
    """One model run as a trace process (pid index + 1): its name, its lanes, and a complete event per step.
    A lane's tid is made up (pid × 1000 + its rank by first start), unique in the whole trace: viewers take a
    tid seen under two pids for a reused thread, and two models may well have run on the same OS thread. The
    OS pid and thread id are in each event's args and in the lane's name."""
    pid = index + 1
    events: List[dict] = [
        {"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": label}},
        {"ph": "M", "name": "process_sort_index", "pid": pid, "tid": 0, "args": {"sort_index": index}},
        {"ph": "M", "name": "process_labels", "pid": pid, "tid": 0, "args": {"labels": f"os pid {os.getpid()}"}},
    ]
    lanes: Dict[int, int] = {}
    for r in sorted(run.records, key=lambda r: r["start"]):
        key, name = lane_of(settings, r)
        if key not in lanes:
            lanes[key] = tid = pid * 1000 + len(lanes) + 1
            events.append({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": name}})
            events.append({"ph": "M", "name": "thread_sort_index", "pid": pid, "tid": tid, "args": {"sort_index": len(lanes)}})
    for r in run.records:
        tid = lanes[lane_of(settings, r)[0]]
        task = scenario["tasks"][r["task"]]
        for k, (s, e) in enumerate(r["steps"]):
            step = task["steps"][k]
            args = {"task": r["task"], "step": k, "kind": step["kind"], "model": settings["model"], "seconds": step["seconds"], "osPid": r["pid"], "osTid": r["tid"]}
            if step.get("blocking"):
                args["blocking"] = True
            events.append({"ph": "X", "name": task["name"], "cat": step["kind"], "pid": pid, "tid": tid, "ts": us(s), "dur": us(e - s), "args": args})
    return events


def r6(x: float) -> float:
    return round(x, 6)


def model_result(index: int, config: dict, settings: dict, label: str, runs: List[Run], chosen: int, scenario: dict) -> dict:
    """A model's entry in metadata.results, in the shape of ../shared/fidelity/measured/*.json (model, config,
    makespan, tasks' start and end in seconds) plus what this capture adds."""
    run = runs[chosen]
    by_task = sorted(run.records, key=lambda r: r["task"])
    return {
        "model": config["model"],
        "config": config,
        "settings": settings,
        "label": label,
        "pid": index + 1,
        "makespan": r6(run.makespan),
        "tasks": [{"name": scenario["tasks"][r["task"]]["name"], "start": r6(r["start"]), "end": r6(r["end"]), "osPid": r["pid"], "osTid": r["tid"]} for r in by_task],
        "makespans": [r6(x.makespan) for x in runs],
        "run": chosen,
        "osPids": sorted({r["pid"] for r in run.records}),
        "clockShared": all(x.clock_shared for x in runs),
    }


def unique_labels(settings_list: List[dict]) -> List[str]:
    """Each run's name, with " #2", " #3" after a name an earlier model already has."""
    seen: Dict[str, int] = {}
    out = []
    for s in settings_list:
        base = describe(s)
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base} #{seen[base]}")
    return out


def write_trace(path: str, trace: dict) -> None:
    """Write the trace, one event per line, through a temporary file so a failed write leaves no half file."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as out:
        out.write('{"traceEvents": [\n')
        out.write(",\n".join(json.dumps(e, ensure_ascii=False) for e in trace["traceEvents"]))
        out.write('\n],\n"displayTimeUnit": "ms",\n"metadata": ')
        out.write(json.dumps(trace["metadata"], indent=1, ensure_ascii=False))
        out.write("\n}\n")
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------------------------


def positive_repeat(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_REPEAT:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {MAX_REPEAT}, not {text!r}")
    return n


def parse_args(argv: List[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="tools/capture.py",
        usage="npm run capture -- FILE --out TRACE.json [--repeat N] [--dry-run]",
        description=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", metavar="FILE", help="a scenario file (the app's format: README.md, 'Scenario files')")
    p.add_argument("--out", metavar="TRACE.json", help="where to write the Chrome Trace Event JSON (required unless --dry-run)")
    p.add_argument("--repeat", metavar="N", type=positive_repeat, default=1, help=f"run each model N times (1 to {MAX_REPEAT}) and keep the median run (default 1)")
    p.add_argument("--dry-run", action="store_true", help="print the scenario as it would run (ranges drawn, repeats expanded, defaults filled in) as JSON, and exit")
    args = p.parse_args(argv)
    if not args.dry_run and not args.out:
        p.error("--out TRACE.json is required")
    return args


def check_out(path: str) -> None:
    """Refuse, before minutes of running, an output the trace cannot be written to."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise InputError([f"{path}: is a directory (--out wants a file name)"])
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise InputError([f"{path}: cannot write there (no such folder, or not writable)"])


def load(path: str) -> Tuple[dict, dict]:
    """The checked file and the scenario it resolves to."""
    source = os.path.basename(path) or path
    f = check_scenario(parse_json(read_text(path), source), source)
    return f, resolve_scenario(f)


def capture(path: str, f: dict, scenario: dict, repeat: int, log: Callable[[str], None]) -> dict:
    """Run every model `repeat` times and build the trace (a dict ready for JSON)."""
    settings_list = [effective_settings(m, scenario) for m in scenario["models"]]
    labels = unique_labels(settings_list)
    work = sum(s["seconds"] for t in scenario["tasks"] for s in t["steps"])
    log(f"{scenario['name']}: {len(settings_list)} models × {repeat} run(s); the tasks' steps add up to {work:.3f} s (the sequential run)")
    cpus = pin_cpus(scenario["cores"])
    if cpus is not None and len(cpus) < scenario["cores"]:
        log(f"note: the scenario says {scenario['cores']} cores, this machine gives {len(cpus)}: simulate it with cores={len(cpus)} to compare")
    cal = calibrate()
    log(f"calibrated: {cal.cpu_per_second / 1e6:.1f} M loop iterations/s, {cal.native_seconds_per_mib * 1e3:.3f} ms per MiB of sha256")
    events: List[dict] = []
    results = []
    for i, (config, settings, label) in enumerate(zip(scenario["models"], settings_list, labels)):
        runs = []
        for k in range(repeat):
            # Calibrated again before every run (0.15 s): a machine whose speed drifts (frequency scaling, a
            # neighbour's load) still gets cpu and native steps as long as asked, run by run.
            now = cal if i == 0 and k == 0 else calibrate()
            plans = [plan_task(t["steps"], now) for t in scenario["tasks"]]
            runs.append(run_once(plans, settings))
            log(f"{label}: run {k + 1}/{repeat}: makespan {runs[-1].makespan:.4f} s")
        chosen = median_run(runs)
        if not all(r.clock_shared for r in runs):
            log(f"warning: {label}: a worker's times fall outside the parent's: perf_counter() is not one clock for every process here")
        events.extend(trace_events(i, label, settings, scenario, runs[chosen]))
        results.append(model_result(i, config, settings, label, runs, chosen, scenario))
    # Calibrated again at the end: on a shared or frequency-scaling machine the rate drifts (each run was planned
    # from a calibration just before it; the figure says how far the machine moved in all).
    after = calibrate()
    drift = after.cpu_per_second / cal.cpu_per_second - 1
    if abs(drift) > 0.05:
        way = "faster" if drift > 0 else "slower"
        log(f"note: the pure-Python loop ran {abs(drift) * 100:.0f}% {way} at the end than at the start: the machine's speed changed during the capture (each run was calibrated just before it)")
    metadata = capture_metadata(path, f, scenario, repeat, cpus, cal, after, results)
    return {"traceEvents": events, "displayTimeUnit": "ms", "metadata": metadata}


def capture_metadata(path: str, f: dict, scenario: dict, repeat: int, cpus: Optional[List[int]], cal: Calibration, after: Calibration, results: List[dict]) -> dict:
    """The trace's top-level metadata: the machine, the clock, the calibration (seconds and rates), the scenario
    file as read (without its story, which only steers the app's presentation) and each model's result."""
    clock = time.get_clock_info("perf_counter")
    return {
        "tool": "tools/capture.py",
        "format": 1,
        "scenario": scenario["name"],
        "scenarioFile": {k: v for k, v in f.items() if k != "story"},
        "source": os.path.basename(path),
        "capturedAt": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "cpusUsed": cpus,
        "scenarioCores": scenario["cores"],
        "clock": {"perfCounter": clock.implementation, "resolution": clock.resolution},
        "calibration": {
            "cpuIterationsPerSecond": round(cal.cpu_per_second),
            "nativeSecondsPerMiB": cal.native_seconds_per_mib,
            "after": {"cpuIterationsPerSecond": round(after.cpu_per_second), "nativeSecondsPerMiB": after.native_seconds_per_mib},
        },
        "repeat": repeat,
        "units": "seconds (traceEvents: microseconds)",
        "results": results,
    }


def main(argv: List[str]) -> int:
    args = parse_args(argv)
    log = lambda line: print(f"capture: {line}", file=sys.stderr, flush=True)  # noqa: E731
    try:
        f, scenario = load(args.file)
        if args.dry_run:
            settings = [effective_settings(m, scenario) for m in scenario["models"]]
            print(json.dumps(dict(scenario, settings=settings), ensure_ascii=False))
            return 0
        check_out(args.out)
        trace = capture(args.file, f, scenario, args.repeat, log)
        write_trace(args.out, trace)
    except InputError as e:
        print(str(e), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("capture: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a run that failed (a broken pool, a full disk): a message, not a traceback
        print(f"capture: the run failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    log(f"wrote {args.out}: " + ", ".join(f"{r['label']} {r['makespan']:.4f} s" for r in trace["metadata"]["results"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
