import { DEFAULT_PROFILE, type CPythonProfile } from '../../sim/profile.ts';
import newSimWorker from './newSimWorker.ts';
import { simulateScenario } from '../../sim/simulate.ts';
import type { ModelRun } from '../../sim/timeline.ts';
import type { Scenario } from '../../sim/types.ts';

/** A scenario and the runs simulated from it: what the charts show. */
export interface Simulated {
  scenario: Scenario;
  runs: ModelRun[];
}

/** The worker's protocol: a scenario and the timing profile to simulate it with in; its runs, or why not, out. */
export type SimRequest = { id: number; scenario: Scenario; profile: CPythonProfile; maxEvents: number };

/**
 * The most kernel events one model may take in the app: ~2.5 s of work, and a timeline still quick to draw. The heavy
 * benchmark (16,000 GIL hand-offs) takes 16,000; a 0.1 ms switch interval over minutes of pure Python would take
 * millions, and gets a message instead.
 */
export const APP_MAX_EVENTS = 200_000;

/** How many recent results the simulator keeps: a talk's steps back and forth, a slider's recent positions. */
const CACHE_SIZE = 16;
/** Scenarios up to this many steps are remembered (above it, writing the key would cost more than it saves). */
const CACHE_MAX_STEPS = 5_000;

/** What identifies a scenario's result: its content, for scenarios small enough; null: not remembered. */
function keyOf(scenario: Scenario): string | null {
  let steps = 0;
  for (const t of scenario.tasks) steps += t.steps.length;
  return steps > CACHE_MAX_STEPS ? null : JSON.stringify([scenario.cores, scenario.tasks, scenario.models]);
}
export type SimResponse = { id: number; ok: true; runs: ModelRun[]; ms: number } | { id: number; ok: false; error: string; ms: number };

/** The part of a Worker the simulator uses (a test can supply a fake). */
export interface SimWorker {
  postMessage(message: SimRequest): void;
  onmessage: ((e: MessageEvent<SimResponse>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  terminate(): void;
}

const defaultWorker = (): SimWorker => newSimWorker() as unknown as SimWorker;

export interface SimulatorOptions {
  makeWorker?: (() => SimWorker) | null;
  /** A clock in milliseconds, to time simulations. */
  now?: () => number;
  /** When recent simulations took longer than this, the next goes to the worker. */
  budgetMs?: number;
  maxEvents?: number;
  /** The timing constants to simulate with at first (see `setProfile`); CPython's defaults when absent. */
  profile?: CPythonProfile;
  /** Told of every result fetched ahead (see `prefetch`; simulated then, or before), to prepare what showing it needs. */
  onAhead?: (scenario: Scenario, runs: ModelRun[]) => void;
}

/**
 * Simulates what the controls ask for, on the main thread when that is quick (the next frame shows it) and in a
 * Web Worker when it is not (a slider never freezes under the user's finger while, say, 16,000 GIL slices are
 * simulated). Recent simulations' cost decides where the next one runs: a drag asks for similar work each time.
 * Invariants:
 * - `shown` always holds a scenario that simulated cleanly with its runs; a failure sets `error` and keeps it.
 * - At most one request is in the worker, and nothing runs here meanwhile (so results arrive in request order);
 *   while it runs, newer requests replace each other, so a fast drag simulates the latest position, not every one.
 * - Without a worker (or after it fails) every request runs here.
 */
export class Simulator {
  shown = $state.raw<Simulated>() as Simulated;
  /** How many results have been shown: a test or benchmark waits for it to move. */
  generation = $state(0);
  error = $state<string | null>(null);
  private worker: SimWorker | null = null;
  private inFlight: { id: number; scenario: Scenario; key: string | null; ahead: boolean; profile: CPythonProfile } | null = null;
  /** The timing constants simulated with (a calibrated profile the user opened, or CPython's defaults). */
  private profile: CPythonProfile;
  private pending: Scenario | null = null;
  /** A scenario asked for ahead of time (the next story step), simulated when the worker has nothing else to do. */
  private ahead: Scenario | null = null;
  /** Recent results by scenario (see `keyOf`), newest last: a scenario seen again, or fetched ahead, shows at once. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache read in methods, never by the template
  private readonly cache = new Map<string, ModelRun[]>();
  private latest: Scenario | undefined;
  private nextId = 1;
  private readonly now: () => number;
  private readonly budgetMs: number;
  private readonly maxEvents: number;
  private readonly onAhead?: (scenario: Scenario, runs: ModelRun[]) => void;
  /** The last three simulations' cost in milliseconds, wherever they ran; their median decides (one slow run, say a
   * garbage collection, does not send a drag to the worker). */
  private costs: number[] = [];

  /**
   * `first` is simulated at once, so the first paint has charts. If it cannot be, `error` says why and `fallback`
   * (which must simulate cleanly) is shown instead; `first` still counts as the latest request, so asking for it
   * again does not redo the failing work.
   */
  constructor(
    first: Scenario,
    fallback: () => Scenario,
    { makeWorker = defaultWorker, now = () => performance.now(), budgetMs = 16, maxEvents = APP_MAX_EVENTS, onAhead, profile = DEFAULT_PROFILE }: SimulatorOptions = {},
  ) {
    this.profile = profile;
    this.onAhead = onAhead;
    this.now = now;
    this.budgetMs = budgetMs;
    this.maxEvents = maxEvents;
    // Timed, though it also pays for compiling the simulator: better a cheap scenario's next run goes to the worker
    // than a costly one's runs here.
    const t0 = now();
    try {
      this.shown = { scenario: first, runs: this.simulate(first) };
      this.remember(first, this.shown.runs);
    } catch (e) {
      this.error = (e as Error).message;
      const other = fallback();
      this.shown = { scenario: other, runs: this.simulate(other) };
    }
    this.timed(now() - t0);
    this.latest = first;
    try {
      this.worker = makeWorker?.() ?? null;
    } catch {
      this.worker = null;
    }
    if (this.worker) {
      this.worker.onmessage = (e) => this.received(e.data);
      this.worker.onerror = () => this.lost();
      // Warm the worker's compiler on the first scenario, so its first real answer is not its slowest (id 0: no reply
      // is awaited).
      this.worker.postMessage({ id: 0, scenario: $state.snapshot(this.shown.scenario) as Scenario, profile: this.profile, maxEvents: this.maxEvents });
    }
  }

  /**
   * Simulate `scenario` and show it when done; a request equal to the latest one is ignored. One simulated before
   * (or ahead, and done) is shown at once; one being simulated ahead is shown when that is done.
   */
  request(scenario: Scenario): void {
    if (scenario === this.latest) return;
    this.latest = scenario;
    const key = keyOf(scenario);
    const known = key === null ? undefined : this.cache.get(key);
    if (known === this.shown.runs) {
      // What is on screen already (the controls put back after a refused setting, a story step with the same tasks):
      // nothing new to show (no new generation), and nothing asked for since is wanted any more; the scenario asked
      // for is the one shown, so that whoever compares the two sees the charts are current.
      if (this.shown.scenario !== scenario) this.shown = { scenario, runs: this.shown.runs };
      this.error = null;
      this.pending = null;
      if (this.inFlight && !this.inFlight.ahead) this.inFlight = { ...this.inFlight, ahead: true };
      return;
    }
    if (known) {
      this.show(scenario, known);
      return;
    }
    if (this.inFlight?.ahead && key !== null && this.inFlight.key === key && this.inFlight.profile === this.profile) {
      // Already on its way: show it when it arrives.
      this.inFlight = { ...this.inFlight, scenario, ahead: false };
      this.pending = null;
      return;
    }
    this.route(scenario);
  }

  /**
   * Simulate with other timing constants from now on: what is shown is simulated again with them, and nothing
   * simulated with the old ones is shown or remembered (an answer still in the worker is dropped when it arrives).
   */
  setProfile(profile: CPythonProfile): void {
    if (JSON.stringify(profile) === JSON.stringify(this.profile)) return;
    this.profile = profile;
    this.cache.clear();
    this.ahead = null;
    const again = this.latest;
    this.latest = undefined;
    if (again) this.request(again);
  }

  /**
   * Simulate `scenario` ahead of a request for it (a speaker's next click), in the worker and only when it is idle,
   * so that the click shows its charts at once. Never shown by itself; a newer call replaces an older one waiting.
   */
  prefetch(scenario: Scenario): void {
    const key = keyOf(scenario);
    if (key === null || this.inFlight?.key === key) return;
    const known = this.cache.get(key);
    if (known) {
      // Simulated before (an earlier step of a story): nothing to simulate, but what showing it needs may not be
      // prepared (a model that step did not show).
      this.onAhead?.(scenario, known);
      return;
    }
    this.ahead = scenario;
    if (!this.inFlight && this.worker) this.postAhead();
  }

  private postAhead(): void {
    const scenario = this.ahead;
    this.ahead = null;
    if (!scenario) return;
    const key = keyOf(scenario);
    if (key === null || this.cache.has(key)) return;
    this.inFlight = { id: this.nextId++, scenario, key, ahead: true, profile: this.profile };
    this.worker!.postMessage({ id: this.inFlight.id, scenario: $state.snapshot(scenario) as Scenario, profile: this.profile, maxEvents: this.maxEvents });
  }

  private show(scenario: Scenario, runs: ModelRun[]): void {
    this.shown = { scenario, runs };
    this.generation++;
    this.error = null;
  }

  private remember(scenario: Scenario, runs: ModelRun[], key = keyOf(scenario)): void {
    if (key === null) return;
    this.cache.delete(key);
    this.cache.set(key, runs);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
  }

  destroy(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  private route(scenario: Scenario): void {
    if (this.inFlight) this.pending = scenario;
    else if (!this.worker || this.recentCost() <= this.budgetMs) this.runHere(scenario);
    else this.post(scenario);
  }

  private post(scenario: Scenario): void {
    this.inFlight = { id: this.nextId++, scenario, key: keyOf(scenario), ahead: false, profile: this.profile };
    this.worker!.postMessage({ id: this.inFlight.id, scenario: $state.snapshot(scenario) as Scenario, profile: this.profile, maxEvents: this.maxEvents });
  }

  private received(r: SimResponse): void {
    const sent = this.inFlight;
    if (!sent || r.id !== sent.id) return;
    this.inFlight = null;
    this.timed(r.ms);
    if (sent.profile !== this.profile) {
      // Simulated with the constants used before `setProfile`: not what is asked for now.
    } else if (r.ok) {
      this.remember(sent.scenario, r.runs, sent.key);
      if (!sent.ahead) this.show(sent.scenario, r.runs);
      else this.onAhead?.(sent.scenario, r.runs);
    } else if (!sent.ahead) this.error = r.error;
    const next = this.pending;
    this.pending = null;
    if (next) this.route(next);
    else if (this.ahead) this.postAhead();
  }

  /** The worker died (it should not): carry on without it. */
  private lost(): void {
    const redo = this.pending ?? (this.inFlight?.ahead ? null : this.inFlight?.scenario);
    this.destroy();
    this.inFlight = this.pending = this.ahead = null;
    if (redo) this.runHere(redo);
  }

  private runHere(scenario: Scenario): void {
    const t0 = this.now();
    try {
      const runs = this.simulate(scenario);
      this.remember(scenario, runs);
      this.show(scenario, runs);
    } catch (e) {
      this.error = (e as Error).message;
    }
    this.timed(this.now() - t0);
  }

  private simulate(scenario: Scenario) {
    return simulateScenario(scenario, this.profile, { maxEvents: this.maxEvents });
  }

  private timed(ms: number): void {
    this.costs = [...this.costs.slice(-2), ms];
  }

  private recentCost(): number {
    const c = [...this.costs].sort((a, b) => a - b);
    return c.length ? c[c.length >> 1] : 0;
  }
}
