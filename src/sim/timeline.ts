import type { ModelConfig, Seconds } from './types.ts';

/** Task index used for work that belongs to no task: the main thread submitting work, a worker starting up. */
export const NO_TASK = -1;

/**
 * What a core was doing during a segment.
 * - `python`: bytecode under a GIL; `native`: C code with the GIL released;
 * - `startup`: a worker process booting (fork/forkserver/spawn); `overhead`: submitting, pickling, dispatching.
 */
export type SegmentKind = 'python' | 'native' | 'startup' | 'overhead';

/** One stretch of a core running one OS thread. Segments of one core never overlap and are sorted by start. */
export interface CoreSegment {
  core: number;
  start: Seconds;
  end: Seconds;
  /** Index into the scenario's tasks, or NO_TASK. */
  task: number;
  /** Index into the task's steps, or -1 for work between steps. */
  step: number;
  kind: SegmentKind;
  /** The OS thread (threads, asyncio, sequential) or worker process (processes) that ran. */
  thread: number;
  /** Label of that thread or process: "main", "Thread-2", "worker 1", "event loop". */
  threadLabel: string;
}

/**
 * A task's state at any instant.
 * - `queued`: not started: waiting for a worker, a thread, the semaphore or its turn;
 * - `running`: on a core; `cpu-wait`: runnable but every core is busy (the OS has it in its run queue);
 * - `gil-wait`: ready to run Python, waiting for the GIL; `io`: waiting on I/O (no core, no GIL);
 * - `blocked`: asyncio: its await is over but the loop is busy with another task's blocking work;
 * - `lock-wait`, `queue-wait`, `event-wait`, `barrier-wait`: waiting on the synchronisation object the span names
 *   (`on`): a lock (or semaphore) held by another, a queue empty for a get or full for a put, an event not set, a
 *   barrier short of its parties;
 * - `done`: finished, whatever its outcome (see `TaskResult.outcome`).
 */
export type TaskState = 'queued' | 'running' | 'cpu-wait' | 'gil-wait' | 'io' | 'blocked' | SyncWait | 'done';

/** The states of waiting on a synchronisation object. */
export type SyncWait = 'lock-wait' | 'queue-wait' | 'event-wait' | 'barrier-wait';
export const SYNC_WAITS: readonly SyncWait[] = ['lock-wait', 'queue-wait', 'event-wait', 'barrier-wait'];

export interface TaskSpan {
  task: number;
  state: TaskState;
  start: Seconds;
  end: Seconds;
  /** The step in progress (-1 before the first one). */
  step: number;
  /** For a sync wait: the object waited on. */
  on?: string;
}

/** What became of a task. */
export type Outcome =
  | 'ok'
  | 'raised' // its own exception ended it
  | 'cancelled' // asyncio cancelled it (a TaskGroup after another task's error, or asyncio.run at its exit)
  | 'broken' // its process died: a crashed pool worker breaks every pending task; a crash elsewhere ends the program
  | 'deadlocked' // blocked forever
  | 'skipped'; // never started: the program ended first (sequential code after an error)
export const OUTCOMES: readonly Outcome[] = ['ok', 'raised', 'cancelled', 'broken', 'deadlocked', 'skipped'];

/**
 * A synchronisation object's state over time, one span per change: a lock's holders (tasks), a queue's items, an
 * event's flag (count 1 when set), a barrier's arrivals. Spans of one object never overlap and are sorted by start.
 */
export interface SyncSpan {
  object: string;
  type: 'lock' | 'queue' | 'event' | 'barrier';
  start: Seconds;
  end: Seconds;
  holders: number[];
  count: number;
}

/** Something that happened to a task at an instant, marked on the chart. */
export interface RunMark {
  at: Seconds;
  task: number;
  kind: 'raised' | 'cancelled' | 'broken' | 'crash' | 'lost' | 'deadlock';
  /** Words for the mark: the exception, the cycle, how many updates were lost. */
  text: string;
  /** `lost`: the updates this write lost. */
  count?: number;
}

/** A run that ended with tasks blocked forever: who waits for what, and who holds it. */
export interface Deadlock {
  at: Seconds;
  /** True when the waits form a cycle of lock holders (the classic deadlock); false: a wait nobody is left to end. */
  cycle: boolean;
  tasks: { task: number; waitsFor: string; holds: string[] }[];
}

/** The exception that reached the main program, when, and how. */
export interface MainError {
  type: string;
  at: Seconds;
  /** The task it came from (NO_TASK: none in particular). */
  task: number;
  how: string;
}

/**
 * A point where the GIL could change hands (threads), for the user who plays the scheduler: a drop request (the
 * holder, last among the candidates, may keep it) or a release with several waiters. `index`: its place in order,
 * which a `schedule` entry of the same place decides.
 */
export interface ChoicePoint {
  at: Seconds;
  kind: 'drop' | 'release';
  index: number;
  /** Threads that could get the GIL, the rule's own pick first, with the task each is working for (NO_TASK: none). */
  candidates: { thread: number; task: number }[];
  chosen: number;
}

/** A shared value's final state against the value no race would have left. */
export interface SharedResult {
  name: string;
  final: number;
  expected: number;
  lost: number;
  /** Why `final` is what it is, where the count of lost updates does not say (processes: each has its own copy). */
  note?: string;
}

/** Who held a GIL. Threads model only: a worker process's GIL is never contended. */
export interface GilSpan {
  /** Task index of the holder, or NO_TASK for the main thread. */
  task: number;
  thread: number;
  start: Seconds;
  end: Seconds;
  /** True when the previous holder was made to drop it by a waiter's switch-interval timeout. */
  forced: boolean;
}

/** What the asyncio event loop was running. Gaps are the loop idle in `select()`. */
export interface LoopSpan {
  task: number;
  step: number;
  /** `await`-free work that holds the loop: pure Python, native code or a blocking call. */
  kind: 'cpu' | 'native' | 'blocking-io';
  start: Seconds;
  end: Seconds;
}

export interface TaskResult {
  name: string;
  start: Seconds;
  end: Seconds;
  /** Seconds spent waiting for the GIL. */
  gilWait: Seconds;
  outcome: Outcome;
  /** The exception it raised or was broken or cancelled with, for any outcome but `ok`, `deadlocked` and `skipped`. */
  error?: string;
}

export interface Summary {
  makespan: Seconds;
  /** Sequential makespan divided by this model's; NaN for a run that did not finish every task cleanly. */
  speedup: number;
  /** Busy core time over cores × makespan, 0..1. */
  utilisation: number;
  /** Total over tasks of time spent waiting for the GIL. */
  gilWait: Seconds;
  /** Time during which at least one task was ready but the event loop was busy elsewhere. */
  loopBlocked: Seconds;
  /** Number of GIL hand-offs (threads), or 0. */
  gilSwitches: number;
}

/** Everything one model did with one scenario: pure data, ready to draw and to test. */
export interface ModelRun {
  model: ModelConfig['model'];
  config: ModelConfig;
  cores: number;
  makespan: Seconds;
  tasks: TaskResult[];
  /** Per core, sorted by start. */
  coreSegments: CoreSegment[][];
  /** Per task, contiguous from 0 to makespan. */
  taskSpans: TaskSpan[][];
  gil: GilSpan[];
  loop: LoopSpan[];
  /** Per synchronisation object, in declaration order (locks, queues, events, barriers); empty without any. */
  sync: SyncSpan[][];
  marks: RunMark[];
  deadlock: Deadlock | null;
  /** The exception the main program ends with (null: none reached it). */
  error: MainError | null;
  shared: SharedResult[];
  /** threads with a `schedule`: every point where the GIL could have gone another way (else empty). */
  choices: ChoicePoint[];
  summary: Summary;
}
