import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { modelTitle, modelWords, resolveConfig } from '../../src/sim/config.ts';
import { parseScenarioText } from '../../src/sim/schema.ts';
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

describe('modelWords and modelTitle: a model described as it ran', () => {
  const s = scenario(3, [['a', ['cpu', 0.01]], ['b', ['cpu', 0.01]], ['c', ['io', 0.01]], ['d', ['io', 0.01]]]);
  const cases: [string, ModelConfig, string, string][] = [
    ['sequential', { model: 'sequential' }, 'sequential: for task in tasks: task()', 'sequential'],
    ['threads: the executor\'s thread count as it ran (one per task), the interval', { model: 'threads' }, 'threads: ThreadPoolExecutor(max_workers=4), switch interval 5 ms', 'threads'],
    ['threads: a set count and interval', { model: 'threads', workers: 2, switchIntervalMs: 1 }, 'threads: ThreadPoolExecutor(max_workers=2), switch interval 1 ms', 'threads (1 ms) ×2'],
    ['threads: a bare Thread per task is no executor', { model: 'threads', api: 'thread' }, 'threads: a threading.Thread per task, switch interval 5 ms', 'threads (Thread per task)'],
    ['processes: the start method said', { model: 'processes' }, 'processes: ProcessPoolExecutor(max_workers=3), start method fork', 'processes (fork) ×3'],
    ['asyncio: gather', { model: 'asyncio' }, 'asyncio: gather()', 'asyncio'],
    ['asyncio: a Semaphore', { model: 'asyncio', workers: 2 }, 'asyncio: gather(), Semaphore(2)', 'asyncio (Semaphore 2)'],
    ['asyncio: a TaskGroup is no gather', { model: 'asyncio', api: 'taskgroup', workers: 2 }, 'asyncio: TaskGroup(), Semaphore(2)', 'asyncio (TaskGroup, Semaphore 2)'],
  ];
  it.each(cases)('%s', (_, config, words, title) => {
    expect(modelWords(config, s)).toBe(words);
    expect(modelTitle(config, s)).toBe(title);
  });

  it.each(['errors-threads', 'errors-asyncio', 'convoy', 'collatz', 'lecture'])('two models of %s never read the same, in words or as titles', (name) => {
    const r = parseScenarioText(readFileSync(`scenarios/${name}.json`, 'utf8'), name);
    if (!r.ok) throw new Error(r.errors.join());
    const sc = r.scenario;
    for (const f of [modelWords, modelTitle]) {
      const texts = sc.models.map((m) => f(m, sc));
      expect(new Set(texts).size, texts.join(' | ')).toBe(texts.length);
    }
  });
});
