import { setup } from 'xstate';
import { resolveConfig } from '../config.ts';
import type { Command, KernelEvent } from '../kernel.ts';
import type { CPythonProfile } from '../profile.ts';
import { NO_TASK } from '../timeline.ts';
import type { ProcessesConfig, Seconds, StartMethod, SyncStep, Task } from '../types.ts';
import { adoptAction, answerOf, assertKernelEvent, foreseeing, ruleStep, type Foreseeing, lifecycle, classify, endTask, kernelAction, reportStall, resolveFuture, resultOrder, ruleActions, sharedCommands, stepCommands, tallyShared, withItem, type ModelEvent, type ModelContext, type ModelInput, type ResultOrder, type RuleRun, type SharedTally } from './kit.ts';
import { Sync, syncTable, type SyncObj, type SyncTable } from './primitives.ts';

/** `wait`: blocked on a multiprocessing lock, queue, event or barrier; `dead`: killed with a broken pool. */
type Phase = 'booting' | 'idle' | 'dispatch' | 'step' | 'wait' | 'result' | 'dead';

interface Worker {
  phase: Phase;
  task: number;
  step: number;
}

interface ProcessesContext extends Foreseeing<ProcessesContext> {
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
  table: SyncTable;
  sync: readonly SyncObj[];
  shared: SharedTally;
  results: ResultOrder;
  /** Per task: the exception its future holds once its result is back (null: none). */
  raised: (string | null)[];
  /** A worker has died: the pool breaks when its manager thread notices. */
  crashed: boolean;
  over: boolean[];
  /**
   * Every argument goes to the workers through one pipe (the call queue) and every result back through another: a
   * big one's transfer waits for the one before it to be through (seen in the captures: 50 MB arguments to two
   * workers start their tasks one transfer apart). When each is next free.
   */
  callPipeFree: Seconds;
  resultPipeFree: Seconds;
}
type Ctx = ProcessesContext;

/**
 * A shallow copy of the state, field by field (the type checker insists on every one): V8 makes it several times
 * faster than `{ ...c }`, which every event pays, thousands of times a run.
 */
const copyState = (c: Ctx): Ctx => ({
  tasks: c.tasks,
  profile: c.profile,
  method: c.method,
  count: c.count,
  parent: c.parent,
  server: c.server,
  launcher: c.launcher,
  serverReady: c.serverReady,
  launched: c.launched,
  feeding: c.feeding,
  queue: c.queue,
  workers: c.workers,
  finished: c.finished,
  table: c.table,
  sync: c.sync,
  shared: c.shared,
  results: c.results,
  raised: c.raised,
  crashed: c.crashed,
  over: c.over,
  callPipeFree: c.callPipeFree,
  resultPipeFree: c.resultPipeFree,
  f: c.f,
  out: c.out,
  allDone: c.allDone,
});

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
 * Dispatch: a free worker takes the oldest queued task (`dispatch`: pickle, pipe, unpickle, plus `sendByte` per byte
 * of its argument), runs it with its own GIL (never contended: one thread per process), and sends back the result
 * (`result`, plus `receiveByte` per byte of it). The parent's share of the pickling is drawn on the worker's lane.
 * - The scenario's locks, queues, events and barriers are multiprocessing's, shared with every worker: a blocked
 *   worker waits off its core; one it wakes runs again `ipcWakeup` later; their locks are not fair (see
 *   primitives.ts). Shared values are each process's own globals: the parent's never changes.
 * - A raised exception is pickled back like a result; the main thread's `f.result()` re-raises it when it reaches
 *   that future. A worker that dies (`crash`) breaks the pool once the manager thread notices (`poolBreak`): every
 *   task not done is broken with BrokenProcessPool, the other workers are terminated.
 */
function feedsAfter(method: StartMethod, count: number): number {
  return method === 'fork' ? count : 1;
}

class Pool implements RuleRun<Ctx> {
  readonly cmds: Command[] = [];
  readonly c: Ctx;
  /**
   * `owned`: foresight's working copy (see `ownState`), whose fields and worker records are changed in place, not
   * copied first.
   */
  constructor(
    context: Ctx,
    private readonly now: Seconds,
    private readonly owned: boolean,
  ) {
    this.c = owned ? context : copyState(context);
  }

  /** Update worker `w`'s record: copy-on-write, or in place in foresight's working copy. */
  private worker(w: number, patch: Partial<Worker>): void {
    if (this.owned) Object.assign(this.c.workers[w], patch);
    else this.c.workers = withItem(this.c.workers, w, patch);
  }

  /**
   * When a transfer of `bytes` through the pool's one pipe (`pipe`: the call queue's or the result queue's) can
   * start, at `perByte` seconds a byte: after the transfer before it. Returns the wait.
   */
  private throughPipe(pipe: 'callPipeFree' | 'resultPipeFree', bytes: number, perByte: Seconds): Seconds {
    if (!bytes) return 0;
    const start = Math.max(this.now, this.c[pipe]);
    this.c[pipe] = start + bytes * perByte;
    return start - this.now;
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
      this.worker(w, { phase: 'idle', task: NO_TASK, step: -1 });
      return;
    }
    c.queue = rest;
    this.worker(w, { phase: 'dispatch', task, step: -1 });
    const send = c.tasks[task].send ?? 0;
    const wait = this.throughPipe('callPipeFree', send, c.profile.sendByte);
    this.cmds.push({ op: 'burst', thread: w, seconds: c.profile.dispatch + send * c.profile.sendByte, task, step: -1, kind: 'overhead', ...(wait > 0 ? { delay: wait } : {}) });
  }

  beginStep(w: number): void {
    const { c } = this;
    const sync = new Sync(c.table, c.sync, this.cmds, false);
    try {
      for (;;) {
        const { task, step } = c.workers[w];
        const steps = c.tasks[task].steps;
        if (step >= steps.length) {
          this.cmds.push({ op: 'state', task, activity: 'done', step: steps.length - 1 });
          this.sendResult(w, null);
          return;
        }
        const s = steps[step];
        switch (classify(s)) {
          case 'work':
            if (s.kind === 'update') c.shared = tallyShared(c.shared, s.shared, { expected: s.times });
            this.worker(w, { phase: 'step' });
            stepCommands(this.cmds, w, task, step, s);
            return;
          case 'sync': {
            const res = sync.step(task, s as SyncStep);
            if ('error' in res) {
              endTask(this.cmds, task, step, 'raised', res.error, `${res.error}: ${res.message}`);
              this.sendResult(w, res.error);
              return;
            }
            if (!res.done) {
              this.worker(w, { phase: 'wait' });
              this.cmds.push({ op: 'state', task, activity: res.wait, step, on: c.table.names[sync.objectOf(s as SyncStep)] });
              return;
            }
            for (const k of res.wakes) this.cmds.push({ op: 'timer', delay: c.profile.ipcWakeup, event: { type: 'RETRY', task: k.task, object: k.object, granted: k.kind === 'granted' } });
            this.worker(w, { step: step + 1 });
            continue;
          }
          case 'raise': {
            const error = (s as { error: string }).error;
            endTask(this.cmds, task, step, 'raised', error);
            this.sendResult(w, error);
            return;
          }
          case 'crash':
            this.crash(w);
            return;
        }
      }
    } finally {
      c.sync = sync.objs;
    }
  }

  /** The worker pickles back its task's result (or exception); the future is done when that is in the parent. */
  private sendResult(w: number, error: string | null): void {
    const { c } = this;
    const { task } = c.workers[w];
    c.finished++;
    c.over = withFlag(c.over, task);
    c.raised = c.raised.slice();
    c.raised[task] = error;
    this.worker(w, { phase: 'result' });
    const receive = c.tasks[task].receive ?? 0;
    const wait = this.throughPipe('resultPipeFree', receive, c.profile.receiveByte);
    this.cmds.push({ op: 'burst', thread: w, seconds: c.profile.result + receive * c.profile.receiveByte, task, step: -1, kind: 'overhead', ...(wait > 0 ? { delay: wait } : {}) });
  }

  /** A result is back in the parent: its future is done, and `for f in futures: f.result()` goes on. */
  resultIn(w: number): void {
    const { c } = this;
    const { task } = c.workers[w];
    c.results = resolveFuture(c.results, task, c.raised[task], this.cmds, () => 'pickled back to the parent; f.result() re-raised it in the main thread');
  }

  /** Worker `w` dies mid-task: its process is gone; the pool breaks once the manager thread notices. */
  crash(w: number): void {
    const { c } = this;
    const { task, step } = c.workers[w];
    this.cmds.push({ op: 'suspend', thread: w });
    this.cmds.push({ op: 'mark', task, kind: 'crash', text: 'worker process died (os._exit)' });
    this.cmds.push({ op: 'state', task, activity: 'queued', step });
    this.worker(w, { phase: 'dead' });
    if (!c.crashed) this.cmds.push({ op: 'timer', delay: c.profile.poolBreak, event: { type: 'POOL_BROKEN' } });
    c.crashed = true;
  }

  /** BrokenProcessPool: every task not done is broken, every worker terminated; the main thread hears of it. */
  broken(): void {
    const { c } = this;
    // Every worker started so far is terminated (one still to be launched finds no work).
    for (let w = 0; w < c.launched; w++) this.cmds.push({ op: 'suspend', thread: w });
    c.workers = c.workers.map((wk) => ({ ...wk, phase: 'dead' as Phase }));
    let results = c.results;
    for (let t = 0; t < c.tasks.length; t++) {
      if (results.results[t] !== undefined) continue;
      if (!c.over[t]) {
        endTask(this.cmds, t, Math.max(-1, c.workers.find((wk) => wk.task === t)?.step ?? -1), 'broken', 'BrokenProcessPool', 'BrokenProcessPool: a worker died');
        c.over = withFlag(c.over, t);
        c.finished++;
      }
      results = resolveFuture(results, t, 'BrokenProcessPool', this.cmds, () => 'a worker process died: the pool broke, and f.result() raised BrokenProcessPool in the main thread');
    }
    c.results = results;
    c.queue = [];
  }

  nextStep(w: number): void {
    this.worker(w, { step: this.c.workers[w].step + 1 });
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
      case 'result':
        this.resultIn(thread);
        this.takeWork(thread);
        return;
      case 'booting':
        this.takeWork(thread);
        return;
      case 'dispatch':
        this.worker(thread, { step: 0 });
        this.beginStep(thread);
        return;
      case 'step':
        this.nextStep(thread);
        return;
    }
  }
}


const withFlag = (flags: readonly boolean[], i: number) => {
  const out = flags.slice();
  out[i] = true;
  return out;
};

/** processes: `ProcessPoolExecutor(max_workers, mp_context=get_context(startMethod))` + `submit` per task. */
const allTasksDone = (c: Ctx) => c.finished === c.tasks.length && c.workers.every((w) => w.phase !== 'result');
const rulePool = (fn: (r: Pool, e: KernelEvent) => void) =>
  ruleStep<Ctx, Pool>(
    (c, e, owned) => new Pool(c, e.at, owned),
    (p, e) => {
      fn(p, e);
      if (allTasksDone(p.c)) p.cmds.push(...sharedCommands(p.c.shared, 'each worker process updated its own copy of the global: the parent\'s never changed'));
    },
    allTasksDone,
  );

/** The model's state when a run begins. */
const initialState = (input: ModelInput<ProcessesConfig>): ProcessesContext => {
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
    table: syncTable(input.scenario),
    sync: syncTable(input.scenario).initial,
    shared: {},
    results: resultOrder(input.scenario.tasks.length),
    raised: input.scenario.tasks.map(() => null),
    crashed: false,
    over: input.scenario.tasks.map(() => false),
    callPipeFree: 0,
    resultPipeFree: 0,
    out: [],
    allDone: false,
    ...foreseeing(input),
  };
};

/** The model's rules, as pure steps: the machine's actions run them, and so does its foresight. */
const steps = {
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
    assertKernelEvent(e, 'BURST_DONE');
    p.burstDone(e.thread);
  }),
  ioDone: rulePool((p, e) => {
    assertKernelEvent(e, 'IO_DONE');
    p.nextStep(e.thread);
  }),
  woken: rulePool((p, e) => {
    assertKernelEvent(e, 'RETRY');
    const { c } = p;
    const w = c.workers.findIndex((wk) => wk.task === e.task && wk.phase === 'wait');
    if (w < 0) return;
    if (!e.granted) {
      const sync = new Sync(c.table, c.sync, p.cmds, false);
      const got = sync.retry(e.task, e.object);
      c.sync = sync.objs;
      if (!got) return;
    }
    p.nextStep(w);
  }),
  poolBroken: rulePool((p) => p.broken()),
  stalled: rulePool((p) => {
    const { c } = p;
    reportStall(p.cmds, c.table, c.sync, c.tasks.map((t) => t.name), c.tasks.map((_, i) => i).filter((i) => !c.over[i]));
    c.finished = c.tasks.length;
    c.workers = c.workers.map((wk) => ({ ...wk, phase: 'dead' as Phase }));
  }),
};
/** What `running` answers, and with which rule. */
const ON = { BURST_DONE: 'burstDone', IO_DONE: 'ioDone', RETRY: 'woken', POOL_BROKEN: 'poolBroken', STALLED: 'stalled' } as const;
/** Foresight's working copy (see `Answer.own`): the state with its own worker records, which `Pool` changes in place. */
function ownState(c: Ctx): Ctx {
  const o = copyState(c);
  o.workers = c.workers.map((w) => ({ phase: w.phase, task: w.task, step: w.step }));
  return o;
}

const answer = answerOf(ON, steps, ownState);

export const processesMachine = setup({
  types: {
    context: {} as ModelContext<ProcessesContext>,
    events: {} as ModelEvent,
    input: {} as ModelInput<ProcessesConfig>,
  },
  actions: {
    kernel: kernelAction,
    adoptForeseen: adoptAction(answer),
    ...ruleActions(steps, answer),
  },
}).createMachine({
  id: 'processes',
  context: ({ input }) => ({ s: initialState(input) }),
  ...lifecycle('startPool', ON),
});
