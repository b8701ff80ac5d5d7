import { DEFAULT_PROFILE, type CPythonProfile } from './profile.ts';
import type { ModelConfig, Scenario, StartMethod } from './types.ts';

/**
 * A model's settings with every default filled in, the one place defaults are decided: the machines simulate these
 * values, and the app, the generated Python and the CLI describe them, so what a chart is titled is what ran.
 * - threads: `ThreadPoolExecutor(max_workers=None)` here means one thread per task (the scenario submits all its tasks
 *   at once); the switch interval is the profile's (`sys.getswitchinterval()`, 5 ms), in milliseconds.
 * - processes: `max_workers` defaults to the scenario's cores (`os.cpu_count()`), the start method to fork (Linux's
 *   default up to 3.13).
 * - threads' `api` defaults to the executor; a bare `threading.Thread` per task (`thread`) is one thread per task.
 * - asyncio: no Semaphore (`workers: null`): every coroutine runs at once; `asyncio.gather` (the `api` default).
 */
export type ResolvedConfig =
  | { model: 'sequential' }
  | { model: 'threads'; workers: number; switchIntervalMs: number; api: 'executor' | 'thread' }
  | { model: 'processes'; workers: number; startMethod: StartMethod }
  | { model: 'asyncio'; workers: number | null; api: 'gather' | 'taskgroup' };

/** `config`'s settings resolved: the same model's variant of ResolvedConfig. */
export function resolveConfig<C extends ModelConfig>(config: C, scenario: Pick<Scenario, 'tasks' | 'cores'>, profile?: CPythonProfile): Extract<ResolvedConfig, { model: C['model'] }>;
export function resolveConfig(config: ModelConfig, scenario: Pick<Scenario, 'tasks' | 'cores'>, profile: CPythonProfile = DEFAULT_PROFILE): ResolvedConfig {
  switch (config.model) {
    case 'sequential':
      return { model: 'sequential' };
    case 'threads':
      return { model: 'threads', workers: config.workers ?? scenario.tasks.length, switchIntervalMs: config.switchIntervalMs ?? profile.switchInterval * 1000, api: config.api ?? 'executor' };
    case 'processes':
      return { model: 'processes', workers: config.workers ?? scenario.cores, startMethod: config.startMethod ?? 'fork' };
    case 'asyncio':
      return { model: 'asyncio', workers: config.workers ?? null, api: config.api ?? 'gather' };
  }
}

/**
 * The model and its settings in words, as they ran (defaults filled in): a chart's title in the workbench, the
 * trace's process names, the summary's rows. Models that run differently read differently (the API too: a TaskGroup is
 * no gather, a bare Thread per task no executor).
 */
export function modelWords(config: ModelConfig, scenario: Pick<Scenario, 'tasks' | 'cores'>, profile: CPythonProfile = DEFAULT_PROFILE): string {
  const r = resolveConfig(config, scenario, profile);
  switch (r.model) {
    case 'sequential':
      return 'sequential: for task in tasks: task()';
    case 'threads':
      return `threads: ${r.api === 'thread' ? 'a threading.Thread per task' : `ThreadPoolExecutor(max_workers=${r.workers})`}, switch interval ${r.switchIntervalMs} ms`;
    case 'processes':
      return `processes: ProcessPoolExecutor(max_workers=${r.workers}), start method ${r.startMethod}`;
    case 'asyncio':
      return `asyncio: ${r.api === 'taskgroup' ? 'TaskGroup()' : 'gather()'}${r.workers ? `, Semaphore(${r.workers})` : ''}`;
  }
}

/**
 * A chart's title on the stage: the model and only what sets it apart from the defaults, short enough for one line
 * of projector type (the interval where it is not CPython's, the thread count where it was set).
 */
export function modelTitle(config: ModelConfig, scenario: Pick<Scenario, 'tasks' | 'cores'>, profile: CPythonProfile = DEFAULT_PROFILE): string {
  const r = resolveConfig(config, scenario, profile);
  switch (r.model) {
    case 'sequential':
      return 'sequential';
    case 'threads': {
      const bits = [r.api === 'thread' ? 'Thread per task' : '', r.switchIntervalMs !== DEFAULT_PROFILE.switchInterval * 1000 ? `${r.switchIntervalMs} ms` : ''].filter(Boolean);
      return `threads${bits.length ? ` (${bits.join(', ')})` : ''}${config.model === 'threads' && config.workers ? ` ×${config.workers}` : ''}`;
    }
    case 'processes':
      return `processes (${r.startMethod}) ×${r.workers}`;
    case 'asyncio': {
      const bits = [r.api === 'taskgroup' ? 'TaskGroup' : '', r.workers ? `Semaphore ${r.workers}` : ''].filter(Boolean);
      return `asyncio${bits.length ? ` (${bits.join(', ')})` : ''}`;
    }
  }
}
