import { assertEvent, assign, enqueueActions } from 'xstate';
import { cutBurst, EPS, timed, type Command, type ForeseenAnswer, type KernelEvent, type TimedEvent } from '../kernel.ts';
import type { CPythonProfile } from '../profile.ts';
import type { ModelConfig, Scenario, Seconds, Step, WorkKind } from '../types.ts';
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
 * all, half as far (down to none, for one rule) when something else came first, never past the horizon (default
 * `FORESIGHT`). A steady run of hand-offs then costs an XState transition per 1,024 of them, and little is worked out
 * in vain where events mix (over every shipped scenario and model: 8,385 answers worked out for 8,255 used, and 223
 * XState transitions; starting from 1 and going at most 256 ahead they were 8,110 for 8,023 and 455). The answers
 * are the kernel's alone (see `Chain`), so going far ahead holds no more memory than the kernel's list of them.
 */
export const FORESIGHT = 1024;
export const FIRST_REACH = 64;

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

/**
 * XState's `assertEvent` for the one event type a rule answers: the same check and message, without the array and
 * the closure XState's allocates on every call, which rules make thousands of times a run (measured: 7% of what a
 * collatz threads run allocates, and the young collections that go with it).
 */
export function assertKernelEvent<T extends KernelEvent['type']>(event: KernelEvent, type: T): asserts event is Extract<KernelEvent, { type: T }> {
  if (event.type !== type) throw new Error(`Expected event ${JSON.stringify(event)} to have type matching "${type}"`);
}

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

/**
 * Starting work step `step` of `task` on `thread`, when nothing stands between it and a core (no GIL to take, no loop
 * to share): a wait is a timer that sends IO_DONE, work is a burst. Sequential and process workers start every step
 * so. (Sync steps, raises and crashes are each model's own.) The commands are added to `cmds`.
 */
export function stepCommands(cmds: Command[], thread: number, task: number, step: number, s: Step): void {
  // `kind` read once: steps come in many shapes, and each read is a slow (megamorphic) load.
  const kind = s.kind;
  if (kind !== 'cpu' && kind !== 'native' && kind !== 'io' && kind !== 'update' && kind !== 'iterate') throw new Error(`stepCommands: not a work step: ${kind}`);
  if (kind === 'io') {
    cmds.push({ op: 'state', task, activity: 'io', step }, { op: 'timer', delay: s.seconds, event: { type: 'IO_DONE', thread, task } });
    return;
  }
  cmds.push({ op: 'state', task, activity: 'active', step }, { op: 'burst', thread, seconds: s.seconds, task, step, kind: SEGMENT_OF[kind] });
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
 * transition runs it (`ruleAction`); so does a model's foresight, for the events it expects next (see `foreseeAhead`),
 * on its own working copy (`owned`: `make` may hand back the state itself, to change in place).
 */
export function ruleStep<C extends RuleOutput, R extends RuleRun<C>>(
  make: (state: C, event: KernelEvent, owned: boolean) => R,
  fn: (r: R, event: KernelEvent) => void,
  done: (state: C) => boolean,
): Rule<C> {
  return (state, event, owned = false) => {
    const r = make(state, event, owned);
    fn(r, event);
    r.c.out = r.cmds;
    r.c.allDone = done(r.c);
    return r.c;
  };
}

/**
 * What a model expects to hear from the kernel if nothing else happens, from the commands its rules gave: its timers,
 * and when each thread's burst completes if the thread runs whenever the model lets it. The OS may see it otherwise
 * (more bursts than cores, a time slice); the kernel then tells the model what happened instead (see `foreseeAhead`).
 * A state's expectation is never changed (`expectAfter` makes a new one); foresight works one copy forward in place
 * (`advance`), since it makes one per answer, thousands a run.
 */
export interface Expectation {
  readonly cores: number;
  /** The instant of the last event the model heard: anything due before it was not what the model thought. */
  now: Seconds;
  /** Timers, in the order given: the kernel's order for those due at one instant (see `Agenda`). */
  readonly timers: Due[];
  /** Each thread's burst as the kernel counts it (`remaining` from `start`), or null. */
  readonly bursts: (ExpectedBurst | null)[];
}

/** An event the model expects: the answer's key (see `ForeseenAnswer`), the event itself, and when (seconds). */
export interface Due {
  readonly answer: ForeseenAnswer['event'];
  readonly event: KernelEvent;
  readonly at: Seconds;
}

/** A burst as the kernel counts it; `on`: not suspended. */
interface ExpectedBurst {
  start: Seconds;
  remaining: Seconds;
  total: Seconds;
  left: Seconds;
  on: boolean;
}

export const expectNothing = (cores: number): Expectation => ({ cores, now: 0, timers: [], bursts: [] });

/** A copy to change: its own arrays and bursts (the events due are never changed, and are shared). */
const copyExpectation = (x: Expectation): Expectation => ({
  cores: x.cores,
  now: x.now,
  timers: x.timers.slice(),
  bursts: x.bursts.map((b) => (b ? { ...b } : null)),
});

/** Whether a timer's event already says it is delivered at `at`. */
const isAt = (e: TimedEvent, at: Seconds): e is TimedEvent & { at: Seconds } => e.at === at;

/**
 * Whether timer event `a` is the event `b` the kernel delivered (a timer's event comes back as given, with its `at`).
 * Foresight hears the very event it expected; only the machine's own rules compare field by field.
 */
function sameEvent(a: KernelEvent, b: KernelEvent): boolean {
  if (a === b) return true;
  for (const k in a) if (k !== 'at' && a[k as keyof KernelEvent] !== b[k as keyof KernelEvent]) return false;
  return true;
}

/** The expectation once the model has heard `event` and answered with `cmds`, as a new one. */
export const expectAfter = (x: Expectation, event: KernelEvent, cmds: readonly Command[]): Expectation => advance(copyExpectation(x), event, cmds);

/**
 * `x`, changed in place to what the model expects once it has heard `event` and answered with `cmds`: the event is no
 * longer due, and the commands' bursts and timers are, reckoned as the kernel reckons them (see its `burst`,
 * `suspend`, `resume`, `cut`). Returns `x`.
 */
function advance(x: Expectation, event: KernelEvent, cmds: readonly Command[]): Expectation {
  const now = event.at;
  const { timers, bursts } = x;
  x.now = now;
  let hit = -1;
  const type = event.type;
  if (type === 'BURST_DONE') bursts[event.thread] = null;
  else if (type !== 'START' && type !== 'STALLED' && type !== 'PLAN_CUT') {
    for (let i = 0; i < timers.length && hit < 0; i++) if (timers[i].at === now && sameEvent(timers[i].event, event)) hit = i;
  }
  // Timers due before now were not what the kernel did: they go, with the one heard.
  let kept = 0;
  for (let i = 0; i < timers.length; i++) if (i !== hit && timers[i].at >= now - EPS) timers[kept++] = timers[i];
  // Popped, not cut by setting `length` (a runtime call: 1.4% of a run's time, measured).
  while (timers.length > kept) timers.pop();
  for (const c of cmds) {
    // `op` read once: commands come in many shapes, so each read of it is a slow (megamorphic) load, and the
    // compiler does not merge repeated ones (seven a command here made this function an eighth of a run's time).
    const op = c.op;
    if (op === 'timer') {
      const at = now + c.delay;
      const e = c.event;
      // A rule that gives a timer's event its `at` (reckoned as the kernel does: now + delay) spares a copy of it.
      timers.push({ answer: e, event: isAt(e, at) ? e : timed(e, at), at });
      continue;
    }
    if (op !== 'burst' && op !== 'suspend' && op !== 'resume' && op !== 'cut' && op !== 'spawn') continue;
    const t = c.thread;
    const b = bursts[t] ?? null;
    switch (op) {
      case 'spawn':
        bursts[t] = null;
        break;
      case 'burst':
        // A zero-second one too (the kernel ends it on its agenda, among the timers due then, with no core: at an
        // instant shared with a timer, or with more bursts than cores, the guess may be wrong, and the kernel asks).
        bursts[t] = { start: c.delay ? now + c.delay : now, remaining: c.seconds, total: c.seconds, left: 0, on: true };
        break;
      case 'suspend':
        if (b && b.on) {
          if (b.start <= now) b.remaining = Math.max(0, b.remaining - (now - b.start));
          b.start = now;
          b.on = false;
        }
        break;
      case 'resume':
        if (b && !b.on) {
          b.start = c.delay ? now + c.delay : now;
          b.on = true;
        }
        break;
      case 'cut':
        if (b) cutBurst(b, b.on && b.start <= now ? now - b.start : 0, c.call);
        break;
    }
  }
  return x;
}

/**
 * The event the model expects next, as the kernel would deliver it: the earliest burst completion (ties: the lowest
 * thread, a guess at the lowest core), unless a timer is due earlier (ties: the first given). None while more
 * bursts are on than cores (the OS's time slices decide then) or nothing is due.
 */
export function expectNext(x: Expectation): Due | null {
  let on = 0;
  let bt = Infinity;
  let bthread = -1;
  for (let t = 0; t < x.bursts.length; t++) {
    const b = x.bursts[t];
    if (!b || !b.on) continue;
    on++;
    const end = b.start + b.remaining;
    if (end < bt - EPS) {
      bt = end;
      bthread = t;
    }
  }
  if (on > x.cores) return null;
  let timer: Due | null = null;
  for (const t of x.timers) if (t.at >= x.now - EPS && (!timer || t.at < timer.at)) timer = t;
  if (timer && timer.at < bt - EPS) return timer;
  if (bthread < 0) return null;
  // `left` only where a cut left some: the kernel's BURST_DONE says it only then.
  const left = x.bursts[bthread]!.left;
  // Literals, not a spread: spreading these small objects costs 0.65 µs each (measured on Node 20), literals 0.01.
  // The event is its own answer's key (the kernel reads its type, thread and `left`).
  const event = left > 0 ? { type: 'BURST_DONE' as const, thread: bthread, at: bt, left } : { type: 'BURST_DONE' as const, thread: bthread, at: bt };
  return { answer: event, event, at: bt };
}

/** What a model's state carries for its foresight (see `foreseeAhead`), under one key: a rule's copy copies one field. */
export interface Foreseeing<C> extends RuleOutput {
  f: Foresight<C>;
}

export interface Foresight<C> {
  /** At most how many answers ahead (0: none), and how far it goes next time. */
  readonly horizon: number;
  readonly reach: number;
  /** What the model expects next (see `Expectation`). */
  readonly expect: Expectation;
  /** The answers worked out ahead from this state, if the kernel has them. */
  readonly chain: Chain<C> | null;
}

/**
 * Answers worked out ahead, as the state keeps them: the events they answer, and the state and expectation after the
 * last. Neither the answers (the kernel's) nor the states between are kept: one the kernel stopped short of is worked
 * out again (`adoptForeseen`), the same pure rules on the same events giving the same commands. What a past
 * transition's context points to stays reachable until a full garbage collection (XState's doing; see the kernel's
 * `foresee`), and every young collection copies it meanwhile: with the answers kept here, young collections took
 * 1.3 to 1.9 ms of each collatz threads run (about 4 ms), against 0.5 to 0.6 ms without (Node 20, 400 runs).
 */
interface Chain<C> {
  readonly events: readonly KernelEvent[];
  readonly last: C;
  readonly expect: Expectation;
}

/** A model's foresight fields when a run begins. */
export const foreseeing = (input: ModelInput) => ({ f: { horizon: input.horizon ?? FORESIGHT, reach: FIRST_REACH, expect: expectNothing(input.scenario.cores), chain: null } });

/**
 * A model rule as a pure step (see `ruleStep`), and a machine's answer to any event (null: it does not answer it).
 * `owned`: the state is foresight's own working copy (see `Answer.own`), which the rule may change in place instead
 * of copying; a rule that ignores it is as right, only slower.
 */
export type Rule<C> = (state: C, event: KernelEvent, owned?: boolean) => C;
export interface Answer<C> {
  (state: C, event: KernelEvent, owned?: boolean): C | null;
  /**
   * A copy of `state` that the model's rules, told `owned`, change in place: foresight works its answers out on one
   * such copy instead of a new state per answer (the states between are never kept; see `Chain`). Without it every
   * answer copies.
   */
  own?: (state: C) => C;
}

/** The one effect every model machine has, as a transition gives it (see `kernelAction`). */
type KernelAction = { type: 'kernel'; params: { cmds: Command[] } };

/**
 * A transition's actions, as one: apply one model rule (`ruleStep`) and the model's foresight (`answer`: the
 * machine's own answer to any event, the rule its transition for that event runs) to the state; hand the kernel the
 * rule's commands, and the answers worked out ahead as one `foresee`; raise `ALL_DONE` once the last task is done.
 * The commands go to the kernel as the action's parameters (which the kernel empties of answers: see its `foresee`),
 * not as a field of the state that parameters read: XState keeps every transition's action parameters reachable
 * until a full garbage collection, and what they point to with them.
 */
export function ruleAction<C extends Foreseeing<C>>(step: Rule<C>, answer?: Answer<C>) {
  return enqueueActions<ModelContext<C>, ModelEvent, undefined, ModelEvent, never, KernelAction, never, never, never>(({ context, event, enqueue }) => {
    const e = event as KernelEvent;
    const next = step(context.s, e);
    next.f = { horizon: next.f.horizon, reach: next.f.reach, expect: expectAfter(context.s.f.expect, e, next.out), chain: next.f.chain };
    const answers = answer ? foreseeAhead(next, answer) : null;
    enqueue.assign({ s: next });
    enqueue({ type: 'kernel', params: { cmds: answers ? [...next.out, { op: 'foresee', answers }] : next.out } });
    if (next.allDone) enqueue.raise({ type: 'ALL_DONE', at: e.at });
  });
}

/**
 * The machine's actions for all its rules (`steps`), each with the machine's foresight (`answer`), but for the rules
 * named in `unforeseeing`: those leave the machine outside `running` (see `lifecycle`), whose answers are not theirs.
 */
export function ruleActions<C extends Foreseeing<C>, S extends Record<string, Rule<C>>>(steps: S, answer: Answer<C>, unforeseeing: readonly (keyof S)[] = []) {
  const out = {} as { [K in keyof S]: ReturnType<typeof ruleAction<C>> };
  for (const name of Object.keys(steps) as (keyof S)[]) out[name] = ruleAction(steps[name], unforeseeing.includes(name) ? undefined : answer);
  return out;
}

/** How many answers apart foresight copies its working copy, to go back to (see `foreseeAhead`). */
const CHECKPOINT = 32;

/** What a state worked out ahead holds once its commands are in its answer: shared, never written (rules make new arrays). */
const NO_COMMANDS = Object.freeze([]) as unknown as Command[];

/**
 * Foresight: answers a model works out ahead to the events it expects next (`expectNext`), so that the kernel can
 * apply them without asking (see the kernel's `foresee` command). The answer to an event is what the machine's own
 * rule for it (`answer`) gives, on the state the answers before it leave; the kernel applies it only if that very
 * event is the next to reach the model, so the run is the one the machine would have made event by event. The model
 * goes as far as its `reach` (at most `horizon`), and stops at an answer that finishes the run (the machine itself
 * must see that). Returns the answers, for the kernel (null if there are none), with the state's `chain` set, from
 * which the machine takes on the state the applied ones leave when the kernel's `PLAN_CUT` says how many they were
 * (`adoptForeseen`); with none applied, the kernel says nothing and the answers are void.
 */
export function foreseeAhead<C extends Foreseeing<C>>(state: C, answer: Answer<C>): ForeseenAnswer[] | null {
  const f = state.f;
  if (f.horizon <= 0 || state.allDone) return null;
  const answers: ForeseenAnswer[] = [];
  // Answers still ahead when the model hears from the kernel were not used (a PLAN_CUT would have taken them up):
  // half as far next time; after a miss at the first reach, a turn without (where events mix, half the rules work
  // out an answer in vain, not every one).
  const reach = f.chain ? f.reach >> 1 : f.reach === 0 ? FIRST_REACH : f.reach;
  // `state` is the rule's own new copy, not yet anyone else's: it is completed in place.
  state.f = { horizon: f.horizon, reach, expect: f.expect, chain: null };
  const work = copyExpectation(f.expect);
  const events: KernelEvent[] = [];
  let cur = state;
  // Whether `cur` is the model's own working copy (see `Answer.own`), and whether a rule changed it past the last
  // answer kept (one that finished the run, or threw).
  let owned = false;
  let spoilt = false;
  // A copy of the working copy every `CHECKPOINT` answers (and how many answers it has had), to work the state out
  // again from if a rule spoils the working copy: one that finishes the run does, once a run.
  let checkpoint = state;
  let checked = 0;
  while (answers.length < Math.min(f.horizon, reach)) {
    const x = expectNext(work);
    if (!x) break;
    if (!owned && answer.own) {
      cur = answer.own(cur);
      owned = true;
    } else if (owned && answers.length % CHECKPOINT === 0) {
      checkpoint = cur;
      checked = answers.length;
      cur = answer.own!(cur);
    }
    // A guess is only a guess: an event the kernel would never deliver to this state (at an instant it shares with
    // another, or with the OS's order unlike the one guessed) may meet a rule in a state it assumes cannot be. Such
    // an answer could never be applied; the chain ends before it, and the kernel asks the machine as usual.
    let next: C | null;
    try {
      next = answer(cur, x.event, owned);
    } catch {
      spoilt = owned;
      break;
    }
    if (!next || next.allDone) {
      spoilt = owned && next !== null;
      break;
    }
    advance(work, x.event, next.out);
    answers.push({ event: x.answer, at: x.at, cmds: next.out });
    events.push(x.event);
    next.out = NO_COMMANDS;
    cur = next;
  }
  if (spoilt && answers.length) {
    // The working copy went one rule too far: the state after the last answer kept is worked out again, in place,
    // from the last checkpoint.
    cur = answer.own!(checkpoint);
    for (let i = checked; i < events.length; i++) cur = answer(cur, events[i], true)!;
  }
  if (!answers.length) return null;
  state.f = { horizon: f.horizon, reach, expect: f.expect, chain: { events, last: cur, expect: work } };
  return answers;
}

/**
 * `PLAN_CUT`: the kernel applied the first `done` (at least one) foreseen answers; the model takes on the state they
 * leave: the chain's last, or (the kernel stopped short) the one `answer` gives again for the first `done` events.
 */
export function adoptForeseen<C extends Foreseeing<C>>(state: C, done: number, answer: Answer<C>): C {
  const { horizon, chain } = state.f;
  const all = done === chain!.events.length;
  const reach = all ? Math.min(state.f.reach * 2, 1 << 20) : Math.max(FIRST_REACH, state.f.reach >> 1);
  let s = chain!.last;
  let expect = chain!.expect;
  if (!all) {
    s = state;
    expect = state.f.expect;
    for (let i = 0; i < done; i++) {
      s = answer(s, chain!.events[i])!;
      expect = expectAfter(expect, chain!.events[i], s.out);
    }
  }
  return { ...s, out: NO_COMMANDS, f: { horizon, reach, expect, chain: null } };
}

/** The `PLAN_CUT` action of every model machine. */
export function adoptAction<C extends Foreseeing<C>>(answer: Answer<C>) {
  return assign<ModelContext<C>, ModelEvent, undefined, ModelEvent, never>(({ context, event }) => {
    assertEvent(event, 'PLAN_CUT');
    return { s: adoptForeseen(context.s, event.done, answer) };
  });
}

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

/** The events a model machine's `running` state answers, each with the name of its rule. */
export type RuleNames<A extends string> = Partial<Record<Exclude<ModelEvent['type'], 'START' | 'ALL_DONE' | 'PLAN_CUT'>, A>>;

/**
 * The states every model machine goes through, written once: `idle` until START, whose rule `start` begins the run;
 * `running`, where each event's rule runs (`ruleAction`: the rule, its commands to the kernel, the check for the
 * end), and `PLAN_CUT` takes on the state of the answers the kernel applied (`adoptForeseen`); `done` (final) at
 * ALL_DONE. `starting` (asyncio's `asyncio.run()` setting up): START goes there first, and its BURST_DONE rule leads
 * to `running`. Foresight (`answerOf`) answers only as `running` does: a rule that leaves the machine elsewhere
 * must not foresee.
 */
export function lifecycle<A extends string>(start: A, rules: RuleNames<A>, starting?: A) {
  const on = Object.fromEntries(Object.entries(rules).map(([event, r]) => [event, { actions: r }]));
  return {
    initial: 'idle' as const,
    states: {
      idle: { on: { START: { target: starting ? 'starting' : 'running', actions: start } } },
      ...(starting ? { starting: { on: { BURST_DONE: { target: 'running', actions: starting } } } } : {}),
      running: { on: { ALL_DONE: { target: 'done' }, PLAN_CUT: { actions: 'adoptForeseen' as const }, ...on } },
      done: { type: 'final' as const },
    },
  };
}

/**
 * What the machine's `running` state does with an event, as a function for foresight: the rule its transition runs
 * (the same `rules` as `lifecycle`'s, the same `steps` as its actions'), or null for an event it does not answer.
 */
export function answerOf<C, A extends string>(rules: RuleNames<A>, steps: Record<A, Rule<C>>, own?: (state: C) => C): Answer<C> {
  const answer: Answer<C> = (state, event, owned) => {
    const name = rules[event.type as keyof RuleNames<A>];
    return name === undefined ? null : steps[name](state, event, owned);
  };
  if (own) answer.own = own;
  return answer;
}
