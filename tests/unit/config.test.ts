import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/sim/config.ts';
import { DEFAULT_PROFILE, withOverride } from '../../src/sim/profile.ts';
import { runModel } from '../../src/sim/simulate.ts';
import type { ModelConfig } from '../../src/sim/types.ts';
import { scenario } from './helpers.ts';

describe('resolveConfig: every default decided in one place', () => {
  const s = scenario(3, [['a', ['cpu', 0.01]], ['b', ['cpu', 0.01]], ['c', ['io', 0.01]], ['d', ['io', 0.01]]]);
  const cases: [string, ModelConfig, unknown][] = [
    ['sequential has nothing to set', { model: 'sequential' }, { model: 'sequential' }],
    ['threads: one thread per task, the profile\'s 5 ms, an executor', { model: 'threads' }, { model: 'threads', workers: 4, switchIntervalMs: 5, api: 'executor' }],
    ['threads: what the file sets wins', { model: 'threads', workers: 2, switchIntervalMs: 1 }, { model: 'threads', workers: 2, switchIntervalMs: 1, api: 'executor' }],
    ['threads: a bare Thread per task', { model: 'threads', api: 'thread' }, { model: 'threads', workers: 4, switchIntervalMs: 5, api: 'thread' }],
    ['processes: one worker per core, fork', { model: 'processes' }, { model: 'processes', workers: 3, startMethod: 'fork' }],
    ['processes: what the file sets wins', { model: 'processes', workers: 8, startMethod: 'spawn' }, { model: 'processes', workers: 8, startMethod: 'spawn' }],
    ['asyncio: no Semaphore, gather', { model: 'asyncio' }, { model: 'asyncio', workers: null, api: 'gather' }],
    ['asyncio: a Semaphore of 2', { model: 'asyncio', workers: 2 }, { model: 'asyncio', workers: 2, api: 'gather' }],
    ['asyncio: a TaskGroup', { model: 'asyncio', api: 'taskgroup' }, { model: 'asyncio', workers: null, api: 'taskgroup' }],
  ];
  it.each(cases)('%s', (_, config, want) => expect(resolveConfig(config, s)).toEqual(want));

  it('a timing profile\'s switch interval is the default threads run with, and what they are described with', () => {
    const p = withOverride(DEFAULT_PROFILE, { switchInterval: 0.002 });
    expect(resolveConfig({ model: 'threads' }, s, p)).toEqual({ model: 'threads', workers: 4, switchIntervalMs: 2, api: 'executor' });
    // The machine runs what resolveConfig says: the same run as the interval set in the file.
    expect(runModel(s, { model: 'threads' }, p).makespan).toBe(runModel(s, { model: 'threads', switchIntervalMs: 2 }).makespan);
  });
});
