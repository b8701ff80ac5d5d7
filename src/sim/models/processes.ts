import { assertEvent, setup } from 'xstate';
import { resolveConfig } from '../config.ts';
import type { Command, KernelEvent } from '../kernel.ts';
import type { CPythonProfile } from '../profile.ts';
import { NO_TASK } from '../timeline.ts';
import type { ProcessesConfig, StartMethod, Task } from '../types.ts';
import { AFTER_RULE, finishIfDone, stepCommands, kernelAction, ruleAction, withItem, type ModelEvent, type ModelInput, type RuleOutput, type RuleRun } from './kit.ts';

type Phase = 'booting' | 'idle' | 'dispatch' | 'step' | 'result';

interface Worker {
  phase: Phase;
  task: number;
  step: number;
}

interface ProcessesContext extends RuleOutput {
  tasks: Task[];
  profile: CPythonProfile;
  method: StartMethod;
  /** Worker processes this run starts. */
  count: number;
  /** Kernel thread ids: workers are 0…count-1, then the parent's main thread, then the fork server. */
  parent: number;
  server: number;
  /** Who forks the workers: the parent, or (forkserver) the server once it has booted. */
  launcher: number;
  serverReady: boolean;
  launched: number;
  /** Whether work items flow to the call queue yet (see `feedsAfter`). */
  feeding: boolean;
  /** Submitted task indices not yet sent to a worker, FIFO. */
  queue: number[];
  workers: Worker[];
  finished: number;
}
type Ctx = ProcessesContext;

/**
 * Start-up, as ProcessPoolExecutor does it in 3.11 (Lib/concurrent/futures/process.py):
 * - fork: every one of `max_workers` processes is launched at the first submit, before the manager thread starts
 *   feeding the call queue, so no task starts before the last worker is forked.
 * - forkserver and spawn: a process is launched per submit while none is idle (`_adjust_process_count`), and the
 *   manager thread feeds work as soon as the first exists. With all tasks submitted at once that is
 *   min(max_workers, tasks) processes.
 * - The parent launches workers one after another (`launch`); each child then boots on a core of its own (`boot`:
 *   tens of ms for spawn, a fresh interpreter), competing for cores with everything else; a spawn or forkserver child
 *   then re-imports the main module (`mainImport`, on the same core) before it takes work; a forked child has it.
 * Dispatch: a free worker takes the oldest queued task (`dispatch`: pickle, pipe, unpickle), runs it with its own
 * GIL (never contended: one thread per process), and sends back the result (`result`).
 */
function feedsAfter(method: StartMethod, count: number): number {
  return method === 'fork' ? count : 1;
}

class Pool implements RuleRun<Ctx> {
  readonly cmds: Command[] = [];
  readonly c: Ctx;
  constructor(context: Ctx) {
    this.c = { ...context };
  }

  launchNext(): void {
    const { c } = this;
    if (c.launched >= c.count) return;
    this.cmds.push({ op: 'burst', thread: c.launcher, seconds: c.profile.processStart[c.method].launch, task: NO_TASK, step: -1, kind: 'startup' });
  }

  launchedOne(): void {
    const { c } = this;
    const w = c.launched++;
    this.cmds.push({ op: 'spawn', thread: w, label: `worker ${w}` });
    const main = c.method === 'fork' ? 0 : c.profile.mainImport;
    this.cmds.push({ op: 'burst', thread: w, seconds: c.profile.processStart[c.method].boot + main, task: NO_TASK, step: -1, kind: 'startup' });
    if (!c.feeding && c.launched >= feedsAfter(c.method, c.count)) {
      c.feeding = true;
      c.workers.forEach((wk, i) => wk.phase === 'idle' && this.takeWork(i));
    }
    this.launchNext();
  }

  takeWork(w: number): void {
    const { c } = this;
    const [task, ...rest] = c.queue;
    if (!c.feeding || task === undefined) {
      c.workers = withItem(c.workers, w, { phase: 'idle', task: NO_TASK, step: -1 });
      return;
    }
    c.queue = rest;
    c.workers = withItem(c.workers, w, { phase: 'dispatch', task, step: -1 });
    this.cmds.push({ op: 'burst', thread: w, seconds: c.profile.dispatch, task, step: -1, kind: 'overhead' });
  }

  beginStep(w: number): void {
    const { c } = this;
    const { task, step } = c.workers[w];
    const steps = c.tasks[task].steps;
    if (step >= steps.length) {
      this.cmds.push({ op: 'state', task, activity: 'done', step: steps.length - 1 });
      c.finished++;
      c.workers = withItem(c.workers, w, { phase: 'result' });
      this.cmds.push({ op: 'burst', thread: w, seconds: c.profile.result, task, step: -1, kind: 'overhead' });
      return;
    }
    c.workers = withItem(c.workers, w, { phase: 'step' });
    this.cmds.push(...stepCommands(w, task, step, steps[step]));
  }

  nextStep(w: number): void {
    this.c.workers = withItem(this.c.workers, w, { step: this.c.workers[w].step + 1 });
    this.beginStep(w);
  }

  burstDone(thread: number): void {
    const { c } = this;
    if (thread === c.server && !c.serverReady) {
      c.serverReady = true;
      this.launchNext();
      return;
    }
    if (thread === c.launcher) {
      this.launchedOne();
      return;
    }
    switch (c.workers[thread].phase) {
      case 'booting':
      case 'result':
        this.takeWork(thread);
        return;
      case 'dispatch':
        c.workers = withItem(c.workers, thread, { step: 0 });
        this.beginStep(thread);
        return;
      case 'step':
        this.nextStep(thread);
        return;
    }
  }
}


/** processes: `ProcessPoolExecutor(max_workers, mp_context=get_context(startMethod))` + `submit` per task. */
const allTasksDone = (c: Ctx) => c.finished === c.tasks.length && c.workers.every((w) => w.phase !== 'result');
const rulePool = (fn: (r: Pool, e: KernelEvent) => void) => ruleAction<Ctx, Pool>((c) => new Pool(c), fn, allTasksDone);

export const processesMachine = setup({
  types: {
    context: {} as ProcessesContext,
    events: {} as ModelEvent,
    input: {} as ModelInput<ProcessesConfig>,
  },
  actions: {
    kernel: kernelAction,
    finishIfDone: finishIfDone<Ctx>(),
    startPool: rulePool((p) => {
      const { c } = p;
      p.cmds.push({ op: 'spawn', thread: c.parent, label: 'main' });
      if (c.method === 'forkserver') {
        p.cmds.push({ op: 'spawn', thread: c.server, label: 'forkserver' });
        p.cmds.push({ op: 'burst', thread: c.server, seconds: c.profile.forkserverBoot, task: NO_TASK, step: -1, kind: 'startup' });
      } else {
        c.serverReady = true;
        p.launchNext();
      }
    }),
    burstDone: rulePool((p, e) => {
      assertEvent(e, 'BURST_DONE');
      p.burstDone(e.thread);
    }),
    ioDone: rulePool((p, e) => {
      assertEvent(e, 'IO_DONE');
      p.nextStep(e.thread);
    }),
  },
}).createMachine({
  id: 'processes',
  context: ({ input }) => {
    const { startMethod: method, workers: max } = resolveConfig(input.config, input.scenario, input.profile);
    const count = method === 'fork' ? max : Math.min(max, input.scenario.tasks.length);
    return {
      tasks: input.scenario.tasks,
      profile: input.profile,
      method,
      count,
      parent: count,
      server: count + 1,
      launcher: method === 'forkserver' ? count + 1 : count,
      serverReady: false,
      launched: 0,
      feeding: false,
      queue: input.scenario.tasks.map((_, i) => i),
      workers: Array.from({ length: count }, () => ({ phase: 'booting' as Phase, task: NO_TASK, step: -1 })),
      finished: 0,
      out: [],
      allDone: false,
    };
  },
  initial: 'idle',
  states: {
    idle: { on: { START: { target: 'running', actions: ['startPool', ...AFTER_RULE] } } },
    running: {
      on: { ALL_DONE: { target: 'done' }, BURST_DONE: { actions: ['burstDone', ...AFTER_RULE] }, IO_DONE: { actions: ['ioDone', ...AFTER_RULE] } },
    },
    done: { type: 'final' },
  },
});
