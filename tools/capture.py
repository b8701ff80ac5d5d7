#!/usr/bin/env python3
"""Run a scenario file for real on CPython, under each of its models, and write a Chrome Trace Event JSON file.

usage: npm run capture -- FILE --out TRACE.json [--repeat N] [--timeout S] [--dry-run]
   or: python3 tools/capture.py FILE --out TRACE.json [--repeat N] [--timeout S] [--dry-run]

The steps run as the reference measurements in ../shared/fidelity were taken:
  cpu     a pure-Python loop (`for i in range(n): x += i`), n calibrated to the step's seconds alone on one core;
  native  hashlib.sha256().update() over 1 MiB buffers in a Python loop (the GIL is released inside each call),
          as many calls (and one partial buffer) as make the step's seconds, the per-call time calibrated too;
  io      time.sleep; in the asyncio model `await asyncio.sleep` unless the step says "blocking": true.
The synchronisation steps (issue 12's scenario language) run the real primitives: threading's Lock, RLock,
Semaphore, Event, Barrier and queue.Queue under sequential and threads; multiprocessing's (of the model's start
method, handed to every worker through the pool's initializer) under processes; asyncio's, awaited, under asyncio.
  acquire / release, put / get (the int 1), set / wait, barrier   the primitive's own call, timed from call to return
  update   `times` iterations of `counter += 1` (inplace) or `counter = bump(counter)` (call), each inside
           `with L:` when it names a lock, on a module global (a dict gaining a fresh key per iteration when some
           `iterate` step names it). Exactly `times` iterations run, as the count is what a lost update is about;
           when they take less than the step's seconds, pure-Python padding (`for _ in repeat(None, pad): pass`, after
           the update and outside the lock) is spread over the iterations and the rest spun at the end, so the step
           lasts its seconds. (The padding dilutes the read-modify-write's share of the time, and with it the chance
           that a thread switch lands inside it.) When they take more, the step takes longer and a note says so.
  iterate  one pass `for k in d:` over the shared dict (1000 keys to start with), the work per key calibrated at
           the pass's start so that the pass alone lasts its seconds whatever the dict's size; a key added by
           another task meanwhile raises RuntimeError('dictionary changed size during iteration') at the next key.
  raise    raises the builtin exception named; crash: os._exit(1) in the process running the task.
A task's argument is bytes(send), made before the clock starts; it returns bytes(receive), made at its end.
Models: sequential = a plain loop; threads = ThreadPoolExecutor(max_workers) (or one threading.Thread per task,
"api": "thread") with sys.setswitchinterval; processes = ProcessPoolExecutor(max_workers,
mp_context=get_context(startMethod)), timed from before the pool is made; asyncio = asyncio.gather (or a
TaskGroup, "api": "taskgroup") of one coroutine per task, behind a Semaphore(workers) when workers is set.
Every time is time.perf_counter() from one origin taken just before the model's run starts; a model's makespan
ends when the last task's result is back in the parent (before the pool's shutdown, as the simulator counts it);
when the main program got an error, when the error came out of the model's construct (the `with` block after its
shutdown, asyncio.run, the loop).

Every model run is a program of its own, in a child process (a fork of this one; where there is no fork, this
file started with --run-child), so that a crash (os._exit) or a deadlock ends that process, never this one. Its
tasks write their times into a memory-mapped file as they go, which outlives the process. A run is stopped (its
whole process group: the pool's workers too) when its tasks have all been blocked on primitives for 0.5 s with
nothing changing (a deadlock), or at the timeout: --timeout S, by default 3 × the sequential run's planned
seconds + 3 s. A run still computing at the timeout (not blocked) is an error: give it a longer --timeout.
A task's outcome is "ok", "raised" (its own
exception), "cancelled" (asyncio cancelled it), "broken" (its process died: every unfinished task of a pool a
worker's crash broke, started or not, each future getting BrokenProcessPool; every unfinished task of a program a
crash ended), "deadlocked" (unfinished in a stopped run; those never started too: they waited for a worker, a
Semaphore slot or the loop that never came) or "skipped" (never started otherwise: the sequential loop after an
error, a pool's queue when a crash ended the program). A stopped run's makespan is the moment the last task ended
or blocked; a crashed program's, the last moment one of its tasks wrote, and its main error's type is "crash".

Seeded ranges ({"min", "max", "integer"}) are drawn with a port of the simulator's mulberry32 (src/sim/random.ts),
in file order, so the capture runs the very durations the simulator does (`--dry-run` prints them and exits).
If the scenario asks for fewer cores than this machine has, the run is pinned to that many CPUs (Linux).

The output opens in Perfetto (ui.perfetto.dev) and chrome://tracing: one trace process per model run, one
complete ("X") event per step that ran (ts and dur in microseconds; a step that never ended is drawn to the
moment its run ended or stopped and says "unfinished"), and a top-level "metadata" object with the machine, the
calibration and, per model, its settings, makespan, every task's start, end, outcome and exception (seconds), the
main program's error (its type, when and how main met it), the deadlock (its tasks, when, and whether the watcher
stopped it as stuck or at the timeout), each shared value's final and expected
value, what the update and dict steps cost here, and the makespans of all --repeat runs (the run written is the
one with the median makespan).

Exit status: 0 done (a run whose program raised, crashed or deadlocked is done: that is what it measured);
2 bad input (a message names the file and field); 1 a run failed; 130 interrupted.
Standard library only, Python 3.9 or later (a TaskGroup or an asyncio Barrier needs 3.11).
"""
from __future__ import annotations

import argparse
import asyncio
import builtins
import datetime
import hashlib
import json
import math
import mmap
import multiprocessing
import os
import platform
import queue
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import zlib
from array import array
from itertools import repeat
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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

# Issue 12's scenario language (the contract: /tmp/i12/spec.md, mirrored by src/sim/schema.ts).
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
NAME_RULE = "must be a Python identifier: letters, digits and _, not starting with a digit, at most 40"
MAX_DECLARED = 64  # objects per declaration (locks, queues, events, barriers)
LOCK_TYPES = ("Lock", "RLock", "Semaphore")
ERROR_TYPES = ("ValueError", "RuntimeError", "KeyError", "TypeError", "ZeroDivisionError", "OSError", "TimeoutError", "Exception")
THREAD_APIS = ("executor", "thread")
ASYNCIO_APIS = ("gather", "taskgroup")
MAX_TIMES = 10_000_000
MAX_BYTES = 1_000_000_000
DICT_KEYS = 1000  # the keys a shared dict starts with: 0 to 999; `update` adds fresh ones from 1000 on
# A step's required and optional fields, by kind (every step has "kind").
STEP_FIELDS: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...]]] = {
    "cpu": (("seconds",), ("blocking",)),
    "native": (("seconds",), ("blocking",)),
    "io": (("seconds",), ("blocking",)),
    "acquire": (("lock",), ()),
    "release": (("lock",), ()),
    "put": (("queue",), ()),
    "get": (("queue",), ()),
    "set": (("event",), ()),
    "wait": (("event",), ()),
    "barrier": (("barrier",), ()),
    "update": (("shared", "times", "seconds", "shape"), ("lock",)),
    "iterate": (("shared", "seconds"), ()),
    "raise": (("error",), ()),
    "crash": ((), ()),
}
STEP_KINDS = tuple(STEP_FIELDS)
# The field of a step that names a declared object, and where it is declared.
REFERENCES = (("lock", "locks"), ("queue", "queues"), ("event", "events"), ("barrier", "barriers"))
DECLARATIONS = tuple(d for _, d in REFERENCES)
# Steps that wait on a primitive: a task in one of them may be blocked for good.
WAIT_KINDS = frozenset(("acquire", "put", "get", "wait", "barrier"))

# One zeroed 1 MiB buffer per process, made at import so that spawned and forked workers have it too.
BUFFER = bytes(MIB)


class InputError(Exception):
    """Input that cannot be used: its messages (one per line) name the file and the field."""

    def __init__(self, errors: Sequence[str]):
        super().__init__("\n".join(errors))
        self.errors = list(errors)


class RunFailed(Exception):
    """A model run that did not give a result (its process died of something else than a crash step, or it was
    still computing at the timeout): exit status 1, with this message."""


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

    def name(self, value: Any, path: str) -> Optional[str]:
        """An object's or a shared value's name: it becomes a Python identifier."""
        if not isinstance(value, str):
            self.fail(path, f"expected a name (a string), not {json_type(value)}")
            return None
        if not NAME.fullmatch(value):
            self.fail(path, f"{json.dumps(value)}: {NAME_RULE}")
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


def check_declarations(c: Checker, f: dict) -> Dict[str, dict]:
    """The top-level "locks", "queues", "events" and "barriers": objects of declarations by name. Returns every
    declared name by where it is declared (a badly declared one too: a step naming it is not also at fault)."""
    declared: Dict[str, dict] = {d: {} for d in DECLARATIONS}
    for field in DECLARATIONS:
        if field not in f:
            continue
        value = f[field]
        if not isinstance(value, dict):
            c.fail(field, f"expected an object of declarations by name, not {json_type(value)}")
            continue
        if len(value) > MAX_DECLARED:
            c.fail(field, f"at most {MAX_DECLARED} objects, not {len(value)}")
        for name, spec in value.items():
            if c.name(name, field) is None:
                continue
            declared[field][name] = spec
            check_declaration(c, field, spec, join(field, name))
    return declared


def check_declaration(c: Checker, field: str, spec: Any, path: str) -> None:
    """One lock { type, value? }, queue { maxsize? }, event {} or barrier { parties }."""
    if field == "locks":
        d = c.obj(spec, path, ("type",), ("value",))
        if d is None:
            return
        kind = c.choice(d["type"], join(path, "type"), LOCK_TYPES)
        if "value" in d:
            if kind is not None and kind != "Semaphore":
                c.fail(join(path, "value"), f"only a Semaphore has a value (this is a {kind})")
            else:
                c.number(d["value"], join(path, "value"), 0, LIMITS["workers"], integer=True)
    elif field == "queues":
        d = c.obj(spec, path, (), ("maxsize",))
        if d is not None and "maxsize" in d:
            c.number(d["maxsize"], join(path, "maxsize"), 0, 100_000, integer=True)
    elif field == "events":
        c.obj(spec, path, (), ())
    else:
        d = c.obj(spec, path, ("parties",), ())
        if d is not None:
            c.number(d["parties"], join(path, "parties"), 1, LIMITS["tasks"], integer=True)


def check_step(c: Checker, step: Any, sp: str, declared: Dict[str, dict]) -> None:
    """One step: its kind picks its fields; every lock, queue, event or barrier it names must be declared."""
    if not isinstance(step, dict):
        c.fail(sp, f"expected an object, not {json_type(step)}")
        return
    if "kind" not in step:
        c.fail(join(sp, "kind"), "missing")
        return
    kind = step["kind"]
    if kind not in STEP_FIELDS or not isinstance(kind, str):
        listed = ", ".join(f'"{k}"' for k in STEP_KINDS[:-1]) + f' or "{STEP_KINDS[-1]}"'
        c.fail(join(sp, "kind"), f"expected a step kind: {listed}, not {json.dumps(kind)}")
        return
    required, optional = STEP_FIELDS[kind]
    s = c.obj(step, sp, ("kind",) + required, optional)
    if s is None:
        return
    if "seconds" in s:
        check_seconds(c, s["seconds"], join(sp, "seconds"))
    if "blocking" in s:
        c.boolean(s["blocking"], join(sp, "blocking"))
    for field, where in REFERENCES:
        if field in s:
            name = c.string(s[field], join(sp, field), 40)
            if name is not None and name not in declared[where]:
                names = ", ".join(json.dumps(n) for n in declared[where])
                c.fail(join(sp, field), f"no {field} {json.dumps(name)} is declared in \"{where}\" ({f'it declares {names}' if names else 'it declares none'})")
    if "shared" in s:
        c.name(s["shared"], join(sp, "shared"))
    if "times" in s:
        c.number(s["times"], join(sp, "times"), 1, MAX_TIMES, integer=True)
    if "shape" in s:
        c.choice(s["shape"], join(sp, "shape"), ("inplace", "call"))
    if kind == "raise":
        c.choice(s["error"], join(sp, "error"), ERROR_TYPES)


def check_task(c: Checker, value: Any, path: str, declared: Dict[str, dict]) -> None:
    t = c.obj(value, path, ("name", "steps"), ("repeat", "send", "receive"))
    if t is None:
        return
    c.string(t["name"], join(path, "name"), 40)
    if "repeat" in t:
        c.number(t["repeat"], join(path, "repeat"), 1, LIMITS["stepsPerTask"], integer=True)
    for field in ("send", "receive"):
        if field in t:
            c.number(t[field], join(path, field), 0, MAX_BYTES, integer=True)
    steps = c.array(t["steps"], join(path, "steps"), 1, LIMITS["stepsPerTask"])
    for k, step in enumerate(steps or []):
        check_step(c, step, join(join(path, "steps"), k), declared)


def check_model(c: Checker, value: Any, path: str) -> None:
    """One entry of `models`: its `model` picks which other fields it may have."""
    if not isinstance(value, dict):
        c.fail(path, f"expected an object, not {json_type(value)}")
        return
    if c.choice(value.get("model"), join(path, "model"), MODEL_NAMES) is None:
        return
    name = value["model"]
    fields = {"sequential": (), "threads": ("workers", "switchIntervalMs", "api", "schedule"), "processes": ("workers", "startMethod"), "asyncio": ("workers", "api")}[name]
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
    if "schedule" in m:
        # The simulator's "you are the scheduler" picks (which thread gets the GIL where): checked, not followed.
        for k, x in enumerate(c.array(m["schedule"], join(path, "schedule"), 0, 10_000) or []):
            c.number(x, join(join(path, "schedule"), k), 0, LIMITS["workers"], integer=True)
    if "api" in m:
        api = c.choice(m["api"], join(path, "api"), THREAD_APIS if name == "threads" else ASYNCIO_APIS)
        if api == "thread" and "workers" in m:
            c.fail(join(path, "workers"), 'a threading.Thread per task (api "thread") has no pool size: remove workers or use api "executor"')
        if api == "taskgroup" and sys.version_info < (3, 11):
            c.fail(join(path, "api"), f'"taskgroup" needs Python 3.11 or later (asyncio.TaskGroup); this is Python {platform.python_version()}')


def check_barriers_runnable(c: Checker, f: dict) -> None:
    """asyncio.Barrier is new in Python 3.11: an asyncio model of a scenario with barriers needs it."""
    if not f.get("barriers") or sys.version_info >= (3, 11) or not isinstance(f["barriers"], dict):
        return
    models = f.get("models") if isinstance(f.get("models"), list) else None
    where = [join("models", i) for i, m in enumerate(models or []) if isinstance(m, dict) and m.get("model") == "asyncio"]
    if models is None:
        where = ["barriers"]  # the default models include asyncio
    for path in where:
        c.fail(path, f"an asyncio model with barriers needs Python 3.11 or later (asyncio.Barrier); this is Python {platform.python_version()}")


def check_scenario(data: Any, source: str) -> dict:
    """The scenario file's shape, as the app checks it; raises InputError naming every bad field (up to eight).
    A `story` is accepted and ignored: it only steers the app's presentation."""
    c = Checker(source)
    f = c.obj(data, "", ("name", "cores", "tasks"), ("$schema", "description", "seed", "models", "story") + DECLARATIONS)
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
    declared = check_declarations(c, f)
    for i, t in enumerate(c.array(f["tasks"], "tasks", 1, LIMITS["tasks"]) or []):
        check_task(c, t, join("tasks", i), declared)
    if "models" in f:
        for i, m in enumerate(c.array(f["models"], "models", 1, 12) or []):
            check_model(c, m, join("models", i))
    check_barriers_runnable(c, f)
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


def resolve_step(s: dict, rand: Callable[[], float]) -> dict:
    """A step as the simulator resolves it: its seconds drawn when a range (for every kind with seconds, in file
    order); cpu, native and io steps keep only kind, seconds and a true `blocking`; an instant step (a primitive's
    call, raise, crash) gets 0 seconds."""
    step = dict(s)
    if isinstance(s.get("seconds"), dict):
        sec = s["seconds"]
        step["seconds"] = draw_seconds(rand, sec["min"], sec["max"], bool(sec.get("integer", False)))
    step.setdefault("seconds", 0)
    if s["kind"] in ("cpu", "native", "io"):
        step = {"kind": s["kind"], "seconds": step["seconds"]}
        if s.get("blocking"):
            step["blocking"] = True
    return step


def resolve_scenario(f: dict) -> dict:
    """The checked file as the simulator runs it: every range drawn from `seed` (default 0) in file order, once per
    task before its `repeat`, and each task's steps repeated. Models default to the four. Only what the file
    declares is there (no empty "locks"), send and receive only when not 0, as src/sim/schema.ts resolves it."""
    rand = seeded_random(f.get("seed", 0))
    tasks = []
    for t in f["tasks"]:
        once = [resolve_step(s, rand) for s in t["steps"]]
        task = {"name": t["name"], "steps": once * int(t.get("repeat", 1))}
        for field in ("send", "receive"):
            if t.get(field):
                task[field] = int(t[field])
        tasks.append(task)
    models = f.get("models") or [{"model": m} for m in MODEL_NAMES]
    return {
        "name": f["name"],
        "description": f.get("description", ""),
        "cores": int(f["cores"]),
        "seed": int(f.get("seed", 0)),
        "tasks": tasks,
        "models": [dict(m) for m in models],
        **{d: {name: dict(spec) for name, spec in f[d].items()} for d in DECLARATIONS if f.get(d)},
    }


def shared_kinds(scenario: dict) -> Dict[str, str]:
    """Every shared value a step names, "int" or "dict" (a dict when some `iterate` step names it), in file order."""
    kinds: Dict[str, str] = {}
    for t in scenario["tasks"]:
        for s in t["steps"]:
            if "shared" in s:
                if s["kind"] == "iterate":
                    kinds[s["shared"]] = "dict"
                else:
                    kinds.setdefault(s["shared"], "int")
    return kinds


def effective_settings(config: dict, scenario: dict) -> dict:
    """What a model entry runs with once its defaults are filled in (the simulator's defaults, types.ts):
    threads: one worker per task, a 5 ms switch interval; processes: `cores` workers, fork; asyncio: no limit.
    `api` is written when the entry gives it (without it: the executor, gather); a Thread per task has no workers."""
    model = config["model"]
    if model == "threads":
        settings: Dict[str, Any] = {"model": model}
        if config.get("api") != "thread":
            settings["workers"] = int(config.get("workers", len(scenario["tasks"])))
        settings["switchIntervalMs"] = float(config.get("switchIntervalMs", DEFAULT_SWITCH_MS))
        if "api" in config:
            settings["api"] = config["api"]
        return settings
    if model == "processes":
        method = config.get("startMethod")
        if method is None:
            # The app's default; a platform without fork (Windows) runs its own default and says so in the trace.
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else multiprocessing.get_start_method()
        return {"model": model, "workers": int(config.get("workers", scenario["cores"])), "startMethod": method}
    if model == "asyncio":
        settings = {"model": model, "workers": int(config["workers"]) if "workers" in config else None}
        if "api" in config:
            settings["api"] = config["api"]
        return settings
    return {"model": model}


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def describe(settings: dict) -> str:
    """The trace's name for a model run, such as "threads (switch interval 5 ms, 4 workers)" or "processes (fork, 2 workers)"."""
    m = settings["model"]
    if m == "threads":
        who = "a Thread per task" if settings.get("api") == "thread" else plural(settings["workers"], "worker")
        return f"threads (switch interval {settings['switchIntervalMs']:g} ms, {who})"
    if m == "processes":
        return f"processes ({settings['startMethod']}, {plural(settings['workers'], 'worker')})"
    if m == "asyncio":
        parts = (["TaskGroup"] if settings.get("api") == "taskgroup" else []) + ([f"Semaphore({settings['workers']})"] if settings["workers"] else [])
        return f"asyncio ({', '.join(parts)})" if parts else m
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


def iterate_pass(d: dict, iterations: float, per_key: float) -> None:
    """One pass `for k in d:` with a little pure-Python work per key (`for _ in repeat(None, each): pass`, which
    allocates nothing, so that its cost per iteration hardly depends on its length, unlike a range past the cached
    small ints): `iterations` of that loop in all (the step's seconds), less what stepping through the keys costs
    (`per_key`, in the same units), shared evenly by the keys the dict has now. A key added meanwhile by another
    thread makes CPython's dict iterator raise RuntimeError('dictionary changed size during iteration') at the
    next key."""
    n = max(0, int(iterations - len(d) * per_key))
    each = n // (len(d) or 1)
    for _k in d:
        for _ in repeat(None, each):
            pass


def global_name(shared: str) -> str:
    """A shared value's module global in the program (prefixed, so that a value named `range` or `bump` is fine:
    the bytecode, LOAD_GLOBAL / STORE_GLOBAL, is the same whatever the name)."""
    return f"shared_{shared}"


def program_globals(shared: Dict[str, str]) -> dict:
    """The program's module globals: `bump`, and every shared value as it starts (0, or a dict of 1000 keys).
    Each process has its own, as each Python process has its own module globals."""
    ns: Dict[str, Any] = {"__name__": "program", "__builtins__": builtins, "repeat": repeat}
    exec(compile("def bump(x):\n    return x + 1\n", "<program>", "exec"), ns)
    for name, kind in shared.items():
        ns[global_name(name)] = dict.fromkeys(range(DICT_KEYS), 0) if kind == "dict" else 0
    return ns


def update_source(shared: str, kind: str, shape: str, locked: bool, padded: bool, on_loop: bool) -> str:
    """The source of an update step's loop, the spec's program written out: `counter += 1` or
    `counter = bump(counter)` on a module global (`d[key] = 0` on a dict), inside `with lock:` (`async with` on
    the event loop) when locked, and the padding (outside the lock) when padded. Generated rather than written by
    hand so that the global is a real one: where CPython may switch threads inside the read-modify-write (at
    bump's entry, not inside `counter += 1`) is what the lost updates come from. The padding is
    `for _ in repeat(None, pad): pass` (see iterate_pass)."""
    g = global_name(shared)
    if kind == "dict":
        head, body = "for key in range(base, base + times):", f"{g}[key] = 0"
    else:
        head, body = "for _ in range(times):", f"{g} += 1" if shape == "inplace" else f"{g} = bump({g})"
    lines = [f"{'async ' if on_loop and locked else ''}def update(times, lock, pad, base):"]
    if kind == "int":
        lines.append(f"    global {g}")
    lines.append(f"    {head}")
    if locked:
        lines += ["        async with lock:" if on_loop else "        with lock:", f"            {body}"]
    else:
        lines.append(f"        {body}")
    if padded:
        lines += ["        for _i in repeat(None, pad):", "            pass"]
    return "\n".join(lines) + "\n"


def make_update(ns: dict, shared: str, kind: str, shape: str, locked: bool, padded: bool, on_loop: bool) -> Callable[..., Any]:
    """The update loop as a function of the program `ns` (its globals)."""
    exec(compile(update_source(shared, kind, shape, locked, padded, on_loop), f"<update {shared}>", "exec"), ns)
    return ns.pop("update")


def make_lock(flavor: str, spec: dict, ctx: Any = None) -> Any:
    """A declared lock as the model has it: threading's, multiprocessing's (of `ctx`) or asyncio's (asyncio has
    no RLock: an asyncio.Lock stands for one, as the spec says)."""
    kind, value = spec["type"], int(spec.get("value", 1))
    if flavor == "asyncio":
        return asyncio.Semaphore(value) if kind == "Semaphore" else asyncio.Lock()
    lib = ctx if flavor == "processes" else threading
    if kind == "Semaphore":
        return lib.Semaphore(value)
    return lib.RLock() if kind == "RLock" else lib.Lock()


def make_primitives(flavor: str, declared: dict, ctx: Any = None) -> Dict[str, Dict[str, Any]]:
    """Every declared lock, queue, event and barrier, of the model's kind (see make_lock). Under asyncio this must
    run inside the event loop, as the program's main() would make them."""
    def maxsize(spec: dict) -> int:
        return int(spec.get("maxsize", 0))

    if flavor == "asyncio":
        new_queue, new_event, new_barrier = (lambda s: asyncio.Queue(maxsize(s))), asyncio.Event, getattr(asyncio, "Barrier", None)
    elif flavor == "processes":
        new_queue, new_event, new_barrier = (lambda s: ctx.Queue(maxsize(s))), ctx.Event, ctx.Barrier
    else:
        new_queue, new_event, new_barrier = (lambda s: queue.Queue(maxsize(s))), threading.Event, threading.Barrier
    return {
        "locks": {n: make_lock(flavor, s, ctx) for n, s in declared["locks"].items()},
        "queues": {n: new_queue(s) for n, s in declared["queues"].items()},
        "events": {n: new_event() for n in declared["events"]},
        "barriers": {n: new_barrier(int(s["parties"])) for n, s in declared["barriers"].items()},
    }


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


def _scaled_time(sample: Callable[[int], float], start: int) -> float:
    """Seconds per unit of `sample(n)` (which times n units): n doubled until a sample lasts 3 ms, then the first
    quartile of 5."""
    n = max(1, start)
    while sample(n) < 0.003 and n < 1 << 26:
        n *= 2
    return sorted(sample(n) for _ in range(5))[1] / n


def loop_slope(longer: float, shorter: float, iterations: int, cal: Calibration) -> float:
    """Seconds per iteration of a padding or per-key loop, from its cost at two lengths `iterations` apart; held
    between 0.2 and 2 times a spin iteration (such a loop measures 0.3 to 0.8 of one), so that two noisy samples
    on a busy machine (the longer one measuring faster) never make the padding absurd."""
    spin_iteration = 1 / cal.cpu_per_second
    return min(2 * spin_iteration, max(0.2 * spin_iteration, (longer - shorter) / iterations))


def refine(cost: Callable[[int], float], none: float, budget: float, guess: int, cal: Calibration) -> Tuple[int, float]:
    """How many iterations of a padding or per-key loop fill `budget` seconds, and what one costs: measured at the
    power of two nearest a first guess, then (at most twice) again nearest the count that gives, if that is
    another. `cost(n)`: the loop's cost with n iterations; `none`: with none."""
    at, n, slope = guess, 0, 0.0
    for _ in range(3):
        slope = loop_slope(cost(at), none, at, cal)
        n = int(budget / slope)
        if bucket(n) == at:
            break
        at = bucket(n)
    return n, slope


def bucket(x: float) -> int:
    """The power of two nearest x (at least 1, at most 2^20): the size a loop's cost is measured at."""
    return 1 << min(20, max(0, round(math.log2(max(1.0, x)))))


class StepCosts:
    """What the update loops and the dict passes cost here alone on one core, measured in this parent process
    (with the model's own kind of lock) for the variants and sizes the scenario needs, before each run like the
    rest of the calibration. A padding or per-key loop is measured at about the length it will run (the power of
    two nearest): its cost per iteration depends on it (a short loop pays its set-up more often)."""

    def __init__(self, flavor: str, method: Optional[str]):
        self.flavor = flavor
        self.ctx = multiprocessing.get_context(method) if flavor == "processes" else None
        self.seconds: Dict[str, float] = {}

    def _memo(self, label: str, measure: Callable[[], float]) -> float:
        if label not in self.seconds:
            self.seconds[label] = measure()
        return self.seconds[label]

    def update(self, kind: str, shape: str, lock: Optional[dict], pad: Optional[int]) -> float:
        """Seconds per iteration of the update loop; `pad`: the padded loop with that many padding iterations."""
        label = f"update {'dict' if kind == 'dict' else kind + ' ' + shape}{', ' + lock['type'] if lock else ''}{'' if pad is None else f', pad {pad}'}"
        return self._memo(label, lambda: self._time_update(kind, shape, lock, pad))

    def per_key(self, each: int) -> float:
        """Seconds per key of a pass `for k in d:` doing `each` iterations of work per key (measured on a dict of
        fewer keys when the work per key is long: a pass over 1000 keys could take seconds)."""
        keys = DICT_KEYS if each <= 1024 else max(8, DICT_KEYS * 1024 // each)
        d = dict.fromkeys(range(keys), 0)

        def sample(n: int) -> float:
            t0 = time.perf_counter()
            for _ in range(n):
                iterate_pass(d, each * keys, 0)
            return time.perf_counter() - t0

        return self._memo(f"iterate, per key, {each} per key", lambda: _scaled_time(sample, 1) / keys)

    def _time_update(self, kind: str, shape: str, lock: Optional[dict], pad: Optional[int]) -> float:
        on_loop = self.flavor == "asyncio"
        ns = program_globals({"probe": kind})
        update = make_update(ns, "probe", kind, shape, lock is not None, pad is not None, on_loop)
        g = global_name("probe")
        p = pad or 0

        async def timed_on_loop(n: int) -> float:
            lk = make_lock("asyncio", lock or {})
            t0 = time.perf_counter()
            await update(n, lk, p, DICT_KEYS)
            return time.perf_counter() - t0

        held = make_lock(self.flavor, lock, self.ctx) if lock is not None and not on_loop else None

        def sample(n: int) -> float:
            if kind == "dict":
                ns[g] = dict.fromkeys(range(DICT_KEYS), 0)
            if on_loop and lock is not None:
                return asyncio.run(timed_on_loop(n))
            t0 = time.perf_counter()
            update(n, held, p, DICT_KEYS)
            return time.perf_counter() - t0

        return _scaled_time(sample, 2000 // (1 + p))


# One step of work, ready to run, as (kind, a, b):
#   ("cpu", iterations, 0) | ("native", calls, tail bytes) | ("io", seconds, blocking)
#   ("acquire" | "release", lock, 0) | ("put" | "get", queue, 0) | ("set" | "wait", event, 0) | ("barrier", barrier, 0)
#   ("update", (shared, "int" | "dict", shape, locked, padded), [times, pad, tail iterations, first key, lock | None])
#   ("iterate", shared, [iterations, iterations per key]) | ("raise", exception type, message) | ("crash", 0, 0)
Work = Tuple[str, Any, Any]


class Plan(NamedTuple):
    """Every task's work, what the sequential run should take (for the timeout) and notes for the log."""

    tasks: List[List[Work]]
    sequential: float
    notes: List[str]


def plan_update(s: dict, where: str, kind: str, base: int, lock: Optional[dict], cal: Calibration, costs: StepCosts) -> Tuple[Work, float, Optional[str]]:
    """An update step: exactly `times` iterations, padded (see the module's docstring) to last its seconds; with
    how long it should take, and a note when the iterations alone take longer than its seconds. The padding per
    iteration comes from the padded loop's cost measured at no padding and at about the padding it will have."""
    seconds, times = float(s["seconds"]), int(s["times"])
    budget = seconds / times
    per = costs.update(kind, s["shape"], lock, None)
    pad, padded = 0, False
    if budget > per:
        none = costs.update(kind, s["shape"], lock, 0)
        # First guess: such a loop's iteration costs about a third of a spin iteration.
        p, slope = refine(lambda at: costs.update(kind, s["shape"], lock, at), none, budget - none, bucket(3 * (budget - per) * cal.cpu_per_second), cal)
        if p >= 1:
            pad, padded, per = p, True, none + p * slope
    tail = max(0, int(round((seconds - times * per) * cal.cpu_per_second)))
    took = times * per
    note = f"{where} ({times:,} iterations) {took:.3g} s for {seconds:g} s" if took > seconds * 1.05 + 0.001 else None
    work = ("update", (s["shared"], kind, s["shape"], lock is not None, padded), [times, pad, tail, base, s.get("lock")])
    return work, max(seconds, took), note


def plan_iterate(s: dict, cal: Calibration, costs: StepCosts) -> Work:
    """An iterate step: its seconds as iterations of the per-key loop, with the cost of stepping through a key in
    the same units (from the pass's cost per key measured with no work and with about the work it will have)."""
    seconds = float(s["seconds"])
    bare = costs.per_key(0)
    _, slope = refine(costs.per_key, bare, seconds / DICT_KEYS, bucket(3 * seconds * cal.cpu_per_second / DICT_KEYS), cal)
    return ("iterate", s["shared"], [seconds / slope, bare / slope])


def plan_all(scenario: dict, cal: Calibration, costs: StepCosts) -> Plan:
    """Every task's steps in units of work: the same work in every model, computed once in the parent (children get
    counts, not seconds, so a worker's own speed never changes what it is asked to do). Fresh keys for the dict
    updates are handed out in task order, so no two updates ever add the same key."""
    kinds = shared_kinds(scenario)
    next_key = {name: DICT_KEYS for name, kind in kinds.items() if kind == "dict"}
    rate = cal.cpu_per_second
    plans: List[List[Work]] = []
    total = 0.0
    notes: List[str] = []
    for i, t in enumerate(scenario["tasks"]):
        plan: List[Work] = []
        for k, s in enumerate(t["steps"]):
            kind = s["kind"]
            sec = float(s.get("seconds", 0))
            if kind == "cpu":
                plan.append(("cpu", int(round(sec * rate)), 0))
            elif kind == "native":
                mib = sec / cal.native_seconds_per_mib
                calls = int(mib)
                plan.append(("native", calls, int(round((mib - calls) * MIB))))
            elif kind == "io":
                plan.append(("io", sec, 1 if s.get("blocking") else 0))
            elif kind == "update":
                shared_kind = kinds[s["shared"]]
                base = next_key.get(s["shared"], 0)
                lock = scenario["locks"][s["lock"]] if "lock" in s else None  # declared: checked
                work, sec, note = plan_update(s, f"tasks[{i}].steps[{k}]", shared_kind, base, lock, cal, costs)
                if shared_kind == "dict":
                    next_key[s["shared"]] += int(s["times"])
                if note:
                    notes.append(note)
                plan.append(work)
            elif kind == "iterate":
                plan.append(plan_iterate(s, cal, costs))
            elif kind == "raise":
                plan.append(("raise", s["error"], f"raised by step {k} of task {t['name']!r} (a raise step)"))
            elif kind == "crash":
                plan.append(("crash", 0, 0))
            else:
                plan.append((kind, s[{"acquire": "lock", "release": "lock", "put": "queue", "get": "queue", "set": "event", "wait": "event"}.get(kind, kind)], 0))
            total += sec
        plans.append(plan)
    if notes:
        listed = ", ".join(notes[:3]) + (f" and {len(notes) - 3} more" if len(notes) > 3 else "")
        notes = [f"{plural(len(notes), 'update step')} take longer here than their seconds, as every iteration runs (the count is what they are about): {listed}"]
    return Plan(plans, total, notes)


# --------------------------------------------------------------------------------------------------------------
# The program: one model run, in a child process of its own (`capture.py --run-child JOB`), so that a crash
# (os._exit) or a deadlock takes down that process, never capture.py.
#
# Its tasks write where they are into the board: a file of doubles mapped into memory (mmap, shared) by every
# process of the run. A store is a memory write, tens of nanoseconds and no system call, so the times cost what
# the in-memory lists of before did; it outlives its writer (os._exit, SIGKILL: the pages are the file's); and
# the parent reads it while the run goes on (to see a deadlock) and after it ended, however it ended.
# Layout: [origin, (spare)], a slot per shared value, then per task TASK_HEAD doubles (start, end, pid, native
# thread id, status, when main got its result back) and a (start, end) pair per step; NaN until written. After
# the doubles, 128 bytes per task: its thread's name and the type of the exception it ended with.
# --------------------------------------------------------------------------------------------------------------

ORIGIN = 0
HEAD = 2
TASK_HEAD = 8
START, END, PID, TID, STATUS, RECEIVED = range(6)
RUNNING, OK, RAISED, CANCELLED, CRASHED, BROKEN = 1.0, 2.0, 3.0, 4.0, 5.0, 6.0
TEXT = 128
NAN = float("nan")


class Program:
    """What a run's tasks share within one process: the board, the primitives, the program's module globals."""

    def __init__(self, board: str, layout: dict, shared: Dict[str, str], prims: Optional[dict], on_loop: bool, report_shared: bool):
        fd = os.open(board, os.O_RDWR)
        try:
            self.mm = mmap.mmap(fd, layout["size"])
        finally:
            os.close(fd)
        self.d = memoryview(self.mm).cast("d")
        self.raw = memoryview(self.mm)
        self.layout = layout
        self.tasks: List[int] = layout["tasks"]
        self.receive: List[int] = layout["receive"]
        self.shared = shared
        self.ns = program_globals(shared)
        self.updates: Dict[tuple, Callable[..., Any]] = {}
        self.on_loop = on_loop
        # Tasks report a shared value after each update, for a run that never finishes; not in worker processes,
        # whose globals are their own (the main program's are what the spec counts).
        self.report_shared = report_shared
        self.set_primitives(prims or {d: {} for d in DECLARATIONS})

    def set_primitives(self, prims: dict) -> None:
        self.locks, self.queues, self.events, self.barriers = prims["locks"], prims["queues"], prims["events"], prims["barriers"]

    def start_clock(self) -> float:
        """The run's origin, on the board."""
        origin = time.perf_counter()
        self.d[ORIGIN] = origin
        return origin

    def text(self, task: int, field: int, value: str) -> None:
        at = self.layout["text"] + task * TEXT + field * 64
        self.raw[at:at + 64] = value.encode("utf-8")[:64].ljust(64, b"\0")

    def mark(self, task: int, slot: int, value: float) -> None:
        self.d[self.tasks[task] + slot] = value

    def cancelled_waiting(self, task: int) -> None:
        """A coroutine cancelled before its task started (waiting for the Semaphore)."""
        o = self.tasks[task]
        if self.d[o + START] != self.d[o + START]:  # NaN: never started
            self.d[o + END] = time.perf_counter()
            self.d[o + STATUS] = CANCELLED
            self.text(task, 1, "CancelledError")

    def shared_value(self, name: str) -> int:
        """A counter's value; for a dict, the keys the updates added."""
        v = self.ns[global_name(name)]
        return len(v) - DICT_KEYS if isinstance(v, dict) else int(v)

    def report(self, name: str) -> None:
        if self.report_shared:
            self.d[self.layout["shared"][name]] = self.shared_value(name)

    def step(self, kind: str, a: Any, b: Any) -> Any:
        """A synchronisation or shared-value step. On the event loop, what to await (None: done already)."""
        if kind == "update":
            return self.update(a, b)
        if kind == "iterate":
            iterate_pass(self.ns[global_name(a)], b[0], b[1])
            return None
        if kind == "release":
            self.locks[a].release()
            return None
        if kind == "set":
            self.events[a].set()
            return None
        if kind == "acquire":
            r = self.locks[a].acquire()
        elif kind == "put":
            r = self.queues[a].put(1)
        elif kind == "get":
            r = self.queues[a].get()
        elif kind == "wait":
            r = self.events[a].wait()
        elif kind == "barrier":
            r = self.barriers[a].wait()
        else:
            raise AssertionError(f"unknown step {kind}")
        return r if self.on_loop else None

    def update(self, key: tuple, args: list) -> Any:
        fn = self.updates.get(key)
        if fn is None:
            fn = self.updates[key] = make_update(self.ns, *key, on_loop=self.on_loop)
        times, pad, tail, base, lock = args
        r = fn(times, self.locks[lock] if lock else None, pad, base)
        if self.on_loop and lock:
            return self._finish(r, tail, key[0])
        spin(tail)
        self.report(key[0])
        return None

    async def _finish(self, update: Any, tail: int, name: str) -> None:
        await update
        spin(tail)
        self.report(name)


P: Optional[Program] = None  # this process's program (a worker process gets its own from init_worker)


def task_steps(index: int, plan: List[Work], on_loop: bool) -> Generator[Any, Any, bytes]:
    """Run one task's steps in this thread (or worker process), each timed from its start to its end on the board,
    and return bytes(receive). On the event loop (`on_loop`) what must be awaited (a non-blocking wait, an asyncio
    primitive's call) is yielded for the coroutine to await; its exception, if any, is thrown back in here. A task
    that raises (or is cancelled) leaves its type, and the time, on the board."""
    p = P
    d = p.d
    now = time.perf_counter
    o = p.tasks[index]
    d[o + START] = now()
    d[o + PID] = os.getpid()
    d[o + TID] = threading.get_native_id()
    p.text(index, 0, threading.current_thread().name)
    d[o + STATUS] = RUNNING
    k = o + TASK_HEAD
    last = k + 2 * len(plan)
    try:
        for kind, a, b in plan:
            d[k] = now()
            if kind == "cpu":
                spin(a)
            elif kind == "native":
                hash_buffers(a, b)
            elif kind == "io":
                if on_loop and not b:
                    yield asyncio.sleep(a)
                else:
                    time.sleep(a)
            elif kind == "raise":
                d[k + 1] = d[k]  # an instant
                raise getattr(builtins, a)(b)
            elif kind == "crash":
                d[k + 1] = d[k]
                d[o + STATUS] = CRASHED
                os._exit(1)
            else:
                awaited = p.step(kind, a, b)
                if awaited is not None:
                    yield awaited
            d[k + 1] = now()
            k += 2
        result = bytes(p.receive[index])
    except BaseException as e:
        t = now()
        if k < last and d[k] == d[k] and d[k + 1] != d[k + 1]:  # the step it was in (started, not ended)
            d[k + 1] = t
        d[o + END] = t
        d[o + STATUS] = CANCELLED if isinstance(e, asyncio.CancelledError) else RAISED
        p.text(index, 1, type(e).__name__)
        raise
    d[o + END] = now()
    d[o + STATUS] = OK
    return result


def run_task(index: int, plan: List[Work], payload: bytes) -> bytes:
    """The task function `run(t)` in a thread or worker process (t: its bytes(send)): every wait is a blocking
    call, so the steps never yield."""
    steps = task_steps(index, plan, on_loop=False)
    try:
        next(steps)
    except StopIteration as done:
        return done.value
    raise AssertionError("a task off the event loop has nothing to await")


async def run_task_async(index: int, plan: List[Work], payload: bytes) -> bytes:
    """The task function as a coroutine: waits are `await asyncio.sleep` unless blocking, the primitives' calls
    are awaited; cpu and native hold the loop."""
    steps = task_steps(index, plan, on_loop=True)
    value: Any = None
    error: Optional[BaseException] = None
    while True:
        try:
            awaited = steps.send(value) if error is None else steps.throw(error)
        except StopIteration as done:
            return done.value
        try:
            value, error = await awaited, None
        except BaseException as e:  # thrown back into the steps, which note it and raise it again
            value, error = None, e


class Notes:
    """What the main program says, a JSON line at a time, at once (a run may hang later): its error, and that it
    finished (when, and the shared values)."""

    def __init__(self, path: str):
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def write(self, **note: Any) -> None:
        os.write(self.fd, (json.dumps(note) + "\n").encode("utf-8"))

    def error(self, e: BaseException, how: str) -> None:
        self.write(error={"type": type(e).__name__, "at": time.perf_counter(), "how": how})


RESULT_HOW = "future.result() re-raised it in the main thread"


def run_sequential(job: dict, plans: List[List[Work]], payloads: List[bytes], notes: Notes) -> float:
    """`for t in tasks: run(t)` in the main thread, with threading's primitives."""
    global P
    P = Program(job["board"], job["layout"], job["shared"], make_primitives("sequential", job["declared"]), False, True)
    P.start_clock()
    try:
        for i, plan in enumerate(plans):
            run_task(i, plan, payloads[i])
    except Exception as e:
        notes.error(e, "it came out of the loop in the main thread: the tasks after it never ran")
    return time.perf_counter()


def run_threads(job: dict, plans: List[List[Work]], payloads: List[bytes], notes: Notes) -> float:
    """ThreadPoolExecutor (`for f in fs: f.result()`), or a Thread per task started then joined, under the GIL with
    the model's switch interval."""
    global P
    settings = job["settings"]
    sys.setswitchinterval(settings["switchIntervalMs"] / 1000)
    P = Program(job["board"], job["layout"], job["shared"], make_primitives("threads", job["declared"]), False, True)
    if settings.get("api") == "thread":
        P.start_clock()
        threads = [threading.Thread(target=run_task, args=(i, plan, payloads[i])) for i, plan in enumerate(plans)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter()
    P.start_clock()
    try:
        with ThreadPoolExecutor(max_workers=settings["workers"]) as pool:
            futures = [pool.submit(run_task, i, plan, payloads[i]) for i, plan in enumerate(plans)]
            try:
                for i, f in enumerate(futures):
                    f.result()
                    P.mark(i, RECEIVED, time.perf_counter())
                return time.perf_counter()
            except Exception as e:
                notes.error(e, RESULT_HOW + " (the with block then waited for the other tasks)")
                raise
    except Exception:
        return time.perf_counter()


def init_worker(board: str, layout: dict, shared: Dict[str, str], prims: dict) -> None:
    """The pool's initializer: the worker's view of the board, its own module globals and the primitives (which
    multiprocessing hands over only this way, as the process is made: fork, forkserver or spawn)."""
    global P
    P = Program(board, layout, shared, prims, False, False)


def run_processes(job: dict, plans: List[List[Work]], payloads: List[bytes], notes: Notes) -> float:
    """ProcessPoolExecutor with the model's start method, timed from before the pool is made; multiprocessing's
    primitives. The workers time their steps with their own perf_counter(), which on Linux is CLOCK_MONOTONIC, one
    clock for every process (check_shared_clock holds each task between the origin and its result's arrival).
    When the pool broke, every task whose future says so is marked broken once the pool is down."""
    global P
    settings = job["settings"]
    context = multiprocessing.get_context(settings["startMethod"])
    prims = make_primitives("processes", job["declared"], context)
    P = Program(job["board"], job["layout"], job["shared"], None, False, False)
    futures: list = []
    end = None
    P.start_clock()
    try:
        with ProcessPoolExecutor(max_workers=settings["workers"], mp_context=context, initializer=init_worker, initargs=(job["board"], job["layout"], job["shared"], prims)) as pool:
            futures = [pool.submit(run_task, i, plan, payloads[i]) for i, plan in enumerate(plans)]
            try:
                for i, f in enumerate(futures):
                    f.result()
                    P.mark(i, RECEIVED, time.perf_counter())
                end = time.perf_counter()
            except Exception as e:
                notes.error(e, "BrokenProcessPool from future.result()" if isinstance(e, BrokenProcessPool) else RESULT_HOW + " (the with block then waited for the other tasks)")
                raise
    except Exception:
        end = time.perf_counter()
    for i, f in enumerate(futures):
        if f.done() and not f.cancelled() and isinstance(f.exception(), BrokenProcessPool):
            P.mark(i, STATUS, BROKEN)
    if settings["startMethod"] == "forkserver":
        stop_forkserver()
    return end


def stop_forkserver() -> None:
    """Stop multiprocessing's fork server, which outlives a pool, so that the next forkserver run boots its own
    as the first one did (the simulator counts that boot in every run). `_stop` is private but has been there,
    unchanged, from 3.8 to 3.13; without it the later runs simply reuse the server."""
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        stop()


def run_asyncio(job: dict, plans: List[List[Work]], payloads: List[bytes], notes: Notes) -> float:
    """`asyncio.run(main())`: main awaits asyncio.gather of one coroutine per task, or makes them in a TaskGroup;
    each behind a Semaphore(workers) if the model sets workers; asyncio's primitives, made in main()."""
    global P
    settings = job["settings"]
    P = Program(job["board"], job["layout"], job["shared"], None, True, True)
    workers = settings["workers"]
    ends: List[float] = []

    async def main() -> None:
        P.set_primitives(make_primitives("asyncio", job["declared"]))
        limit = asyncio.Semaphore(workers) if workers else None

        async def limited(i: int, plan: List[Work]) -> bytes:
            if limit is None:
                return await run_task_async(i, plan, payloads[i])
            try:
                async with limit:
                    return await run_task_async(i, plan, payloads[i])
            except asyncio.CancelledError:
                P.cancelled_waiting(i)
                raise

        if settings.get("api") == "taskgroup":
            try:
                async with asyncio.TaskGroup() as tg:
                    for i, plan in enumerate(plans):
                        tg.create_task(limited(i, plan))
            except Exception as e:
                notes.error(e, "ExceptionGroup from the TaskGroup (it cancelled the other tasks, then raised)")
                raise
        else:
            try:
                await asyncio.gather(*(limited(i, plan) for i, plan in enumerate(plans)))
            except Exception as e:
                notes.error(e, "asyncio.gather raised it in main(); asyncio.run then cancelled the other tasks")
                raise
        ends.append(time.perf_counter())

    P.start_clock()
    try:
        asyncio.run(main())
    except Exception:
        ends.append(time.perf_counter())
    return ends[0]


CHILD_RUNNERS: Dict[str, Callable[[dict, List[List[Work]], List[bytes], Notes], float]] = {
    "sequential": run_sequential,
    "threads": run_threads,
    "processes": run_processes,
    "asyncio": run_asyncio,
}


def run_program(job: dict) -> int:
    """Run one model run as its own program (the tasks' arguments made before the clock starts), and say when it
    ended and what the shared values came to."""
    plans = [[(k, tuple(a) if isinstance(a, list) else a, b) for k, a, b in plan] for plan in job["plans"]]
    payloads = [bytes(n) for n in job["send"]]
    notes = Notes(job["notes"])
    end = CHILD_RUNNERS[job["settings"]["model"]](job, plans, payloads, notes)
    notes.write(done={"end": end, "shared": {name: P.shared_value(name) for name in job["shared"]}})
    return 0


def child_main(job_path: str) -> int:
    """`capture.py --run-child JOB`: the run's program started afresh (where there is no fork), its job from a file."""
    with open(job_path, encoding="utf-8") as f:
        return run_program(json.load(f))


# --------------------------------------------------------------------------------------------------------------
# Running a model run in its child process, watching it, and reading what it left on the board
# --------------------------------------------------------------------------------------------------------------

THIS_FILE = os.path.abspath(__file__)
POLL_SECONDS = 0.05
# Every unfinished task blocked on a primitive, nothing changing on the board, this long: a deadlock. Only tasks
# touch the primitives, so nothing can wake them then; the wait leaves a woken thread time to be scheduled (and a
# multiprocessing queue's feeder thread to deliver) on a busy machine.
QUIET_SECONDS = 0.5
STOP_GRACE_SECONDS = 1.0


def board_layout(scenario: dict, plans: List[List[Work]]) -> dict:
    """Where everything is on the board (see the Program section), and the tasks' receive sizes."""
    shared = {name: HEAD + k for k, name in enumerate(shared_kinds(scenario))}
    at = HEAD + len(shared)
    tasks = []
    for plan in plans:
        tasks.append(at)
        at += TASK_HEAD + 2 * len(plan)
    return {
        "doubles": at,
        "shared": shared,
        "tasks": tasks,
        "text": at * 8,
        "size": at * 8 + TEXT * len(plans),
        "receive": [int(t.get("receive", 0)) for t in scenario["tasks"]],
    }


def write_board(path: str, layout: dict) -> None:
    """A fresh board: every time NaN (not yet), every shared value 0."""
    values = array("d", [NAN]) * layout["doubles"]
    for slot in layout["shared"].values():
        values[slot] = 0.0
    with open(path, "wb") as f:
        f.write(values.tobytes())
        f.write(bytes(TEXT * len(layout["tasks"])))


def board_values(raw: bytes, layout: dict) -> array:
    values = array("d")
    values.frombytes(raw[: layout["doubles"] * 8])
    return values


def nan(x: float) -> bool:
    return x != x


class Watch:
    """What the parent follows of a run as it goes: for each task, how far its steps got (a cursor, so that a
    poll reads each step once in all), and whether every unfinished task waits on a primitive."""

    def __init__(self, layout: dict, plans: List[List[Work]], settings: dict):
        self.layout, self.plans, self.settings = layout, plans, settings
        self.cursors = [0] * len(plans)

    def current(self, v: array, i: int) -> Optional[int]:
        """The step task i is in (started, not ended), or None (between steps, or not running)."""
        base = self.layout["tasks"][i] + TASK_HEAD
        n = len(self.plans[i])
        k = self.cursors[i]
        while k < n and not nan(v[base + 2 * k + 1]):
            k += 1
        self.cursors[i] = k
        return k if k < n and not nan(v[base + 2 * k]) else None

    def waiting(self, v: array, i: int, at_timeout: bool) -> bool:
        """Task i is in a step that waits on a primitive (at the timeout: an update under a lock counts too, as
        nothing shows whether it is waiting for that lock or computing)."""
        k = self.current(v, i)
        if k is None:
            return False
        kind, _, b = self.plans[i][k]
        return kind in WAIT_KINDS or (at_timeout and kind == "update" and b[4] is not None)

    def unfinished(self, v: array) -> Tuple[List[int], int]:
        """The tasks started and not ended, and how many have not started."""
        heads = self.layout["tasks"]
        started = [i for i, o in enumerate(heads) if not nan(v[o + START]) and nan(v[o + END])]
        return started, sum(1 for o in heads if nan(v[o + START]))

    def stuck(self, v: array) -> bool:
        """Every unfinished task is waiting on a primitive, at least one is, and the tasks not started cannot start
        (the pool's workers, the Semaphore's slots or the sequential loop are all taken by waiting tasks): then
        nothing can ever wake anyone, as only tasks touch the primitives."""
        running, unstarted = self.unfinished(v)
        if not running or not all(self.waiting(v, i, False) for i in running):
            return False
        return unstarted == 0 or len(running) >= concurrency(self.settings, len(self.plans))


def concurrency(settings: dict, tasks: int) -> int:
    """How many tasks the model runs at once."""
    m = settings["model"]
    if m == "sequential":
        return 1
    if m == "threads" and settings.get("api") == "thread":
        return tasks
    return settings.get("workers") or tasks


def watch(proc: Any, board: str, w: Watch, timeout: float) -> Optional[str]:
    """Wait for the run's process to end: None when it did; "deadlock" when its tasks stayed stuck (Watch.stuck)
    with the board unchanged for QUIET_SECONDS; "timeout" at the timeout. Polled 20 times a second, reading the
    board (at most 1.6 MB) each time."""
    begin = time.monotonic()
    quiet: Optional[Tuple[int, float]] = None
    with open(board, "rb") as f:
        while True:
            try:
                proc.wait(timeout=POLL_SECONDS)
                return None
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if now - begin > timeout:
                return "timeout"
            f.seek(0)
            raw = f.read(w.layout["size"])
            if not w.stuck(board_values(raw, w.layout)):
                quiet = None
                continue
            sig = zlib.crc32(raw)
            if quiet is None or quiet[0] != sig:
                quiet = (sig, now)
            elif now - quiet[1] >= QUIET_SECONDS:
                return "deadlock"


def group_alive(pgid: int) -> bool:
    """Whether a process of the group is still alive (a zombie is not: where init reaps no orphans, as in some
    containers, they stay zombies). Read from /proc where there is one."""
    if os.path.isdir("/proc/self"):
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != b"Z" and int(fields[2]) == pgid:
                return True
        return False
    try:
        os.killpg(pgid, 0)
        return True
    except OSError:
        return False


def signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except OSError:
        pass


def stop_group(proc: Any, running: bool) -> None:
    """End the run's process group (the child's own: the pool's workers, a fork server, a resource tracker are in
    it). SIGTERM first: it ends the program and its workers at once, while multiprocessing's
    resource tracker, which ignores it, lives on to unlink the named semaphores of spawn and forkserver runs; then
    SIGKILL for anything left after a second. A run that ended by itself only has its stragglers terminated."""
    if not hasattr(os, "killpg"):
        if running:
            proc.kill()
        proc.wait()
        return
    signal_group(proc.pid, signal.SIGTERM)
    if not running:
        return
    try:
        proc.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        signal_group(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    while group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    signal_group(proc.pid, signal.SIGKILL)


class Ended(NamedTuple):
    """How a run's process ended: by itself (stopped None) with its return code, or stopped by the parent."""

    stopped: Optional[str]
    returncode: Optional[int]
    stderr: str


class Forked:
    """A child made by os.fork, with what the watch uses of subprocess.Popen's interface."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: Optional[int] = None

    def poll(self) -> Optional[int]:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: Optional[float] = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        delay = 0.0005
        while self.poll() is None:
            left = None if end is None else end - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired("run", timeout or 0)
            time.sleep(delay if left is None else min(delay, left))
            delay = min(delay * 2, 0.01)
        return self.returncode

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)


def fork_child(job: dict, err_path: str) -> Forked:
    """The run's program as a fork of this process: it has everything imported and planned already (a fresh
    interpreter costs a tenth of a second or more per run), and the CPUs this process is pinned to. It gets a
    process group of its own (set on both sides of the fork, so that it is there whichever runs first), its
    stderr in a file, and leaves with os._exit, never returning into the parent's code; first it runs
    multiprocessing's exit handler, as multiprocessing's own forked children do (it unlinks named semaphores)."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass
        return Forked(pid)
    code = 1
    try:
        os.setpgid(0, 0)
        err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(err, 2)
        code = run_program(job)
        exit_function = getattr(getattr(multiprocessing, "util", None), "_exit_function", None)
        if exit_function is not None:
            exit_function()
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stderr.flush()
        finally:
            os._exit(code)


def start_child(job: dict, tmp: str, err_path: str) -> Any:
    """The run's program in a child process: forked where there is os.fork, else this file started afresh with
    --run-child (the job in a file). CAPTURE_EXEC_CHILD=1 takes the second way anywhere (to test it)."""
    if hasattr(os, "fork") and not os.environ.get("CAPTURE_EXEC_CHILD"):
        return fork_child(job, err_path)
    job_path = os.path.join(tmp, "job.json")
    with open(job_path, "w", encoding="utf-8") as f:
        json.dump(job, f)
    with open(err_path, "wb") as err:
        return subprocess.Popen([sys.executable, THIS_FILE, "--run-child", job_path], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)


def run_child(job: dict, tmp: str, w: Watch, timeout: float) -> Ended:
    """Start the run's program, watch it, end it (its whole process group)."""
    err_path = os.path.join(tmp, "stderr")
    proc = start_child(job, tmp, err_path)
    stopped: Optional[str] = "interrupted"
    try:
        stopped = watch(proc, job["board"], w, timeout)
    finally:
        stop_group(proc, stopped is not None)
    stderr = ""
    if os.path.exists(err_path):
        with open(err_path, "rb") as f:
            stderr = f.read()[-4000:].decode("utf-8", "replace")
    return Ended(stopped, proc.returncode, stderr)


class Run(NamedTuple):
    """One model run, relative to its origin (seconds): every task's record (None where a time never came)."""

    makespan: float
    records: List[dict]
    clock_shared: bool
    error: Optional[dict]
    deadlock: Optional[dict]
    shared: Dict[str, dict]
    costs: Dict[str, float]


def run_once(scenario: dict, plan: Plan, settings: dict, timeout: Optional[float], costs: StepCosts) -> Run:
    """One model run in its own process, watched and ended (see the module's docstring), read back from its
    board and notes."""
    tmp = tempfile.mkdtemp(prefix="capture-run-")
    try:
        layout = board_layout(scenario, plan.tasks)
        job = {
            "settings": settings,
            "plans": plan.tasks,
            "layout": layout,
            "board": os.path.join(tmp, "board"),
            "notes": os.path.join(tmp, "notes"),
            "declared": {d: scenario.get(d, {}) for d in DECLARATIONS},
            "shared": shared_kinds(scenario),
            "send": [int(t.get("send", 0)) for t in scenario["tasks"]],
        }
        write_board(job["board"], layout)
        w = Watch(layout, plan.tasks, settings)
        limit = timeout if timeout is not None else 3 * plan.sequential + 3
        ended = run_child(job, tmp, w, limit)
        with open(job["board"], "rb") as f:
            raw = f.read()
        notes: Dict[str, Any] = {}
        if os.path.exists(job["notes"]):
            with open(job["notes"], encoding="utf-8") as f:
                for line in f:
                    for key, value in json.loads(line).items():
                        notes.setdefault(key, value)
        return settle(scenario, settings, plan.tasks, w, raw, notes, ended, limit, dict(costs.seconds))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_task(v: array, raw: bytes, layout: dict, i: int, steps: int) -> dict:
    """Task i as the board has it (absolute times; NaN where never written)."""
    o = layout["tasks"][i]
    at = layout["text"] + i * TEXT
    name = raw[at:at + 64].rstrip(b"\0").decode("utf-8", "ignore")
    error = raw[at + 64:at + 128].rstrip(b"\0").decode("utf-8", "ignore")
    base = o + TASK_HEAD
    return {
        "start": v[o + START], "end": v[o + END], "pid": v[o + PID], "tid": v[o + TID], "status": v[o + STATUS],
        "received": v[o + RECEIVED], "thread": name, "error": error or None,
        "steps": [(v[base + 2 * k], v[base + 2 * k + 1]) for k in range(steps) if not nan(v[base + 2 * k])],
    }


def outcome_of(t: dict, model: str, program_died: bool, stopped: bool, finished: bool, main_error: bool) -> Tuple[str, Optional[str]]:
    """A task's outcome and the exception type it ended with. Never started: "skipped" (the sequential loop after
    an error, a thread pool's queue when a crash ended the program), but "broken" where its future got
    BrokenProcessPool, "cancelled" where asyncio cancelled it, "deadlocked" in a run stopped stuck (it waited for
    a worker, a slot or the loop forever)."""
    status = t["status"]
    started = not nan(t["start"])
    broken_error = "BrokenProcessPool" if model == "processes" else None
    if status == OK:
        return "ok", None
    if status == RAISED:
        return "raised", t["error"]
    if status == CANCELLED:
        return "cancelled", t["error"] or "CancelledError"
    if status in (CRASHED, BROKEN) or (started and (program_died or (finished and model == "processes"))):
        return "broken", broken_error
    if stopped:
        return "deadlocked", None
    if not started and model == "asyncio" and finished and main_error:
        return "cancelled", "CancelledError"
    if started:
        raise RunFailed("a task started and never ended in a run that finished (a bug in tools/capture.py)")
    return "skipped", None


def refuse_busy(v: array, w: Watch, plans: List[List[Work]], names: List[str], limit: float) -> None:
    """A run stopped at the timeout with a task still computing (not waiting on a primitive) did not deadlock: it
    was not given time enough. No capture then: RunFailed."""
    running, _ = w.unfinished(v)
    busy = [i for i in running if not w.waiting(v, i, True)]
    if busy:
        k = w.current(v, busy[0])
        step = f"step {k}, a {plans[busy[0]][k][0]} step" if k is not None else "between steps"
        raise RunFailed(f"still running after the timeout of {limit:g} s (task {names[busy[0]]!r} in {step}): not a deadlock; give it a longer --timeout")


def main_error(tasks: List[dict], names: List[str], settings: dict, caught: Optional[dict], crashed: Optional[int], origin: float) -> Optional[dict]:
    """The main program's error: what it met (noted as it happened; and whether a crash then ended the program);
    else, when a crash ended the program, the crash; else, for bare Threads, the first exception
    threading.excepthook printed (main never saw it). `crashed`: the task whose crash ended the program."""
    if caught is not None:
        how = caught["how"]
        if crashed is not None:  # main had the error in hand (in a with block's wait, say) when the crash came
            how += f"; then os._exit(1) in task {names[crashed]!r} ended the program before its traceback was printed"
        return {"type": caught["type"], "at": r6(caught["at"] - origin), "how": how}
    if crashed is not None:
        at = tasks[crashed]["steps"][-1][0]
        how = f"os._exit(1) in task {names[crashed]!r} ended the program (exit status 1, no exception, no traceback): every unfinished task died with it"
        return {"type": "crash", "at": r6(at - origin), "how": how}
    if settings["model"] == "threads" and settings.get("api") == "thread":
        raised = sorted((t["end"], t["error"]) for t in tasks if t["status"] == RAISED)
        if raised:
            return {"type": raised[0][1], "at": r6(raised[0][0] - origin), "how": "printed by threading.excepthook; the main thread never saw it"}
    return None


def shared_values(scenario: dict, done: Optional[dict], v: array, layout: dict) -> Dict[str, dict]:
    """Each shared value's final value and the expected one (the sum of its updates' times). Final: what the main
    program's globals held at its end (a process pool's parent: still 0); for a run that never finished, what the
    last update step to end left (the tasks report it)."""
    expected: Dict[str, int] = {}
    for t in scenario["tasks"]:
        for s in t["steps"]:
            if "shared" in s:
                expected[s["shared"]] = expected.get(s["shared"], 0) + int(s.get("times", 0))
    return {
        name: {"final": done["shared"][name] if done is not None else int(v[layout["shared"][name]]), "expected": expected[name]}
        for name in shared_kinds(scenario)
    }


def settle(scenario: dict, settings: dict, plans: List[List[Work]], w: Watch, raw: bytes, notes: dict, ended: Ended, limit: float, costs: Dict[str, float]) -> Run:
    """What the run came to: every task's outcome and times, the main program's error, the deadlock, the shared
    values; relative to the run's origin. The makespan of a run that never finished (stopped, or dead of a crash):
    the last moment a task started, ended or began a step."""
    v = board_values(raw, w.layout)
    origin = v[ORIGIN]
    done, caught = notes.get("done"), notes.get("error")
    tasks = [read_task(v, raw, w.layout, i, len(plan)) for i, plan in enumerate(plans)]
    names = [t["name"] for t in scenario["tasks"]]
    model = settings["model"]
    crashed = next((i for i, t in enumerate(tasks) if t["status"] == CRASHED), None)
    stopped = ended.stopped is not None
    program_died = done is None and not stopped
    if nan(origin) or (program_died and (crashed is None or ended.returncode != 1)):
        raise RunFailed(f"its process ended (status {ended.returncode}) before the run did: {ended.stderr.strip() or 'no message'}")
    if ended.stopped == "timeout":
        refuse_busy(v, w, plans, names, limit)
    if done is not None:
        makespan = done["end"] - origin
    else:
        stamps = [x for t in tasks for x in (t["start"], t["end"], t["received"], *(s for pair in t["steps"] for s in pair)) if not nan(x)]
        makespan = max(stamps, default=origin) - origin
    error = main_error(tasks, names, settings, caught, crashed if program_died else None, origin)
    # Where a step that never ended is drawn to: the run's end (stopped, or the program died), or for a broken pool
    # the moment main learnt of it (the pool then ended its workers).
    cut = caught["at"] if model == "processes" and caught is not None and caught["type"] == "BrokenProcessPool" else origin + makespan
    records = []
    for i, t in enumerate(tasks):
        outcome, err = outcome_of(t, model, program_died, stopped, done is not None, caught is not None)
        records.append(relative_record(i, t, outcome, err, origin, cut))
    deadlock = None
    if stopped:
        # `stopped`: how the watcher ended it: "deadlock" (every task blocked, nothing changing) or "timeout".
        deadlock = {"tasks": [names[i] for i, r in enumerate(records) if r["outcome"] == "deadlocked" and r["start"] is not None], "at": r6(makespan), "stopped": ended.stopped}
    clock = all(origin <= t["start"] <= t["end"] <= (t["end"] if nan(t["received"]) else t["received"]) for t in tasks if not nan(t["start"]) and not nan(t["end"]))
    return Run(makespan, records, clock, error, deadlock, shared_values(scenario, done, v, w.layout), costs)


def relative_record(i: int, t: dict, outcome: str, error: Optional[str], origin: float, cut: float) -> dict:
    """A task's record with times from the origin: each step that ran as (start, end, what the trace says of it):
    a step that never ended is drawn to `cut` and is "unfinished"; the step a task ended in by an exception names
    it."""
    rel = lambda x: None if nan(x) else x - origin  # noqa: E731
    steps = []
    for k, (s, e) in enumerate(t["steps"]):
        note: Dict[str, Any] = {}
        if nan(e):
            e = max(s, cut)
            note["unfinished"] = True
        if k == len(t["steps"]) - 1 and error is not None and outcome in ("raised", "cancelled"):
            note["error"] = error
        steps.append((s - origin, e - origin, note))
    started = not nan(t["start"])
    return {
        "task": i,
        "pid": int(t["pid"]) if started else None,
        "tid": int(t["tid"]) if started else None,
        "thread": t["thread"] if started else None,
        "start": rel(t["start"]),
        "end": rel(t["end"]),
        "steps": steps,
        "outcome": outcome,
        "error": error,
    }


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


# What an event's args repeat of a step besides its kind and seconds (the primitive or value it names, ...).
STEP_ARGS = ("lock", "queue", "event", "barrier", "shared", "times", "shape", "error")


def step_args(r: dict, k: int, step: dict, settings: dict, note: dict) -> dict:
    """A step event's args: the task's index, the step's index, kind and model (what src/sim/trace.ts reads), its
    seconds when it has some, the OS pid and thread, what it names, and whether it never ended ("unfinished") or
    ended by an exception ("error")."""
    args: Dict[str, Any] = {"task": r["task"], "step": k, "kind": step["kind"], "model": settings["model"]}
    if "seconds" in step:
        args["seconds"] = step["seconds"]
    args["osPid"], args["osTid"] = r["pid"], r["tid"]
    if step.get("blocking"):
        args["blocking"] = True
    for field in STEP_ARGS:
        if field in step:
            args[field] = step[field]
    args.update(note)
    return args


def trace_events(index: int, label: str, settings: dict, scenario: dict, run: Run) -> List[dict]:
    """One model run as a trace process (pid index + 1): its name, its lanes, and a complete event per step that
    ran (a wait from its call to its return; raise and crash: an event of no duration). A lane's tid is made up
    (pid × 1000 + its rank by first start), unique in the whole trace: viewers take a tid seen under two pids for
    a reused thread, and two models may well have run on the same OS thread. The OS pid and thread id are in each
    event's args and in the lane's name."""
    pid = index + 1
    events: List[dict] = [
        {"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": label}},
        {"ph": "M", "name": "process_sort_index", "pid": pid, "tid": 0, "args": {"sort_index": index}},
        {"ph": "M", "name": "process_labels", "pid": pid, "tid": 0, "args": {"labels": f"os pid {os.getpid()}"}},
    ]
    ran = [r for r in run.records if r["start"] is not None]
    lanes: Dict[int, int] = {}
    for r in sorted(ran, key=lambda r: r["start"]):
        key, name = lane_of(settings, r)
        if key not in lanes:
            lanes[key] = tid = pid * 1000 + len(lanes) + 1
            events.append({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": name}})
            events.append({"ph": "M", "name": "thread_sort_index", "pid": pid, "tid": tid, "args": {"sort_index": len(lanes)}})
    for r in ran:
        tid = lanes[lane_of(settings, r)[0]]
        task = scenario["tasks"][r["task"]]
        for k, (s, e, note) in enumerate(r["steps"]):
            step = task["steps"][k]
            args = step_args(r, k, step, settings, note)
            events.append({"ph": "X", "name": task["name"], "cat": step["kind"], "pid": pid, "tid": tid, "ts": us(s), "dur": us(e - s), "args": args})
    return events


def r6(x: Optional[float]) -> Optional[float]:
    return None if x is None else round(x, 6)


def model_result(index: int, config: dict, settings: dict, label: str, runs: List[Run], chosen: int, scenario: dict) -> dict:
    """A model's entry in metadata.results, in the shape of ../shared/fidelity/measured/*.json (model, config,
    makespan, tasks' start and end in seconds) plus what this capture adds: each task's outcome, the main
    program's error, the deadlock, the shared values, what the update and dict steps cost here."""
    run = runs[chosen]
    by_task = sorted(run.records, key=lambda r: r["task"])
    return {
        "model": config["model"],
        "config": config,
        "settings": settings,
        "label": label,
        "pid": index + 1,
        "makespan": r6(run.makespan),
        "tasks": [
            {"name": scenario["tasks"][r["task"]]["name"], "start": r6(r["start"]), "end": r6(r["end"]), "osPid": r["pid"], "osTid": r["tid"], "outcome": r["outcome"], "error": r["error"]}
            for r in by_task
        ],
        "makespans": [r6(x.makespan) for x in runs],
        "run": chosen,
        "osPids": sorted({r["pid"] for r in run.records if r["pid"] is not None}),
        "clockShared": all(x.clock_shared for x in runs),
        "error": run.error,
        "deadlock": run.deadlock,
        "shared": run.shared,
        "stepCosts": {k: float(f"{x:.4g}") for k, x in run.costs.items()},
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


def positive_seconds(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        x = math.nan
    if not 0 < x <= 86_400:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0 (at most a day), not {text!r}")
    return x


def parse_args(argv: List[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="tools/capture.py",
        usage="npm run capture -- FILE --out TRACE.json [--repeat N] [--timeout S] [--dry-run]",
        description=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", metavar="FILE", help="a scenario file (the app's format: README.md, 'Scenario files')")
    p.add_argument("--out", metavar="TRACE.json", help="where to write the Chrome Trace Event JSON (required unless --dry-run)")
    p.add_argument("--repeat", metavar="N", type=positive_repeat, default=1, help=f"run each model N times (1 to {MAX_REPEAT}) and keep the median run (default 1)")
    p.add_argument("--timeout", metavar="S", type=positive_seconds, default=None, help="stop a model run still going after S seconds (default: 3 × the sequential run's planned seconds + 3); its blocked tasks are deadlocked")
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


def describe_run(run: Run) -> str:
    """A run in the log: its makespan, and how it ended when not simply."""
    parts = [f"makespan {run.makespan:.4f} s"]
    if run.error:
        parts.append(f"main error {run.error['type']} at {run.error['at']:.4f} s")
    if run.deadlock:
        who = ", ".join(run.deadlock["tasks"]) or "no task (the program did not exit after its tasks ended)"
        parts.append(f"deadlocked: {who}, stopped")
    odd = sorted({r["outcome"] for r in run.records} - {"ok"})
    if odd:
        parts.append("outcomes " + ", ".join(f"{o} {sum(1 for r in run.records if r['outcome'] == o)}" for o in odd))
    for name, s in run.shared.items():
        parts.append(f"{name} {s['final']:,} of {s['expected']:,}")
    return "; ".join(parts)


def capture(path: str, f: dict, scenario: dict, repeat: int, timeout: Optional[float], log: Callable[[str], None]) -> dict:
    """Run every model `repeat` times and build the trace (a dict ready for JSON)."""
    settings_list = [effective_settings(m, scenario) for m in scenario["models"]]
    labels = unique_labels(settings_list)
    work = sum(float(s.get("seconds", 0)) for t in scenario["tasks"] for s in t["steps"])
    log(f"{scenario['name']}: {len(settings_list)} models × {repeat} run(s); the tasks' steps add up to {work:.3f} s (the sequential run)")
    cpus = pin_cpus(scenario["cores"])
    if cpus is not None and len(cpus) < scenario["cores"]:
        log(f"note: the scenario says {scenario['cores']} cores, this machine gives {len(cpus)}: simulate it with cores={len(cpus)} to compare")
    cal = calibrate()
    log(f"calibrated: {cal.cpu_per_second / 1e6:.1f} M loop iterations/s, {cal.native_seconds_per_mib * 1e3:.3f} ms per MiB of sha256")
    events: List[dict] = []
    results = []
    for i, (config, settings, label) in enumerate(zip(scenario["models"], settings_list, labels)):
        if "schedule" in config:
            log(f"note: {label}: its schedule (the simulator's picks of who gets the GIL) is not followed: CPython schedules its threads itself")
        runs = []
        for k in range(repeat):
            # Calibrated again before every run (0.15 s): a machine whose speed drifts (frequency scaling, a
            # neighbour's load) still gets cpu and native steps as long as asked, run by run.
            now = cal if i == 0 and k == 0 else calibrate()
            costs = StepCosts(settings["model"], settings.get("startMethod"))
            plan = plan_all(scenario, now, costs)
            if k == 0:
                for note in plan.notes:
                    log(f"note: {label}: {note}")
            try:
                runs.append(run_once(scenario, plan, settings, timeout, costs))
            except RunFailed as e:
                raise RunFailed(f"{label}: run {k + 1}: {e}")
            log(f"{label}: run {k + 1}/{repeat}: {describe_run(runs[-1])}")
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
    if argv[:1] == ["--run-child"] and len(argv) == 2:
        return child_main(argv[1])
    args = parse_args(argv)
    log = lambda line: print(f"capture: {line}", file=sys.stderr, flush=True)  # noqa: E731
    try:
        f, scenario = load(args.file)
        if args.dry_run:
            settings = [effective_settings(m, scenario) for m in scenario["models"]]
            print(json.dumps(dict(scenario, settings=settings), ensure_ascii=False))
            return 0
        check_out(args.out)
        trace = capture(args.file, f, scenario, args.repeat, args.timeout, log)
        write_trace(args.out, trace)
    except InputError as e:
        print(str(e), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("capture: interrupted", file=sys.stderr)
        return 130
    except RunFailed as e:
        print(f"capture: the run failed: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # a run that failed (a full disk, ...): a message, not a traceback
        print(f"capture: the run failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    log(f"wrote {args.out}: " + ", ".join(f"{r['label']} {r['makespan']:.4f} s" for r in trace["metadata"]["results"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
