import { describe, expect, it } from 'vitest';
import { computeShare, lengthRange, reshape } from '../../src/sim/reshape.ts';
import { runModel } from '../../src/sim/simulate.ts';
import { loadScenario, scenario } from './helpers.ts';

const dwarfs = loadScenario('scenarios/seven-dwarfs.json');
const totals = (sc: { tasks: { steps: { seconds: number }[] }[] }) => sc.tasks.map((t) => +t.steps.reduce((a, s) => a + s.seconds, 0).toFixed(9));
const names = (sc: { tasks: { name: string }[] }) => sc.tasks.map((t) => t.name);

describe('reshape: the sliders change a scenario’s own tasks', () => {
  it.each([0, 0.25, 0.5, 1])('the CPU-bound share at %s keeps every dwarf, its name and its length, and is that share', (share) => {
    const r = reshape(dwarfs, { cpuShare: share });
    expect(names(r)).toEqual(names(dwarfs));
    expect(totals(r)).toEqual(totals(dwarfs));
    expect(computeShare(r.tasks)).toBeCloseTo(share, 9);
    for (const t of r.tasks) expect(computeShare([t])).toBeCloseTo(share, 9);
  });

  it('all CPU-bound, the Seven Dwarfs take as long under threads as one after another (43 s), not a new random mix', () => {
    const r = reshape(dwarfs, { cpuShare: 1 });
    const seq = runModel(r, { model: 'sequential' }).makespan;
    expect(seq).toBeCloseTo(runModel(dwarfs, { model: 'sequential' }).makespan, 6);
    expect(runModel(r, { model: 'threads' }).makespan).toBeGreaterThanOrEqual(seq);
  });

  it('from CPU-bound back to waiting: Python gives way to waits at the end of each Python step; native code stays', () => {
    const sc = scenario(2, [['a', ['cpu', 2], ['native', 1], ['io', 1]]]);
    const r = reshape(sc, { cpuShare: 0.5 });
    expect(r.tasks[0].steps).toEqual([
      { kind: 'cpu', seconds: 1 },
      { kind: 'io', seconds: 1 },
      { kind: 'native', seconds: 1 },
      { kind: 'io', seconds: 1 },
    ]);
    // Below what native code alone takes: no Python left, native kept.
    expect(computeShare(reshape(sc, { cpuShare: 0 }).tasks)).toBeCloseTo(0.25, 9);
  });

  it('waits turned to Python keep their blocking flag on what is left of them', () => {
    const sc = scenario(1, [['a', ['io', 2, true]]]);
    expect(reshape(sc, { cpuShare: 0.25 }).tasks[0].steps).toEqual([
      { kind: 'cpu', seconds: 0.5 },
      { kind: 'io', seconds: 1.5, blocking: true },
    ]);
  });

  it.each([
    ['fewer tasks: the first ones', 3, ['Doc', 'Grumpy', 'Happy']],
    ['more tasks: the same again, numbered', 9, ['Doc', 'Grumpy', 'Happy', 'Sleepy', 'Bashful', 'Sneezy', 'Dopey', 'Doc 2', 'Grumpy 2']],
  ] as [string, number, string[]][])('%s', (_, n, want) => {
    expect(names(reshape(dwarfs, { tasks: n }))).toEqual(want);
  });

  it('the length range maps every task linearly onto the new range, keeping their order', () => {
    const [lo0, hi0] = lengthRange(dwarfs.tasks);
    const r = reshape(dwarfs, { minSeconds: 1, maxSeconds: 2 });
    expect(lengthRange(r.tasks).map((v) => +v.toFixed(9))).toEqual([1, 2]);
    const before = totals(dwarfs);
    const after = totals(r);
    before.forEach((t, i) => expect(after[i]).toBeCloseTo(1 + (t - lo0) / (hi0 - lo0), 9));
  });

  it('nothing asked: the same scenario object', () => {
    expect(reshape(dwarfs, {})).toBe(dwarfs);
    expect(reshape(dwarfs, undefined)).toBe(dwarfs);
  });
});
