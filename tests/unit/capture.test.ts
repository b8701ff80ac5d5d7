import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/sim/random.ts';
import { parseScenario, parseScenarioText } from '../../src/sim/schema.ts';
import { parseTrace } from '../../src/sim/trace.ts';
import { lazy } from './helpers.ts';

/*
 * tools/capture.py runs a scenario for real on CPython and writes a Chrome trace. These tests run it on a scenario
 * of about 0.15 s of work per model (under a second in all), and on bad input, which it refuses before running.
 */
const TOOL = 'tools/capture.py';
const dir = mkdtempSync(join(tmpdir(), 'capture-'));
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const json = (name: string, o: unknown) => file(name, JSON.stringify(o));

function capture(...args: string[]) {
  return captureIn({}, ...args);
}
/** With these environment variables besides the inherited ones. */
function captureIn(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync('python3', [TOOL, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface TraceEvent {
  ph: string;
  name: string;
  cat?: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  args: Record<string, unknown>;
}
interface ModelResult {
  model: string;
  label: string;
  pid: number;
  makespan: number;
  makespans: number[];
  run: number;
  settings: Record<string, unknown>;
  osPids: number[];
  clockShared: boolean;
  tasks: { name: string; start: number; end: number; osPid: number; osTid: number }[];
}
interface Trace {
  traceEvents: TraceEvent[];
  displayTimeUnit: string;
  metadata: { python: string; platform: string; cores: number; cpusUsed: number[] | null; scenario: string; repeat: number; results: ModelResult[]; calibration: Record<string, number> };
}

// Three tasks of 50 ms each on 2 cores: two GIL-releasing hashes first (so two worker processes take them at once),
// then pure Python; waits in two of them.
const small = {
  name: 'capture test',
  cores: 2,
  tasks: [
    { name: 'hash', steps: [{ kind: 'native', seconds: 0.05 }] },
    { name: 'hash and wait', steps: [{ kind: 'native', seconds: 0.03 }, { kind: 'io', seconds: 0.02 }] },
    { name: 'spin', steps: [{ kind: 'cpu', seconds: 0.02 }, { kind: 'io', seconds: 0.01 }, { kind: 'cpu', seconds: 0.02 }] },
  ],
};
const kinds = small.tasks.map((t) => t.steps.map((s) => s.kind));
const work = small.tasks.reduce((a, t) => a + t.steps.reduce((b, s) => b + s.seconds, 0), 0);

const smallRun = lazy(() => {
  const out = join(dir, 'small.trace.json');
  const r = capture(json('small.json', small), '--out', out);
  if (r.status !== 0) throw new Error(`capture failed (${r.status}): ${r.stderr}`);
  return { stderr: r.stderr, text: readFileSync(out, 'utf8') };
});
const trace = lazy(() => JSON.parse(smallRun().text) as Trace);
const steps = (pid: number) => trace().traceEvents.filter((e) => e.ph === 'X' && e.pid === pid);
const end = (e: TraceEvent) => (e.ts! + e.dur!) / 1e6;
const result = (model: string) => trace().metadata.results.find((r) => r.model === model)!;

describe('capture: a small scenario run for real under the four models', () => {
  // (How long a capture takes is no unit test's business: it was held to 3 s here, which a slower machine missed.)
  it('writes a Chrome trace in its object form, with no traceback or warning on stderr', () => {
    const t = trace();
    expect(Object.keys(t).sort()).toEqual(['displayTimeUnit', 'metadata', 'traceEvents']);
    expect(t.displayTimeUnit).toBe('ms');
    expect(smallRun().stderr).not.toMatch(/Traceback|warning/);
  });

  it('gives every event a phase, name, pid and tid, and every step a ts and dur in microseconds', () => {
    for (const e of trace().traceEvents) {
      expect(['X', 'M']).toContain(e.ph);
      expect(typeof e.name).toBe('string');
      expect(Number.isInteger(e.pid) && Number.isInteger(e.tid)).toBe(true);
      if (e.ph === 'X') {
        expect(e.ts).toBeGreaterThanOrEqual(0);
        expect(e.dur).toBeGreaterThanOrEqual(0);
        expect(['cpu', 'native', 'io']).toContain(e.cat);
        expect(e.args).toMatchObject({ kind: e.cat, model: expect.any(String), task: expect.any(Number), step: expect.any(Number) });
      }
    }
    // Microseconds: the sequential run's steps add up to its makespan in seconds × 10⁶.
    const seq = steps(result('sequential').pid);
    expect(seq.reduce((a, e) => a + e.dur!, 0) / 1e6).toBeCloseTo(result('sequential').makespan, 2);
  });

  it('names one trace process per model, in the scenario order, and every lane its steps are on', () => {
    const t = trace();
    const names = t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => [e.pid, e.args.name]);
    expect(names).toEqual([
      [1, 'sequential'],
      [2, 'threads (switch interval 5 ms, 3 workers)'],
      [3, 'processes (fork, 2 workers)'],
      [4, 'asyncio'],
    ]);
    expect(t.metadata.results.map((r) => r.pid)).toEqual([1, 2, 3, 4]);
    const lanes = new Set(t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => `${e.pid}/${e.tid}`));
    for (const e of t.traceEvents.filter((e) => e.ph === 'X')) expect(lanes).toContain(`${e.pid}/${e.tid}`);
    const laneNames = t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => String(e.args.name));
    expect(laneNames.some((n) => /^MainThread \(tid \d+\)$/.test(n))).toBe(true);
    expect(laneNames.some((n) => /^ThreadPoolExecutor-\d+_\d+ \(tid \d+\)$/.test(n))).toBe(true);
    expect(laneNames.some((n) => /^worker pid \d+$/.test(n))).toBe(true);
    expect(laneNames.some((n) => /^coroutine 2 on MainThread \(tid \d+\)$/.test(n))).toBe(true);
    // A lane's tid is the trace's own, unique across models (a viewer takes a tid under two pids for a reused thread).
    const tids = t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.tid);
    expect(new Set(tids).size).toBe(tids.length);
  });

  it('has every task of every model with all its steps, in order, one after another', () => {
    for (const r of trace().metadata.results) {
      const events = steps(r.pid);
      small.tasks.forEach((task, i) => {
        const mine = events.filter((e) => e.args.task === i).sort((a, b) => a.ts! - b.ts!);
        expect(mine.map((e) => e.name)).toEqual(task.steps.map(() => task.name));
        expect(mine.map((e) => e.args.step)).toEqual(task.steps.map((_, k) => k));
        expect(mine.map((e) => e.cat)).toEqual(kinds[i]);
        // One lane per task's run: its steps never overlap (to the nanosecond the times are rounded to).
        for (let k = 1; k < mine.length; k++) expect(mine[k].ts!).toBeGreaterThanOrEqual(mine[k - 1].ts! + mine[k - 1].dur! - 0.002);
        expect(new Set(mine.map((e) => e.tid)).size).toBe(1);
        expect(r.tasks[i].name).toBe(task.name);
        expect(r.tasks[i].start).toBeLessThanOrEqual(mine[0].ts! / 1e6 + 1e-6);
        expect(r.tasks[i].end).toBeGreaterThanOrEqual(end(mine[mine.length - 1]) - 1e-6);
      });
    }
  });

  it('puts the machine, the scenario and each model’s makespan (≈ its last step’s end) in the metadata', () => {
    const m = trace().metadata;
    expect(m.python).toMatch(/^3\.\d+\.\d+/);
    expect(m.platform).toBeTruthy();
    expect(m.cores).toBeGreaterThanOrEqual(1);
    expect(m.scenario).toBe('capture test');
    expect(m.repeat).toBe(1);
    expect(m.calibration.cpuIterationsPerSecond).toBeGreaterThan(1e6);
    for (const r of m.results) {
      const last = Math.max(...steps(r.pid).map(end));
      expect(r.makespan).toBeGreaterThanOrEqual(last - 1e-6);
      expect(r.makespan - last).toBeLessThan(0.01);
      expect(r.makespans).toEqual([r.makespan]);
      expect(r.clockShared).toBe(true);
    }
    expect(result('threads').settings).toEqual({ model: 'threads', workers: 3, switchIntervalMs: 5 });
    expect(result('processes').settings).toEqual({ model: 'processes', workers: 2, startMethod: 'fork' });
    expect(result('asyncio').settings).toEqual({ model: 'asyncio', workers: null });
  });

  it('runs as CPython does: sequential ≈ the sum of the steps, processes hash at once, asyncio on one thread', () => {
    const seq = result('sequential').makespan;
    expect(seq).toBeGreaterThan(work * 0.8);
    expect(seq).toBeLessThan(work * 2 + 0.05);
    // The two hashes ran in two worker processes (not the parent) at the same time.
    const proc = steps(result('processes').pid);
    const [a, b] = [0, 1].map((i) => proc.find((e) => e.args.task === i && e.cat === 'native')!);
    expect(a.ts! < b.ts! + b.dur! && b.ts! < a.ts! + a.dur!).toBe(true);
    expect(a.args.osPid).not.toBe(b.args.osPid);
    expect(result('processes').osPids).not.toContain(result('sequential').osPids[0]);
    // Threads: one OS thread per task; asyncio: every step on the loop's one thread.
    expect(new Set(steps(result('threads').pid).map((e) => e.args.osTid)).size).toBe(3);
    expect(new Set(steps(result('asyncio').pid).map((e) => e.args.osTid)).size).toBe(1);
  });
});

describe('capture: the durations are the simulator’s', () => {
  it('ports mulberry32 bit for bit (seededRandom of src/sim/random.ts)', () => {
    const seeds = [0, 1, 7, 2024, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32 + 5, 123456789];
    const code = `import json, sys; sys.path.insert(0, "tools"); import capture
seeds = ${JSON.stringify(seeds)}
out = []
for s in seeds:
    r = capture.seeded_random(s)
    out.append([r() for _ in range(500)])
print(json.dumps(out))`;
    const r = spawnSync('python3', ['-c', code], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const python = JSON.parse(r.stdout) as number[][];
    seeds.forEach((s, i) => {
      const rand = seededRandom(s);
      expect(python[i]).toEqual(Array.from({ length: 500 }, () => rand()));
    });
  });

  it('--dry-run prints the scenario the simulator resolves: ranges drawn in file order, repeats, defaults', () => {
    const ranged = {
      name: 'ranges',
      cores: 3,
      seed: 2024,
      tasks: Array.from({ length: 6 }, (_, i) => ({
        name: `t${i}`,
        repeat: 1 + (i % 3),
        steps: [
          { kind: 'cpu', seconds: { min: 0.001, max: 2.5 } },
          { kind: 'io', seconds: { min: 1, max: 10, integer: true }, blocking: i % 2 === 0 },
          { kind: 'native', seconds: 0.25 },
          { kind: 'io', seconds: { min: 0.5, max: 7.5, integer: true } },
        ],
      })),
      models: [{ model: 'threads', switchIntervalMs: 1 }, { model: 'processes' }, { model: 'asyncio', workers: 2 }],
    };
    for (const [path, expected] of [
      [json('ranges.json', ranged), parseScenario(ranged)],
      ['scenarios/seven-dwarfs-random.json', parseScenarioText(readFileSync('scenarios/seven-dwarfs-random.json', 'utf8'))],
    ] as const) {
      const r = capture(path, '--dry-run');
      expect(r.status).toBe(0);
      if (!expected.ok) throw new Error(expected.errors.join('\n'));
      const got = JSON.parse(r.stdout);
      const { name, cores, seed, tasks, models } = expected.scenario;
      expect({ name: got.name, cores: got.cores, seed: got.seed, tasks: got.tasks, models: got.models }).toEqual({ name, cores, seed, tasks, models });
    }
    const settings = JSON.parse(capture(join(dir, 'ranges.json'), '--dry-run').stdout).settings;
    expect(settings).toEqual([
      { model: 'threads', workers: 6, switchIntervalMs: 1 },
      { model: 'processes', workers: 3, startMethod: 'fork' },
      { model: 'asyncio', workers: 2 },
    ]);
  });
});

describe('capture --repeat', () => {
  it('runs each model N times, keeps the median run and records every makespan', () => {
    const out = join(dir, 'repeat.trace.json');
    const tiny = { name: 'tiny', cores: 1, tasks: [{ name: 'nap', steps: [{ kind: 'io', seconds: 0.005 }] }], models: [{ model: 'sequential' }, { model: 'asyncio' }] };
    const r = capture(json('tiny.json', tiny), '--out', out, '--repeat', '3');
    expect(r.status).toBe(0);
    const t = JSON.parse(readFileSync(out, 'utf8')) as Trace;
    expect(t.metadata.repeat).toBe(3);
    // A scenario of fewer cores than the machine's runs pinned to that many CPUs (Linux).
    if (process.platform === 'linux') expect(t.metadata.cpusUsed).toHaveLength(1);
    for (const m of t.metadata.results) {
      expect(m.makespans).toHaveLength(3);
      expect(m.makespan).toBe([...m.makespans].sort((a, b) => a - b)[1]);
      expect(m.makespans[m.run]).toBe(m.makespan);
      expect(t.traceEvents.filter((e) => e.ph === 'X' && e.pid === m.pid)).toHaveLength(1);
    }
  });
});

describe('capture: bad input gets exit 2 and a message naming what is wrong, before anything runs', () => {
  mkdirSync(join(dir, 'folder'), { recursive: true });
  const good = { name: 'good', cores: 2, tasks: [{ name: 'a', steps: [{ kind: 'io', seconds: 0.01 }] }] };
  const withStep = (step: unknown) => ({ ...good, tasks: [{ name: 'a', steps: [step] }] });
  const out = ['--out', join(dir, 'never.json')];
  const cases: [string, () => string[], RegExp][] = [
    ['a missing file', () => [join(dir, 'nope.json'), ...out], /nope\.json: cannot read: No such file or directory/],
    ['a directory', () => [join(dir, 'folder'), ...out], /folder: not a regular file$/m],
    ['/dev/zero', () => ['/dev/zero', ...out], /^\/dev\/zero: not a regular file$/m],
    ['a file over 2 MB', () => [file('big.json', Buffer.alloc(2_000_001, 32)), ...out], /big\.json: 2\.0 MB, over the 2 MB limit/],
    ['not JSON', () => [file('broken.json', '{"name": '), ...out], /^broken\.json: not valid JSON: /],
    ['NaN, which JSON.parse refuses', () => [file('nan.json', '{"name": "x", "cores": NaN}'), ...out], /^nan\.json: not valid JSON: NaN is not JSON/],
    ['not UTF-8', () => [file('latin1.json', Buffer.from([0x7b, 0xe9, 0x7d])), ...out], /^latin1\.json: not valid UTF-8 text/],
    ['an array', () => [json('array.json', [good]), ...out], /^array\.json: \(top level\): expected a JSON object/],
    ['an unknown step kind', () => [json('kind.json', withStep({ kind: 'gpu', seconds: 1 })), ...out], /^kind\.json: tasks\[0\]\.steps\[0\]\.kind: expected a step kind: "cpu", "native", "io", "acquire", "release", "put", "get", "set", "wait", "barrier", "update", "iterate", "raise" or "crash", not "gpu"$/m],
    ['a misspelt field', () => [json('field.json', withStep({ kind: 'io', secs: 1 })), ...out], /^field\.json: tasks\[0\]\.steps\[0\]\.secs: unknown field/m],
    ['negative seconds', () => [json('neg.json', withStep({ kind: 'io', seconds: -1 })), ...out], /^neg\.json: tasks\[0\]\.steps\[0\]\.seconds: must be from 0 to 3600, not -1$/m],
    ['a range upside down', () => [json('range.json', withStep({ kind: 'io', seconds: { min: 3, max: 1 } })), ...out], /^range\.json: tasks\[0\]\.steps\[0\]\.seconds: min must not exceed max$/m],
    ['a missing name', () => [json('noname.json', { cores: 2, tasks: good.tasks }), ...out], /^noname\.json: name: missing$/m],
    ['a task name with an escape code', () => [json('esc.json', { ...good, tasks: [{ name: 'red\u001b[31m', steps: good.tasks[0].steps }] }), ...out], /^esc\.json: tasks\[0\]\.name: must not contain control characters/m],
    ['an unknown model', () => [json('model.json', { ...good, models: [{ model: 'gpu' }] }), ...out], /^model\.json: models\[0\]\.model: expected "sequential", "threads", "processes" or "asyncio", not "gpu"$/m],
    ['a setting of another model', () => [json('setting.json', { ...good, models: [{ model: 'threads', startMethod: 'fork' }] }), ...out], /^setting\.json: models\[0\]\.startMethod: unknown field/m],
    ['an unknown start method', () => [json('method.json', { ...good, models: [{ model: 'processes', startMethod: 'vfork' }] }), ...out], /^method\.json: models\[0\]\.startMethod: expected "fork", "forkserver" or "spawn"/m],
    ['fractional workers', () => [json('workers.json', { ...good, models: [{ model: 'asyncio', workers: 1.5 }] }), ...out], /^workers\.json: models\[0\]\.workers: expected a whole number, not 1\.5$/m],
    ['no --out', () => [json('good.json', good)], /--out TRACE\.json is required/],
    ['an --out folder that does not exist', () => [json('good.json', good), '--out', join(dir, 'no', 'such', 'folder.json')], /cannot write there/],
    ['--repeat 0', () => [json('good.json', good), ...out, '--repeat', '0'], /--repeat: expected a whole number from 1 to 100, not '0'/],
    ['an unknown flag', () => [json('good.json', good), ...out, '--fast'], /unrecognized arguments: --fast/],
  ];
  it.each(cases)('%s', (_, argv, message) => {
    const r = capture(...argv());
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/Traceback/);
  });

  it('takes a UTF-8 byte-order mark, as the app does', () => {
    const r = capture(file('bom.json', '\ufeff' + JSON.stringify(good)), '--dry-run');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).name).toBe('good');
  });

  it('explains itself with --help, and npm run capture runs it', () => {
    const r = capture('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run capture -- FILE --out TRACE\.json \[--repeat N\]/);
    expect(r.stdout).toMatch(/--repeat N/);
    expect(JSON.parse(readFileSync('package.json', 'utf8')).scripts.capture).toBe('python3 tools/capture.py');
  });
});

/*
 * Issue 12's scenario language, run for real: each scenario a few tens of milliseconds of work per model (every model
 * run is a child process of its own, so a run costs its calibration and a Python start besides).
 */
interface TaskOutcome {
  name: string;
  start: number | null;
  end: number | null;
  osPid: number | null;
  osTid: number | null;
  outcome: 'ok' | 'raised' | 'cancelled' | 'broken' | 'deadlocked' | 'skipped';
  error: string | null;
}
interface RunResult extends Omit<ModelResult, 'tasks'> {
  tasks: TaskOutcome[];
  error: { type: string; at: number; how: string } | null;
  deadlock: { tasks: string[]; at: number; stopped: 'deadlock' | 'timeout' } | null;
  shared: Record<string, { final: number; expected: number }>;
}
interface Trace12 extends Omit<Trace, 'metadata'> {
  metadata: Omit<Trace['metadata'], 'results'> & { results: RunResult[] };
}

function captured(name: string, scenario: unknown, ...flags: string[]) {
  return capturedIn({}, name, scenario, ...flags);
}
function capturedIn(env: Record<string, string>, name: string, scenario: unknown, ...flags: string[]) {
  const out = join(dir, `${name}.trace.json`);
  const r = captureIn(env, json(`${name}.json`, scenario), '--out', out, ...flags);
  if (r.status !== 0) throw new Error(`capture failed (${r.status}): ${r.stderr}`);
  const trace = JSON.parse(readFileSync(out, 'utf8')) as Trace12;
  /** A task's step events in a model run (the nth result), in time order. */
  const stepsOf = (run: number, task: number) =>
    trace.traceEvents.filter((e) => e.ph === 'X' && e.pid === trace.metadata.results[run].pid && e.args.task === task).sort((a, b) => a.ts! - b.ts! || (a.args.step as number) - (b.args.step as number));
  return { stderr: r.stderr, trace, results: trace.metadata.results, stepsOf };
}
const outcomes = (r: RunResult) => r.tasks.map((t) => t.outcome);
// Times are written to the nanosecond (µs to 3 places): an order between two events holds to that.
const NS = 0.002;

describe('capture: shared counters, run for real', () => {
  // Two tasks bumping `counter` (both past a barrier first, so that they surely run at once), two bumping `guarded`
  // under a lock; each loop alone well over its 1 ms, so nothing pads it.
  const bump = (shared: string, times: number, lock?: string) => ({ kind: 'update', shared, times, seconds: 0.001, shape: 'call', ...(lock ? { lock } : {}) });
  const lost = lazy(() =>
    captured('lost', {
      name: 'lost updates',
      cores: 2,
      locks: { L: { type: 'Lock' } },
      barriers: { both: { parties: 2 } },
      tasks: [
        { name: 'a', steps: [{ kind: 'barrier', barrier: 'both' }, bump('counter', 400_000)] },
        { name: 'b', steps: [{ kind: 'barrier', barrier: 'both' }, bump('counter', 400_000)] },
        { name: 'c', steps: [bump('guarded', 50_000, 'L')] },
        { name: 'd', steps: [bump('guarded', 50_000, 'L')] },
      ],
      models: [{ model: 'threads', switchIntervalMs: 0.1 }, { model: 'asyncio' }],
    }),
  );

  it('loses updates of counter = bump(counter) on threads (a short switch interval), none under a lock or on one event loop', () => {
    const [threads, loop] = lost().results;
    expect(threads.shared.counter.expected).toBe(800_000);
    expect(threads.shared.counter.final).toBeGreaterThan(0);
    expect(threads.shared.counter.final).toBeLessThan(800_000);
    expect(threads.shared.guarded).toEqual({ final: 100_000, expected: 100_000 });
    expect(loop.shared).toEqual({ counter: { final: 800_000, expected: 800_000 }, guarded: { final: 100_000, expected: 100_000 } });
    for (const r of [threads, loop]) expect(outcomes(r)).toEqual(['ok', 'ok', 'ok', 'ok']);
    // One event per update step, naming what it updated and how.
    expect(lost().stepsOf(0, 2).map((e) => [e.cat, e.args.shared, e.args.times, e.args.shape, e.args.lock])).toEqual([['update', 'guarded', 50_000, 'call', 'L']]);
  });
});

describe('capture: queues, events and barriers in every model', () => {
  // A producer putting three items on a queue of two and a consumer getting them (once the producer has begun, and
  // 10 ms later); an event set by the one, waited for by the other; a barrier both reach. The producer's argument and
  // result are bytes (pickled by the process pools).
  const sync = lazy(() =>
    captured('sync', {
      name: 'sync',
      cores: 2,
      queues: { Q: { maxsize: 2 } },
      events: { ready: {}, go: {} },
      barriers: { B: { parties: 2 } },
      tasks: [
        {
          name: 'producer',
          send: 1_000_000,
          receive: 2_000_000,
          steps: [
            { kind: 'set', event: 'ready' },
            { kind: 'put', queue: 'Q' },
            { kind: 'put', queue: 'Q' },
            { kind: 'put', queue: 'Q' },
            { kind: 'io', seconds: 0.02 },
            { kind: 'set', event: 'go' },
            { kind: 'barrier', barrier: 'B' },
          ],
        },
        {
          name: 'consumer',
          steps: [
            { kind: 'wait', event: 'ready' },
            { kind: 'io', seconds: 0.01 },
            { kind: 'get', queue: 'Q' },
            { kind: 'get', queue: 'Q' },
            { kind: 'get', queue: 'Q' },
            { kind: 'wait', event: 'go' },
            { kind: 'cpu', seconds: 0.01 },
            { kind: 'barrier', barrier: 'B' },
          ],
        },
      ],
      models: [
        { model: 'threads' },
        { model: 'threads', api: 'thread' },
        { model: 'processes' },
        { model: 'processes', startMethod: 'spawn' },
        { model: 'processes', startMethod: 'forkserver' },
        { model: 'asyncio' },
        { model: 'asyncio', api: 'taskgroup' },
      ],
    }),
  );

  it('finishes every task in every model, threading’s, multiprocessing’s (fork, spawn, forkserver) and asyncio’s primitives alike', () => {
    const { results } = sync();
    expect(results.map((r) => r.label)).toEqual([
      'threads (switch interval 5 ms, 2 workers)',
      'threads (switch interval 5 ms, a Thread per task)',
      'processes (fork, 2 workers)',
      'processes (spawn, 2 workers)',
      'processes (forkserver, 2 workers)',
      'asyncio',
      'asyncio (TaskGroup)',
    ]);
    for (const r of results) {
      expect(outcomes(r), r.label).toEqual(['ok', 'ok']);
      expect(r.error).toBeNull();
      expect(r.deadlock).toBeNull();
    }
    expect(results[1].settings).toEqual({ model: 'threads', switchIntervalMs: 5, api: 'thread' });
    expect(results[6].settings).toEqual({ model: 'asyncio', workers: null, api: 'taskgroup' });
  });

  it('times each wait from its call to its return, in the order the primitives allow', () => {
    sync().results.forEach((r, run) => {
      // Without the first steps (the consumer waits for the producer to begin).
      const [producer, consumer] = [0, 1].map((t) => sync().stepsOf(run, t).slice(1));
      expect(producer.map((e) => e.cat)).toEqual(['put', 'put', 'put', 'io', 'set', 'barrier']);
      expect(producer[0].args.queue).toBe('Q');
      const end = (e: TraceEvent) => e.ts! + e.dur!;
      // The k-th get returns after the k-th put began; the third put (the queue holds two) after the first get began.
      for (const k of [0, 1, 2]) expect(end(consumer[1 + k]), r.label).toBeGreaterThanOrEqual(producer[k].ts! - NS);
      expect(end(producer[2]), r.label).toBeGreaterThanOrEqual(consumer[1].ts! - NS);
      // It waited: called before that get began (no wall-clock length, which a loaded machine stretches or squeezes).
      expect(producer[2].ts!, `${r.label}: the third put waited for the consumer's first get`).toBeLessThan(consumer[1].ts!);
      // The wait returns after the set began, and was called before it; each barrier wait returns once both have arrived.
      expect(end(consumer[4]), r.label).toBeGreaterThanOrEqual(producer[4].ts! - NS);
      expect(consumer[4].ts!, `${r.label}: the wait for go began before the set`).toBeLessThan(producer[4].ts!);
      const arrived = Math.max(producer[5].ts!, consumer[6].ts!);
      for (const b of [producer[5], consumer[6]]) expect(end(b), r.label).toBeGreaterThanOrEqual(arrived - NS);
    });
  });

  it('is read by the app as a capture: every step a bar, the new kinds as calls', () => {
    const parsed = parseTrace(sync().trace, 'sync');
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(parsed.capture.format).toBe('capture');
    expect(parsed.capture.runs).toHaveLength(7);
    const producer = parsed.capture.runs[0].tasks[0];
    expect(producer.steps.map((s) => s.name)).toEqual(['set', 'put', 'put', 'put', 'io', 'set', 'barrier']);
    expect(producer.steps.map((s) => s.kind)).toEqual(['call', 'call', 'call', 'call', 'io', 'call', 'call']);
  });
});

/** Whether an OS process is gone (or a zombie: where init reaps no orphans they stay so, dead). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
  } catch {
    return true;
  }
}

describe('capture: deadlocks are stopped and reported; nothing hangs capture.py', () => {
  // Two tasks taking two locks in opposite orders (both past a barrier first, so that they surely overlap), and one
  // that takes none.
  const twoLocks = {
    name: 'two locks',
    cores: 2,
    locks: { A: { type: 'Lock' }, B: { type: 'Lock' } },
    barriers: { both: { parties: 2 } },
    tasks: [
      { name: 'ab', steps: [{ kind: 'barrier', barrier: 'both' }, { kind: 'acquire', lock: 'A' }, { kind: 'io', seconds: 0.03 }, { kind: 'acquire', lock: 'B' }, { kind: 'release', lock: 'B' }, { kind: 'release', lock: 'A' }] },
      { name: 'ba', steps: [{ kind: 'barrier', barrier: 'both' }, { kind: 'acquire', lock: 'B' }, { kind: 'io', seconds: 0.03 }, { kind: 'acquire', lock: 'A' }, { kind: 'release', lock: 'A' }, { kind: 'release', lock: 'B' }] },
      { name: 'free', steps: [{ kind: 'io', seconds: 0.01 }] },
    ],
    models: [{ model: 'threads' }, { model: 'processes' }, { model: 'asyncio' }],
  };
  const dead = lazy(() => captured('deadlock', twoLocks, '--timeout', '10'));

  it('records the two tasks as deadlocked, when the last one blocked, stopped as stuck rather than at the timeout', () => {
    const { results, stepsOf } = dead();
    // Each run is stopped 0.5 s after its tasks were all blocked with nothing changing, not at the timeout.
    results.forEach((r, run) => {
      expect(r.deadlock, r.label).toEqual({ tasks: ['ab', 'ba'], at: r.makespan, stopped: 'deadlock' });
      expect(r.error).toBeNull();
      expect(r.tasks.slice(0, 2).map((t) => [t.outcome, t.end])).toEqual([['deadlocked', null], ['deadlocked', null]]);
      // The makespan: the later of the two second acquires' calls (each after its 30 ms wait).
      const blocked = [0, 1].map((t) => stepsOf(run, t)[3]);
      expect(r.makespan).toBeCloseTo(Math.max(...blocked.map((e) => e.ts!)) / 1e6, 5);
      expect(r.makespan).toBeGreaterThan(0.029);
      for (const e of blocked) {
        expect([e.cat, e.args.lock, e.args.unfinished]).toEqual(['acquire', e.args.task === 0 ? 'B' : 'A', true]);
        expect((e.ts! + e.dur!) / 1e6).toBeCloseTo(r.makespan, 5);
        expect(stepsOf(run, e.args.task as number)).toHaveLength(4);
      }
    });
    // Three workers: the free task ran. Two worker processes, both stuck: it never started, and waits forever too.
    expect(results[0].tasks[2]).toMatchObject({ outcome: 'ok', error: null });
    expect(results[2].tasks[2]).toMatchObject({ outcome: 'ok' });
    expect(results[1].tasks[2]).toMatchObject({ outcome: 'deadlocked', start: null, end: null, osPid: null });
  });

  it('ends the stuck run’s worker processes', () => {
    if (process.platform !== 'linux') return;
    const pool = dead().results[1];
    expect(pool.osPids).toHaveLength(2);
    for (const pid of pool.osPids) expect(gone(pid), `worker ${pid}`).toBe(true);
  });

  it('a wait nobody can end: the sequential loop blocks on an empty queue and never reaches the next task', () => {
    const { results } = captured('empty-queue', {
      name: 'empty queue',
      cores: 2,
      queues: { Q: {} },
      tasks: [
        { name: 'getter', steps: [{ kind: 'io', seconds: 0.005 }, { kind: 'get', queue: 'Q' }] },
        { name: 'next', steps: [{ kind: 'io', seconds: 0.005 }] },
      ],
      models: [{ model: 'sequential' }, { model: 'threads' }],
    });
    const [sequential, threads] = results;
    expect(sequential.deadlock?.tasks).toEqual(['getter']);
    expect(sequential.tasks.map((t) => [t.outcome, t.start === null])).toEqual([['deadlocked', false], ['deadlocked', true]]);
    expect(threads.deadlock?.tasks).toEqual(['getter']);
    expect(outcomes(threads)).toEqual(['deadlocked', 'ok']);
    // Stopped when the last task finished (the other's 5 ms wait) or blocked.
    expect(threads.makespan).toBeGreaterThan(0.004);
    expect(threads.makespan).toBeLessThan(0.5);
  });

  it('stops at --timeout a run whose blocked task cannot be seen waiting (an update under a lock held for good)', () => {
    const { results } = captured(
      'held',
      {
        name: 'held',
        cores: 1,
        locks: { L: { type: 'RLock' } },
        events: { never: {} },
        tasks: [
          { name: 'holder', steps: [{ kind: 'acquire', lock: 'L' }, { kind: 'wait', event: 'never' }] },
          { name: 'updater', steps: [{ kind: 'io', seconds: 0.01 }, { kind: 'update', shared: 'n', times: 1000, seconds: 0.001, shape: 'inplace', lock: 'L' }] },
        ],
        models: [{ model: 'threads' }],
      },
      '--timeout',
      '0.6',
    );
    expect(results[0].deadlock).toEqual({ tasks: ['holder', 'updater'], at: results[0].makespan, stopped: 'timeout' });
    expect(results[0].shared).toEqual({ n: { final: 0, expected: 1000 } });
  });

  it('refuses to call a run still computing at the timeout deadlocked: exit 1, and why', () => {
    const r = capture(json('busy.json', { name: 'busy', cores: 1, tasks: [{ name: 'spin', steps: [{ kind: 'cpu', seconds: 3 }] }], models: [{ model: 'threads' }] }), '--out', join(dir, 'busy.trace.json'), '--timeout', '0.3');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the run failed: threads .*: run 1: still running after the timeout of 0\.3 s \(task 'spin' in step 0, a cpu step\): not a deadlock; give it a longer --timeout/);
    expect(r.stderr).not.toMatch(/Traceback/);
  });
});

describe('capture: errors, as each model’s main program meets them', () => {
  // A slow task, one that raises after 10 ms (its last step never runs) and one after it, their waits long enough
  // to be going on still when the error comes (on a busy machine too).
  const tasks = (last: unknown) => [
    { name: 'slow', steps: [{ kind: 'io', seconds: 0.1 }] },
    { name: 'bad', steps: [{ kind: 'io', seconds: 0.01 }, last, { kind: 'io', seconds: 0.01 }] },
    { name: 'after', steps: [{ kind: 'io', seconds: 0.06 }] },
  ];
  const raised = lazy(() =>
    captured('raise', {
      name: 'raise',
      cores: 2,
      tasks: tasks({ kind: 'raise', error: 'ValueError' }),
      models: [
        { model: 'sequential' },
        { model: 'threads' },
        { model: 'threads', api: 'thread' },
        { model: 'processes' },
        { model: 'asyncio' },
        { model: 'asyncio', api: 'taskgroup' },
      ],
    }),
  );
  const byModel = () => {
    const [sequential, executor, thread, pool, gather, taskgroup] = raised().results;
    return { sequential, executor, thread, pool, gather, taskgroup };
  };

  it('sequential: the error leaves the loop; the task after it is skipped', () => {
    const { sequential } = byModel();
    expect(sequential.tasks.map((t) => [t.outcome, t.error])).toEqual([['ok', null], ['raised', 'ValueError'], ['skipped', null]]);
    expect(sequential.tasks[2]).toMatchObject({ start: null, end: null });
    expect(sequential.error).toMatchObject({ type: 'ValueError', how: expect.stringMatching(/loop/) });
    expect(sequential.error!.at).toBeGreaterThanOrEqual(sequential.tasks[1].end!);
    expect(sequential.error!.at - sequential.tasks[1].end!).toBeLessThan(0.01);
  });

  it('ThreadPoolExecutor and ProcessPoolExecutor: future.result() re-raises it once main reaches that future; the others run on', () => {
    for (const r of [byModel().executor, byModel().pool]) {
      expect(r.tasks.map((t) => [t.outcome, t.error]), r.label).toEqual([['ok', null], ['raised', 'ValueError'], ['ok', null]]);
      expect(r.error).toMatchObject({ type: 'ValueError', how: expect.stringMatching(/^future\.result\(\) re-raised it in the main thread/) });
      // main waits for the slow task's result first (submit order), then meets the error.
      expect(r.error!.at).toBeGreaterThanOrEqual(r.tasks[0].end! - 1e-6);
      expect(r.makespan).toBeGreaterThanOrEqual(r.error!.at);
    }
  });

  it('a bare Thread: threading.excepthook prints it, the main thread never sees it', () => {
    const { thread } = byModel();
    expect(outcomes(thread)).toEqual(['ok', 'raised', 'ok']);
    expect(thread.error).toEqual({ type: 'ValueError', at: thread.tasks[1].end, how: 'printed by threading.excepthook; the main thread never saw it' });
  });

  it('asyncio: gather raises it in main and asyncio.run cancels the rest; a TaskGroup cancels them and raises an ExceptionGroup', () => {
    const { gather, taskgroup } = byModel();
    for (const r of [gather, taskgroup]) {
      expect(r.tasks.map((t) => [t.outcome, t.error]), r.label).toEqual([['cancelled', 'CancelledError'], ['raised', 'ValueError'], ['cancelled', 'CancelledError']]);
      // Cancelled at once, before their waits were over.
      expect(r.tasks[0].end!).toBeLessThan(r.tasks[0].start! + 0.1);
      expect(r.tasks[2].end!).toBeLessThan(r.tasks[2].start! + 0.06);
    }
    expect(gather.error).toMatchObject({ type: 'ValueError', how: expect.stringMatching(/gather/) });
    expect(taskgroup.error).toMatchObject({ type: 'ExceptionGroup', how: expect.stringMatching(/^ExceptionGroup from the TaskGroup/) });
  });

  it('draws the raise as an instant naming the exception, the interrupted and cancelled steps as ended by theirs, and nothing after', () => {
    const { stepsOf, results } = raised();
    results.forEach((r, run) => {
      const bad = stepsOf(run, 1);
      expect(bad.map((e) => e.cat), r.label).toEqual(['io', 'raise']);
      expect(bad[1]).toMatchObject({ dur: 0, args: { error: 'ValueError' } });
    });
    expect(stepsOf(4, 0)[0].args).toMatchObject({ kind: 'io', error: 'CancelledError' });
    expect(stepsOf(4, 0)[0].dur! / 1e6).toBeLessThan(0.1);
  });

  // Each run's program a fresh `capture.py --run-child` (the way without os.fork) rather than a fork, to test that way too.
  const crashed = lazy(() =>
    capturedIn({ CAPTURE_EXEC_CHILD: '1' }, 'crash', { name: 'crash', cores: 2, tasks: tasks({ kind: 'crash' }), models: [{ model: 'processes' }, { model: 'threads' }, { model: 'sequential' }] }),
  );

  it('a crash in a pool worker breaks the pool: every unfinished task broken, BrokenProcessPool in main', () => {
    const pool = crashed().results[0];
    expect(pool.tasks.map((t) => [t.outcome, t.error, t.end])).toEqual(Array(3).fill(['broken', 'BrokenProcessPool', null]));
    expect(pool.error).toMatchObject({ type: 'BrokenProcessPool', how: 'BrokenProcessPool from future.result()' });
    expect(pool.error!.at).toBeGreaterThan(0.009);
    expect(pool.error!.at).toBeLessThan(0.1);
  });

  it('a crash in a thread or the sequential loop ends the program: what ran is broken, what never started skipped', () => {
    const [, threads, sequential] = crashed().results;
    expect(threads.tasks.map((t) => [t.outcome, t.error, t.end])).toEqual(Array(3).fill(['broken', null, null]));
    expect(threads.error).toMatchObject({ type: 'crash', how: expect.stringMatching(/^os\._exit\(1\) in task 'bad' ended the program/) });
    expect(threads.makespan).toBeCloseTo(threads.error!.at, 3);
    expect(outcomes(sequential)).toEqual(['ok', 'broken', 'skipped']);
    // The crash is an instant; the slow task's wait, cut short, is drawn to the end and says so.
    expect(crashed().stepsOf(1, 1).map((e) => [e.cat, e.dur])).toEqual([['io', expect.any(Number)], ['crash', 0]]);
    expect(crashed().stepsOf(1, 0)[0].args.unfinished).toBe(true);
  });

  it('a dict changed size during iteration: the pass raises RuntimeError when another thread adds keys meanwhile', () => {
    const { results } = captured('dict', {
      name: 'dict',
      cores: 2,
      tasks: [
        { name: 'reader', steps: [{ kind: 'iterate', shared: 'd', seconds: 0.15 }] },
        { name: 'writer', steps: [{ kind: 'io', seconds: 0.005 }, { kind: 'update', shared: 'd', times: 2000, seconds: 0.02, shape: 'inplace' }] },
      ],
      models: [{ model: 'threads' }, { model: 'sequential' }],
    });
    const [threads, sequential] = results;
    expect(threads.tasks.map((t) => [t.outcome, t.error])).toEqual([['raised', 'RuntimeError'], ['ok', null]]);
    expect(threads.error?.type).toBe('RuntimeError');
    expect(outcomes(sequential)).toEqual(['ok', 'ok']);
    // A dict's shared value counts the keys added.
    for (const r of results) expect(r.shared).toEqual({ d: { final: 2000, expected: 2000 } });
  });
});

describe('capture: the new language checked and resolved as the app does', () => {
  it('--dry-run prints what the simulator resolves: declarations, instant steps, send and receive, the apis', () => {
    const file = {
      name: 'dry',
      cores: 2,
      seed: 7,
      locks: { L: { type: 'Semaphore', value: 2 } },
      queues: { Q: { maxsize: 3 } },
      events: { E: {} },
      barriers: { B: { parties: 2 } },
      tasks: [
        {
          name: 'a',
          send: 10,
          receive: 0,
          repeat: 2,
          steps: [
            { kind: 'acquire', lock: 'L' },
            { kind: 'update', shared: 'n', times: 5, seconds: { min: 0.1, max: 0.2 }, shape: 'call', lock: 'L' },
            { kind: 'release', lock: 'L' },
            { kind: 'iterate', shared: 'd', seconds: { min: 0.1, max: 0.2 } },
            { kind: 'put', queue: 'Q' },
            { kind: 'set', event: 'E' },
            { kind: 'barrier', barrier: 'B' },
            { kind: 'raise', error: 'KeyError' },
          ],
        },
        { name: 'b', steps: [{ kind: 'get', queue: 'Q' }, { kind: 'wait', event: 'E' }, { kind: 'crash' }] },
      ],
      models: [{ model: 'threads', api: 'thread' }, { model: 'asyncio', api: 'taskgroup', workers: 1 }, { model: 'threads', api: 'executor' }],
    };
    const expected = parseScenario(file);
    if (!expected.ok) throw new Error(expected.errors.join('\n'));
    const r = capture(json('dry.json', file), '--dry-run');
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout);
    const { tasks, models, locks, queues, events, barriers } = expected.scenario;
    expect({ tasks: got.tasks, models: got.models, locks: got.locks, queues: got.queues, events: got.events, barriers: got.barriers }).toEqual({ tasks, models, locks, queues, events, barriers });
    expect(got.settings).toEqual([
      { model: 'threads', switchIntervalMs: 5, api: 'thread' },
      { model: 'asyncio', workers: 1, api: 'taskgroup' },
      { model: 'threads', workers: 2, switchIntervalMs: 5, api: 'executor' },
    ]);
  });

  const good = { name: 'good', cores: 2, locks: { M: { type: 'Lock' } }, tasks: [{ name: 'a', steps: [{ kind: 'io', seconds: 0.01 }] }] };
  const withSteps = (...steps: unknown[]) => ({ ...good, tasks: [good.tasks[0], { name: 'b', steps: [{ kind: 'io', seconds: 0 }, { kind: 'io', seconds: 0 }, ...steps] }] });
  const update = { kind: 'update', shared: 'n', times: 10, seconds: 0.01, shape: 'call' };
  const cases: [string, unknown, RegExp][] = [
    ['a lock nobody declared', withSteps({ kind: 'acquire', lock: 'L' }), /^f\.json: tasks\[1\]\.steps\[2\]\.lock: no lock "L" is declared in "locks" \(it declares "M"\)$/m],
    ['a queue, when none is declared', withSteps({ kind: 'get', queue: 'Q' }), /^f\.json: tasks\[1\]\.steps\[2\]\.queue: no queue "Q" is declared in "queues" \(it declares none\)$/m],
    ['an event', withSteps({ kind: 'set', event: 'E' }), /^f\.json: tasks\[1\]\.steps\[2\]\.event: no event "E" is declared in "events"/m],
    ['a barrier', withSteps({ kind: 'barrier', barrier: 'B' }), /^f\.json: tasks\[1\]\.steps\[2\]\.barrier: no barrier "B" is declared in "barriers"/m],
    ['an update’s lock', withSteps({ ...update, lock: 'X' }), /^f\.json: tasks\[1\]\.steps\[2\]\.lock: no lock "X" is declared in "locks"/m],
    ['a name that is no identifier', { ...good, locks: { '2fast': { type: 'Lock' } } }, /^f\.json: locks: "2fast": must be a Python identifier/m],
    ['a shared value’s name', withSteps({ ...update, shared: 'a-b' }), /^f\.json: tasks\[1\]\.steps\[2\]\.shared: "a-b": must be a Python identifier/m],
    ['a Lock with a value', { ...good, locks: { M: { type: 'Lock', value: 2 } } }, /^f\.json: locks\.M\.value: only a Semaphore has a value \(this is a Lock\)$/m],
    ['an unknown lock type', { ...good, locks: { M: { type: 'Mutex' } } }, /^f\.json: locks\.M\.type: expected "Lock", "RLock" or "Semaphore", not "Mutex"$/m],
    ['a barrier of no parties', { ...good, barriers: { B: { parties: 0 } } }, /^f\.json: barriers\.B\.parties: must be from 1 to 256, not 0$/m],
    ['a queue too long', { ...good, queues: { Q: { maxsize: 100_001 } } }, /^f\.json: queues\.Q\.maxsize: must be from 0 to 100000, not 100001$/m],
    ['an event with a field', { ...good, events: { E: { set: true } } }, /^f\.json: events\.E\.set: unknown field/m],
    ['65 locks', { ...good, locks: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`L${i}`, { type: 'Lock' }])) }, /^f\.json: locks: at most 64 objects, not 65$/m],
    ['a field of another kind', withSteps({ kind: 'acquire', lock: 'M', seconds: 1 }), /^f\.json: tasks\[1\]\.steps\[2\]\.seconds: unknown field/m],
    ['an update without its shape', withSteps({ kind: 'update', shared: 'n', times: 10, seconds: 0.01 }), /^f\.json: tasks\[1\]\.steps\[2\]\.shape: missing$/m],
    ['no update at all', withSteps({ ...update, times: 0 }), /^f\.json: tasks\[1\]\.steps\[2\]\.times: must be from 1 to 1e\+07, not 0$/m],
    ['an unknown shape', withSteps({ ...update, shape: 'atomic' }), /^f\.json: tasks\[1\]\.steps\[2\]\.shape: expected "inplace" or "call", not "atomic"$/m],
    ['an exception not on the list', withSteps({ kind: 'raise', error: 'SystemExit' }), /^f\.json: tasks\[1\]\.steps\[2\]\.error: expected "ValueError", .* or "Exception", not "SystemExit"$/m],
    ['a gigabyte and one', { ...good, tasks: [{ ...good.tasks[0], send: 1e9 + 1 }] }, /^f\.json: tasks\[0\]\.send: must be from 0 to 1e\+09, not 1e\+09$/m],
    ['workers for a Thread per task', { ...good, models: [{ model: 'threads', api: 'thread', workers: 2 }] }, /^f\.json: models\[0\]\.workers: a threading\.Thread per task \(api "thread"\) has no pool size/m],
    ['an unknown api', { ...good, models: [{ model: 'asyncio', api: 'thread' }] }, /^f\.json: models\[0\]\.api: expected "gather" or "taskgroup", not "thread"$/m],
  ];
  // Checked by one Python process (a start of capture.py costs a quarter of a second): each file's messages, as
  // load() raises them for the command to print (its exit status 2 is tested above).
  const refs = withSteps({ kind: 'acquire', lock: 'L' }, { kind: 'put', queue: 'Q' }, { kind: 'wait', event: 'E' }, { kind: 'barrier', barrier: 'B' }, { ...update, lock: 'K' });
  const messages = lazy(() => {
    const paths = [...cases.map(([, scenario]) => scenario), refs].map((scenario, i) => {
      mkdirSync(join(dir, `check${i}`), { recursive: true });
      return json(join(`check${i}`, 'f.json'), scenario);
    });
    const code = `import json, sys; sys.path.insert(0, "tools"); import capture
out = []
for path in sys.argv[1:]:
    try:
        capture.load(path)
        out.append([])
    except capture.InputError as e:
        out.append(e.errors)
print(json.dumps(out))`;
    const r = spawnSync('python3', ['-c', code, ...paths], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as string[][];
  });
  it.each(cases.map((c, i) => [...c, i] as const))('%s', (_, _scenario, message, i) => {
    expect(messages()[i].join('\n')).toMatch(message);
  });

  it('names every undeclared reference in one go, each by its field', () => {
    expect(messages()[cases.length].map((l) => l.split(': ')[1])).toEqual([2, 3, 4, 5, 6].map((k) => `tasks[1].steps[${k}].${['lock', 'queue', 'event', 'barrier', 'lock'][k - 2]}`));
  });
});
