import { describe, expect, it } from 'vitest';
import { Agenda } from '../../src/sim/agenda.ts';
import { DWARFS, mixScenario, taskName, type Mix } from '../../src/sim/mix.ts';
import { DEFAULT_PROFILE, withOverride } from '../../src/sim/profile.ts';
import { drawSeconds, seededRandom } from '../../src/sim/random.ts';
import { totalWork } from '../../src/sim/simulate.ts';

describe('Agenda: future happenings by time, then by the order they were scheduled', () => {
  it('pops in time order, same-instant entries first-scheduled first', () => {
    const a = new Agenda<string>();
    const input: [number, string][] = [[3, 'c'], [1, 'a1'], [2, 'b'], [1, 'a2'], [0.5, 'z'], [1, 'a3'], [3, 'c2'], [2.5, 'bb']];
    for (const [t, x] of input) a.push(t, x);
    expect(a.size).toBe(8);
    expect(a.peekTime()).toBe(0.5);
    const out: string[] = [];
    for (let x = a.pop(); x !== undefined; x = a.pop()) out.push(x);
    expect(out).toEqual(['z', 'a1', 'a2', 'a3', 'b', 'bb', 'c', 'c2']);
    expect(a.size).toBe(0);
    expect(a.peekTime()).toBe(Infinity);
    expect(a.pop()).toBeUndefined();
  });

  it('keeps its order while entries are added between pops', () => {
    const a = new Agenda<number>();
    const rand = seededRandom(5);
    const seen: [number, number][] = [];
    let n = 0;
    for (let i = 0; i < 200; i++) {
      a.push(Math.floor(rand() * 20), n++);
      if (i % 3 === 2) {
        const t = a.peekTime();
        seen.push([t, a.pop()!]);
      }
    }
    while (a.size) {
      const t = a.peekTime();
      seen.push([t, a.pop()!]);
    }
    // Whatever was popped at the same time came out in insertion (number) order.
    for (let i = 1; i < seen.length; i++) if (seen[i][0] === seen[i - 1][0]) expect(seen[i][1]).toBeGreaterThan(seen[i - 1][1]);
  });
});

describe('seeded randomness', () => {
  it('the same seed gives the same sequence, another seed another, all in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    // Spread over the whole interval, not stuck in part of it.
    expect(Math.min(...xs)).toBeLessThan(0.01);
    expect(Math.max(...xs)).toBeGreaterThan(0.99);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });

  it('mulberry32 of seed 0 starts as an independent implementation of it does (Python, 32-bit arithmetic)', () => {
    const r = seededRandom(0);
    expect([r(), r(), r()].map((x) => x.toFixed(8))).toEqual(['0.26642921', '0.00032975', '0.22327203']);
  });

  const draws: [string, number, number, boolean, number, number][] = [
    ['integers from 1 to 10 like 1 + RANDOM % 10: the lowest', 1, 10, true, 0, 1],
    ['integers: the highest', 1, 10, true, 0.999999, 10],
    ['integers: the middle', 1, 10, true, 0.5, 6],
    ['seconds: uniform between min and max', 2, 4, false, 0.25, 2.5],
    ['seconds: a range of one value', 3, 3, false, 0.7, 3],
  ];
  it.each(draws)('%s', (_, min, max, integer, u, want) => expect(drawSeconds(() => u, min, max, integer)).toBeCloseTo(want, 9));
});

describe('the task-mix sliders make a scenario', () => {
  const mix = (m: Partial<Mix>): Mix => ({ tasks: 7, minSeconds: 1, maxSeconds: 10, cpuShare: 0, seed: 7, ...m });

  it('names tasks after the dwarfs, then Task 8, Task 9…', () => {
    expect(Array.from({ length: 9 }, (_, i) => taskName(i))).toEqual([...DWARFS, 'Task 8', 'Task 9']);
  });

  it('each task is Python then a wait, in the CPU-bound share, with a length in the range (to the millisecond)', () => {
    const s = mixScenario(mix({ tasks: 20, cpuShare: 0.25, minSeconds: 2, maxSeconds: 5 }), 3);
    expect(s.cores).toBe(3);
    expect(s.tasks).toHaveLength(20);
    for (const t of s.tasks) {
      expect(t.steps.map((x) => x.kind)).toEqual(['cpu', 'io']);
      const d = t.steps[0].seconds + t.steps[1].seconds;
      expect(d).toBeGreaterThanOrEqual(2);
      expect(d).toBeLessThanOrEqual(5);
      expect(Math.abs(d * 1000 - Math.round(d * 1000))).toBeLessThan(1e-6);
      expect(t.steps[0].seconds / d).toBeCloseTo(0.25, 9);
    }
    expect(s.description).toBe('20 tasks of 2–5 s, 25% pure Python and 75% waiting on I/O.');
    expect(s.models.map((m) => m.model)).toEqual(['sequential', 'threads', 'processes', 'asyncio']);
    expect(s.name).toBe('Custom mix');
  });

  it('all I/O is one wait per task; all CPU-bound is one Python step per task', () => {
    expect(mixScenario(mix({ cpuShare: 0 }), 4).tasks.every((t) => t.steps.length === 1 && t.steps[0].kind === 'io')).toBe(true);
    expect(mixScenario(mix({ cpuShare: 1 }), 4).tasks.every((t) => t.steps.length === 1 && t.steps[0].kind === 'cpu')).toBe(true);
  });

  it('a zero-length range still gives every task one step', () => {
    const s = mixScenario(mix({ minSeconds: 0, maxSeconds: 0, cpuShare: 0.5 }), 1);
    expect(s.tasks.every((t) => t.steps.length === 1 && t.steps[0].kind === 'io' && t.steps[0].seconds === 0)).toBe(true);
  });

  it('the same seed gives the same tasks; reversed bounds are the same range', () => {
    const a = mixScenario(mix({ seed: 3 }), 4);
    expect(mixScenario(mix({ seed: 3 }), 4).tasks).toEqual(a.tasks);
    expect(mixScenario(mix({ seed: 4 }), 4).tasks).not.toEqual(a.tasks);
    expect(mixScenario(mix({ seed: 3, minSeconds: 10, maxSeconds: 1 }), 4).tasks).toEqual(a.tasks);
    expect(totalWork(a)).toBeGreaterThan(7);
  });
});

describe('a profile override replaces only what it names', () => {
  it('top-level constants and single start-method fields', () => {
    const p = withOverride(DEFAULT_PROFILE, { switchInterval: 0.001, processStart: { spawn: { boot: 0.1 } } });
    expect(p.switchInterval).toBe(0.001);
    expect(p.gilHandoff).toBe(DEFAULT_PROFILE.gilHandoff);
    expect(p.processStart.spawn).toEqual({ launch: DEFAULT_PROFILE.processStart.spawn.launch, boot: 0.1 });
    expect(p.processStart.fork).toEqual(DEFAULT_PROFILE.processStart.fork);
    // The default is never changed.
    expect(DEFAULT_PROFILE.processStart.spawn.boot).toBe(0.048);
    expect(withOverride(DEFAULT_PROFILE, {})).toEqual(DEFAULT_PROFILE);
  });
});
