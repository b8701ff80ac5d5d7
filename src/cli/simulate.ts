/**
 * npm run --silent simulate -- FILE [--model NAME] [--json] [--profile PROFILE.json] [--max-events N] [--trace OUT.json]
 * Prints a table per model (default) or one JSON object. `--trace` also writes the runs it simulated as a Chrome
 * trace (src/sim/traceExport.ts) for Perfetto or chrome://tracing, and says so on stderr. Bad input, a run too big to
 * simulate or a trace it cannot write: a message on stderr naming what is wrong, exit 2; never a stack trace.
 */
import { closeSync, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_PROFILE, type CPythonProfile } from '../sim/profile.ts';
import { MAX_FILE_BYTES, parseProfileText, parseScenarioText } from '../sim/schema.ts';
import { CLI_MAX_EVENTS, runModel } from '../sim/simulate.ts';
import type { ModelRun } from '../sim/timeline.ts';
import { chromeTrace } from '../sim/traceExport.ts';
import { MODEL_NAMES, type ModelName, type Scenario } from '../sim/types.ts';
import { allOk, brokenPoolWords, cleanFinish, crasher, deadlockWords, errorWords, outcomeWords, sharedDicts, sharedWords, unseenErrorWords } from '../report/summaryFigures.ts';

const USAGE =
  'usage: npm run --silent simulate -- FILE [--model sequential|threads|processes|asyncio] [--json] [--profile PROFILE.json] [--max-events N] [--trace OUT.json]';

class UsageError extends Error {}
/** Input that was read but cannot be used: its messages, one per line, name the field or say what to change. */
class InputError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join('\n'));
  }
}

interface Args {
  file: string;
  model?: ModelName;
  json: boolean;
  profile?: string;
  maxEvents: number;
  trace?: string;
}

function parseArgs(argv: string[]): Args | 'help' {
  let file: string | undefined;
  let model: ModelName | undefined;
  let json = false;
  let profile: string | undefined;
  let maxEvents = CLI_MAX_EVENTS;
  let trace: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--model' || a === '--profile' || a === '--max-events' || a === '--trace') {
      const v = argv[++i];
      if (v === undefined || (a === '--trace' && v === '')) throw new UsageError(`${a} needs a value`);
      if (a === '--profile') profile = v;
      else if (a === '--trace') trace = v;
      else if (a === '--max-events') {
        maxEvents = Number(v);
        if (!Number.isInteger(maxEvents) || maxEvents < 1 || maxEvents > 1e9) throw new UsageError(`--max-events: expected a whole number from 1 to 1000000000, not "${v}"`);
      } else if ((MODEL_NAMES as string[]).includes(v)) model = v as ModelName;
      else throw new UsageError(`--model: unknown model "${v}" (expected one of ${MODEL_NAMES.join(', ')})`);
    } else if (a === '--help' || a === '-h') return 'help';
    else if (a.startsWith('-')) throw new UsageError(`unknown flag ${a}`);
    else if (file === undefined) file = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (!file) throw new UsageError('no scenario file given');
  // The trace would overwrite the very file it was made from.
  const out = trace;
  if (out !== undefined && [file, profile].some((f) => f !== undefined && resolve(f) === resolve(out))) throw new UsageError(`--trace ${out}: is an input file; name another`);
  return { file, model, json, profile, maxEvents, trace };
}

/**
 * A scenario or profile file's text. Only a regular file of at most 2 MB (the app's limit) is read, and no more than
 * that is ever read: /dev/zero, a pipe or a 5 GB file is refused at once.
 */
function readText(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new InputError([`${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputError([`${path}: not a regular file`]);
    if (st.size > MAX_FILE_BYTES) throw new InputError([`${path}: ${(st.size / 1e6).toFixed(1)} MB, over the ${MAX_FILE_BYTES / 1e6} MB limit for a scenario or profile file`]);
    const buf = Buffer.alloc(Math.min(st.size, MAX_FILE_BYTES) + 1);
    let n = 0;
    for (let k = 1; k > 0 && n < buf.length; n += k) k = readSync(fd, buf, n, buf.length - n, null);
    if (n > MAX_FILE_BYTES) throw new InputError([`${path}: over the ${MAX_FILE_BYTES / 1e6} MB limit for a scenario or profile file`]);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function loadProfile(path: string | undefined): CPythonProfile {
  if (!path) return DEFAULT_PROFILE;
  const r = parseProfileText(readText(path), basename(path));
  if (!r.ok) throw new InputError(r.errors);
  return r.profile;
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** A time, or null for one that never came (a task never started, or never ended). */
const at6 = (x: number) => (Number.isFinite(x) ? r6(x) : null);

function toJson(run: ModelRun) {
  const name = (i: number) => run.tasks[i]?.name ?? null;
  return {
    model: run.model,
    config: run.config,
    makespan: r6(run.makespan),
    tasks: run.tasks.map((t) => ({ name: t.name, start: at6(t.start), end: at6(t.end), gilWait: r6(t.gilWait), outcome: t.outcome, error: t.error ?? null })),
    deadlock: run.deadlock && { at: r6(run.deadlock.at), cycle: run.deadlock.cycle, tasks: run.deadlock.tasks.map((w) => ({ task: name(w.task), waitsFor: w.waitsFor, holds: w.holds })) },
    error: run.error && { type: run.error.type, at: r6(run.error.at), task: name(run.error.task), how: run.error.how },
    shared: run.shared.map((v) => ({ name: v.name, final: v.final, expected: v.expected, lost: v.lost, ...(v.note ? { note: v.note } : {}) })),
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

const t3 = (t: number) => `${t.toFixed(3)} s`;
/** A task's start or end, or "-" for one that never came. */
const t4 = (t: number) => (Number.isFinite(t) ? t.toFixed(4) : '-');

function table(sc: Scenario, runs: ModelRun[]): string {
  const out: string[] = [`${sc.name}`];
  for (const run of runs) {
    const s = run.summary;
    out.push('');
    out.push(
      // A program that never ends has no makespan; one ended by an error or a crash, no speedup worth the name.
      `${describe(run)}: ${run.deadlock ? `never ends (${run.deadlock.cycle ? 'deadlocked' : 'stuck'} at ${t3(run.deadlock.at)})` : `makespan ${s.makespan.toFixed(3)} s${cleanFinish(run) ? `, speedup ${s.speedup.toFixed(2)}x` : ''}`}, ` +
        `cores busy ${(s.utilisation * 100).toFixed(0)}%` +
        (run.model === 'threads' ? `, GIL wait ${s.gilWait.toFixed(3)} s, ${s.gilSwitches} GIL switches` : '') +
        (run.model === 'asyncio' ? `, loop blocked ${s.loopBlocked.toFixed(3)} s` : ''),
    );
    const w = Math.max(4, ...run.tasks.map((t) => t.name.length));
    // The outcome column only where some task did not end well.
    const outcomes = !allOk(run);
    out.push(`  ${'task'.padEnd(w)}  ${'start'.padStart(8)}  ${'end'.padStart(8)}  ${'GIL wait'.padStart(8)}${outcomes ? '  outcome' : ''}`);
    const crashed = crasher(run);
    run.tasks.forEach((t, i) => {
      out.push(`  ${t.name.padEnd(w)}  ${t4(t.start).padStart(8)}  ${t4(t.end).padStart(8)}  ${t.gilWait.toFixed(4).padStart(8)}${outcomes ? `  ${outcomeWords(t, i === crashed)}` : ''}`);
    });
    // What became of the program, in words.
    const deadlock = deadlockWords(run, sc, t3);
    const words = [
      deadlock && `${deadlock} (the program never ends)`,
      errorWords(run, sc, t3),
      brokenPoolWords(run, sc, t3),
      ...unseenErrorWords(run, sc, t3),
      ...run.shared.map((v) => sharedWords(v, sharedDicts(sc).has(v.name))),
    ].filter((x): x is string => !!x);
    for (const line of words) out.push(`  ${line}`);
  }
  return out.join('\n') + '\n';
}

export interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
}

/** The whole command, given its arguments: returns the exit status (0 done, 2 bad input or too big a run). */
export function simulateCli(argv: string[], io: Io): number {
  try {
    const args = parseArgs(argv);
    if (args === 'help') {
      io.stdout(USAGE + '\n');
      return 0;
    }
    const parsed = parseScenarioText(readText(args.file), basename(args.file));
    if (!parsed.ok) throw new InputError(parsed.errors);
    const profile = loadProfile(args.profile);
    const configs = parsed.scenario.models.filter((m) => !args.model || m.model === args.model);
    if (args.model && !configs.length) configs.push({ model: args.model });
    let runs: ModelRun[];
    try {
      runs = configs.map((m) => runModel(parsed.scenario, m, profile, { maxEvents: args.maxEvents }));
    } catch (e) {
      throw new InputError([`${basename(args.file)}: cannot be simulated: ${(e as Error).message}`]);
    }
    // Written before anything is printed: a trace that cannot be written leaves stdout empty, as bad input does.
    if (args.trace !== undefined) {
      const trace = chromeTrace(parsed.scenario, runs, profile);
      try {
        writeFileSync(args.trace, JSON.stringify(trace) + '\n');
      } catch (e) {
        throw new InputError([`--trace ${args.trace}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
      }
      io.stderr(`wrote trace ${args.trace} (${trace.traceEvents.length.toLocaleString('en')} events)\n`);
    }
    if (args.json) io.stdout(JSON.stringify({ scenario: parsed.scenario.name, results: runs.map(toJson) }) + '\n');
    else io.stdout(table(parsed.scenario, runs));
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`simulate: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof InputError) {
      io.stderr(e.message + '\n');
      return 2;
    }
    // Not the input's fault: still a message, not a stack trace.
    io.stderr(`simulate: internal error: ${(e as Error).message}\n`);
    return 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = simulateCli(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) });
}
