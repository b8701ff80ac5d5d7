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
 * - `done`.
 */
export type TaskState = 'queued' | 'running' | 'cpu-wait' | 'gil-wait' | 'io' | 'blocked' | 'done';

export interface TaskSpan {
  task: number;
  state: TaskState;
  start: Seconds;
  end: Seconds;
  /** The step in progress (-1 before the first one). */
  step: number;
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
}

export interface Summary {
  makespan: Seconds;
  /** Sequential makespan divided by this model's. */
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
  summary: Summary;
}
