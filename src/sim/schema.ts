import * as v from 'valibot';
import { drawSeconds, seededRandom } from './random.ts';
import type { ModelConfig, Scenario, Step } from './types.ts';

/** Limits keep a hand-edited file or a URL from asking the simulator for hours of work. */
export const LIMITS = { cores: 64, tasks: 256, workers: 256, stepsPerTask: 2000, seconds: 3600 } as const;

const seconds = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(LIMITS.seconds));
const range = v.pipe(
  v.strictObject({ min: seconds, max: seconds, integer: v.optional(v.boolean()) }),
  v.check((r) => r.min <= r.max, 'min must not exceed max'),
);
const stepSchema = v.strictObject({
  kind: v.picklist(['cpu', 'native', 'io']),
  seconds: v.union([seconds, range], 'a number of seconds or { "min", "max" }'),
  blocking: v.optional(v.boolean()),
});
const taskSchema = v.strictObject({
  name: v.pipe(v.string(), v.nonEmpty(), v.maxLength(40)),
  steps: v.pipe(v.array(stepSchema), v.minLength(1), v.maxLength(LIMITS.stepsPerTask)),
  /** Run the steps this many times in a row (a loop of many short waits). */
  repeat: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(LIMITS.stepsPerTask))),
});
const workers = v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(LIMITS.workers)));
const modelSchema = v.variant('model', [
  v.strictObject({ model: v.literal('sequential') }),
  v.strictObject({
    model: v.literal('threads'),
    workers,
    switchIntervalMs: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0.01), v.maxValue(1000))),
  }),
  v.strictObject({ model: v.literal('processes'), workers, startMethod: v.optional(v.picklist(['fork', 'forkserver', 'spawn'])) }),
  v.strictObject({ model: v.literal('asyncio'), workers }),
]);
export const scenarioFileSchema = v.strictObject({
  $schema: v.optional(v.string()),
  name: v.pipe(v.string(), v.nonEmpty(), v.maxLength(80)),
  description: v.optional(v.pipe(v.string(), v.maxLength(300))),
  cores: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(LIMITS.cores)),
  seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  tasks: v.pipe(v.array(taskSchema), v.minLength(1), v.maxLength(LIMITS.tasks)),
  models: v.optional(v.pipe(v.array(modelSchema), v.minLength(1), v.maxLength(12))),
});
export type ScenarioFile = v.InferOutput<typeof scenarioFileSchema>;

export const DEFAULT_MODELS: ModelConfig[] = [
  { model: 'sequential' },
  { model: 'threads' },
  { model: 'processes' },
  { model: 'asyncio' },
];

export type ParseResult = { ok: true; scenario: Scenario; file: ScenarioFile } | { ok: false; errors: string[] };

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
  return { ok: true, scenario: resolveScenario(r.output), file: r.output };
}

/** Parse JSON text, reporting a syntax error with the source name. */
export function parseScenarioText(text: string, source = 'scenario'): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`${source}: not valid JSON: ${(e as Error).message}`] };
  }
  return parseScenario(json, source);
}

export function resolveScenario(file: ScenarioFile): Scenario {
  const seed = file.seed ?? 0;
  const rand = seededRandom(seed);
  const tasks = file.tasks.map((t) => {
    const once = t.steps.map((s) => {
      const secs =
        typeof s.seconds === 'number' ? s.seconds : drawSeconds(rand, s.seconds.min, s.seconds.max, s.seconds.integer ?? false);
      const step: Step = { kind: s.kind, seconds: secs };
      if (s.blocking) step.blocking = true;
      return step;
    });
    const steps: Step[] = [];
    for (let i = 0; i < (t.repeat ?? 1); i++) steps.push(...once);
    return { name: t.name, steps };
  });
  return {
    name: file.name,
    description: file.description ?? '',
    cores: file.cores,
    seed,
    tasks,
    models: (file.models as ModelConfig[] | undefined) ?? DEFAULT_MODELS,
  };
}
