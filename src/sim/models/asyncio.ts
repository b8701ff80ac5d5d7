import { setup } from 'xstate';
import { resolveConfig } from '../config.ts';
import type { Command, KernelEvent } from '../kernel.ts';
import type { CPythonProfile } from '../profile.ts';
import { NO_TASK } from '../timeline.ts';
import type { AsyncioConfig, SyncStep, Task } from '../types.ts';
import { adoptAction, answerOf, assertKernelEvent, foreseeing, ruleStep, type Foreseeing, lifecycle, CRASH, SEGMENT_OF, classify, endTask, kernelAction, reportStall, ruleActions, sharedCommands, tallyShared, type ModelEvent, type ModelContext, type ModelInput, type RuleRun, type SharedTally } from './kit.ts';
import { Sync, syncTable, type SyncObj, type SyncTable } from './primitives.ts';

/** The loop's one thread. */
const LOOP = 0;

interface AsyncioContext extends Foreseeing<AsyncioContext> {
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
  api: 'gather' | 'taskgroup';
  table: SyncTable;
  sync: readonly SyncObj[];
  shared: SharedTally;
  /** Per task: finished (whatever its outcome), so the error paths know whom to cancel. */
  over: boolean[];
}
type Ctx = AsyncioContext;

/**
 * A shallow copy of the state, field by field (the type checker insists on every one): V8 makes it several times
 * faster than `{ ...c }`, which every event pays, thousands of times a run.
 */
const copyState = (c: Ctx): Ctx => ({
  tasks: c.tasks,
  profile: c.profile,
  ready: c.ready,
  current: c.current,
  next: c.next,
  started: c.started,
  semFree: c.semFree,
  semWaiters: c.semWaiters,
  finished: c.finished,
  api: c.api,
  table: c.table,
  sync: c.sync,
  shared: c.shared,
  over: c.over,
  f: c.f,
  out: c.out,
  allDone: c.allDone,
});

/**
 * asyncio: `asyncio.run(gather(*(run(t) for t in tasks)))`, each behind `async with sem` when `workers` is set.
 * - Tasks start in creation order (gather schedules each first step with `call_soon`).
 * - A task runs until it awaits: `cpu` and `native` steps and blocking `io` (a `time.sleep` in a coroutine) hold
 *   the whole loop; an awaited `io` step hands the loop to the next ready task.
 * - A finished await puts its task at the back of the ready queue; timers due at the same instant are ready in the
 *   order they were set.
 * - `Semaphore.release()` wakes the longest waiter, which is resumed through the ready queue like any other.
 * - The scenario's locks, queues, events and barriers are asyncio's: a call that can go on at once does, without
 *   yielding to the loop; one that must wait is an await (the loop runs the next ready task); a task it wakes is
 *   put at the back of the ready queue (its future's callback is scheduled with `call_soon`). asyncio's Lock is fair.
 * - An exception: with `gather` it reaches `main()` at once, which raises out of `asyncio.run()`, and `asyncio.run()`
 *   cancels every task still pending on its way out; with a TaskGroup the group cancels the others at once and
 *   raises an ExceptionGroup once they are done (here, the same instant: a cancelled task stops at its await). A
 *   crash ends the process: every unfinished task is broken.
 */
class Loop implements RuleRun<Ctx> {
  readonly cmds: Command[] = [];
  readonly c: Ctx;
  private readonly sharedNext: number[];
  /** `owned`: foresight's working copy (see `Answer.own`), whose fields are changed in place, not copied first. */
  constructor(context: Ctx, owned: boolean) {
    this.c = owned ? context : copyState(context);
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

  /** Resume task `t` at its next step, going on through steps that need no waiting. */
  run(t: number): void {
    const c = this.c;
    const steps = c.tasks[t].steps;
    const sync = new Sync(c.table, c.sync, this.cmds, true);
    try {
      for (;;) {
        const i = c.next[t];
        if (i >= steps.length) {
          this.cmds.push({ op: 'state', task: t, activity: 'done', step: steps.length - 1 });
          this.finish(t);
          return;
        }
        const s = steps[i];
        const kind = classify(s);
        if (kind === 'sync') {
          const res = sync.step(t, s as SyncStep);
          if ('error' in res) {
            c.sync = sync.objs;
            this.fail(t, i, res.error);
            return;
          }
          if (!res.done) {
            this.cmds.push({ op: 'state', task: t, activity: res.wait, step: i, on: c.table.names[sync.objectOf(s as SyncStep)] });
            c.current = -1;
            return;
          }
          // A woken task has what it waited for (asyncio's primitives hand over): it resumes after its await.
          // Until the loop gets to it, it is ready but behind the running task: blocked.
          for (const w of res.wakes) {
            this.setNext(w.task, c.next[w.task] + 1);
            c.ready = [...c.ready, w.task];
            this.cmds.push({ op: 'state', task: w.task, activity: 'blocked', step: c.next[w.task] - 1 });
          }
          this.setNext(t, i + 1);
          continue;
        }
        if (kind === 'raise' || kind === 'crash') {
          c.sync = sync.objs;
          if (kind === 'raise') this.fail(t, i, (s as { error: string }).error);
          else this.crash(t, i);
          return;
        }
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
          return;
        }
        if (s.kind === 'update') c.shared = tallyShared(c.shared, s.shared, { final: s.times, expected: s.times });
        const work = s.kind as keyof typeof SEGMENT_OF;
        this.cmds.push({ op: 'loop', task: t, step: i, kind: work === 'native' ? 'native' : 'cpu' });
        this.cmds.push({ op: 'state', task: t, activity: 'active', step: i });
        this.cmds.push({ op: 'burst', thread: LOOP, seconds: s.seconds, task: t, step: i, kind: SEGMENT_OF[work] });
        return;
      }
    } finally {
      c.sync = sync.objs;
    }
  }

  /** Task `t` is over: its Semaphore slot passes on. */
  private finish(t: number): void {
    const c = this.c;
    c.finished++;
    c.over = c.over.slice();
    c.over[t] = true;
    c.current = -1;
    if (!c.started[t]) return;
    const [w, ...rest] = c.semWaiters;
    if (w === undefined) c.semFree++;
    else {
      // The slot passes to the longest waiter; its acquire() returns when the loop resumes it.
      c.semWaiters = rest;
      c.semFree++;
      c.ready = [...c.ready, w];
    }
  }

  /** Task `t` raised `error` at step `i`: it reaches main() (gather) or the TaskGroup; every other task is cancelled. */
  private fail(t: number, i: number, error: string): void {
    endTask(this.cmds, t, i, 'raised', error);
    this.finish(t);
    const group = this.c.api === 'taskgroup';
    this.cmds.push({
      op: 'error',
      error: group
        ? { type: 'ExceptionGroup', task: t, how: `the TaskGroup cancelled the other tasks, then raised an ExceptionGroup holding the ${error}` }
        : { type: error, task: t, how: 'asyncio.gather() passed it to main() at once; asyncio.run() then cancelled the tasks still pending' },
    });
    this.endAll('cancelled', 'CancelledError');
  }

  /** The process died at step `i` of task `t`: nothing else runs. */
  private crash(t: number, i: number): void {
    endTask(this.cmds, t, i, 'broken', CRASH, 'the process died (os._exit)');
    this.finish(t);
    this.cmds.push({ op: 'error', error: { type: CRASH, task: t, how: 'the process died at once, the event loop with it: no exception, no clean-up' } });
    this.endAll('broken', CRASH);
  }

  /** Every unfinished task ends so, at once; the loop stops. */
  private endAll(outcome: 'cancelled' | 'broken', error: string): void {
    const c = this.c;
    for (let u = 0; u < c.tasks.length; u++) {
      if (c.over[u]) continue;
      endTask(this.cmds, u, c.started[u] ? Math.max(0, c.next[u] - 1) : -1, outcome, error, outcome === 'cancelled' ? 'cancelled' : 'its process died');
      this.finish(u);
    }
    c.ready = [];
    c.current = -1;
    this.cmds.push({ op: 'loop', task: NO_TASK, step: -1, kind: null });
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
const ruleLoop = (fn: (r: Loop, e: KernelEvent) => void) =>
  ruleStep<Ctx, Loop>(
    (c, _e, owned) => new Loop(c, owned),
    (l, e) => {
      fn(l, e);
      if (allTasksDone(l.c)) l.cmds.push(...sharedCommands(l.c.shared));
    },
    allTasksDone,
  );

/** The model's state when a run begins. */
const initialState = (input: ModelInput<AsyncioConfig>): AsyncioContext => ({
  tasks: input.scenario.tasks,
  profile: input.profile,
  api: resolveConfig(input.config, input.scenario, input.profile).api,
  table: syncTable(input.scenario),
  sync: syncTable(input.scenario).initial,
  shared: {},
  over: input.scenario.tasks.map(() => false),
  ready: [],
  current: -1,
  next: input.scenario.tasks.map(() => 0),
  started: input.scenario.tasks.map(() => false),
  semFree: resolveConfig(input.config, input.scenario, input.profile).workers ?? Number.MAX_SAFE_INTEGER,
  semWaiters: [],
  finished: 0,
  out: [],
  allDone: false,
  ...foreseeing(input),
});

/** The model's rules, as pure steps: the machine's actions run them, and so does its foresight. */
const steps = {
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
    assertKernelEvent(e, 'IO_DONE');
    l.awaited(e.task);
  }),
  stalled: ruleLoop((l) => {
    const { c } = l;
    reportStall(l.cmds, c.table, c.sync, c.tasks.map((t) => t.name), c.tasks.map((_, i) => i).filter((i) => !c.over[i]));
    c.finished = c.tasks.length;
  }),
};
/** What `running` answers, and with which rule. */
const ON = { BURST_DONE: 'stepDone', WAKE: 'stepDone', IO_DONE: 'awaited', STALLED: 'stalled' } as const;
const answer = answerOf(ON, steps, copyState);

export const asyncioMachine = setup({
  types: {
    context: {} as ModelContext<AsyncioContext>,
    events: {} as ModelEvent,
    input: {} as ModelInput<AsyncioConfig>,
  },
  actions: {
    kernel: kernelAction,
    adoptForeseen: adoptAction(answer),
    // `startLoop` leaves the machine in `starting`, whose answer to BURST_DONE is not `running`'s.
    ...ruleActions(steps, answer, ['startLoop']),
  },
}).createMachine({
  id: 'asyncio',
  context: ({ input }) => ({ s: initialState(input) }),
  // `starting`: `asyncio.run()` sets up the loop and creates the tasks.
  ...lifecycle('startLoop', ON, 'scheduleAll'),
});
