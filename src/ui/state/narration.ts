import type { ModelRun, TaskState } from '../../sim/timeline.ts';
import type { Scenario, Seconds } from '../../sim/types.ts';
import { seconds } from '../format.ts';
import { blocksLoop } from '../chart/lanes.ts';

/** "the only core is" / "all 4 cores are". */
const all = (n: number, what: string) => (n === 1 ? `the only ${what} is` : `all ${n} ${what}s are`);
const list = (names: string[]) => (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`);

/** One sentence of what is happening at `t`: for screen readers and the speaker's notes. */
export function narrate(run: ModelRun, sc: Scenario, t: Seconds): string {
  if (t >= run.makespan) return `${run.model}: all ${sc.tasks.length} tasks done after ${seconds(run.makespan)}.`;
  const by: Partial<Record<TaskState | 'blocking', string[]>> = {};
  run.taskSpans.forEach((spans, i) => {
    const s = spans.find((x) => x.start <= t && t < x.end) ?? spans[spans.length - 1];
    (by[blocksLoop(run, sc, i, s.state, s.step) ? 'blocking' : s.state] ??= []).push(sc.tasks[i].name);
  });
  const parts: string[] = [];
  const gil = run.gil.find((g) => g.start <= t && t < g.end);
  // Who holds the GIL: said first, or as the reason the others wait for it.
  if (run.model === 'threads' && gil && !by['gil-wait']) parts.push(`${gil.task >= 0 ? sc.tasks[gil.task].name : 'the main thread'} holds the GIL`);
  const loop = run.loop.find((l) => l.start <= t && t < l.end);
  if (run.model === 'asyncio') parts.push(loop ? `the loop runs ${sc.tasks[loop.task].name}${loop.kind === 'blocking-io' ? ', stuck in a blocking call' : ''}` : 'the loop is idle');
  const verb = (n: string[], one: string, many: string) => `${list(n)} ${n.length === 1 ? one : many}`;
  // Each wait with its reason, where the timeline knows it.
  const holder = run.model === 'threads' && gil ? (gil.task >= 0 ? sc.tasks[gil.task].name : 'the main thread') : null;
  const started = run.taskSpans.length - (by.queued?.length ?? 0) - (by.done?.length ?? 0);
  const workers = 'workers' in run.config && run.config.workers ? run.config.workers : run.model === 'processes' ? run.cores : Infinity;
  const whyQueued =
    run.model === 'sequential'
      ? ' (one task after another)'
      : started >= workers
        ? ` (${all(workers, 'worker')} busy)`
        : holder === 'the main thread'
          ? ' (the main thread is still submitting)'
          : run.model === 'asyncio'
            ? ' (not started by the loop yet)'
            : '';
  if (by.running) parts.push(verb(by.running, 'runs', 'run'));
  if (by.blocking) parts.push(verb(by.blocking, 'blocks the loop in a blocking call', 'block the loop in blocking calls'));
  if (by['gil-wait']) parts.push(verb(by['gil-wait'], 'waits for the GIL', 'wait for the GIL') + (holder ? `, which ${holder} holds` : ''));
  if (by['cpu-wait']) parts.push(verb(by['cpu-wait'], 'waits for a free core', 'wait for a free core') + ` (${all(run.cores, 'core')} busy)`);
  if (by.io) parts.push(verb(by.io, 'waits on I/O', 'wait on I/O'));
  if (by.blocked) {
    const why = loop ? (loop.kind === 'blocking-io' ? `: the loop is stuck in ${sc.tasks[loop.task].name}'s blocking call` : `: the loop is busy running ${sc.tasks[loop.task].name}`) : ' by the loop';
    parts.push(verb(by.blocked, 'is ready but blocked', 'are ready but blocked') + why);
  }
  if (by.queued) parts.push(verb(by.queued, 'is queued', 'are queued') + whyQueued);
  if (by.done) parts.push(verb(by.done, 'is done', 'are done'));
  // Task names stay as written ("crunch", "time.sleep"); only the sentence's own words are capitalised.
  const s = parts.join('; ').replace(/^the /, 'The ');
  return `${run.model} at ${seconds(t)}: ${s}.`;
}
