/** Simulation speed: medians over repeated runs after a warm-up. Prints figures; exits 1 if a goal is missed. */
import { readdirSync, readFileSync } from 'node:fs';
import { parseScenarioText } from '../src/sim/schema.ts';
import { runModel, simulateScenario } from '../src/sim/simulate.ts';
import type { Scenario } from '../src/sim/types.ts';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function time(f: () => void, runs: number): number {
  for (let i = 0; i < Math.min(5, runs); i++) f();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

const load = (p: string): Scenario => {
  const r = parseScenarioText(readFileSync(new URL(p, import.meta.url), 'utf8'), p);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
};

const dwarfs = load('../scenarios/seven-dwarfs.json');
const heavy: Scenario = {
  name: 'heavy', description: '', cores: 8, seed: 0,
  tasks: Array.from({ length: 8 }, (_, i) => ({ name: `T${i}`, steps: [{ kind: 'cpu' as const, seconds: 10 }] })),
  models: [{ model: 'threads', switchIntervalMs: 5 }],
};

const results: [string, number, number][] = [];
results.push(['seven-dwarfs, all four models', time(() => simulateScenario(dwarfs), 200), 4]);
// Every shipped scenario, each under all its models, against issue 12's goal (each under 4 ms median). Foresight
// answers nearly every event without an XState transition (223 transitions over all of them); what is left is the
// rules, the expectation each answer is worked out from, the kernel recording the timeline, and the young garbage
// collections those cost: about 1 µs an event. The slowest are collatz (2,000 GIL hand-offs in one model) and
// convoy (five models of 400 to 1,000 events), about 3 ms each on a 2-core VM whose figures vary by a third.
// Measured in rounds, one run of each scenario a round, 60 rounds after 5 to warm up: a burst of noise on the host
// (this VM's come and go within a tenth of a second) then costs a sample or two of every scenario, not the run of
// one scenario's samples it falls on (measured one scenario at a time, convoy's median went from 2.6 to 4.5 ms in
// one bench of four while every other figure held).
const dir = new URL('../scenarios/', import.meta.url);
const shipped = readdirSync(dir).filter((n) => n.endsWith('.json')).sort().map((f) => ({ f, s: load(`../scenarios/${f}`), xs: [] as number[] }));
for (let round = -5; round < 60; round++) {
  for (const one of shipped) {
    const t = performance.now();
    simulateScenario(one.s);
    if (round >= 0) one.xs.push(performance.now() - t);
  }
}
for (const { f, s, xs } of shipped) results.push([`${f}, all ${s.models.length} models`, median(xs), 4]);
const heavyRun = runModel(heavy, heavy.models[0]);
results.push([`heavy: 8 CPU-bound threads × 10 s, 5 ms interval (${heavyRun.summary.gilSwitches} GIL hand-offs)`, time(() => runModel(heavy, heavy.models[0]), 15), 250]);

let ok = true;
for (const [name, ms, goal] of results) {
  const pass = ms < goal;
  ok &&= pass;
  console.log(`sim  ${name}: median ${ms.toFixed(2)} ms (goal < ${goal} ms) ${pass ? 'ok' : 'MISSED'}`);
}
process.exitCode = ok ? 0 : 1;
