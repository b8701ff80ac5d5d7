/**
 * Writes tests/fidelity/band.json: what the simulator says today for every measured case, which the fidelity test
 * holds it to within a narrow band (an unintended change of a rule fails; a deliberate one re-runs this script and
 * says why in its commit). Run: npx tsx tests/fidelity/record-band.ts
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseScenarioText } from '../../src/sim/schema.ts';
import { simulateScenario } from '../../src/sim/simulate.ts';

const dir = new URL('./', import.meta.url).pathname;
const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
const band: Record<string, unknown> = {};
for (const file of readdirSync(dir + 'measured').filter((f) => f.endsWith('.json')).sort()) {
  const parsed = parseScenarioText(readFileSync(dir + 'scenarios/' + file, 'utf8'), file);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  band[file] = simulateScenario(parsed.scenario).map((run) => ({
    model: run.model,
    makespan: r6(run.makespan),
    tasks: run.tasks.map((t) => ({ name: t.name, start: r6(t.start), end: r6(t.end) })),
  }));
}
writeFileSync(dir + 'band.json', JSON.stringify(band, null, 1) + '\n');
console.log(`wrote ${dir}band.json (${Object.keys(band).length} scenarios)`);
