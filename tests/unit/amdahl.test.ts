import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import {
  amdahl,
  configAt,
  DEFAULT_CORES,
  gustafson,
  parallelFraction,
  plannedRuns,
  plateau,
  plateauSentences,
  type Plateau,
  settledAt,
  sweep,
  whatIf,
  type SweepResult,
} from '../../src/sim/amdahl.ts';
import { runModel } from '../../src/sim/simulate.ts';
import type { ModelConfig, Scenario, Step, StepKind } from '../../src/sim/types.ts';
import Amdahl from '../../src/ui/panels/Amdahl.svelte';
import { Sweep, type SweepRequest, type SweepResponse, type SweepWorker } from '../../src/ui/state/sweep.svelte.ts';
import { lazy } from './helpers.ts';

type StepLit = [StepKind, number, boolean?];
const ALL: ModelConfig[] = [{ model: 'sequential' }, { model: 'threads' }, { model: 'processes' }, { model: 'asyncio' }];

/** A scenario literal (already valid: no schema involved): tasks as [name, [kind, seconds, blocking?]...]. */
function mk(tasks: [string, ...StepLit[]][], models: ModelConfig[] = ALL, cores = 4): Scenario {
  return {
    name: 'test',
    description: '',
    cores,
    seed: 0,
    tasks: tasks.map(([name, ...steps]) => ({ name, steps: steps.map(([kind, seconds, blocking]) => (blocking ? { kind, seconds, blocking } : { kind, seconds }) as Step) })),
    models,
  };
}

const cpuBound = mk([['a', ['cpu', 1]], ['b', ['cpu', 1]], ['c', ['cpu', 1]], ['d', ['cpu', 1]]]);
const ioBound = mk([['a', ['cpu', 0.001], ['io', 1]], ['b', ['cpu', 0.001], ['io', 1]], ['c', ['cpu', 0.001], ['io', 1]], ['d', ['cpu', 0.001], ['io', 1]]]);
const nativeBound = mk([['a', ['native', 1]], ['b', ['native', 1]], ['c', ['native', 1]], ['d', ['native', 1]]]);
const mixed = mk([['a', ['cpu', 0.3], ['native', 0.5]], ['b', ['io', 0.4], ['cpu', 0.2]], ['c', ['io', 0.2, true], ['native', 0.3]]]);
/** The lecture's Seven Dwarfs (scenarios/seven-dwarfs.json). */
const dwarfs = mk(
  (
    [
      ['Doc', 3],
      ['Grumpy', 3],
      ['Happy', 10],
      ['Sleepy', 8],
      ['Bashful', 7],
      ['Sneezy', 6],
      ['Dopey', 6],
    ] as const
  ).map(([name, io]): [string, ...StepLit[]] => [name, ['cpu', 0.003], ['io', io]]),
  [{ model: 'sequential' }, { model: 'threads' }, { model: 'processes', workers: 4, startMethod: 'fork' }, { model: 'asyncio' }],
);

const EIGHT = [1, 2, 3, 4, 5, 6, 7, 8];
const curve = (r: SweepResult, model: string, i = 0) => r.curves.filter((c) => c.model === model)[i];
const cpuSweep = lazy(() => sweep(cpuBound, { cores: EIGHT }));
const ioSweep = lazy(() => sweep(ioBound, { cores: EIGHT }));
const dwarfSweep = lazy(() => sweep(dwarfs, { cores: EIGHT }));

describe("Amdahl's and Gustafson's laws", () => {
  it.each([1, 2, 4, 64])('amdahl at p = 1 is s (s = %i): everything spreads over the cores', (s) => {
    expect(amdahl(1, s)).toBeCloseTo(s, 12);
  });
  it.each([1, 2, 4, 64])('amdahl at p = 0 is 1 (s = %i): nothing spreads', (s) => {
    expect(amdahl(0, s)).toBe(1);
  });
  it.each([
    [0.5, 2, 4 / 3],
    [0.9, 10, 1 / (0.1 + 0.09)],
    [0.75, 4, 1 / (0.25 + 0.1875)],
  ])('amdahl(%f, %i) = %f', (p, s, want) => {
    expect(amdahl(p, s)).toBeCloseTo(want, 12);
  });
  it.each([0.1, 0.5, 0.9, 0.99])('at p = %f it grows with s, from 1 on one core, and stays under 1/(1 − p)', (p) => {
    expect(amdahl(p, 1)).toBeCloseTo(1, 12);
    for (let s = 1; s < 64; s++) {
      expect(amdahl(p, s + 1)).toBeGreaterThan(amdahl(p, s));
      expect(amdahl(p, s + 1)).toBeLessThan(1 / (1 - p));
    }
  });
  it.each([1, 2, 8, 64])('gustafson at p = 0 is 1 and at p = 1 is s (s = %i)', (s) => {
    expect(gustafson(0, s)).toBe(1);
    expect(gustafson(1, s)).toBe(s);
  });
  it.each([
    [0.5, 4, 2.5],
    [0.9, 10, 9.1],
  ])('gustafson(%f, %i) = %f, never below amdahl', (p, s, want) => {
    expect(gustafson(p, s)).toBeCloseTo(want, 12);
    expect(gustafson(p, s)).toBeGreaterThanOrEqual(amdahl(p, s));
  });
});

describe('parallelFraction: the share of the sequential run that is not its longest task', () => {
  it.each([
    ['four equal tasks', cpuBound, 0.75],
    ['one task', mk([['a', ['cpu', 2], ['io', 1]]]), 0],
    ['tasks of 1 s and 3 s', mk([['a', ['cpu', 1]], ['b', ['io', 3]]]), 0.25],
    ['no work at all', mk([['a', ['cpu', 0]], ['b', ['io', 0]]]), 0],
    ['the seven dwarfs', dwarfs, 1 - 10.003 / 43.021],
  ])('%s', (_, s, p) => {
    expect(parallelFraction(s)).toBeCloseTo(p, 12);
  });

  it("Amdahl's ceiling 1/(1 − p) bounds every model: none finishes before its longest task", () => {
    for (const r of [cpuSweep(), ioSweep(), dwarfSweep()]) {
      for (const c of r.curves) for (const s of c.speedups) expect(s).toBeLessThanOrEqual(1 / (1 - r.p) + 1e-9);
    }
  });

  it("Amdahl's curve is the floor a process pool reaches (Graham's bound; within its 1% of overheads)", () => {
    for (const r of [cpuSweep(), dwarfSweep()]) {
      curve(r, 'processes').speedups.forEach((s, i) => expect(s).toBeGreaterThanOrEqual(0.99 * amdahl(r.p, r.cores[i])));
    }
  });
});

describe('sweep: every model at every core count', () => {
  it('the sequential curve is flat at exactly 1, from the baseline run alone', () => {
    for (const r of [cpuSweep(), ioSweep(), dwarfSweep()]) {
      const seq = curve(r, 'sequential');
      expect(seq.speedups).toEqual(EIGHT.map(() => 1));
      expect(seq.simulated).toBe(0);
      expect(seq.makespans[0]).toBe(r.baseline);
    }
    expect(dwarfSweep().baseline).toBeCloseTo(43.021, 9);
  });

  it('processes speed up with cores up to the task count, then stay (each fork adds only its start-up)', () => {
    const s = curve(cpuSweep(), 'processes').speedups;
    // 3 workers take 4 tasks in two rounds, as 2 do: one more fork's worth slower (under 1%), no faster.
    for (let i = 1; i < 4; i++) expect(s[i]).toBeGreaterThanOrEqual(0.99 * s[i - 1]);
    expect(s[1]).toBeGreaterThan(1.9);
    expect(s[3]).toBeGreaterThan(3.9);
    for (let i = 4; i < 8; i++) expect(Math.abs(s[i] - s[3]) / s[3]).toBeLessThan(0.01);
  });

  it('spawned processes past the task count are one run: exactly equal from n + 1 cores, simulated once', () => {
    const r = sweep(cpuBound, { cores: EIGHT, models: [{ model: 'processes', startMethod: 'spawn' }] });
    const c = r.curves[0];
    expect(c.makespans.slice(4)).toEqual([c.makespans[4], c.makespans[4], c.makespans[4], c.makespans[4]]);
    expect(c.speedups[3]).toBeGreaterThan(c.speedups[2]);
    expect(c.simulated).toBe(5);
  });

  it('threads on CPU-bound tasks stay at about 1: the GIL runs one at a time', () => {
    for (const s of curve(cpuSweep(), 'threads').speedups) {
      expect(s).toBeGreaterThan(0.97);
      expect(s).toBeLessThanOrEqual(1.001);
    }
  });

  it('threads on I/O-bound tasks speed up to the task count and then stay', () => {
    const s = curve(ioSweep(), 'threads').speedups;
    for (let i = 1; i < 4; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
    expect(s[3]).toBeGreaterThan(3.9);
    expect(new Set(s.slice(4)).size).toBe(1);
  });

  it('asyncio does not depend on cores: one run, the same speedup everywhere', () => {
    for (const r of [cpuSweep(), ioSweep()]) {
      const a = curve(r, 'asyncio');
      expect(a.simulated).toBe(1);
      expect(new Set(a.speedups).size).toBe(1);
    }
    expect(curve(ioSweep(), 'asyncio').speedups[0]).toBeGreaterThan(3.9);
  });

  it.each([
    ['CPU-bound', mk([['a', ['cpu', 0.05]], ['b', ['cpu', 0.04]], ['c', ['cpu', 0.05]], ['d', ['cpu', 0.03]]])],
    ['mixed, with native code and a blocking call', mixed],
  ])('%s: every run the sweep skips equals simulating it (the proofs in settledAt hold)', (_, s) => {
    const n = s.tasks.length;
    const cores = Array.from({ length: n + 4 }, (_, i) => i + 1);
    const models: ModelConfig[] = [
      { model: 'threads', switchIntervalMs: 2 },
      { model: 'processes', startMethod: 'spawn' },
      { model: 'processes', startMethod: 'forkserver' },
      { model: 'processes', startMethod: 'fork' },
      { model: 'asyncio', workers: 2 },
      { model: 'sequential' },
    ];
    const r = sweep(s, { cores, models });
    r.curves.forEach((c, i) => {
      const config = models[i];
      expect(c.makespans).toEqual(cores.map((k) => runModel({ ...s, cores: k }, configAt(config, k)).makespan));
      expect(c.settledAt).toBe(settledAt(config, n));
      expect(c.error).toBeNull();
    });
    expect(r.curves.map((c) => c.simulated)).toEqual([n + 1, n + 1, n + 2, n + 4, 1, 0]);
    expect(plannedRuns(s, { cores, models })).toHaveLength(1 + r.curves.reduce((a, c) => a + c.simulated, 0));
  });

  it('workers follow cores for threads and processes; asyncio and sequential keep their config', () => {
    expect(configAt({ model: 'threads', workers: 2, switchIntervalMs: 1 }, 6)).toEqual({ model: 'threads', workers: 6, switchIntervalMs: 1 });
    expect(configAt({ model: 'processes', startMethod: 'spawn' }, 3)).toEqual({ model: 'processes', workers: 3, startMethod: 'spawn' });
    expect(configAt({ model: 'asyncio', workers: 2 }, 9)).toEqual({ model: 'asyncio', workers: 2 });
    expect(configAt({ model: 'sequential' }, 9)).toEqual({ model: 'sequential' });
  });

  it('core counts in any order, repeated, give what the ordered sweep gives', () => {
    const r = sweep(cpuBound, { cores: [8, 1, 8, 2] });
    const all = cpuSweep();
    r.curves.forEach((c, i) => expect(c.makespans).toEqual([8, 1, 8, 2].map((k) => all.curves[i].makespans[k - 1])));
  });

  it('defaults: core counts 1..64 and the scenario models', () => {
    const r = sweep(mk([['a', ['io', 1]]], [{ model: 'asyncio' }]));
    expect(r.cores).toEqual(DEFAULT_CORES);
    expect(r.cores).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    expect(r.curves.map((c) => c.model)).toEqual(['asyncio']);
  });

  it.each([[[]], [[0]], [[1.5]], [[2, -1]]])('refuses core counts %j', (cores) => {
    expect(() => sweep(cpuBound, { cores })).toThrow(/^sweep: /);
  });

  it('a model whose run is too big stops its curve there and says why; the others go on', () => {
    const s = mk([['a', ['cpu', 1]], ['b', ['cpu', 1]]], [{ model: 'threads', switchIntervalMs: 0.1 }, { model: 'asyncio' }]);
    const r = sweep(s, { cores: [1, 2, 3], maxEvents: 5000 });
    const [threads, asyncio] = r.curves;
    expect(threads.makespans[0]).toBeGreaterThan(2);
    expect(threads.makespans.slice(1)).toEqual([NaN, NaN]);
    expect(threads.speedups.slice(1)).toEqual([NaN, NaN]);
    expect(threads.error).toMatch(/^2 cores: threads: at least 20,002 scheduling events/);
    expect(asyncio.error).toBeNull();
    expect(plateau(r)[0].sentence).toMatch(/^threads stop scaling at 1 core \(1\.00×\): .*; past 1 core it could not be simulated \(2 cores: threads: /);
  });
});

describe('plateauSentences: one sentence per reason', () => {
  const q = (model: Plateau['model'], cores: number, speedup: number, reason: string): Plateau => ({ model, config: { model } as Plateau['config'], cores, speedup, reason, sentence: `${model} alone` });
  it.each([
    ['models held at the same core count for the same reason share one sentence, with each speedup in order', [q('processes', 5, 4.3, 'the longest task'), q('processes', 5, 4.29, 'the longest task'), q('processes', 5, 4.27, 'the longest task')], ['processes (fork), processes (forkserver) and processes (spawn) stop scaling at 5 cores (4.30×, 4.29×, 4.27×): the longest task']],
    ['the same reason at another core count stays apart', [q('threads', 1, 1, 'the longest task'), q('processes', 5, 4.3, 'the longest task')], ['threads alone', 'processes alone']],
    ['a model that could not be simulated is never merged', [q('threads', NaN, NaN, 'it could not be simulated'), q('asyncio', NaN, NaN, 'it could not be simulated')], ['threads alone', 'asyncio alone']],
    ['groups keep the order of their first model', [q('sequential', 1, 1, 'one at a time'), q('processes', 5, 4.3, 'longest'), q('threads', 1, 1, 'the GIL'), q('processes', 5, 4.2, 'longest')], ['sequential alone', 'processes (fork) and processes (spawn) stop scaling at 5 cores (4.30×, 4.20×): longest', 'threads alone']],
  ] as [string, Plateau[], string[]][])('%s', (_, plateaus, want) => {
    const names = plateaus.length === 3 ? ['processes (fork)', 'processes (forkserver)', 'processes (spawn)'] : plateaus.length === 4 ? ['sequential', 'processes (fork)', 'threads', 'processes (spawn)'] : [];
    expect(plateauSentences(plateaus, names)).toEqual(want);
  });
});

describe('plateau: where each model stops scaling, and why, from the data', () => {
  const sentences = (r: SweepResult) => Object.fromEntries(plateau(r).map((p) => [p.model, p.sentence]));

  it('CPU-bound tasks: the GIL holds threads at 1 core, the loop holds asyncio, processes run out of tasks', () => {
    const s = sentences(cpuSweep());
    expect(s.sequential).toBe('sequential stops scaling at 1 core (1.00×): it runs one task at a time on one thread, 4.00 s on any number of cores');
    expect(s.threads).toMatch(/^threads stop scaling at 1 core \(1\.00×\): the GIL lets one thread run Python at a time \(4\.00 s of the 4\.00 s of work is pure Python\)$/);
    expect(s.processes).toMatch(/^processes stop scaling at 4 cores \(3\.9\d×\): there are only 4 tasks, so further workers have nothing to run$/);
    expect(s.asyncio).toBe('asyncio stops scaling at 1 core (1.00×): one event loop runs on one core: its 4.00 s of CPU work and blocking calls run one after another');
  });

  it('I/O-bound tasks: threads scale to the task count (no GIL sentence), asyncio overlaps the waits on one core', () => {
    const s = sentences(ioSweep());
    expect(s.threads).toMatch(/^threads stop scaling at 4 cores \(3\.9\d×\): there are only 4 tasks, so further workers have nothing to run$/);
    expect(s.threads).not.toContain('GIL');
    expect(s.asyncio).toMatch(/^asyncio stops scaling at 1 core \(3\.9\d×\): one event loop runs on one core; it overlaps the waits, and the longest task \(a, 1\.00 s\) takes that long on its own$/);
  });

  it('the Seven Dwarfs: threads and processes stop at 5 cores, where the longest task (10 s) sets the finish', () => {
    const s = sentences(dwarfSweep());
    for (const m of ['threads', 'processes']) expect(s[m]).toMatch(new RegExp(`^${m} stop scaling at 5 cores \\(4\\.\\d\\d×\\): the longest task \\(Happy, 10\\.00 s\\) takes that long on its own$`));
    const p = plateau(dwarfSweep()).find((x) => x.model === 'threads')!;
    expect(p.cores).toBe(5);
    expect(p.speedup).toBeCloseTo(43.021 / 10.0097, 2);
  });

  it('native code releases the GIL: threads scale, and the sentence says tasks ran out, not the GIL', () => {
    const r = sweep(nativeBound, { cores: EIGHT, models: [{ model: 'threads' }] });
    expect(plateau(r)[0].sentence).toMatch(/^threads stop scaling at 4 cores \((3\.9\d|4\.00)×\): there are only 4 tasks/);
  });

  it('when no bound of the work comes near, the model is held back by its own overheads', () => {
    const tiny = mk(
      Array.from({ length: 8 }, (_, i): [string, ...StepLit[]] => [`t${i}`, ['cpu', 0.002]]),
      [{ model: 'processes', startMethod: 'spawn' }],
    );
    const [p] = plateau(sweep(tiny, { cores: [1, 2, 3, 4, 5, 6] }));
    expect(p.reason).toMatch(/^its overheads \(starting worker processes, pickling work to them and results back\): its best run takes \d+\.\d ms, where the work alone needs 2\.0 ms$/);
  });

  it('a curve with nothing simulated says so', () => {
    const s = mk([['a', ['cpu', 1]], ['b', ['cpu', 1]]], [{ model: 'threads', switchIntervalMs: 0.1 }]);
    const [p] = plateau(sweep(s, { cores: [2, 3], maxEvents: 5000 }));
    expect(p.cores).toBeNaN();
    expect(p.sentence).toMatch(/^threads: it could not be simulated \(2 cores: threads: at least/);
  });
});

describe('whatIf: one task k× faster, every model before and after', () => {
  it.each([
    [2, 2],
    [2, 10],
    [0, 5],
  ])('the dwarfs, task %i, %i× faster: no model gets slower, and sequential saves exactly the seconds saved', (task, factor) => {
    const w = whatIf(dwarfs, task, factor);
    const own = dwarfs.tasks[task].steps.reduce((a, s) => a + s.seconds, 0);
    expect(w.name).toBe(dwarfs.tasks[task].name);
    expect(w.saved).toBeCloseTo(own * (1 - 1 / factor), 12);
    expect(w.rows.map((r) => r.model)).toEqual(dwarfs.models.map((m) => m.model));
    for (const r of w.rows) expect(r.after).toBeLessThanOrEqual(r.before + 1e-12);
    const seq = w.rows.find((r) => r.model === 'sequential')!;
    expect(seq.before).toBeCloseTo(43.021, 9);
    expect(seq.before - seq.after).toBeCloseTo(w.saved, 9);
  });

  it('the before column is the scenario as it is, on its own cores', () => {
    const w = whatIf(mixed, 1, 2);
    w.rows.forEach((r, i) => expect(r.before).toBe(runModel(mixed, mixed.models[i]).makespan));
  });

  it('1× changes nothing', () => {
    for (const r of whatIf(mixed, 0, 1).rows) expect(r.after).toBe(r.before);
  });

  it.each([
    [-1, 2],
    [3, 2],
    [0.5, 2],
  ])('refuses task %f', (task, factor) => {
    expect(() => whatIf(mixed, task, factor)).toThrow(/^what if: no task/);
  });
  it.each([0, -2, NaN, Infinity])('refuses factor %f', (factor) => {
    expect(() => whatIf(mixed, 0, factor)).toThrow(/^what if: the speed-up factor/);
  });
});

/** A worker that answers only when the test says so, computing the real answer, with the cost the test chooses. */
class FakeWorker implements SweepWorker {
  sent: SweepRequest[] = [];
  onmessage: ((e: MessageEvent<SweepResponse>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  terminated = false;
  postMessage(m: SweepRequest) {
    this.sent.push(m);
  }
  terminate() {
    this.terminated = true;
  }
  fail(error: string, ms = 100) {
    const { id } = this.sent.shift()!;
    this.onmessage!({ data: { id, ok: false, error, ms } } as MessageEvent<SweepResponse>);
  }
  answer(ms = 100) {
    const r = this.sent.shift()!;
    let data: SweepResponse;
    try {
      data =
        r.kind === 'sweep'
          ? { id: r.id, ok: true, kind: 'sweep', result: sweep(r.scenario, { cores: r.cores, maxEvents: r.maxEvents }), ms }
          : { id: r.id, ok: true, kind: 'what-if', result: whatIf(r.scenario, r.task, r.factor, { maxEvents: r.maxEvents }), ms };
    } catch (e) {
      data = { id: r.id, ok: false, error: (e as Error).message, ms };
    }
    this.onmessage!({ data } as MessageEvent<SweepResponse>);
  }
}

const small = (n: number) => mk(Array.from({ length: n }, (_, i): [string, ...StepLit[]] => [`t${i}`, ['cpu', 0.01]]));
const CORES = [1, 2, 3, 4];

/** A sweep whose clock makes every timed stretch here cost `here` ms; `workers` lists every worker it made. */
function make(here: number, opts: { probeMaxWeight?: number; cancelAfterMs?: number } = {}) {
  const workers: FakeWorker[] = [];
  let t = 0;
  const clock = { advance: (ms: number) => (t += ms) };
  const sweepState = new Sweep({
    makeWorker: () => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    },
    now: () => (t += here),
    budgetMs: 16,
    cores: CORES,
    ...opts,
  });
  return { sweepState, workers, clock };
}
const shownTasks = (s: Sweep) => s.shown?.scenario.tasks.length;

describe('Sweep: where a sweep runs, and what is shown meanwhile', () => {
  it('without a worker, a sweep runs here at once', () => {
    const s = new Sweep({ makeWorker: null, cores: CORES });
    s.request(small(2));
    expect(shownTasks(s)).toBe(2);
    expect(s.shown!.result.cores).toEqual(CORES);
    expect(s.generation).toBe(1);
  });

  it('a factory that throws (no Worker here) means everything runs here', () => {
    const s = new Sweep({
      makeWorker: () => {
        throw new Error('no workers');
      },
      cores: CORES,
    });
    s.request(small(3));
    expect(shownTasks(s)).toBe(3);
  });

  it('a sweep estimated within a frame (one simulation timed, times the runs planned) runs here', () => {
    const { sweepState, workers } = make(0.1);
    sweepState.request(small(2));
    expect(shownTasks(sweepState)).toBe(2);
    expect(workers.flatMap((w) => w.sent)).toEqual([]);
  });

  it('a costly sweep goes to the worker; nothing is shown until it answers', () => {
    const { sweepState, workers } = make(100);
    sweepState.request(small(2));
    expect(sweepState.shown).toBeNull();
    expect(sweepState.busy).toBe(true);
    expect(workers[0].sent.map((r) => r.kind === 'sweep' && r.cores)).toEqual([CORES]);
    workers[0].answer();
    expect(shownTasks(sweepState)).toBe(2);
    expect(sweepState.busy).toBe(false);
    expect(sweepState.generation).toBe(1);
  });

  it('a run too heavy to time here is not probed: the sweep goes straight to the worker', () => {
    const { sweepState, workers } = make(0.1, { probeMaxWeight: 0 });
    sweepState.request(small(2));
    expect(sweepState.shown).toBeNull();
    expect(workers[0].sent).toHaveLength(1);
  });

  it('while the worker is busy, a newer request replaces the waiting one', () => {
    const { sweepState, workers } = make(100);
    for (const n of [2, 3, 4, 5]) sweepState.request(small(n));
    const w = workers[0];
    expect(w.sent).toHaveLength(1);
    w.answer();
    expect(shownTasks(sweepState)).toBe(2);
    expect(w.sent.map((r) => r.scenario.tasks.length)).toEqual([5]);
    w.answer();
    expect(shownTasks(sweepState)).toBe(5);
    expect(w.sent).toEqual([]);
  });

  it('a sweep in the worker longer than cancelAfterMs is abandoned for a newer one: a new worker starts on it', () => {
    const { sweepState, workers, clock } = make(100, { cancelAfterMs: 1000 });
    sweepState.request(small(2));
    clock.advance(2000);
    sweepState.request(small(3));
    expect(workers).toHaveLength(2);
    expect(workers[0].terminated).toBe(true);
    expect(workers[1].sent.map((r) => r.scenario.tasks.length)).toEqual([3]);
    workers[1].answer();
    expect(shownTasks(sweepState)).toBe(3);
  });

  it('once sweeps prove cheap (their measured cost), the next runs here', () => {
    const { sweepState, workers } = make(100);
    sweepState.request(small(2));
    workers[0].answer(0.5);
    // The clock still says 100 ms a stretch here, but the rate comes from the worker's 0.5 ms: this one runs here.
    sweepState.request(small(3));
    expect(shownTasks(sweepState)).toBe(3);
    expect(workers[0].sent).toEqual([]);
  });

  it('the same scenario object twice is swept once', () => {
    const { sweepState, workers } = make(100);
    const s = small(3);
    sweepState.request(s);
    sweepState.request(s);
    expect(workers[0].sent).toHaveLength(1);
  });

  it("the worker's error is shown and the last result kept", () => {
    const { sweepState, workers } = make(100);
    sweepState.request(small(2));
    workers[0].answer();
    sweepState.request(small(3));
    workers[0].fail('sweep: out of memory');
    expect(sweepState.error).toBe('sweep: out of memory');
    expect(shownTasks(sweepState)).toBe(2);
  });

  it('if the worker dies, what it had runs here, and so does everything after', () => {
    const { sweepState, workers } = make(100);
    sweepState.request(small(2));
    sweepState.request(small(3));
    workers[0].onerror!({} as ErrorEvent);
    expect(workers[0].terminated).toBe(true);
    expect(shownTasks(sweepState)).toBe(3);
    sweepState.request(small(4));
    expect(shownTasks(sweepState)).toBe(4);
    expect(workers).toHaveLength(1);
  });

  it('what-ifs: here when cheap, in the worker when not', async () => {
    const cheap = make(0.1).sweepState;
    const w = await cheap.whatIf(small(2), 0, 2);
    expect(w.rows).toHaveLength(4);
    const { sweepState, workers } = make(100);
    const p = sweepState.whatIf(small(2), 1, 5);
    expect(workers[0].sent.map((r) => r.kind)).toEqual(['what-if']);
    workers[0].answer();
    expect((await p).factor).toBe(5);
  });

  it('a what-if the worker cannot answer rejects with its error', async () => {
    const { sweepState, workers } = make(100);
    const p = sweepState.whatIf(small(2), 9, 5);
    workers[0].answer();
    await expect(p).rejects.toThrow(/^what if: no task 9/);
  });

  it('destroy ends the worker, rejects what-ifs in flight, and ignores later requests', async () => {
    const { sweepState, workers } = make(100);
    const p = sweepState.whatIf(small(2), 0, 2);
    sweepState.destroy();
    expect(workers[0].terminated).toBe(true);
    await expect(p).rejects.toThrow('the sweep was closed');
    sweepState.request(small(2));
    expect(sweepState.shown).toBeNull();
    expect(workers).toHaveLength(1);
  });
});

describe('Amdahl panel (server-rendered markup)', () => {
  const html = lazy(() => render(Amdahl, { props: { scenario: dwarfs, result: dwarfSweep(), width: 800 } }).body);

  it('the chart is an image whose label sums up every curve and both laws', () => {
    const label = /<svg[^>]*class="chart[^"]*"[^>]*role="img"[^>]*aria-label="([^"]*)"/.exec(html())?.[1] ?? /<svg[^>]*role="img"[^>]*aria-label="([^"]*)"/.exec(html())?.[1];
    expect(label).toMatch(/^Speedup over the sequential run against cores, 1 to 8, on a doubling scale: sequential reaches 1\.00× at 1 core; threads reaches 4\.\d\d× at 5 cores; processes reaches 4\.\d\d× at 5 cores; asyncio reaches 4\.\d\d× at 1 core\. Amdahl's law for p = 0\.77 gives \d\.\d\d× at 8 cores, never more than 4\.30×; Gustafson's scaled speedup grows to \d\.\d\d×\.$/);
  });

  it('one line per model, both laws, axis ticks at each doubling, and a legend naming them all', () => {
    const h = html();
    expect(h.match(/<path class="curve/g)).toHaveLength(4);
    expect(h).toMatch(/<path class="law amdahl-law/);
    expect(h).toMatch(/<path class="law gustafson-law/);
    for (const t of ['1', '2', '4', '8']) expect(h).toMatch(new RegExp(`text-anchor="middle"[^>]*>${t}</text>`));
    for (const name of ['sequential', 'threads', 'processes', 'asyncio', "Amdahl's law, p = 0.77: an ideal pool's floor, no model above 4.30×", "Gustafson's law (scaled speedup)"]) expect(h).toContain(name);
    expect(h).not.toContain('NaN');
  });

  it('the plateau sentences are listed under the chart, one per reason: threads and processes share theirs', () => {
    const items = [...html().matchAll(/>([^<>]* scaling at [^<>]*)<\/li>/g)].map((m) => m[1]);
    expect(items).toEqual(plateauSentences(plateau(dwarfSweep())));
    expect(items).toHaveLength(3);
    expect(items[1]).toMatch(/^threads and processes stop scaling at 5 cores \(4\.30×, 4\.30×\): the longest task \(Happy, 10\.00 s\)/);
  });

  it('two curves of one model are told apart in the plateau list as in the legend: by start method', () => {
    const two = { ...dwarfs, models: [{ model: 'processes' as const, startMethod: 'fork' as const }, { model: 'processes' as const, startMethod: 'spawn' as const }] };
    const { body } = render(Amdahl, { props: { scenario: two, result: sweep(two, { cores: [1, 2, 4] }), width: 800 } });
    const items = [...body.matchAll(/>([^<>]* scaling at [^<>]*)<\/li>/g)].map((m) => m[1]);
    expect(items).toHaveLength(2);
    expect(items[0]).toMatch(/^processes \(fork\) stop scaling at /);
    expect(items[1]).toMatch(/^processes \(spawn\) stop scaling at /);
  });

  it('the what-if form has labelled selects: every task (the longest chosen) and 2×, 5×, 10×', () => {
    const h = html();
    expect(h).toMatch(/<label>\s*Task\s*<select/);
    expect(h).toMatch(/<label>\s*Faster by\s*<select/);
    for (const t of dwarfs.tasks) expect(h).toContain(`>${t.name} (`);
    expect(h).toMatch(/<option value="2"[^>]*selected[^>]*>Happy \(10\.00 s\)<\/option>|<option value="2" selected>Happy/);
    for (const k of [2, 5, 10]) expect(h).toContain(`>${k}×</option>`);
  });

  it('without a result yet it says it is sweeping, and draws no curves', () => {
    const { body } = render(Amdahl, { props: { scenario: dwarfs, result: null, width: 600 } });
    expect(body).toContain('Sweeping the models');
    expect(body).not.toMatch(/<path class="curve/);
  });
});
