import * as v from 'valibot';
import type { ModelRun, TaskSpan } from './timeline.ts';
import { resolveConfig } from './config.ts';
import type { ModelConfig, Scenario, Seconds, StepKind, WorkKind } from './types.ts';

/*
 * Real runs, read from Chrome Trace Event JSON (what `npm run capture` writes, what VizTracer and Perfetto write):
 * turned into captured runs the app draws beside the simulation and compares with it. Pure: no DOM.
 *
 * Two kinds of trace are understood:
 * - The project's capture (`tools/capture.py`): one trace process per model run (its `pid`), every step a complete
 *   event (`ph: "X"`) whose `args` name the task, the step's index and its kind; the file's `metadata` carries the
 *   scenario it ran and each model's configuration. Its times are already measured from each model's own origin.
 * - Any other trace (VizTracer's, say): each trace process is a run and each of its threads a task; the task's steps
 *   are its outermost events (a function call and everything it called is one bar), kind unknown (`call`). Times are
 *   measured from the first event of the file.
 */

/** The most events a trace may hold: VizTracer's default buffer is a million, but the app draws one lane per thread. */
export const MAX_TRACE_EVENTS = 500_000;
/** The largest trace file the app reads (a trace is bigger than a scenario: every call is an event). */
export const MAX_TRACE_BYTES = 64_000_000;

/** One stretch of a task as the clock saw it: from a step's start to its end, whatever it waited for meanwhile. */
export interface CapturedStep {
  /** The step's kind as the capture ran it; `call`: an event of another tool's trace, whose kind is not known. */
  kind: StepKind | 'call';
  /** What the bar is called: the step's kind, or the traced function's name. */
  name: string;
  start: Seconds;
  end: Seconds;
  /** The OS thread (or process) that ran it, as the trace names it. */
  thread: string;
}

export interface CapturedTask {
  name: string;
  /** False when the capture says it never finished (deadlocked: its last step is drawn to where the run was stopped). */
  finished?: boolean;
  /** Its index in the scenario the capture ran, when the trace says (two tasks may share a name). */
  index?: number;
  /** Sorted by start; never overlapping. */
  steps: CapturedStep[];
}

/** One model's real run. */
export interface CapturedRun {
  /** The trace's name for it ("threads (switch interval 5 ms)", "python3 (pid 4242)"). */
  label: string;
  /** The configuration it ran, when the trace says (the project's capture does). */
  config: ModelConfig | null;
  makespan: Seconds;
  tasks: CapturedTask[];
  /** Makespans of every repetition the capture made (it keeps the median run), when it says: the noise. */
  repeats?: Seconds[];
  /** The capture stopped it deadlocked: its makespan is the last moment a task ended or blocked. */
  deadlocked?: boolean;
}

export interface Capture {
  /** `capture`: the project's own (tasks and steps known); `trace`: any other Chrome trace (threads and calls). */
  format: 'capture' | 'trace';
  /** Where it was made: "CPython 3.11.7 on Linux, 2 cores", or what the trace says of itself. */
  origin: string;
  /** The scenario file the capture ran (validate it before use), or null. */
  scenario: unknown;
  /** How many cores the real run had, when the trace says: its scenario is simulated on as many. */
  coresUsed: number | null;
  runs: CapturedRun[];
}

export type TraceParseResult = { ok: true; capture: Capture } | { ok: false; errors: string[] };

const num = v.pipe(v.number(), v.finite());
const id = v.union([num, v.string()]);
const eventSchema = v.looseObject({
  ph: v.string(),
  name: v.optional(v.string()),
  ts: v.optional(num),
  dur: v.optional(v.pipe(num, v.minValue(0))),
  pid: v.optional(id),
  tid: v.optional(id),
  args: v.optional(v.looseObject({})),
});
type TraceEvent = v.InferOutput<typeof eventSchema>;

const modelConfigSchema = v.looseObject({
  model: v.picklist(['sequential', 'threads', 'processes', 'asyncio']),
  workers: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  switchIntervalMs: v.optional(v.pipe(num, v.minValue(0))),
  startMethod: v.optional(v.picklist(['fork', 'forkserver', 'spawn'])),
  api: v.optional(v.picklist(['executor', 'thread', 'gather', 'taskgroup'])),
});

/** Is this JSON value a trace (and not a scenario)? An array of events, or an object with `traceEvents`. */
export function looksLikeTrace(json: unknown): boolean {
  if (Array.isArray(json)) return json.length === 0 || (typeof json[0] === 'object' && json[0] !== null && 'ph' in json[0]);
  return typeof json === 'object' && json !== null && 'traceEvents' in json;
}

/** Trace times are microseconds; a division (not a multiplication by 1e-6) keeps 100,000 µs exactly 0.1 s. */
const sec = (us: number): Seconds => us / 1e6;

/** Read a trace: its events checked by field (`traceEvents[12].ts: …`), its runs made of them. */
export function parseTrace(json: unknown, source = 'trace'): TraceParseResult {
  const fail = (field: string, message: string): TraceParseResult => ({ ok: false, errors: [`${source}: ${field}: ${message}`] });
  const top = Array.isArray(json) ? { traceEvents: json } : json;
  if (typeof top !== 'object' || top === null || !Array.isArray((top as { traceEvents?: unknown }).traceEvents)) {
    return fail('traceEvents', 'expected a Chrome trace: { "traceEvents": [ … ] } or an array of events');
  }
  const raw = (top as { traceEvents: unknown[] }).traceEvents;
  if (raw.length > MAX_TRACE_EVENTS) return fail('traceEvents', `${raw.length.toLocaleString('en')} events, more than the ${MAX_TRACE_EVENTS.toLocaleString('en')} the app reads`);
  const events: TraceEvent[] = [];
  for (let i = 0; i < raw.length; i++) {
    const r = v.safeParse(eventSchema, raw[i]);
    if (!r.success) {
      const issue = r.issues[0];
      const key = issue.path?.map((p) => String(p.key)).join('.');
      return fail(`traceEvents[${i}]${key ? `.${key}` : ''}`, issue.message);
    }
    const e = r.output;
    if ((e.ph === 'X' || e.ph === 'B' || e.ph === 'E') && e.ts === undefined) return fail(`traceEvents[${i}].ts`, `missing (a "${e.ph}" event needs its time in microseconds)`);
    if (e.ph === 'X' && e.dur === undefined) return fail(`traceEvents[${i}].dur`, 'missing (a complete event needs its duration in microseconds)');
    events.push(e);
  }
  const meta = (top as { metadata?: unknown }).metadata;
  const metadata = typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>) : {};
  const ours = events.some((e) => e.ph === 'X' && isTask(e.args?.task) && typeof e.args?.kind === 'string');
  const runs = ours ? captureRuns(events, metadata) : traceRuns(events);
  if (typeof runs === 'string') return fail('traceEvents', runs);
  if (!runs.length) return fail('traceEvents', 'no complete ("X") or begin/end ("B"/"E") events with a time: nothing to draw');
  return {
    ok: true,
    capture: {
      format: ours ? 'capture' : 'trace',
      origin: originText(metadata, ours),
      scenario: ours ? scenarioOf(metadata) : null,
      coresUsed: coresUsed(metadata),
      runs,
    },
  };
}

const isTask = (t: unknown) => typeof t === 'string' || (typeof t === 'number' && Number.isInteger(t) && t >= 0);

/** The scenario file the capture ran (`scenarioFile`; `scenario` when it is an object). */
function scenarioOf(m: Record<string, unknown>): unknown {
  const f = m.scenarioFile ?? m.scenario;
  return typeof f === 'object' && f !== null ? f : null;
}

/** How many cores the run had: the CPUs the capture pinned itself to, else the machine's. */
function coresUsed(m: Record<string, unknown>): number | null {
  if (Array.isArray(m.cpusUsed) && m.cpusUsed.length) return m.cpusUsed.length;
  return typeof m.cores === 'number' && Number.isInteger(m.cores) && m.cores > 0 ? m.cores : null;
}

function originText(m: Record<string, unknown>, ours: boolean): string {
  const python = typeof m.python === 'string' ? m.python : null;
  // "Linux-6.18.44-…-x86_64-with-glibc2.36": the system's name is what a reader needs.
  const platform = typeof m.platform === 'string' ? m.platform.split('-')[0] : null;
  const cores = typeof m.cores === 'number' ? m.cores : null;
  const parts = [python ? `CPython ${python}` : ours ? 'CPython' : 'a trace', platform ? `on ${platform}` : '', cores ? `${cores} cores` : ''].filter(Boolean);
  return parts.join(', ').replace(', on', ' on');
}

const keyOf = (x: string | number | undefined) => String(x ?? 0);

/** A model configuration as a trace's metadata writes it (a `null` setting: none), or null when it is not one. */
function configOf(raw: unknown): ModelConfig | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const given = Object.fromEntries(Object.entries(raw).filter(([, x]) => x !== null));
  const r = v.safeParse(modelConfigSchema, given);
  if (!r.success) return null;
  const { model, workers, switchIntervalMs, startMethod, api } = r.output;
  const c: Record<string, unknown> = { model };
  // A Thread per task has no pool size (the capture writes out the one thread per task it started).
  if (workers !== undefined && model !== 'sequential' && !(model === 'threads' && api === 'thread')) c.workers = workers;
  if (switchIntervalMs !== undefined && model === 'threads') c.switchIntervalMs = switchIntervalMs;
  if (startMethod !== undefined && model === 'processes') c.startMethod = startMethod;
  if ((model === 'threads' && (api === 'executor' || api === 'thread')) || (model === 'asyncio' && (api === 'gather' || api === 'taskgroup'))) c.api = api;
  return c as unknown as ModelConfig;
}

/** Names given by `ph: "M"` events: process_name by pid, thread_name by pid and tid. */
function names(events: TraceEvent[]) {
  const process = new Map<string, string>();
  const thread = new Map<string, string>();
  for (const e of events) {
    if (e.ph !== 'M' || typeof e.args?.name !== 'string') continue;
    if (e.name === 'process_name') process.set(keyOf(e.pid), e.args.name);
    if (e.name === 'thread_name') thread.set(`${keyOf(e.pid)}/${keyOf(e.tid)}`, e.args.name);
  }
  return { process, thread };
}

/** Complete events, with B/E pairs closed into them (per thread, innermost first); times in µs as written. */
function complete(events: TraceEvent[]): { e: TraceEvent; ts: number; end: number }[] | string {
  const out: { e: TraceEvent; ts: number; end: number }[] = [];
  const open = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.ph === 'X') out.push({ e, ts: e.ts!, end: e.ts! + e.dur! });
    else if (e.ph === 'B') {
      const k = `${keyOf(e.pid)}/${keyOf(e.tid)}`;
      let stack = open.get(k);
      if (!stack) open.set(k, (stack = []));
      stack.push(e);
    } else if (e.ph === 'E') {
      const k = `${keyOf(e.pid)}/${keyOf(e.tid)}`;
      const stack = open.get(k);
      const b = stack?.pop();
      if (!b) return `an "E" event at ${e.ts} µs on thread ${k} ends nothing that began`;
      if (e.ts! < b.ts!) return `an "E" event at ${e.ts} µs ends before its "B" at ${b.ts} µs`;
      out.push({ e: { ...b, ph: 'X' }, ts: b.ts!, end: e.ts! });
    }
  }
  return out;
}

/** The project's capture: one run per trace process, tasks and steps as its events' args name them. */
function captureRuns(events: TraceEvent[], metadata: Record<string, unknown>): CapturedRun[] | string {
  const { process, thread } = names(events);
  const all = complete(events);
  if (typeof all === 'string') return all;
  // `results` (the capture's, shaped like the fidelity measurements), or `models`.
  const listed = metadata.results ?? metadata.models;
  const models = Array.isArray(listed) ? (listed.filter((m) => typeof m === 'object' && m !== null) as Record<string, unknown>[]) : [];
  const byPid = new Map<string, typeof all>();
  for (const x of all) {
    if (!isTask(x.e.args?.task)) continue;
    const k = keyOf(x.e.pid);
    let xs = byPid.get(k);
    if (!xs) byPid.set(k, (xs = []));
    xs.push(x);
  }
  const runs: CapturedRun[] = [];
  for (const [pid, xs] of byPid) {
    const info = models.find((m) => keyOf(m.pid as string | number | undefined) === pid);
    // What ran: the capture's `settings` (every default written out, as it ran), else its `config`.
    const config = configOf(info?.settings) ?? configOf(info?.config);
    // Tasks by the scenario's index when the events give it (two tasks may share a name), else by name.
    const tasks = new Map<string, { name: string; index?: number; steps: CapturedStep[]; finished?: boolean }>();
    for (const x of xs) {
      const kind = String(x.e.args!.kind);
      const step: CapturedStep = {
        kind: kind === 'cpu' || kind === 'native' || kind === 'io' ? kind : 'call',
        name: kind,
        start: sec(x.ts),
        end: sec(x.end),
        thread: thread.get(`${pid}/${keyOf(x.e.tid)}`) ?? `thread ${keyOf(x.e.tid)}`,
      };
      // The task: `args.task` is its index (its name is the event's), or its name.
      const task = x.e.args!.task as string | number;
      const key = typeof task === 'number' ? `#${task}` : `=${task}`;
      let t = tasks.get(key);
      if (!t) tasks.set(key, (t = typeof task === 'number' ? { name: x.e.name ?? `task ${task}`, index: task, steps: [] } : { name: task, steps: [] }));
      t.steps.push(step);
      if (x.e.args!.unfinished === true) t.finished = false;
    }
    // In the scenario's order where the events give it, else in order of first appearance, after those (a stable sort).
    const list: CapturedTask[] = [...tasks.values()]
      .sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity) || 0)
      .map((t) => ({ ...t, steps: t.steps.sort((p, q) => p.start - q.start) }));
    const latest = list.reduce((m, t) => t.steps.reduce((n, s) => Math.max(n, s.end), m), 0);
    const makespan = typeof info?.makespan === 'number' && Number.isFinite(info.makespan) ? Math.max(info.makespan, latest) : latest;
    const noise = info?.makespans ?? info?.repeats;
    const repeats = Array.isArray(noise) && noise.length > 1 && noise.every((r) => typeof r === 'number') ? (noise as number[]) : undefined;
    const label = typeof info?.label === 'string' ? info.label : (process.get(pid) ?? (config ? config.model : `run ${pid}`));
    const deadlocked = typeof info?.deadlock === 'object' && info.deadlock !== null;
    runs.push({ label, config, makespan, tasks: list, ...(repeats ? { repeats } : {}), ...(deadlocked ? { deadlocked } : {}) });
  }
  return runs;
}

/** Events not inside another of the list (which is sorted by start, the longer first on a tie). */
function outermost<T extends { ts: number; end: number }>(xs: T[]): T[] {
  const out: T[] = [];
  let until = -Infinity;
  for (const x of xs) {
    if (x.ts < until) continue;
    until = x.end;
    out.push(x);
  }
  return out;
}

/**
 * Any other trace: a run per process, a task per thread, its outermost events as its steps (below any one call that
 * wraps the whole thread).
 */
function traceRuns(events: TraceEvent[]): CapturedRun[] | string {
  const { process, thread } = names(events);
  const all = complete(events);
  if (typeof all === 'string') return all;
  if (!all.length) return [];
  const origin = all.reduce((m, x) => Math.min(m, x.ts), Infinity);
  const byPid = new Map<string, Map<string, typeof all>>();
  for (const x of all) {
    const p = keyOf(x.e.pid);
    const t = keyOf(x.e.tid);
    let threads = byPid.get(p);
    if (!threads) byPid.set(p, (threads = new Map()));
    let xs = threads.get(t);
    if (!xs) threads.set(t, (xs = []));
    xs.push(x);
  }
  const runs: CapturedRun[] = [];
  for (const [pid, threads] of byPid) {
    const tasks: CapturedTask[] = [];
    // The run lasts until its last event ends, a wrapper looked through included.
    let last = 0;
    for (const [tid, xs] of threads) {
      for (const x of xs) last = Math.max(last, sec(x.end - origin));
      const label = thread.get(`${pid}/${tid}`) ?? `thread ${tid}`;
      // Sorted by start (the longer first on a tie), so that an event inside the last kept one is a call it made.
      xs.sort((a, b) => a.ts - b.ts || b.end - a.end);
      let level = outermost(xs);
      // A call that wraps all the thread did (`_bootstrap` → `run` → `_worker`) says nothing: show what it called.
      for (let depth = 0; depth < 64 && level.length === 1; depth++) {
        const only = level[0];
        const inner = outermost(xs.filter((x) => x !== only && x.ts >= only.ts && x.end <= only.end));
        if (!inner.length) break;
        level = inner;
      }
      const steps: CapturedStep[] = level.map((x) => ({ kind: 'call', name: x.e.name ?? 'event', start: sec(x.ts - origin), end: sec(x.end - origin), thread: label }));
      tasks.push({ name: label, steps });
    }
    runs.push({ label: process.get(pid) ?? `process ${pid}`, config: null, makespan: last, tasks });
  }
  return runs;
}

/**
 * A captured run as the charts draw runs: a scenario whose tasks are the captured ones (each step's seconds as the
 * clock saw them) and a run whose task spans are the steps (running, or waiting on I/O) with the gaps between them
 * queued. It has no cores, GIL or loop lanes: a trace does not say which core ran what.
 */
/**
 * How a captured step draws: its own work kind, Python for another tool's calls and for the loops `update` and
 * `iterate`; a sync call (from its call to its return) as a wait, since what the clock saw is mostly the waiting.
 */
function asWork(kind: CapturedStep['kind']): WorkKind {
  if (kind === 'cpu' || kind === 'native' || kind === 'io') return kind;
  return kind === 'call' || kind === 'update' || kind === 'iterate' ? 'cpu' : 'io';
}

export function capturedAsRun(c: CapturedRun): { scenario: Scenario; run: ModelRun } {
  const scenario: Scenario = {
    name: c.label,
    description: '',
    cores: 0,
    seed: 0,
    tasks: c.tasks.map((t) => ({ name: t.name, steps: t.steps.map((s) => ({ kind: asWork(s.kind), seconds: s.end - s.start })) })),
    models: [c.config ?? { model: 'sequential' }],
  };
  const taskSpans = c.tasks.map((t, task) => {
    const spans: TaskSpan[] = [];
    let at = 0;
    t.steps.forEach((s, step) => {
      if (s.start > at) spans.push({ task, state: 'queued', start: at, end: s.start, step: step - 1 });
      const start = Math.max(at, s.start);
      if (s.end > start) spans.push({ task, state: asWork(s.kind) === 'io' ? 'io' : 'running', start, end: s.end, step });
      at = Math.max(at, s.end);
    });
    spans.push({ task, state: 'done', start: at, end: Math.max(at, c.makespan), step: t.steps.length - 1 });
    return spans;
  });
  const run: ModelRun = {
    model: c.config?.model ?? 'sequential',
    config: c.config ?? { model: 'sequential' },
    cores: 0,
    makespan: c.makespan,
    tasks: c.tasks.map((t) => ({ name: t.name, start: t.steps[0]?.start ?? 0, end: t.steps[t.steps.length - 1]?.end ?? 0, gilWait: 0, outcome: 'ok' as const })),
    coreSegments: [],
    taskSpans,
    gil: [],
    loop: [],
    sync: [],
    marks: [],
    deadlock: null,
    error: null,
    shared: [],
    choices: [],
    summary: { makespan: c.makespan, speedup: 1, utilisation: 0, gilWait: 0, loopBlocked: 0, gilSwitches: 0 },
  };
  return { scenario, run };
}

/** One figure measured and simulated. */
export interface Difference {
  /** "makespan", or a task's name. */
  what: string;
  measured: Seconds;
  simulated: Seconds;
  /** simulated − measured. */
  delta: Seconds;
  /** Within the project's fidelity tolerance: 10% of the measured makespan + 20 ms. */
  within: boolean;
}

/** A captured run set against the simulated run of the same model. */
export interface Comparison {
  captured: CapturedRun;
  /** Index into the simulated runs, or -1 when no simulated model matches. */
  simulated: number;
  /** Makespan first, then every task's end that both have (by name). */
  rows: Difference[];
  /** Index into `rows` of the largest |delta|. */
  largest: number;
}

/** The fidelity tolerance the project holds the simulator to: 10% of the measured makespan plus 20 ms. */
export const tolerance = (measuredMakespan: Seconds): Seconds => 0.1 * measuredMakespan + 0.02;

/** Same model and the same settings, each with its defaults filled in (a capture may write them out or not). */
function sameConfig(a: ModelConfig, b: ModelConfig, scenario: Pick<Scenario, 'tasks' | 'cores'>): boolean {
  return JSON.stringify(resolveConfig(a, scenario)) === JSON.stringify(resolveConfig(b, scenario));
}

/**
 * Each captured run against the simulated run of the same model and settings (each simulated run matched at most
 * once, in order). A trace that does not say what ran (another tool's) is compared with nothing: its runs are shown
 * on their own, never scored against a scenario they may have nothing to do with.
 */
export function compareCapture(capture: Capture, runs: ModelRun[], scenario: Pick<Scenario, 'tasks' | 'cores'>): Comparison[] {
  const used = new Set<number>();
  return capture.runs.map((c) => {
    const s = c.config ? runs.findIndex((r, j) => !used.has(j) && sameConfig(c.config!, r.config, scenario)) : -1;
    if (s >= 0) used.add(s);
    const sim = s >= 0 ? runs[s] : undefined;
    const tol = tolerance(c.makespan);
    const row = (what: string, measured: Seconds, simulated: Seconds): Difference => ({ what, measured, simulated, delta: simulated - measured, within: Math.abs(simulated - measured) <= tol });
    // A deadlocked run ends at its stall (the capture stops it the last moment a task ended or blocked; the
    // simulation draws it on past it).
    const rows: Difference[] = sim ? [sim.deadlock ? row('deadlock', c.makespan, sim.deadlock.at) : row('makespan', c.makespan, sim.makespan)] : [];
    if (sim) {
      for (const t of c.tasks) {
        // The same task: by its index in the scenario when the capture gives it (and the name agrees), else by name.
        const st = t.index !== undefined && sim.tasks[t.index]?.name === t.name ? sim.tasks[t.index] : sim.tasks.find((x) => x.name === t.name);
        const end = t.steps[t.steps.length - 1]?.end;
        // Only a task both finished: one blocked for ever has no end to compare.
        if (st && end !== undefined && t.finished !== false && Number.isFinite(st.end)) rows.push(row(t.name, end, st.end));
      }
    }
    let largest = -1;
    rows.forEach((r, k) => {
      if (largest < 0 || Math.abs(r.delta) > Math.abs(rows[largest].delta)) largest = k;
    });
    return { captured: c, simulated: s, rows, largest };
  });
}
