import type { ModelRun } from './timeline.ts';
import type { ModelConfig, Scenario, Seconds, StartMethod, Step, Task } from './types.ts';

/*
 * A story: a scenario file's optional list of steps for a speaker with a clicker. Each step says what to show (which
 * models, which view, where the playhead is), what to change (the controls, and a patch to the tasks), and may ask
 * the audience a question whose answer the simulator gives (never the file).
 *
 * Steps are independent: a step's scenario is the file's scenario with that step's `set` and `patch` applied, nothing
 * carried over from the step before, so jumping back or to any step shows the same thing every time.
 *
 * This module is pure (no DOM, no clock) and holds no validation library: schema.ts validates the shape with valibot
 * and calls `storyProblems` for the checks that need the scenario (model indices, task names).
 */

/** How a step lays out the charts. `amdahl` exists only in stories: the UI shows `compare` until it draws that view. */
export type StoryView = 'compare' | 'cores' | 'tasks' | 'amdahl';
export const STORY_VIEWS: readonly StoryView[] = ['compare', 'cores', 'tasks', 'amdahl'];

export interface StoryShow {
  /**
   * Indices into the scenario's `models`, unique, 1 to 9 of them, in the order to draw; absent: every model. The first
   * is the one a `cores` or `tasks` view draws alone and narrates, and the run a task question is judged in.
   */
  models?: number[];
  view?: StoryView;
}

/**
 * The controls a step moves, in the sliders' ranges, applied as the controls apply them (appState's `effectiveFile`):
 * `cores` to the scenario; `workers` to every threads, processes and asyncio model; `switchIntervalMs` to every
 * threads model; `startMethod` to every processes model.
 */
export interface StorySet {
  cores?: number;
  workers?: number;
  /** `sys.setswitchinterval()` in milliseconds. */
  switchIntervalMs?: number;
  startMethod?: StartMethod;
}

/**
 * A change to the tasks for one step, applied in this order:
 * 1. `cpuShare` (0..1), for every task, and `cpuBound` (task names), for those tasks as if their share were 1: each
 *    `io` step of s seconds becomes a `cpu` step of s·share then an `io` step of the rest (parts of zero seconds are
 *    dropped; a wait of zero seconds stays a wait). `cpu` and `native` steps are unchanged, so every task keeps its name
 *    and its total seconds: "the same tasks, now pure Python". `cpuBound` makes one task CPU-bound beside waiting
 *    ones (the convoy effect).
 * 2. `blocking` (task names): those tasks' `io` steps become blocking calls (asyncio: `time.sleep` in a coroutine).
 *    Each named task must have a wait left after step 1.
 * 3. `faster`: one task's every step divided by `factor` (0.1..100; below 1 makes it slower).
 */
export interface StoryPatch {
  cpuShare?: number;
  cpuBound?: string[];
  blocking?: string[];
  faster?: { task: string; factor: number };
}

/** A choice names a model (its index in `models`: judged by makespan) or a task (judged by its end time). */
export type StoryChoice = { label: string; model: number } | { label: string; task: string };

export interface StoryQuestion {
  text: string;
  /** 2 to 6, all models or all tasks. */
  choices: StoryChoice[];
  /** Which one is right: the first to finish (default) or the last. */
  pick?: 'first' | 'last';
}

export interface StoryStep {
  /** One line, 1 to 80 characters. */
  title: string;
  /** One line of at most 300 characters; text between backticks is inline code. */
  caption?: string;
  /** The Python the step stands for: at most 1000 characters and 20 lines. */
  code?: string;
  show?: StoryShow;
  set?: StorySet;
  patch?: StoryPatch;
  /** Where the playhead goes, in simulated seconds from 0 (past a run's end: its end), or that run's end. */
  at?: Seconds | 'end';
  /** Play from `at` (or 0) to the end. Not with `at: "end"`. */
  play?: boolean;
  question?: StoryQuestion;
}

/** 1 to 40 steps, shown in order. */
export type Story = StoryStep[];

/** A task's steps with `share` of each wait made pure Python first (see StoryPatch). */
function withCpuShare(steps: Step[], share: number): Step[] {
  if (share === 0) return steps;
  const out: Step[] = [];
  for (const s of steps) {
    if (s.kind !== 'io') {
      out.push(s);
      continue;
    }
    const cpu = s.seconds * share;
    // The rest, as a difference, so the two parts add up to the wait (as mix.ts splits a task).
    const io = s.seconds - cpu;
    if (cpu > 0) out.push({ kind: 'cpu', seconds: cpu });
    if (io > 0 || cpu === 0) out.push({ ...s, seconds: io });
  }
  return out;
}

/** The share of a task's waits a patch makes pure Python. */
function shareOf(patch: StoryPatch, name: string): number {
  return patch.cpuBound?.includes(name) ? 1 : (patch.cpuShare ?? 0);
}

function patchTask(task: Task, patch: StoryPatch): Task {
  let steps = withCpuShare(task.steps, shareOf(patch, task.name));
  if (patch.blocking?.includes(task.name)) steps = steps.map((s) => (s.kind === 'io' ? { ...s, blocking: true } : s));
  const f = patch.faster;
  if (f && f.task === task.name) steps = steps.map((s) => ({ ...s, seconds: s.seconds / f.factor }));
  return steps === task.steps ? task : { name: task.name, steps };
}

/** The scenario with a step's patch applied: a new scenario (the argument is not changed); absent patch: the same. */
export function applyPatch(scenario: Scenario, patch: StoryPatch | undefined): Scenario {
  if (!patch) return scenario;
  return { ...scenario, tasks: scenario.tasks.map((t) => patchTask(t, patch)) };
}

/**
 * A model's config with settings applied where its kind has them: workers (all but sequential), the switch interval
 * (threads), the start method (processes). Unset settings leave the model's own. The one place these rules live: a
 * story step's `set`, the app's all-model controls and each model's own settings all go through it.
 */
export function withSettings(m: ModelConfig, set: Omit<StorySet, 'cores'>): ModelConfig {
  const { workers, switchIntervalMs, startMethod } = set;
  if (m.model === 'threads') return { ...m, ...(workers ? { workers } : {}), ...(switchIntervalMs ? { switchIntervalMs } : {}) };
  if (m.model === 'processes') return { ...m, ...(workers ? { workers } : {}), ...(startMethod ? { startMethod } : {}) };
  if (m.model === 'asyncio') return { ...m, ...(workers ? { workers } : {}) };
  return m;
}

/** The scenario with a step's control settings applied, by the controls' rules (see StorySet). */
export function applySet(scenario: Scenario, set: StorySet | undefined): Scenario {
  if (!set) return scenario;
  return { ...scenario, cores: set.cores ?? scenario.cores, models: scenario.models.map((m) => withSettings(m, set)) };
}

/** What a step simulates: the file's scenario with its `set`, then its `patch`. Its runs feed `answer`. */
export function stepScenario(scenario: Scenario, step: StoryStep): Scenario {
  return applyPatch(applySet(scenario, step.set), step.patch);
}

/** The models a step shows, in order: its list, or every model of the scenario. */
export function shownModels(scenario: Scenario, step: StoryStep): number[] {
  return step.show?.models ?? scenario.models.map((_, i) => i);
}

/** The model a step draws alone in a cores or tasks view, and judges task questions in: the first it shows. */
export function firstShown(step: StoryStep): number {
  return step.show?.models?.[0] ?? 0;
}

function runAt(runs: readonly ModelRun[], model: number): ModelRun {
  const run = runs[model];
  if (!run) throw new Error(`answer: no run for model ${model} (got ${runs.length} runs; pass one per model of the step's scenario)`);
  return run;
}

function taskEnd(run: ModelRun, name: string): Seconds {
  const t = run.tasks.find((x) => x.name === name);
  if (!t) throw new Error(`answer: the ${run.model} run has no task named ${JSON.stringify(name)}`);
  return t.end;
}

/**
 * The index of the right choice, from the simulation. `runs[i]` is model i's run of the step's scenario
 * (`stepScenario`). A model choice is judged by that run's makespan; a task choice by the task's end in `taskRun`,
 * the run of the step's first shown model (`runs[firstShown(step)]`). Ties go to the earlier choice.
 */
export function answer(question: StoryQuestion, runs: readonly ModelRun[], taskRun: ModelRun = runAt(runs, 0)): number {
  const time = (c: StoryChoice): Seconds => ('model' in c ? runAt(runs, c.model).makespan : taskEnd(taskRun, c.task));
  const later = question.pick === 'last';
  let best = 0;
  let bestTime = time(question.choices[0]);
  question.choices.forEach((c, i) => {
    const t = time(c);
    // Strictly better only: an equal time keeps the earlier choice.
    if (later ? t > bestTime : t < bestTime) [best, bestTime] = [i, t];
  });
  return best;
}

/** A step's question answered from its runs (one per model of `stepScenario`), or undefined when it asks none. */
export function stepAnswer(step: StoryStep, runs: readonly ModelRun[]): number | undefined {
  return step.question && answer(step.question, runs, runAt(runs, firstShown(step)));
}

/** A problem found in a story: the path of the field (`['story', 2, 'show', 'models', 0]`) and what is wrong. */
export interface StoryProblem {
  path: (string | number)[];
  message: string;
}

/** What a story's references need to know about its scenario file (as written, before random ranges are drawn). */
export interface StoryContext {
  /** How many models the scenario has (its `models`, or the default four). */
  models: number;
  tasks: readonly { name: string; steps: readonly { kind: Step['kind'] }[] }[];
}

/**
 * The checks a story needs beyond its shape: every model index and task name it uses exists, no list names one twice,
 * a question's choices are all models or all tasks, a blocking task has a wait to block, and nothing plays from the
 * end. Paths start at `story`.
 */
export function storyProblems(story: Story, ctx: StoryContext): StoryProblem[] {
  const problems: StoryProblem[] = [];
  const names = ctx.tasks.map((t) => t.name);
  const known = names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')}, …`;
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  const modelRef = (path: (string | number)[], m: number) => {
    if (m >= ctx.models) add(path, `no model ${m}: the scenario has ${ctx.models} models, 0 to ${ctx.models - 1}`);
  };
  const taskRef = (path: (string | number)[], name: string) => {
    if (!names.includes(name)) add(path, `no task named ${JSON.stringify(name)} (the tasks: ${known})`);
  };
  /** Each item of a list must be known and named once. */
  const list = <T extends string | number>(path: (string | number)[], items: readonly T[] | undefined, ref: (p: (string | number)[], x: T) => void) =>
    items?.forEach((x, j) => {
      ref([...path, j], x);
      if (items.indexOf(x) < j) add([...path, j], `${JSON.stringify(x)} is listed twice`);
    });
  story.forEach((step, i) => {
    const at = (...rest: (string | number)[]) => ['story', i, ...rest];
    list(at('show', 'models'), step.show?.models, modelRef);
    const patch = step.patch;
    list(at('patch', 'cpuBound'), patch?.cpuBound, taskRef);
    list(at('patch', 'blocking'), patch?.blocking, taskRef);
    patch?.blocking?.forEach((name, j) => {
      const task = ctx.tasks.find((t) => t.name === name);
      if (task && (shareOf(patch, name) === 1 || !task.steps.some((s) => s.kind === 'io'))) {
        add(at('patch', 'blocking', j), `${JSON.stringify(name)} has no I/O wait to block on${task.steps.some((s) => s.kind === 'io') ? ' once the patch makes it CPU-bound' : ''}`);
      }
    });
    if (patch?.faster) taskRef(at('patch', 'faster', 'task'), patch.faster.task);
    if (step.play && step.at === 'end') add(at('play'), 'cannot play from the end (at is "end"): give a time in seconds, or leave out at');
    const choices = step.question?.choices ?? [];
    const kind = (c: StoryChoice) => ('model' in c ? 'model' : 'task');
    choices.forEach((c, j) => {
      const path = at('question', 'choices', j);
      if ('model' in c) modelRef([...path, 'model'], c.model);
      else taskRef([...path, 'task'], c.task);
      if (kind(c) !== kind(choices[0])) add(path, `the choices must be all models or all tasks (choice 0 is a ${kind(choices[0])}, this one a ${kind(c)})`);
      else {
        const same = choices.findIndex((d) => ('model' in c && 'model' in d ? d.model === c.model : 'task' in c && 'task' in d && d.task === c.task));
        if (same < j) add(path, `the same ${kind(c)} as choice ${same}`);
      }
    });
  });
  return problems;
}
