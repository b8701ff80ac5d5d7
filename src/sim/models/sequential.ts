import { enqueueActions, setup } from 'xstate';
import type { Command, KernelEvent } from '../kernel.ts';
import type { SequentialConfig, Task } from '../types.ts';
import { SEGMENT_OF, kernelAction, type ModelInput } from './kit.ts';

/** The one thread that runs everything. */
const MAIN = 0;

interface SequentialContext {
  tasks: Task[];
  task: number;
  step: number;
}

/** Commands that start step `step` of task `task`, or finish tasks until one has a step to start. */
function begin(ctx: SequentialContext): { task: number; step: number; cmds: Command[] } {
  let { task, step } = ctx;
  const cmds: Command[] = [];
  while (task < ctx.tasks.length && step >= ctx.tasks[task].steps.length) {
    cmds.push({ op: 'state', task, activity: 'done', step: step - 1 });
    task++;
    step = 0;
  }
  if (task < ctx.tasks.length) {
    const s = ctx.tasks[task].steps[step];
    if (s.kind === 'io') {
      cmds.push({ op: 'state', task, activity: 'io', step });
      cmds.push({ op: 'timer', delay: s.seconds, event: { type: 'IO_DONE', thread: MAIN, task } });
    } else {
      cmds.push({ op: 'state', task, activity: 'active', step });
      cmds.push({ op: 'burst', thread: MAIN, seconds: s.seconds, task, step, kind: SEGMENT_OF[s.kind] });
    }
  }
  return { task, step, cmds };
}

/**
 * sequential: `for t in tasks: t()`. One thread, one task after another, one step after another; a wait is a wait.
 */
export const sequentialMachine = setup({
  types: {
    context: {} as SequentialContext,
    events: {} as KernelEvent,
    input: {} as ModelInput<SequentialConfig>,
  },
  actions: {
    kernel: kernelAction,
    beginStep: enqueueActions(({ context, enqueue }) => {
      const r = begin(context);
      enqueue.assign({ task: r.task, step: r.step });
      enqueue({ type: 'kernel', params: { cmds: r.cmds } });
    }),
    nextStep: enqueueActions(({ context, enqueue }) => {
      const r = begin({ ...context, step: context.step + 1 });
      enqueue.assign({ task: r.task, step: r.step });
      enqueue({ type: 'kernel', params: { cmds: r.cmds } });
    }),
  },
  guards: {
    allTasksDone: ({ context }) => context.task >= context.tasks.length,
  },
}).createMachine({
  id: 'sequential',
  context: ({ input }) => ({ tasks: input.scenario.tasks, task: 0, step: 0 }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        START: {
          target: 'running',
          actions: [{ type: 'kernel', params: { cmds: [{ op: 'spawn', thread: MAIN, label: 'main' }] } }, 'beginStep'],
        },
      },
    },
    running: {
      always: { guard: 'allTasksDone', target: 'done' },
      on: { BURST_DONE: { actions: 'nextStep' }, IO_DONE: { actions: 'nextStep' } },
    },
    done: { type: 'final' },
  },
});
