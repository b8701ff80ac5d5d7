import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/sim/random.ts';
import { parseScenario, parseScenarioText } from '../../src/sim/schema.ts';
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
  const r = spawnSync('python3', [TOOL, ...args], { encoding: 'utf8', timeout: 60_000 });
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
  const t0 = performance.now();
  const r = capture(json('small.json', small), '--out', out);
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`capture failed (${r.status}): ${r.stderr}`);
  return { ms, stderr: r.stderr, text: readFileSync(out, 'utf8') };
});
const trace = lazy(() => JSON.parse(smallRun().text) as Trace);
const steps = (pid: number) => trace().traceEvents.filter((e) => e.ph === 'X' && e.pid === pid);
const end = (e: TraceEvent) => (e.ts! + e.dur!) / 1e6;
const result = (model: string) => trace().metadata.results.find((r) => r.model === model)!;

describe('capture: a small scenario run for real under the four models', () => {
  it('takes under 3 s and writes a Chrome trace in its object form', () => {
    expect(smallRun().ms).toBeLessThan(3000);
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
    ['an unknown step kind', () => [json('kind.json', withStep({ kind: 'gpu', seconds: 1 })), ...out], /^kind\.json: tasks\[0\]\.steps\[0\]\.kind: expected "cpu", "native" or "io", not "gpu"$/m],
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
