import { createActor, type AnyActorRef, type AnyStateMachine } from 'xstate';
import { Kernel, type Command } from './kernel.ts';
import { asyncioMachine } from './models/asyncio.ts';
import { processesMachine } from './models/processes.ts';
import { sequentialMachine } from './models/sequential.ts';
import { threadsMachine } from './models/threads.ts';
import { DEFAULT_PROFILE, type CPythonProfile } from './profile.ts';
import { summarise } from './summary.ts';
import type { ModelRun } from './timeline.ts';
import { MODEL_NAMES, type ModelConfig, type ModelName, type Scenario, type Seconds } from './types.ts';

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
}

/** Run one model over one scenario: the model's machine decides, the kernel keeps time and records. */
export function runModel(scenario: Scenario, config: ModelConfig, profile: CPythonProfile = DEFAULT_PROFILE, limits: SimLimits = {}): ModelRun {
  const kernel = new Kernel(scenario.cores, scenario.tasks.length, profile.osSlice);
  const machine = ENGINE[config.model];
  if (!machine) throw new Error(`no such model: ${JSON.stringify(config.model)} (expected one of ${MODEL_NAMES.join(', ')})`);
  const actor = createActor(machine, { input: { scenario, config, profile } });
  KERNELS.set(actor, kernel);
  let failure: unknown;
  actor.subscribe({ error: (e) => (failure = e) });
  actor.start();
  let end: Seconds;
  try {
    end = kernel.run((e) => actor.send(e), () => actor.getSnapshot().status !== 'active', limits.maxEvents);
  } catch (e) {
    actor.stop();
    throw new Error(`${config.model}: ${(e as Error).message}`);
  }
  if (failure) throw failure;
  const stuck = scenario.tasks.findIndex((_, i) => Number.isNaN(kernel.taskEnd[i]));
  if (stuck >= 0) throw new Error(`${config.model}: task ${scenario.tasks[stuck].name} never finished (simulator bug)`);
  actor.stop();
  const { taskSpans } = kernel.finish(end);
  const run: ModelRun = {
    model: config.model,
    config,
    cores: scenario.cores,
    makespan: end,
    tasks: scenario.tasks.map((t, i) => ({ name: t.name, start: kernel.taskStart[i], end: kernel.taskEnd[i], gilWait: 0 })),
    coreSegments: kernel.segments,
    taskSpans,
    gil: kernel.gil,
    loop: kernel.loop,
    summary: { makespan: end, speedup: 1, utilisation: 0, gilWait: 0, loopBlocked: 0, gilSwitches: 0 },
  };
  const { gilWaitByTask, ...summary } = summarise(run, totalWork(scenario));
  run.summary = summary;
  for (let i = 0; i < run.tasks.length; i++) run.tasks[i].gilWait = gilWaitByTask[i];
  return run;
}

/** Every model the scenario lists, in its order. */
export function simulateScenario(scenario: Scenario, profile: CPythonProfile = DEFAULT_PROFILE, limits: SimLimits = {}): ModelRun[] {
  return scenario.models.map((m) => runModel(scenario, m, profile, limits));
}
