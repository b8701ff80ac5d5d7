/**
 * npm run --silent simulate -- FILE [--model NAME] [--json] [--profile PROFILE.json]
 * Prints a table per model (default) or one JSON object. Bad input: a message on stderr, exit 2.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DEFAULT_PROFILE, withOverride, type CPythonProfile, type ProfileOverride } from '../sim/profile.ts';
import { parseScenarioText } from '../sim/schema.ts';
import { runModel } from '../sim/simulate.ts';
import type { ModelRun } from '../sim/timeline.ts';
import { MODEL_NAMES, type ModelName } from '../sim/types.ts';

const USAGE = 'usage: npm run --silent simulate -- FILE [--model sequential|threads|processes|asyncio] [--json] [--profile PROFILE.json]';

class UsageError extends Error {}

interface Args {
  file: string;
  model?: ModelName;
  json: boolean;
  profile?: string;
}

function parseArgs(argv: string[]): Args {
  let file: string | undefined;
  let model: ModelName | undefined;
  let json = false;
  let profile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--model' || a === '--profile') {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      if (a === '--profile') profile = v;
      else if ((MODEL_NAMES as string[]).includes(v)) model = v as ModelName;
      else throw new UsageError(`--model: unknown model "${v}" (expected one of ${MODEL_NAMES.join(', ')})`);
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    } else if (a.startsWith('-')) throw new UsageError(`unknown flag ${a}`);
    else if (file === undefined) file = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (!file) throw new UsageError('no scenario file given');
  return { file, model, json, profile };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function loadProfile(path: string | undefined): CPythonProfile {
  if (!path) return DEFAULT_PROFILE;
  let o: unknown;
  try {
    o = JSON.parse(readText(path));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new UsageError(`${path}: expected a JSON object of profile constants`);
  for (const [k, v] of Object.entries(o)) {
    if (!(k in DEFAULT_PROFILE)) throw new UsageError(`${path}: ${k}: unknown profile constant`);
    if (k !== 'processStart' && (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)))
      throw new UsageError(`${path}: ${k}: expected a number of seconds >= 0`);
  }
  return withOverride(DEFAULT_PROFILE, o as ProfileOverride);
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

function toJson(run: ModelRun) {
  return {
    model: run.model,
    config: run.config,
    makespan: r6(run.makespan),
    tasks: run.tasks.map((t) => ({ name: t.name, start: r6(t.start), end: r6(t.end), gilWait: r6(t.gilWait) })),
    summary: {
      makespan: r6(run.summary.makespan),
      speedup: r6(run.summary.speedup),
      utilisation: r6(run.summary.utilisation),
      gilWait: r6(run.summary.gilWait),
      loopBlocked: r6(run.summary.loopBlocked),
      gilSwitches: run.summary.gilSwitches,
    },
  };
}

function describe(run: ModelRun): string {
  const c = run.config;
  const bits = Object.entries(c)
    .filter(([k]) => k !== 'model')
    .map(([k, v]) => `${k}=${v}`);
  return bits.length ? `${c.model} (${bits.join(', ')})` : c.model;
}

function table(scenarioName: string, runs: ModelRun[]): string {
  const out: string[] = [`${scenarioName}`];
  for (const run of runs) {
    const s = run.summary;
    out.push('');
    out.push(
      `${describe(run)}: makespan ${s.makespan.toFixed(3)} s, speedup ${s.speedup.toFixed(2)}x, ` +
        `cores busy ${(s.utilisation * 100).toFixed(0)}%` +
        (run.model === 'threads' ? `, GIL wait ${s.gilWait.toFixed(3)} s, ${s.gilSwitches} GIL switches` : '') +
        (run.model === 'asyncio' ? `, loop blocked ${s.loopBlocked.toFixed(3)} s` : ''),
    );
    const w = Math.max(4, ...run.tasks.map((t) => t.name.length));
    out.push(`  ${'task'.padEnd(w)}  ${'start'.padStart(8)}  ${'end'.padStart(8)}  ${'GIL wait'.padStart(8)}`);
    for (const t of run.tasks) {
      out.push(`  ${t.name.padEnd(w)}  ${t.start.toFixed(4).padStart(8)}  ${t.end.toFixed(4).padStart(8)}  ${t.gilWait.toFixed(4).padStart(8)}`);
    }
  }
  return out.join('\n') + '\n';
}

function main(): number {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
    const parsed = parseScenarioText(readText(args.file), basename(args.file));
    if (!parsed.ok) {
      process.stderr.write(parsed.errors.join('\n') + '\n');
      return 2;
    }
    const profile = loadProfile(args.profile);
    const configs = parsed.scenario.models.filter((m) => !args.model || m.model === args.model);
    if (args.model && !configs.length) configs.push({ model: args.model });
    const runs = configs.map((m) => runModel(parsed.scenario, m, profile));
    if (args.json) process.stdout.write(JSON.stringify({ scenario: parsed.scenario.name, results: runs.map(toJson) }) + '\n');
    else process.stdout.write(table(parsed.scenario.name, runs));
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`simulate: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = main();
