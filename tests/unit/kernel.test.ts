import { describe, expect, it } from 'vitest';
import { EventCapError, Kernel, type Command, type KernelEvent } from '../../src/sim/kernel.ts';

/**
 * Drives the kernel without a model: `start` is applied at time 0, and `on(event)` returns the commands to apply
 * when an event arrives. Returns every event delivered (as "TYPE thread@ms"), and the kernel.
 */
function drive(cores: number, tasks: number, start: Command[], on: (e: KernelEvent, k: Kernel) => Command[] = () => [], opts: { slice?: number; done?: (log: string[]) => boolean; maxEvents?: number; onStall?: (k: Kernel) => Command[] } = {}) {
  const k = new Kernel(cores, tasks, opts.slice ?? 0.003);
  const log: string[] = [];
  const stalls: number[] = [];
  const ms = (t: number) => +(t * 1000).toFixed(3);
  const end = k.run(
    (e) => {
      if (e.type === 'START') k.apply(start);
      else if (e.type === 'STALLED') {
        stalls.push(ms(e.at));
        k.apply(opts.onStall?.(k) ?? []);
      } else {
        log.push(`${e.type}${'thread' in e ? ' ' + e.thread : ''}${'gen' in e ? ' g' + e.gen : ''}@${ms(e.at)}`);
        k.apply(on(e, k));
      }
    },
    () => opts.done?.(log) ?? false,
    opts.maxEvents,
  );
  const { taskSpans } = k.finish(end);
  const segs = k.segments.map((lane) => lane.map((s) => `${s.threadLabel}:${s.kind}:${ms(s.start)}-${ms(s.end)}`));
  const spans = taskSpans.map((lane) => lane.map((s) => `${s.state}:${ms(s.start)}-${ms(s.end)}`));
  return { k, log, stalls, end, segs, spans, ms };
}
const spawn = (thread: number, label = `t${thread}`): Command => ({ op: 'spawn', thread, label });
const burst = (thread: number, seconds: number, task = thread, extra: Partial<Extract<Command, { op: 'burst' }>> = {}): Command => ({ op: 'burst', thread, seconds, task, step: 0, kind: 'python', ...extra });
const active = (task: number, step = 0): Command => ({ op: 'state', task, activity: 'active', step });
const done = (task: number): Command => ({ op: 'state', task, activity: 'done', step: 0 });

describe('kernel: a run with nothing left to happen', () => {
  it('asks the model once, when no burst or timer is pending, and stops there if it is still not done', () => {
    const r = drive(1, 1, [spawn(0), active(0), burst(0, 0.005)], (e) => (e.type === 'BURST_DONE' ? [{ op: 'state', task: 0, activity: 'lock-wait', step: 0, on: 'L' }] : []));
    expect(r.stalls).toEqual([5]);
    expect(r.end).toBeCloseTo(0.005, 12);
    expect(r.spans).toEqual([['running:0-5']]);
  });
  it('lets the model act on it, once: a timer it sets is still delivered, and then the run stops', () => {
    const r = drive(1, 1, [spawn(0), active(0), burst(0, 0.002)], () => [], { onStall: () => [{ op: 'timer', delay: 0.001, event: { type: 'WAKE', thread: 0 } }] });
    expect(r.stalls).toEqual([2]);
    expect(r.end).toBeCloseTo(0.003, 12);
    expect(r.log).toEqual(['BURST_DONE 0@2', 'WAKE 0@3']);
  });
  it('records reports and object states as given, and names a wait with its object', () => {
    const k = new Kernel(1, 2, 0.003, [{ name: 'L', type: 'lock' }]);
    k.apply([{ op: 'sync', object: 0, holders: [0], count: 1 }, { op: 'state', task: 1, activity: 'lock-wait', step: 0, on: 'L' }, { op: 'outcome', task: 1, outcome: 'deadlocked' }]);
    k.now = 0.5;
    k.apply([{ op: 'sync', object: 0, holders: [], count: 0 }, { op: 'mark', task: 1, kind: 'deadlock', text: 'x' }, { op: 'error', error: { type: 'E1', task: 0, how: 'h' } }, { op: 'error', error: { type: 'E2', task: 1, how: 'h' } }]);
    const { taskSpans } = k.finish(1);
    expect(k.sync[0].map((s) => [s.start, s.end, s.count, s.holders])).toEqual([[0, 0.5, 1, [0]], [0.5, 1, 0, []]]);
    expect(taskSpans[1]).toEqual([{ task: 1, state: 'lock-wait', start: 0, end: 1, step: 0, on: 'L' }]);
    expect(k.outcomes).toEqual([{ outcome: 'ok' }, { outcome: 'deadlocked' }]);
    expect(k.marks).toEqual([{ task: 1, kind: 'deadlock', text: 'x', at: 0.5 }]);
    // The first exception to reach the main program is the one it ends with.
    expect(k.error).toEqual({ type: 'E1', task: 0, how: 'h', at: 0.5 });
  });
});

describe('kernel: cores, the run queue and time slices', () => {
  it('two threads on one core take turns in 3 ms slices, each stretch its own segment, and wait in cpu-wait', () => {
    const r = drive(1, 2, [spawn(0), spawn(1), active(0), active(1), burst(0, 0.005), burst(1, 0.004)], (e) => (e.type === 'BURST_DONE' ? [done(e.thread)] : []));
    expect(r.segs).toEqual([['t0:python:0-3', 't1:python:3-6', 't0:python:6-8', 't1:python:8-9']]);
    expect(r.log).toEqual(['BURST_DONE 0@8', 'BURST_DONE 1@9']);
    expect(r.spans).toEqual([
      ['running:0-3', 'cpu-wait:3-6', 'running:6-8', 'done:8-9'],
      ['cpu-wait:0-3', 'running:3-6', 'cpu-wait:6-8', 'running:8-9'],
    ]);
    expect([r.k.taskStart, r.k.taskEnd].map((xs) => xs.map(r.ms))).toEqual([[0, 0], [8, 9]]);
  });

  it('a thread alone keeps its core past its slice: one segment', () => {
    const r = drive(2, 2, [spawn(0), spawn(1), burst(0, 0.01), burst(1, 0.002)]);
    expect(r.segs).toEqual([['t0:python:0-10'], ['t1:python:0-2']]);
  });

  it('a burst ending as its slice expires completes; it is not preempted (a completion goes first)', () => {
    const r = drive(1, 2, [spawn(0), spawn(1), burst(0, 0.003), burst(1, 0.001)]);
    expect(r.log).toEqual(['BURST_DONE 0@3', 'BURST_DONE 1@4']);
    expect(r.segs).toEqual([['t0:python:0-3', 't1:python:3-4']]);
  });

  it('a completion and a timer at the same instant: the completion first, then the timer', () => {
    const r = drive(1, 1, [spawn(0), burst(0, 0.002), { op: 'timer', delay: 0.002, event: { type: 'WAKE', thread: 7 } }]);
    expect(r.log).toEqual(['BURST_DONE 0@2', 'WAKE 7@2']);
  });

  it('two timers at the same instant arrive in the order they were set', () => {
    const r = drive(1, 1, [{ op: 'timer', delay: 0.002, event: { type: 'WAKE', thread: 2 } }, { op: 'timer', delay: 0.001, event: { type: 'WAKE', thread: 1 } }, { op: 'timer', delay: 0.002, event: { type: 'WAKE', thread: 3 } }]);
    expect(r.log).toEqual(['WAKE 1@1', 'WAKE 2@2', 'WAKE 3@2']);
  });

  it('a thread goes back to the core it last ran on when that one is free (affinity), else to the lowest free core', () => {
    // t1 runs on core 1, is suspended at 2 ms and resumed at 3 ms, when both cores are free: back to core 1.
    const r = drive(2, 3, [spawn(0), spawn(1), spawn(2), burst(0, 0.001), burst(1, 0.01), { op: 'timer', delay: 0.002, event: { type: 'WAKE', thread: 1 } }], (e) =>
      e.type === 'WAKE' && e.thread === 1 ? [{ op: 'suspend', thread: 1 }, { op: 'resume', thread: 1, delay: 0.001 }] : e.type === 'BURST_DONE' && e.thread === 1 ? [burst(2, 0.001)] : [],
    );
    expect(r.segs).toEqual([['t0:python:0-1', 't2:python:11-12'], ['t1:python:0-2', 't1:python:3-11']]);
  });

  it('a burst with a delay becomes runnable only after it; a zero-length burst completes after its delay, with no core', () => {
    const r = drive(1, 2, [spawn(0), spawn(1), burst(0, 0.002, 0, { delay: 0.005 }), burst(1, 0, 1, { delay: 0.001 })]);
    expect(r.log).toEqual(['BURST_DONE 1@1', 'BURST_DONE 0@7']);
    expect(r.segs).toEqual([['t0:python:5-7']]);
  });

  it('a suspended thread keeps what is left of its burst; a wake-up set before the suspension is void', () => {
    const r = drive(1, 1, [spawn(0), burst(0, 0.004, 0, { delay: 0.001 }), { op: 'timer', delay: 0.002, event: { type: 'WAKE', thread: 0 } }], (e) =>
      e.type === 'WAKE' ? [{ op: 'suspend', thread: 0 }, { op: 'timer', delay: 0.005, event: { type: 'IO_DONE', thread: 0, task: 0 } }] : e.type === 'IO_DONE' ? [{ op: 'resume', thread: 0 }] : [],
    );
    // Ran 1–2 ms, suspended with 3 ms left, resumed at 7 ms: done at 10 ms.
    expect(r.segs).toEqual([['t0:python:1-2', 't0:python:7-10']]);
    expect(r.log).toEqual(['WAKE 0@2', 'IO_DONE 0@7', 'BURST_DONE 0@10']);
  });

  it('suspending a thread that waits in the run queue takes it out of the queue', () => {
    const r = drive(1, 2, [spawn(0), spawn(1), burst(0, 0.005), burst(1, 0.001), { op: 'suspend', thread: 1 }, { op: 'timer', delay: 0.006, event: { type: 'WAKE', thread: 1 } }], (e) =>
      e.type === 'WAKE' ? [{ op: 'resume', thread: 1 }] : [],
    );
    expect(r.segs).toEqual([['t0:python:0-5', 't1:python:6-7']]);
  });

  it('a delayed resume waits its delay', () => {
    const r = drive(1, 1, [spawn(0), burst(0, 0.002), { op: 'suspend', thread: 0 }, { op: 'resume', thread: 0, delay: 0.004 }]);
    expect(r.segs).toEqual([['t0:python:4-6']]);
  });

  it('stops at its caller\'s cap, and not one event before it', () => {
    const start = [spawn(0), ...[1, 2, 3].map((i) => ({ op: 'timer', delay: i * 0.001, event: { type: 'WAKE', thread: i } }) as Command)];
    expect(drive(1, 1, start, () => [], { maxEvents: 3 }).log).toHaveLength(3);
    expect(() => drive(1, 1, start, () => [], { maxEvents: 2 })).toThrow(EventCapError);
    expect(() => drive(1, 1, start, () => [], { maxEvents: 2 })).toThrow(/^more than 2 scheduling events .* by 0\.0 s of simulated time/);
  });

  it('stops the moment the model is done, with a timer still pending', () => {
    const r = drive(1, 1, [spawn(0), burst(0, 0.002), { op: 'timer', delay: 1, event: { type: 'WAKE', thread: 0 } }], () => [], { done: (log) => log.length > 0 });
    expect(r.end).toBe(0.002);
  });
});

describe('kernel: answers the model worked out ahead (foresee)', () => {
  // The model asks for a WAKE every millisecond; its answer to each, worked out ahead, is a mark and the next timer.
  const chain = (n: number) => {
    const events = Array.from({ length: n + 1 }, (_, i) => ({ type: 'WAKE' as const, thread: i }));
    // Each event is due where the kernel's clock puts it: the sum of the delays.
    let at = 0;
    const answers = events.slice(0, n).map((event, i) => ({ event, at: (at += 0.001), cmds: [{ op: 'mark', task: 0, kind: 'lost', text: `answered ${i}` }, { op: 'timer', delay: 0.001, event: events[i + 1] }] as Command[] }));
    return { first: { op: 'timer', delay: 0.001, event: events[0] } as Command, foresee: { op: 'foresee', answers } as Command };
  };

  it('applies each answer when its very event fires and the model has heard nothing since; then says how many it applied', () => {
    const { first, foresee } = chain(3);
    const heard: string[] = [];
    const r = drive(1, 1, [first, foresee], (e) => {
      heard.push(e.type === 'PLAN_CUT' ? `PLAN_CUT ${e.done}@${+(e.at * 1000).toFixed(3)}` : e.type);
      return [];
    });
    // Three answers applied at 1, 2 and 3 ms without the model; the fourth timer's event is the model's to answer.
    expect(r.k.marks.map((m) => `${m.text}@${r.ms(m.at)}`)).toEqual(['answered 0@1', 'answered 1@2', 'answered 2@3']);
    expect(heard).toEqual(['PLAN_CUT 3@4', 'WAKE']);
    expect(r.log).toEqual(['PLAN_CUT@4', 'WAKE 3@4']);
  });

  it('stops at the first event that is not the one foreseen: the model hears how far it went, then that event', () => {
    const { first, foresee } = chain(3);
    const r = drive(1, 1, [spawn(0), burst(0, 0.0025), first, foresee]);
    expect(r.k.marks.map((m) => m.text)).toEqual(['answered 0', 'answered 1']);
    expect(r.log).toEqual(['PLAN_CUT@2.5', 'BURST_DONE 0@2.5', 'WAKE 2@3']);
  });

  it('an answer to the right event at another instant is not applied: the model hears that event itself', () => {
    const first: Command = { op: 'timer', delay: 0.001, event: { type: 'WAKE', thread: 0 } };
    const foresee: Command = { op: 'foresee', answers: [{ event: { type: 'WAKE', thread: 0 }, at: 0.002, cmds: [{ op: 'mark', task: 0, kind: 'lost', text: 'answered' }] }] };
    const r = drive(1, 1, [first, foresee]);
    expect(r.k.marks).toEqual([]);
    expect(r.log).toEqual(['WAKE 0@1']);
  });

  it.each([
    ['its burst completes then', 0.002, undefined, ['PLAN_CUT@3', 'BURST_DONE 0@3'], ['answered@2']],
    ['another burst completes first', 0.003, undefined, ['BURST_DONE 0@2', 'BURST_DONE 0@3'], []],
    ['it completes with seconds left that the answer does not name', 0.002, 0.001, ['BURST_DONE 0@2', 'BURST_DONE 0@3'], []],
  ])('a burst completion foreseen is applied only if %s', (_, at, left, log, marks) => {
    const answers = [{ event: { type: 'BURST_DONE' as const, thread: 0, ...(left ? { left } : {}) }, at, cmds: [{ op: 'mark', task: 0, kind: 'lost', text: 'answered' }, burst(0, 0.001)] as Command[] }];
    const r = drive(1, 1, [spawn(0), burst(0, 0.002), { op: 'foresee', answers }], (e) => (e.type === 'BURST_DONE' && e.at < 0.0025 ? [burst(0, 0.001)] : []));
    expect(r.log).toEqual(log);
    expect(r.k.marks.map((m) => `${m.text}@${r.ms(m.at)}`)).toEqual(marks);
  });

  it('an answer never used is void without a word: the model hears only the event that came first', () => {
    const { first, foresee } = chain(2);
    const r = drive(1, 1, [spawn(0), burst(0, 0.0005), first, foresee]);
    expect(r.k.marks).toEqual([]);
    expect(r.log).toEqual(['BURST_DONE 0@0.5', 'WAKE 0@1']);
  });
});

describe('kernel: native code, a loop of C calls', () => {
  const native = (thread: number, seconds: number, extra: Partial<Extract<Command, { op: 'burst' }>> = {}) => burst(thread, seconds, thread, { kind: 'native', ...extra });
  const cutAt = (delay: number) => ({ op: 'timer', delay, event: { type: 'WAKE', thread: 0 } }) as Command;
  /** Every BURST_DONE with what was left of its burst. */
  const dones = (cores: number, threads: number, start: Command[], cut: Command[]) => {
    const got: string[] = [];
    const r = drive(cores, threads, start, (e) => {
      if (e.type === 'BURST_DONE') got.push(`${e.thread}@${+(e.at * 1000).toFixed(3)}${e.left ? ` left ${+(e.left * 1000).toFixed(3)}` : ''}`);
      return e.type === 'WAKE' ? cut : [];
    });
    return { got, segs: r.segs };
  };
  const cut = (call: number): Command => ({ op: 'cut', thread: 0, call });

  it.each([
    ['mid-call: the burst ends when the call in progress returns, and says what was left', 0.0023, ['0@3 left 7']],
    ['as a call returns: that call has returned, the burst ends there', 0.002, ['0@2 left 8']],
    ['before the first call has returned: at its end, never before', 0, ['0@1 left 9']],
    ['in the last call: nothing is cut', 0.0095, ['0@10']],
    ['after the burst: nothing to cut', 0.012, ['0@10']],
  ] as [string, number, string[]][])('a cut (1 ms calls of a 10 ms burst) %s', (_, at, want) => {
    expect(dones(1, 1, [spawn(0), native(0, 0.01), cutAt(at)], [cut(0.001)]).got).toEqual(want);
  });

  it('a cut counts the calls in the time the thread ran, not the time that passed: off its core it made no progress', () => {
    // One core shared in 3 ms slices: t0 ran 0–3 ms, is off its core at 4 ms, with 3 ms of 2 ms calls done: its
    // second call ends after 1 ms more, which it runs from 6 ms.
    const r = dones(1, 2, [spawn(0), spawn(1), native(0, 0.01), burst(1, 0.01), cutAt(0.004)], [cut(0.002)]);
    expect(r.got).toEqual(['0@7 left 6', '1@14']);
  });

  it('carryOn: a call returning into a free GIL goes straight on: same core, same slice, one segment, no turn in the queue', () => {
    let calls = 0;
    const r = drive(1, 2, [spawn(0), spawn(1), native(0, 0.001), burst(1, 0.002)], (e) =>
      e.type === 'BURST_DONE' && e.thread === 0 && ++calls < 5 ? [native(0, 0.001, { carryOn: true })] : [],
    );
    // Its 3 ms slice ends as its third call returns: the fourth starts and is preempted at once for t1; then the
    // fourth and fifth run on after t1.
    expect(r.segs).toEqual([['t0:native:0-3', 't1:python:3-5', 't0:native:5-7']]);
  });

  it('without carryOn the next call queues behind a waiting thread, and outside a completion carryOn is not honoured', () => {
    let calls = 0;
    const queued = drive(1, 2, [spawn(0), spawn(1), native(0, 0.001), burst(1, 0.002)], (e) => (e.type === 'BURST_DONE' && e.thread === 0 && ++calls < 2 ? [native(0, 0.001)] : []));
    expect(queued.segs).toEqual([['t0:native:0-1', 't1:python:1-3', 't0:native:3-4']]);
    const fromTimer = drive(1, 2, [spawn(0), spawn(1), burst(1, 0.002), { op: 'timer', delay: 0.001, event: { type: 'WAKE', thread: 0 } }], (e) => (e.type === 'WAKE' ? [native(0, 0.001, { carryOn: true })] : []));
    expect(fromTimer.segs).toEqual([['t1:python:0-2', 't0:native:2-3']]);
  });
});

describe('kernel: task states', () => {
  it('a task starts at its first state with a step, and ends when done', () => {
    const r = drive(1, 1, [{ op: 'state', task: 0, activity: 'queued', step: -1 }, { op: 'timer', delay: 0.001, event: { type: 'WAKE', thread: 0 } }], (e) =>
      e.type === 'WAKE' ? [{ op: 'state', task: 0, activity: 'io', step: 0 }, { op: 'timer', delay: 0.002, event: { type: 'IO_DONE', thread: 0, task: 0 } }] : [done(0)],
    );
    expect([r.k.taskStart[0], r.k.taskEnd[0]].map(r.ms)).toEqual([1, 3]);
    expect(r.spans).toEqual([['queued:0-1', 'io:1-3']]);
  });

  it('several words at one instant: the last one counts, and one equal to the span before merges into it', () => {
    const r = drive(1, 1, [{ op: 'timer', delay: 0.001, event: { type: 'WAKE', thread: 0 } }, { op: 'timer', delay: 0.002, event: { type: 'WAKE', thread: 1 } }, { op: 'timer', delay: 0.004, event: { type: 'WAKE', thread: 2 } }], (e) => {
      if (e.type !== 'WAKE') return [];
      if (e.thread === 0) return [{ op: 'state', task: 0, activity: 'io', step: 0 }, { op: 'state', task: 0, activity: 'gil-wait', step: 0 }];
      // io then back to gil-wait at once: no io span of zero length; the gil-wait goes on.
      if (e.thread === 1) return [{ op: 'state', task: 0, activity: 'io', step: 0 }, { op: 'state', task: 0, activity: 'gil-wait', step: 0 }];
      return [{ op: 'state', task: 0, activity: 'io', step: 1 }];
    });
    // (The io word at the very end makes a span of no length, which the end drops.)
    expect(r.spans).toEqual([['queued:0-1', 'gil-wait:1-4']]);
  });

  it('the same state with a new step is a new span', () => {
    const r = drive(1, 1, [{ op: 'state', task: 0, activity: 'io', step: 0 }, { op: 'timer', delay: 0.001, event: { type: 'WAKE', thread: 0 } }], () => [{ op: 'state', task: 0, activity: 'io', step: 1 }, { op: 'timer', delay: 0.001, event: { type: 'IO_DONE', thread: 0, task: 0 } }], { done: (log) => log.length >= 2 });
    expect(r.k.finish(r.end).taskSpans[0].map((s) => [s.state, s.step, r.ms(s.start), r.ms(s.end)])).toEqual([['io', 0, 0, 1], ['io', 1, 1, 2]]);
  });

  it('a thread working for another task does not change this task\'s state', () => {
    // Thread 0 runs task 0, then task 1: task 0 stays done while thread 0 moves on and off the core.
    const r = drive(1, 2, [spawn(0), active(0), burst(0, 0.001, 0)], (e, k) => (e.type === 'BURST_DONE' && k.now < 0.0015 ? [done(0), active(1), burst(0, 0.002, 1)] : e.type === 'BURST_DONE' ? [done(1)] : []));
    expect(r.spans).toEqual([['running:0-1', 'done:1-3'], ['queued:0-1', 'running:1-3']]);
  });
});

describe('kernel: the GIL and loop lanes', () => {
  it('a GIL hand-off with a delay starts the new holder after it and ends the old holder\'s span there', () => {
    const r = drive(1, 1, [{ op: 'gil', task: 0, thread: 0, forced: false }, { op: 'timer', delay: 0.002, event: { type: 'WAKE', thread: 0 } }], (e) =>
      e.type === 'WAKE' && e.at < 0.003 ? [{ op: 'gil', task: -1, thread: 1, forced: true, delay: 0.0005 }, { op: 'timer', delay: 0.002, event: { type: 'WAKE', thread: 0 } }] : [{ op: 'gil', task: -1, thread: -1, forced: false }],
    );
    expect(r.k.gil.map((g) => [g.thread, r.ms(g.start), r.ms(g.end), g.forced])).toEqual([[0, 0, 2.5, false], [1, 2.5, 4, true]]);
  });

  it('spans still open at the end are closed there', () => {
    const r = drive(1, 1, [{ op: 'gil', task: 0, thread: 0, forced: false }, { op: 'loop', task: 0, step: 0, kind: 'cpu' }, { op: 'timer', delay: 0.003, event: { type: 'WAKE', thread: 0 } }]);
    expect(r.k.gil.map((g) => r.ms(g.end))).toEqual([3]);
    expect(r.k.loop.map((l) => [r.ms(l.start), r.ms(l.end), l.kind])).toEqual([[0, 3, 'cpu']]);
  });

  it('the loop going idle closes its span', () => {
    const r = drive(1, 1, [{ op: 'loop', task: 0, step: 0, kind: 'blocking-io' }, { op: 'timer', delay: 0.001, event: { type: 'WAKE', thread: 0 } }, { op: 'timer', delay: 0.003, event: { type: 'WAKE', thread: 1 } }], (e) => (e.type === 'WAKE' && e.thread === 0 ? [{ op: 'loop', task: 0, step: 0, kind: null }] : []));
    expect(r.k.loop.map((l) => [r.ms(l.start), r.ms(l.end)])).toEqual([[0, 1]]);
  });

  it('a drop request reaches a GIL holder only on a core: off it, delivery waits until it is dispatched', () => {
    // t1 holds the GIL but waits for the one core, busy with t0's native code until 5 ms.
    const r = drive(1, 2, [spawn(0), spawn(1), burst(0, 0.005, 0, { kind: 'native' }), { op: 'gil', task: 1, thread: 1, forced: false }, burst(1, 0.002, 1), { op: 'timer', delay: 0.001, event: { type: 'GIL_TIMEOUT', gen: 1 } }], () => [], { slice: 1 });
    expect(r.log).toEqual(['BURST_DONE 0@5', 'GIL_TIMEOUT g1@5', 'BURST_DONE 1@7']);
  });

  it('with nobody holding the GIL, or the holder on a core, a drop request is delivered when due', () => {
    expect(drive(1, 1, [{ op: 'timer', delay: 0.001, event: { type: 'GIL_TIMEOUT', gen: 4 } }]).log).toEqual(['GIL_TIMEOUT g4@1']);
    const onCore = drive(1, 1, [spawn(0), { op: 'gil', task: 0, thread: 0, forced: false }, burst(0, 0.003), { op: 'timer', delay: 0.001, event: { type: 'GIL_TIMEOUT', gen: 5 } }]);
    expect(onCore.log).toEqual(['GIL_TIMEOUT g5@1', 'BURST_DONE 0@3']);
  });

  it('a new GIL holder cancels a drop request deferred for the old one', () => {
    const r = drive(1, 2, [spawn(0), spawn(1), burst(0, 0.005, 0, { kind: 'native' }), { op: 'gil', task: 1, thread: 1, forced: false }, burst(1, 0.002, 1), { op: 'timer', delay: 0.001, event: { type: 'GIL_TIMEOUT', gen: 1 } }, { op: 'timer', delay: 0.002, event: { type: 'WAKE', thread: 9 } }], (e) =>
      e.type === 'WAKE' ? [{ op: 'gil', task: -1, thread: -1, forced: false }] : [], { slice: 1 });
    expect(r.log).toEqual(['WAKE 9@2', 'BURST_DONE 0@5', 'BURST_DONE 1@7']);
  });
});
