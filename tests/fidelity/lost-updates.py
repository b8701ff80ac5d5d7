"""Lost updates of `counter = bump(counter)` and `counter += 1` loops in k threads, CPython's default switch interval
unless given: the fixture tests/fidelity/lost-updates.json (run pinned to 2 CPUs)."""
import json, platform, sys, threading, time
counter = 0
def bump(x): return x + 1
def loop_call(n):
    global counter
    for _ in range(n):
        counter = bump(counter)
def loop_inplace(n):
    global counter
    for _ in range(n):
        counter += 1
def run(k, n, f):
    global counter
    counter = 0
    ts = [threading.Thread(target=f, args=(n,)) for _ in range(k)]
    t0 = time.perf_counter()
    for t in ts: t.start()
    for t in ts: t.join()
    return counter, time.perf_counter() - t0
cases = []
for k, n, shape, ms in [(4, 5_000_000, 'call', 5), (2, 5_000_000, 'call', 5), (4, 5_000_000, 'inplace', 5), (4, 1_000_000, 'call', 1), (2, 1_000_000, 'call', 1)]:
    sys.setswitchinterval(ms / 1000)
    f = loop_call if shape == 'call' else loop_inplace
    res = [run(k, n, f) for _ in range(7)]
    cases.append({'threads': k, 'times': n, 'shape': shape, 'switchIntervalMs': ms, 'lostFraction': [round(1 - c / (k * n), 4) for c, _ in res], 'wall': [round(w, 4) for _, w in res]})
    print(cases[-1], file=sys.stderr)
json.dump({'python': platform.python_version(), 'machine': '2 CPUs (taskset -c 0,1), this project\'s reference VM', 'code': 'tests/fidelity/lost-updates.py', 'cases': cases}, sys.stdout, indent=1)
