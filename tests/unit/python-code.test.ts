import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/sim/schema.ts';
import { simulateScenario } from '../../src/sim/simulate.ts';
import type { ModelConfig, Scenario } from '../../src/sim/types.ts';
import { functionNames, pythonFor } from '../../src/ui/code/python.ts';
import { lazy, loadScenario, scenario } from './helpers.ts';

const exec = promisify(execFile);
const shipped = readdirSync('scenarios').map((f) => loadScenario(`scenarios/${f}`));

/** A scenario from its file form (the test's own, so it must be valid). */
function sc(file: Record<string, unknown>): Scenario {
  const r = parseScenario({ name: 'test', cores: 2, ...file });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}
const text = (s: Scenario, m: ModelConfig) => pythonFor(s, m).lines.join('\n');

/** Every model and API the generator writes. */
const MODELS: ModelConfig[] = [
  { model: 'sequential' },
  { model: 'threads' },
  { model: 'threads', api: 'thread' },
  { model: 'processes' },
  { model: 'processes', startMethod: 'spawn', workers: 3 },
  { model: 'asyncio' },
  { model: 'asyncio', api: 'taskgroup', workers: 2 },
];

describe('the Python beside the chart', () => {
  it('names each task as a Python identifier, distinct, never a keyword nor a name the program uses', () => {
    expect(functionNames(scenario(1, [['Doc', ['io', 1]], ['chatty I/O', ['io', 1]], ['chatty i/o', ['io', 1]], ['1st', ['io', 1]], ['pass', ['io', 1]], ['☃', ['io', 1]], ['pool', ['io', 1]], ['spin', ['io', 1]]]).tasks)).toEqual([
      'doc', 'chatty_i_o', 'chatty_i_o_2', 'task_1st', 'task_pass', 'task_6', 'task_pool', 'task_spin',
    ]);
  });

  it('writes each step as the call it stands for, and a repeated pattern as a loop', () => {
    const s = scenario(2, [['a', ['cpu', 0.5], ['native', 0.25], ['io', 1]], ['b', ['io', 0.001], ['cpu', 0.01], ['io', 0.001], ['cpu', 0.01]]]);
    const threads = pythonFor(s, { model: 'threads', switchIntervalMs: 1 });
    const t = threads.lines.join('\n');
    expect(t).toContain('def a():\n    spin(0.5)\n    hash_for(0.25)\n    time.sleep(1.0)');
    expect(t).toContain('def b():\n    for _ in range(2):\n        time.sleep(0.001)\n        spin(0.01)');
    expect(t).toContain('sys.setswitchinterval(0.001)');
    expect(t).toContain('ThreadPoolExecutor(max_workers=len(TASKS))');
    // Each step points at its line.
    expect(threads.stepLines[0].map((l) => threads.lines[l].trim())).toEqual(['spin(0.5)', 'hash_for(0.25)', 'time.sleep(1.0)']);
    expect(threads.stepLines[1].map((l) => threads.lines[l].trim())).toEqual(['time.sleep(0.001)', 'spin(0.01)', 'time.sleep(0.001)', 'spin(0.01)']);
    expect(threads.stepLast).toEqual(threads.stepLines);
    const aio = pythonFor(scenario(1, [['c', ['io', 1], ['io', 2, true]]]), { model: 'asyncio', workers: 3 }).lines.join('\n');
    expect(aio).toContain('async def c():\n    await asyncio.sleep(1.0)\n    time.sleep(2.0)  # blocking: the loop stops');
    expect(aio).toContain('asyncio.Semaphore(3)');
    expect(pythonFor(s, { model: 'processes', workers: 2, startMethod: 'spawn' }).lines.join('\n')).toContain(
      'context = multiprocessing.get_context("spawn")\n    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:',
    );
  });

  describe('the scenario language: each step, in each model, as spec.md writes it', () => {
    const decls = {
      locks: { alice: { type: 'Lock' }, again: { type: 'RLock' }, slots: { type: 'Semaphore', value: 2 } },
      queues: { items: { maxsize: 2 }, inbox: {} },
      events: { go: {} },
      barriers: { start: { parties: 3 } },
    };
    const one = (step: Record<string, unknown>) => sc({ ...decls, tasks: [{ name: 'job', steps: [step] }] });
    // [step, the code under sequential and threads, under processes (where it differs), under asyncio]
    const cases: [string, Record<string, unknown>, string, string | null, string][] = [
      ['acquire', { kind: 'acquire', lock: 'alice' }, 'alice.acquire()', null, 'await alice.acquire()'],
      ['release', { kind: 'release', lock: 'slots' }, 'slots.release()', null, 'slots.release()'],
      ['put', { kind: 'put', queue: 'items' }, 'items.put(1)', null, 'await items.put(1)'],
      ['get', { kind: 'get', queue: 'inbox' }, 'inbox.get()', null, 'await inbox.get()'],
      ['set', { kind: 'set', event: 'go' }, 'go.set()', null, 'go.set()'],
      ['wait', { kind: 'wait', event: 'go' }, 'go.wait()', null, 'await go.wait()'],
      ['barrier', { kind: 'barrier', barrier: 'start' }, 'start.wait()', null, 'await start.wait()'],
      ['counter += 1', { kind: 'update', shared: 'counter', times: 1000, seconds: 0.1, shape: 'inplace' }, '    global counter\n    for _ in range(1_000):\n        counter += 1', null, '    global counter\n    for _ in range(1_000):\n        counter += 1'],
      ['counter = bump(counter), inside a lock', { kind: 'update', shared: 'counter', times: 10, seconds: 0.1, shape: 'call', lock: 'alice' }, 'for _ in range(10):\n        with alice:\n            counter = bump(counter)', null, 'for _ in range(10):\n        async with alice:\n            counter = bump(counter)'],
      ['raise', { kind: 'raise', error: 'KeyError' }, 'raise KeyError()', null, 'raise KeyError()'],
      ['crash', { kind: 'crash' }, 'os._exit(1)', null, 'os._exit(1)'],
    ];
    it.each(cases)('%s', (_, step, plain, proc, aio) => {
      const s = one(step);
      expect(text(s, { model: 'sequential' })).toContain(plain);
      expect(text(s, { model: 'threads' })).toContain(plain);
      expect(text(s, { model: 'processes' })).toContain(proc ?? plain);
      expect(text(s, { model: 'asyncio' })).toContain(aio);
    });

    it('declares the objects: threading and queue, multiprocessing through the initializer, asyncio', () => {
      const s = one({ kind: 'cpu', seconds: 0.1 });
      const threads = text(s, { model: 'threads' });
      for (const l of ['import queue', 'import threading', 'alice = threading.Lock()', 'again = threading.RLock()', 'slots = threading.Semaphore(2)', 'items = queue.Queue(maxsize=2)', 'inbox = queue.Queue()', 'go = threading.Event()', 'start = threading.Barrier(3)'])
        expect(threads).toContain(`\n${l}\n`);
      const aio = text(s, { model: 'asyncio' });
      for (const l of ['alice = asyncio.Lock()', 'again = asyncio.Lock()  # asyncio has no RLock', 'slots = asyncio.Semaphore(2)', 'items = asyncio.Queue(maxsize=2)', 'go = asyncio.Event()', 'start = asyncio.Barrier(3)']) expect(aio).toContain(`\n${l}\n`);
      expect(aio).not.toMatch(/import (queue|threading)/);
      const proc = text(s, { model: 'processes', startMethod: 'forkserver' });
      expect(proc).toContain('\nalice = again = slots = items = inbox = go = start = None\n');
      expect(proc).toContain('def init_worker(*objects):\n    global alice, again, slots, items, inbox, go, start\n    alice, again, slots, items, inbox, go, start = objects');
      expect(proc).toContain('    context = multiprocessing.get_context("forkserver")\n    alice = context.Lock()\n    again = context.RLock()\n    slots = context.Semaphore(2)\n    items = context.Queue(maxsize=2)\n    inbox = context.Queue()\n    go = context.Event()\n    start = context.Barrier(3)\n');
      expect(proc).toContain('ProcessPoolExecutor(max_workers=2, mp_context=context, initializer=init_worker, initargs=(alice, again, slots, items, inbox, go, start)) as pool:');
      expect(proc).not.toMatch(/import (queue|threading)/);
      // One object alone: still a tuple.
      const lone = text(sc({ locks: { l: { type: 'Lock' } }, tasks: [{ name: 'a', steps: [{ kind: 'acquire', lock: 'l' }] }] }), { model: 'processes' });
      expect(lone).toContain('    (l,) = objects');
      expect(lone).toContain('initargs=(l,)');
    });

    it('shared values: a global int (and bump where it is called), a dict of 1000 keys walked and grown, global only where written', () => {
      const s = sc({
        tasks: [
          { name: 'adder', steps: [{ kind: 'update', shared: 'counter', times: 5, seconds: 0.1, shape: 'call' }] },
          { name: 'walker', steps: [{ kind: 'iterate', shared: 'table', seconds: 0.3 }] },
          { name: 'grower', steps: [{ kind: 'update', shared: 'table', times: 2, seconds: 0.01, shape: 'call' }] },
          { name: 'idle', steps: [{ kind: 'io', seconds: 0.1 }] },
        ],
      });
      const t = text(s, { model: 'threads' });
      expect(t).toContain('\ncounter = 0\ntable = dict.fromkeys(range(1000), 0)  # a dict of 1000 keys\nfresh_keys = itertools.count(1000)  # keys no dict has yet\n');
      expect(t).toContain('\ndef bump(x):\n    return x + 1\n');
      expect(t).toContain('def adder():\n    global counter\n    for _ in range(5):\n        counter = bump(counter)');
      expect(t).toContain('def walker():\n    for key in table:  # a key added meanwhile: RuntimeError\n        spin(0.3 / 1000)');
      expect(t).toContain('def grower():\n    for _ in range(2):\n        table[next(fresh_keys)] = 0');
      expect(t).toContain('def idle():\n    time.sleep');
      expect(t).toContain('import itertools');
      expect(t).toMatch(/\n {4}print\("counter =", counter\)\n {4}print\("table has", len\(table\), "keys"\)$/);
      expect(text(s, { model: 'processes' })).toContain('# Module globals: each process has its own copy\ncounter = 0');
      // No call shape, no bump.
      expect(text(sc({ tasks: [{ name: 'a', steps: [{ kind: 'update', shared: 'n', times: 5, seconds: 0.1, shape: 'inplace' }] }] }), { model: 'threads' })).not.toContain('bump');
    });

    it('the drivers: an executor and f.result(), a Thread per task and join, the pool, gather and a TaskGroup', () => {
      const s = scenario(2, [['a', ['io', 1]]]);
      const cases: [ModelConfig, string][] = [
        [{ model: 'sequential' }, 'if __name__ == "__main__":\n    for task in TASKS:\n        task()'],
        [{ model: 'threads', workers: 4 }, '    with ThreadPoolExecutor(max_workers=4) as pool:\n        futures = [pool.submit(task) for task in TASKS]\n        for future in futures:\n            future.result()'],
        [{ model: 'threads', api: 'thread' }, '    threads = [threading.Thread(target=task) for task in TASKS]\n    for thread in threads:\n        thread.start()\n    for thread in threads:\n        thread.join()'],
        [{ model: 'processes' }, '    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:\n        futures = [pool.submit(task) for task in TASKS]\n        for future in futures:\n            future.result()'],
        [{ model: 'asyncio' }, 'async def main():\n    await asyncio.gather(*(task() for task in TASKS))'],
        [{ model: 'asyncio', api: 'taskgroup' }, 'async def main():\n    async with asyncio.TaskGroup() as tg:  # an exception cancels the rest\n        for task in TASKS:\n            tg.create_task(task())'],
        [{ model: 'asyncio', api: 'taskgroup', workers: 2 }, '    async def limited(task):\n        async with limit:\n            await task()\n\n    async with asyncio.TaskGroup() as tg:  # an exception cancels the rest\n        for task in TASKS:\n            tg.create_task(limited(task))'],
      ];
      for (const [m, want] of cases) expect(text(s, m), JSON.stringify(m)).toContain(want);
      expect(text(s, { model: 'threads', api: 'thread' })).not.toContain('ThreadPoolExecutor');
    });

    it('bytes sent and received: a bytes argument, made before the clock starts, and a bytes result', () => {
      const s = sc({ tasks: [{ name: 'big', send: 1_000_000, receive: 1000, steps: [{ kind: 'cpu', seconds: 0.1 }] }, { name: 'small', steps: [{ kind: 'io', seconds: 0.1 }] }] });
      const cases: [ModelConfig, string][] = [
        [{ model: 'sequential' }, '    for task, data in zip(TASKS, DATA):\n        task(data)'],
        [{ model: 'threads' }, 'futures = [pool.submit(task, data) for task, data in zip(TASKS, DATA)]'],
        [{ model: 'threads', api: 'thread' }, 'threads = [threading.Thread(target=task, args=(data,)) for task, data in zip(TASKS, DATA)]'],
        [{ model: 'processes' }, 'futures = [pool.submit(task, data) for task, data in zip(TASKS, DATA)]'],
        [{ model: 'asyncio' }, 'await asyncio.gather(*(task(data) for task, data in zip(TASKS, DATA)))'],
      ];
      for (const [m, want] of cases) {
        const t = text(s, m);
        expect(t).toContain(want);
        expect(t).toContain('\nDATA = [bytes(1_000_000), b""]  # each task\'s argument\n');
        expect(t).toMatch(/def big\(data\):\n {4}spin\(0\.1\)\n {4}return bytes\(1_000\)\n/);
        expect(t).toMatch(/def small\(data\):\n {4}(await asyncio\.sleep|time\.sleep)\(0\.1\)\n\n/);
      }
    });

    it('a step of several lines is highlighted from its first line to its last, in a loop or not', () => {
      const s = sc({
        locks: { l: { type: 'Lock' } },
        tasks: [
          { name: 'a', steps: [{ kind: 'cpu', seconds: 0.1 }, { kind: 'update', shared: 'c', times: 3, seconds: 0.1, shape: 'inplace', lock: 'l' }, { kind: 'raise', error: 'ValueError' }] },
          { name: 'b', repeat: 3, steps: [{ kind: 'iterate', shared: 'd', seconds: 0.1 }, { kind: 'io', seconds: 0.1 }] },
        ],
      });
      const code = pythonFor(s, { model: 'threads' });
      const block = (t: number, j: number) => code.lines.slice(code.stepLines[t][j], code.stepLast[t][j] + 1).map((l) => l.trim());
      expect([0, 1, 2].map((j) => block(0, j))).toEqual([['spin(0.1)'], ['for _ in range(3):', 'with l:', 'c += 1'], ['raise ValueError()']]);
      expect(block(1, 0)).toEqual(['for key in d:  # a key added meanwhile: RuntimeError', 'spin(0.1 / 1000)']);
      expect(code.stepLines[1]).toEqual([0, 1, 0, 1, 0, 1].map((j) => code.stepLines[1][j]));
      expect(code.lines[code.stepLines[1][0] - 1]).toBe('    for _ in range(3):');
    });

    it('a lock, queue or shared value named like something the program uses is renamed, everywhere alike', () => {
      const s = sc({
        locks: { time: { type: 'Lock' } },
        queues: { pool: {} },
        tasks: [
          { name: 'time', steps: [{ kind: 'acquire', lock: 'time' }, { kind: 'put', queue: 'pool' }, { kind: 'update', shared: 'spin', times: 2, seconds: 0.01, shape: 'call' }, { kind: 'release', lock: 'time' }] },
          { name: 'pool', steps: [{ kind: 'get', queue: 'pool' }] },
        ],
      });
      const t = text(s, { model: 'threads' });
      expect(t).toContain('time_lock = threading.Lock()');
      expect(t).toContain('pool_queue = queue.Queue()');
      expect(t).toContain('spin_value = 0');
      expect(t).toContain('def task_time():  # time\n    global spin_value\n    time_lock.acquire()\n    pool_queue.put(1)\n    for _ in range(2):\n        spin_value = bump(spin_value)\n    time_lock.release()');
      expect(t).toContain('def task_pool():  # pool\n    pool_queue.get()');
    });
  });

  // Python 3.11 parses every program the generator can write: every step kind, object and driver together.
  it('parses as Python 3.11, every model and API (python3 -c "import ast; ast.parse(...)")', async () => {
    const everything = sc({
      locks: { a: { type: 'Lock' }, r: { type: 'RLock' }, s: { type: 'Semaphore', value: 3 } },
      queues: { q: { maxsize: 4 } },
      events: { e: {} },
      barriers: { b: { parties: 2 } },
      tasks: [
        { name: 'one', send: 10, receive: 20, steps: [{ kind: 'acquire', lock: 'r' }, { kind: 'cpu', seconds: 0.1 }, { kind: 'native', seconds: 0.1 }, { kind: 'io', seconds: 0.1, blocking: true }, { kind: 'release', lock: 'r' }, { kind: 'put', queue: 'q' }, { kind: 'set', event: 'e' }, { kind: 'barrier', barrier: 'b' }, { kind: 'update', shared: 'n', times: 3, seconds: 0.1, shape: 'call', lock: 's' }, { kind: 'raise', error: 'ZeroDivisionError' }] },
        { name: 'two', repeat: 2, steps: [{ kind: 'get', queue: 'q' }, { kind: 'wait', event: 'e' }, { kind: 'iterate', shared: 'd', seconds: 0.1 }, { kind: 'update', shared: 'd', times: 1, seconds: 0.1, shape: 'inplace', lock: 'a' }] },
        { name: 'three', steps: [{ kind: 'barrier', barrier: 'b' }, { kind: 'update', shared: 'n', times: 3, seconds: 0.1, shape: 'inplace' }, { kind: 'crash' }] },
      ],
    });
    const programs = [...MODELS.map((m) => text(everything, m)), ...shipped.flatMap((s) => s.models.map((m) => text(s, m)))];
    const check = 'import ast, json, sys\nfor i, p in enumerate(json.load(sys.stdin)):\n    try:\n        ast.parse(p)\n    except SyntaxError as e:\n        print(i, e)\n';
    const out = await new Promise<string>((resolve, reject) => {
      const p = execFile('python3', ['-c', check], { timeout: 30_000 }, (e, stdout) => (e ? reject(e) : resolve(stdout)));
      p.stdin!.end(JSON.stringify(programs));
    });
    expect(out).toBe('');
  }, 40_000);

  // Every shipped scenario under every one of its models, scaled down to about 50 ms of work, run by python3: it ends
  // cleanly, raises or hangs as the simulation says. A handful at a time (the machine may be measuring).
  const HANG_S = 4;
  const programs = lazy(() =>
    shipped.flatMap((s) => {
      const total = s.tasks.reduce((a, t) => a + t.steps.reduce((b, x) => b + x.seconds, 0), 0);
      // Big arguments cut to a megabyte, and counting loops to 200,000 (their count is not scaled with their seconds):
      // the lines are the same, the run shorter.
      const small = {
        ...s,
        tasks: s.tasks.map((t) => ({
          ...t,
          send: t.send && Math.min(t.send, 1e6),
          receive: t.receive && Math.min(t.receive, 1e6),
          steps: t.steps.map((x) => (x.kind === 'update' ? { ...x, times: Math.min(x.times, 200_000) } : x)),
        })),
      };
      const runs = simulateScenario(s);
      // A race may go either way on a real machine: a dict walked while another thread adds to it, or
      // two locks with no wait anywhere to order the tasks (whether the GIL switches inside a hold decides).
      const racy = s.tasks.some((t) => t.steps.some((x) => x.kind === 'iterate')) || (Object.keys(s.locks ?? {}).length > 1 && !s.tasks.some((t) => t.steps.some((x) => x.kind === 'io')));
      return s.models.map((m, i) => {
        const r = runs[i];
        const crash = r.tasks.some((t) => t.outcome === 'broken' && t.error === 'crash') || r.error?.type === 'crash';
        const expected = r.deadlock ? 'hangs' : r.error || crash ? `fails${crash ? '' : ` with ${r.error!.type}`}` : 'ends';
        // Which error comes first is a matter of timing: those programs get 0.3 s of work, so that a busy machine
        // does not swap a 10 ms margin.
        const scale = (r.error || crash ? 0.3 : 0.05) / total;
        return { name: `${s.name} · ${i}: ${m.model}`, code: pythonFor(small, m, scale).lines.join('\n') + '\n', expected: racy && m.model !== 'sequential' ? [expected, 'ends', 'hangs'] : [expected], error: crash ? null : (r.error?.type ?? null) };
      });
    }),
  );
  it('is valid Python that ends, raises or hangs as the simulation does (python3, every shipped scenario and model)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pycode-'));
    const runOne = (file: string) =>
      new Promise<{ status: number | null; stderr: string; hung: boolean }>((resolve) => {
        // Its own process group: a hung pool's workers are stopped with it.
        const p = spawn('python3', [file], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        p.stderr.on('data', (d) => (stderr += d));
        let hung = false;
        const timer = setTimeout(() => {
          hung = true;
          try {
            process.kill(-p.pid!, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }, HANG_S * 1000);
        p.on('close', (status) => {
          clearTimeout(timer);
          // Whatever it left behind (a worker still blocked on a lock) goes too.
          try {
            process.kill(-p.pid!, 'SIGKILL');
          } catch {
            /* none left */
          }
          resolve({ status, stderr, hung });
        });
      });
    const list = programs();
    const results: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < list.length) {
          const i = next++;
          const p = list[i];
          const file = join(dir, `program_${i}.py`);
          writeFileSync(file, p.code);
          const r = await runOne(file);
          const got = r.hung ? 'hangs' : r.status === 0 ? 'ends' : `fails${p.error && r.stderr.includes(p.error) ? ` with ${p.error}` : ''}`;
          if (!p.expected.includes(got)) results.push(`${p.name}: expected it ${p.expected.join(' or ')}, it ${got}\n${r.stderr.slice(-600)}`);
        }
      }),
    );
    expect(results).toEqual([]);
  }, 120_000);

  it('prints the shared value the simulation reports: all the updates in one thread, none in the main process of a pool', async () => {
    const race = sc({
      tasks: [1, 2].map((i) => ({ name: `t${i}`, steps: [{ kind: 'update', shared: 'counter', times: 100_000, seconds: 0.05, shape: 'call' }] })),
      models: [{ model: 'sequential' }, { model: 'processes' }, { model: 'asyncio' }],
    });
    const runs = simulateScenario(race);
    const printed = await Promise.all(race.models.map(async (m) => (await exec('python3', ['-c', text(race, m)], { timeout: 30_000 })).stdout.trim()));
    expect(printed).toEqual(runs.map((r) => `counter = ${r.shared[0].final}`));
    expect(printed).toEqual(['counter = 200000', 'counter = 0', 'counter = 200000']);
  }, 40_000);
});
