import { LIMITS } from '../../sim/schema.ts';
import type { ChoicePoint, ModelRun } from '../../sim/timeline.ts';
import type { ModelConfig } from '../../sim/types.ts';

/**
 * "You are the scheduler" (as The Deadlock Empire has it for C#): the user hands out one threads model's GIL at every
 * point where it could change hands (`ModelRun.choices`). The picks are the model's `schedule` (see ThreadsConfig):
 * they are part of the scenario, so they travel in the link (`sched=`) and in a saved file.
 */
export interface SchedulePlan {
  /** The threads model whose GIL the user hands out: its index in the scenario's models. */
  model: number;
  /** The thread given the GIL at each choice point so far, in order (0: the main thread, 1…n: the workers). */
  picks: number[];
  /** The user let the rules decide every point after the picks: nothing more is asked. */
  rules?: boolean;
}

/** The most picks a schedule holds (the scenario schema's limit). */
export const MAX_PICKS = 10_000;
/** Two instants closer than this are the same instant (the simulator's times are sums of microseconds). */
export const SAME_INSTANT = 1e-9;

/**
 * `sched=` in a link: the model, `:` and its picks separated by `.`, a run of one thread written `thread*count`
 * (`1:2.1*5.0` is model 1, picks 2, 1, 1, 1, 1, 1, 0), then `:rules` when the rules decide the rest.
 */
export function encodePlan(p: SchedulePlan): string {
  const runs: string[] = [];
  for (let i = 0; i < p.picks.length; ) {
    let j = i;
    while (j < p.picks.length && p.picks[j] === p.picks[i]) j++;
    const n = j - i;
    runs.push(n >= 3 ? `${p.picks[i]}*${n}` : Array(n).fill(String(p.picks[i])).join('.'));
    i = j;
  }
  const picks = runs.join('.');
  return `${p.model}${picks || p.rules ? `:${picks}` : ''}${p.rules ? ':rules' : ''}`;
}

/** `sched=`'s plan, or null when any part of it is malformed (`maxModels`: the model index is below it). */
export function decodePlan(raw: string, maxModels: number): SchedulePlan | null {
  const [m, picks = '', flag, ...more] = raw.split(':');
  const model = Number(m);
  if (more.length || m.trim() === '' || !Number.isInteger(model) || model < 0 || model >= maxModels) return null;
  if (flag !== undefined && flag !== 'rules') return null;
  const out: number[] = [];
  if (picks !== '') {
    for (const part of picks.split('.')) {
      const [t, n = '1', ...extra] = part.split('*');
      const thread = Number(t);
      const count = Number(n);
      if (extra.length || t.trim() === '' || n.trim() === '' || !Number.isInteger(thread) || thread < 0 || thread > LIMITS.workers) return null;
      if (!Number.isInteger(count) || count < 1 || out.length + count > MAX_PICKS) return null;
      for (let k = 0; k < count; k++) out.push(thread);
    }
  }
  return { model, picks: out, ...(flag ? { rules: true } : {}) };
}

/**
 * The models with the plan's picks as the scheduled model's `schedule` (an empty one too: only a config with a
 * schedule lists its choice points). A plan naming a model that is not threads changes nothing.
 */
export function withPlan(models: ModelConfig[], plan: SchedulePlan | undefined): ModelConfig[] {
  if (!plan || models[plan.model]?.model !== 'threads') return models;
  return models.map((m, i) => (i === plan.model && m.model === 'threads' ? { ...m, schedule: [...plan.picks] } : m));
}

/** The plan if it can be played on these models (its model is a threads model), else undefined. */
export function validPlan(plan: SchedulePlan | undefined, models: readonly ModelConfig[]): SchedulePlan | undefined {
  return plan && models[plan.model]?.model === 'threads' ? plan : undefined;
}

/**
 * The plan to start from on model `model`: a schedule its config already has (a saved file's) as the picks it made
 * in the run shown, so entering the mode changes nothing on screen; else no picks.
 */
export function startPlan(model: number, config: ModelConfig, run: ModelRun | undefined): SchedulePlan {
  const given = config.model === 'threads' ? (config.schedule ?? []) : [];
  const made = run ? run.choices.slice(0, Math.min(given.length, run.choices.length)).map((c) => c.chosen) : given.slice(0, MAX_PICKS);
  return { model, picks: made };
}

/** The point asked about: the first one the picks do not decide (none once the rules decide the rest). */
export function pendingChoice(run: ModelRun, plan: SchedulePlan): ChoicePoint | null {
  return plan.rules ? null : (run.choices[plan.picks.length] ?? null);
}

export const pickPlan = (p: SchedulePlan, thread: number): SchedulePlan => ({ model: p.model, picks: [...p.picks, thread].slice(0, MAX_PICKS) });
/** Undo: the rules' say over the rest first, else the last pick. */
export const undoPlan = (p: SchedulePlan): SchedulePlan => ({ model: p.model, picks: p.rules ? p.picks : p.picks.slice(0, -1) });
export const canUndo = (p: SchedulePlan): boolean => !!p.rules || p.picks.length > 0;
export const rulesPlan = (p: SchedulePlan): SchedulePlan => ({ model: p.model, picks: p.picks, rules: true });
