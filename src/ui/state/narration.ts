import type { ModelRun, TaskState } from '../../sim/timeline.ts';
import type { Scenario, Seconds } from '../../sim/types.ts';
import { seconds } from '../format.ts';
import { blocksLoop } from '../chart/lanes.ts';
import { brokenPoolWords, count, crasher, deadlockWords, errorWords, list, sharedDicts } from '../panels/summaryFigures.ts';

/** "the only core is" / "all 4 cores are". */
const all = (n: number, what: string) => (n === 1 ? `the only ${what} is` : `all ${n} ${what}s are`);
const verb = (n: string[], one: string, many: string) => `${list(n)} ${n.length === 1 ? one : many}`;

/** The object's state at `t`: its span (a lock's holders, a queue's items, a barrier's arrivals). */
function syncAt(run: ModelRun, on: string, t: Seconds) {
  for (const spans of run.sync) {
    if (spans[0]?.object !== on) continue;
    return spans.find((x) => x.start <= t && t < x.end) ?? spans[spans.length - 1];
  }
  return undefined;
}

/** The shared value a task's update step at `at` writes (for a `lost` mark, which names the task, not the value). */
function sharedAt(run: ModelRun, sc: Scenario, task: number, at: Seconds): string | undefined {
  const spans = run.taskSpans[task] ?? [];
  const s = spans.find((x) => x.start <= at && at <= x.end && x.step >= 0 && sc.tasks[task].steps[x.step]?.kind === 'update');
  const step = s ? sc.tasks[task].steps[s.step] : undefined;
  return step?.kind === 'update' ? step.shared : run.shared.length === 1 ? run.shared[0].name : undefined;
}

/** Updates lost by `t`, per shared value: the `lost` marks so far (a stale write over a stale write counts back). */
function lostBy(run: ModelRun, sc: Scenario, t: Seconds): [string, number][] {
  const by = new Map<string, number>();
  for (const m of run.marks) {
    if (m.kind !== 'lost' || m.at > t) continue;
    const name = sharedAt(run, sc, m.task, m.at) ?? 'a shared value';
    by.set(name, (by.get(name) ?? 0) + (m.count ?? 0));
  }
  return [...by].filter(([, n]) => n > 0);
}

/** How the shared values ended: "counter is 324,940, not 1,000,000: 675,060 updates lost". */
function sharedEnd(run: ModelRun, sc: Scenario): string[] {
  const dicts = sharedDicts(sc);
  return run.shared.map((v) => {
    const keys = (n: number) => `${count(n)} new ${n === 1 ? 'key' : 'keys'}`;
    if (dicts.has(v.name)) return `${v.name} got ${v.final === v.expected ? `its ${keys(v.final)}` : `${count(v.final)} of its ${keys(v.expected)}`}${v.note ? `: ${v.note}` : ''}`;
    if (v.note) return `${v.name} is ${count(v.final)} in the main program, not ${count(v.expected)}: ${v.note}`;
    if (v.lost > 0) return `${v.name} is ${count(v.final)}, not ${count(v.expected)}: ${count(v.lost)} ${v.lost === 1 ? 'update' : 'updates'} lost`;
    return `${v.name} is ${count(v.final)}, as expected`;
  });
}

/** What ended badly by `t`: the deadlock, the error in the main program, the broken pool, updates lost so far. */
function events(run: ModelRun, sc: Scenario, t: Seconds): string[] {
  const out: string[] = [];
  if (run.deadlock && t >= run.deadlock.at) out.push(deadlockWords(run, sc, seconds, ' (the program never ends)')!);
  if (run.error && t >= run.error.at) out.push(errorWords(run, sc, seconds)!);
  const broken = run.marks.filter((m) => m.kind === 'broken');
  if (broken.length && t >= Math.min(...broken.map((m) => m.at))) {
    const pool = brokenPoolWords(run, sc, seconds);
    if (pool) out.push(pool);
  }
  if (t < run.makespan) for (const [name, n] of lostBy(run, sc, t)) out.push(`${name} has lost ${count(n)} ${n === 1 ? 'update' : 'updates'} so far`);
  return out;
}

/** The tasks that are over, by how: done, raised (and whether the main program sees it), cancelled, broken. */
function endings(run: ModelRun, sc: Scenario, over: number[], t: Seconds): string[] {
  const out: string[] = [];
  const of = (pick: (i: number) => boolean) => over.filter(pick).map((i) => sc.tasks[i].name);
  const outcome = (i: number) => run.tasks[i]?.outcome ?? 'ok';
  const crashed = crasher(run);
  const unseen = new Set(run.marks.filter((m) => m.kind === 'raised' && /excepthook/.test(m.text) && m.at <= t).map((m) => m.task));
  const raised = new Map<string, number[]>();
  // The task whose exception reached the main program is named by that sentence (once the main program has it).
  const told = run.error && run.error.at <= t && run.tasks[run.error.task]?.error === run.error.type ? run.error.task : -1;
  for (const i of over) if (outcome(i) === 'raised' && i !== told) raised.set(run.tasks[i].error ?? 'an exception', [...(raised.get(run.tasks[i].error ?? 'an exception') ?? []), i]);
  for (const [type, tasks] of raised) {
    const hidden = tasks.every((i) => unseen.has(i));
    out.push(`${list(tasks.map((i) => sc.tasks[i].name))} raised ${type}${hidden ? ' (threading.excepthook printed it; the main program never sees it)' : ''}`);
  }
  const cancelled = of((i) => outcome(i) === 'cancelled');
  if (cancelled.length) out.push(verb(cancelled, 'was cancelled', 'were cancelled'));
  if (crashed >= 0 && over.includes(crashed)) out.push(`${sc.tasks[crashed].name} called os._exit(1)`);
  const died = of((i) => outcome(i) === 'broken' && i !== crashed && run.tasks[i].error === 'crash');
  if (died.length) out.push(verb(died, 'died with the process', 'died with the process'));
  // A broken pool's tasks are named by brokenPoolWords.
  const skipped = of((i) => outcome(i) === 'skipped');
  if (skipped.length) out.push(verb(skipped, 'never started', 'never started'));
  const done = of((i) => outcome(i) === 'ok');
  if (done.length) out.push(verb(done, 'is done', 'are done'));
  return out;
}

/** The sentence for the end of the run. */
function ending(run: ModelRun, sc: Scenario): string {
  const n = sc.tasks.length;
  const parts = events(run, sc, run.makespan);
  const clean = parts.length === 0 && run.tasks.every((x) => x.outcome === 'ok');
  if (clean || !run.tasks.length) parts.push(`all ${n} tasks done after ${seconds(run.makespan)}`);
  else {
    // Deadlocked tasks are in the deadlock's words; the rest, by how they ended.
    const over = sc.tasks.map((_, i) => i).filter((i) => run.tasks[i]?.outcome !== 'deadlocked' && !(run.model === 'processes' && run.tasks[i]?.outcome === 'broken'));
    parts.push(...endings(run, sc, over, run.makespan));
  }
  parts.push(...sharedEnd(run, sc));
  return `${run.model}: ${parts.join('; ')}.`;
}

/** One sentence of what is happening at `t`: for screen readers and the speaker's notes. */
export function narrate(run: ModelRun, sc: Scenario, t: Seconds): string {
  if (t >= run.makespan) return ending(run, sc);
  const by: Partial<Record<TaskState | 'blocking', number[]>> = {};
  const spanAt: ModelRun['taskSpans'][number] = [];
  const deadlocked = run.deadlock && t >= run.deadlock.at ? new Set(run.tasks.flatMap((x, i) => (x.outcome === 'deadlocked' ? [i] : []))) : new Set<number>();
  run.taskSpans.forEach((spans, i) => {
    const s = spans.find((x) => x.start <= t && t < x.end) ?? spans[spans.length - 1];
    spanAt[i] = s;
    // Tasks blocked for ever are said once, in the deadlock's words.
    if (deadlocked.has(i)) return;
    (by[blocksLoop(run, sc, i, s.state, s.step) ? 'blocking' : s.state] ??= []).push(i);
  });
  const name = (i: number) => sc.tasks[i].name;
  const names = (xs: number[] | undefined) => (xs ?? []).map(name);
  const parts: string[] = events(run, sc, t);
  const gil = run.gil.find((g) => g.start <= t && t < g.end);
  // Who holds the GIL: said first, or as the reason the others wait for it.
  if (run.model === 'threads' && gil && !by['gil-wait']) parts.push(`${gil.task >= 0 ? name(gil.task) : 'the main thread'} holds the GIL`);
  const loop = run.loop.find((l) => l.start <= t && t < l.end);
  if (run.model === 'asyncio') parts.push(loop ? `the loop runs ${name(loop.task)}${loop.kind === 'blocking-io' ? ', stuck in a blocking call' : ''}` : 'the loop is idle');
  // Each wait with its reason, where the timeline knows it.
  const holder = run.model === 'threads' && gil ? (gil.task >= 0 ? name(gil.task) : 'the main thread') : null;
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
  if (by.running) parts.push(verb(names(by.running), 'runs', 'run'));
  if (by.blocking) parts.push(verb(names(by.blocking), 'blocks the loop in a blocking call', 'block the loop in blocking calls'));
  if (by['gil-wait']) parts.push(verb(names(by['gil-wait']), 'waits for the GIL', 'wait for the GIL') + (holder ? `, which ${holder} holds` : ''));
  if (by['cpu-wait']) parts.push(verb(names(by['cpu-wait']), 'waits for a free core', 'wait for a free core') + ` (${all(run.cores, 'core')} busy)`);
  if (by.io) parts.push(verb(names(by.io), 'waits on I/O', 'wait on I/O'));
  if (by.blocked) {
    const why = loop ? (loop.kind === 'blocking-io' ? `: the loop is stuck in ${name(loop.task)}'s blocking call` : `: the loop is busy running ${name(loop.task)}`) : ' by the loop';
    parts.push(verb(names(by.blocked), 'is ready but blocked', 'are ready but blocked') + why);
  }
  // Waits on the scenario's locks, queues, events and barriers, one clause per object (and per way of waiting on it).
  const waits = new Map<string, number[]>();
  for (const state of ['lock-wait', 'queue-wait', 'event-wait', 'barrier-wait'] as const)
    for (const i of by[state] ?? []) {
      const s = spanAt[i];
      const kind = s.step >= 0 ? sc.tasks[i].steps[s.step]?.kind : undefined;
      const key = `${state}\u0000${s.on ?? ''}\u0000${kind ?? ''}`;
      waits.set(key, [...(waits.get(key) ?? []), i]);
    }
  for (const [key, tasks] of waits) {
    const [state, on, kind] = key.split('\u0000');
    const who = names(tasks);
    const x = syncAt(run, on, t);
    if (state === 'lock-wait') {
      const holders = (x?.holders ?? []).filter((h) => !tasks.includes(h)).map(name);
      const sem = sc.locks?.[on]?.type === 'Semaphore';
      parts.push(verb(who, `waits for ${sem ? 'semaphore' : 'lock'} ${on}`, `wait for ${sem ? 'semaphore' : 'lock'} ${on}`) + (holders.length ? `, which ${list(holders)} ${holders.length === 1 ? 'holds' : 'hold'}` : ''));
    } else if (state === 'queue-wait') {
      parts.push(kind === 'put' ? verb(who, `waits for room in queue ${on}`, `wait for room in queue ${on}`) + ` (full: ${x?.count ?? sc.queues?.[on]?.maxsize ?? 0} items)` : verb(who, `waits for an item from queue ${on}`, `wait for an item from queue ${on}`) + ' (empty)');
    } else if (state === 'event-wait') {
      parts.push(verb(who, `waits for event ${on} to be set`, `wait for event ${on} to be set`));
    } else {
      const parties = sc.barriers?.[on]?.parties;
      parts.push(verb(who, `waits at barrier ${on}`, `wait at barrier ${on}`) + (parties && x ? ` (${x.count} of ${parties} there)` : ''));
    }
  }
  // asyncio: a lock held across an await is fine only because it is asyncio's.
  if (run.model === 'asyncio') {
    for (const i of by.io ?? []) {
      const held = run.sync.flatMap((lane) => lane.filter((x) => x.type === 'lock' && sc.locks?.[x.object]?.type !== 'Semaphore' && x.start <= t && t < x.end && x.holders.includes(i)).map((x) => x.object));
      if (held.length) parts.push(`${name(i)} holds ${list(held)} across an await: fine for an asyncio.Lock, but a threading.Lock held there would stop the whole loop the moment another coroutine asked for it`);
    }
  }
  if (by.queued) parts.push(verb(names(by.queued), 'is queued', 'are queued') + whyQueued);
  if (by.done) parts.push(...endings(run, sc, by.done, t));
  // Task names stay as written ("crunch", "time.sleep"); only the sentence's own words are capitalised.
  const s = parts.join('; ').replace(/^the /, 'The ');
  return `${run.model} at ${seconds(t)}: ${s}.`;
}
