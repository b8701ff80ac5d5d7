import { describe, expect, it } from 'vitest';
import { runModel } from '../../src/sim/simulate.ts';
import { buildLanes } from '../../src/ui/chart/lanes.ts';
import { eventInstants, visibleInstants } from '../../src/ui/player/eventInstants.ts';
import { loadScenario, scenario } from './helpers.ts';


describe('buildLanes', () => {
  const s = scenario(2, [['Doc', ['cpu', 0.2], ['io', 0.3]], ['Grumpy', ['native', 0.25]]]);
  const cases: [string, 'cores' | 'tasks', string[]][] = [
    ['per core: cores, then the GIL, then a waiting band of tasks that wait', 'cores', ['CPU 0', 'CPU 1', 'GIL', 'Doc']],
    ['per task: one lane per task', 'tasks', ['Doc', 'Grumpy']],
  ];
  for (const [name, view, labels] of cases) {
    it(name, () => expect(buildLanes(runModel(s, { model: 'threads' }), s, view).map((l) => l.label)).toEqual(labels));
  }

  it('tooltips name the task, where it ran, the kind of work and its times', () => {
    const lanes = buildLanes(runModel(s, { model: 'threads' }), s, 'cores');
    const details = lanes.flatMap((l) => l.marks.map((m) => m.detail()));
    expect(details).toContainEqual(expect.stringMatching(/^Grumpy on CPU \d \(Thread \d\): native code, GIL released, step 1 of 1 \(native\), [\d.]+ ms → [\d.]+ ms \([\d.]+ ms\)$/));
    expect(details).toContainEqual(expect.stringMatching(/^Doc waits on I\/O, step 2 of 2 \(io\)/));
  });
});

describe('eventInstants: where Previous/Next event stop', () => {
  it('every span start of every run, ascending, each once, to the microsecond', () => {
    const s = scenario(2, [['a', ['cpu', 0.1], ['io', 0.2]], ['b', ['io', 0.1]]]);
    const runs = [runModel(s, { model: 'sequential' }), runModel(s, { model: 'asyncio' })];
    const got = eventInstants(runs);
    const want = [...new Set(runs.flatMap((r) => r.taskSpans.flat().map((x) => Math.round(x.start * 1e6) / 1e6)))].sort((a, b) => a - b);
    expect(got).toEqual(want);
    expect(got[0]).toBe(0);
    expect(got.every((t, i) => i === 0 || t > got[i - 1])).toBe(true);
  });

  it('no runs, no instants', () => expect(eventInstants([])).toEqual([]));
});

describe('visibleInstants: where a clicker steps, each press a visible distance', () => {
  it.each([
    ['apart enough: all kept', [0, 1, 2, 3], 0.5, [0, 1, 2, 3]],
    ['a burst after the start: one stop for it', [0, 0.001, 0.002, 0.01, 1, 2], 0.5, [0, 1, 2]],
    ['a burst at the end: the end is still reached', [0, 1, 1.9, 1.95, 2], 0.5, [0, 1, 2]],
    ['exactly the gap apart: kept', [0, 0.5, 1], 0.5, [0, 0.5, 1]],
    ['one instant', [3], 0.5, [3]],
    ['none', [], 0.5, []],
  ] as [string, number[], number, number[]][])('%s', (_, instants, gap, want) => expect(visibleInstants(instants, gap)).toEqual(want));

  it('Seven Dwarfs at a 1,000 px chart: no two stops closer than 4 px, and the first 27 micro-events are one stop', () => {
    const s = loadScenario('scenarios/seven-dwarfs.json');
    const runs = s.models.map((m) => runModel(s, m));
    const end = Math.max(...runs.map((r) => r.makespan)) * 1.02;
    const all = eventInstants(runs);
    const stops = visibleInstants(all, (4 * end) / 1000);
    expect(stops.length).toBeLessThan(all.length / 2);
    for (let i = 1; i < stops.length; i++) expect(stops[i] - stops[i - 1]).toBeGreaterThanOrEqual((4 * end) / 1000 - 1e-9);
    expect(stops.filter((t) => t < 0.023)).toHaveLength(1);
    expect(stops.at(-1)).toBe(all.at(-1));
  });
});
