/**
 * Captures every shipped scenario on real CPython, scaled so that it runs in seconds on this machine, and keeps the
 * traces as test data (tests/unit/captures.test.ts holds the simulator to them). Run on a quiet machine (nothing else
 * busy: the capture measures wall-clock time), after adding or changing a shipped scenario:
 *
 *   npx tsx tests/captures/record.ts [NAME …] [--repeat 5]
 *
 * For each `scenarios/NAME.json` it writes `tests/captures/scenarios/NAME.json` (the scenario scaled: see `scaled`)
 * and `tests/captures/NAME.trace.json` (`npm run capture`'s trace, the median of `--repeat` runs per model, every
 * run's makespan kept as the noise).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseScenarioText, type ScenarioFile } from '../../src/sim/schema.ts';

const root = new URL('../../', import.meta.url).pathname;
const here = new URL('./', import.meta.url).pathname;

/** The sequential run (every step's seconds added up) of a scaled scenario is at most this long. */
export const TARGET_SECONDS = 2.5;

/**
 * A shipped scenario scaled to run in seconds on `cores` cores: every step's seconds (ranges too) times one factor, so
 * that the sequential run takes at most TARGET_SECONDS; the scenario's cores capped to the machine's; its story left
 * out (it changes nothing a capture runs). A scenario already short enough keeps its durations: effects tied to the
 * switch interval (the convoy's 1 ms waits) do not scale, so nothing is scaled that need not be.
 */
export function scaled(file: ScenarioFile, sequential: number, cores: number): { file: ScenarioFile; factor: number } {
  const factor = sequential > TARGET_SECONDS ? TARGET_SECONDS / sequential : 1;
  const r = (x: number) => Math.round(x * factor * 1e6) / 1e6;
  const tasks = file.tasks.map((t) => ({
    ...t,
    steps: t.steps.map((s) => (!('seconds' in s) ? s : { ...s, seconds: typeof s.seconds === 'number' ? r(s.seconds) : { ...s.seconds, min: r(s.seconds.min), max: r(s.seconds.max), integer: false } })),
  }));
  const out: ScenarioFile = { ...file, cores: Math.min(file.cores, cores), tasks };
  delete out.story;
  if (factor !== 1) out.description = `${file.description ?? file.name} (scaled ×${factor.toFixed(4)} to run in seconds)`;
  return { file: out, factor };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--repeat');
  const repeat = at >= 0 ? args.splice(at, 2)[1] : '5';
  const names = args.length ? args : readdirSync(root + 'scenarios').filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
  mkdirSync(here + 'scenarios', { recursive: true });
  for (const name of names) {
    const text = readFileSync(`${root}scenarios/${name}.json`, 'utf8');
    const parsed = parseScenarioText(text, name);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const sequential = parsed.scenario.tasks.reduce((n, t) => n + t.steps.reduce((m, s) => m + s.seconds, 0), 0);
    const { file, factor } = scaled(parsed.file, sequential, Math.min(2, cpus().length));
    const scenarioPath = `${here}scenarios/${name}.json`;
    writeFileSync(scenarioPath, JSON.stringify(file, null, 1) + '\n');
    console.log(`${name}: sequential ${sequential.toFixed(3)} s, scaled ×${factor.toFixed(4)}; capturing (${repeat} runs per model)…`);
    execFileSync('python3', [root + 'tools/capture.py', scenarioPath, '--out', `${here}${name}.trace.json`, '--repeat', repeat], { stdio: 'inherit' });
  }
}
