import { assertEvent, setup } from 'xstate';
import { resolveConfig } from '../config.ts';
import type { Command, KernelEvent } from '../kernel.ts';
import type { CPythonProfile } from '../profile.ts';
import { NO_TASK } from '../timeline.ts';
import type { AsyncioConfig, Task } from '../types.ts';
import { AFTER_RULE, SEGMENT_OF, finishIfDone, kernelAction, ruleAction, type ModelEvent, type ModelInput, type RuleOutput, type RuleRun } from './kit.ts';

/** The loop's one thread. */
const LOOP = 0;

interface AsyncioContext extends RuleOutput {
  tasks: Task[];
  profile: CPythonProfile;
  /** The loop's ready queue (`loop._ready`): tasks to resume, FIFO. */
  ready: number[];
  /** The task the loop is running now, -1 when it waits in `select()`. */
  current: number;
  /** Per task: the step to run when it is next resumed. */
  next: number[];
  started: boolean[];
  /** `asyncio.Semaphore(workers)`: free slots, and the tasks waiting in `acquire()`, FIFO. */
  semFree: number;
  semWaiters: number[];
  finished: number;
}
type Ctx = AsyncioContext;

/**
 * asyncio: `asyncio.run(gather(*(run(t) for t in tasks)))`, each behind `async with sem` when `workers` is set.
 * - Tasks start in creation order (gather schedules each first step with `call_soon`).
 * - A task runs until it awaits: `cpu` and `native` steps and blocking `io` (a `time.sleep` in a coroutine) hold
 *   the whole loop; an awaited `io` step hands the loop to the next ready task.
 * - A finished await puts its task at the back of the ready queue; timers due at the same instant are ready in the
 *   order they were set.
 * - `Semaphore.release()` wakes the longest waiter, which is resumed through the ready queue like any other.
 */
class Loop implements RuleRun<Ctx> {
  readonly cmds: Command[] = [];
  readonly c: Ctx;
  private readonly sharedNext: number[];
  constructor(context: Ctx) {
    this.c = { ...context };
    this.sharedNext = context.next;
  }

  /** Copy-on-write: the previous snapshot's context is never mutated. */
  private setNext(t: number, step: number): void {
    if (this.c.next === this.sharedNext) this.c.next = this.c.next.slice();
    this.c.next[t] = step;
  }

  /** Run ready tasks until one holds the loop or none is left. */
  runReady(): void {
    const c = this.c;
    while (c.current < 0 && c.ready.length) {
      const [t, ...rest] = c.ready;
      c.ready = rest;
      if (!c.started[t]) {
        if (c.semFree <= 0) {
          c.semWaiters = [...c.semWaiters, t];
          continue;
        }
        c.semFree--;
        c.started = c.started.slice();
        c.started[t] = true;
      }
      this.run(t);
    }
    if (c.current < 0) this.cmds.push({ op: 'loop', task: NO_TASK, step: -1, kind: null });
  }

  /** Resume task `t` at its next step. */
  run(t: number): void {
    const c = this.c;
    const steps = c.tasks[t].steps;
    const i = c.next[t];
    if (i >= steps.length) {
      this.cmds.push({ op: 'state', task: t, activity: 'done', step: steps.length - 1 });
      c.finished++;
      c.current = -1;
      const [w, ...rest] = c.semWaiters;
      if (w === undefined) c.semFree++;
      else {
        // The slot passes to the longest waiter; its acquire() returns when the loop resumes it.
        c.semWaiters = rest;
        c.semFree++;
        c.ready = [...c.ready, w];
      }
      return;
    }
    const s = steps[i];
    c.current = t;
    if (s.kind === 'io' && !s.blocking) {
      c.current = -1;
      this.cmds.push({ op: 'state', task: t, activity: 'io', step: i });
      this.cmds.push({ op: 'timer', delay: s.seconds, event: { type: 'IO_DONE', thread: LOOP, task: t } });
      return;
    }
    this.markBlocked();
    if (s.kind === 'io') {
      this.cmds.push({ op: 'loop', task: t, step: i, kind: 'blocking-io' });
      this.cmds.push({ op: 'state', task: t, activity: 'io', step: i });
      this.cmds.push({ op: 'timer', delay: s.seconds, event: { type: 'WAKE', thread: LOOP } });
    } else {
      this.cmds.push({ op: 'loop', task: t, step: i, kind: s.kind });
      this.cmds.push({ op: 'state', task: t, activity: 'active', step: i });
      this.cmds.push({ op: 'burst', thread: LOOP, seconds: s.seconds, task: t, step: i, kind: SEGMENT_OF[s.kind] });
    }
  }

  /** Tasks whose await is over but that wait behind the busy loop are `blocked`. */
  private markBlocked(): void {
    for (const r of this.c.ready) {
      if (this.c.started[r]) this.cmds.push({ op: 'state', task: r, activity: 'blocked', step: this.c.next[r] - 1 });
    }
  }

  /** The current task's step is over (a burst, or a blocking call): it goes on to its next step. */
  stepDone(): void {
    const t = this.c.current;
    this.setNext(t, this.c.next[t] + 1);
    this.c.current = -1;
    this.run(t);
    this.runReady();
  }

  awaited(t: number): void {
    this.setNext(t, this.c.next[t] + 1);
    this.c.ready = [...this.c.ready, t];
    if (this.c.current >= 0) this.markBlocked();
    else this.runReady();
  }
}


const allTasksDone = (c: Ctx) => c.finished === c.tasks.length;
const ruleLoop = (fn: (r: Loop, e: KernelEvent) => void) => ruleAction<Ctx, Loop>((c) => new Loop(c), fn, allTasksDone);

export const asyncioMachine = setup({
  types: {
    context: {} as AsyncioContext,
    events: {} as ModelEvent,
    input: {} as ModelInput<AsyncioConfig>,
  },
  actions: {
    kernel: kernelAction,
    finishIfDone: finishIfDone<Ctx>(),
    startLoop: ruleLoop((l) => {
      l.cmds.push({ op: 'spawn', thread: LOOP, label: 'event loop' });
      l.cmds.push({ op: 'burst', thread: LOOP, seconds: l.c.profile.loopStart, task: NO_TASK, step: -1, kind: 'overhead' });
    }),
    scheduleAll: ruleLoop((l) => {
      l.c.ready = l.c.tasks.map((_, i) => i);
      l.runReady();
    }),
    stepDone: ruleLoop((l) => l.stepDone()),
    awaited: ruleLoop((l, e) => {
      assertEvent(e, 'IO_DONE');
      l.awaited(e.task);
    }),
  },
}).createMachine({
  id: 'asyncio',
  context: ({ input }) => ({
    tasks: input.scenario.tasks,
    profile: input.profile,
    ready: [],
    current: -1,
    next: input.scenario.tasks.map(() => 0),
    started: input.scenario.tasks.map(() => false),
    semFree: resolveConfig(input.config, input.scenario, input.profile).workers ?? Number.MAX_SAFE_INTEGER,
    semWaiters: [],
    finished: 0,
    out: [],
    allDone: false,
  }),
  initial: 'idle',
  states: {
    idle: { on: { START: { target: 'starting', actions: ['startLoop', ...AFTER_RULE] } } },
    /** `asyncio.run()` sets up the loop and creates the tasks. */
    starting: { on: { BURST_DONE: { target: 'running', actions: ['scheduleAll', ...AFTER_RULE] } } },
    running: {
      on: {
        ALL_DONE: { target: 'done' },
        BURST_DONE: { actions: ['stepDone', ...AFTER_RULE] },
        WAKE: { actions: ['stepDone', ...AFTER_RULE] },
        IO_DONE: { actions: ['awaited', ...AFTER_RULE] },
      },
    },
    done: { type: 'final' },
  },
});
