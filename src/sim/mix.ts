import { seededRandom } from './random.ts';
import { DEFAULT_MODELS, fileTasks, type ScenarioFile } from './schema.ts';
import type { Scenario, Seconds, Task } from './types.ts';

export const DWARFS = ['Doc', 'Grumpy', 'Happy', 'Sleepy', 'Bashful', 'Sneezy', 'Dopey'];

/** The task-mix sliders: how many tasks, how long each, and what share of each is pure Python rather than waiting. */
export interface Mix {
  tasks: number;
  minSeconds: Seconds;
  maxSeconds: Seconds;
  /** 0: all I/O, 1: all CPU-bound pure Python. */
  cpuShare: number;
  seed: number;
}

export const MIX_LIMITS = { tasks: [1, 64], seconds: [0.1, 20], cpuShare: [0, 1] } as const;

/** The largest seed the controls and links take: the seed input's own maximum (2³¹ − 1). */
export const SEED_MAX = 2_147_483_647;

export function taskName(i: number): string {
  return i < DWARFS.length ? DWARFS[i] : `Task ${i + 1}`;
}

/** A scenario file from the sliders: each task's length drawn (seeded) from the range, Python then a wait. */
export function mixFile(mix: Mix, cores: number): ScenarioFile {
  const { name, description, seed, tasks, models } = mixScenario(mix, cores);
  return { name, description, cores, seed, tasks: fileTasks(tasks), models };
}

/** A scenario from the sliders: each task's length drawn (seeded) from the range, split into Python then a wait. */
export function mixScenario(mix: Mix, cores: number): Scenario {
  const rand = seededRandom(mix.seed);
  const lo = Math.min(mix.minSeconds, mix.maxSeconds);
  const hi = Math.max(mix.minSeconds, mix.maxSeconds);
  const tasks: Task[] = Array.from({ length: mix.tasks }, (_, i) => {
    const d = Math.round((lo + rand() * (hi - lo)) * 1000) / 1000;
    const cpu = d * mix.cpuShare;
    const steps: Task['steps'] = [];
    if (cpu > 0) steps.push({ kind: 'cpu', seconds: cpu });
    if (d - cpu > 0 || !steps.length) steps.push({ kind: 'io', seconds: d - cpu });
    return { name: taskName(i), steps };
  });
  const pct = Math.round(mix.cpuShare * 100);
  return {
    name: 'Custom mix',
    description: `${mix.tasks} tasks of ${lo}–${hi} s, ${pct}% pure Python and ${100 - pct}% waiting on I/O.`,
    cores,
    seed: mix.seed,
    tasks,
    models: DEFAULT_MODELS,
  };
}
