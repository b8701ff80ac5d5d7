import { Agenda } from './agenda.ts';
import type { ChoicePoint, CoreSegment, Deadlock, GilSpan, LoopSpan, MainError, Outcome, RunMark, SegmentKind, SharedResult, SyncSpan, TaskSpan, TaskState } from './timeline.ts';
import { NO_TASK } from './timeline.ts';
import type { Seconds } from './types.ts';

/**
 * What a model machine says about a task; the kernel turns `active` into `running` (on a core) or `cpu-wait`
 * (runnable, every core busy), since only the OS layer knows which.
 */
export type Activity = Exclude<TaskState, 'running' | 'cpu-wait'> | 'active';

/** Commands a model machine gives the OS layer. Applied in order, at the current instant. */
export type Command =
  | { op: 'spawn'; thread: number; label: string }
  /**
   * A new CPU burst for `thread` (runnable after `delay`); the machine hears BURST_DONE when it is complete.
   * `carryOn`: the thread goes straight on from the burst whose completion is being delivered (a C call returning
   * into a free GIL and making the next call): it keeps its core and what is left of its OS time slice instead of
   * going to the back of the run queue. Honoured only in that instant, while the core it left is still free.
   */
  | { op: 'burst'; thread: number; seconds: Seconds; task: number; step: number; kind: SegmentKind; delay?: Seconds; carryOn?: boolean }
  /**
   * `thread`'s burst is a loop of C calls of `call` seconds each, counted from the burst's start (the last one the
   * remainder): end it when the call in progress returns (one ending at this instant has returned; one not yet
   * begun is in progress). Its BURST_DONE then carries the seconds cut off (`left`); nothing is cut from the last
   * call. A thread with no burst in progress is left alone.
   */
  | { op: 'cut'; thread: number; call: Seconds }
  /** Take `thread` off its core and out of the run queue, keeping what is left of its burst. */
  | { op: 'suspend'; thread: number }
  /** Make a suspended `thread` runnable again after `delay`. */
  | { op: 'resume'; thread: number; delay?: Seconds }
  /** Deliver `event` to the machine after `delay`. */
  | { op: 'timer'; delay: Seconds; event: TimedEvent }
  /** `on`: the object a sync wait waits on. */
  | { op: 'state'; task: number; activity: Activity; step: number; on?: string }
  /** `task`/`thread` start holding the GIL after `delay`, ending the previous holder's span; thread -1: nobody. */
  | { op: 'gil'; task: number; thread: number; forced: boolean; delay?: Seconds }
  /**
   * The GIL's holder `thread` takes up `task` in the instant it got the GIL (a pool thread returning from
   * `work_queue.get()`): its hold is that task's, not nobody's. Not a switch: no span is added.
   */
  | { op: 'gil-task'; task: number; thread: number }
  /** The event loop starts running `task` (kind set) or goes idle (kind null). */
  | { op: 'loop'; task: number; step: number; kind: LoopSpan['kind'] | null }
  /** Synchronisation object `object` (its index in the kernel's `objects`) holds this from now. */
  | { op: 'sync'; object: number; holders: number[]; count: number }
  /** Reports, recorded as they are given, at the current instant. */
  | ({ op: 'mark' } & Omit<RunMark, 'at'>)
  | { op: 'outcome'; task: number; outcome: Outcome; error?: string }
  | { op: 'deadlock'; deadlock: Omit<Deadlock, 'at'> }
  /** `final`: the program ends with this whatever reached it before (a crash kills it before a traceback prints). */
  | { op: 'error'; error: Omit<MainError, 'at'>; final?: boolean }
  | { op: 'shared'; shared: SharedResult }
  | ({ op: 'choice' } & Omit<ChoicePoint, 'at'>)
  /**
   * The model's answers, worked out ahead, to events it expects (see `foreseeAhead` in models/kit.ts): when the next
   * event the model would hear is `answers[i]`'s (see `ForeseenAnswer`) and the model has heard nothing since answer
   * `i - 1`, the kernel applies `answers[i].cmds` in its stead. The next event the model hears is preceded by
   * `PLAN_CUT`, saying how many were applied, if any were; the rest are void. A new `foresee` replaces any before.
   * The kernel takes the answers out of the command: XState keeps each transition's action parameters reachable
   * until a full garbage collection (measured on Node 20 with xstate 5.33: the parameters of an actor's ten
   * transitions all survive a young collection after it stops), and answers left in the command, up to 256 with
   * their commands, were copied by every young collection and then promoted.
   */
  | { op: 'foresee'; answers: readonly ForeseenAnswer[] };

/**
 * A model's answer, worked out ahead, to one event it expects: the commands its rule gives for it. The event is a
 * timer's (that very object, firing at `at`) or a burst's completion (`BURST_DONE` of `thread` at `at`, with what a
 * cut took off it, `left`, if anything): any other instant or remainder is another event, which the model answers.
 */
export interface ForeseenAnswer {
  event: TimedEvent | ForeseenBurst;
  at: Seconds;
  cmds: readonly Command[];
}
export interface ForeseenBurst {
  type: 'BURST_DONE';
  thread: number;
  left?: Seconds;
}

/** Events the kernel delivers to a model machine. `at` is the simulated time of delivery. */
export type TimedEvent =
  | { type: 'IO_DONE'; thread: number; task: number; at?: Seconds }
  | { type: 'GIL_TIMEOUT'; gen: number; at?: Seconds }
  | { type: 'WAKE'; thread: number; at?: Seconds }
  /**
   * A task woken from a sync wait, after the wake-up's latency: `granted`, it has what it waited for (an item, the
   * event, the barrier passed); otherwise it may try for a released lock again (see primitives.ts).
   */
  | { type: 'RETRY'; task: number; object: string; granted: boolean; at?: Seconds }
  /** processes: the pool's manager thread has seen a worker die. */
  | { type: 'POOL_BROKEN'; at?: Seconds };

/** `left`: present only on a burst ended early by a `cut`, the seconds of it that were not run. */
/**
 * `STALLED`: nothing is left to happen (no burst, no timer) and the model has not finished: every task left is
 * blocked for good. The model reports the deadlock and finishes; the kernel asks once.
 */
export type KernelEvent =
  | { type: 'START'; at: Seconds }
  | { type: 'STALLED'; at: Seconds }
  /** The kernel applied the first `done` answers of the model's last `foresee` in its stead; the rest are void. */
  | { type: 'PLAN_CUT'; done: number; at: Seconds }
  | { type: 'BURST_DONE'; thread: number; at: Seconds; left?: Seconds } | (TimedEvent & { at: Seconds });

/** A timer's event as delivered at `at`: a literal per type (a spread costs 0.65 µs, measured on Node 20; this 0.01). */
export function timed(e: TimedEvent, at: Seconds): KernelEvent {
  switch (e.type) {
    case 'IO_DONE':
      return { type: 'IO_DONE', thread: e.thread, task: e.task, at };
    case 'GIL_TIMEOUT':
      return { type: 'GIL_TIMEOUT', gen: e.gen, at };
    case 'WAKE':
      return { type: 'WAKE', thread: e.thread, at };
    case 'RETRY':
      return { type: 'RETRY', task: e.task, object: e.object, granted: e.granted, at };
    case 'POOL_BROKEN':
      return { type: 'POOL_BROKEN', at };
  }
}

interface KThread {
  label: string;
  task: number;
  step: number;
  kind: SegmentKind;
  remaining: Seconds;
  /** The current burst's seconds as the model last set them (a `cut` shortens them), and what a cut took off. */
  total: Seconds;
  left: Seconds;
  runnable: boolean;
  core: number;
  lastCore: number;
  /** When the current stretch on `core` began. */
  runStart: Seconds;
  /** Bumped by suspend, so a pending delayed wake-up for an older burst is ignored. */
  token: number;
}

/** A timer's event itself (one object fewer per timer, thousands a run), or a thread's delayed wake-up or end. */
type AgendaItem = TimedEvent | { k: 'wake' | 'done'; thread: number; token: number };

/** What a `foresee` command holds once the kernel has taken its answers. */
const NO_ANSWERS: readonly ForeseenAnswer[] = Object.freeze([]);

/** Instants within EPS seconds are one instant. */
export const EPS = 1e-12;

/**
 * A `cut` of a burst of which `ran` seconds ran since `remaining` was counted: it ends when the call in progress
 * returns (see the `cut` command). Changes `b` in place; shared with a model's foresight, which must reckon as the
 * kernel does to the last bit.
 */
export function cutBurst(b: { remaining: Seconds; total: Seconds; left: Seconds }, ran: Seconds, call: Seconds): void {
  const done = b.total - (b.remaining - ran);
  // Stryker disable next-line ConditionalExpression: a burst already over has nothing left to cut
  if (b.remaining - ran <= EPS) return;
  // The call in progress ends at the first multiple of `call` at or after `done` (tolerating rounding), never
  // before the first call's end.
  const end = Math.max(1, Math.ceil(done / call - 1e-9)) * call;
  if (end >= b.total - call * 1e-9) return;
  const left = b.total - end;
  b.remaining -= left;
  b.total = end;
  b.left += left;
}

/** A run stopped at its caller's cap on kernel events (`at`: the simulated time it had reached). */
export class EventCapError extends Error {
  constructor(
    readonly maxEvents: number,
    readonly at: Seconds,
  ) {
    super(`more than ${maxEvents.toLocaleString('en')} scheduling events (GIL hand-offs, time slices, wake-ups) by ${at.toFixed(1)} s of simulated time, too many to simulate and draw here`);
  }
}

/**
 * The OS: cores, a run queue and time slices, simulated time, and the recorder of everything that happened.
 * Scheduling rules:
 * - The run queue is FIFO. A thread leaving a core at the end of its slice goes to the back.
 * - A freed core takes the run queue's head; a thread goes back to the core it last ran on if that one is free
 *   (affinity), otherwise to the lowest-numbered free core.
 * - Slices: a thread keeps its core while nobody waits for one; once the run queue is non-empty, a thread that has
 *   used its `osSlice` is preempted at once.
 * - A thread whose burst completes and whose next burst the model gives at once with `carryOn` (a C call returning
 *   into a free GIL) never left its core: it keeps it and its slice. Any other new burst joins the run queue.
 * - Same-instant order: a burst completing (lowest core first) before a slice expiring before agenda entries
 *   (in scheduling order).
 * - A GIL drop request (`GIL_TIMEOUT`) reaches the GIL holder at its next eval-breaker check, which it makes only
 *   while it executes: if the holder is off its core (preempted, or runnable behind busy cores) when the request
 *   lands, the kernel delivers it the moment the holder is next put on a core.
 */
export class Kernel {
  now: Seconds = 0;
  readonly segments: CoreSegment[][];
  readonly gil: GilSpan[] = [];
  readonly loop: LoopSpan[] = [];
  readonly sync: SyncSpan[][];
  readonly marks: RunMark[] = [];
  readonly outcomes: { outcome: Outcome; error?: string }[];
  deadlock: Deadlock | null = null;
  error: MainError | null = null;
  readonly shared: SharedResult[] = [];
  readonly choices: ChoicePoint[] = [];
  private readonly spans: TaskSpan[][];
  // Stryker disable next-line ArrayDeclaration: every slot is written by a spawn before it is read
  private readonly threads: KThread[] = [];
  private readonly cores: number[];
  private readonly sliceEnd: Seconds[];
  private ready: number[] = [];
  private readonly agenda = new Agenda<AgendaItem>();
  /** The thread last given the GIL by a `gil` command (-1: nobody), and a drop request waiting for it to run. */
  private gilThread = -1;
  private deferredDrop: TimedEvent | null = null;
  /** The model's answers worked out ahead (see the `foresee` command), and how many are applied. */
  private foreseen: readonly ForeseenAnswer[] = [];
  private foreseenDone = 0;
  /** The thread whose burst completion is being delivered, during that delivery (-1 otherwise): see `carryOn`. */
  private completing = -1;
  private readonly activity: Activity[];
  private readonly taskThread: number[];
  private readonly taskStep: number[];
  private readonly taskOn: (string | undefined)[];
  readonly taskStart: Seconds[];
  readonly taskEnd: Seconds[];

  constructor(
    readonly coreCount: number,
    readonly taskCount: number,
    private readonly osSlice: Seconds,
    /** The scenario's synchronisation objects, in the order `sync` commands number them. */
    readonly objects: readonly { name: string; type: SyncSpan['type'] }[] = [],
  ) {
    this.sync = objects.map(() => []);
    this.outcomes = Array.from({ length: taskCount }, () => ({ outcome: 'ok' as Outcome }));
    this.taskOn = new Array(taskCount).fill(undefined);
    this.cores = new Array(coreCount).fill(-1);
    // Stryker disable next-line ArrayDeclaration: dispatch() writes a core's slice end before the core can be busy
    this.sliceEnd = new Array(coreCount).fill(0);
    this.segments = Array.from({ length: coreCount }, () => []);
    this.spans = Array.from({ length: taskCount }, (_, task) => [{ task, state: 'queued' as TaskState, start: 0, end: 0, step: -1 }]);
    this.activity = new Array(taskCount).fill('queued');
    // Stryker disable next-line ArrayDeclaration,UnaryOperator: a task's thread is written by its first burst, before any read
    this.taskThread = new Array(taskCount).fill(-1);
    this.taskStep = new Array(taskCount).fill(-1);
    this.taskStart = new Array(taskCount).fill(NaN);
    // Stryker disable next-line ArrayDeclaration: NaN marks a task that never finished, which only a simulator bug leaves
    this.taskEnd = new Array(taskCount).fill(NaN);
  }

  /** Run until `finished`, delivering events to `send` (the model's actor). Returns the final time. */
  run(deliver: (e: KernelEvent) => void, finished: () => boolean, maxEvents = 5_000_000): Seconds {
    // Whatever the model hears, it first hears how far the kernel went with its foreseen answers, if it used any
    // (an answer unused is void the moment the model hears anything else, and the model knows it). Only what it
    // hears can finish it (a foreseen answer never does), so that is when `finished` is asked.
    let over = false;
    const send = (e: KernelEvent) => {
      if (this.foreseen.length) {
        const done = this.foreseenDone;
        this.foreseen = [];
        this.foreseenDone = 0;
        if (done > 0) deliver({ type: 'PLAN_CUT', done, at: this.now });
      }
      deliver(e);
      over = finished();
    };
    send({ type: 'START', at: 0 });
    let stalled = false;
    // Stop the moment the model is done: a timer still pending then (a GIL drop request) must not stretch the run.
    for (let n = 0; !over; n++) {
      this.dispatch();
      let t = Infinity;
      let what = 0; // 1 burst done, 2 slice end, 3 agenda
      // Stryker disable next-line UnaryOperator: read only when `what` says a core was chosen
      let core = -1;
      for (let c = 0; c < this.cores.length; c++) {
        const id = this.cores[c];
        if (id < 0) continue;
        const th = this.threads[id];
        const end = th.runStart + th.remaining;
        // Stryker disable next-line EqualityOperator,ArithmeticOperator: instants within EPS are one instant
        if (end < t - EPS) {
          t = end;
          what = 1;
          core = c;
        }
      }
      if (this.ready.length) {
        // Stryker disable next-line EqualityOperator: cores[length] is undefined, which no comparison with 0 accepts
        for (let c = 0; c < this.cores.length; c++) {
          // Stryker disable next-line ConditionalExpression: an idle core's slice end is past; it cannot win over a busy one's
          if (this.cores[c] < 0) continue;
          const s = Math.max(this.sliceEnd[c], this.now);
          // Stryker disable next-line EqualityOperator: instants within EPS are one instant
          if (s < t - EPS) {
            t = s;
            what = 2;
            core = c;
          }
        }
      }
      if (this.agenda.peekTime() < t - EPS) {
        t = this.agenda.peekTime();
        what = 3;
      }
      if (what === 0) {
        // Asked once: a model that answers a stall with more to do is asked no more when that runs out.
        if (stalled) break;
        stalled = true;
        n--;
        send({ type: 'STALLED', at: this.now });
        continue;
      }
      if (n >= maxEvents) throw new EventCapError(maxEvents, this.now);
      this.now = Math.max(this.now, t);
      if (what === 1) {
        const id = this.cores[core];
        this.leaveCore(id);
        const th = this.threads[id];
        th.remaining = 0;
        th.runnable = false;
        this.completing = id;
        this.burstDone(id, send);
        this.completing = -1;
      } else if (what === 2) {
        const id = this.cores[core];
        this.leaveCore(id);
        this.ready.push(id);
        this.markTask(id);
      } else {
        const item = this.agenda.pop()!;
        if ('type' in item) {
          const f = this.nextAnswer();
          if (item.type === 'GIL_TIMEOUT' && this.gilThread >= 0 && this.threads[this.gilThread].core < 0) {
            // Delivered later (another instant than any answer to it was worked out for).
            this.deferredDrop = item;
          } else if (f && f.event === item && f.at === this.now) {
            this.foreseenDone++;
            this.apply(f.cmds);
          } else send(timed(item, this.now));
        } else if (this.threads[item.thread].token === item.token) {
          if (item.k === 'wake') this.makeRunnable(item.thread);
          else this.burstDone(item.thread, send);
        }
      }
    }
    return this.now;
  }

  /**
   * A thread's BURST_DONE, with what a cut took off its burst (then forgotten): the model's answer worked out ahead,
   * if it is the next one and foresaw this very completion, else the event to the model.
   */
  private burstDone(id: number, send: (e: KernelEvent) => void): void {
    const th = this.threads[id];
    const left = th.left;
    th.left = 0;
    const f = this.nextAnswer();
    if (f && f.event.type === 'BURST_DONE' && f.event.thread === id && f.at === this.now && (f.event.left ?? 0) === left) {
      this.foreseenDone++;
      this.apply(f.cmds);
    } else send(left > 0 ? { type: 'BURST_DONE', thread: id, at: this.now, left } : { type: 'BURST_DONE', thread: id, at: this.now });
  }

  /** The model's next answer worked out ahead, if one is left. */
  private nextAnswer(): ForeseenAnswer | null {
    return this.foreseenDone < this.foreseen.length ? this.foreseen[this.foreseenDone] : null;
  }

  apply(cmds: readonly Command[]): void {
    for (const c of cmds) this.exec(c);
  }

  private exec(c: Command): void {
    switch (c.op) {
      case 'spawn':
        // Stryker disable next-line all: a new thread's task, step and kind are set by its first burst
        this.threads[c.thread] = {
          label: c.label, task: NO_TASK, step: -1, kind: 'python', remaining: 0, total: 0, left: 0, runnable: false,
          core: -1, lastCore: -1, runStart: 0, token: 0,
        };
        return;
      case 'burst': {
        const th = this.threads[c.thread];
        const keep = c.carryOn === true && this.completing === c.thread && this.cores[th.lastCore] < 0;
        this.stop(c.thread);
        th.task = c.task;
        th.step = c.step;
        th.kind = c.kind;
        th.remaining = c.seconds;
        th.total = c.seconds;
        th.left = 0;
        // Stryker disable next-line ConditionalExpression: taskThread[-1] is never read
        if (c.task >= 0) this.taskThread[c.task] = c.thread;
        if (c.seconds <= EPS) this.agenda.push(this.now + (c.delay ?? 0), { k: 'done', thread: c.thread, token: th.token });
        else if (c.delay) this.agenda.push(this.now + c.delay, { k: 'wake', thread: c.thread, token: th.token });
        else if (keep) {
          // Still on its core, as far as the OS knows: same core, same slice, and no turn taken in the run queue.
          th.runnable = true;
          this.place(c.thread, th.lastCore);
        } else this.makeRunnable(c.thread);
        return;
      }
      case 'cut': {
        const th = this.threads[c.thread];
        cutBurst(th, th.core >= 0 ? this.now - th.runStart : 0, c.call);
        return;
      }
      case 'suspend':
        this.stop(c.thread);
        return;
      case 'resume':
        if (c.delay) this.agenda.push(this.now + c.delay, { k: 'wake', thread: c.thread, token: this.threads[c.thread].token });
        else this.makeRunnable(c.thread);
        return;
      case 'timer':
        this.agenda.push(this.now + c.delay, c.event);
        return;
      case 'state':
        this.activity[c.task] = c.activity;
        this.taskStep[c.task] = c.step;
        this.taskOn[c.task] = c.on;
        if (c.step >= 0 && Number.isNaN(this.taskStart[c.task])) this.taskStart[c.task] = this.now;
        // Stryker disable next-line ConditionalExpression: a task's last state is 'done', so the last write is its end either way
        if (c.activity === 'done') this.taskEnd[c.task] = this.now;
        this.recordTask(c.task);
        return;
      case 'gil': {
        const at = this.now + (c.delay ?? 0);
        const last = this.gil[this.gil.length - 1];
        // Stryker disable next-line EqualityOperator: equal ends need no change
        if (last && last.end > at) last.end = at;
        if (c.thread >= 0) this.gil.push({ task: c.task, thread: c.thread, start: at, end: Infinity, forced: c.forced });
        this.gilThread = c.thread;
        this.deferredDrop = null;
        return;
      }
      case 'gil-task': {
        const last = this.gil[this.gil.length - 1];
        if (last && last.thread === c.thread && last.start === this.now) last.task = c.task;
        return;
      }
      case 'loop': {
        const last = this.loop[this.loop.length - 1];
        if (last && last.end === Infinity) last.end = this.now;
        if (c.kind) this.loop.push({ task: c.task, step: c.step, kind: c.kind, start: this.now, end: Infinity });
        return;
      }
      case 'sync': {
        const lane = this.sync[c.object];
        const last = lane[lane.length - 1];
        if (last && last.start === this.now) lane.pop();
        else if (last) last.end = this.now;
        const prev = lane[lane.length - 1];
        // An object back to what it was within the instant merges with the span before.
        if (prev && prev.end === this.now && prev.count === c.count && sameHolders(prev.holders, c.holders)) prev.end = Infinity;
        else lane.push({ object: this.objects[c.object].name, type: this.objects[c.object].type, start: this.now, end: Infinity, holders: c.holders, count: c.count });
        return;
      }
      case 'mark': {
        const mark: RunMark = { at: this.now, task: c.task, kind: c.kind, text: c.text };
        if (c.count !== undefined) mark.count = c.count;
        this.marks.push(mark);
        return;
      }
      case 'outcome':
        this.outcomes[c.task] = c.error === undefined ? { outcome: c.outcome } : { outcome: c.outcome, error: c.error };
        return;
      case 'deadlock':
        this.deadlock = { ...c.deadlock, at: this.now };
        return;
      case 'error':
        // The first to reach the main program is the one it ends with, unless the process dies first.
        if (c.final && this.error) this.error = { ...c.error, how: `${c.error.how}; the ${this.error.type} that had reached the main thread is never printed`, at: this.now };
        else this.error ??= { ...c.error, at: this.now };
        return;
      case 'shared':
        this.shared.push(c.shared);
        return;
      case 'choice':
        this.choices.push({ at: this.now, kind: c.kind, index: c.index, candidates: c.candidates, chosen: c.chosen });
        return;
      case 'foresee':
        this.foreseen = c.answers;
        c.answers = NO_ANSWERS;
        this.foreseenDone = 0;
        return;
    }
  }

  /** Off core and out of the run queue; any pending wake-up is cancelled. */
  private stop(id: number): void {
    const th = this.threads[id];
    // Stryker disable next-line UpdateOperator: any new token makes pending wake-ups stale
    th.token++;
    if (th.core >= 0) this.leaveCore(id);
    else if (th.runnable) this.ready.splice(this.ready.indexOf(id), 1);
    th.runnable = false;
    this.markTask(id);
  }

  private makeRunnable(id: number): void {
    const th = this.threads[id];
    if (th.runnable) return;
    th.runnable = true;
    this.ready.push(id);
    this.markTask(id);
  }

  private dispatch(): void {
    while (this.ready.length) {
      let free = -1;
      // Stryker disable next-line EqualityOperator: cores[length] is undefined, which no comparison with 0 accepts
      for (let c = 0; c < this.cores.length; c++) if (this.cores[c] < 0) { free = c; break; }
      if (free < 0) return;
      const id = this.ready.shift()!;
      const th = this.threads[id];
      // Stryker disable next-line ConditionalExpression,EqualityOperator: cores[-1] is undefined, which fails the second test
      const core = th.lastCore >= 0 && this.cores[th.lastCore] < 0 ? th.lastCore : free;
      this.sliceEnd[core] = this.now + this.osSlice;
      this.place(id, core);
    }
  }

  /** Put a runnable thread on a free core from now (its slice end is the caller's business). */
  private place(id: number, core: number): void {
    const th = this.threads[id];
    this.cores[core] = id;
    th.core = core;
    th.lastCore = core;
    th.runStart = this.now;
    this.markTask(id);
    if (this.deferredDrop && id === this.gilThread) {
      this.agenda.push(this.now, this.deferredDrop);
      this.deferredDrop = null;
    }
  }

  private leaveCore(id: number): void {
    const th = this.threads[id];
    const core = th.core;
    const ran = this.now - th.runStart;
    th.remaining = Math.max(0, th.remaining - ran);
    // Stryker disable next-line EqualityOperator: instants within EPS are one instant
    if (ran > EPS) {
      const lane = this.segments[core];
      const prev = lane[lane.length - 1];
      if (prev && prev.thread === id && prev.task === th.task && prev.step === th.step && prev.kind === th.kind && Math.abs(prev.end - th.runStart) < EPS) {
        prev.end = this.now;
      } else {
        lane.push({ core, start: th.runStart, end: this.now, task: th.task, step: th.step, kind: th.kind, thread: id, threadLabel: th.label });
      }
    }
    this.cores[core] = -1;
    th.core = -1;
  }

  /** Re-derive the state of the task `thread` is working for, after the thread moved on or off a core. */
  private markTask(id: number): void {
    const task = this.threads[id].task;
    if (task >= 0 && this.taskThread[task] === id) this.recordTask(task);
  }

  private recordTask(task: number): void {
    let state: TaskState;
    const a = this.activity[task];
    if (a === 'active') {
      const th = this.threads[this.taskThread[task]];
      state = th && th.core >= 0 && th.task === task ? 'running' : 'cpu-wait';
    } else state = a;
    const lane = this.spans[task];
    const last = lane[lane.length - 1];
    const step = this.taskStep[task];
    const on = this.taskOn[task];
    if (last.state === state && last.step === step && last.on === on) return;
    if (last.start === this.now) {
      // Replaced within the same instant: keep the latest word, merging with an identical predecessor.
      const before = lane[lane.length - 2];
      if (before && before.state === state && before.step === step && before.on === on) lane.pop();
      else {
        last.state = state;
        last.step = step;
        if (on === undefined) delete last.on;
        else last.on = on;
      }
      return;
    }
    last.end = this.now;
    lane.push(on === undefined ? { task, state, start: this.now, end: 0, step } : { task, state, start: this.now, end: 0, step, on });
  }

  /** Close every open span at `end`. */
  finish(end: Seconds): { taskSpans: TaskSpan[][] } {
    for (const lane of this.spans) {
      const last = lane[lane.length - 1];
      last.end = end;
      if (last.start >= end && lane.length > 1) lane.pop();
      lane[lane.length - 1].end = end;
    }
    for (const g of this.gil) if (g.end === Infinity) g.end = end;
    for (const l of this.loop) if (l.end === Infinity) l.end = end;
    for (const lane of this.sync) {
      while (lane.length && lane[lane.length - 1].start >= end && lane.length > 1) lane.pop();
      for (const s of lane) if (s.end === Infinity || s.end > end) s.end = end;
    }
    return { taskSpans: this.spans };
  }
}

const sameHolders = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
