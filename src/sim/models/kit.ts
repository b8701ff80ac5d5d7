import { assign, enqueueActions } from 'xstate';
import type { Command, ForeseenAnswer, KernelEvent, TimedEvent } from '../kernel.ts';
import type { CPythonProfile } from '../profile.ts';
import type { ModelConfig, Scenario, Seconds, Step, SyncStep, WorkKind } from '../types.ts';
import type { Outcome, SegmentKind, SharedResult } from '../timeline.ts';
import { describeDeadlock, findDeadlock, type SyncObj, type SyncTable } from './primitives.ts';

export interface ModelInput<C extends ModelConfig = ModelConfig> {
  scenario: Scenario;
  config: C;
  profile: CPythonProfile;
  /** How many events ahead a model may work out its answers (`foreseeAhead`); 0: none. Default `FORESIGHT`. */
  horizon?: number;
}

/**
 * How far ahead a model works out its answers: at first `FIRST_REACH`, twice as far each time the kernel used them
 * all, half as far (down to none, for one rule) when something else came first, never past the horizon (default `FORESIGHT`). A steady run of
 * hand-offs then costs an XState transition per 256 of them, and little is worked out in vain where events mix.
 */
export const FORESIGHT = 256;
export const FIRST_REACH = 1;

/**
 * The one effect every model machine has: hand the OS layer a batch of commands. The engine supplies the real
 * implementation with `machine.provide({ actions: { kernel } })`; a machine test can supply a recorder instead.
 */
export const kernelAction = (_: unknown, _params: { cmds: Command[] }): void => {};

/**
 * What a model machine receives: the kernel's events, and the `ALL_DONE` raised once a rule has finished the last
 * task (an explicit event rather than an eventless `always` check, which XState would evaluate after every event).
 */
export type ModelEvent = KernelEvent | { type: 'ALL_DONE'; at: Seconds };

/** How a step's work shows on a core: `update` and `iterate` are Python loops. */
export const SEGMENT_OF: Record<Exclude<WorkKind, 'io'> | 'update' | 'iterate', SegmentKind> = { cpu: 'python', native: 'native', update: 'python', iterate: 'python' };

/** What a step is to a model: work for its seconds, a sync call, an exception, or the end of its process. */
export type StepClass = 'work' | 'sync' | 'raise' | 'crash';
export function classify(s: Step): StepClass {
  switch (s.kind) {
    case 'raise':
    case 'crash':
      return s.kind;
    case 'acquire':
    case 'release':
    case 'put':
    case 'get':
    case 'set':
    case 'wait':
    case 'barrier':
      return 'sync';
    default:
      return 'work';
  }
}
export const isSyncStep = (s: Step): s is SyncStep => classify(s) === 'sync';

/**
 * Starting work step `step` of `task` on `thread`, when nothing stands between it and a core (no GIL to take, no loop
 * to share): a wait is a timer that sends IO_DONE, work is a burst. Sequential and process workers start every step
 * so. (Sync steps, raises and crashes are each model's own.)
 */
export function stepCommands(thread: number, task: number, step: number, s: Step): Command[] {
  if (s.kind !== 'cpu' && s.kind !== 'native' && s.kind !== 'io' && s.kind !== 'update' && s.kind !== 'iterate') throw new Error(`stepCommands: not a work step: ${s.kind}`);
  if (s.kind === 'io') {
    return [
      { op: 'state', task, activity: 'io', step },
      { op: 'timer', delay: s.seconds, event: { type: 'IO_DONE', thread, task } },
    ];
  }
  return [
    { op: 'state', task, activity: 'active', step },
    { op: 'burst', thread, seconds: s.seconds, task, step, kind: SEGMENT_OF[s.kind] },
  ];
}

/** Shallow copy of an array-of-records context field with one record replaced. */
export function withItem<T>(arr: readonly T[], i: number, patch: Partial<T>): T[] {
  const out = arr.slice();
  out[i] = { ...arr[i], ...patch };
  return out;
}

/** A rule's working copy: the next context, and the commands the rule gave. */
export interface RuleRun<C> {
  readonly c: C;
  readonly cmds: Command[];
}

/** What every model context carries besides its own state: the last rule's commands, and whether all tasks are done. */
export interface RuleOutput {
  out: Command[];
  allDone: boolean;
}

/**
 * What a model machine's XState context is: its state under one key. XState copies the context it is given key by
 * key on every `assign`; with the model's 20 to 35 fields under `s`, that copy is one key, and the rule's own
 * working copy (`make`) is the only copy of them (measured on a bare machine: 6.8 → 4.4 µs an event for 35 fields).
 */
export interface ModelContext<S extends RuleOutput> {
  s: S;
}

/**
 * One model rule as a pure function of the state and the event: `make` takes a working copy of the state, `fn`
 * applies the rule to it, and the copy becomes the new state with the rule's commands in `out`. The machine's
 * `assign` runs it (`ruleAction`); so does a model's foresight, for the events it expects next (see `foreseeAhead`).
 */
export function ruleStep<C extends RuleOutput, R extends RuleRun<C>>(
  make: (state: C, event: KernelEvent) => R,
  fn: (r: R, event: KernelEvent) => void,
  done: (state: C) => boolean,
): (state: C, event: KernelEvent) => C {
  return (state, event) => {
    const r = make(state, event);
    fn(r, event);
    r.c.out = r.cmds;
    r.c.allDone = done(r.c);
    return r.c;
  };
}

/**
 * An XState `assign` that applies one model rule (`ruleStep`), then the model's foresight if it has one. Every
 * transition that runs a rule follows it with `AFTER_RULE`. (One `enqueueActions` doing all three costs twice as
 * much per event, which matters at 16,000 GIL hand-offs.)
 */
export function ruleAction<C extends RuleOutput, R extends RuleRun<C>>(
  make: (state: C, event: KernelEvent) => R,
  fn: (r: R, event: KernelEvent) => void,
  done: (state: C) => boolean,
  foresee?: (state: C) => C,
) {
  const step = ruleStep(make, fn, done);
  return assign<ModelContext<C>, ModelEvent, undefined, ModelEvent, never>(({ context, event }) => {
    const next = step(context.s, event as KernelEvent);
    return { s: foresee ? foresee(next) : next };
  });
}

/**
 * Foresight: answers a model works out ahead to the events it expects next, so that the kernel can apply them
 * without asking (see the kernel's `foresee` command). The answer to an event is what the machine's own rule
 * (`step`) gives for it, on the state the answers before it leave; the kernel applies it only if that very event is
 * the next to reach the model, so the run is the one the machine would have made event by event. `expect` names
 * the event the model would hear next if nothing else happened (with its instant, as the kernel will deliver it),
 * or null. The model goes as far as its `reach` (at most `horizon`), and stops at an answer that finishes the run
 * (the machine itself must see that). Returns the state with the answers appended to its commands as one `foresee`
 * (if there are any), and `ahead` set to the state each leaves, which the machine takes on when the kernel's
 * `PLAN_CUT` says how many were applied (`adoptForeseen`); with none applied, the kernel says nothing and the
 * answers are void.
 */
export function foreseeAhead<C extends RuleOutput & { ahead: readonly C[]; reach: number }>(
  state: C,
  horizon: number,
  expect: (state: C) => { event: TimedEvent; at: Seconds } | null,
  step: (state: C, event: KernelEvent) => C,
): C {
  if (horizon <= 0 || state.allDone) return state;
  const answers: ForeseenAnswer[] = [];
  const states: C[] = [];
  // Answers still ahead when the model hears from the kernel were not used (a PLAN_CUT would have taken them up):
  // half as far next time; after a miss at the first reach, a turn without (where events mix, half the rules work
  // out an answer in vain, not every one).
  if (state.ahead.length) state.reach >>= 1;
  else if (state.reach === 0) state.reach = FIRST_REACH;
  const reach = Math.min(horizon, state.reach);
  let cur = state;
  while (answers.length < reach) {
    const x = expect(cur);
    if (!x) break;
    const next = step(cur, { ...x.event, at: x.at } as KernelEvent);
    if (next.allDone) break;
    answers.push({ event: x.event, cmds: next.out });
    next.out = [];
    next.ahead = [];
    states.push(next);
    cur = next;
  }
  // `state` is the rule's own new copy, not yet anyone else's: it is completed in place.
  state.ahead = states;
  if (answers.length) state.out = [...state.out, { op: 'foresee', answers }];
  return state;
}

/** `PLAN_CUT`: the kernel applied the first `done` (at least one) foreseen answers; the model takes on their state. */
export function adoptForeseen<C extends RuleOutput & { ahead: readonly C[]; reach: number }>(state: C, done: number): C {
  const s = state.ahead[done - 1];
  const reach = done === state.ahead.length ? Math.min(state.reach * 2, 1 << 20) : Math.max(FIRST_REACH, state.reach >> 1);
  return { ...s, out: [], ahead: [], reach };
}

/** Raise `ALL_DONE` once a rule has finished the last task. */
export function finishIfDone<C extends RuleOutput>() {
  return enqueueActions<ModelContext<C>, ModelEvent, undefined, ModelEvent, never, never, never, never, never>(({ context, event, enqueue }) => {
    if (context.s.allDone) enqueue.raise({ type: 'ALL_DONE', at: (event as KernelEvent).at });
  });
}

/** What follows every rule: its commands go to the kernel, then `finishIfDone`. */
export const AFTER_RULE = [{ type: 'kernel', params: ({ context }: { context: ModelContext<RuleOutput> }) => ({ cmds: context.s.out }) }, 'finishIfDone'] as const;

/**
 * Shared values by name: what the program's variable ends at, what it would with no update lost, and how many were.
 * Copy-on-write like every context field.
 */
export type SharedTally = Readonly<Record<string, SharedResult>>;

export function tallyShared(tally: SharedTally, name: string, change: { final?: number; expected?: number; lost?: number }): SharedTally {
  const was = tally[name] ?? { name, final: 0, expected: 0, lost: 0 };
  return { ...tally, [name]: { name, final: was.final + (change.final ?? 0), expected: was.expected + (change.expected ?? 0), lost: was.lost + (change.lost ?? 0) } };
}

/** The tally's report, one `shared` command per value, in the order they were first updated. */
export const sharedCommands = (tally: SharedTally, note?: string): Command[] => Object.values(tally).map((shared) => ({ op: 'shared', shared: note ? { ...shared, note } : shared }));

/** A task's end other than `ok`, with its mark where that is news (an exception, a break, a cancellation). */
export function endTask(cmds: Command[], task: number, step: number, outcome: Exclude<Outcome, 'ok'>, error?: string, text?: string): void {
  cmds.push({ op: 'state', task, activity: 'done', step });
  cmds.push(error === undefined ? { op: 'outcome', task, outcome } : { op: 'outcome', task, outcome, error });
  if (outcome === 'raised' || outcome === 'cancelled' || outcome === 'broken') cmds.push({ op: 'mark', task, kind: outcome, text: text ?? error ?? outcome });
}

/**
 * A stalled run: every unfinished task is deadlocked. The report names the blocked ones (the cycle, if their lock
 * waits close one); tasks that never started wait forever too, behind them.
 */
export function reportStall(cmds: Command[], table: SyncTable, objs: readonly SyncObj[], names: readonly string[], unfinished: readonly number[]): void {
  const d = findDeadlock(table, objs);
  if (d) {
    cmds.push({ op: 'deadlock', deadlock: d });
    const words = describeDeadlock(d, names);
    for (const w of d.tasks) cmds.push({ op: 'mark', task: w.task, kind: 'deadlock', text: d.cycle ? `deadlock: ${words}` : `blocked forever on ${w.waitsFor}` });
  }
  for (const t of unfinished) cmds.push({ op: 'outcome', task: t, outcome: 'deadlocked' });
}

/** What a crash is to the main program. */
export const CRASH = 'crash';

/**
 * The main thread's `for f in futures: f.result()`, in submit order: it learns of an exception when it reaches the
 * future holding it, once every future before that one has its result. `results[i]`: undefined while pending, null
 * for a result, else the exception's type.
 */
export interface ResultOrder {
  readonly next: number;
  readonly results: readonly (string | null | undefined)[];
}

export const resultOrder = (tasks: number): ResultOrder => ({ next: 0, results: new Array(tasks).fill(undefined) });

/** Future `task` is done (`error`: its exception's type, or null): the main thread goes as far as it can. */
export function resolveFuture(order: ResultOrder, task: number, error: string | null, cmds: Command[], how: (type: string) => string): ResultOrder {
  if (order.results[task] !== undefined) return order;
  const results = order.results.slice();
  results[task] = error;
  let next = order.next;
  while (next < results.length && results[next] !== undefined) {
    const e = results[next];
    if (e !== null && e !== undefined) {
      cmds.push({ op: 'error', error: { type: e, task: next, how: how(e) } });
      // It propagates: the main thread asks for no more results (the pool's shutdown still waits for the rest).
      next = results.length;
      break;
    }
    next++;
  }
  return { next, results };
}

/** A model event's rule: the action that applies it, or a guarded one. */
type Rule<A extends string, G extends string> = A | { guard: G; action: A };

/**
 * The states every model machine goes through, written once: `idle` until START, whose rule `start` begins the run;
 * `running`, where each event's rule runs and then `AFTER_RULE` (the rule's commands to the kernel, the check for the
 * end); `done` (final) at ALL_DONE. `starting` (asyncio's `asyncio.run()` setting up): START goes there first, and its
 * BURST_DONE rule leads to `running`.
 */
export function lifecycle<A extends string, G extends string = never>(start: A, rules: Partial<Record<Exclude<ModelEvent['type'], 'START' | 'ALL_DONE'>, Rule<A, G>>>, starting?: A) {
  const on = Object.fromEntries(
    Object.entries(rules).map(([event, r]) => [event, typeof r === 'string' ? { actions: [r, ...AFTER_RULE] } : { guard: (r as { guard: G }).guard, actions: [(r as { action: A }).action, ...AFTER_RULE] }]),
  );
  return {
    initial: 'idle' as const,
    states: {
      idle: { on: { START: { target: starting ? 'starting' : 'running', actions: [start, ...AFTER_RULE] } } },
      ...(starting ? { starting: { on: { BURST_DONE: { target: 'running', actions: [starting, ...AFTER_RULE] } } } } : {}),
      running: { on: { ALL_DONE: { target: 'done' }, ...on } },
      done: { type: 'final' as const },
    },
  };
}
