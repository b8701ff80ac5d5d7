import type { ModelRun, TaskState } from '../../sim/timeline.ts';
import type { Scenario, Seconds } from '../../sim/types.ts';
import { seconds } from '../format.ts';
import { blocksLoop } from '../chart/lanes.ts';

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
  if (run.model === 'threads' && gil) parts.push(`${gil.task >= 0 ? sc.tasks[gil.task].name : 'the main thread'} holds the GIL`);
  const loop = run.loop.find((l) => l.start <= t && t < l.end);
  if (run.model === 'asyncio') parts.push(loop ? `the loop runs ${sc.tasks[loop.task].name}${loop.kind === 'blocking-io' ? ', stuck in a blocking call' : ''}` : 'the loop is idle');
  const verb = (n: string[], one: string, many: string) => `${list(n)} ${n.length === 1 ? one : many}`;
  if (by.running) parts.push(verb(by.running, 'runs', 'run'));
  if (by.blocking) parts.push(verb(by.blocking, 'blocks the loop in a blocking call', 'block the loop in blocking calls'));
  if (by['gil-wait']) parts.push(verb(by['gil-wait'], 'waits for the GIL', 'wait for the GIL'));
  if (by['cpu-wait']) parts.push(verb(by['cpu-wait'], 'waits for a free core', 'wait for a free core'));
  if (by.io) parts.push(verb(by.io, 'waits on I/O', 'wait on I/O'));
  if (by.blocked) parts.push(verb(by.blocked, 'is ready but blocked by the loop', 'are ready but blocked by the loop'));
  if (by.queued) parts.push(verb(by.queued, 'is queued', 'are queued'));
  if (by.done) parts.push(verb(by.done, 'is done', 'are done'));
  // Task names stay as written ("crunch", "time.sleep"); only the sentence's own words are capitalised.
  const s = parts.join('; ').replace(/^the /, 'The ');
  return `${run.model} at ${seconds(t)}: ${s}.`;
}
