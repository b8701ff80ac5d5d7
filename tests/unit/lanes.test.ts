import { describe, expect, it } from 'vitest';
import { runModel } from '../../src/sim/simulate.ts';
import { buildLanes, toPixels, type Mark, type Paint } from '../../src/ui/chart/lanes.ts';
import { eventInstants, visibleInstants } from '../../src/ui/player/eventInstants.ts';
import { timeScale } from '../../src/ui/chart/scale.ts';
import { loadScenario, scenario } from './helpers.ts';

const paint = (task: number): Paint => ({ by: 'task', task, kind: 'python' });
const mark = (start: number, end: number, task = 0): Mark => ({ start, end, paint: paint(task), label: `T${task}`, detail: () => `T${task} ${start}–${end}` });
// 100 px for 1 s: 1 px = 10 ms.
const x = timeScale(1, 100);

describe('toPixels: marks narrower than a pixel are merged, as trace viewers do', () => {
  const cases: [string, Mark[], { n: number; merged: number[]; mixed: boolean[]; tasks: number[] }][] = [
    ['wide marks are kept one for one', [mark(0, 0.1), mark(0.1, 0.3, 1)], { n: 2, merged: [1, 1], mixed: [false, false], tasks: [0, 1] }],
    ['a run of sub-pixel slices of one task becomes one mark', [mark(0, 0.002), mark(0.002, 0.004), mark(0.004, 0.006)], { n: 1, merged: [3], mixed: [false], tasks: [0] }],
    ['sub-pixel slices of several tasks merge, painted as the longest and flagged mixed', [mark(0, 0.002, 0), mark(0.002, 0.008, 1), mark(0.008, 0.009, 2)], { n: 1, merged: [3], mixed: [true], tasks: [1] }],
    ['a merge stops once the mark is wider than a pixel and a half', [mark(0, 0.008), mark(0.008, 0.016), mark(0.016, 0.024), mark(0.024, 0.032)], { n: 2, merged: [2, 2], mixed: [false, false], tasks: [0, 0] }],
    ['a gap of half a pixel or more starts a new mark', [mark(0, 0.002), mark(0.01, 0.012)], { n: 2, merged: [1, 1], mixed: [false, false], tasks: [0, 0] }],
  ];
  for (const [name, marks, want] of cases) {
    it(name, () => {
      const px = toPixels(marks, x);
      expect(px.length).toBe(want.n);
      expect(px.map((m) => m.merged)).toEqual(want.merged);
      expect(px.map((m) => m.mixed)).toEqual(want.mixed);
      expect(px.map((m) => (m.paint.by === 'task' ? m.paint.task : -9))).toEqual(want.tasks);
    });
  }

  it('a merged mark spans its slices and says so in its tooltip; a mixed one drops its label', () => {
    const [m] = toPixels([mark(0, 0.002, 0), mark(0.002, 0.008, 1), mark(0.008, 0.009, 2)], x);
    expect([m.start, m.end, m.x, +m.w.toFixed(6)]).toEqual([0, 0.009, 0, 0.9]);
    expect(m.label).toBe('');
    expect(m.detail()).toBe('3 slices too short to draw apart (several tasks), 0.0 ms → 9.0 ms (9.0 ms)');
  });

  it('an unmerged mark keeps its own tooltip', () => {
    expect(toPixels([mark(0, 0.5, 3)], x)[0].detail()).toBe('T3 0–0.5');
  });
});

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
