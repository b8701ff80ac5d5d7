import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/sim/schema.ts';
import { runModel, totalWork } from '../../src/sim/simulate.ts';
import type { ModelConfig, Scenario } from '../../src/sim/types.ts';

const EPS = 1e-6;
const step = fc.record({
  kind: fc.constantFrom('cpu', 'native', 'io'),
  seconds: fc.double({ min: 0, max: 0.3, noNaN: true }),
  blocking: fc.boolean(),
});
const scenarioArb = fc
  .record({
    cores: fc.integer({ min: 1, max: 6 }),
    tasks: fc.array(fc.array(step, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 7 }),
  })
  .map(({ cores, tasks }) => {
    const r = parseScenario({ name: 'p', cores, tasks: tasks.map((steps, i) => ({ name: `t${i}`, steps })) });
    if (!r.ok) throw new Error(r.errors.join());
    return r.scenario;
  });
const configArb: fc.Arbitrary<ModelConfig> = fc.oneof(
  fc.constant({ model: 'sequential' as const }),
  fc.record({ model: fc.constant('threads' as const), workers: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }), switchIntervalMs: fc.constantFrom(1, 5, 20) }),
  fc.record({ model: fc.constant('processes' as const), workers: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }), startMethod: fc.constantFrom('fork' as const, 'forkserver' as const, 'spawn' as const) }),
  fc.record({ model: fc.constant('asyncio' as const), workers: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }) }),
);
const clean = (c: ModelConfig) => JSON.parse(JSON.stringify(c)) as ModelConfig;
const prop = (f: (s: Scenario, c: ModelConfig) => void) => fc.assert(fc.property(scenarioArb, configArb, (s, c) => f(s, clean(c))), { numRuns: 150 });

describe('simulator invariants over random scenarios', () => {
  it('every task completes, after it starts, within the makespan', () =>
    prop((s, c) => {
      const run = runModel(s, c);
      for (const t of run.tasks) {
        expect(Number.isFinite(t.end)).toBe(true);
        expect(t.start).toBeLessThanOrEqual(t.end + EPS);
        expect(t.end).toBeLessThanOrEqual(run.makespan + EPS);
      }
    }));

  it('no core runs two things at once', () =>
    prop((s, c) => {
      for (const lane of runModel(s, c).coreSegments)
        for (let i = 1; i < lane.length; i++) expect(lane[i].start).toBeGreaterThanOrEqual(lane[i - 1].end - EPS);
    }));

  it('at most one thread holds a GIL: threads never run Python at the same instant', () =>
    prop((s, c) => {
      const run = runModel(s, c);
      for (let i = 1; i < run.gil.length; i++) expect(run.gil[i].start).toBeGreaterThanOrEqual(run.gil[i - 1].end - EPS);
      if (c.model !== 'threads') return;
      const py = run.coreSegments.flat().filter((x) => x.kind === 'python').sort((a, b) => a.start - b.start);
      for (let i = 1; i < py.length; i++) expect(py[i].start).toBeGreaterThanOrEqual(py[i - 1].end - EPS);
    }));

  it("each task's CPU and native work is conserved on the cores", () =>
    prop((s, c) => {
      const run = runModel(s, c);
      s.tasks.forEach((task, i) => {
        const want = task.steps.filter((x) => x.kind !== 'io').reduce((a, x) => a + x.seconds, 0);
        const got = run.coreSegments.flat().filter((x) => x.task === i && (x.kind === 'python' || x.kind === 'native')).reduce((a, x) => a + x.end - x.start, 0);
        expect(Math.abs(got - want)).toBeLessThan(1e-6);
      });
    }));

  it('the same scenario gives the same timeline', () =>
    prop((s, c) => {
      expect(JSON.stringify(runModel(s, c))).toBe(JSON.stringify(runModel(s, c)));
    }));

  it('sequential makespan is the sum of all steps', () =>
    fc.assert(
      fc.property(scenarioArb, (s) => {
        expect(Math.abs(runModel(s, { model: 'sequential' }).makespan - totalWork(s))).toBeLessThan(1e-9);
      }),
      { numRuns: 150 },
    ));

  it('no model beats total CPU work over cores, nor the longest task alone', () =>
    prop((s, c) => {
      const run = runModel(s, c);
      const cpu = s.tasks.flatMap((t) => t.steps).filter((x) => x.kind !== 'io').reduce((a, x) => a + x.seconds, 0);
      const longest = Math.max(...s.tasks.map((t) => t.steps.reduce((a, x) => a + x.seconds, 0)));
      expect(run.makespan).toBeGreaterThanOrEqual(cpu / s.cores - EPS);
      expect(run.makespan).toBeGreaterThanOrEqual(longest - EPS);
    }));

  it('task states cover the whole run without gaps', () =>
    prop((s, c) => {
      const run = runModel(s, c);
      for (const lane of run.taskSpans) {
        expect(lane[0].start).toBe(0);
        for (let i = 1; i < lane.length; i++) expect(Math.abs(lane[i].start - lane[i - 1].end)).toBeLessThan(EPS);
        expect(Math.abs(lane[lane.length - 1].end - run.makespan)).toBeLessThan(EPS);
      }
    }));
});
