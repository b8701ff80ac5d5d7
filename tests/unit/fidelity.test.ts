import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateScenario } from '../../src/sim/simulate.ts';
import { lazy, loadScenario } from './helpers.ts';

// Reference timings of CPython 3.11.7 on Linux x86-64, 2 cores (copied from ../shared/fidelity).
const dir = new URL('../fidelity/', import.meta.url).pathname;
const files = readdirSync(dir + 'measured').filter((f) => f.endsWith('.json'));

interface Timing {
  model: string;
  makespan: number;
  tasks: { name: string; start: number; end: number }[];
}
interface Measured {
  results: (Timing & { config: Record<string, unknown> })[];
}
/** What the simulator said for each case when the band was last recorded (tests/fidelity/record-band.ts). */
const band = JSON.parse(readFileSync(dir + 'band.json', 'utf8')) as Record<string, Timing[]>;
/** The regression band: 0.1% of the makespan + 0.1 ms, far inside the acceptance rule's 10% + 20 ms. */
const BAND = (makespan: number) => 0.001 * makespan + 0.0001;

describe('the simulator reproduces measured CPython within 10% of the makespan + 20 ms', () => {
  it('has measurements to hold it against, each with its band', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(Object.keys(band).sort()).toEqual([...files].sort());
  });
  for (const file of files) {
    const real = JSON.parse(readFileSync(dir + 'measured/' + file, 'utf8')) as Measured;
    const runs = lazy(() => simulateScenario(loadScenario(dir + 'scenarios/' + file)));
    real.results.forEach((r, i) => {
      it(`${file} #${i} ${r.model}: run as measured (the same model and configuration)`, () => {
        const run = runs()[i];
        expect(run.model).toBe(r.model);
        expect(run.config).toEqual(r.config);
        expect(run.tasks.map((t) => t.name)).toEqual(r.tasks.map((t) => t.name));
        expect(run.cores).toBe(2);
      });

      it(`${file} #${i} ${r.model}: makespan, and every task's start and end`, () => {
        const run = runs()[i];
        const tol = 0.1 * r.makespan + 0.02;
        expect(Math.abs(run.makespan - r.makespan), `makespan ${run.makespan}, CPython ${r.makespan}`).toBeLessThanOrEqual(tol);
        r.tasks.forEach((t, k) => {
          const sim = run.tasks[k];
          expect(Math.abs(sim.start - t.start), `${t.name} starts at ${sim.start}, CPython ${t.start}`).toBeLessThanOrEqual(tol);
          expect(Math.abs(sim.end - t.end), `${t.name} ends at ${sim.end}, CPython ${t.end}`).toBeLessThanOrEqual(tol);
        });
      });

      it(`${file} #${i} ${r.model}: within the regression band of the recorded simulation`, () => {
        const run = runs()[i];
        const was = band[file][i];
        const tol = BAND(was.makespan);
        expect(was.model).toBe(run.model);
        expect(Math.abs(run.makespan - was.makespan), `makespan ${run.makespan}, recorded ${was.makespan}`).toBeLessThanOrEqual(tol);
        was.tasks.forEach((t, k) => {
          const sim = run.tasks[k];
          expect(sim.name).toBe(t.name);
          expect(Math.abs(sim.start - t.start), `${t.name} starts at ${sim.start}, recorded ${t.start}`).toBeLessThanOrEqual(tol);
          expect(Math.abs(sim.end - t.end), `${t.name} ends at ${sim.end}, recorded ${t.end}`).toBeLessThanOrEqual(tol);
        });
      });
    });
  }
});
