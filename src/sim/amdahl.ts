import { resolveConfig } from './config.ts';
import { DEFAULT_PROFILE, type CPythonProfile } from './profile.ts';
import { predictEvents, runModel, totalWork } from './simulate.ts';
import type { ModelConfig, ModelName, Scenario, Seconds } from './types.ts';

/**
 * Amdahl's law on a scenario: how far each execution model gets with more cores, and what speeding up one task buys.
 * Pure and deterministic: every number comes from `runModel`, never from a clock.
 */

/** 1..64: the core counts a sweep tries unless told otherwise (64 is the scenario schema's limit). */
export const DEFAULT_CORES: readonly number[] = Array.from({ length: 64 }, (_, i) => i + 1);

/** Amdahl's law: the speedup on `s` cores of a run whose fraction `p` can be spread over them, 1 / ((1 − p) + p/s). */
export function amdahl(p: number, s: number): number {
  return 1 / (1 - p + p / s);
}

/** Gustafson's law: the scaled speedup when the parallel part grows with the cores (the serial part stays), (1 − p) + p·s. */
export function gustafson(p: number, s: number): number {
  return 1 - p + p * s;
}

/** The work in a scenario, by kind, and the numbers the plateau sentences cite. Seconds of work alone on one core. */
export interface WorkFacts {
  tasks: number;
  /** Every step of every task, one after another: the sequential makespan. */
  total: Seconds;
  /** The longest task (its every step): no model finishes before it does. `task` is -1 for a scenario without tasks. */
  longest: { task: number; name: string; seconds: Seconds };
  /** Pure Python (`cpu` steps): under one GIL, one thread at a time. */
  python: Seconds;
  native: Seconds;
  io: Seconds;
  /** What holds an asyncio loop (Python, native code and blocking calls): one after another on the loop's thread. */
  loopBound: Seconds;
}

export function workFacts(scenario: Scenario): WorkFacts {
  const f: WorkFacts = { tasks: scenario.tasks.length, total: 0, longest: { task: -1, name: '', seconds: 0 }, python: 0, native: 0, io: 0, loopBound: 0 };
  scenario.tasks.forEach((t, i) => {
    let own = 0;
    for (const s of t.steps) {
      own += s.seconds;
      if (s.kind === 'cpu') f.python += s.seconds;
      else if (s.kind === 'native') f.native += s.seconds;
      else f.io += s.seconds;
      if (s.kind !== 'io' || s.blocking) f.loopBound += s.seconds;
    }
    if (f.longest.task < 0 || own > f.longest.seconds) f.longest = { task: i, name: t.name, seconds: own };
  });
  f.total = totalWork(scenario);
  return f;
}

/**
 * The scenario's parallel fraction for Amdahl's law: p = 1 − L / T1, where T1 is the sequential run (every task's
 * every step, one after another) and L the longest single task.
 *
 * Why this definition: the tasks are independent, and each is a chain of steps that no model can run faster than
 * alone, so L is the part of T1 that can never overlap anything (the serial part) and every other task can, in
 * principle, run beside it. With it:
 * - Amdahl's ceiling 1/(1 − p) = T1/L is a hard bound for every model here: no model finishes before its longest task.
 * - amdahl(p, s) = T1 / (L + (T1 − L)/s) is exactly Graham's guarantee for greedy list scheduling of independent tasks
 *   on s machines (makespan ≤ W/s + (1 − 1/s)·max task): a pool of s workers with no overheads, each busy for a whole
 *   task (its waits included, as a process-pool worker is), never does worse than Amdahl's curve.
 * So Amdahl's curve is the floor an ideal s-worker model reaches, and its asymptote the ceiling no model passes; a
 * model's curve below the floor shows what its rules (the GIL, one event loop, start-up costs) cost. A scenario of one
 * task, or of no work at all, has p = 0.
 */
export function parallelFraction(scenario: Scenario): number {
  const { total, longest } = workFacts(scenario);
  return total > 0 ? Math.max(0, 1 - longest.seconds / total) : 0;
}

export interface SweepOptions {
  /** Core counts to try, positive integers (default 1..64). */
  cores?: readonly number[];
  /** The models to sweep (default the scenario's). */
  models?: readonly ModelConfig[];
  profile?: CPythonProfile;
  /** Passed to every `runModel`: a run that would take more kernel events fails that model's curve, not the sweep. */
  maxEvents?: number;
}

/** One model across the core counts. */
export interface ModelCurve {
  model: ModelName;
  /** The config as the scenario (or the caller) gave it; see `configAt` for what each core count runs. */
  config: ModelConfig;
  /** Per entry of `SweepResult.cores`; NaN from the first core count that could not be simulated. */
  makespans: Seconds[];
  /** `baseline / makespan` per core count. */
  speedups: number[];
  /** How many simulations this curve cost (the rest were proved equal to one of them, see `settledAt`). */
  simulated: number;
  /** The core count from which every run is provably the same run (null: none is). */
  settledAt: number | null;
  /** Why a core count could not be simulated (the event cap); the curve stops there. */
  error: string | null;
}

export interface SweepResult {
  scenario: string;
  cores: number[];
  /** The sequential makespan on one core: what every speedup divides. */
  baseline: Seconds;
  p: number;
  facts: WorkFacts;
  curves: ModelCurve[];
}

/**
 * What a model runs with `c` cores in a sweep: threads and processes get `c` workers (`max_workers = cores`); asyncio
 * keeps its semaphore and sequential its one thread (neither has anything to give a core).
 */
export function configAt(config: ModelConfig, c: number): ModelConfig {
  return config.model === 'threads' || config.model === 'processes' ? { ...config, workers: c } : config;
}

/**
 * The smallest core count from which a model's sweep runs are provably identical (null when there is none), so
 * `sweep` simulates one of them and copies it. The proof, from the simulator's code:
 * 1. Kernel: when a run has at most T kernel threads and C ≥ T cores, a ready thread always finds a free core, so the
 *    run queue is empty after every dispatch (no time slice ever ends a run), and a thread takes its last core or the
 *    lowest free one, always below T (at most T − 1 others hold cores). So cores T…C−1 are never used and the run is
 *    the same for every C ≥ T. The models read `scenario.cores` only as the default for processes' `max_workers`,
 *    which a sweep always sets.
 * 2. Models, with n tasks (T counts the main thread, and the fork server):
 *    - sequential, asyncio: one thread (T = 1) and a config that ignores cores: the same run from 1 core on.
 *    - threads: `max_workers` is read only in `_adjust_thread_count`'s "fewer workers than max_workers", and at the
 *      k-th of n submits at most k < n workers exist, so every max_workers ≥ n acts as n; at most n workers start
 *      (one per submit), T ≤ n + 1: the same run from n + 1 cores on.
 *    - processes, spawn and forkserver: min(max_workers, n) processes, the same for every max_workers ≥ n, plus the
 *      parent (and the fork server): from n + 1 (spawn) or n + 2 (forkserver) cores on.
 *    - processes, fork: every one of max_workers processes is forked before the first task is sent, so each further
 *      core adds a fork: it changes with every core count and is always simulated.
 * The unit tests hold this against simulating every core count.
 */
export function settledAt(config: ModelConfig, tasks: number): number | null {
  switch (config.model) {
    case 'sequential':
    case 'asyncio':
      return 1;
    case 'threads':
      return tasks + 1;
    case 'processes': {
      const method = resolveConfig(config, { tasks: [], cores: 1 }).startMethod;
      return method === 'fork' ? null : method === 'spawn' ? tasks + 1 : tasks + 2;
    }
  }
}

/** One simulation a sweep makes: a model config at a core count, and the kernel events predicted for it. */
export interface PlannedRun {
  curve: number;
  config: ModelConfig;
  cores: number;
  predictedEvents: number;
}

function checkCores(cores: readonly number[]): number[] {
  if (!cores.length) throw new Error('sweep: no core counts to try');
  for (const c of cores) if (!Number.isInteger(c) || c < 1) throw new Error(`sweep: core counts must be whole numbers from 1, not ${c}`);
  return [...cores];
}

/** Which core count's run stands for core count `c` of a model settled at `settle`. */
const keyOf = (c: number, settle: number | null) => (settle !== null && c >= settle ? settle : c);

/**
 * The simulations `sweep` will make, in order: the sequential baseline (one core), then per model one per core count
 * not proved equal to another (see `settledAt`); a sequential model reuses the baseline. What a caller needs to judge
 * a sweep's cost before making it.
 */
export function plannedRuns(scenario: Scenario, options: SweepOptions = {}): PlannedRun[] {
  const cores = checkCores(options.cores ?? DEFAULT_CORES);
  const models = options.models ?? scenario.models;
  const profile = options.profile ?? DEFAULT_PROFILE;
  const plan: PlannedRun[] = [];
  const add = (curve: number, config: ModelConfig, c: number) =>
    plan.push({ curve, config: configAt(config, c), cores: c, predictedEvents: predictEvents({ ...scenario, cores: c }, configAt(config, c), profile) });
  add(-1, { model: 'sequential' }, 1);
  models.forEach((config, i) => {
    if (config.model === 'sequential') return;
    const settle = settledAt(config, scenario.tasks.length);
    const seen = new Set<number>();
    for (const c of cores) {
      const key = keyOf(c, settle);
      if (seen.has(key)) continue;
      seen.add(key);
      add(i, config, c);
    }
  });
  return plan;
}

/**
 * Each model at each core count (threads and processes with `max_workers` = cores, see `configAt`): makespans, and
 * speedups over the sequential run on one core. Runs proved equal (see `settledAt`) are simulated once: sequential and
 * asyncio once in all, threads up to n + 1 cores for n tasks. A model whose run fails (too many kernel events for
 * `maxEvents`) keeps what it had and says why; the others go on.
 */
export function sweep(scenario: Scenario, options: SweepOptions = {}): SweepResult {
  const cores = checkCores(options.cores ?? DEFAULT_CORES);
  const models = options.models ?? scenario.models;
  const profile = options.profile ?? DEFAULT_PROFILE;
  const limits = { maxEvents: options.maxEvents };
  const simulate = (config: ModelConfig, c: number) => runModel({ ...scenario, cores: c }, configAt(config, c), profile, limits).makespan;
  // A sequential run does not depend on cores (settledAt: 1), so the baseline also stands for every sequential curve.
  const baseline = simulate({ model: 'sequential' }, 1);
  const curves = models.map((config): ModelCurve => {
    const settle = settledAt(config, scenario.tasks.length);
    const runs = new Map<number, Seconds>();
    if (config.model === 'sequential') runs.set(1, baseline);
    let simulated = 0;
    let error: string | null = null;
    const makespans = cores.map((c) => {
      if (error !== null) return NaN;
      const key = keyOf(c, settle);
      let m = runs.get(key);
      if (m === undefined) {
        try {
          m = simulate(config, c);
        } catch (e) {
          error = `${c} ${c === 1 ? 'core' : 'cores'}: ${(e as Error).message}`;
          return NaN;
        }
        simulated++;
        runs.set(key, m);
      }
      return m;
    });
    return {
      model: config.model,
      config,
      makespans,
      speedups: makespans.map((m) => (m > 0 ? baseline / m : Number.isNaN(m) ? NaN : 1)),
      simulated,
      settledAt: settle,
      error,
    };
  });
  return { scenario: scenario.name, cores, baseline, p: parallelFraction(scenario), facts: workFacts(scenario), curves };
}

/** Where one model stops scaling, and why. */
export interface Plateau {
  model: ModelName;
  config: ModelConfig;
  /** The smallest core count whose speedup is within 1% of the model's best (NaN when nothing could be simulated). */
  cores: number;
  speedup: number;
  /** Why more cores do not help, from the work's numbers. */
  reason: string;
  /** The whole sentence: "threads stop scaling at 1 core (1.00×): the GIL lets one thread run Python at a time …". */
  sentence: string;
}

/** Seconds as the app prints them ("4.00 s"), in milliseconds under a second ("63.6 ms") so small runs still read. */
const sec = (t: Seconds) => (t < 1 && t > 0 ? `${(t * 1000).toFixed(1)} ms` : `${t.toFixed(2)} s`);
/** What a model's own overheads are, for the sentence that blames them. */
const OVERHEADS: Record<ModelName, string> = {
  sequential: 'none',
  threads: 'starting threads, submitting work, handing the GIL over',
  processes: 'starting worker processes, pickling work to them and results back',
  asyncio: 'starting the loop',
};
const cores1 = (c: number) => `${c} ${c === 1 ? 'core' : 'cores'}`;
/** "threads stop", "asyncio stops": the plural names read as plurals. */
const stops = (m: ModelName) => (m === 'threads' || m === 'processes' ? 'stop' : 'stops');
/** A bound explains a plateau when the best makespan is within this factor of it. */
const EXPLAINS = 0.9;

/**
 * For each model: where it stops scaling (the smallest core count within 1% of its best speedup) and why, derived from
 * its curve and the scenario's work, in this order:
 * - a flat curve (best already at the fewest cores): sequential runs the tasks one after another; asyncio's one loop
 *   either runs its CPU work and blocking calls one after another (when they add up to more than the longest task)
 *   or overlaps the waits and is held to the longest task;
 * - threads or processes (workers follow cores) that plateau at or past the task count have run out of tasks;
 * - otherwise the largest lower bound on the model's makespan names the limit, when its best makespan is within 10%
 *   of it: the longest task (every model), the pure Python under one GIL (threads), the work holding the loop
 *   (asyncio); when no bound comes near, the model's own overheads (starting and feeding workers).
 * So threads on I/O-bound work get no GIL sentence, however the model is named. `names`: what each curve is called in
 * the sentence (its legend's name, which tells two curves of one model apart); the model by default.
 */
export function plateau(result: SweepResult, names: readonly string[] = []): Plateau[] {
  const f = result.facts;
  return result.curves.map((curve, i): Plateau => {
    const { model, config } = curve;
    const name = names[i] ?? model;
    const points = result.cores.map((c, i) => ({ c, s: curve.speedups[i], m: curve.makespans[i] })).filter((x) => Number.isFinite(x.s));
    if (!points.length) {
      const reason = `it could not be simulated (${curve.error ?? 'no core counts'})`;
      return { model, config, cores: NaN, speedup: NaN, reason, sentence: `${name}: ${reason}` };
    }
    const best = points.reduce((a, b) => (b.s > a.s ? b : a));
    const near = points.filter((x) => x.s >= best.s * 0.99);
    const at = near.reduce((a, b) => (b.c < a.c ? b : a));
    const smallest = Math.min(...points.map((x) => x.c));
    const flat = at.c === smallest;
    const bestMakespan = best.m;
    const longest = `the longest task (${f.longest.name}, ${sec(f.longest.seconds)}) takes that long on its own`;
    const n = f.tasks;
    const scalesWorkers = model === 'threads' || model === 'processes';
    const bounds: { value: Seconds; text: string }[] = [{ value: f.longest.seconds, text: longest }];
    if (model === 'threads') bounds.push({ value: f.python, text: `the GIL lets one thread run Python at a time (${sec(f.python)} of the ${sec(f.total)} of work is pure Python)` });
    if (model === 'asyncio') bounds.push({ value: f.loopBound, text: `one event loop runs on one core: its ${sec(f.loopBound)} of CPU work and blocking calls run one after another` });
    const top = bounds.reduce((a, b) => (b.value > a.value ? b : a));
    const explained = top.value >= EXPLAINS * bestMakespan;
    let reason: string;
    if (model === 'sequential' && flat) reason = `it runs one task at a time on one thread, ${sec(f.total)} on any number of cores`;
    else if (model === 'asyncio' && flat)
      reason = f.loopBound >= f.longest.seconds ? bounds[1].text : `one event loop runs on one core; it overlaps the waits, and ${longest}`;
    else if (scalesWorkers && at.c >= n) reason = `there ${n === 1 ? 'is only 1 task' : `are only ${n} tasks`}, so further workers have nothing to run`;
    else if (explained) reason = top.text;
    else reason = `its overheads (${OVERHEADS[model]}): its best run takes ${sec(bestMakespan)}, where the work alone needs ${sec(top.value)}`;
    const failed = curve.error !== null ? `; past ${cores1(Math.max(...points.map((x) => x.c)))} it could not be simulated (${curve.error})` : '';
    const sentence = `${name} ${stops(model)} scaling at ${cores1(at.c)} (${at.s.toFixed(2)}×): ${reason}${failed}`;
    return { model, config, cores: at.c, speedup: at.s, reason, sentence };
  });
}

/**
 * The plateaus as sentences, one per reason: models that stop at the same core count for the same reason share one
 * ("processes (fork), processes (forkserver) and processes (spawn) stop scaling at 5 cores (4.30×, 4.29×, 4.27×): the
 * longest task …"), in the order their first model comes. Three process pools said apart repeat the same 20 words.
 */
export function plateauSentences(plateaus: readonly Plateau[], names: readonly string[] = []): string[] {
  const groups: { at: number; reason: string; who: number[] }[] = [];
  plateaus.forEach((q, i) => {
    const same = Number.isFinite(q.cores) ? groups.find((g) => g.at === q.cores && g.reason === q.reason) : undefined;
    if (same) same.who.push(i);
    else groups.push({ at: q.cores, reason: q.reason, who: [i] });
  });
  return groups.map((g) => {
    if (g.who.length === 1) return plateaus[g.who[0]].sentence;
    const who = g.who.map((i) => names[i] ?? plateaus[i].model);
    const list = `${who.slice(0, -1).join(', ')} and ${who[who.length - 1]}`;
    return `${list} stop scaling at ${cores1(g.at)} (${g.who.map((i) => `${plateaus[i].speedup.toFixed(2)}×`).join(', ')}): ${g.reason}`;
  });
}

/** One model's makespan before and after a what-if. */
export interface WhatIfRow {
  model: ModelName;
  config: ModelConfig;
  before: Seconds;
  after: Seconds;
}

export interface WhatIfResult {
  task: number;
  name: string;
  factor: number;
  /** What the task no longer takes alone: its seconds × (1 − 1/factor). The sequential run saves exactly this. */
  saved: Seconds;
  rows: WhatIfRow[];
}

/**
 * Every model's makespan (the scenario's models, on its cores) now, and with task `task`'s every step — its waits
 * too — `factor` times faster: what speeding up that one part of the program buys under each model.
 */
export function whatIf(scenario: Scenario, task: number, factor: number, options: { profile?: CPythonProfile; maxEvents?: number } = {}): WhatIfResult {
  const t = scenario.tasks[task];
  if (!Number.isInteger(task) || !t) throw new Error(`what if: no task ${task} (the scenario has ${scenario.tasks.length})`);
  if (!Number.isFinite(factor) || factor <= 0) throw new Error(`what if: the speed-up factor must be a positive number, not ${factor}`);
  const profile = options.profile ?? DEFAULT_PROFILE;
  const limits = { maxEvents: options.maxEvents };
  const faster: Scenario = {
    ...scenario,
    tasks: scenario.tasks.map((x, i) => (i === task ? { ...x, steps: x.steps.map((s) => ({ ...s, seconds: s.seconds / factor })) } : x)),
  };
  const own = t.steps.reduce((a, s) => a + s.seconds, 0);
  return {
    task,
    name: t.name,
    factor,
    saved: own - own / factor,
    rows: scenario.models.map((config) => ({
      model: config.model,
      config,
      before: runModel(scenario, config, profile, limits).makespan,
      after: runModel(faster, config, profile, limits).makespan,
    })),
  };
}
