import { assign, enqueueActions, type MachineContext } from 'xstate';
import type { Command, KernelEvent } from '../kernel.ts';
import type { CPythonProfile } from '../profile.ts';
import type { ModelConfig, Scenario, Seconds, Step, StepKind } from '../types.ts';
import type { SegmentKind } from '../timeline.ts';

export interface ModelInput<C extends ModelConfig = ModelConfig> {
  scenario: Scenario;
  config: C;
  profile: CPythonProfile;
}

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

/** How a step shows on a core. */
export const SEGMENT_OF: Record<Exclude<StepKind, 'io'>, SegmentKind> = { cpu: 'python', native: 'native' };

/**
 * Starting step `step` of `task` on `thread`, when nothing stands between it and a core (no GIL to take, no loop to
 * share): a wait is a timer that sends IO_DONE, work is a burst. Sequential and process workers start every step so.
 */
export function stepCommands(thread: number, task: number, step: number, s: Step): Command[] {
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
 * An XState `assign` that applies one model rule: `make` takes a working copy of the context, `fn` applies the rule
 * to it, and the copy becomes the new context with the rule's commands in `out`. Every transition that runs a rule
 * follows it with `AFTER_RULE`. (One `enqueueActions` doing all three costs twice as much per event, which matters
 * at 16,000 GIL hand-offs.)
 */
export function ruleAction<C extends MachineContext & RuleOutput, R extends RuleRun<C>>(
  make: (context: C, event: KernelEvent) => R,
  fn: (r: R, event: KernelEvent) => void,
  done: (context: C) => boolean,
) {
  return assign<C, ModelEvent, undefined, ModelEvent, never>(({ context, event }) => {
    const e = event as KernelEvent;
    const r = make(context, e);
    fn(r, e);
    r.c.out = r.cmds;
    r.c.allDone = done(r.c);
    return r.c;
  });
}

/** Raise `ALL_DONE` once a rule has finished the last task. */
export function finishIfDone<C extends MachineContext & RuleOutput>() {
  return enqueueActions<C, ModelEvent, undefined, ModelEvent, never, never, never, never, never>(({ context, event, enqueue }) => {
    if (context.allDone) enqueue.raise({ type: 'ALL_DONE', at: (event as KernelEvent).at });
  });
}

/** What follows every rule: its commands go to the kernel, then `finishIfDone`. */
export const AFTER_RULE = [{ type: 'kernel', params: ({ context }: { context: RuleOutput }) => ({ cmds: context.out }) }, 'finishIfDone'] as const;
