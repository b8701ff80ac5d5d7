import * as v from 'valibot';
import { drawSeconds, seededRandom } from './random.ts';
import { DEFAULT_PROFILE, withOverride, type CPythonProfile } from './profile.ts';
import { STORY_VIEWS, storyProblems } from './story.ts';
import { isComputeStep, type ModelConfig, type Scenario, type Step, type SyncDecls, type Task } from './types.ts';

/** Limits keep a hand-edited file or a URL from asking the simulator for hours of work. */
export const LIMITS = { cores: 64, tasks: 256, workers: 256, stepsPerTask: 2000, seconds: 3600, expandedSteps: 100_000 } as const;

/**
 * The switch-interval slider's range in milliseconds (the app's controls and links take no other): a story's `set`
 * stays inside it, so every step is one the controls can show and a link can carry.
 */
export const SET_SWITCH_MS = [0.1, 100] as const;

/** The largest scenario or profile file the app and the CLI read. */
export const MAX_FILE_BYTES = 2_000_000;

/** Names are printed in a terminal and drawn in the page: no control characters (escape codes, newlines). */
const printable = v.regex(/^[^\p{Cc}]*$/u, 'must not contain control characters (such as terminal escape codes or line breaks)');

const seconds = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(LIMITS.seconds));
const range = v.pipe(
  v.strictObject({ min: seconds, max: seconds, integer: v.optional(v.boolean()) }),
  v.check((r) => r.min <= r.max, 'min must not exceed max'),
);
/** A lock, queue, event, barrier or shared value's name: a Python identifier (it names a variable in the code). */
const objectName = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,39}$/, 'must be a Python identifier: letters, digits and _, not starting with a digit, at most 40'));
const stepSeconds = v.union([seconds, range], 'a number of seconds or { "min", "max" }');
/** The exceptions a `raise` step may name: builtins a task plausibly raises (each is pickled back by a process pool). */
export const RAISABLE = ['ValueError', 'RuntimeError', 'KeyError', 'TypeError', 'ZeroDivisionError', 'OSError', 'TimeoutError', 'Exception'] as const;
const stepSchema = v.variant(
  'kind',
  [
    v.strictObject({ kind: v.picklist(['cpu', 'native', 'io']), seconds: stepSeconds, blocking: v.optional(v.boolean()) }),
    v.strictObject({ kind: v.picklist(['acquire', 'release']), lock: objectName }),
    v.strictObject({ kind: v.picklist(['put', 'get']), queue: objectName }),
    v.strictObject({ kind: v.picklist(['set', 'wait']), event: objectName }),
    v.strictObject({ kind: v.literal('barrier'), barrier: objectName }),
    v.strictObject({
      kind: v.literal('update'),
      shared: objectName,
      times: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000_000)),
      seconds: stepSeconds,
      shape: v.picklist(['inplace', 'call']),
      lock: v.optional(objectName),
    }),
    v.strictObject({ kind: v.literal('iterate'), shared: objectName, seconds: stepSeconds }),
    v.strictObject({ kind: v.literal('raise'), error: v.picklist(RAISABLE) }),
    v.strictObject({ kind: v.literal('crash') }),
  ],
  (issue) => `expected a step kind: "cpu", "native", "io", "acquire", "release", "put", "get", "set", "wait", "barrier", "update", "iterate", "raise" or "crash", not ${issue.received}`,
);
const bytes = v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1_000_000_000)));
const taskName = v.pipe(v.string(), v.nonEmpty(), v.maxLength(40), printable);
const taskSchema = v.strictObject({
  name: taskName,
  steps: v.pipe(v.array(stepSchema), v.minLength(1), v.maxLength(LIMITS.stepsPerTask)),
  /** Run the steps this many times in a row (a loop of many short waits). */
  repeat: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(LIMITS.stepsPerTask))),
  /** Bytes of the task's argument and result, which a process pool pickles. */
  send: bytes,
  receive: bytes,
});
/** Declared synchronisation objects, by name. */
const declared = <T extends v.GenericSchema>(entry: T) =>
  v.optional(v.pipe(v.record(objectName, entry), v.check((r) => Object.keys(r).length <= 64, 'at most 64 objects')));
const syncSchemas = {
  locks: declared(
    v.pipe(
      v.strictObject({ type: v.picklist(['Lock', 'RLock', 'Semaphore']), value: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(LIMITS.workers))) }),
      v.check((l) => l.type === 'Semaphore' || l.value === undefined, 'value: only a Semaphore has a value'),
    ),
  ),
  queues: declared(v.strictObject({ maxsize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000))) })),
  events: declared(v.strictObject({})),
  barriers: declared(v.strictObject({ parties: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(LIMITS.tasks)) })),
};
/** Which declaration each sync step's field refers to. */
const REFERS = { lock: 'locks', queue: 'queues', event: 'events', barrier: 'barriers' } as const;
const workers = v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(LIMITS.workers)));
const modelSchema = v.variant('model', [
  v.strictObject({ model: v.literal('sequential') }),
  v.strictObject({
    model: v.literal('threads'),
    api: v.optional(v.picklist(['executor', 'thread'])),
    workers,
    schedule: v.optional(v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(LIMITS.workers))), v.maxLength(10_000))),
    switchIntervalMs: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0.01), v.maxValue(1000))),
  }),
  v.strictObject({ model: v.literal('processes'), workers, startMethod: v.optional(v.picklist(['fork', 'forkserver', 'spawn'])) }),
  v.strictObject({ model: v.literal('asyncio'), api: v.optional(v.picklist(['gather', 'taskgroup'])), workers }),
]);

export const DEFAULT_MODELS: ModelConfig[] = [
  { model: 'sequential' },
  { model: 'threads' },
  { model: 'processes' },
  { model: 'asyncio' },
];

/*
 * A story (see story.ts for what each field does). Its shape is checked here; what it refers to (model indices, task
 * names) by story.ts's `storyProblems`, once the whole file has its shape.
 */
/** One line of story text, drawn in the page. */
const storyLine = (max: number) => v.pipe(v.string(), v.maxLength(max), printable);
const storyCode = v.pipe(
  v.string(),
  v.maxLength(1000),
  v.regex(/^(?:[^\p{Cc}]|[\n\t])*$/u, 'must not contain control characters other than line breaks and tabs'),
  v.check((s) => s.split('\n').length <= 20, 'at most 20 lines'),
);
const modelIndex = v.pipe(v.number(), v.integer(), v.minValue(0));
const taskNames = v.pipe(v.array(taskName), v.minLength(1), v.maxLength(LIMITS.tasks));
const storyChoice = v.union(
  [v.strictObject({ label: v.pipe(storyLine(40), v.nonEmpty()), model: modelIndex }), v.strictObject({ label: v.pipe(storyLine(40), v.nonEmpty()), task: taskName })],
  'expected { "label", "model" } (a model index) or { "label", "task" } (a task name)',
);
const storyStep = v.strictObject({
  title: v.pipe(storyLine(80), v.check((s) => s.trim() !== '', 'must not be blank')),
  caption: v.optional(v.pipe(storyLine(300), v.check((s) => (s.match(/`/g) ?? []).length % 2 === 0, 'has an unclosed ` (inline code goes between two backticks)'))),
  code: v.optional(storyCode),
  show: v.optional(
    v.strictObject({
      models: v.optional(v.pipe(v.array(modelIndex), v.minLength(1), v.maxLength(9))),
      view: v.optional(v.picklist(STORY_VIEWS)),
    }),
  ),
  set: v.optional(
    v.strictObject({
      cores: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(LIMITS.cores))),
      workers,
      switchIntervalMs: v.optional(v.pipe(v.number(), v.finite(), v.minValue(SET_SWITCH_MS[0]), v.maxValue(SET_SWITCH_MS[1]))),
      startMethod: v.optional(v.picklist(['fork', 'forkserver', 'spawn'])),
    }),
  ),
  patch: v.optional(
    v.strictObject({
      cpuShare: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1))),
      cpuBound: v.optional(taskNames),
      blocking: v.optional(taskNames),
      faster: v.optional(v.strictObject({ task: taskName, factor: v.pipe(v.number(), v.finite(), v.minValue(0.1), v.maxValue(100)) })),
    }),
  ),
  at: v.optional(v.union([v.pipe(v.number(), v.finite(), v.minValue(0)), v.literal('end')], 'a number of seconds (0 or more) or "end"')),
  play: v.optional(v.boolean()),
  question: v.optional(
    v.strictObject({
      text: v.pipe(storyLine(200), v.nonEmpty()),
      choices: v.pipe(v.array(storyChoice), v.minLength(2), v.maxLength(6)),
      pick: v.optional(v.picklist(['first', 'last'])),
    }),
  ),
});

/** A valibot path from plain keys, each item carrying the value it leads to (as valibot's own issues do). */
function issuePath(root: unknown, keys: readonly (string | number)[]): v.IssuePathItem[] {
  const items: v.IssuePathItem[] = [];
  let input: unknown = root;
  for (const key of keys) {
    if (typeof key === 'number' && Array.isArray(input)) {
      items.push({ type: 'array', origin: 'value', input, key, value: input[key] });
      input = input[key];
    } else if (typeof key === 'string' && isRecord(input)) {
      items.push({ type: 'object', origin: 'value', input, key, value: input[key] });
      input = input[key];
    } else {
      items.push({ type: 'unknown', origin: 'value', input, key, value: undefined });
      input = undefined;
    }
  }
  return items;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

const scenarioFileBase = v.strictObject({
    $schema: v.optional(v.string()),
    name: v.pipe(v.string(), v.nonEmpty(), v.maxLength(80), printable),
    description: v.optional(v.pipe(v.string(), v.maxLength(300))),
    cores: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(LIMITS.cores)),
    seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    tasks: v.pipe(v.array(taskSchema), v.minLength(1), v.maxLength(LIMITS.tasks)),
    models: v.optional(v.pipe(v.array(modelSchema), v.minLength(1), v.maxLength(12))),
    ...syncSchemas,
    /** Steps for a talk: see story.ts. */
    story: v.optional(v.pipe(v.array(storyStep), v.minLength(1), v.maxLength(40))),
});

export const scenarioFileSchema = v.pipe(
  scenarioFileBase,
  // What steps and models refer to, once the file has its shape (valibot runs this even after a type error: hence
  // the guard).
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const p of referenceProblems(dataset.value)) {
      const [first, ...rest] = issuePath(dataset.value, p.path);
      addIssue({ message: p.message, path: [first, ...rest] });
    }
  }),
  // The story's references.
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const file = dataset.value;
    if (!file.story) return;
    const ctx = { models: (file.models ?? DEFAULT_MODELS).length, tasks: file.tasks };
    for (const p of storyProblems(file.story, ctx)) {
      const [first, ...rest] = issuePath(file, p.path);
      addIssue({ message: p.message, path: [first, ...rest] });
    }
  }),
);

type FileShape = v.InferOutput<typeof scenarioFileBase>;

/**
 * References the shape alone cannot check: a step's lock, queue, event or barrier (an update's lock too) must be
 * declared; a bare `threading.Thread` per task has no pool size.
 */
function referenceProblems(file: FileShape): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  file.tasks.forEach((t, i) =>
    t.steps.forEach((s, j) => {
      for (const [field, table] of Object.entries(REFERS) as [keyof typeof REFERS, (typeof REFERS)[keyof typeof REFERS]][]) {
        const name = (s as Partial<Record<typeof field, string>>)[field];
        if (name !== undefined && !Object.hasOwn(file[table] ?? {}, name)) {
          out.push({ path: ['tasks', i, 'steps', j, field], message: `no ${field} ${JSON.stringify(name)} is declared in "${table}"${declaredList(file[table])}` });
        }
      }
    }),
  );
  (file.models ?? []).forEach((m, i) => {
    if (m.model === 'threads' && m.api === 'thread' && m.workers !== undefined) {
      out.push({ path: ['models', i, 'workers'], message: 'a threading.Thread per task (api "thread") has no pool size: remove workers or use api "executor"' });
    }
  });
  return out;
}

const declaredList = (table: Record<string, unknown> | undefined) => {
  const names = Object.keys(table ?? {});
  return names.length ? ` (it declares ${names.map((n) => JSON.stringify(n)).join(', ')})` : ' (it declares none)';
};

export type ScenarioFile = v.InferOutput<typeof scenarioFileSchema>;

export type ParseResult = { ok: true; scenario: Scenario; file: ScenarioFile } | { ok: false; errors: string[] };

/**
 * A profile file: any subset of the constants, each a finite number of seconds. Zero makes no sense for the switch
 * interval and the OS time slice (nothing would ever run between two hand-offs), nor for a native step's C call
 * (a step of zero-length calls would never end); every other cost may be zero. No
 * constant above an hour: a profile is a machine's measured costs, and 1e308 overflows the arithmetic.
 */
const cost = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(LIMITS.seconds));
const period = (min: number) => v.pipe(v.number(), v.finite(), v.minValue(min, `must be at least ${min} s`), v.maxValue(LIMITS.seconds));
const startCost = v.strictObject({ launch: v.optional(cost), boot: v.optional(cost) });
export const profileFileSchema = v.strictObject({
  $schema: v.optional(v.string()),
  switchInterval: v.optional(period(1e-5)),
  gilHandoff: v.optional(cost),
  callSeconds: v.optional(period(1e-6)),
  osSlice: v.optional(period(1e-4)),
  submit: v.optional(cost),
  threadStart: v.optional(cost),
  processStart: v.optional(v.strictObject({ fork: v.optional(startCost), forkserver: v.optional(startCost), spawn: v.optional(startCost) })),
  mainImport: v.optional(cost),
  forkserverBoot: v.optional(cost),
  dispatch: v.optional(cost),
  result: v.optional(cost),
  loopStart: v.optional(cost),
  wakeup: v.optional(cost),
  ipcWakeup: v.optional(cost),
  poolBreak: v.optional(cost),
  sendByte: v.optional(cost),
  receiveByte: v.optional(cost),
  rmwWindow: v.optional(cost),
});

export type ProfileParseResult = { ok: true; profile: CPythonProfile } | { ok: false; errors: string[] };

/** Validate a parsed profile file and lay it over `base`; errors read `source: field: message`, like a scenario's. */
export function parseProfile(json: unknown, source = 'profile', base: CPythonProfile = DEFAULT_PROFILE): ProfileParseResult {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, errors: [`${source}: (top level): expected a JSON object of profile constants (seconds)`] };
  }
  const r = v.safeParse(profileFileSchema, json);
  if (!r.success) return { ok: false, errors: r.issues.slice(0, 8).map((i) => `${source}: ${fieldPath(i)}: ${describeIssue(i)}`) };
  const o: Partial<typeof r.output> = { ...r.output };
  delete o.$schema;
  return { ok: true, profile: withOverride(base, o) };
}

/** `tasks[2].steps[0].kind`, from a valibot issue's path. */
function fieldPath(issue: v.BaseIssue<unknown>): string {
  let out = '';
  for (const item of issue.path ?? []) {
    const key = item.key as string | number;
    out += typeof key === 'number' ? `[${key}]` : out ? `.${key}` : String(key);
  }
  return out || '(top level)';
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  if (issue.expected === 'never') return 'unknown field (check its spelling)';
  if (issue.kind === 'schema' && issue.received === 'undefined') return `missing (expected ${issue.expected})`;
  return issue.message;
}

/**
 * Validate an already-parsed JSON value. Each error reads `source: field: message`.
 * Random ranges are drawn here, in file order, from `seed` (default 0), so the scenario the simulator gets is fixed.
 */
export function parseScenario(json: unknown, source = 'scenario'): ParseResult {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, errors: [`${source}: (top level): expected a JSON object with name, cores and tasks`] };
  }
  const r = v.safeParse(scenarioFileSchema, json);
  if (!r.success) {
    // A union failure reports the innermost issues; keep the first few, they name the fields.
    const errors = r.issues.slice(0, 8).map((i) => `${source}: ${fieldPath(i)}: ${describeIssue(i)}`);
    return { ok: false, errors };
  }
  const expanded = expandedSize(r.output);
  if (expanded.steps > LIMITS.expandedSteps) {
    const t = r.output.tasks[expanded.largest];
    return {
      ok: false,
      errors: [
        `${source}: tasks[${expanded.largest}].repeat: the scenario expands to ${expanded.steps.toLocaleString('en')} steps (each task's steps × repeat), over the ${LIMITS.expandedSteps.toLocaleString('en')} the simulator takes; the largest is "${t.name}" (${t.steps.length} steps × repeat ${t.repeat ?? 1})`,
      ],
    };
  }
  return { ok: true, scenario: resolveScenario(r.output), file: r.output };
}

/** How many steps a scenario file expands to (each task's steps × its repeat), and which task is the largest. */
function expandedSize(file: ScenarioFile): { steps: number; largest: number } {
  let steps = 0;
  let largest = 0;
  let most = -1;
  file.tasks.forEach((t, i) => {
    const n = t.steps.length * (t.repeat ?? 1);
    steps += n;
    if (n > most) [most, largest] = [n, i];
  });
  return { steps, largest };
}

/** JSON text without a leading UTF-8 byte-order mark (which editors on Windows write and JSON.parse rejects). */
export const withoutBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** Parse a profile file's text, reporting a syntax error with the source name. */
export function parseProfileText(text: string, source = 'profile', base?: CPythonProfile): ProfileParseResult {
  let json: unknown;
  try {
    json = JSON.parse(withoutBom(text));
  } catch (e) {
    return { ok: false, errors: [`${source}: not valid JSON: ${(e as Error).message}`] };
  }
  return parseProfile(json, source, base);
}

/** Parse JSON text, reporting a syntax error with the source name. */
export function parseScenarioText(text: string, source = 'scenario'): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(withoutBom(text));
  } catch (e) {
    return { ok: false, errors: [`${source}: not valid JSON: ${(e as Error).message}`] };
  }
  return parseScenario(json, source);
}

/** Resolved tasks written back as a file's (instant steps carry no `seconds` in a file), the inverse of resolving. */
export function fileTasks(tasks: readonly Task[]): ScenarioFile['tasks'] {
  return tasks.map((t) => ({
    name: t.name,
    steps: t.steps.map((s): ScenarioFile['tasks'][number]['steps'][number] => {
      if (isComputeStep(s) || s.kind === 'io') return s as ScenarioFile['tasks'][number]['steps'][number];
      const rest: Partial<Step> = { ...s };
      delete rest.seconds;
      return rest as ScenarioFile['tasks'][number]['steps'][number];
    }),
    ...(t.send ? { send: t.send } : {}),
    ...(t.receive ? { receive: t.receive } : {}),
  }));
}

export function resolveScenario(file: ScenarioFile): Scenario {
  const seed = file.seed ?? 0;
  const rand = seededRandom(seed);
  const draw = (x: number | { min: number; max: number; integer?: boolean }) => (typeof x === 'number' ? x : drawSeconds(rand, x.min, x.max, x.integer ?? false));
  const tasks = file.tasks.map((t) => {
    const once = t.steps.map((s): Step => {
      switch (s.kind) {
        case 'cpu':
        case 'native':
        case 'io':
          return { kind: s.kind, seconds: draw(s.seconds), ...(s.blocking ? { blocking: true } : {}) };
        case 'update':
          return { kind: 'update', shared: s.shared, times: s.times, seconds: draw(s.seconds), shape: s.shape, ...(s.lock !== undefined ? { lock: s.lock } : {}) };
        case 'iterate':
          return { kind: 'iterate', shared: s.shared, seconds: draw(s.seconds) };
        default:
          return { ...s, seconds: 0 };
      }
    });
    const steps: Step[] = [];
    for (let i = 0; i < (t.repeat ?? 1); i++) steps.push(...once);
    return { name: t.name, steps, ...(t.send ? { send: t.send } : {}), ...(t.receive ? { receive: t.receive } : {}) };
  });
  return {
    name: file.name,
    description: file.description ?? '',
    cores: file.cores,
    seed,
    tasks,
    models: (file.models as ModelConfig[] | undefined) ?? DEFAULT_MODELS,
    // Only what the file declares: a scenario without locks (or a story) has no such key at all.
    ...(file.locks && Object.keys(file.locks).length ? { locks: file.locks } : {}),
    ...(file.queues && Object.keys(file.queues).length ? { queues: file.queues } : {}),
    ...(file.events && Object.keys(file.events).length ? { events: file.events as SyncDecls['events'] } : {}),
    ...(file.barriers && Object.keys(file.barriers).length ? { barriers: file.barriers } : {}),
    ...(file.story ? { story: file.story } : {}),
  };
}
