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
