import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/sim/schema.ts';
import { simulateScenario } from '../../src/sim/simulate.ts';
import { compareCapture, parseTrace, tolerance } from '../../src/sim/trace.ts';
import { resolveConfig } from '../../src/sim/config.ts';
import { openTrace } from '../../src/ui/state/scenarioFiles.ts';
import { lazy } from './helpers.ts';
import type { ModelConfig } from '../../src/sim/types.ts';

// Every shipped scenario, captured on real CPython 3.11 on this project's 2-core machine, scaled to run in seconds
// (tests/captures/record.ts), read back the way the app reads a trace, and set against the simulation the way the
// app's capture view sets it.
const root = new URL('../../', import.meta.url).pathname;
const dir = root + 'tests/captures/';
const shipped = readdirSync(root + 'scenarios').filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));

describe('every shipped scenario has its capture', () => {
  it.each(shipped)('%s', (name) => {
    const traces = readdirSync(dir).filter((f) => f.endsWith('.trace.json'));
    expect(traces, `capture it: npx tsx tests/captures/record.ts ${name}`).toContain(`${name}.trace.json`);
  });
});

for (const name of shipped) {
  describe(`${name}: CPython captured against simulated, within 10% of the measured makespan + 20 ms`, () => {
    const got = lazy(() => {
      const json = JSON.parse(readFileSync(`${dir}${name}.trace.json`, 'utf8'));
      const parsed = parseTrace(json, name);
      if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
      const opened = openTrace(json, name);
      if (!opened.ok || opened.kind !== 'scenario') throw new Error(`${name}: the trace's scenario does not open`);
      const scenario = parseTextOrThrow(opened.text);
      return { capture: parsed.capture, scenario, comparisons: compareCapture(parsed.capture, simulateScenario(scenario), scenario) };
    });
    it('ran the scaled scenario kept beside it, every model, on 2 cores', () => {
      const { capture, scenario } = got();
      const kept = parseTextOrThrow(readFileSync(`${dir}scenarios/${name}.json`, 'utf8'));
      expect(scenario.tasks).toEqual(kept.tasks);
      // What ran, settings written out, is what the scaled scenario's models come to.
      expect(capture.runs.map((r) => resolveConfig(r.config!, scenario))).toEqual(kept.models.map((m) => resolveConfig(m, scenario)));
      expect(scenario.models).toEqual(capture.runs.map((r) => r.config));
      expect(scenario.cores).toBeLessThanOrEqual(2);
    });
    it('each captured run is the median of several, and the noise is kept', () => {
      for (const r of got().capture.runs) expect(r.repeats?.length ?? 0).toBeGreaterThanOrEqual(3);
    });
    // A loop of a fixed count of iterations (`update`) is not calibrated to its seconds before each run as the other
    // steps are, and this VM's speed at such a loop moves by up to 2x between runs (0.87 to 1.74 s for one model's
    // five runs): its timing is not held to the rule. What it computes is: the counter each model leaves.
    const loops = parseTextOrThrow(readFileSync(`${root}scenarios/${name}.json`, 'utf8')).tasks.some((t) => t.steps.some((s) => s.kind === 'update'));
    it.skipIf(loops)('every model\'s makespan and every task\'s end', () => {
      for (const c of got().comparisons) {
        expect(c.simulated, `${c.captured.label}: no simulated model matches`).toBeGreaterThanOrEqual(0);
        for (const row of c.rows) {
          expect(Math.abs(row.delta), `${c.captured.label}: ${row.what} ${row.what === 'makespan' ? '' : 'ends '}at ${row.simulated.toFixed(4)} s simulated, ${row.measured.toFixed(4)} s in CPython`).toBeLessThanOrEqual(tolerance(c.captured.makespan));
        }
      }
    });
  });
}

describe('the counters each model leaves, captured against simulated', () => {
  const withLoops = shipped.filter((name) => parseTextOrThrow(readFileSync(`${root}scenarios/${name}.json`, 'utf8')).tasks.some((t) => t.steps.some((s) => s.kind === 'update')));
  it.each(withLoops)('%s: the same final values, and under threads lost updates within 0.15 of the share CPython lost', (name) => {
    const json = JSON.parse(readFileSync(`${dir}${name}.trace.json`, 'utf8'));
    const opened = openTrace(json, name);
    if (!opened.ok || opened.kind !== 'scenario') throw new Error(`${name}: the trace's scenario does not open`);
    const scenario = parseTextOrThrow(opened.text);
    const runs = simulateScenario(scenario);
    const results = json.metadata.results as { settings: ModelConfig; shared?: Record<string, { final: number; expected: number }> }[];
    for (const [i, r] of results.entries()) {
      const sim = runs[i];
      for (const [shared, real] of Object.entries(r.shared ?? {})) {
        const s = sim.shared.find((x) => x.name === shared)!;
        expect(s.expected, `${sim.model} ${shared}: expected`).toBe(real.expected);
        if (sim.model === 'threads' && s.lost > 0) expect(Math.abs(s.final / s.expected - real.final / real.expected), `${sim.model} ${shared}: ${s.final} simulated, ${real.final} in CPython`).toBeLessThanOrEqual(0.15);
        else expect(s.final, `${sim.model} ${shared}`).toBe(real.final);
      }
    }
  });
});

function parseTextOrThrow(text: string) {
  const r = parseScenarioText(text);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}
