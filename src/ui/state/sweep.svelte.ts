import { DEFAULT_CORES, plannedRuns, sweep, whatIf, type PlannedRun, type SweepResult, type WhatIfResult } from '../../sim/amdahl.ts';
import newSimWorker from './newSimWorker.ts';
import { resolveConfig } from '../../sim/config.ts';
import { DEFAULT_PROFILE, type CPythonProfile } from '../../sim/profile.ts';
import { predictEvents, runModel } from '../../sim/simulate.ts';
import type { ModelConfig, Scenario } from '../../sim/types.ts';
import { APP_MAX_EVENTS } from './simulator.svelte.ts';

/** A scenario and its Amdahl sweep: what the Amdahl panel shows. */
export interface SweepShown {
  scenario: Scenario;
  result: SweepResult;
}

/** The worker's protocol: a sweep or a what-if in; its result, or why it failed, out (with the milliseconds it took). */
export type SweepRequest =
  | { id: number; kind: 'sweep'; scenario: Scenario; profile: CPythonProfile; cores: number[]; maxEvents: number }
  | { id: number; kind: 'what-if'; scenario: Scenario; profile: CPythonProfile; task: number; factor: number; maxEvents: number };
export type SweepResponse =
  | { id: number; ok: true; kind: 'sweep'; result: SweepResult; ms: number }
  | { id: number; ok: true; kind: 'what-if'; result: WhatIfResult; ms: number }
  | { id: number; ok: false; error: string; ms: number };

/** The part of a Worker the sweep uses (a test supplies a fake). */
export interface SweepWorker {
  postMessage(message: SweepRequest): void;
  onmessage: ((e: MessageEvent<SweepResponse>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  terminate(): void;
}

/**
 * The most kernel events one run of a sweep may take. A sweep makes up to a few hundred runs, so this is a quarter of
 * what one interactive simulation may (a model past it gets a message on its curve, the others are drawn): the heavy
 * benchmark (8 threads × 10 s of Python, ~28,000 predicted) still sweeps.
 */
export const SWEEP_MAX_EVENTS = 50_000;

/**
 * A run's cost in event-sized units, for comparing runs before making them: the kernel's prediction (which counts
 * GIL hand-offs and time slices but not start-up), four events per thread or process started, and a fixed cost per run
 * (creating the machine and the kernel, about twenty events' worth).
 */
export function runWeight(scenario: Scenario, config: ModelConfig, cores: number): number {
  const n = scenario.tasks.length;
  let threads = 1;
  const r = resolveConfig(config, { tasks: scenario.tasks, cores });
  if (r.model === 'threads') threads += Math.min(r.workers, n);
  if (r.model === 'processes') {
    const { startMethod: method, workers } = r;
    threads += (method === 'fork' ? workers : Math.min(workers, n)) + (method === 'forkserver' ? 1 : 0);
  }
  return predictEvents({ ...scenario, cores }, config, DEFAULT_PROFILE) + 4 * threads + 20;
}

const defaultWorker = (): SweepWorker => newSimWorker() as unknown as SweepWorker;

export interface SweepStateOptions {
  /** Makes the worker, on first need (null, or a factory that throws: everything runs here). */
  makeWorker?: (() => SweepWorker) | null;
  /** A clock in milliseconds, to time simulations. */
  now?: () => number;
  /** Work estimated to take longer than this (one frame) goes to the worker. */
  budgetMs?: number;
  /** A sweep that has been in the worker this long is abandoned (the worker replaced) when a newer request comes. */
  cancelAfterMs?: number;
  /** Run weight past which no probe runs here to time one simulation: the work goes straight to the worker. */
  probeMaxWeight?: number;
  maxEvents?: number;
  cores?: readonly number[];
}

/**
 * Sweeps the scenario it is asked for (Amdahl's law panel), here when that is quick and in a Web Worker when not, so
 * that input never waits on it for more than a frame or two.
 * - The cost is estimated before any work: each planned run's weight (`runWeight`), times the milliseconds per unit of
 *   weight the last sweeps took (median of three, wherever they ran); before any sweep has run, from one simulation
 *   timed here: the lightest planned run, itself only when light enough (`probeMaxWeight`), else straight to the worker.
 * - At most one sweep is in the worker; newer requests replace the one waiting, so a fast drag sweeps the latest
 *   scenario, not every one it passed. A sweep that has run longer than `cancelAfterMs` when a newer one comes is
 *   abandoned: the worker is replaced and the newer one starts at once.
 * - `shown` keeps the last sweep that ran; a failure sets `error` and keeps it. Without a worker everything runs here.
 */
export class Sweep {
  shown = $state.raw<SweepShown | null>(null);
  /** How many results have been shown. */
  generation = $state(0);
  error = $state<string | null>(null);
  /** A sweep is being computed in the worker. */
  busy = $state(false);
  private worker: SweepWorker | null = null;
  private made = false;
  private destroyed = false;
  private inFlight: { id: number; scenario: Scenario; sentAt: number; weight: number } | null = null;
  private pending: Scenario | null = null;
  private latest: Scenario | null = null;
  /** The timing constants swept with (see Simulator.setProfile). */
  private profile: CPythonProfile = DEFAULT_PROFILE;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping of answers awaited, never drawn
  private whatIfs = new Map<number, { weight: number; args: [Scenario, number, number]; resolve: (r: WhatIfResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  /** Milliseconds per unit of run weight, the last three measured. */
  private rates: number[] = [];
  private readonly makeWorker: (() => SweepWorker) | null;
  private readonly now: () => number;
  private readonly budgetMs: number;
  private readonly cancelAfterMs: number;
  private readonly probeMaxWeight: number;
  private readonly maxEvents: number;
  private readonly cores: number[];

  constructor({
    makeWorker = defaultWorker,
    now = () => performance.now(),
    budgetMs = 16,
    cancelAfterMs = 1000,
    probeMaxWeight = 2000,
    maxEvents = SWEEP_MAX_EVENTS,
    cores = DEFAULT_CORES,
  }: SweepStateOptions = {}) {
    this.makeWorker = makeWorker;
    this.now = now;
    this.budgetMs = budgetMs;
    this.cancelAfterMs = cancelAfterMs;
    this.probeMaxWeight = probeMaxWeight;
    this.maxEvents = maxEvents;
    this.cores = [...cores];
  }

  /** Sweep `scenario` and show it when done; the same object as the latest request is ignored. */
  request(scenario: Scenario): void {
    if (scenario === this.latest || this.destroyed) return;
    this.latest = scenario;
    if (this.inFlight && this.now() - this.inFlight.sentAt > this.cancelAfterMs) this.abandon();
    this.route(scenario);
  }

  /** Sweep with other timing constants from now on: the latest scenario is swept again; a sweep under way is dropped. */
  setProfile(profile: CPythonProfile): void {
    if (JSON.stringify(profile) === JSON.stringify(this.profile)) return;
    this.profile = profile;
    if (this.inFlight) this.abandon();
    this.pending = null;
    const again = this.latest;
    this.latest = null;
    if (again) this.request(again);
  }

  /**
   * Every model's makespan with task `task` `factor`× faster (see `whatIf`), computed here or in the worker. Its runs
   * may take as many events as the app's own (APP_MAX_EVENTS): whatever the charts show can be asked about.
   */
  whatIf(scenario: Scenario, task: number, factor: number): Promise<WhatIfResult> {
    const weight = 2 * scenario.models.reduce((a, m) => a + runWeight(scenario, m, scenario.cores), 0);
    const worker = this.estimate(weight, () => ({ scenario, config: scenario.models[0], cores: scenario.cores })) > this.budgetMs ? this.getWorker() : null;
    if (!worker) {
      try {
        return Promise.resolve(this.timed(weight, () => whatIf(scenario, task, factor, { maxEvents: APP_MAX_EVENTS, profile: this.profile })));
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.whatIfs.set(id, { weight, args: [scenario, task, factor], resolve, reject });
      worker.postMessage({ id, kind: 'what-if', scenario: $state.snapshot(scenario) as Scenario, profile: this.profile, task, factor, maxEvents: APP_MAX_EVENTS });
    });
  }

  destroy(): void {
    this.destroyed = true;
    this.worker?.terminate();
    this.worker = null;
    this.inFlight = this.pending = null;
    this.busy = false;
    for (const w of this.whatIfs.values()) w.reject(new Error('the sweep was closed'));
    this.whatIfs.clear();
  }

  private getWorker(): SweepWorker | null {
    if (!this.made && !this.destroyed) {
      this.made = true;
      try {
        this.worker = this.makeWorker?.() ?? null;
      } catch {
        this.worker = null;
      }
      if (this.worker) {
        this.worker.onmessage = (e) => this.received(e.data);
        this.worker.onerror = () => this.lost();
      }
    }
    return this.worker;
  }

  private route(scenario: Scenario): void {
    if (this.inFlight) {
      this.pending = scenario;
      return;
    }
    let plan: PlannedRun[];
    try {
      plan = plannedRuns(scenario, { cores: this.cores });
    } catch (e) {
      this.error = (e as Error).message;
      return;
    }
    const weight = plan.reduce((a, r) => a + runWeight(scenario, r.config, r.cores), 0);
    const lightest = () => {
      const r = plan.reduce((a, b) => (runWeight(scenario, b.config, b.cores) < runWeight(scenario, a.config, a.cores) ? b : a));
      return { scenario, config: r.config, cores: r.cores };
    };
    const worker = this.getWorker() && this.estimate(weight, lightest) > this.budgetMs ? this.worker : null;
    if (worker) this.post(worker, scenario, weight);
    else this.runHere(scenario, weight);
  }

  /**
   * Milliseconds `weight` is expected to take: from the recent rate, or from one simulation timed now (the lightest
   * the caller names, when it is light enough: else Infinity, and the work goes to the worker unmeasured).
   */
  private estimate(weight: number, probe: () => { scenario: Scenario; config: ModelConfig; cores: number }): number {
    if (this.rates.length) return this.rate() * weight;
    if (!this.getWorker()) return 0;
    const { scenario, config, cores } = probe();
    const w = runWeight(scenario, config, cores);
    if (w > this.probeMaxWeight) return Infinity;
    // The probe is one of the sweep's own runs (the lightest), at full price: the sweep that follows repeats it.
    const t0 = this.now();
    try {
      runModel({ ...scenario, cores }, config, this.profile, { maxEvents: this.maxEvents });
    } catch {
      return Infinity;
    }
    return ((this.now() - t0) / w) * weight;
  }

  private post(worker: SweepWorker, scenario: Scenario, weight: number): void {
    this.inFlight = { id: this.nextId++, scenario, sentAt: this.now(), weight };
    this.busy = true;
    worker.postMessage({ id: this.inFlight.id, kind: 'sweep', scenario: $state.snapshot(scenario) as Scenario, profile: this.profile, cores: this.cores, maxEvents: this.maxEvents });
  }

  private received(r: SweepResponse): void {
    const w = this.whatIfs.get(r.id);
    if (w) {
      this.whatIfs.delete(r.id);
      this.measured(r.ms, w.weight);
      if (r.ok && r.kind === 'what-if') w.resolve(r.result);
      else w.reject(new Error(r.ok ? 'unexpected answer' : r.error));
      return;
    }
    const sent = this.inFlight;
    if (!sent || r.id !== sent.id) return;
    this.inFlight = null;
    this.busy = false;
    this.measured(r.ms, sent.weight);
    if (r.ok && r.kind === 'sweep') this.show(sent.scenario, r.result);
    else this.error = r.ok ? 'unexpected answer' : r.error;
    const next = this.pending;
    this.pending = null;
    if (next) this.route(next);
  }

  /** The in-flight sweep has run too long for a newer request to wait on: replace the worker. */
  private abandon(): void {
    const waiting = [...this.whatIfs.values()];
    this.whatIfs.clear();
    this.worker?.terminate();
    this.worker = null;
    this.made = false;
    this.inFlight = null;
    this.busy = false;
    for (const w of waiting) this.whatIf(...w.args).then(w.resolve, w.reject);
  }

  /** The worker died (it should not): carry on without it, redoing here what it had. */
  private lost(): void {
    const redo = this.pending ?? this.inFlight?.scenario;
    const waiting = [...this.whatIfs.values()];
    this.whatIfs.clear();
    this.worker?.terminate();
    this.worker = null;
    this.inFlight = this.pending = null;
    this.busy = false;
    for (const w of waiting) this.whatIf(...w.args).then(w.resolve, w.reject);
    if (redo) this.route(redo);
  }

  private runHere(scenario: Scenario, weight: number): void {
    try {
      const result = this.timed(weight, () => sweep(scenario, { cores: this.cores, maxEvents: this.maxEvents, profile: this.profile }));
      this.show(scenario, result);
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private show(scenario: Scenario, result: SweepResult): void {
    this.shown = { scenario, result };
    this.generation++;
    this.error = null;
  }

  private timed<T>(weight: number, f: () => T): T {
    const t0 = this.now();
    try {
      return f();
    } finally {
      this.measured(this.now() - t0, weight);
    }
  }

  private measured(ms: number, weight: number): void {
    if (weight > 0) this.rates = [...this.rates.slice(-2), ms / weight];
  }

  private rate(): number {
    const r = [...this.rates].sort((a, b) => a - b);
    return r[r.length >> 1];
  }
}
