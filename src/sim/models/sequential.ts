import { setup } from 'xstate';
import type { Command, KernelEvent } from '../kernel.ts';
import type { SequentialConfig, Task } from '../types.ts';
import { AFTER_RULE, finishIfDone, stepCommands, kernelAction, ruleAction, type ModelEvent, type ModelInput, type RuleOutput, type RuleRun } from './kit.ts';

/** The one thread that runs everything. */
const MAIN = 0;

interface SequentialContext extends RuleOutput {
  tasks: Task[];
  task: number;
  step: number;
}

type Ctx = SequentialContext;

/** Start step `c.step` of task `c.task`, finishing tasks until one has a step to start. */
function begin(r: RuleRun<Ctx>): void {
  const { c, cmds } = r;
  while (c.task < c.tasks.length && c.step >= c.tasks[c.task].steps.length) {
    cmds.push({ op: 'state', task: c.task, activity: 'done', step: c.step - 1 });
    c.task++;
    c.step = 0;
  }
  if (c.task >= c.tasks.length) return;
  cmds.push(...stepCommands(MAIN, c.task, c.step, c.tasks[c.task].steps[c.step]));
}

const allTasksDone = (c: Ctx) => c.task >= c.tasks.length;
const ruleSeq = (fn: (r: RuleRun<Ctx>, e: KernelEvent) => void) =>
  ruleAction<Ctx, RuleRun<Ctx>>((c) => ({ c: { ...c }, cmds: [] as Command[] }), fn, allTasksDone);

/**
 * sequential: `for t in tasks: t()`. One thread, one task after another, one step after another; a wait is a wait.
 */
export const sequentialMachine = setup({
  types: {
    context: {} as SequentialContext,
    events: {} as ModelEvent,
    input: {} as ModelInput<SequentialConfig>,
  },
  actions: {
    kernel: kernelAction,
    finishIfDone: finishIfDone<Ctx>(),
    beginStep: ruleSeq((r) => {
      r.cmds.push({ op: 'spawn', thread: MAIN, label: 'main' });
      begin(r);
    }),
    nextStep: ruleSeq((r) => {
      r.c.step++;
      begin(r);
    }),
  },
}).createMachine({
  id: 'sequential',
  context: ({ input }) => ({ tasks: input.scenario.tasks, task: 0, step: 0, out: [], allDone: false }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        START: {
          target: 'running',
          actions: ['beginStep', ...AFTER_RULE],
        },
      },
    },
    running: {
      on: { ALL_DONE: { target: 'done' }, BURST_DONE: { actions: ['nextStep', ...AFTER_RULE] }, IO_DONE: { actions: ['nextStep', ...AFTER_RULE] } },
    },
    done: { type: 'final' },
  },
});
