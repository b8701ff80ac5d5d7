import type { StoryStep } from './story.ts';

/** Seconds of simulated time (never wall-clock time). */
export type Seconds = number;

/**
 * What a step of a task does, in CPython terms.
 * - `cpu`: pure-Python bytecode; needs a core and the GIL of its process.
 * - `native`: C code that releases the GIL (hashlib on big buffers, NumPy); needs a core, not the GIL.
 * - `io`: a wait that needs no core and releases the GIL (sleep, socket, waiting on a subprocess).
 */
export type StepKind = 'cpu' | 'native' | 'io';

export interface Step {
  kind: StepKind;
  /** Seconds of this work alone on one core (for `io`: seconds of waiting). */
  seconds: Seconds;
  /** asyncio only: an `io` step made with a blocking call (`time.sleep`, `subprocess.run`) that stalls the loop. */
  blocking?: boolean;
}

export interface Task {
  name: string;
  steps: Step[];
}

export type StartMethod = 'fork' | 'forkserver' | 'spawn';

export interface SequentialConfig {
  model: 'sequential';
}
export interface ThreadsConfig {
  model: 'threads';
  /** `ThreadPoolExecutor(max_workers=…)`; absent: one thread per task. */
  workers?: number;
  /** `sys.setswitchinterval()` in milliseconds; absent: the profile's (5 ms). */
  switchIntervalMs?: number;
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
  /** `asyncio.Semaphore(…)` around each task; absent: no limit. */
  workers?: number;
}
export type ModelConfig = SequentialConfig | ThreadsConfig | ProcessesConfig | AsyncioConfig;
export type ModelName = ModelConfig['model'];
export const MODEL_NAMES: readonly ModelName[] = ['sequential', 'threads', 'processes', 'asyncio'];

/** A scenario after validation: every duration is a number (random ranges already drawn from `seed`). */
export interface Scenario {
  name: string;
  description: string;
  cores: number;
  seed: number;
  tasks: Task[];
  models: ModelConfig[];
  /** The file's story for a talk, if it has one (story.ts); the simulator ignores it. */
  story?: StoryStep[];
}
