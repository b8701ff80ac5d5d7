import { setup } from 'xstate';
import type { Command, KernelEvent } from '../kernel.ts';
import type { SequentialConfig, Task } from '../types.ts';
import { adoptAction, answerOf, foreseeing, lifecycle, CRASH, classify, endTask, kernelAction, reportStall, ruleActions, ruleStep, sharedCommands, stepCommands, tallyShared, type Foreseeing, type ModelEvent, type ModelContext, type ModelInput, type RuleRun, type SharedTally } from './kit.ts';
import { Sync, syncTable, type SyncObj, type SyncTable } from './primitives.ts';

/** The one thread that runs everything. */
const MAIN = 0;

interface SequentialContext extends Foreseeing<SequentialContext> {
  tasks: Task[];
  task: number;
  step: number;
  table: SyncTable;
  sync: readonly SyncObj[];
  shared: SharedTally;
  /** The program has ended (an exception, a crash, a stall) before running every task. */
  ended: boolean;
}

type Ctx = SequentialContext;

/**
 * Start step `c.step` of task `c.task`, going on through finished tasks and instant steps until one has work to do,
 * blocks, or ends the program: `for t in tasks: t()`, so the first exception ends it and the tasks after it never run.
 * One thread: a wait nobody else can end (a `get` on an empty queue, a lock it holds itself) hangs it for good, and
 * the stall reports it.
 */
function begin(r: RuleRun<Ctx>): void {
  const { c, cmds } = r;
  const sync = new Sync(c.table, c.sync, cmds, false);
  try {
    while (c.task < c.tasks.length) {
      const steps = c.tasks[c.task].steps;
      if (c.step >= steps.length) {
        cmds.push({ op: 'state', task: c.task, activity: 'done', step: c.step - 1 });
        c.task++;
        c.step = 0;
        continue;
      }
      const s = steps[c.step];
      switch (classify(s)) {
        case 'work':
          if (s.kind === 'update') c.shared = tallyShared(c.shared, s.shared, { final: s.times, expected: s.times });
          stepCommands(cmds, MAIN, c.task, c.step, s);
          return;
        case 'sync': {
          const res = sync.step(c.task, s as Parameters<Sync['step']>[1]);
          if ('error' in res) return stop(r, 'raised', res.error, `${res.error}: ${res.message}`);
          if (!res.done) {
            cmds.push({ op: 'state', task: c.task, activity: res.wait, step: c.step, on: c.table.names[sync.objectOf(s as Parameters<Sync['step']>[1])] });
            return;
          }
          c.step++;
          continue;
        }
        case 'raise':
          return stop(r, 'raised', (s as { error: string }).error);
        case 'crash':
          return stop(r, 'broken', CRASH, 'the process died (os._exit)');
      }
    }
  } finally {
    c.sync = sync.objs;
  }
}

/** Task `c.task` ends the program: raised (the exception propagates out of the loop) or broken (the process died). */
function stop(r: RuleRun<Ctx>, outcome: 'raised' | 'broken', error: string, text?: string): void {
  const { c, cmds } = r;
  endTask(cmds, c.task, c.step, outcome, error, text);
  cmds.push({
    op: 'error',
    error: {
      type: error,
      task: c.task,
      how: outcome === 'raised' ? 'raised in the loop: the program stops, the tasks after it never run' : 'the process died at once: no exception, no clean-up, the tasks after it never run',
    },
  });
  for (let t = c.task + 1; t < c.tasks.length; t++) cmds.push({ op: 'outcome', task: t, outcome: 'skipped' });
  c.task = c.tasks.length;
  c.ended = true;
}

/**
 * A shallow copy of the state, field by field (the type checker insists on every one): V8 makes it several times
 * faster than `{ ...c }`, which every event pays, thousands of times a run.
 */
const copyState = (c: Ctx): Ctx => ({
  tasks: c.tasks,
  task: c.task,
  step: c.step,
  table: c.table,
  sync: c.sync,
  shared: c.shared,
  ended: c.ended,
  f: c.f,
  out: c.out,
  allDone: c.allDone,
});

const allTasksDone = (c: Ctx) => c.task >= c.tasks.length;
const ruleSeq = (fn: (r: RuleRun<Ctx>, e: KernelEvent) => void) =>
  ruleStep<Ctx, RuleRun<Ctx>>(
    // Owned: foresight's working copy (see `Answer.own`), whose fields are changed in place, not copied first.
    (c, _e, owned) => ({ c: owned ? c : copyState(c), cmds: [] as Command[] }),
    (r, e) => {
      fn(r, e);
      if (allTasksDone(r.c)) r.cmds.push(...sharedCommands(r.c.shared));
    },
    allTasksDone,
  );

/** The model's rules, as pure steps: the machine's actions run them, and so does its foresight. */
const steps = {
  beginStep: ruleSeq((r) => {
    r.cmds.push({ op: 'spawn', thread: MAIN, label: 'main' });
    begin(r);
  }),
  nextStep: ruleSeq((r) => {
    r.c.step++;
    begin(r);
  }),
  stalled: ruleSeq((r) => {
    const { c } = r;
    const unfinished = c.tasks.map((_, i) => i).filter((i) => i >= c.task);
    reportStall(r.cmds, c.table, c.sync, c.tasks.map((t) => t.name), unfinished);
    c.task = c.tasks.length;
    c.ended = true;
  }),
};
/** What `running` answers, and with which rule. */
const ON = { BURST_DONE: 'nextStep', IO_DONE: 'nextStep', STALLED: 'stalled' } as const;
const answer = answerOf(ON, steps, copyState);

/** The model's state when a run begins. */
const initialState = (input: ModelInput<SequentialConfig>): SequentialContext => {
  const table = syncTable(input.scenario);
  return { tasks: input.scenario.tasks, task: 0, step: 0, table, sync: table.initial, shared: {}, ended: false, out: [], allDone: false, ...foreseeing(input) };
};

/**
 * sequential: `for t in tasks: t()`. One thread, one task after another, one step after another; a wait is a wait.
 */
export const sequentialMachine = setup({
  types: {
    context: {} as ModelContext<SequentialContext>,
    events: {} as ModelEvent,
    input: {} as ModelInput<SequentialConfig>,
  },
  actions: {
    kernel: kernelAction,
    adoptForeseen: adoptAction(answer),
    ...ruleActions(steps, answer),
  },
}).createMachine({
  id: 'sequential',
  context: ({ input }) => ({ s: initialState(input) }),
  ...lifecycle('beginStep', ON),
});
