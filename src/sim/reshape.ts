import type { Scenario, Seconds, Step, Task } from './types.ts';

/**
 * The task-mix sliders moved on a scenario that is not a custom mix: its own tasks changed, never replaced by random
 * new ones, so "the same tasks, now CPU-bound" is the same tasks. Applied in this order:
 * 1. `tasks`: the first n tasks; more than the scenario has: its tasks again, named "Doc 2", "Doc 3"…
 * 2. `minSeconds` / `maxSeconds`: each task's total length mapped linearly from the scenario's shortest–longest range
 *    onto this one, every step scaled alike (the order of lengths kept). Tasks all of one length take the range's
 *    nearest end.
 * 3. `cpuShare` (0–1): each task's share of time that is computing (pure Python, or native code, which is kept as it
 *    is) set to this, its total kept: waiting turns into pure Python at the start of each wait, or pure Python into
 *    waiting at the end of each Python step.
 */
export interface Reshape {
  tasks?: number;
  minSeconds?: Seconds;
  maxSeconds?: Seconds;
  cpuShare?: number;
}

const total = (t: Task) => t.steps.reduce((a, s) => a + s.seconds, 0);

export function reshape(scenario: Scenario, r: Reshape | undefined): Scenario {
  if (!r || (r.tasks === undefined && r.minSeconds === undefined && r.maxSeconds === undefined && r.cpuShare === undefined)) return scenario;
  let tasks = scenario.tasks;
  if (r.tasks !== undefined && r.tasks !== tasks.length) tasks = withCount(tasks, r.tasks);
  if (r.minSeconds !== undefined || r.maxSeconds !== undefined) tasks = withRange(tasks, r.minSeconds, r.maxSeconds);
  if (r.cpuShare !== undefined) tasks = tasks.map((t) => withShare(t, r.cpuShare!));
  return { ...scenario, tasks };
}

function withCount(tasks: Task[], n: number): Task[] {
  return Array.from({ length: Math.max(1, n) }, (_, i) => {
    const t = tasks[i % tasks.length];
    const round = Math.floor(i / tasks.length);
    return round === 0 ? t : { name: `${t.name} ${round + 1}`, steps: t.steps };
  });
}

/** The range the sliders show for these tasks: the shortest and longest total. */
export function lengthRange(tasks: readonly Task[]): [Seconds, Seconds] {
  const totals = tasks.map(total);
  return [Math.min(...totals), Math.max(...totals)];
}

function withRange(tasks: Task[], min: Seconds | undefined, max: Seconds | undefined): Task[] {
  const [lo0, hi0] = lengthRange(tasks);
  const lo = min ?? lo0;
  const hi = Math.max(lo, max ?? hi0);
  return tasks.map((t) => {
    const T = total(t);
    const target = hi0 > lo0 ? lo + ((T - lo0) * (hi - lo)) / (hi0 - lo0) : Math.min(hi, Math.max(lo, T));
    if (!(T > 0) || target === T) return t;
    const k = target / T;
    return { name: t.name, steps: t.steps.map((s) => ({ ...s, seconds: s.seconds * k })) };
  });
}

/** A task's computing share: pure Python and native seconds over all its seconds. */
export function computeShare(tasks: readonly Task[]): number {
  let all = 0;
  let busy = 0;
  for (const t of tasks) {
    for (const s of t.steps) {
      all += s.seconds;
      if (s.kind !== 'io') busy += s.seconds;
    }
  }
  return all > 0 ? busy / all : 0;
}

function withShare(task: Task, share: number): Task {
  const T = total(task);
  let py = 0;
  let native = 0;
  let io = 0;
  for (const s of task.steps) {
    if (s.kind === 'cpu') py += s.seconds;
    else if (s.kind === 'native') native += s.seconds;
    else io += s.seconds;
  }
  // The pure Python this task needs for the share; native code stays what it is.
  const want = Math.min(py + io, Math.max(0, share * T - native));
  if (Math.abs(want - py) < 1e-12) return task;
  const steps: Step[] = [];
  if (want > py) {
    // Each wait gives the same fraction of itself to Python, at its start.
    const f = (want - py) / io;
    for (const s of task.steps) {
      if (s.kind !== 'io') steps.push(s);
      else split(steps, { kind: 'cpu', seconds: s.seconds * f }, s, s.seconds - s.seconds * f);
    }
  } else {
    // Each Python step keeps the same fraction of itself, and waits for the rest.
    const f = want / py;
    for (const s of task.steps) {
      if (s.kind !== 'cpu') steps.push(s);
      else split(steps, { kind: 'cpu', seconds: s.seconds * f }, { kind: 'io', seconds: 0 }, s.seconds - s.seconds * f);
    }
  }
  return { name: task.name, steps };
}

/** `first`, then `rest` lasting `restSeconds`; parts of zero seconds left out (one part is always kept). */
function split(out: Step[], first: Step, rest: Step, restSeconds: Seconds): void {
  if (first.seconds > 0) out.push(first);
  if (restSeconds > 0 || first.seconds <= 0) out.push({ ...rest, seconds: Math.max(0, restSeconds) });
}
