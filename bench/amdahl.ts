/**
 * The Amdahl sweep's speed: Seven Dwarfs, its four models × core counts 1..64, timed over N runs after a warm-up.
 * `npx tsx bench/amdahl.ts [N]` (default 30). Prints the median and p95; exits 1 if the median misses the goal.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_CORES, plannedRuns, sweep } from '../src/sim/amdahl.ts';
import { parseScenarioText } from '../src/sim/schema.ts';
import { runModel } from '../src/sim/simulate.ts';
import type { Scenario } from '../src/sim/types.ts';

const GOAL_MS = 300;
const runs = Math.max(1, Number(process.argv[2]) || 30);

const path = '../scenarios/seven-dwarfs.json';
const parsed = parseScenarioText(readFileSync(new URL(path, import.meta.url), 'utf8'), path);
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const dwarfs: Scenario = parsed.scenario;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/** Wall-clock milliseconds per run, and this process's CPU milliseconds per run (what a busy machine does not inflate). */
function time(f: () => void, n: number): { wall: number[]; cpu: number[] } {
  for (let i = 0; i < Math.min(5, n); i++) f();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    f();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { wall, cpu };
}

const sims = plannedRuns(dwarfs).length;
const { wall, cpu } = time(() => sweep(dwarfs), runs);
const med = pct(wall, 0.5);
const ok = med < GOAL_MS;
console.log(
  `sim  amdahl sweep, seven-dwarfs, ${dwarfs.models.length} models × ${DEFAULT_CORES.length} core counts (${sims} simulations): median ${med.toFixed(1)} ms, p95 ${pct(wall, 0.95).toFixed(1)} ms over ${runs} runs (goal: median < ${GOAL_MS} ms) ${ok ? 'ok' : 'MISSED'}`,
);
console.log(`info amdahl sweep CPU time (this process, GC threads included): median ${pct(cpu, 0.5).toFixed(1)} ms, p95 ${pct(cpu, 0.95).toFixed(1)} ms`);

// For information: the same sweep simulating every core count, without the proofs that skip identical runs.
const every = () => {
  runModel({ ...dwarfs, cores: 1 }, { model: 'sequential' });
  for (const m of dwarfs.models)
    for (const c of DEFAULT_CORES) runModel({ ...dwarfs, cores: c }, m.model === 'threads' || m.model === 'processes' ? { ...m, workers: c } : m);
};
const all = time(every, Math.min(runs, 10)).wall;
console.log(`info amdahl sweep simulating all ${1 + dwarfs.models.length * DEFAULT_CORES.length} runs instead: median ${pct(all, 0.5).toFixed(1)} ms over ${all.length} runs`);
process.exitCode = ok ? 0 : 1;
