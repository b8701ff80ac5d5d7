import { setup } from 'xstate';
import { resolveConfig } from '../config.ts';
import { seededRandom } from '../random.ts';
import type { Command, KernelEvent } from '../kernel.ts';
import type { CPythonProfile } from '../profile.ts';
import { NO_TASK } from '../timeline.ts';
import type { Seconds, SyncStep, Task, ThreadsConfig, UpdateStep } from '../types.ts';
import { adoptAction, answerOf, assertKernelEvent, foreseeing, lifecycle, ruleStep, type Foreseeing, CRASH, SEGMENT_OF, classify, endTask, kernelAction, reportStall, resolveFuture, resultOrder, ruleActions, sharedCommands, tallyShared, type ModelEvent, type ModelContext, type ModelInput, type ResultOrder, type RuleRun, type SharedTally } from './kit.ts';
import { Sync, syncTable, type SyncObj, type SyncTable } from './primitives.ts';

/*
 * Lost updates: in `counter = bump(counter)` the eval-breaker check on entering `bump` falls between the read and
 * the write. A drop request arriving in the first `profile.rmwWindow` seconds of an iteration is served there, the
 * value read and not yet written; one arriving later waits for the loop's backward jump, after the write. So the
 * share of forced switches that lose updates is rmwWindow over the iteration's time (about half, for the bare loop).
 * `counter += 1` has no check between its read and its write.
 */

/** Thread 0 is the main thread; workers are 1…n in the order ThreadPoolExecutor starts them. */
const MAIN = 0;

/** What a thread will do once it holds the GIL. */
type OnGil =
  | 'continue' // carry on with the pure-Python burst it was made to drop
  | 'next-step' // back from native code or I/O: start its task's next step
  | 'next-call' // back from one C call of a native step with more to make: run a few bytecodes, make the next
  | 'take-work' // a new or idle worker: `work_queue.get()` returns, run the item
  | 'submit' // the main thread: submit the next task
  | 'raise'; // a pass over a dict that changed size meanwhile: raise RuntimeError at the next key

interface PyThread {
  task: number;
  step: number;
  /**
   * True while running (or preempted in) a pure-Python burst: the only thing a drop request can interrupt. Set only
   * together with `onGil: 'continue'`, so a preempted thread always resumes its burst when the GIL comes back.
   */
  inPython: boolean;
  onGil: OnGil;
  /**
   * In a native step: the seconds of its C calls after the burst in progress (0 when that burst holds the step's
   * last call, or all the rest of it: see `ThreadsContext.batched`).
   */
  nativeLeft: Seconds;
  /** In an `update` or `iterate` step: its progress, for lost updates and changed dicts (see `Loops`). */
  loop?: LoopProgress;
}

/**
 * A thread's progress through the loop of an `update` (or `iterate`) step: it runs only while it holds the GIL, from
 * `since`, one iteration every `per` seconds. `done`: iterations finished before `since`; `stale`: the value it read
 * and has not yet written (switched out between the two), else null; `version`: for `iterate`, the dict's version
 * when the pass began.
 */
interface LoopProgress {
  since: Seconds;
  per: Seconds;
  done: number;
  stale: number | null;
  version: number;
}

interface ThreadsContext extends Foreseeing<ThreadsContext> {
  tasks: Task[];
  profile: CPythonProfile;
  interval: Seconds;
  maxWorkers: number;
  threads: PyThread[];
  /** The executor's work queue: submitted task indices not yet taken by a worker, FIFO. */
  queue: number[];
  /** How many tasks the main thread has submitted. */
  submitted: number;
  /** Whether the submit in progress starts a new worker thread (decided when it begins, as `_adjust_thread_count` does). */
  mainSpawns: boolean;
  /** The worker whose `Thread.start()` the main thread is waiting on, or -1. */
  startingThread: number;
  /** Workers blocked in `work_queue.get()`, longest-waiting first (a Condition wakes its waiters FIFO). */
  idle: number[];
  /** `_idle_semaphore`: released once per finished work item. */
  idleTokens: number;
  /** GIL holder (or the thread it is being handed to), -1 when free. */
  holder: number;
  /** When the holder got (or gets) the GIL: the last switch. */
  acquiredAt: Seconds;
  /** Threads waiting in `take_gil()`, in the order they began to wait. */
  waiters: number[];
  /**
   * Threads running the rest of a native step as one burst, in the order they began it: it began with the GIL free,
   * and while the GIL stays free each call returns into a free GIL, takes it, runs a few bytecodes and lets it go
   * in no time, which changes nothing, so no event marks it. Only while the GIL is free: a rule that leaves it held
   * cuts each of these bursts at the end of its call in progress (`contend`), and the calls after that take the GIL
   * one by one.
   */
  batched: number[];
  /** When each waiter's current `COND_TIMED_WAIT(interval)` began. */
  armedAt: Seconds[];
  /** Generation of the pending drop-request timer, and when it fires (Infinity: none). */
  gen: number;
  dropAt: Seconds;
  finished: number;
  api: 'executor' | 'thread';
  /** The scenario's seed: where a drop request lands within a loop's iteration is drawn from it (see `loopStops`). */
  seed: number;
  /**
   * The user's picks, one per choice point in order (see `choose`), and how many points have passed. Only a config
   * with a `schedule` (an empty one too) has its choice points recorded: a run of 16,000 hand-offs need not list them.
   */
  scheduled: boolean;
  schedule: readonly number[];
  choice: number;
  table: SyncTable;
  sync: readonly SyncObj[];
  shared: SharedTally;
  /** Each shared value's current value; for a dict (named by an `iterate` step), its version, bumped per added key. */
  values: Readonly<Record<string, number>>;
  dicts: ReadonlySet<string>;
  results: ResultOrder;
  over: boolean[];
}

type Ctx = ThreadsContext;

/** A thread record's copy, field by field (one shape for every record, whatever the patch applied to it). */
const copyThread = (t: PyThread): PyThread => ({ task: t.task, step: t.step, inPython: t.inPython, onGil: t.onGil, nativeLeft: t.nativeLeft, loop: t.loop });

/**
 * A shallow copy of the state, field by field: the type checker insists on every field, and V8 makes it about 20
 * times faster than `{ ...c }` for these 34 (measured on Node 20 for 37: 0.04 against 0.87 µs), which every event pays.
 */
const copyState = (c: Ctx): Ctx => ({
  tasks: c.tasks,
  profile: c.profile,
  interval: c.interval,
  maxWorkers: c.maxWorkers,
  threads: c.threads,
  queue: c.queue,
  submitted: c.submitted,
  mainSpawns: c.mainSpawns,
  startingThread: c.startingThread,
  idle: c.idle,
  idleTokens: c.idleTokens,
  holder: c.holder,
  acquiredAt: c.acquiredAt,
  waiters: c.waiters,
  batched: c.batched,
  armedAt: c.armedAt,
  gen: c.gen,
  dropAt: c.dropAt,
  f: c.f,
  finished: c.finished,
  api: c.api,
  seed: c.seed,
  scheduled: c.scheduled,
  schedule: c.schedule,
  choice: c.choice,
  table: c.table,
  sync: c.sync,
  shared: c.shared,
  values: c.values,
  dicts: c.dicts,
  results: c.results,
  over: c.over,
  out: c.out,
  allDone: c.allDone,
});

/**
 * The GIL, as CPython 3.2+ has it (Python/ceval_gil.c):
 * - An uncontended GIL is taken at once.
 * - A waiter waits up to one switch interval; if no switch happened meanwhile it sets the drop request. The holder
 *   drops the GIL at its next eval-breaker check (modelled as at once) and, being forced, waits until another thread
 *   has taken it, so it cannot win it straight back.
 * - Who gets a released GIL is the OS's choice; this simulator wakes waiters in FIFO order (the order they began to
 *   wait; ties by thread number), which is what Linux's futex-based condition variables mostly do.
 * - The woken waiter needs `gilHandoff` to run (signal + context switch).
 * - A thread back from I/O or native code must take the GIL again: behind a CPU-bound holder that costs about an
 *   interval each time (the convoy effect, bpo-7946).
 * - A native step is a loop of C calls of `callSeconds` each (the last one the remainder), such as `update()` on
 *   1 MiB buffers: each releases the GIL (`Py_BEGIN_ALLOW_THREADS`) and must take it back on return
 *   (`Py_END_ALLOW_THREADS`) to run the loop's few bytecodes (no simulated time) before the next call. So each call
 *   is the rule above: behind a CPU-bound holder a call costs `callSeconds` + an interval + a hand-off, and the holder
 *   loses two hand-offs; with the GIL free it costs nothing extra, and the thread stays on its core (`carryOn`).
 *   Calls that start with the GIL free run as one burst until a rule leaves the GIL held (see `batched`): the same
 *   timeline, without an event per call.
 */
class Gil implements RuleRun<Ctx> {
  readonly cmds: Command[] = [];
  readonly c: Ctx;
  private readonly now: Seconds;
  /**
   * The state's arrays that are still the previous snapshot's (copied before the first change), or, for foresight's
   * working copy (`owned`, see `ownState`), null: its `threads` (and their records), `waiters` and `armedAt` are
   * changed in place.
   */
  private readonly sharedThreads: PyThread[] | null;
  private readonly owned: boolean;

  constructor(context: Ctx, now: Seconds, owned: boolean) {
    this.c = owned ? context : copyState(context);
    this.now = now;
    this.owned = owned;
    this.sharedThreads = owned ? null : context.threads;
  }

  /**
   * Update one thread record: copy-on-write (the previous snapshot's array and records are never changed), or in
   * place in foresight's working copy, whose records are its own.
   */
  thread(t: number, patch: Partial<PyThread>): void {
    if (this.owned) {
      Object.assign(this.c.threads[t], patch);
      return;
    }
    if (this.c.threads === this.sharedThreads) this.c.threads = this.c.threads.slice();
    this.c.threads[t] = Object.assign(copyThread(this.c.threads[t]), patch);
  }

  /** `t` joins the GIL's waiters, from now (its timed wait armed at `armed`). */
  private wait(t: number, armed: Seconds): void {
    const c = this.c;
    if (this.owned) c.waiters.push(t);
    else {
      c.waiters = [...c.waiters, t];
      c.armedAt = c.armedAt.slice();
    }
    c.armedAt[t] = armed;
  }

  private state(t: number, activity: 'active' | 'gil-wait' | 'io' | 'done' | 'queued'): void {
    const th = this.c.threads[t];
    if (th.task >= 0) this.cmds.push({ op: 'state', task: th.task, activity, step: th.step });
  }

  /** `t` wants the GIL to do `onGil`. */
  request(t: number, onGil: OnGil): void {
    this.thread(t, { onGil });
    if (this.c.holder < 0) {
      this.c.holder = t;
      this.c.acquiredAt = this.now;
      const th = this.c.threads[t];
      this.cmds.push({ op: 'gil', task: th.task, thread: t, forced: false });
      this.acquired(t, true);
      return;
    }
    this.wait(t, this.now);
    this.state(t, 'gil-wait');
  }

  /** The holder lets go: voluntarily (I/O, native code, idle) or forced by a drop request. */
  release(forced: boolean, chosen?: number): void {
    const next = chosen ?? (this.c.scheduled && this.c.waiters.length > 1 ? this.choose('release', this.c.waiters) : this.c.waiters[0]);
    if (next === undefined) {
      this.c.holder = -1;
      this.cmds.push({ op: 'gil', task: NO_TASK, thread: -1, forced: false });
      return;
    }
    const w = this.c.waiters;
    if (this.owned && next === w[0]) w.shift();
    else this.c.waiters = next === w[0] ? w.slice(1) : w.filter((x) => x !== next);
    const h = this.c.profile.gilHandoff;
    this.c.holder = next;
    this.c.acquiredAt = this.now + h;
    const th = this.c.threads[next];
    this.cmds.push({ op: 'gil', task: th.task, thread: next, forced, delay: h });
    if (th.onGil === 'continue' && th.loop && this.dictChanged(next)) {
      // Its pass over the dict goes on at the next key, and finds the dict changed size.
      this.thread(next, { onGil: 'raise', inPython: false });
      this.cmds.push({ op: 'timer', delay: h, event: { type: 'WAKE', thread: next, at: this.now + h } });
    } else if (th.onGil === 'continue') {
      // A preempted Python burst just resumes once the hand-off is done: no machine event needed. (This is the only
      // way a 'continue' thread gets the GIL: one that asks for it always finds it held, by whoever preempted it.)
      this.state(next, 'active');
      this.cmds.push({ op: 'resume', thread: next, delay: h });
      if (th.loop) this.loopResumes(next, this.now + h);
    } else {
      this.cmds.push({ op: 'timer', delay: h, event: { type: 'WAKE', thread: next, at: this.now + h } });
    }
  }

  /**
   * A point where the GIL could change hands, and who gets it: the schedule's pick for this point if it names one
   * of the `candidates` (threads), else the first (the rule's own choice). Recorded either way, for the user who
   * plays the scheduler.
   */
  choose(kind: 'drop' | 'release', candidates: readonly number[]): number {
    const c = this.c;
    const k = c.choice++;
    const want = c.schedule[k];
    const pick = want !== undefined && candidates.includes(want) ? want : candidates[0];
    this.cmds.push({ op: 'choice', kind, candidates: candidates.map((t) => ({ thread: t, task: c.threads[t].task })), chosen: pick, index: k });
    return pick;
  }

  /**
   * The drop request arrived: the Python holder stops and queues behind the other waiters. A schedule may say the
   * holder keeps the GIL instead (as if the OS had let it win it back): the waiters' timed waits start again.
   */
  dropRequested(): void {
    const c = this.c;
    const t = c.holder;
    if (!c.scheduled) return this.forceDrop();
    const pick = this.choose('drop', [...c.waiters, t]);
    if (pick === t) {
      if (!this.owned) c.armedAt = c.armedAt.slice();
      for (const w of c.waiters) c.armedAt[w] = this.now;
      c.acquiredAt = this.now;
      return;
    }
    this.forceDrop(pick);
  }

  /** The Python holder stops and queues behind the other waiters; `next` (a waiter) gets the GIL. */
  forceDrop(next?: number): void {
    const t = this.c.holder;
    if (this.c.threads[t].loop) this.loopStops(t);
    this.cmds.push({ op: 'suspend', thread: t });
    // FORCE_SWITCHING: the dropper waits until the next holder has the GIL, and only then calls take_gil() and
    // starts its own timed wait (its arming is set once the hand-off is known).
    this.wait(t, this.now);
    this.state(t, 'gil-wait');
    this.release(true, next);
    this.c.armedAt[t] = this.c.acquiredAt;
  }

  /** `t` now holds the GIL (`atOnce`: it found it free, without waiting): do what it was waiting to do. */
  acquired(t: number, atOnce = false): void {
    const th = this.c.threads[t];
    switch (th.onGil) {
      case 'next-step':
        this.thread(t, { step: th.step + 1 });
        this.beginStep(t);
        return;
      case 'next-call':
        // Found free as the call returned: the thread never left its core. After a wait it was woken.
        this.nativeCall(t, atOnce);
        return;
      case 'take-work':
        this.takeWork(t);
        return;
      case 'submit':
        this.submitNext();
        return;
      case 'raise':
        this.fail(t, 'RuntimeError', 'RuntimeError: dictionary changed size during iteration');
        return;
    }
  }

  /** The update step `t` runs. */
  private updateOf(t: number): UpdateStep | null {
    const th = this.c.threads[t];
    const s = this.c.tasks[th.task].steps[th.step];
    return s.kind === 'update' ? s : null;
  }

  private dictChanged(t: number): boolean {
    const th = this.c.threads[t];
    const s = this.c.tasks[th.task].steps[th.step];
    return s.kind === 'iterate' && (this.c.values[s.shared] ?? 0) !== th.loop!.version;
  }

  private setValue(name: string, value: number): void {
    this.c.values = { ...this.c.values, [name]: value };
  }

  /**
   * `t`, in an update loop, is made to drop the GIL: the iterations it ran since `since` are written, but for the
   * one in progress, which (shape `call`, the request before the check in the call) has read the value and will
   * write it when it next runs.
   */
  private loopStops(t: number): void {
    const th = this.c.threads[t];
    const s = this.updateOf(t);
    const p = th.loop!;
    if (!s) return;
    const k = p.done + Math.max(0, this.now - p.since) / p.per;
    const whole = Math.min(s.times, Math.floor(k + 1e-9));
    // Where in its iteration the request finds the thread is timer jitter (microseconds, against iterations of tens
    // of nanoseconds): drawn from the scenario's seed, per switch, never from the clock.
    const phase = seededRandom((this.c.seed ^ Math.imul(this.c.gen + 1, 0x9e3779b1) ^ Math.imul(t + 1, 0x85ebca6b)) >>> 0)();
    const stale = !this.c.dicts.has(s.shared) && s.shape === 'call' && s.lock === undefined && whole < s.times && phase < this.c.profile.rmwWindow / p.per;
    // Without a stale read, the iteration in progress ends before the switch (the check is at its backward jump).
    const written = stale ? whole : Math.min(s.times, whole + (k - whole > 1e-9 ? 1 : 0));
    const value = (this.c.values[s.shared] ?? 0) + (written - Math.floor(p.done));
    this.setValue(s.shared, value);
    this.thread(t, { loop: { ...p, done: written, stale: stale ? value : null } });
  }

  /** `t` runs its update loop again from `at`: a stale read is written first, losing every update made meanwhile. */
  private loopResumes(t: number, at: Seconds): void {
    const th = this.c.threads[t];
    const p = th.loop!;
    const s = this.updateOf(t);
    if (s && p.stale !== null) {
      const now = this.c.values[s.shared] ?? 0;
      const lost = now - p.stale;
      this.setValue(s.shared, p.stale + 1);
      this.c.shared = tallyShared(this.c.shared, s.shared, { lost });
      // A write over another stale write can put the value forward (giving back some of what that one lost).
      if (lost !== 0) {
        const text = lost > 0 ? `wrote back a stale ${s.shared}: ${lost.toLocaleString('en')} updates lost` : `wrote back a stale ${s.shared}, over an older stale write: ${(-lost).toLocaleString('en')} updates back`;
        this.cmds.push({ op: 'mark', task: th.task, kind: 'lost', text, count: lost });
      }
      this.thread(t, { loop: { ...p, since: at, done: p.done + 1, stale: null } });
      return;
    }
    this.thread(t, { loop: { ...p, since: at } });
  }

  /** `t`'s update loop ran to its end: the rest of its iterations are written. */
  private loopEnds(t: number): void {
    const th = this.c.threads[t];
    const s = this.updateOf(t);
    if (s) this.setValue(s.shared, (this.c.values[s.shared] ?? 0) + (s.times - Math.floor(th.loop!.done)));
    this.thread(t, { loop: undefined });
  }

  /** `t`'s task raised `error` (in Python: it propagates out of the task's function). */
  fail(t: number, error: string, text?: string): void {
    const th = this.c.threads[t];
    const task = th.task;
    const bare = this.c.api === 'thread';
    endTask(this.cmds, task, th.step, 'raised', error, bare ? `${text ?? error}: printed by threading.excepthook; the main thread never sees it` : text);
    this.taskOver(t, error);
  }

  /** `t`'s task is over (`error`: how it failed, or null): its future is done; the worker takes the next item. */
  private taskOver(t: number, error: string | null): void {
    const c = this.c;
    const task = c.threads[t].task;
    c.finished++;
    c.idleTokens++;
    c.over = c.over.slice();
    c.over[task] = true;
    if (c.api === 'executor') c.results = resolveFuture(c.results, task, error, this.cmds, () => 'f.result() re-raised it in the main thread (the pool\'s shutdown then waited for the other tasks)');
    this.thread(t, { loop: undefined });
    if (c.api === 'thread') {
      // A bare Thread's target has returned: the thread ends, taking no other work.
      this.thread(t, { task: NO_TASK, step: -1, inPython: false });
      this.release(false);
      return;
    }
    this.takeWork(t);
  }

  /** The process dies (`os._exit` in a thread): every thread with it, at once. */
  crash(t: number): void {
    const c = this.c;
    const task = c.threads[t].task;
    endTask(this.cmds, task, c.threads[t].step, 'broken', CRASH, 'the process died (os._exit)');
    this.cmds.push({ op: 'error', error: { type: CRASH, task, how: 'the process died at once, every thread with it: no exception, no clean-up' }, final: true });
    for (let u = 0; u < c.tasks.length; u++) {
      if (u === task || c.over[u]) continue;
      endTask(this.cmds, u, c.threads.some((th) => th.task === u) ? 0 : -1, 'broken', CRASH, 'its process died');
    }
    c.over = c.over.map(() => true);
    c.finished = c.tasks.length;
  }

  /** A task woken from a sync wait wants the GIL to return from its call (after `retry`, if it got the lock). */
  woken(task: number, object: string, granted: boolean): void {
    const t = this.c.threads.findIndex((th) => th.task === task);
    if (t < 0 || this.c.over[task]) return;
    if (!granted) {
      const sync = new Sync(this.c.table, this.c.sync, this.cmds, false);
      const got = sync.retry(task, object);
      this.c.sync = sync.objs;
      if (!got) return;
    }
    this.request(t, 'next-step');
  }

  /** Main thread, holding the GIL: `executor.submit(task)` for the next task, or done submitting. */
  submitNext(): void {
    const c = this.c;
    if (c.submitted >= c.tasks.length) {
      // Done submitting (until `shutdown`): the main thread never wants the GIL again.
      this.release(false);
      return;
    }
    // A bare Thread per task always starts a new one; the executor only while none is idle.
    const spawns = c.api === 'thread' || (c.idleTokens === 0 && c.threads.length - 1 < c.maxWorkers);
    c.mainSpawns = spawns;
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: with no token and no spawn the pool is at max_workers, where a token below zero changes nothing
    if (!spawns && c.idleTokens > 0) c.idleTokens--;
    this.thread(MAIN, { inPython: true, onGil: 'continue' });
    // `Thread(...).start()` has no future to make: only the start.
    const seconds = (c.api === 'thread' ? 0 : c.profile.submit) + (spawns ? c.profile.threadStart : 0);
    this.cmds.push({ op: 'burst', thread: MAIN, seconds, task: NO_TASK, step: c.submitted, kind: 'overhead' });
  }

  /** Main thread's submit burst ended: the item is queued; a new worker starts, or an idle one wakes. */
  submitted(): void {
    const c = this.c;
    const task = c.submitted;
    c.submitted++;
    c.queue = [...c.queue, task];
    if (c.mainSpawns) {
      const t = c.threads.length;
      // Stryker disable next-line ObjectLiteral,UnaryOperator,BooleanLiteral,StringLiteral: request() sets onGil, takeWork() the task and step; it runs no Python before that
      c.threads = [...c.threads, { task: NO_TASK, step: -1, inPython: false, onGil: 'take-work', nativeLeft: 0 }];
      this.cmds.push({ op: 'spawn', thread: t, label: `Thread ${t}` });
      // Thread.start() waits for the new thread to signal it has started, which it does holding the GIL; the main
      // thread then has to win the GIL back (see `takeWork`).
      // Stryker disable next-line ObjectLiteral,BooleanLiteral,StringLiteral: takeWork() asks for the GIL 'submit' again, and submitNext() sets inPython before any Python runs
      this.thread(MAIN, { inPython: false, onGil: 'submit' });
      c.startingThread = t;
      this.request(t, 'take-work');
      this.release(false);
      return;
    }
    const [woken, ...rest] = c.idle;
    if (woken !== undefined) {
      c.idle = rest;
      this.request(woken, 'take-work');
    }
    this.submitNext();
  }

  /** A worker holding the GIL returns from `work_queue.get()`: run the next item, or block waiting for one. */
  takeWork(t: number): void {
    const c = this.c;
    if (c.startingThread === t) {
      // The thread the main thread started signals it is running; the main thread asks for the GIL back.
      c.startingThread = -1;
      this.request(MAIN, 'submit');
    }
    const [task, ...rest] = c.queue;
    if (task === undefined) {
      c.idle = [...c.idle, t];
      // Stryker disable next-line BooleanLiteral: it runs no Python until takeWork() gives it a task and beginStep() sets this
      this.thread(t, { task: NO_TASK, step: -1, inPython: false });
      this.release(false);
      return;
    }
    c.queue = rest;
    this.thread(t, { task, step: 0 });
    // A worker that got the GIL to take work holds it for that task (its span was opened as nobody's).
    if (c.holder === t) this.cmds.push({ op: 'gil-task', task, thread: t });
    this.beginStep(t);
  }

  /**
   * `t` holds the GIL at the start of its task's step `step` (or past the last step). Sync steps that go through
   * are instants: it carries on to the next, still holding the GIL; one that must wait lets the GIL go.
   */
  beginStep(t: number): void {
    const c = this.c;
    for (;;) {
      const th = c.threads[t];
      const steps = c.tasks[th.task].steps;
      if (th.step >= steps.length) {
        this.thread(t, { step: steps.length - 1 });
        this.state(t, 'done');
        this.taskOver(t, null);
        return;
      }
      const s = steps[th.step];
      // Read once: steps come in many shapes, and each read is a slow (megamorphic) load.
      const sk = s.kind;
      const kind = classify(s);
      if (kind === 'raise') return this.fail(t, (s as { error: string }).error);
      if (kind === 'crash') return this.crash(t);
      if (kind === 'sync') {
        const sync = new Sync(c.table, c.sync, this.cmds, false);
        const res = sync.step(th.task, s as SyncStep);
        c.sync = sync.objs;
        if ('error' in res) return this.fail(t, res.error, `${res.error}: ${res.message}`);
        if (!res.done) {
          this.thread(t, { inPython: false });
          this.release(false);
          this.cmds.push({ op: 'state', task: th.task, activity: res.wait, step: th.step, on: c.table.names[sync.objectOf(s as SyncStep)] });
          return;
        }
        for (const w of res.wakes) this.cmds.push({ op: 'timer', delay: c.profile.wakeup, event: { type: 'RETRY', task: w.task, object: w.object, granted: w.kind === 'granted' } });
        this.thread(t, { step: th.step + 1 });
        continue;
      }
      if (sk === 'cpu' || sk === 'update' || sk === 'iterate') {
        this.thread(t, { inPython: true, onGil: 'continue' });
        if (sk === 'update') {
          c.shared = tallyShared(c.shared, s.shared, { expected: s.times });
          this.thread(t, { loop: { since: this.now, per: s.seconds / s.times, done: 0, stale: null, version: 0 } });
        }
        if (sk === 'iterate') this.thread(t, { loop: { since: this.now, per: Infinity, done: 0, stale: null, version: c.values[s.shared] ?? 0 } });
        this.state(t, 'active');
        this.cmds.push({ op: 'burst', thread: t, seconds: s.seconds, task: th.task, step: th.step, kind: 'python' });
        return;
      }
      this.thread(t, { inPython: false });
      if (sk === 'native') {
        this.thread(t, { nativeLeft: s.seconds });
        this.nativeCall(t, false);
        return;
      }
      this.release(false);
      this.state(t, 'io');
      this.cmds.push({ op: 'timer', delay: s.seconds, event: { type: 'IO_DONE', thread: t, task: th.task, at: this.now + s.seconds } });
      return;
    }
  }

  /** `t`'s Python burst is over: its loop, if it was one, is written out; on to the next step. */
  pythonDone(t: number): void {
    if (this.c.threads[t].loop) this.loopEnds(t);
    this.thread(t, { step: this.c.threads[t].step + 1 });
    this.beginStep(t);
  }

  /**
   * `t`, holding the GIL in a native step, makes its next C call: lets the GIL go and runs the call. With the GIL
   * free after that, the rest of the step is one burst (`batched`); `carryOn`: straight on from the last call.
   */
  nativeCall(t: number, carryOn: boolean): void {
    const c = this.c;
    const th = c.threads[t];
    const call = c.profile.callSeconds;
    this.release(false);
    const rest = th.nativeLeft;
    // Stryker disable next-line ArithmeticOperator: the tolerance only keeps a rounding error from making a call of 1e-17 s
    const seconds = c.holder < 0 || rest <= call * (1 + 1e-9) ? rest : call;
    if (c.holder < 0 && rest > call * (1 + 1e-9)) c.batched = [...c.batched, t];
    this.thread(t, { nativeLeft: rest - seconds });
    this.state(t, 'active');
    this.cmds.push({ op: 'burst', thread: t, seconds, task: th.task, step: th.step, kind: SEGMENT_OF.native, ...(carryOn ? { carryOn } : {}) });
  }

  /** `t`'s C call returned (`left`: the calls a cut took off its burst): it needs the GIL, for the next call or step. */
  callReturned(t: number, left: Seconds): void {
    const c = this.c;
    if (c.batched.includes(t)) c.batched = c.batched.filter((b) => b !== t);
    const rest = c.threads[t].nativeLeft + left;
    this.thread(t, { nativeLeft: rest });
    this.request(t, rest > 0 ? 'next-call' : 'next-step');
  }

  /**
   * The GIL is held at the end of a rule: every native burst run as one (`batched`) must end when its call in
   * progress returns, since that call will return into a held GIL. (A GIL taken and let go within the rule, as a
   * returning call does, was never held across any instant another call could return in.)
   */
  contend(): void {
    const c = this.c;
    if (c.holder < 0 || c.batched.length === 0) return;
    for (const t of c.batched) this.cmds.push({ op: 'cut', thread: t, call: c.profile.callSeconds });
    c.batched = [];
  }

  /**
   * When the next drop request lands. A waiter whose wait began before the last switch sees, when its timer fires,
   * that a switch happened and waits one more interval; so each waiter's request lands one interval after its first
   * timer expiry at or after the last switch. Only a holder running Python can be asked; never before it holds it.
   */
  scheduleDrop(): void {
    const c = this.c;
    // Waiters imply a holder: a free GIL is taken at once. With none, `at` stays Infinity.
    let at = Infinity;
    const iv = c.interval;
    const since = c.acquiredAt;
    for (const w of c.waiters) {
      const a = c.armedAt[w];
      // Stryker disable next-line EqualityOperator,ArithmeticOperator: at a === since both branches give a; the 1e-9 only guards exact multiples against rounding
      const arm = a >= since ? a : a + Math.ceil((since - a) / iv - 1e-9) * iv;
      // Stryker disable next-line EqualityOperator: an equal candidate is the same instant
      if (arm + iv < at) at = arm + iv;
    }
    at = Math.max(at, since);
    // Stryker disable next-line ConditionalExpression: re-arming the same instant only adds a timer its generation makes stale
    if (at === c.dropAt) return;
    c.dropAt = at;
    // Stryker disable next-line UpdateOperator: any new generation makes the pending timer stale
    c.gen++;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a timer at Infinity never fires before the run ends
    if (at === Infinity) return;
    // The event says when it fires, as the kernel reckons it (now + delay): foresight then hears it as it is.
    const delay = Math.max(0, at - this.now);
    this.cmds.push({ op: 'timer', delay, event: { type: 'GIL_TIMEOUT', gen: c.gen, at: this.now + delay } });
  }

}


/**
 * threads: `ThreadPoolExecutor(max_workers)` + `submit` per task, under one GIL. Work queue FIFO; a new worker
 * thread only when no worker is idle (`_adjust_thread_count`); at most `cores` threads run at once (the kernel).
 * `api: 'thread'`: `threading.Thread(target=…).start()` per task instead, each thread running its one task and
 * ending; its exception is printed by `threading.excepthook` and never reaches the main thread.
 */
const allTasksDone = (c: Ctx) => c.finished === c.tasks.length;

/** Every GIL rule ends by re-deriving when the next drop request lands. */
const gilRule = (fn: (g: Gil, e: KernelEvent) => void) => (g: Gil, e: KernelEvent) => {
  fn(g, e);
  g.contend();
  g.scheduleDrop();
  if (allTasksDone(g.c)) g.cmds.push(...sharedCommands(finalValues(g.c)));
};
const makeGil = (c: Ctx, e: KernelEvent, owned: boolean) => new Gil(c, e.at, owned);

/** Foresight's working copy (see `Answer.own`): the state with its own arrays that `Gil` changes in place. */
function ownState(c: Ctx): Ctx {
  const o = copyState(c);
  o.threads = c.threads.map(copyThread);
  o.waiters = c.waiters.slice();
  o.armedAt = c.armedAt.slice();
  return o;
}

/**
 * A drop request of generation `gen` is heard only if it is the current one and finds the holder in Python; a stale
 * one (the GIL changed hands since it was armed) changes nothing.
 */
const isCurrentDrop = (c: Ctx, gen: number) => gen === c.gen && c.threads[c.holder].inPython;
const ruleGil = (fn: (g: Gil, e: KernelEvent) => void) => ruleStep<Ctx, Gil>(makeGil, gilRule(fn), allTasksDone);

/** The drop request's rule: the holder is asked to let the GIL go. */
const dropRule = gilRule((g) => {
  g.c.dropAt = Infinity;
  g.dropRequested();
});

/** The tally with each counter's final value (a dict's is its key count added, not a count of updates). */
function finalValues(c: Ctx): SharedTally {
  let out = c.shared;
  for (const name of Object.keys(c.shared)) out = tallyShared(out, name, { final: c.values[name] ?? 0 });
  return out;
}

/** The model's state when a run begins. */
const initialState = (input: ModelInput<ThreadsConfig>): ThreadsContext => ({
  tasks: input.scenario.tasks,
  profile: input.profile,
  interval: resolveConfig(input.config, input.scenario, input.profile).switchIntervalMs / 1000,
  maxWorkers: resolveConfig(input.config, input.scenario, input.profile).workers,
  // Stryker disable next-line all: the main thread's record; startSubmitting asks for the GIL 'submit' at once
  threads: [{ task: NO_TASK, step: -1, inPython: false, onGil: 'submit', nativeLeft: 0 }],
  queue: [],
  submitted: 0,
  // Stryker disable next-line BooleanLiteral: set by submitNext() before submitted() reads it
  mainSpawns: false,
  // Stryker disable next-line UnaryOperator: thread 1 is the first one started, so +1 would name the right thread
  startingThread: -1,
  idle: [],
  idleTokens: 0,
  holder: -1,
  acquiredAt: 0,
  waiters: [],
  batched: [],
  // Stryker disable next-line ArrayDeclaration: a waiter's slot is written before it is read
  armedAt: [],
  gen: 0,
  dropAt: Infinity,
  finished: 0,
  api: resolveConfig(input.config, input.scenario, input.profile).api,
  seed: input.scenario.seed,
  scheduled: input.config.schedule !== undefined,
  schedule: input.config.schedule ?? [],
  choice: 0,
  table: syncTable(input.scenario),
  sync: syncTable(input.scenario).initial,
  shared: {},
  values: {},
  dicts: new Set(input.scenario.tasks.flatMap((t) => t.steps.flatMap((s) => (s.kind === 'iterate' ? [s.shared] : [])))),
  results: resultOrder(input.scenario.tasks.length),
  over: input.scenario.tasks.map(() => false),
  // Stryker disable next-line ArrayDeclaration: START's rule replaces it before the kernel reads it
  out: [],
  allDone: false,
  ...foreseeing(input),
});

/** The model's rules, as pure steps: the machine's actions run them, and so does its foresight. */
const steps = {
  startSubmitting: ruleGil((g) => {
    g.cmds.push({ op: 'spawn', thread: MAIN, label: 'main' });
    g.request(MAIN, 'submit');
  }),
  burstDone: ruleGil((g, e) => {
    assertKernelEvent(e, 'BURST_DONE');
    const t = e.thread;
    if (t === MAIN) {
      g.submitted();
      return;
    }
    const th = g.c.threads[t];
    // Next step, still holding the GIL.
    if (th.inPython) g.pythonDone(t);
    else g.callReturned(t, e.left ?? 0);
  }),
  ioDone: ruleGil((g, e) => {
    assertKernelEvent(e, 'IO_DONE');
    g.request(e.thread, 'next-step');
  }),
  woken: ruleGil((g, e) => {
    assertKernelEvent(e, 'WAKE');
    g.acquired(e.thread);
  }),
  dropRequested: ruleStep<Ctx, Gil>(
    makeGil,
    (g, e) => {
      assertKernelEvent(e, 'GIL_TIMEOUT');
      if (!isCurrentDrop(g.c, e.gen)) return;
      dropRule(g, e);
    },
    allTasksDone,
  ),
  syncWoken: ruleGil((g, e) => {
    assertKernelEvent(e, 'RETRY');
    g.woken(e.task, e.object, e.granted);
  }),
  stalled: ruleGil((g) => {
    const { c } = g;
    reportStall(g.cmds, c.table, c.sync, c.tasks.map((t) => t.name), c.tasks.map((_, i) => i).filter((i) => !c.over[i]));
    c.finished = c.tasks.length;
  }),
};
/** What `running` answers, and with which rule. */
const ON = { BURST_DONE: 'burstDone', IO_DONE: 'ioDone', WAKE: 'woken', GIL_TIMEOUT: 'dropRequested', RETRY: 'syncWoken', STALLED: 'stalled' } as const;
const answer = answerOf(ON, steps, ownState);

export const threadsMachine = setup({
  types: {
    context: {} as ModelContext<ThreadsContext>,
    events: {} as ModelEvent,
    input: {} as ModelInput<ThreadsConfig>,
  },
  actions: {
    kernel: kernelAction,
    adoptForeseen: adoptAction(answer),
    ...ruleActions(steps, answer),
  },
}).createMachine({
  id: 'threads',
  context: ({ input }) => ({ s: initialState(input) }),
  ...lifecycle('startSubmitting', ON),
});
