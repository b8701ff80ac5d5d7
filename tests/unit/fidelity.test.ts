import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateScenario } from '../../src/sim/simulate.ts';
import { loadScenario } from './helpers.ts';

// Reference timings of CPython 3.11.7 on Linux x86-64, 2 cores (copied from ../shared/fidelity).
const dir = new URL('../fidelity/', import.meta.url).pathname;
const files = readdirSync(dir + 'measured').filter((f) => f.endsWith('.json'));

interface Measured {
  results: { model: string; makespan: number; tasks: { name: string; end: number }[] }[];
}

describe('the simulator reproduces measured CPython within 10% of the makespan + 20 ms', () => {
  it('has measurements to hold it against', () => expect(files.length).toBeGreaterThanOrEqual(4));
  for (const file of files) {
    const real = JSON.parse(readFileSync(dir + 'measured/' + file, 'utf8')) as Measured;
    const runs = simulateScenario(loadScenario(dir + 'scenarios/' + file));
    real.results.forEach((r, i) => {
      it(`${file} #${i} ${r.model}: makespan and every task's end`, () => {
        const run = runs[i];
        expect(run.model).toBe(r.model);
        const tol = 0.1 * r.makespan + 0.02;
        expect(Math.abs(run.makespan - r.makespan)).toBeLessThanOrEqual(tol);
        for (const t of r.tasks) {
          const sim = run.tasks.find((x) => x.name === t.name);
          expect(sim, t.name).toBeDefined();
          expect(Math.abs(sim!.end - t.end), `${t.name} ends at ${sim!.end}, CPython ${t.end}`).toBeLessThanOrEqual(tol);
        }
      });
    });
  }
});
