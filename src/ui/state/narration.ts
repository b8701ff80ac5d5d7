import type { GilSpan, ModelRun, TaskState } from '../../sim/timeline.ts';
import type { Scenario, Seconds } from '../../sim/types.ts';
import { seconds } from '../format.ts';
import { blocksLoop } from '../chart/lanes.ts';
import { brokenPoolWords, count, crasher, deadlockWords, errorWords, list, sharedDicts } from '../../report/summaryFigures.ts';

/** "the only core is" / "all 4 cores are". */
const all = (n: number, what: string) => (n === 1 ? `the only ${what} is` : n === 2 ? `both ${what}s are` : `all ${n} ${what}s are`);
/** Why a ready thread is off every core, when `busy` cores are running something: all of them are (else nothing). */
const coresBusy = (run: ModelRun, busy: number) => (busy >= run.cores ? ` (${all(run.cores, 'core')} busy)` : '');
/** "the one task done" / "both tasks done" / "all 4 tasks done". */
const allDone = (n: number) => (n === 1 ? 'the one task done' : n === 2 ? 'both tasks done' : `all ${n} tasks done`);
const verb = (n: string[], one: string, many: string) => `${list(n)} ${n.length === 1 ? one : many}`;

/**
 * The state at an instant `t` is the state just after it, on [t, t + ε): what the chart draws to the right of the
 * playhead. Spans are half-open [start, end), so at `t` a span that starts there counts and one that ends there does
 * not, and every source is read by this one rule (`spanAt`, `happened`): task spans, core segments, the GIL, the loop,
 * the sync objects and the marks, so no clause is of the state before `t` while another is of the state after it.
 * ε is half a microsecond: the playhead's event instants are kept to the microsecond (eventInstants), and a span's
 * start rounded down a hair must still read as started at its instant.
 */
const AFTER: Seconds = 0.5e-6;
/** Whether span `x` is in force at `t` (see AFTER). */
const inForce = (x: { start: Seconds; end: Seconds }, t: Seconds) => x.start <= t + AFTER && t + AFTER < x.end;
/** The span of `spans` in force at `t` (see AFTER), if any. */
const spanAt = <S extends { start: Seconds; end: Seconds }>(spans: readonly S[], t: Seconds): S | undefined => spans.find((x) => inForce(x, t));

/**
 * Whether the GIL span `g`, in force at `t`, is a hand-off: its holder has let go, and the timeline keeps the GIL
 * with it (as the chart's GIL lane does) until the next holder has it, `gilHandoff` later (waking that thread and
 * switching it in). The holder still holds it when its thread is on a core running anything but native code (which
 * runs with the GIL released), or is off every core only because none is free (its task waits for a core; the main
 * thread, which has no task, while every core is busy).
 */
function handingOver(run: ModelRun, g: GilSpan, t: Seconds, state: (task: number) => TaskState, busy: number): boolean {
  for (const lane of run.coreSegments) {
    const seg = spanAt(lane, t);
    if (seg?.thread === g.thread) return seg.kind === 'native';
  }
  return g.task >= 0 ? state(g.task) !== 'cpu-wait' : busy < run.cores;
}
/** Whether something at instant `at` has happened by `t` (see AFTER). */
const happened = (at: Seconds, t: Seconds) => at <= t + AFTER;

/** The object's state at `t`: its span (a lock's holders, a queue's items, a barrier's arrivals). */
function syncAt(run: ModelRun, on: string, t: Seconds) {
  for (const spans of run.sync) {
    if (spans[0]?.object !== on) continue;
    return spanAt(spans, t) ?? spans[spans.length - 1];
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
    if (m.kind !== 'lost' || !happened(m.at, t)) continue;
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
  if (run.deadlock && happened(run.deadlock.at, t)) out.push(deadlockWords(run, sc, seconds, ' (the program never ends)')!);
  if (run.error && happened(run.error.at, t)) out.push(errorWords(run, sc, seconds)!);
  const broken = run.marks.filter((m) => m.kind === 'broken');
  if (broken.length && happened(Math.min(...broken.map((m) => m.at)), t)) {
    const pool = brokenPoolWords(run, sc, seconds);
    if (pool) out.push(pool);
  }
  if (!happened(run.makespan, t)) for (const [name, n] of lostBy(run, sc, t)) out.push(`${name} has lost ${count(n)} ${n === 1 ? 'update' : 'updates'} so far`);
  return out;
}

/** The tasks that are over, by how: done, raised (and whether the main program sees it), cancelled, broken. */
function endings(run: ModelRun, sc: Scenario, over: number[], t: Seconds): string[] {
  const out: string[] = [];
  const of = (pick: (i: number) => boolean) => over.filter(pick).map((i) => sc.tasks[i].name);
  const outcome = (i: number) => run.tasks[i]?.outcome ?? 'ok';
  const crashed = crasher(run);
  const unseen = new Set(run.marks.filter((m) => m.kind === 'raised' && /excepthook/.test(m.text) && happened(m.at, t)).map((m) => m.task));
  const raised = new Map<string, number[]>();
  // The task whose exception reached the main program is named by that sentence (once the main program has it).
  const told = run.error && happened(run.error.at, t) && run.tasks[run.error.task]?.error === run.error.type ? run.error.task : -1;
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
  if (clean || !run.tasks.length) parts.push(`${allDone(n)} after ${seconds(run.makespan)}`);
  else {
    // Deadlocked tasks are in the deadlock's words; the rest, by how they ended.
    const over = sc.tasks.map((_, i) => i).filter((i) => run.tasks[i]?.outcome !== 'deadlocked' && !(run.model === 'processes' && run.tasks[i]?.outcome === 'broken'));
    parts.push(...endings(run, sc, over, run.makespan));
  }
  parts.push(...sharedEnd(run, sc));
  return `${run.model}: ${parts.join('; ')}.`;
}

/** One sentence of what is happening at `t` (the state just after it: see AFTER), for screen readers and the speaker's notes. */
export function narrate(run: ModelRun, sc: Scenario, t: Seconds): string {
  if (happened(run.makespan, t)) return ending(run, sc);
  const by: Partial<Record<TaskState | 'blocking', number[]>> = {};
  const spanOf: ModelRun['taskSpans'][number] = [];
  const deadlocked = run.deadlock && happened(run.deadlock.at, t) ? new Set(run.tasks.flatMap((x, i) => (x.outcome === 'deadlocked' ? [i] : []))) : new Set<number>();
  run.taskSpans.forEach((spans, i) => {
    const s = spanAt(spans, t) ?? spans[spans.length - 1];
    spanOf[i] = s;
    // Tasks blocked for ever are said once, in the deadlock's words.
    if (deadlocked.has(i)) return;
    (by[blocksLoop(run, sc, i, s.state, s.step) ? 'blocking' : s.state] ??= []).push(i);
  });
  const name = (i: number) => sc.tasks[i].name;
  const names = (xs: number[] | undefined) => (xs ?? []).map(name);
  const who = (task: number) => (task >= 0 ? name(task) : 'the main thread');
  /** Takes task `i` out of the clause for `state`: another clause says it. */
  const said = (state: TaskState, i: number) => {
    const rest = by[state]?.filter((x) => x !== i);
    by[state] = rest?.length ? rest : undefined;
  };
  const busy = run.coreSegments.filter((lane) => spanAt(lane, t)).length;
  const parts: string[] = events(run, sc, t);
  const gilAt = run.model === 'threads' ? run.gil.findIndex((g) => inForce(g, t)) : -1;
  const gil = gilAt >= 0 ? run.gil[gilAt] : undefined;
  const holder = gil ? who(gil.task) : null;
  // Who holds the GIL: said first, or as the reason the others wait for it; in a hand-off, from whom to whom (the
  // one it goes to, being switched in, is said there).
  const handOff = gil && handingOver(run, gil, t, (i) => spanOf[i].state, busy);
  if (gil && handOff) {
    const to = run.gil[gilAt + 1]?.start === gil.end ? run.gil[gilAt + 1] : undefined;
    parts.push(to ? `${holder} hands the GIL over to ${who(to.task)}` : `${holder} lets go of the GIL`);
    if (to && to.task >= 0 && spanOf[to.task].state === 'cpu-wait') said('cpu-wait', to.task);
  } else if (gil && !by['gil-wait']) {
    const s = gil.task >= 0 ? spanOf[gil.task].state : undefined;
    if (s === 'running') parts.push(`${holder} runs, holding the GIL`);
    else if (s === 'cpu-wait') parts.push(`${holder} holds the GIL but waits for a free core${coresBusy(run, busy)}`);
    else parts.push(`${holder} holds the GIL`);
    if (s === 'running' || s === 'cpu-wait') said(s, gil.task);
  }
  const loop = run.model === 'asyncio' ? spanAt(run.loop, t) : undefined;
  // A blocking call stalling the loop is said once, by the task making it.
  if (run.model === 'asyncio' && !(loop?.kind === 'blocking-io' && by.blocking?.includes(loop.task))) {
    parts.push(loop ? `the loop runs ${name(loop.task)}${loop.kind === 'blocking-io' ? ', stuck in a blocking call' : ''}` : 'the loop is idle');
    // The task the loop runs is said to run once ("the loop runs crunch", not "…; crunch runs" as well).
    if (loop) said('running', loop.task);
  }
  // Each wait with its reason, where the timeline knows it.
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
  if (by['gil-wait']) parts.push(verb(names(by['gil-wait']), 'waits for the GIL', 'wait for the GIL') + (holder && !handOff ? `, which ${holder} holds` : ''));
  // Ready to run but off every core: the OS's run queue when every core is busy, else the thread being switched in.
  if (by['cpu-wait'])
    parts.push(busy >= run.cores ? verb(names(by['cpu-wait']), 'waits for a free core', 'wait for a free core') + coresBusy(run, busy) : verb(names(by['cpu-wait']), 'is being switched onto a core', 'are being switched onto cores'));
  if (by.io) parts.push(verb(names(by.io), 'waits on I/O', 'wait on I/O'));
  if (by.blocked) {
    const why = loop ? (loop.kind === 'blocking-io' ? `: the loop is stuck in ${name(loop.task)}'s blocking call` : `: the loop is busy running ${name(loop.task)}`) : ' by the loop';
    parts.push(verb(names(by.blocked), 'is ready but blocked', 'are ready but blocked') + why);
  }
  // Waits on the scenario's locks, queues, events and barriers, one clause per object (and per way of waiting on it).
  const waits = new Map<string, number[]>();
  for (const state of ['lock-wait', 'queue-wait', 'event-wait', 'barrier-wait'] as const)
    for (const i of by[state] ?? []) {
      const s = spanOf[i];
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
      const held = run.sync.flatMap((lane) => lane.filter((x) => x.type === 'lock' && sc.locks?.[x.object]?.type !== 'Semaphore' && inForce(x, t) && x.holders.includes(i)).map((x) => x.object));
      if (held.length) parts.push(`${name(i)} holds ${list(held)} across an await: fine for an asyncio.Lock, but a threading.Lock held there would stop the whole loop the moment another coroutine asked for it`);
    }
  }
  if (by.queued) parts.push(verb(names(by.queued), 'is queued', 'are queued') + whyQueued);
  if (by.done) parts.push(...endings(run, sc, by.done, t));
  // Task names stay as written ("crunch", "time.sleep"); only the sentence's own words are capitalised.
  const s = parts.join('; ').replace(/^the /, 'The ');
  return `${run.model} at ${seconds(t)}: ${s}.`;
}
