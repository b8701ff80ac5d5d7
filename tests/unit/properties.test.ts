import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProfile, parseScenario } from '../../src/sim/schema.ts';
import { DEFAULT_PROFILE, type CPythonProfile } from '../../src/sim/profile.ts';
import { runModel, totalWork } from '../../src/sim/simulate.ts';
import type { ModelConfig, Scenario, StartMethod } from '../../src/sim/types.ts';
import { runs } from './helpers.ts';

const EPS = 1e-6;
const step = fc.record({
  kind: fc.constantFrom('cpu', 'native', 'io'),
  // Zero, or at least a microsecond: the kernel treats anything under 1e-12 s as nothing, so a scaled 1e-13 s step
  // would cross that line and change the run for a reason no scenario has.
  seconds: fc.double({ min: 0, max: 0.3, noNaN: true }).map((x) => (x < 1e-6 ? 0 : x)),
  blocking: fc.boolean(),
});
const scenarioArb = fc
  .record({
    cores: fc.integer({ min: 1, max: 6 }),
    tasks: fc.array(fc.array(step, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 7 }),
  })
  .map(({ cores, tasks }) => {
    const r = parseScenario({ name: 'p', cores, tasks: tasks.map((steps, i) => ({ name: `t${i}`, steps })) });
    if (!r.ok) throw new Error(r.errors.join());
    return r.scenario;
  });
const configArb: fc.Arbitrary<ModelConfig> = fc.oneof(
  fc.constant({ model: 'sequential' as const }),
  fc.record({ model: fc.constant('threads' as const), workers: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }), switchIntervalMs: fc.constantFrom(1, 5, 20) }),
  fc.record({ model: fc.constant('processes' as const), workers: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }), startMethod: fc.constantFrom('fork' as const, 'forkserver' as const, 'spawn' as const) }),
  fc.record({ model: fc.constant('asyncio' as const), workers: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }) }),
);
const clean = (c: ModelConfig) => JSON.parse(JSON.stringify(c)) as ModelConfig;
const prop = (f: (s: Scenario, c: ModelConfig) => void) => fc.assert(fc.property(scenarioArb, configArb, (s, c) => f(s, clean(c))), runs(150));

describe('simulator invariants over random scenarios', () => {
  it('answers worked out ahead change nothing: the run is the one the machine makes answering every event itself', () =>
    prop((s, c) => {
      expect(runModel(s, c)).toStrictEqual(runModel(s, c, DEFAULT_PROFILE, { horizon: 0 }));
    }));

  it('every task completes, after it starts, within the makespan', () =>
    prop((s, c) => {
      const run = runModel(s, c);
      for (const t of run.tasks) {
        expect(Number.isFinite(t.end)).toBe(true);
        expect(t.start).toBeLessThanOrEqual(t.end + EPS);
        expect(t.end).toBeLessThanOrEqual(run.makespan + EPS);
      }
    }));

  it('no core runs two things at once, and one stretch of one thing on a core is one segment', () =>
    prop((s, c) => {
      for (const lane of runModel(s, c).coreSegments)
        for (let i = 0; i < lane.length; i++) {
          const [a, b] = [lane[i - 1], lane[i]];
          expect(b.end).toBeGreaterThan(b.start);
          if (!a) continue;
          expect(b.start).toBeGreaterThanOrEqual(a.end - EPS);
          const same = a.thread === b.thread && a.task === b.task && a.step === b.step && a.kind === b.kind;
          expect(same && b.start - a.end < 1e-12, `two touching segments of one thing at ${b.start}`).toBe(false);
        }
    }));

  it('at most one thread holds a GIL: threads never run Python at the same instant', () =>
    prop((s, c) => {
      const run = runModel(s, c);
      for (let i = 1; i < run.gil.length; i++) expect(run.gil[i].start).toBeGreaterThanOrEqual(run.gil[i - 1].end - EPS);
      if (c.model !== 'threads') return;
      const py = run.coreSegments.flat().filter((x) => x.kind === 'python').sort((a, b) => a.start - b.start);
      for (let i = 1; i < py.length; i++) expect(py[i].start).toBeGreaterThanOrEqual(py[i - 1].end - EPS);
    }));

  it('a GIL holder is made to drop it only after it has run: a drop request waits for the holder to be on a core', () =>
    prop((s, c) => {
      if (c.model !== 'threads') return;
      const run = runModel(s, c);
      const segs = run.coreSegments.flat();
      for (let i = 1; i < run.gil.length; i++) {
        if (!run.gil[i].forced) continue;
        const held = run.gil[i - 1];
        const drop = run.gil[i].start - DEFAULT_PROFILE.gilHandoff;
        const ran = segs.some((x) => x.thread === held.thread && x.start < drop + EPS && x.end > held.start - EPS);
        // Or it was put on a core freed at that very instant, and dropped the GIL at its first check.
        const justDispatched = segs.some((x) => Math.abs(x.end - drop) < EPS);
        expect(ran || justDispatched, `thread ${held.thread} dropped the GIL at ${drop} without running since ${held.start}`).toBe(true);
      }
    }));

  it("each task's CPU and native work is conserved on the cores", () =>
    prop((s, c) => {
      const run = runModel(s, c);
      s.tasks.forEach((task, i) => {
        const want = task.steps.filter((x) => x.kind !== 'io').reduce((a, x) => a + x.seconds, 0);
        const got = run.coreSegments.flat().filter((x) => x.task === i && (x.kind === 'python' || x.kind === 'native')).reduce((a, x) => a + x.end - x.start, 0);
        expect(Math.abs(got - want)).toBeLessThan(1e-6);
      });
    }));

  it('the same scenario gives the same timeline', () =>
    prop((s, c) => {
      expect(JSON.stringify(runModel(s, c))).toBe(JSON.stringify(runModel(s, c)));
    }));

  it('sequential makespan is the sum of all steps', () =>
    fc.assert(
      fc.property(scenarioArb, (s) => {
        expect(Math.abs(runModel(s, { model: 'sequential' }).makespan - totalWork(s))).toBeLessThan(1e-9);
      }),
      runs(150),
    ));

  it('no model beats total CPU work over cores, nor the longest task alone', () =>
    prop((s, c) => {
      const run = runModel(s, c);
      const cpu = s.tasks.flatMap((t) => t.steps).filter((x) => x.kind !== 'io').reduce((a, x) => a + x.seconds, 0);
      const longest = Math.max(...s.tasks.map((t) => t.steps.reduce((a, x) => a + x.seconds, 0)));
      expect(run.makespan).toBeGreaterThanOrEqual(cpu / s.cores - EPS);
      expect(run.makespan).toBeGreaterThanOrEqual(longest - EPS);
    }));

  it('no task ends sooner after its start than its own steps take alone: C calls, hand-offs and queues only add', () =>
    prop((s, c) => {
      const run = runModel(s, c);
      s.tasks.forEach((task, i) => {
        const own = task.steps.reduce((a, x) => a + x.seconds, 0);
        expect(run.tasks[i].end - run.tasks[i].start).toBeGreaterThanOrEqual(own - EPS);
      });
    }));

  it('task states cover the whole run without gaps', () =>
    prop((s, c) => {
      const run = runModel(s, c);
      for (const lane of run.taskSpans) {
        expect(lane[0].start).toBe(0);
        for (let i = 1; i < lane.length; i++) expect(Math.abs(lane[i].start - lane[i - 1].end)).toBeLessThan(EPS);
        expect(Math.abs(lane[lane.length - 1].end - run.makespan)).toBeLessThan(EPS);
      }
    }));
});

/** Every duration of a scenario times `k`. */
const scaled = (s: Scenario, k: number): Scenario => ({ ...s, tasks: s.tasks.map((t) => ({ ...t, steps: t.steps.map((x) => ({ ...x, seconds: x.seconds * k })) })) });
/** Every constant of a profile times `k`. */
const scaledProfile = (p: CPythonProfile, k: number): CPythonProfile => {
  const ps = Object.fromEntries(Object.entries(p.processStart).map(([m, v]) => [m, { launch: v.launch * k, boot: v.boot * k }])) as CPythonProfile['processStart'];
  return { ...p, ...Object.fromEntries(Object.entries(p).filter(([, v]) => typeof v === 'number').map(([key, v]) => [key, (v as number) * k])), processStart: ps };
};
const RUNS = runs(100);

/** A profile a calibration could produce: every constant positive (as the profile schema demands), and small. */
const cost = fc.double({ min: 1e-6, max: 0.05, noNaN: true });
const startCost = fc.record({ launch: cost, boot: cost });
const profileArb = fc
  .record({
    switchInterval: fc.double({ min: 1e-4, max: 0.05, noNaN: true }),
    gilHandoff: cost, callSeconds: fc.double({ min: 1e-4, max: 0.05, noNaN: true }), osSlice: fc.double({ min: 1e-3, max: 0.05, noNaN: true }), submit: cost, threadStart: cost,
    processStart: fc.record({ fork: startCost, forkserver: startCost, spawn: startCost }),
    forkserverBoot: cost, dispatch: cost, result: cost, loopStart: cost,
  })
  .map((o) => {
    const r = parseProfile(o, 'random');
    if (!r.ok) throw new Error(r.errors.join());
    return r.profile;
  });

describe('the invariants hold under any valid profile', () => {
  it('every task completes within the makespan, cores never run two things, work is conserved, runs repeat', () =>
    fc.assert(
      fc.property(scenarioArb, configArb, profileArb, (s, c, p) => {
        const config = clean(c);
        const run = runModel(s, config, p);
        for (const t of run.tasks) expect(t.end).toBeLessThanOrEqual(run.makespan + EPS);
        for (const lane of run.coreSegments) for (let i = 1; i < lane.length; i++) expect(lane[i].start).toBeGreaterThanOrEqual(lane[i - 1].end - EPS);
        s.tasks.forEach((task, i) => {
          const want = task.steps.filter((x) => x.kind !== 'io').reduce((a, x) => a + x.seconds, 0);
          const got = run.coreSegments.flat().filter((x) => x.task === i && (x.kind === 'python' || x.kind === 'native')).reduce((a, x) => a + x.end - x.start, 0);
          expect(Math.abs(got - want)).toBeLessThan(1e-6);
        });
        expect(JSON.stringify(runModel(s, config, p))).toBe(JSON.stringify(run));
      }),
      runs(150),
    ));
});

describe('metamorphic properties: how a run must change when its input does', () => {
  it('a longer switch interval never gives more GIL switches', () =>
    fc.assert(
      fc.property(scenarioArb, fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }), fc.constantFrom(0.5, 1, 2, 5), fc.constantFrom(1.5, 2, 4, 10), (s, workers, ms, k) => {
        const at = (si: number) => runModel(s, { model: 'threads', workers, switchIntervalMs: si }).summary.gilSwitches;
        expect(at(ms * k)).toBeLessThanOrEqual(at(ms));
      }),
      RUNS,
    ));

  it('more cores never slow a process pool of a fixed size down', () =>
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 8 }), fc.constantFrom<StartMethod>('fork', 'forkserver', 'spawn'), fc.integer({ min: 1, max: 4 }), (s, workers, startMethod, extra) => {
        const at = (cores: number) => runModel({ ...s, cores }, { model: 'processes', workers, startMethod }).makespan;
        expect(at(s.cores + extra)).toBeLessThanOrEqual(at(s.cores) + EPS);
      }),
      RUNS,
    ));

  it('one worker on I/O-only work is sequential: each task starts when the one before ends', () =>
    fc.assert(
      fc.property(scenarioArb, fc.constantFrom<ModelConfig>({ model: 'threads', workers: 1 }, { model: 'asyncio', workers: 1 }, { model: 'processes', workers: 1 }), (s0, config) => {
        const s = { ...s0, tasks: s0.tasks.map((t) => ({ ...t, steps: t.steps.map((x) => ({ kind: 'io' as const, seconds: x.seconds })) })) };
        const run = runModel(s, config);
        const seq = runModel(s, { model: 'sequential' });
        // Tasks in submission order, never overlapping; each takes its waits (plus, under threads, taking the GIL back
        // from the submitting main thread), and only the pool's bookkeeping (submit, dispatch, result) sits between.
        run.tasks.forEach((t, i) => {
          const waits = seq.tasks[i].end - seq.tasks[i].start;
          expect(t.end - t.start).toBeGreaterThanOrEqual(waits - EPS);
          expect(t.end - t.start).toBeLessThan(waits + 0.001);
          if (i > 0) expect(t.start).toBeGreaterThanOrEqual(run.tasks[i - 1].end - EPS);
          if (i > 0) expect(t.start - run.tasks[i - 1].end).toBeLessThan(0.002);
        });
      }),
      RUNS,
    ));

  it('scaling every duration (and every constant) by k scales every timing by k', () =>
    fc.assert(
      fc.property(scenarioArb, configArb, fc.constantFrom(0.5, 2, 3, 10), (s, c, k) => {
        const config = clean(c);
        const a = runModel(s, config);
        const slower = config.model === 'threads' && config.switchIntervalMs ? { ...config, switchIntervalMs: config.switchIntervalMs * k } : config;
        const b = runModel(scaled(s, k), slower, scaledProfile(DEFAULT_PROFILE, k));
        expect(b.makespan).toBeCloseTo(a.makespan * k, 6);
        b.tasks.forEach((t, i) => {
          expect(t.start).toBeCloseTo(a.tasks[i].start * k, 6);
          expect(t.end).toBeCloseTo(a.tasks[i].end * k, 6);
        });
        expect(b.summary.gilSwitches).toBe(a.summary.gilSwitches);
      }),
      RUNS,
    ));

  it('sequential: adding a task never makes another task end earlier', () =>
    fc.assert(
      fc.property(scenarioArb, fc.array(step, { minLength: 1, maxLength: 4 }), fc.nat(), (s, steps, at) => {
        const extra = parseScenario({ name: 'x', cores: 1, tasks: [{ name: 'new', steps }] });
        if (!extra.ok) throw new Error(extra.errors.join());
        const i = at % (s.tasks.length + 1);
        const bigger = { ...s, tasks: [...s.tasks.slice(0, i), extra.scenario.tasks[0], ...s.tasks.slice(i)] };
        const before = runModel(s, { model: 'sequential' }).tasks;
        const after = runModel(bigger, { model: 'sequential' }).tasks.filter((_, j) => j !== i);
        after.forEach((t, j) => expect(t.end).toBeGreaterThanOrEqual(before[j].end - EPS));
      }),
      RUNS,
    ));

  it('threads: fewer, longer C calls never make a native step beside a CPU-bound thread end later (fewer waits)', () =>
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 0.3, noNaN: true }),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        fc.double({ min: 0.001, max: 0.3, noNaN: true }),
        fc.constantFrom(0.5, 1, 5),
        fc.double({ min: 1e-4, max: 0.01, noNaN: true }),
        fc.constantFrom(1.1, 1.5, 2, 10),
        (python, wait, native, ms, call, k) => {
          // As many calls, only laid out differently, can end up to an interval either way (the calls meet the
          // holder's drop requests at other instants): the rule is about fewer.
          const calls = (c: number) => Math.ceil(native / c - 1e-9);
          fc.pre(calls(call * k) < calls(call));
          const s = parseScenario({ name: 'x', cores: 2, tasks: [{ name: 'spin', steps: [{ kind: 'cpu', seconds: python }] }, { name: 'hash', steps: [{ kind: 'io', seconds: wait }, { kind: 'native', seconds: native }] }] });
          if (!s.ok) throw new Error(s.errors.join());
          const end = (c: number) => runModel(s.scenario, { model: 'threads', switchIntervalMs: ms }, { ...DEFAULT_PROFILE, callSeconds: c }).tasks[1].end;
          expect(end(call * k)).toBeLessThanOrEqual(end(call) + 1e-9);
        },
      ),
      RUNS,
    ));
});

/** `s` with every native step made into one step per C call of `call` seconds (the last one the remainder). */
const oneStepPerCall = (s: Scenario, call: number): Scenario => ({
  ...s,
  tasks: s.tasks.map((t) => ({
    ...t,
    steps: t.steps.flatMap((x) => {
      if (x.kind !== 'native') return [x];
      const n = Math.max(1, Math.ceil(x.seconds / call - 1e-9));
      return Array.from({ length: n }, (_, i) => ({ kind: 'native' as const, seconds: i < n - 1 ? call : x.seconds - (n - 1) * call }));
    }),
  })),
});

describe('threads: C calls made while the GIL is free run as one burst, which changes no timing', () => {
  it('a native step gives the task ends a step per call gives (with a core per thread, so no OS queue tells them apart)', () =>
    fc.assert(
      fc.property(scenarioArb, fc.constantFrom(1, 5), fc.constantFrom(0.003, 0.01, 0.04), (s0, ms, call) => {
        const s = { ...s0, cores: s0.tasks.length + 1 };
        const p = { ...DEFAULT_PROFILE, callSeconds: call };
        const config: ModelConfig = { model: 'threads', switchIntervalMs: ms };
        const batched = runModel(s, config, p);
        const oneByOne = runModel(oneStepPerCall(s, call), config, p);
        expect(batched.makespan).toBeCloseTo(oneByOne.makespan, 9);
        batched.tasks.forEach((t, i) => {
          expect(t.start).toBeCloseTo(oneByOne.tasks[i].start, 9);
          expect(t.end).toBeCloseTo(oneByOne.tasks[i].end, 9);
        });
      }),
      RUNS,
    ));
});

/*
 * Scenarios with synchronisation: random steps over a few shared objects (a Lock, an RLock, a Semaphore(2), a bounded
 * queue, an event, a barrier of two), lost-update loops, raises and crashes, under every model.
 */
const syncStep = fc.oneof(
  { weight: 3, arbitrary: step.map(({ kind, seconds }) => ({ kind, seconds })) },
  { weight: 2, arbitrary: fc.constantFrom('L', 'R', 'S').chain((lock) => fc.constantFrom({ kind: 'acquire', lock }, { kind: 'release', lock })) },
  { weight: 2, arbitrary: fc.constantFrom({ kind: 'put', queue: 'Q' }, { kind: 'get', queue: 'Q' }) },
  { weight: 1, arbitrary: fc.constantFrom({ kind: 'set', event: 'E' }, { kind: 'wait', event: 'E' }, { kind: 'barrier', barrier: 'B' }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('update'), shared: fc.constant('n'), times: fc.integer({ min: 1, max: 5000 }), seconds: fc.double({ min: 0.001, max: 0.05, noNaN: true }), shape: fc.constantFrom('inplace', 'call') }) },
  { weight: 1, arbitrary: fc.constantFrom({ kind: 'raise', error: 'ValueError' }, { kind: 'crash' }) },
);
const syncScenarioArb = fc
  .record({
    cores: fc.integer({ min: 1, max: 4 }),
    maxsize: fc.integer({ min: 0, max: 3 }),
    tasks: fc.array(fc.array(syncStep, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }),
  })
  .map(({ cores, maxsize, tasks }) => {
    const r = parseScenario({
      name: 'p',
      cores,
      locks: { L: { type: 'Lock' }, R: { type: 'RLock' }, S: { type: 'Semaphore', value: 2 } },
      queues: { Q: { maxsize } },
      events: { E: {} },
      barriers: { B: { parties: 2 } },
      tasks: tasks.map((steps, i) => ({ name: `t${i}`, steps })),
    });
    if (!r.ok) throw new Error(r.errors.join());
    return r.scenario;
  });
const syncProp = (f: (s: Scenario, c: ModelConfig) => void) => fc.assert(fc.property(syncScenarioArb, configArb, (s, c) => f(s, clean(c))), runs(150));
/** Object lanes in the scenario's order: L, R, S, then Q, E, B. */
const [L, R, S, Q, , B] = [0, 1, 2, 3, 4, 5];

describe('simulator invariants with locks, queues, events and barriers', () => {
  it('a Lock or RLock is held by at most one task, a Semaphore(2) by at most two (plus one per release by a task not holding it, which Python allows)', () =>
    syncProp((s, c) => {
      const r = runModel(s, c);
      for (const x of r.sync[L]) expect(x.holders.length).toBeLessThanOrEqual(1);
      for (const x of r.sync[R]) expect(x.holders.length).toBeLessThanOrEqual(1);
      const releases = s.tasks.reduce((a, t) => a + t.steps.filter((x) => x.kind === 'release' && x.lock === 'S').length, 0);
      for (const x of r.sync[S]) expect(x.holders.length).toBeLessThanOrEqual(2 + releases);
    }));

  it('a queue never holds more than its maxsize, nor fewer than no items', () =>
    syncProp((s, c) => {
      const max = s.queues!.Q.maxsize ?? 0;
      for (const x of runModel(s, c).sync[Q]) {
        expect(x.count).toBeGreaterThanOrEqual(0);
        if (max > 0) expect(x.count).toBeLessThanOrEqual(max);
      }
    }));

  it('a barrier releases all its parties at once: whoever was waiting there leaves in the instant the last arrives', () =>
    syncProp((s, c) => {
      const r = runModel(s, c);
      const lane = r.sync[B];
      // Arrivals only grow, until the one that fills the barrier releases everyone there (all at once: nobody who
      // was waiting is still there after), and a new round may begin in the same instant.
      const releases = lane.filter((x, i) => i > 0 && !lane[i - 1].holders.every((h) => x.holders.includes(h)));
      for (const x of releases) expect(x.holders.length).toBeLessThanOrEqual(1);
      // Every barrier wait that ends before the run does ends when the barrier changes (its release; arrivals and a
      // release in one instant are one change), or a wake-up later for a thread or process it released.
      const empties = lane.map((x) => x.start);
      const late = c.model === 'threads' ? DEFAULT_PROFILE.wakeup : c.model === 'processes' ? DEFAULT_PROFILE.ipcWakeup : 0;
      for (const spans of r.taskSpans)
        for (const sp of spans) if (sp.state === 'barrier-wait' && sp.end < r.makespan - EPS) expect(empties.some((t) => sp.end >= t - EPS && sp.end <= t + late + EPS)).toBe(true);
    }));

  it('a run either finishes every task or ends with the rest deadlocked, and never an unexplained end', () =>
    syncProp((s, c) => {
      const r = runModel(s, c);
      const stuck = r.tasks.filter((t) => t.outcome === 'deadlocked');
      if (stuck.length) expect(r.tasks.every((t) => t.outcome !== 'ok' || Number.isFinite(t.end))).toBe(true);
      for (const t of r.tasks) if (t.outcome === 'ok') expect(Number.isFinite(t.end)).toBe(true);
      // Blocked on an object at the stall: the report names each.
      if (r.deadlock) for (const w of r.deadlock.tasks) expect(r.tasks[w.task].outcome).toBe('deadlocked');
      // Only the total of lost updates can make a counter end below what it would have been (unless the program
      // died mid-loop).
      if (r.tasks.every((t) => t.outcome !== 'broken')) for (const v of r.shared) expect(v.final).toBe(c.model === 'processes' ? 0 : v.expected - v.lost);
    }));

  it('is deterministic: the same scenario and model give the same run', () =>
    syncProp((s, c) => {
      expect(JSON.stringify(runModel(s, c))).toBe(JSON.stringify(runModel(s, c)));
    }));
});
