import { readFileSync } from 'node:fs';
import { parseScenario, parseScenarioText } from '../../src/sim/schema.ts';
import type { ModelRun } from '../../src/sim/timeline.ts';
import type { Scenario } from '../../src/sim/types.ts';

/** A hand-made run's report fields, none of them saying anything (no sync objects, marks, deadlock or error). */
export const NO_REPORTS: Pick<ModelRun, 'sync' | 'marks' | 'deadlock' | 'error' | 'shared' | 'choices'> = { sync: [], marks: [], deadlock: null, error: null, shared: [], choices: [] };

export function loadScenario(path: string): Scenario {
  const r = parseScenarioText(readFileSync(path, 'utf8'), path);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

/** A scenario from a compact literal: tasks as [name, [kind, seconds, blocking?]...]. */
export function scenario(cores: number, tasks: [string, ...[string, number, boolean?][]][], models?: unknown[]): Scenario {
  const r = parseScenario({
    name: 'test',
    cores,
    tasks: tasks.map(([name, ...steps]) => ({
      name,
      steps: steps.map(([kind, seconds, blocking]) => (blocking ? { kind, seconds, blocking } : { kind, seconds })),
    })),
    ...(models ? { models } : {}),
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

/**
 * fast-check runs for a property: `n`, or fewer under `npm run mutate` (PROPERTY_RUNS), where every mutant re-runs
 * the properties and a few dozen random cases per mutant are what the time allows.
 */
export function runs(n: number): { numRuns: number } {
  const cap = Number(process.env.PROPERTY_RUNS);
  return { numRuns: cap > 0 ? Math.min(n, cap) : n };
}

/**
 * A value computed on first use, inside a test: work done while a file is being collected counts, for Stryker, as
 * covering every test, which makes each mutant of the simulator re-run the whole suite.
 */
export function lazy<T>(f: () => T): () => T {
  let v: { value: T } | undefined;
  return () => (v ??= { value: f() }).value;
}
