import { describe, expect, it } from 'vitest';
import { createActor, type AnyStateMachine } from 'xstate';
import { Kernel, type Command, type KernelEvent } from '../../src/sim/kernel.ts';
import { asyncioMachine } from '../../src/sim/models/asyncio.ts';
import { assertKernelEvent } from '../../src/sim/models/kit.ts';
import { processesMachine } from '../../src/sim/models/processes.ts';
import { sequentialMachine } from '../../src/sim/models/sequential.ts';
import { threadsMachine } from '../../src/sim/models/threads.ts';
import { DEFAULT_PROFILE } from '../../src/sim/profile.ts';
import { MACHINES, runModel } from '../../src/sim/simulate.ts';
import { parseScenario } from '../../src/sim/schema.ts';
import type { ModelConfig, ThreadsConfig } from '../../src/sim/types.ts';
import { scenario } from './helpers.ts';

/** An actor whose kernel commands are recorded instead of run, so a test can drive time by hand; no foresight. */
function drive(machine: AnyStateMachine, config: ModelConfig, s = scenario(2, [['a', ['cpu', 1]], ['b', ['cpu', 1]]])) {
  const log: Command[][] = [];
  const actor = createActor(machine.provide({ actions: { kernel: (_: unknown, p: { cmds: Command[] }) => log.push(p.cmds) } }), {
    input: { scenario: s, config, profile: DEFAULT_PROFILE, horizon: 0 },
  }).start();
  const send = (e: KernelEvent) => {
    log.length = 0;
    actor.send(e);
    return log.flat();
  };
  return { actor, send };
}

describe('threads machine', () => {
  it('START: the main thread takes the free GIL and submits the first task', () => {
    const { actor, send } = drive(threadsMachine, { model: 'threads' });
    const cmds = send({ type: 'START', at: 0 });
    expect(actor.getSnapshot().value).toBe('running');
    expect(actor.getSnapshot().context.s.holder).toBe(0);
    expect(cmds).toContainEqual(expect.objectContaining({ op: 'gil', thread: 0 }));
    expect(cmds).toContainEqual(expect.objectContaining({ op: 'burst', thread: 0, kind: 'overhead' }));
  });

  it('after the first submit a worker thread starts and waits for the GIL the main thread releases', () => {
    const { actor, send } = drive(threadsMachine, { model: 'threads' });
    send({ type: 'START', at: 0 });
    const cmds = send({ type: 'BURST_DONE', thread: 0, at: 0.00015 });
    const ctx = actor.getSnapshot().context.s;
    expect(cmds).toContainEqual({ op: 'spawn', thread: 1, label: 'Thread 1' });
    expect(ctx.holder).toBe(1);
    expect(ctx.queue).toEqual([0]);
  });

  it('a stale drop-request timer is ignored: no command, and the model state is the same but for what it expects next', () => {
    const { actor, send } = drive(threadsMachine, { model: 'threads' });
    send({ type: 'START', at: 0 });
    const before = actor.getSnapshot().context.s;
    const cmds = send({ type: 'GIL_TIMEOUT', gen: before.gen + 7, at: 0.001 });
    expect(cmds).toEqual([]);
    const after = actor.getSnapshot().context.s;
    for (const key of Object.keys(before) as (keyof typeof before)[]) if (key !== 'f' && key !== 'out') expect([key, after[key]]).toEqual([key, before[key]]);
    expect(after.f.expect.now).toBe(0.001);
  });

  it('a current drop request moves the holder to the back of the waiters and hands the GIL on', () => {
    const { actor, send } = drive(threadsMachine, { model: 'threads' });
    send({ type: 'START', at: 0 });
    send({ type: 'BURST_DONE', thread: 0, at: 0.00015 });
    send({ type: 'WAKE', thread: 1, at: 0.0002 }); // Thread 1 runs task a; main waits for the GIL
    const ctx = actor.getSnapshot().context.s;
    expect(ctx.holder).toBe(1);
    expect(ctx.waiters).toEqual([0]);
    expect(ctx.dropAt).toBeCloseTo(0.0002 + 0.005, 9);
    const cmds = send({ type: 'GIL_TIMEOUT', gen: ctx.gen, at: ctx.dropAt });
    const after = actor.getSnapshot().context.s;
    expect(cmds[0]).toEqual({ op: 'suspend', thread: 1 });
    expect(cmds).toContainEqual(expect.objectContaining({ op: 'gil', thread: 0, forced: true }));
    expect(after.holder).toBe(0);
    expect(after.waiters).toEqual([1]);
  });
});

describe('threads machine: a native step is a loop of C calls', () => {
  /** Every event the real kernel delivers, with the commands the machine answered it with (none answered ahead). */
  function trace(s: ReturnType<typeof scenario>, config: ThreadsConfig) {
    const kernel = new Kernel(s.cores, s.tasks.length, DEFAULT_PROFILE.osSlice);
    const log: { e: KernelEvent; cmds: Command[] }[] = [];
    let current: { e: KernelEvent; cmds: Command[] } | undefined;
    const actor = createActor(threadsMachine.provide({ actions: { kernel: (_: unknown, p: { cmds: Command[] }) => { current?.cmds.push(...p.cmds); kernel.apply(p.cmds); } } }), {
      input: { scenario: s, config, profile: DEFAULT_PROFILE, horizon: 0 },
    });
    actor.start();
    kernel.run((e) => {
      current = { e, cmds: [] };
      log.push(current);
      actor.send(e);
    }, () => actor.getSnapshot().status !== 'active');
    return { log, actor };
  }
  const c = DEFAULT_PROFILE.callSeconds;

  it('a call returning into a free GIL takes it, lets it go and makes the rest of the step one burst that carries straight on', () => {
    const { log } = trace(scenario(2, [['h', ['native', 0.01]]]), { model: 'threads' });
    const back = log.find(({ e, cmds }) => e.type === 'BURST_DONE' && e.thread === 1 && cmds.some((x) => x.op === 'burst'))!;
    expect(back.cmds).toEqual([
      { op: 'gil', task: 0, thread: 1, forced: false },
      { op: 'gil', task: -1, thread: -1, forced: false },
      { op: 'state', task: 0, activity: 'active', step: 0 },
      { op: 'burst', thread: 1, seconds: expect.closeTo(0.01 - c, 12), task: 0, step: 0, kind: 'native', carryOn: true },
    ]);
    // Nobody wanted the GIL after that: the rest ran as that one burst, and the task was done when it returned.
    expect(log.filter(({ e }) => e.type === 'BURST_DONE' && e.thread === 1)).toHaveLength(2);
  });

  it('the rule that leaves the GIL held cuts a burst of free calls; the cut returns what was left, and the calls go on one by one', () => {
    const { log } = trace(scenario(3, [['h', ['native', 0.02]], ['late', ['io', 0.005], ['cpu', 0.1]]]), { model: 'threads' });
    const taken = log.find(({ e }) => e.type === 'IO_DONE')!;
    expect(taken.cmds).toContainEqual({ op: 'gil', task: 1, thread: 2, forced: false });
    expect(taken.cmds).toContainEqual({ op: 'cut', thread: 1, call: c });
    expect(log.filter(({ cmds }) => cmds.some((x) => x.op === 'cut'))).toHaveLength(1);
    const cutDone = log.find(({ e }) => e.type === 'BURST_DONE' && e.thread === 1 && e.left !== undefined)!;
    // Within one call of the moment the other thread took the GIL (the call in progress may end at that instant).
    expect(cutDone.e.at).toBeGreaterThanOrEqual(taken.e.at);
    expect(cutDone.e.at - taken.e.at).toBeLessThan(c);
    // Back into the held GIL: it waits (and asks for it) rather than making its next call.
    expect(cutDone.cmds).toEqual([{ op: 'state', task: 0, activity: 'gil-wait', step: 0 }, expect.objectContaining({ op: 'timer', event: expect.objectContaining({ type: 'GIL_TIMEOUT' }) })]);
    const calls = log.filter(({ cmds }) => cmds.some((x) => x.op === 'burst' && x.thread === 1 && x.kind === 'native'));
    expect(calls.length).toBeGreaterThan(20);
  });
});

describe('the other machines', () => {
  it('sequential: runs steps in order and reaches its final state', () => {
    const { actor, send } = drive(sequentialMachine, { model: 'sequential' });
    expect(send({ type: 'START', at: 0 })).toContainEqual(expect.objectContaining({ op: 'burst', task: 0, step: 0 }));
    expect(send({ type: 'BURST_DONE', thread: 0, at: 1 })).toContainEqual(expect.objectContaining({ op: 'burst', task: 1, step: 0 }));
    send({ type: 'BURST_DONE', thread: 0, at: 2 });
    expect(actor.getSnapshot().status).toBe('done');
  });

  it('processes (fork): launches every worker before any task is dispatched', () => {
    const { actor, send } = drive(processesMachine, { model: 'processes', workers: 2, startMethod: 'fork' });
    send({ type: 'START', at: 0 });
    send({ type: 'BURST_DONE', thread: 2, at: 0.0017 }); // parent forked worker 0
    send({ type: 'BURST_DONE', thread: 0, at: 0.0029 }); // worker 0 booted: nothing to do yet
    expect(actor.getSnapshot().context.s.workers[0].phase).toBe('idle');
    const cmds = send({ type: 'BURST_DONE', thread: 2, at: 0.0034 }); // worker 1 forked: feeding starts
    expect(cmds).toContainEqual(expect.objectContaining({ op: 'burst', thread: 0, task: 0, kind: 'overhead' }));
  });

  it('asyncio: an awaited wait frees the loop for the next task', () => {
    const s = scenario(1, [['a', ['io', 1]], ['b', ['cpu', 0.5]]]);
    const { actor, send } = drive(asyncioMachine, { model: 'asyncio' }, s);
    send({ type: 'START', at: 0 });
    const cmds = send({ type: 'BURST_DONE', thread: 0, at: 0.0003 });
    expect(cmds).toContainEqual(expect.objectContaining({ op: 'timer', event: expect.objectContaining({ type: 'IO_DONE', task: 0 }) }));
    expect(cmds).toContainEqual(expect.objectContaining({ op: 'burst', task: 1 }));
    expect(actor.getSnapshot().context.s.current).toBe(1);
  });
});

describe('every machine, run by the real kernel', () => {
  const deepFreeze = (o: unknown): void => {
    if (o === null || typeof o !== 'object' || Object.isFrozen(o)) return;
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  };
  const contended = scenario(2, [['a', ['cpu', 0.02], ['io', 0.01], ['native', 0.01], ['cpu', 0.01]], ['b', ['cpu', 0.03]], ['c', ['io', 0.005], ['cpu', 0.01]], ['d', ['native', 0.02]]]);

  it.each([
    ['sequential', { model: 'sequential' }],
    ['threads at 1 ms', { model: 'threads', switchIntervalMs: 1 }],
    ['threads, one worker', { model: 'threads', workers: 1 }],
    ['processes, 3 forked workers', { model: 'processes', workers: 3, startMethod: 'fork' }],
    ['processes, spawn', { model: 'processes', startMethod: 'spawn' }],
    ['asyncio behind a semaphore of 2', { model: 'asyncio', workers: 2 }],
  ] as [string, ModelConfig][])('%s: no rule changes an earlier snapshot, and the machine is done when its work is', (_, config) => {
    const kernel = new Kernel(contended.cores, contended.tasks.length, DEFAULT_PROFILE.osSlice);
    const actor = createActor(MACHINES[config.model].provide({ actions: { kernel: (_: unknown, p: { cmds: Command[] }) => kernel.apply(p.cmds) } }), {
      input: { scenario: contended, config, profile: DEFAULT_PROFILE },
    });
    // Frozen after every transition: a rule that writes to the context it was given throws, and the actor errs.
    actor.subscribe((snapshot) => deepFreeze(snapshot.context));
    actor.start();
    deepFreeze(actor.getSnapshot().context);
    const end = kernel.run((e) => actor.send(e), () => actor.getSnapshot().status !== 'active');
    expect(actor.getSnapshot().status).toBe('done');
    const last = Math.max(...contended.tasks.map((_, i) => kernel.taskEnd[i]));
    // A process pool is done once the last result is back in the parent; the others when the last task ends.
    expect(end).toBeCloseTo(last + (config.model === 'processes' ? DEFAULT_PROFILE.result : 0), 9);
  });
});

describe('every machine: a stall ends the run with a deadlock report, a sync wake carries on', () => {
  const locked = (() => {
    const r = parseScenario({
      name: 't',
      cores: 2,
      locks: { L: { type: 'Lock' } },
      tasks: [
        { name: 'a', steps: [{ kind: 'acquire', lock: 'L' }, { kind: 'acquire', lock: 'L' }] },
        { name: 'b', steps: [{ kind: 'cpu', seconds: 0.01 }] },
      ],
    });
    if (!r.ok) throw new Error(r.errors.join());
    return r.scenario;
  })();
  const cases: [string, AnyStateMachine, ModelConfig][] = [
    ['sequential', sequentialMachine, { model: 'sequential' }],
    ['threads', threadsMachine, { model: 'threads' }],
    ['processes', processesMachine, { model: 'processes' }],
    ['asyncio', asyncioMachine, { model: 'asyncio' }],
  ];
  it('sequential: at START the task takes L and blocks on it again; STALLED reports it deadlocked (a cycle of one) and the machine finishes', () => {
    const { actor, send } = drive(sequentialMachine, { model: 'sequential' }, locked);
    expect(send({ type: 'START', at: 0 })).toContainEqual({ op: 'state', task: 0, activity: 'lock-wait', step: 1, on: 'L' });
    const cmds = send({ type: 'STALLED', at: 1 });
    expect(cmds).toContainEqual({ op: 'outcome', task: 0, outcome: 'deadlocked' });
    expect(cmds).toContainEqual({ op: 'outcome', task: 1, outcome: 'deadlocked' });
    expect(cmds).toContainEqual({ op: 'deadlock', deadlock: { cycle: true, tasks: [{ task: 0, waitsFor: 'L', holds: ['L'] }] } });
    expect(actor.getSnapshot().status).toBe('done');
  });
  it.each(cases)('%s, with the kernel: the stall ends the run, the report names the wait', (_, machine, config) => {
    expect(MACHINES[config.model]).toBe(machine);
    const r = runModel(locked, config);
    expect(r.tasks[0].outcome).toBe('deadlocked');
    expect(r.deadlock?.tasks).toEqual([{ task: 0, waitsFor: 'L', holds: ['L'] }]);
    // The other task runs to its end where nothing stops it (sequential never gets to it).
    expect(r.tasks[1].outcome).toBe(config.model === 'sequential' ? 'deadlocked' : 'ok');
  });

  it('threads: a RETRY for a lock still taken leaves the waiter waiting, one for a free lock takes it and asks for the GIL', () => {
    const s = parseScenario({
      name: 't',
      cores: 2,
      locks: { L: { type: 'Lock' } },
      tasks: [
        { name: 'a', steps: [{ kind: 'acquire', lock: 'L' }, { kind: 'io', seconds: 1 }, { kind: 'release', lock: 'L' }] },
        { name: 'b', steps: [{ kind: 'acquire', lock: 'L' }, { kind: 'cpu', seconds: 0.01 }] },
      ],
    });
    if (!s.ok) throw new Error(s.errors.join());
    const { actor, send } = drive(threadsMachine, { model: 'threads' }, s.scenario);
    const sim = runModel(s.scenario, { model: 'threads' });
    // Replaying the kernel by hand is long; the real run shows the rule: b waits on L until a's release, then runs.
    expect(sim.taskSpans[1].find((x) => x.state === 'lock-wait')?.end).toBeCloseTo(sim.tasks[0].end + DEFAULT_PROFILE.wakeup, 9);
    send({ type: 'START', at: 0 });
    const before = actor.getSnapshot().context;
    // A retry for a task that is not waiting is ignored.
    expect(send({ type: 'RETRY', task: 1, object: 'L', granted: false, at: 0.001 }).filter((c) => c.op === 'gil')).toEqual([]);
    expect(actor.getSnapshot().context.s.threads).toEqual(before.s.threads);
  });
});

describe('a rule asserts the event it answers (assertKernelEvent, as XState assertEvent does)', () => {
  it.each([
    ['the event it answers passes', { type: 'WAKE', thread: 1, at: 0.5 } as const, 'WAKE' as const, null],
    ['another throws, naming the event and the type', { type: 'IO_DONE', thread: 1, task: 0, at: 0.5 } as const, 'WAKE' as const, 'Expected event {"type":"IO_DONE","thread":1,"task":0,"at":0.5} to have type matching "WAKE"'],
  ])('%s', (_, event, type, message) => {
    if (message === null) expect(() => assertKernelEvent(event, type)).not.toThrow();
    else expect(() => assertKernelEvent(event, type)).toThrow(message);
  });
});
