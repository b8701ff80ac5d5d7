import type { StoryStep } from './story.ts';

/** Seconds of simulated time (never wall-clock time). */
export type Seconds = number;

/**
 * What a step of a task does, in CPython terms.
 * - `cpu`: pure-Python bytecode; needs a core and the GIL of its process.
 * - `native`: C code that releases the GIL (hashlib on big buffers, NumPy); needs a core, not the GIL.
 * - `io`: a wait that needs no core and releases the GIL (sleep, socket, waiting on a subprocess).
 */
export type WorkKind = 'cpu' | 'native' | 'io';

/** The synchronisation steps, each naming one of the scenario's objects (see `SyncDecls`). */
export type SyncKind = 'acquire' | 'release' | 'put' | 'get' | 'set' | 'wait' | 'barrier';

/** Every kind of step. Only `WorkKind`, `update` and `iterate` take time of their own; the rest are instants. */
export type StepKind = WorkKind | SyncKind | 'update' | 'iterate' | 'raise' | 'crash';

export interface WorkStep {
  kind: WorkKind;
  /** Seconds of this work alone on one core (for `io`: seconds of waiting). */
  seconds: Seconds;
  /** asyncio only: an `io` step made with a blocking call (`time.sleep`, `subprocess.run`) that stalls the loop. */
  blocking?: boolean;
}

/** Every step has `seconds`, so a total of work is one sum: always 0 for these instants (a wait is not work). */
export type LockStep = { kind: 'acquire' | 'release'; lock: string; seconds: Seconds };
export type QueueStep = { kind: 'put' | 'get'; queue: string; seconds: Seconds };
export type EventStep = { kind: 'set' | 'wait'; event: string; seconds: Seconds };
export type BarrierStep = { kind: 'barrier'; barrier: string; seconds: Seconds };
export type SyncStep = LockStep | QueueStep | EventStep | BarrierStep;

/**
 * A read-modify-write of a shared value, `times` over, pure Python taking `seconds` alone on one core:
 * `inplace` is `counter += 1` (no eval-breaker check between the read and the write), `call` is
 * `counter = bump(counter)` (a call between them: a thread switch can fall there, and the write then loses every
 * update made meanwhile). `lock`: each iteration inside `with lock:`. On a shared value some `iterate` step walks,
 * each iteration adds a key to the dict instead.
 */
export interface UpdateStep {
  kind: 'update';
  shared: string;
  times: number;
  seconds: Seconds;
  shape: 'inplace' | 'call';
  lock?: string;
}

/** One pass `for k in d:` over the shared dict, `seconds` of pure Python; a key added meanwhile makes it raise. */
export interface IterateStep {
  kind: 'iterate';
  shared: string;
  seconds: Seconds;
}

/** `raise`: the task raises `error`; `crash`: the process running it dies (`os._exit`, a segfault). */
export type FailStep = { kind: 'raise'; error: string; seconds: Seconds } | { kind: 'crash'; seconds: Seconds };

export type Step = WorkStep | SyncStep | UpdateStep | IterateStep | FailStep;

/** Steps that run Python or C code for their seconds (the rest wait or happen in an instant). */
export const isComputeStep = (s: Step): s is (WorkStep & { kind: 'cpu' | 'native' }) | UpdateStep | IterateStep =>
  s.kind === 'cpu' || s.kind === 'native' || s.kind === 'update' || s.kind === 'iterate';

export interface Task {
  name: string;
  steps: Step[];
  /** Bytes of the argument and of the result a process pool pickles through its pipes (0: none to speak of). */
  send?: number;
  receive?: number;
}

/**
 * The synchronisation objects a scenario declares, by name: `threading`'s under threads and sequential,
 * `multiprocessing`'s (shared with the pool's workers) under processes, `asyncio`'s under asyncio.
 */
export interface LockDecl {
  type: 'Lock' | 'RLock' | 'Semaphore';
  /** Semaphore only: its initial value. */
  value?: number;
}
export interface SyncDecls {
  locks?: Record<string, LockDecl>;
  /** `maxsize` 0: unbounded. */
  queues?: Record<string, { maxsize?: number }>;
  events?: Record<string, Record<string, never>>;
  barriers?: Record<string, { parties: number }>;
}

export type StartMethod = 'fork' | 'forkserver' | 'spawn';

export interface SequentialConfig {
  model: 'sequential';
}
export interface ThreadsConfig {
  model: 'threads';
  /**
   * How the main program runs the tasks: `executor` (absent) submits them to a `ThreadPoolExecutor` and asks each
   * future for its result in turn; `thread` starts a `threading.Thread` per task and joins them all.
   */
  api?: 'executor' | 'thread';
  /** `ThreadPoolExecutor(max_workers=…)`; absent: one thread per task. */
  workers?: number;
  /** `sys.setswitchinterval()` in milliseconds; absent: the profile's (5 ms). */
  switchIntervalMs?: number;
  /**
   * The user as the scheduler: at the k-th point where the GIL could change hands, the thread `schedule[k]` gets it
   * (thread 0 is the main thread, workers 1…n), where it is one of the candidates; past its end, the usual rules.
   * With a schedule (an empty one too) the run lists its choice points (`ModelRun.choices`).
   */
  schedule?: number[];
}
export interface ProcessesConfig {
  model: 'processes';
  /** `ProcessPoolExecutor(max_workers=…)`; absent: the scenario's cores. */
  workers?: number;
  /** `multiprocessing.get_context(…)`; absent: fork (Linux's default up to 3.13). */
  startMethod?: StartMethod;
}
export interface AsyncioConfig {
  model: 'asyncio';
  /** `gather` (absent): `await asyncio.gather(...)`; `taskgroup`: `async with asyncio.TaskGroup()`. */
  api?: 'gather' | 'taskgroup';
  /** `asyncio.Semaphore(…)` around each task; absent: no limit. */
  workers?: number;
}
export type ModelConfig = SequentialConfig | ThreadsConfig | ProcessesConfig | AsyncioConfig;
export type ModelName = ModelConfig['model'];
export const MODEL_NAMES: readonly ModelName[] = ['sequential', 'threads', 'processes', 'asyncio'];

/** A scenario after validation: every duration is a number (random ranges already drawn from `seed`). */
export interface Scenario extends SyncDecls {
  name: string;
  description: string;
  cores: number;
  seed: number;
  tasks: Task[];
  models: ModelConfig[];
  /** The file's story for a talk, if it has one (story.ts); the simulator ignores it. */
  story?: StoryStep[];
}
