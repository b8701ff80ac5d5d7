import { createActor, type AnyActorRef, type AnyStateMachine } from 'xstate';
import { EventCapError, Kernel, type Command } from './kernel.ts';
import { asyncioMachine } from './models/asyncio.ts';
import { processesMachine } from './models/processes.ts';
import { sequentialMachine } from './models/sequential.ts';
import { threadsMachine } from './models/threads.ts';
import { resolveConfig } from './config.ts';
import { syncTable } from './models/primitives.ts';
import { DEFAULT_PROFILE, type CPythonProfile } from './profile.ts';
import { summarise } from './summary.ts';
import type { ModelRun } from './timeline.ts';
import { MODEL_NAMES, type ModelConfig, type ModelName, type Scenario, type Seconds, type StepKind } from './types.ts';

export const MACHINES: Record<ModelName, AnyStateMachine> = {
  sequential: sequentialMachine,
  threads: threadsMachine,
  processes: processesMachine,
  asyncio: asyncioMachine,
};

/** The kernel each running model actor drives. */
const KERNELS = new WeakMap<AnyActorRef, Kernel>();

/**
 * The machines with their `kernel` action wired to the actor's own kernel, built once: `provide` makes a new machine,
 * and a new machine starts with cold caches (its transition tables are memoised per machine).
 */
const ENGINE: Record<ModelName, AnyStateMachine> = Object.fromEntries(
  Object.entries(MACHINES).map(([name, m]) => [
    name,
    m.provide({ actions: { kernel: ({ self }: { self: AnyActorRef }, params: { cmds: Command[] }) => KERNELS.get(self)!.apply(params.cmds) } }),
  ]),
) as Record<ModelName, AnyStateMachine>;

/** The sequential makespan: every step's seconds, one after another. */
export function totalWork(scenario: Scenario): Seconds {
  let sum = 0;
  for (const t of scenario.tasks) for (const s of t.steps) sum += s.seconds;
  return sum;
}

/** How much a caller lets a run do before it gives up with an error saying why. */
export interface SimLimits {
  /** Kernel events (the default, 5 million, is minutes of work; an interactive caller wants far fewer). */
  maxEvents?: number;
  /** Foresight's horizon (see models/kit.ts): 0 makes the machine answer every event itself, the same run. */
  horizon?: number;
}

/** The command line's default cap: about ten seconds of simulating (a flag raises it). */
export const CLI_MAX_EVENTS = 2_000_000;

/**
 * An estimate of the kernel events a run takes, from the scenario alone, so that a run far past the cap is refused at
 * once instead of after minutes: one per step, plus two per GIL hand-off while two threads have Python to run (one
 * switch interval of Python each), plus four per C call of a native step that returns into a GIL held by another
 * task's Python (two hand-offs; each such call lasts a call and an interval of that Python), plus one per OS time
 * slice of CPU work beyond what the cores run at once. Calls made while the GIL is free cost none (they run as one
 * burst). It counts low (a hand-off takes more than two events, a contended call about five), but assumes the
 * threads' Python overlaps, the usual case: where waits keep it apart, a run it refuses might have fitted, and the
 * CLI's --max-events lets it through.
 */
export function predictEvents(scenario: Scenario, config: ModelConfig, profile: CPythonProfile = DEFAULT_PROFILE): number {
  const of = (kind: StepKind) => scenario.tasks.map((t) => t.steps.reduce((a, s) => a + (s.kind === kind ? s.seconds : 0), 0));
  const python = of('cpu');
  const cpu = scenario.tasks.map((t) => t.steps.reduce((a, s) => a + (s.kind === 'io' ? 0 : s.seconds), 0));
  let events = scenario.tasks.reduce((a, t) => a + t.steps.length, 0);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const r = resolveConfig(config, scenario, profile);
  if (r.model === 'threads' && r.workers > 1) {
    const interval = r.switchIntervalMs / 1000;
    events += (2 * (sum(python) - Math.max(0, ...python))) / interval;
    // The Python that can hold the GIL against task i's calls: the longest of the other tasks'.
    const [first, second] = [...python].sort((a, b) => b - a);
    const call = profile.callSeconds;
    of('native').forEach((n, i) => {
      const others = python[i] === first ? (second ?? 0) : first;
      events += 4 * Math.min(n / call, others / (interval + call));
    });
  }
  if (r.model === 'processes' && r.workers > scenario.cores) {
    const alone = sum([...cpu].sort((a, b) => b - a).slice(0, scenario.cores));
    events += (sum(cpu) - alone) / profile.osSlice;
  }
  return Math.floor(events);
}

/** What to change to make a run smaller, by model. */
const SMALLER: Record<ModelName, string> = {
  sequential: 'fewer or shorter tasks need fewer',
  threads: 'a longer switch interval, fewer or shorter tasks need fewer',
  processes: 'fewer workers than cores, fewer or shorter tasks need fewer',
  asyncio: 'fewer or shorter tasks need fewer',
};

/** How far past a deadlock's stall its run is drawn: a quarter of the run so far, at least 10 ms. */
export const HANG_SHOWN = 0.25;
export const MIN_HANG_SHOWN = 0.01;

/** Run one model over one scenario: the model's machine decides, the kernel keeps time and records. */
export function runModel(scenario: Scenario, config: ModelConfig, profile: CPythonProfile = DEFAULT_PROFILE, limits: SimLimits = {}): ModelRun {
  if (!MACHINES[config.model]) throw new Error(`no such model: ${JSON.stringify(config.model)} (expected one of ${MODEL_NAMES.join(', ')})`);
  const max = limits.maxEvents ?? 5_000_000;
  const predicted = predictEvents(scenario, config, profile);
  if (predicted > max) {
    throw new Error(
      `${config.model}: at least ${predicted.toLocaleString('en')} scheduling events (GIL hand-offs, time slices, wake-ups), more than the ${max.toLocaleString('en')} allowed, too many to simulate and draw here; ${SMALLER[config.model]}`,
    );
  }
  const table = syncTable(scenario);
  const kernel = new Kernel(scenario.cores, scenario.tasks.length, profile.osSlice, table.names.map((name, i) => ({ name, type: table.types[i] })));
  const machine = ENGINE[config.model];
  const actor = createActor(machine, { input: { scenario, config, profile, horizon: limits.horizon } });
  KERNELS.set(actor, kernel);
  let failure: unknown;
  actor.subscribe({ error: (e) => (failure = e) });
  actor.start();
  let end: Seconds;
  try {
    end = kernel.run((e) => actor.send(e), () => actor.getSnapshot().status !== 'active', max);
  } catch (e) {
    actor.stop();
    throw new Error(`${config.model}: ${(e as Error).message}${e instanceof EventCapError ? `; ${SMALLER[config.model]}` : ''}`);
  }
  if (failure) throw failure;
  // A task may end unfinished only with an outcome saying why (deadlocked, skipped, broken, cancelled).
  const stuck = scenario.tasks.findIndex((_, i) => Number.isNaN(kernel.taskEnd[i]) && kernel.outcomes[i].outcome === 'ok');
  if (stuck >= 0) throw new Error(`${config.model}: task ${scenario.tasks[stuck].name} never finished (simulator bug)`);
  actor.stop();
  // Not left to the WeakMap: a stopped actor stays reachable until a full collection (XState's doing; see the
  // kernel's `foresee`), and its entry with it, so young collections kept copying the whole run's timeline
  // (measured: 2.0 → 1.4 MB left after a collatz run).
  KERNELS.delete(actor);
  // A deadlocked program never ends: its run is drawn on past the stall, waits open, so the chart shows who is stuck
  // on what (the report's `deadlock.at` is the stall itself).
  const outcomes = kernel.outcomes.map((o) => o.outcome);
  if (outcomes.includes('deadlocked')) end += Math.max(HANG_SHOWN * end, MIN_HANG_SHOWN);
  const { taskSpans } = kernel.finish(end);
  const run: ModelRun = {
    model: config.model,
    config,
    cores: scenario.cores,
    makespan: end,
    tasks: scenario.tasks.map((t, i) => ({ name: t.name, start: kernel.taskStart[i], end: kernel.taskEnd[i], gilWait: 0, ...kernel.outcomes[i] })),
    coreSegments: kernel.segments,
    taskSpans,
    gil: kernel.gil,
    loop: kernel.loop,
    sync: kernel.sync,
    marks: kernel.marks,
    deadlock: kernel.deadlock,
    error: kernel.error,
    shared: kernel.shared,
    choices: kernel.choices,
    summary: { makespan: end, speedup: 1, utilisation: 0, gilWait: 0, loopBlocked: 0, gilSwitches: 0 },
  };
  const { gilWaitByTask, ...summary } = summarise(run, totalWork(scenario));
  // A run that did not do all its work (an error, a crash, a deadlock) has no speedup over doing it all.
  if (run.tasks.some((t) => t.outcome !== 'ok')) summary.speedup = NaN;
  run.summary = summary;
  for (let i = 0; i < run.tasks.length; i++) run.tasks[i].gilWait = gilWaitByTask[i];
  return run;
}

/** Every model the scenario lists, in its order. */
export function simulateScenario(scenario: Scenario, profile: CPythonProfile = DEFAULT_PROFILE, limits: SimLimits = {}): ModelRun[] {
  return scenario.models.map((m) => runModel(scenario, m, profile, limits));
}
