#!/usr/bin/env python3
"""Measure, on real CPython, the facts behind the simulator's synchronisation, lost-update, error and pickling
mechanisms (issue 12), and write them as JSON.

usage: python3 tools/measure_sync.py --out FACTS.json [--quick] [--only SECTION[,SECTION...]]

Sections (each figure in the JSON carries the exact source of the code that produced it, its unit, and the
median / min / max / mean / n of its repetitions):
  lost      1. lost updates of `counter += 1`, `counter = bump(counter)` and the locked form; 4 and 2 threads;
               GIL switch counts and where the forced switch lands (instrumented runs); switch interval 1/5/20 ms;
               single-thread cost per iteration of each shape
  wake      2. threading Lock / Event / queue.Queue / Barrier wake-up latency; uncontended costs
  mpwake    3. multiprocessing (fork) Lock / Queue / Event / Barrier wake-up latency across processes, mp.Lock cost;
               asyncio Lock / Event / Queue / Barrier wake-up in loop iterations and seconds
  pickle    4. ProcessPoolExecutor round trip vs bytes sent / received, fitted s/byte; ThreadPoolExecutor;
               pickle.dumps+loads of bytes and of float lists
  errors    5. error semantics with timestamps: bare Thread, ThreadPoolExecutor, ProcessPoolExecutor (ValueError,
               os._exit -> BrokenProcessPool), asyncio gather / TaskGroup, sequential, crash in a pool thread
  deadlock  6. two threads / two asyncio tasks taking two locks in opposite orders
  dict      7. `for k in d:` cost; dict changed size during iteration with a concurrent adder
Every time is time.perf_counter() (CLOCK_MONOTONIC on Linux: one clock for every process of the machine).
A full run takes about 1-2 minutes on 2 cores. Standard library only, Python 3.11 (TaskGroup, asyncio.Barrier).
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import io
import json
import multiprocessing as mp
import os
import pickle
import platform
import queue
import statistics
import subprocess
import sys
import textwrap
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

pc = time.perf_counter
FORK = mp.get_context("fork")
MB = 1_000_000
QUICK = False


def reps(full: int, quick: int = 2) -> int:
    return quick if QUICK else full


def src(*objs) -> str:
    """The exact source of the functions/classes that produced a figure."""
    return "\n".join(textwrap.dedent(inspect.getsource(o)) for o in objs)


def summ(xs, unit: str, **extra) -> dict:
    xs = [float(x) for x in xs]
    d = {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "mean": statistics.fmean(xs),
         "n": len(xs), "unit": unit}
    if len(xs) >= 4:
        q = statistics.quantiles(xs, n=4, method="inclusive")
        d["p25"], d["p75"] = q[0], q[2]
    d.update(extra)
    return d


def fmt(d: dict) -> str:
    u = d["unit"]
    scale, su = 1.0, u
    if u == "s":
        m = abs(d["median"])
        scale, su = ((1e9, "ns") if m < 1e-6 else (1e6, "us") if m < 1e-3 else (1e3, "ms") if m < 1 else (1, "s"))
    elif u == "s/byte":
        scale, su = 1e9, "ns/byte"
    return (f"median {d['median'] * scale:.4g} {su} (min {d['min'] * scale:.4g}, max {d['max'] * scale:.4g}, "
            f"n={d['n']})")


def say(msg: str) -> None:
    print(msg, flush=True)


def time_it(fn, *args) -> float:
    t0 = pc()
    fn(*args)
    return pc() - t0


# ------------------------------------------------------------------------------------------------------------------
# 1. Lost updates
# ------------------------------------------------------------------------------------------------------------------
counter = 0
pos = 0
LOCK = threading.Lock()


def bump(x):
    return x + 1


def loop_inplace(n):
    global counter
    for _ in range(n):
        counter += 1


def loop_call(n):
    global counter
    for _ in range(n):
        counter = bump(counter)


def loop_lock(n):
    global counter
    for _ in range(n):
        with LOCK:
            counter = bump(counter)


def loop_empty(n):
    for _ in range(n):
        pass


# Instrumented forms: after each store, the stored value and the thread's index go to preallocated lists at the
# shared position `pos`. No eval-breaker check point (RESUME, JUMP_BACKWARD, a call) lies between the store and
# `pos += 1`, so the log is exact: entry i is the i-th store to `counter`, in real order.
def iloop_inplace(n, me, lv, lt):
    global counter, pos
    for _ in range(n):
        counter += 1
        lv[pos] = counter
        lt[pos] = me
        pos += 1


def iloop_call(n, me, lv, lt):
    global counter, pos
    for _ in range(n):
        counter = bump(counter)
        lv[pos] = counter
        lt[pos] = me
        pos += 1


def iloop_call_heavy(n, me, lv, lt):
    """iloop_call with two more stores in the safe stretch (after the store, before JUMP_BACKWARD)."""
    global counter, pos
    for _ in range(n):
        counter = bump(counter)
        lv[pos] = counter
        lt[pos] = me
        lt[pos] = me
        lt[pos] = me
        pos += 1


def iloop_lock(n, me, lv, lt):
    global counter, pos
    for _ in range(n):
        with LOCK:
            counter = bump(counter)
            lv[pos] = counter
            lt[pos] = me
            pos += 1


def run_counter_threads(loop, nthreads, per, instrumented=False):
    """All threads wait at a gate; the clock starts when the gate opens and stops when all are joined."""
    global counter, pos
    counter = 0
    pos = 0
    total = nthreads * per
    lv = [0] * total if instrumented else None
    lt = [0] * total if instrumented else None
    gate = threading.Event()

    def body(i):
        gate.wait()
        if instrumented:
            loop(per, i, lv, lt)
        else:
            loop(per)

    ths = [threading.Thread(target=body, args=(i,)) for i in range(nthreads)]
    for t in ths:
        t.start()
    time.sleep(0.02)
    gc.collect()
    t0 = pc()
    gate.set()
    for t in ths:
        t.join()
    wall = pc() - t0
    out = {"final": counter, "lost": total - counter, "wall": wall}
    if instrumented:
        assert pos == total, (pos, total)
        switches = 0
        events = []  # (updates lost, stores by other threads since this thread's previous store)
        last_store = {}  # thread -> index of its latest store
        last_index = {}
        for i in range(total):
            last_index[lt[i]] = i
        exits = sum(1 for t, i in last_index.items() if i != total - 1)
        prev_v, prev_t = 0, lt[0]
        for i in range(total):
            v, t = lv[i], lt[i]
            if t != prev_t:
                switches += 1
            if v != prev_v + 1:
                events.append((prev_v + 1 - v, i - last_store.get(t, -1) - 1))
            last_store[t] = i
            prev_v, prev_t = v, t
        assert sum(e[0] for e in events) == total - counter
        out.update(switches=switches, forced_switches=switches - exits, lost_events=len(events),
                   events_lost_equals_gap=sum(1 for e in events if e[0] == e[1]),
                   lost_by_events=sum(e[0] for e in events), event_sizes=[e[0] for e in events],
                   event_gaps=[e[1] for e in events])
    return out


def per_iter(loop, n, k) -> list:
    global counter
    xs = []
    for _ in range(k):
        counter = 0
        gc.collect()
        xs.append(time_it(loop, n) / n)
    return xs


def per_iter_instr(loop, n, k) -> list:
    global counter, pos
    xs = []
    lv = [0] * n
    lt = [0] * n
    for _ in range(k):
        counter = 0
        pos = 0
        gc.collect()
        xs.append(time_it(loop, n, 0, lv, lt) / n)
    return xs


def section_lost() -> dict:
    R = {"python_code": src(bump, loop_inplace, loop_call, loop_lock, iloop_inplace, iloop_call, iloop_call_heavy,
                            iloop_lock, run_counter_threads),
         "notes": []}
    N = 1_000_000
    k = reps(5, 2)
    # single-thread costs per iteration
    single = {}
    for name, loop in (("empty", loop_empty), ("inplace", loop_inplace), ("call", loop_call), ("lock", loop_lock)):
        single[name] = summ(per_iter(loop, N, k), "s", what=f"{loop.__name__}({N}) alone in one thread / {N}")
    for name, loop in (("inplace", iloop_inplace), ("call", iloop_call), ("lock", iloop_lock)):
        single["instrumented_" + name] = summ(per_iter_instr(loop, N, k), "s",
                                              what=f"{loop.__name__}({N}, ...) alone / {N}")
    R["single_thread_per_iteration"] = single
    for name in ("empty", "inplace", "call", "lock"):
        say(f"  per iteration alone, {name:8s}: {fmt(single[name])}")

    configs = [
        ("inplace_4x250k", loop_inplace, iloop_inplace, 4, 250_000, 0.005),
        ("call_4x250k", loop_call, iloop_call, 4, 250_000, 0.005),
        ("lock_4x250k", loop_lock, iloop_lock, 4, 250_000, 0.005),
        ("lock_2x500k", loop_lock, iloop_lock, 2, 500_000, 0.005),
        ("inplace_2x500k", loop_inplace, iloop_inplace, 2, 500_000, 0.005),
        ("call_2x500k", loop_call, iloop_call, 2, 500_000, 0.005),
        ("call_4x250k_interval1ms", loop_call, iloop_call, 4, 250_000, 0.001),
        ("call_4x250k_interval20ms", loop_call, iloop_call, 4, 250_000, 0.020),
        ("call_2x500k_interval1ms", loop_call, iloop_call, 2, 500_000, 0.001),
        ("call_2x500k_interval20ms", loop_call, iloop_call, 2, 500_000, 0.020),
    ]
    shape_of = {loop_inplace: "inplace", loop_call: "call", loop_lock: "lock"}
    runs = {}
    old = sys.getswitchinterval()
    try:
        for name, loop, iloop, nth, per, interval in configs:
            sys.setswitchinterval(interval)
            kk = reps((9 if nth == 2 else 5) if loop is loop_lock else 15, 2)
            plain = [run_counter_threads(loop, nth, per) for _ in range(kk)]
            instr = [run_counter_threads(iloop, nth, per, True) for _ in range(reps(3 if loop is loop_lock else 7, 2))]
            shape = shape_of[loop]
            t_plain = single[shape]["median"]
            t_instr = single["instrumented_" + shape]["median"]
            sw = [r["switches"] for r in instr]
            fsw = [r["forced_switches"] for r in instr]
            ev = [r["lost_events"] for r in instr]
            frac = [r["lost_events"] / r["forced_switches"] for r in instr if r["forced_switches"]]
            per_event = [r["lost"] / r["lost_events"] for r in instr if r["lost_events"]]
            sizes = [x for r in instr for x in r["event_sizes"]]
            gaps = [x for r in instr for x in r["event_gaps"]]
            sw_rate = statistics.median([r["switches"] / r["wall"] for r in instr])
            fsw_rate = statistics.median([r["forced_switches"] / r["wall"] for r in instr])
            d = {
                "threads": nth, "iterations_per_thread": per, "total": nth * per, "switch_interval": interval,
                "uninstrumented": {
                    "final": summ([r["final"] for r in plain], "count"),
                    "lost": summ([r["lost"] for r in plain], "updates"),
                    "lost_fraction": summ([r["lost"] / (nth * per) for r in plain], "fraction"),
                    "wall": summ([r["wall"] for r in plain], "s"),
                    "switches_estimated": summ([r["wall"] * sw_rate for r in plain], "switches",
                                               how="wall x the instrumented runs' median switches per second"),
                    "forced_switches_estimated": summ([r["wall"] * fsw_rate for r in plain], "switches",
                                                      how="wall x the instrumented runs' median forced switches "
                                                          "per second"),
                    "switches_wall_over_interval": summ([r["wall"] / interval for r in plain], "switches",
                                                        how="wall / switch interval"),
                    "runs": [{k2: r[k2] for k2 in ("final", "lost", "wall")} for r in plain],
                },
                "instrumented": {
                    "lost": summ([r["lost"] for r in instr], "updates"),
                    "wall": summ([r["wall"] for r in instr], "s"),
                    "switches": summ(sw, "switches", how="changes of the storing thread in the exact store log "
                                                         "(a thread that blocks without storing is not seen)"),
                    "forced_switches": summ(fsw, "switches", how="switches minus those after a thread's last store "
                                                                 "(thread exits)"),
                    "lost_switches": summ(ev, "switches",
                                          how="stores of a stale value (value != previous + 1): one per switch "
                                              "that landed between the read of counter and its store"),
                    "switches_per_second": sw_rate,
                    "runs": [{k2: r[k2] for k2 in ("final", "lost", "wall", "switches", "forced_switches",
                                                   "lost_events", "events_lost_equals_gap")}
                             | {"event_sizes_first20": r["event_sizes"][:20],
                                "event_gaps_first20": r["event_gaps"][:20]} for r in instr],
                },
            }
            if sizes:
                d["instrumented"]["lost_over_others_stores_while_off"] = sum(sizes) / max(1, sum(gaps))
                d["instrumented"]["lost_over_others_stores_while_off_how"] = (
                    "sum over losing stores of the updates lost, over the stores other threads made between the "
                    "losing thread's previous store and its stale one (1.0: a losing switch erases exactly the "
                    "others' work while the thread was off)")
            if frac:
                d["instrumented"]["fraction_of_switches_losing"] = summ(
                    frac, "fraction", how="per run: lost_switches / forced_switches")
                pooled = sum(ev) / max(1, sum(fsw))
                d["instrumented"]["fraction_of_switches_losing_pooled"] = pooled
                d["fraction_of_switches_losing_uninstrumented_estimate_pooled"] = pooled * t_instr / t_plain
                d["instrumented"]["losing_switches_where_lost_equals_others_stores_while_off"] = (
                    sum(r["events_lost_equals_gap"] for r in instr), sum(ev))
                # The unsafe stretch (FOR_ITER .. CALL, up to bump's RESUME check) is the same in both forms; the
                # instrumentation only lengthens the safe stretch, so the uninstrumented fraction is f * T'/T.
                d["fraction_of_switches_losing_uninstrumented_estimate"] = summ(
                    [f * t_instr / t_plain for f in frac], "fraction",
                    how="instrumented fraction x (instrumented / plain per-iteration time)")
            if per_event:
                d["instrumented"]["lost_per_losing_switch"] = summ(per_event, "updates")
            if any(r["switches"] for r in instr):
                d["instrumented"]["lost_per_switch"] = summ(
                    [r["lost"] / r["switches"] for r in instr if r["switches"]], "updates")
            if per_event:
                d["instrumented"]["lost_per_losing_switch_in_seconds_of_work"] = summ(
                    [x * t_instr for x in per_event], "s", how="lost_per_losing_switch x instrumented per-iteration "
                                                               "time: the others' run time erased")
                lpe_plain = statistics.median(per_event) * t_instr / t_plain
                d["fraction_of_switches_losing_uninstrumented_estimate_2"] = summ(
                    [r["lost"] / max(1e-9, r["wall"] * fsw_rate * lpe_plain) for r in plain], "fraction",
                    how="plain lost / (estimated forced switches x instrumented lost-per-losing-switch scaled by "
                        "plain/instrumented iteration speed)")
            d["lost_per_switch_uninstrumented_estimate"] = summ(
                [r["lost"] / max(1e-9, r["wall"] * sw_rate) for r in plain], "updates")
            runs[name] = d
            u = d["uninstrumented"]
            say(f"  {name:26s} lost {u['lost']['median']:>9.0f} (min {u['lost']['min']:.0f} max "
                f"{u['lost']['max']:.0f}), wall {u['wall']['median'] * 1e3:7.1f} ms, switches~"
                f"{u['switches_estimated']['median']:.0f}; instr: switches {d['instrumented']['switches']['median']:.0f}"
                f" (forced {d['instrumented']['forced_switches']['median']:.0f})"
                f", losing {d['instrumented']['lost_switches']['median']:.0f}"
                + (f", frac pooled {d['instrumented']['fraction_of_switches_losing_pooled']:.2f}"
                   f" (plain est {d['fraction_of_switches_losing_uninstrumented_estimate_pooled']:.2f})"
                   if frac else "")
                + (f", lost/losing-switch {d['instrumented']['lost_per_losing_switch']['median']:.0f}"
                   if per_event else ""))
    finally:
        sys.setswitchinterval(old)
    R["runs"] = runs
    # Where the forced switch lands, with many switches: 2 threads x 500k at a 0.2 ms switch interval, two
    # amounts of instrumentation in the safe stretch. If a switch request lands uniformly in time and the unsafe
    # stretch (FOR_ITER .. bump's RESUME) takes u seconds, the losing fraction is u / T' for an iteration of T'.
    land = {"switch_interval": 0.0002, "threads": 2, "iterations_per_thread": 500_000}
    single["instrumented_call_heavy"] = summ(per_iter_instr(iloop_call_heavy, N, k), "s",
                                             what=f"iloop_call_heavy({N}, ...) alone / {N}")
    try:
        sys.setswitchinterval(0.0002)
        for name, iloop in (("light", iloop_call), ("heavy", iloop_call_heavy)):
            rs = [run_counter_threads(iloop, 2, 500_000, True) for _ in range(reps(7, 2))]
            t_i = single["instrumented_call" if name == "light" else "instrumented_call_heavy"]["median"]
            fr = [r["lost_events"] / r["forced_switches"] for r in rs]
            pooled = sum(r["lost_events"] for r in rs) / sum(r["forced_switches"] for r in rs)
            land[name] = {"loop": iloop.__name__, "per_iteration_alone": t_i,
                          "forced_switches": summ([r["forced_switches"] for r in rs], "switches"),
                          "lost_switches": summ([r["lost_events"] for r in rs], "switches"),
                          "fraction_losing": summ(fr, "fraction"), "fraction_losing_pooled": pooled,
                          "unsafe_stretch_seconds": pooled * t_i,
                          "lost_per_losing_switch": summ([r["lost"] / max(1, r["lost_events"]) for r in rs],
                                                         "updates"),
                          "losing_switches_where_lost_equals_others_stores_while_off": (
                              sum(r["events_lost_equals_gap"] for r in rs), sum(r["lost_events"] for r in rs))}
        plain = [run_counter_threads(loop_call, 2, 500_000) for _ in range(reps(7, 2))]
        land["plain_lost"] = summ([r["lost"] for r in plain], "updates")
        land["plain_wall"] = summ([r["wall"] for r in plain], "s")
    finally:
        sys.setswitchinterval(old)
    u = statistics.fmean([land["light"]["unsafe_stretch_seconds"], land["heavy"]["unsafe_stretch_seconds"]])
    land["unsafe_stretch_seconds_mean"] = u
    land["plain_fraction_estimate"] = u / single["call"]["median"]
    land["how"] = ("unsafe stretch u = pooled losing fraction x instrumented per-iteration time, for each amount of "
                   "instrumentation (equal u's support the model); plain fraction = u / plain per-iteration time")
    R["switch_landing"] = land
    say(f"  landing @0.2 ms: light frac {land['light']['fraction_losing_pooled']:.3f} (u "
        f"{land['light']['unsafe_stretch_seconds'] * 1e9:.1f} ns), heavy frac "
        f"{land['heavy']['fraction_losing_pooled']:.3f} (u {land['heavy']['unsafe_stretch_seconds'] * 1e9:.1f} ns)"
        f"; plain fraction estimate {land['plain_fraction_estimate']:.3f}; plain lost {fmt(land['plain_lost'])}")
    R["notes"].append("Python 3.11 checks the eval breaker (where a forced GIL switch can happen) only at RESUME "
                      "(function entry), JUMP_BACKWARD and after calls to C functions. `counter += 1` has no check "
                      "between LOAD_GLOBAL and STORE_GLOBAL, so it never loses updates; `counter = bump(counter)` "
                      "reads counter, then bump's RESUME is a check point before the store.")
    return R


# ------------------------------------------------------------------------------------------------------------------
# 2./3. Wake-up latency
# ------------------------------------------------------------------------------------------------------------------
def wake_child(block, after, go, done, stamps, n):
    for i in range(n):
        go.wait()
        go.clear()
        block()
        stamps[i] = pc()
        after()
        done.set()


def wake_parent(prep, wake, go, done, n, gap=0.002):
    t0s = []
    for i in range(n):
        prep()
        go.set()
        time.sleep(gap)  # the other side is blocked by now
        t0 = pc()
        wake()
        done.wait()
        done.clear()
        t0s.append(t0)
    return t0s


def nothing():
    pass


def wake_cases(lib):
    """(name, primitive factory) -> (prep, wake) in parent, (block, after) in child."""
    out = {}
    L = lib.Lock()
    out["lock"] = (L.acquire, L.release, L.acquire, L.release, "parent: L.acquire(); ... t0; L.release()  |  "
                   "child blocked in L.acquire(); t1 on return")
    E = lib.Event()
    out["event"] = (E.clear, E.set, E.wait, nothing, "parent: E.clear(); ... t0; E.set()  |  child blocked in "
                    "E.wait(); t1 on return")
    Q = queue.Queue() if lib is threading else lib.Queue()
    out["queue"] = (nothing, lambda: Q.put(1), Q.get, nothing, "parent: t0; Q.put(1)  |  child blocked in Q.get(); "
                    "t1 on return (unbounded queue)")
    B = lib.Barrier(2)
    out["barrier"] = (nothing, B.wait, B.wait, nothing, "Barrier(2): child arrives first, blocked in B.wait(); "
                      "parent: t0; B.wait() (last arrival); t1 when the child's wait() returns")
    return out


def measure_wake(kind_lib, n, processes: bool):
    res = {}
    cases = wake_cases(kind_lib)
    for name, (prep, wake, block, after, how) in cases.items():
        if processes:
            go, done = FORK.Event(), FORK.Event()
            stamps = FORK.RawArray("d", n)
            child = FORK.Process(target=wake_child, args=(block, after, go, done, stamps, n))
        else:
            go, done = threading.Event(), threading.Event()
            stamps = [0.0] * n
            child = threading.Thread(target=wake_child, args=(block, after, go, done, stamps, n))
        child.start()
        t0s = wake_parent(prep, wake, go, done, n)
        child.join()
        lat = [stamps[i] - t0s[i] for i in range(n)][10:]  # first 10 are warm-up
        res[name] = summ(lat, "s", how=how)
        say(f"  {'mp' if processes else 'threading'} {name:8s} wake: {fmt(res[name])}, mean "
            f"{res[name]['mean'] * 1e6:.1f} us")
    return res


def unc_lock(n, lock):
    for _ in range(n):
        lock.acquire()
        lock.release()


def unc_with_lock(n, lock):
    for _ in range(n):
        with lock:
            pass


def unc_queue(n, q):
    for _ in range(n):
        q.put(1)
        q.get()


def unc_empty(n, _x):
    for _ in range(n):
        pass


def uncontended(fn, n, arg, k):
    xs = []
    for _ in range(k):
        xs.append(time_it(fn, n, arg) / n)
    return xs


def section_wake() -> dict:
    n = 210 if not QUICK else 40
    R = {"python_code": src(wake_child, wake_parent, wake_cases, measure_wake),
         "method": "child thread blocked on the primitive (the parent sleeps 2 ms after letting it go), GIL free: "
                   "the parent blocks in done.wait() right after the waking call. Latency = child's perf_counter() "
                   "after the blocking call returns minus the parent's just before the waking call. First 10 "
                   "samples dropped.",
         "threading": measure_wake(threading, n, False)}
    k = reps(5, 2)
    un = {}
    for name, fn, arg, N in (("empty_loop", unc_empty, None, 1_000_000),
                             ("lock_acquire_release", unc_lock, threading.Lock(), 1_000_000),
                             ("with_lock", unc_with_lock, threading.Lock(), 1_000_000),
                             ("rlock_acquire_release", unc_lock, threading.RLock(), 1_000_000),
                             ("semaphore_acquire_release", unc_lock, threading.Semaphore(1), 300_000),
                             ("queue_put_get", unc_queue, queue.Queue(), 200_000)):
        xs = uncontended(fn, N, arg, k)
        un[name] = summ(xs, "s", what=f"{fn.__name__}({N}, ...) / {N}, per loop iteration incl. loop overhead")
    base = un["empty_loop"]["median"]
    for name in list(un):
        if name != "empty_loop":
            un[name]["net_of_empty_loop_median"] = un[name]["median"] - base
        say(f"  uncontended {name:26s}: {fmt(un[name])}")
    un["python_code"] = src(unc_empty, unc_lock, unc_with_lock, unc_queue)
    R["uncontended"] = un
    return R


def mp_unc_lock(n, lock):
    for _ in range(n):
        lock.acquire()
        lock.release()


async def aio_wake(kind, n, ticker):
    loop = asyncio.get_running_loop()
    ticks = [0]
    stop = [False]

    def tick():
        ticks[0] += 1
        if not stop[0]:
            loop.call_soon(tick)

    if ticker:
        loop.call_soon(tick)
    secs, its = [], []
    lock, ev, q, bar = asyncio.Lock(), asyncio.Event(), asyncio.Queue(), asyncio.Barrier(2)

    async def waiter():
        if kind == "lock":
            await lock.acquire()
            lock.release()
        elif kind == "event":
            await ev.wait()
        elif kind == "queue":
            await q.get()
        else:
            await bar.wait()
        return pc(), ticks[0]  # resumed: taken right after the awaited call returns

    for i in range(n):
        if kind == "lock":
            await lock.acquire()
        ev.clear()
        task = asyncio.create_task(waiter())
        await asyncio.sleep(0.001)  # the waiter is blocked by now
        k0 = ticks[0]
        t0 = pc()
        if kind == "lock":
            lock.release()
        elif kind == "event":
            ev.set()
        elif kind == "queue":
            q.put_nowait(1)
        else:
            await bar.wait()  # last arrival
        t1, k1 = await task
        secs.append(t1 - t0)
        its.append(k1 - k0)
    stop[0] = True
    return secs[5:], its[5:]


async def aio_unc(n):
    lock, q = asyncio.Lock(), asyncio.Queue()
    t0 = pc()
    for _ in range(n):
        async with lock:
            pass
    t1 = pc()
    for _ in range(n):
        await q.put(1)
        await q.get()
    t2 = pc()
    for _ in range(n):
        pass
    t3 = pc()
    return (t1 - t0) / n, (t2 - t1) / n, (t3 - t2) / n


def section_mpwake() -> dict:
    n = 210 if not QUICK else 40
    R = {"python_code": src(wake_child, wake_parent, wake_cases, measure_wake),
         "method": "as the threading figures, the child a fork-context multiprocessing.Process; its perf_counter() "
                   "(CLOCK_MONOTONIC, system-wide) goes back through a RawArray. 2 processes.",
         "multiprocessing_fork": measure_wake(FORK, n, True)}
    k = reps(5, 2)
    xs = uncontended(mp_unc_lock, 300_000, FORK.Lock(), k)
    R["mp_lock_uncontended"] = summ(xs, "s", what="mp_unc_lock(300000, FORK.Lock()) / 300000 incl. loop overhead",
                                    python_code=src(mp_unc_lock))
    say(f"  uncontended mp.Lock acquire+release: {fmt(R['mp_lock_uncontended'])}")
    xs = uncontended(mp_unc_lock, 300_000, FORK.RLock(), k)
    R["mp_rlock_uncontended"] = summ(xs, "s", what="mp_unc_lock(300000, FORK.RLock()) / 300000")
    a = {}
    for kind in ("lock", "event", "queue", "barrier"):
        secs, _ = asyncio.run(aio_wake(kind, n, False))
        _, its = asyncio.run(aio_wake(kind, 60 if not QUICK else 20, True))
        a[kind] = {"seconds": summ(secs, "s"), "loop_iterations": summ(its, "iterations",
                   how="a call_soon ticker counts event-loop iterations between the waking call and the resume")}
        say(f"  asyncio {kind:8s} wake: {fmt(a[kind]['seconds'])}; iterations median "
            f"{a[kind]['loop_iterations']['median']:.0f} (min {a[kind]['loop_iterations']['min']:.0f}, max "
            f"{a[kind]['loop_iterations']['max']:.0f})")
    a["python_code"] = src(aio_wake)
    uw = [asyncio.run(aio_unc(100_000)) for _ in range(k)]
    a["uncontended_async_with_lock"] = summ([u[0] for u in uw], "s", what="async with asyncio.Lock(): pass, per "
                                            "iteration incl. loop overhead")
    a["uncontended_queue_put_get"] = summ([u[1] for u in uw], "s", what="await q.put(1); await q.get()")
    a["uncontended_python_code"] = src(aio_unc)
    say(f"  asyncio uncontended async-with-lock {fmt(a['uncontended_async_with_lock'])}; "
        f"queue put+get {fmt(a['uncontended_queue_put_get'])}")
    R["asyncio"] = a
    return R


# ------------------------------------------------------------------------------------------------------------------
# 4. Pickling cost
# ------------------------------------------------------------------------------------------------------------------
def f(b, m):
    return bytes(m)


def fit(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return slope, my - slope * mx


def round_trips(ex, payload, m, k):
    xs = []
    for _ in range(k + 1):
        gc.collect()
        t0 = pc()
        r = ex.submit(f, payload, m).result()
        xs.append(pc() - t0)
        assert len(r) == m
        del r
    return xs[1:]


def pickle_cost(obj, k):
    d, l, size = [], [], 0
    for _ in range(k):
        gc.collect()
        t0 = pc()
        s = pickle.dumps(obj)
        t1 = pc()
        y = pickle.loads(s)
        t2 = pc()
        size = len(s)
        d.append(t1 - t0)
        l.append(t2 - t1)
        del s, y
    return d, l, size


def section_pickle() -> dict:
    k = reps(5, 2)
    sizes = [0, 1 * MB, 10 * MB, 100 * MB]
    R = {"python_code": src(f, round_trips, pickle_cost),
         "method": "ProcessPoolExecutor(2, mp_context=fork), warmed up (8 tiny tasks). Round trip = "
                   "t0; ex.submit(f, b, m).result(); t1 with b = bytes(N) made before the clock. First repetition "
                   "of each size dropped."}
    procs, threads = {}, {}
    with ProcessPoolExecutor(2, mp_context=FORK) as ex, ThreadPoolExecutor(2) as tx:
        list(ex.map(f, [b""] * 8, [0] * 8))
        list(tx.map(f, [b""] * 8, [0] * 8))
        for N in sizes:
            b = bytes(N)
            procs[f"send_{N}"] = summ(round_trips(ex, b, 0, k if N >= 100 * MB else reps(9, 2)), "s", N=N, m=0)
            threads[f"send_{N}"] = summ(round_trips(tx, b, 0, reps(21, 2)), "s", N=N, m=0)
            say(f"  round trip N={N:>9} m=0: process {fmt(procs[f'send_{N}'])}; thread {fmt(threads[f'send_{N}'])}")
            del b
        for m in sizes[1:]:
            procs[f"receive_{m}"] = summ(round_trips(ex, b"", m, k if m >= 100 * MB else reps(9, 2)), "s", N=0, m=m)
            threads[f"receive_{m}"] = summ(round_trips(tx, b"", m, reps(21, 2)), "s", N=0, m=m)
            say(f"  round trip N=0 m={m:>9}: process {fmt(procs[f'receive_{m}'])}; "
                f"thread {fmt(threads[f'receive_{m}'])}")
        floats = [float(i) for i in range(10 * MB // 8)]
        procs["send_floats_10MB"] = summ(round_trips(ex, floats, 0, k), "s", what="b = [float(i) for i in "
                                         "range(1_250_000)] (10 MB of float data; pickled ~11.25 MB)")
        say(f"  round trip 1.25M-float list, m=0: process {fmt(procs['send_floats_10MB'])}")
        del floats
    send_s, send_i = fit(sizes, [procs[f"send_{N}"]["median"] for N in sizes])
    recv_s, recv_i = fit(sizes, [procs["send_0"]["median"]] + [procs[f"receive_{m}"]["median"] for m in sizes[1:]])
    # slope from each repetition's sorted order is meaningless; give the fit over min and max too
    for N in sizes[1:]:
        procs[f"send_{N}"]["per_byte_over_empty_round_trip"] = (procs[f"send_{N}"]["median"] -
                                                               procs["send_0"]["median"]) / N
        procs[f"receive_{N}"]["per_byte_over_empty_round_trip"] = (procs[f"receive_{N}"]["median"] -
                                                                  procs["send_0"]["median"]) / N
    R["process_pool"] = procs
    R["thread_pool"] = threads
    R["fit"] = {
        "send_seconds_per_byte": send_s, "send_intercept_s": send_i,
        "receive_seconds_per_byte": recv_s, "receive_intercept_s": recv_i,
        "send_seconds_per_byte_from_min": fit(sizes, [procs[f"send_{N}"]["min"] for N in sizes])[0],
        "send_seconds_per_byte_from_max": fit(sizes, [procs[f"send_{N}"]["max"] for N in sizes])[0],
        "receive_seconds_per_byte_from_min": fit(sizes, [procs["send_0"]["min"]] +
                                                 [procs[f"receive_{m}"]["min"] for m in sizes[1:]])[0],
        "receive_seconds_per_byte_from_max": fit(sizes, [procs["send_0"]["max"]] +
                                                 [procs[f"receive_{m}"]["max"] for m in sizes[1:]])[0],
        "how": "least squares of the median round trip against N (m=0) / m (N=0) over 0, 1, 10, 100 MB",
    }
    say(f"  fit: send {send_s * 1e9:.3f} ns/byte (+{send_i * 1e3:.2f} ms), receive {recv_s * 1e9:.3f} ns/byte "
        f"(+{recv_i * 1e3:.2f} ms)")
    pk = {}
    for N in sizes[1:]:
        d, l, size = pickle_cost(bytes(N), k)
        pk[f"bytes_{N}"] = {"dumps": summ(d, "s"), "loads": summ(l, "s"),
                            "dumps_plus_loads": summ([a + b for a, b in zip(d, l)], "s"), "pickled_size": size,
                            "per_byte_dumps_plus_loads": statistics.median([a + b for a, b in zip(d, l)]) / N}
        say(f"  pickle bytes({N}): dumps+loads {fmt(pk[f'bytes_{N}']['dumps_plus_loads'])}")
    for N in sizes[1:]:
        obj = [float(i) for i in range(N // 8)]
        d, l, size = pickle_cost(obj, k if N < 100 * MB else reps(3, 1))
        del obj
        pk[f"floats_{N // 8}"] = {"dumps": summ(d, "s"), "loads": summ(l, "s"),
                                  "dumps_plus_loads": summ([a + b for a, b in zip(d, l)], "s"),
                                  "pickled_size": size, "data_bytes": N,
                                  "per_data_byte_dumps_plus_loads":
                                      statistics.median([a + b for a, b in zip(d, l)]) / N}
        say(f"  pickle list of {N // 8} floats ({size} B pickled): dumps+loads "
            f"{fmt(pk[f'floats_{N // 8}']['dumps_plus_loads'])}")
    pk["protocol"] = pickle.DEFAULT_PROTOCOL
    R["pickle_alone"] = pk
    return R


# ------------------------------------------------------------------------------------------------------------------
# 5. Error semantics
# ------------------------------------------------------------------------------------------------------------------
def err_bare_thread() -> dict:
    o = pc()
    ev = {}
    hook_text = []

    def boom():
        time.sleep(0.1)
        ev["raise"] = pc() - o
        raise ValueError("boom")

    def sleeper():
        time.sleep(0.3)
        ev["sleeper_end"] = pc() - o

    def hook(args):
        ev["excepthook"] = pc() - o
        buf, old = io.StringIO(), sys.stderr
        sys.stderr = buf
        try:
            threading.__excepthook__(args)  # the default hook, printing into buf
        finally:
            sys.stderr = old
        hook_text.append(buf.getvalue())

    old_hook = threading.excepthook
    threading.excepthook = hook
    try:
        ts = [threading.Thread(target=boom), threading.Thread(target=sleeper)]
        for t in ts:
            t.start()
        join_raised = None
        try:
            for t in ts:
                t.join()
        except BaseException as e:  # noqa
            join_raised = repr(e)
        ev["joins_returned"] = pc() - o
    finally:
        threading.excepthook = old_hook
    txt = hook_text[0] if hook_text else ""
    return {"events_s": ev, "join_raised": join_raised, "default_hook_output_first_line": txt.splitlines()[0]
            if txt else None, "default_hook_output_last_line": txt.splitlines()[-1] if txt else None}


BARE_THREAD_SUBPROCESS = r'''
import threading, time, sys
o = time.perf_counter()
def boom():
    time.sleep(0.1); print("raise", time.perf_counter() - o, flush=True); raise ValueError("boom")
def sleeper():
    time.sleep(0.3); print("sleeper_end", time.perf_counter() - o, flush=True)
ts = [threading.Thread(target=boom), threading.Thread(target=sleeper)]
for t in ts: t.start()
for t in ts: t.join()
print("main_end", time.perf_counter() - o, flush=True)
'''


def err_tpe(workers: int) -> dict:
    o = pc()
    ev = {}

    def task(i, t, fail):
        ev[f"t{i}_start"] = pc() - o
        time.sleep(t)
        if fail:
            ev[f"t{i}_raise"] = pc() - o
            raise ValueError(f"task {i}")
        ev[f"t{i}_end"] = pc() - o
        return i

    seen = None
    try:
        with ThreadPoolExecutor(workers) as ex:
            fs = [ex.submit(task, 0, 0.3, False), ex.submit(task, 1, 0.1, True), ex.submit(task, 2, 0.2, False)]
            try:
                for i, fu in enumerate(fs):
                    fu.result()
                    ev[f"main_got_result_{i}"] = pc() - o
            except ValueError as e:
                ev["main_result_raised"] = pc() - o
                seen = str(e)
                raise
    except ValueError:
        ev["exception_left_with_block"] = pc() - o
    return {"workers": workers, "events_s": dict(sorted(ev.items(), key=lambda kv: kv[1])), "raised": seen}


STAMPS = None  # a fork-inherited RawArray('d', 64) for pool workers' perf_counter() stamps


def ppe_raise(t):
    time.sleep(t)
    raise ValueError("from worker")


def ppe_quick():
    STAMPS[0] = pc()
    return "early"


def ppe_long():
    STAMPS[1] = pc()
    for _ in range(1000):  # 0.5+ s, a heartbeat stamp every ~0.5 ms
        time.sleep(0.0005)
        STAMPS[2] = pc()
    STAMPS[3] = pc()
    return "long"


def ppe_crash():
    STAMPS[4] = pc()
    time.sleep(0.1)
    STAMPS[5] = pc()
    os._exit(1)


def ppe_queued(slot):
    STAMPS[slot] = pc()
    time.sleep(0.1)
    STAMPS[slot + 1] = pc()
    return slot


def err_ppe_raise() -> dict:
    out = []
    for _ in range(reps(5, 2)):
        with ProcessPoolExecutor(2, mp_context=FORK) as ex:
            ex.submit(int).result()  # workers up
            t0 = pc()
            fu = ex.submit(ppe_raise, 0.1)
            try:
                fu.result()
                out.append({"raised": None})
            except ValueError as e:
                t1 = pc() - t0
                cause = e.__cause__
                out.append({"result_raised_at": t1, "type": type(e).__name__, "args": e.args,
                            "cause_type": type(cause).__name__,
                            "cause_has_remote_traceback": "raise ValueError" in str(cause) and "ppe_raise" in
                                                          str(cause),
                            "local_traceback_frames": len(traceback.extract_tb(e.__traceback__))})
    return {"runs": out, "result_raised_at": summ([r["result_raised_at"] for r in out], "s"),
            "python_code": src(ppe_raise)}


def err_ppe_crash() -> dict:
    global STAMPS
    runs = []
    for _ in range(reps(7, 2)):
        STAMPS = FORK.RawArray("d", 64)
        o = pc()
        ev = {}
        with ProcessPoolExecutor(2, mp_context=FORK) as ex:
            fs = [ex.submit(ppe_quick), ex.submit(ppe_long), ex.submit(ppe_crash), ex.submit(ppe_queued, 10),
                  ex.submit(ppe_queued, 12)]
            workers = list(ex._processes.values())  # private, read only: to report the workers' exit codes
            first = None
            try:
                for i, fu in enumerate(fs):
                    fu.result()
                    ev[f"main_got_result_{i}"] = pc() - o
            except BrokenProcessPool as e:
                ev["main_result_raised"] = pc() - o
                first = (i, str(e))
            outcomes = []
            for fu in fs:
                try:
                    outcomes.append(("ok", fu.result(timeout=0)))
                except BrokenProcessPool:
                    outcomes.append(("BrokenProcessPool", None))
                except Exception as e:  # noqa
                    outcomes.append((type(e).__name__, None))
        ev["with_exit"] = pc() - o
        exit_codes = sorted([w.exitcode for w in workers], key=str)
        st = {k: (STAMPS[i] - o if STAMPS[i] else None) for k, i in
              (("quick_start", 0), ("long_start", 1), ("long_last_heartbeat", 2), ("long_end", 3),
               ("crash_task_start", 4), ("crash", 5), ("queued1_start", 10), ("queued1_end", 11),
               ("queued2_start", 12), ("queued2_end", 13))}
        runs.append({"main_events_s": ev, "worker_stamps_s": st, "first_exception": first,
                     "outcomes_in_submit_order": outcomes, "worker_exit_codes": exit_codes,
                     "detection_latency": ev["main_result_raised"] - st["crash"],
                     "long_task_killed_after_crash": (st["long_last_heartbeat"] - st["crash"]
                                                      if st["long_end"] is None else None)})
    return {"tasks_in_submit_order": ["ppe_quick", "ppe_long (~0.55 s, heartbeat)", "ppe_crash (os._exit(1) at 0.1 s)",
                                      "ppe_queued(10) (0.1 s)", "ppe_queued(12) (0.1 s)"],
            "runs": runs,
            "detection_latency": summ([r["detection_latency"] for r in runs], "s",
                                      how="main's result() raising BrokenProcessPool minus the crashing worker's "
                                          "last stamp before os._exit(1)"),
            "long_task_last_heartbeat_after_crash": summ(
                [r["long_task_killed_after_crash"] for r in runs if r["long_task_killed_after_crash"] is not None],
                "s", how="last ~0.5 ms heartbeat of the running 0.5 s task minus the crash stamp (it is killed "
                         "within one heartbeat after this)"),
            "python_code": src(ppe_quick, ppe_long, ppe_crash, ppe_queued, err_ppe_crash)}


async def aio_job(name, t, fail, log, o):
    log[name + "_start"] = pc() - o
    try:
        await asyncio.sleep(t)
        if fail:
            log[name + "_raise"] = pc() - o
            raise ValueError(name)
        log[name + "_end"] = pc() - o
        return name
    except asyncio.CancelledError:
        log[name + "_cancelled"] = pc() - o
        raise


def err_asyncio(mode: str) -> dict:
    o = pc()
    log = {}

    async def main():
        specs = [("a", 0.3, False), ("b", 0.1, True), ("c", 0.2, False)]
        try:
            if mode.startswith("gather"):
                await asyncio.gather(*(aio_job(n, t, fl, log, o) for n, t, fl in specs))
            else:
                async with asyncio.TaskGroup() as tg:
                    for n, t, fl in specs:
                        tg.create_task(aio_job(n, t, fl, log, o))
        except BaseException as e:  # noqa
            log["main_sees"] = pc() - o
            log["main_sees_type"] = type(e).__name__
            if isinstance(e, BaseExceptionGroup):
                log["group_members"] = [type(x).__name__ for x in e.exceptions]
            if mode == "gather_main_catches_then_sleeps_0.15":
                await asyncio.sleep(0.15)
                log["main_returns"] = pc() - o
                return
            raise

    try:
        asyncio.run(main())
        log["asyncio_run_returned"] = pc() - o
    except BaseException as e:  # noqa
        log["asyncio_run_raised"] = pc() - o
        log["asyncio_run_raised_type"] = type(e).__name__
    times = {k: v for k, v in log.items() if isinstance(v, float)}
    other = {k: v for k, v in log.items() if not isinstance(v, float)}
    return {"mode": mode, "events_s": dict(sorted(times.items(), key=lambda kv: kv[1])), **other}


def err_sequential() -> dict:
    ran = []

    def ok(name):
        return lambda: ran.append(name)

    def bad():
        ran.append("raise")
        raise ValueError("x")

    tasks = [ok("first"), bad, ok("third")]
    try:
        for t in tasks:
            t()
    except ValueError:
        pass
    return {"ran": ran, "third_ran": "third" in ran}


CRASH_IN_POOL_THREAD = r'''
import os, time
from concurrent.futures import ThreadPoolExecutor
o = time.perf_counter()
print("origin", o, flush=True)
def slow():
    time.sleep(0.3); print("slow_done", time.perf_counter() - o, flush=True)
def crash():
    time.sleep(0.1); print("crash", time.perf_counter() - o, flush=True); os._exit(1)
with ThreadPoolExecutor(2) as ex:
    fs = [ex.submit(slow), ex.submit(crash)]
    for f in fs: f.result()
print("after_with", time.perf_counter() - o, flush=True)
'''


def run_sub(code: str) -> dict:
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate(timeout=30)
    t_exit = pc()
    lines = {}
    origin = None
    for line in out.splitlines():
        k, v = line.split()
        if k == "origin":
            origin = float(v)
        else:
            lines[k] = float(v)
    r = {"exit_code": p.returncode, "stdout_events_s": lines, "stderr_first_line": err.splitlines()[0] if err
         else None, "stderr_last_line": err.splitlines()[-1] if err else None}
    if origin is not None:
        r["parent_saw_exit_s"] = t_exit - origin
    return r


def section_errors() -> dict:
    R = {}
    R["a_bare_thread"] = err_bare_thread() | {"python_code": src(err_bare_thread)}
    R["a_bare_thread_subprocess"] = run_sub(BARE_THREAD_SUBPROCESS) | {"python_code": BARE_THREAD_SUBPROCESS}
    say(f"  a bare thread: {R['a_bare_thread']['events_s']}, join raised: {R['a_bare_thread']['join_raised']}; "
        f"subprocess exit {R['a_bare_thread_subprocess']['exit_code']}")
    R["b_thread_pool"] = {"python_code": src(err_tpe), "workers_3": err_tpe(3), "workers_1": err_tpe(1)}
    say(f"  b TPE(3): {R['b_thread_pool']['workers_3']['events_s']}")
    say(f"  b TPE(1): {R['b_thread_pool']['workers_1']['events_s']}")
    R["c_process_pool_raise"] = err_ppe_raise()
    r0 = R["c_process_pool_raise"]["runs"][0]
    say(f"  c PPE ValueError: result() raised {fmt(R['c_process_pool_raise']['result_raised_at'])} after submit; "
        f"type {r0['type']}, cause {r0['cause_type']} (remote traceback text: {r0['cause_has_remote_traceback']})")
    R["c_process_pool_crash"] = err_ppe_crash()
    c = R["c_process_pool_crash"]
    say(f"  c PPE crash: detection {fmt(c['detection_latency'])}; long task last heartbeat after crash "
        f"{fmt(c['long_task_last_heartbeat_after_crash'])}")
    say(f"    run 0: {c['runs'][0]['main_events_s']} stamps {c['runs'][0]['worker_stamps_s']} "
        f"outcomes {c['runs'][0]['outcomes_in_submit_order']}")
    R["d_asyncio"] = {"python_code": src(aio_job, err_asyncio)}
    for mode in ("gather", "gather_main_catches_then_sleeps_0.15", "taskgroup"):
        R["d_asyncio"][mode] = err_asyncio(mode)
        say(f"  d asyncio {mode}: {R['d_asyncio'][mode]}")
    R["e_sequential"] = err_sequential() | {"python_code": src(err_sequential)}
    say(f"  e sequential: {R['e_sequential']['ran']}")
    R["f_crash_in_pool_thread_subprocess"] = run_sub(CRASH_IN_POOL_THREAD) | {"python_code": CRASH_IN_POOL_THREAD}
    say(f"  f crash in pool thread: {R['f_crash_in_pool_thread_subprocess']}")
    return R


# ------------------------------------------------------------------------------------------------------------------
# 6. Deadlock
# ------------------------------------------------------------------------------------------------------------------
def deadlock_threads(o, log):
    A, B = threading.Lock(), threading.Lock()
    gate = threading.Event()  # both start together: the 50 ms sleep makes the opposite-order acquires overlap
    gave_up = threading.Barrier(2)  # neither releases its first lock before both timed acquires returned

    def worker(name, first, second):
        gate.wait()
        if not first.acquire(timeout=10):  # (only if the other took both locks and waits at the barrier)
            log[name + "_first_acquire_timed_out"] = True
            return
        log[name + "_got_first"] = pc() - o
        time.sleep(0.05)
        log[name + "_wants_second"] = pc() - o
        got = second.acquire(timeout=2)
        log[name + "_second_acquire_returned"] = pc() - o
        log[name + "_second_acquired"] = got
        try:
            gave_up.wait(timeout=5)
        except threading.BrokenBarrierError:
            log[name + "_barrier_broken"] = True
        if got:
            second.release()
        first.release()

    ts = [threading.Thread(target=worker, args=("t1", A, B)), threading.Thread(target=worker, args=("t2", B, A))]
    for t in ts:
        t.start()
    gate.set()
    return ts


async def deadlock_asyncio(o, log):
    A, B = asyncio.Lock(), asyncio.Lock()
    gave_up = asyncio.Barrier(2)

    async def worker(name, first, second):
        await first.acquire()
        log[name + "_got_first"] = pc() - o
        await asyncio.sleep(0.05)
        log[name + "_wants_second"] = pc() - o
        try:
            await asyncio.wait_for(second.acquire(), 2)
            log[name + "_second_acquired"] = True
            second.release()
        except TimeoutError:
            log[name + "_second_acquired"] = False
        log[name + "_second_acquire_returned"] = pc() - o
        try:
            await asyncio.wait_for(gave_up.wait(), 5)
        except TimeoutError:
            log[name + "_barrier_timed_out"] = True
        first.release()

    await asyncio.gather(worker("a1", A, B), worker("a2", B, A))


def section_deadlock() -> dict:
    o = pc()
    tlog, alog = {}, {}
    ts = deadlock_threads(o, tlog)
    asyncio.run(deadlock_asyncio(o, alog))  # runs meanwhile in the main thread
    for t in ts:
        t.join()
    R = {"threads": tlog, "asyncio": alog, "python_code": src(deadlock_threads, deadlock_asyncio),
         "note": "both run at the same time (threads in their own threads, asyncio in the main thread), one origin"}
    say(f"  deadlock threads: {tlog}")
    say(f"  deadlock asyncio: {alog}")
    return R


# ------------------------------------------------------------------------------------------------------------------
# 7. dict iteration
# ------------------------------------------------------------------------------------------------------------------
D_IDX = 0
next_key = 0


def dict_pass_small(d):
    n = 0
    for k in d:
        n += 1
    return n


def dict_pass_work(d, w):
    global D_IDX
    i = 0
    for k in d:
        for _ in range(w):
            pass
        i += 1
        D_IDX = i
    return i


def dict_add_loop(d, n):
    global next_key
    for _ in range(n):
        d[next_key] = 0
        next_key += 1


def dict_race(d, w, stop_after):
    """Thread 2 loops `time.sleep(0.001); d[fresh] = 0` (adding only once the pass has begun; it is already in its
    loop, asleep at a random phase, when the pass starts); thread 1 (started 20 ms later) makes one pass of
    dict_pass_work. Times from the pass's start."""
    o = pc()
    res = {}
    adds = []
    done = threading.Event()
    gate = threading.Event()

    started = [False]

    def iterator():
        gate.wait()
        started[0] = True
        res["pass_start"] = pc() - o
        try:
            res["keys_done"] = dict_pass_work(d, w)
            res["outcome"] = "completed"
        except RuntimeError as e:
            res["outcome"] = "RuntimeError"
            res["message"] = str(e)
            res["keys_done"] = D_IDX
        res["pass_end"] = pc() - o
        done.set()

    def adder():
        j = 10 ** 9
        while not done.is_set() and len(adds) < stop_after:
            time.sleep(0.001)
            if started[0]:
                d[j] = 0
                adds.append((pc() - o, D_IDX))
                j += 1

    t1 = threading.Thread(target=iterator)
    t2 = threading.Thread(target=adder)
    t2.start()
    t1.start()
    time.sleep(0.02)
    o = pc()
    gate.set()
    t1.join()
    t2.join()
    res["first_add"] = adds[0][0] if adds else None
    res["keys_done_at_first_add"] = adds[0][1] if adds else None
    res["adds_before_end"] = sum(1 for a in adds if a[0] < res["pass_end"])
    return res


def section_dict() -> dict:
    k = reps(5, 2)
    R = {"python_code": src(dict_pass_small, dict_pass_work, dict_add_loop, dict_race)}
    d = {i: 0 for i in range(1000)}
    xs = []
    for _ in range(k):
        t0 = pc()
        for _ in range(1000):
            dict_pass_small(d)
        xs.append((pc() - t0) / 1000)
    R["pass_small_body_1000_keys"] = summ(xs, "s", what="dict_pass_small(d), d = 1000 int keys")
    R["per_key_small_body"] = summ([x / 1000 for x in xs], "s")
    say(f"  for k in d (1000 keys, n += 1): pass {fmt(R['pass_small_body_1000_keys'])}")
    global next_key
    xs = []
    for _ in range(k):
        dd = {}
        next_key = 0
        xs.append(time_it(dict_add_loop, dd, 200_000) / 200_000)
    R["add_fresh_key_per_iteration"] = summ(xs, "s", what="dict_add_loop(d, 200000) / 200000 (d[next_key] = 0; "
                                            "next_key += 1)")
    say(f"  d[fresh] = 0 per iteration: {fmt(R['add_fresh_key_per_iteration'])}")
    # calibrate the work per key for a 50 ms pass
    t1 = min(time_it(dict_pass_work, d, 100) for _ in range(3))
    t2 = min(time_it(dict_pass_work, d, 1000) for _ in range(3))
    per_w = (t2 - t1) / 900
    w = max(1, round((0.05 - (t1 - 100 * per_w)) / per_w))
    xs = [time_it(dict_pass_work, d, w) for _ in range(k)]
    R["work_per_key_iterations"] = w
    R["pass_alone"] = summ(xs, "s", what=f"dict_pass_work(d, {w}) alone (no other thread)")
    say(f"  dict_pass_work(d, {w}) alone: {fmt(R['pass_alone'])}")
    old = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    try:
        races = [dict_race({i: 0 for i in range(1000)}, w, 1000) for _ in range(reps(7, 2))]
    finally:
        sys.setswitchinterval(old)
    R["race_runs"] = races
    R["race_raised_fraction"] = sum(r["outcome"] == "RuntimeError" for r in races) / len(races)
    raised = [r for r in races if r["outcome"] == "RuntimeError"]
    if raised:
        R["race_raise_after_pass_start"] = summ([r["pass_end"] - r["pass_start"] for r in raised], "s")
        R["race_first_add_after_pass_start"] = summ([r["first_add"] - r["pass_start"] for r in raised], "s")
        R["race_raise_after_first_add"] = summ([r["pass_end"] - r["first_add"] for r in raised], "s")
        R["race_keys_done_minus_keys_done_at_first_add"] = summ(
            [r["keys_done"] - r["keys_done_at_first_add"] for r in raised], "keys")
    say(f"  race: raised in {R['race_raised_fraction'] * 100:.0f}% of runs; raise at "
        f"{fmt(R['race_raise_after_pass_start']) if raised else '-'} after pass start; first add "
        f"{fmt(R['race_first_add_after_pass_start']) if raised else '-'}; run 0 {races[0]}")
    return R


# ------------------------------------------------------------------------------------------------------------------
SECTIONS = {"lost": section_lost, "wake": section_wake, "mpwake": section_mpwake, "pickle": section_pickle,
            "errors": section_errors, "deadlock": section_deadlock, "dict": section_dict}


def busy_cpu_seconds():
    """(all processes' busy CPU seconds from /proc/stat, this process's + its reaped children's, steal seconds: CPU
    the hypervisor took from this VM), or None."""
    try:
        import resource
        with open("/proc/stat") as fh:
            f = [int(x) for x in fh.readline().split()[1:]]
        hz = os.sysconf("SC_CLK_TCK")
        busy = (sum(f[:7]) - f[3] - f[4]) / hz  # user nice system irq softirq (not idle, iowait, steal)
        steal = f[7] / hz if len(f) > 7 else 0.0
        own = sum(resource.getrusage(w).ru_utime + resource.getrusage(w).ru_stime
                  for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        return busy, own, steal
    except Exception:  # noqa: not Linux
        return None


def main() -> int:
    global QUICK
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default=",".join(SECTIONS))
    a = ap.parse_args()
    QUICK = a.quick
    names = [s.strip() for s in a.only.split(",") if s.strip()]
    for s in names:
        if s not in SECTIONS:
            ap.error(f"unknown section {s!r}; choose from {', '.join(SECTIONS)}")
    t_all = pc()
    out = {"meta": {"python": sys.version, "implementation": platform.python_implementation(),
                    "platform": platform.platform(), "cpus": os.cpu_count(),
                    "default_switch_interval": sys.getswitchinterval(),
                    "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "quick": QUICK,
                    "clock": "time.perf_counter() (CLOCK_MONOTONIC, shared by all processes)",
                    "load_average_at_start": os.getloadavg(),
                    "summaries": "median/min/max/mean/n (p25/p75 when n >= 4) of repetitions; unit per figure"}}
    for s in names:
        say(f"== {s}")
        t0 = pc()
        b0 = busy_cpu_seconds()
        out[s] = SECTIONS[s]()
        out[s]["section_seconds"] = pc() - t0
        b1 = busy_cpu_seconds()
        if b0 and b1:
            other = (b1[0] - b0[0]) - (b1[1] - b0[1])
            out[s]["other_processes_cpu_seconds"] = other
            out[s]["steal_cpu_seconds"] = b1[2] - b0[2]
            say(f"   ({s}: {out[s]['section_seconds']:.1f} s; other processes used ~{other:.1f} CPU s, the "
                f"hypervisor stole {b1[2] - b0[2]:.1f} CPU s meanwhile)")
    out["meta"]["run_seconds"] = pc() - t_all
    out["meta"]["load_average_at_end"] = os.getloadavg()
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as fh:
        json.dump(out, fh, indent=1, default=str)
        fh.write("\n")
    say(f"wrote {a.out} in {out['meta']['run_seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
