// `npm run mutate`: Stryker's mutation testing over the simulator and the UI's logic, then the two scores the project
// holds itself to. Not part of `npm test` (it re-runs the unit tests once per mutant: tens of minutes here).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const GOALS = [
  { name: 'src/sim', match: (f) => f.startsWith('src/sim/'), goal: 85 },
  { name: 'UI logic', match: (f) => f.startsWith('src/ui/'), goal: 75 },
];
const REPORT = 'reports/mutation/mutation.json';

if (!process.argv.includes('--report-only')) {
  const t0 = Date.now();
  const status = spawnSync('npx', ['stryker', 'run', ...process.argv.slice(2)], { stdio: 'inherit' }).status;
  console.log(`stryker: ${((Date.now() - t0) / 60000).toFixed(1)} min`);
  if (status !== 0) process.exit(status ?? 1);
}

const report = JSON.parse(readFileSync(REPORT, 'utf8'));
let ok = true;
for (const g of GOALS) {
  const n = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0 };
  for (const [file, { mutants }] of Object.entries(report.files)) {
    if (!g.match(file)) continue;
    for (const m of mutants) if (m.status in n) n[m.status]++;
  }
  const detected = n.Killed + n.Timeout;
  const valid = detected + n.Survived + n.NoCoverage;
  if (!valid) {
    console.log(`mutation score ${g.name}: not in this run (narrowed with --mutate)`);
    continue;
  }
  const score = valid ? (100 * detected) / valid : 100;
  const pass = score >= g.goal;
  ok &&= pass;
  console.log(
    `mutation score ${g.name}: ${score.toFixed(1)}% (${detected} of ${valid} mutants killed; ${n.Survived} survived, ${n.NoCoverage} not covered, ${n.Ignored} ignored: only reached while loading, or marked equivalent) goal ≥ ${g.goal}% ${pass ? 'ok' : 'MISSED'}`,
  );
}
console.log(`survivors: open ${REPORT.replace('.json', '.html')}`);
process.exitCode = ok ? 0 : 1;
