import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/sim/schema.ts';
import { runModel, simulateScenario } from '../../src/sim/simulate.ts';
import type { CoreSegment, ModelRun, TaskSpan } from '../../src/sim/timeline.ts';
import type { Scenario } from '../../src/sim/types.ts';
import { buildLanes, foldWaiting, type Lane } from '../../src/ui/chart/lanes.ts';
import { crowded, stageRows } from '../../src/ui/chart/stageRows.ts';
import { loadScenario, NO_REPORTS } from './helpers.ts';

// A hand-made timeline, so each lane and tooltip can be stated exactly, whatever the simulator does.
const sc: Scenario = {
  name: 's', description: '', cores: 2, seed: 0, models: [],
  tasks: [
    { name: 'Doc', steps: [{ kind: 'cpu', seconds: 0.2 }, { kind: 'io', seconds: 1.5 }] },
    { name: 'Grumpy', steps: [{ kind: 'io', seconds: 2, blocking: true }] },
  ],
};
const seg = (core: number, start: number, end: number, task: number, step: number, kind: CoreSegment['kind'], threadLabel: string): CoreSegment => ({ core, start, end, task, step, kind, thread: 0, threadLabel });
const spans = (task: number, ...xs: [TaskSpan['state'], number, number, number][]): TaskSpan[] => xs.map(([state, start, end, step]) => ({ task, state, start, end, step }));
function run(model: ModelRun['model'], parts: Partial<ModelRun>): ModelRun {
  return {
    model, config: { model } as ModelRun['config'], cores: 2, makespan: 3, tasks: [], gil: [], loop: [],
    coreSegments: [[seg(0, 0, 0.2, 0, 0, 'python', 'Thread 1')], [seg(1, 0, 0.0005, -1, -1, 'overhead', 'main')]],
    taskSpans: [spans(0, ['queued', 0, 0, -1], ['running', 0, 0.2, 0], ['io', 0.2, 1.7, 1], ['done', 1.7, 3, 1]), spans(1, ['queued', 0, 0.5, -1], ['io', 0.5, 2.5, 0], ['done', 2.5, 3, 0])],
    summary: {} as ModelRun['summary'],
    ...NO_REPORTS,
    ...parts,
  };
}
const shape = (lanes: Lane[]) =>
  lanes.map((l) => ({ id: l.id, label: l.label, thin: l.thin ?? false, band: l.band ?? null, marks: l.marks.map((m) => [m.start, m.end, m.paint, m.label, m.detail()]) }));

describe('buildLanes: what each lane of a chart holds and says', () => {
  it('asyncio: a blocking call is drawn as the loop blocked by that task, per task, and is not a wait in the band', () => {
    const r = run('asyncio', { coreSegments: [[], []] });
    const perTask = buildLanes(r, sc, 'tasks')[1].marks.map((m) => [m.label, m.paint, m.detail()]);
    expect(perTask).toEqual([['queued', { by: 'state', state: 'queued' }, expect.any(String)], ['blocking the loop', { by: 'task', task: 1, kind: 'loop-blocking' }, 'Grumpy: in a blocking call, holding the event loop (no other task runs), step 1 of 1 (io, blocking), 500.0 ms → 2.500 s (2.000 s)']]);
    expect(buildLanes(r, sc, 'cores').map((l) => l.id)).toEqual(['core-0-1', 'loop', 'wait-0']);
    // Threads have no loop to block: the same wait is a wait.
    expect(buildLanes(run('threads', {}), sc, 'tasks')[1].marks.map((m) => m.label)).toEqual(['queued', 'waiting on I/O']);
  });

  it.each([
    ['one idle core of two', [[seg(0, 0, 1, 0, 0, 'python', 'main')], []], [['core-0', 'CPU 0', false], ['core-1', 'CPU 1 idle', true]]],
    ['idle cores next to each other share one lane', [[seg(0, 0, 1, 0, 0, 'python', 'main')], [], [], []], [['core-0', 'CPU 0', false], ['core-1-3', 'CPU 1–3 idle', true]]],
    ['idle cores apart stay apart', [[], [seg(1, 0, 1, 0, 0, 'python', 'main')], []], [['core-0', 'CPU 0 idle', true], ['core-1', 'CPU 1', false], ['core-2', 'CPU 2 idle', true]]],
  ] as [string, CoreSegment[][], [string, string, boolean][]][])('a core idle for the whole run is a thin "idle" lane: %s', (_, coreSegments, want) => {
    const lanes = buildLanes(run('sequential', { coreSegments, taskSpans: [] }), sc, 'cores');
    expect(lanes.map((l) => [l.id, l.label, l.idle ?? false])).toEqual(want);
  });

  it('threads, per core: the cores, the GIL, then a band of the tasks that wait on I/O', () => {
    const r = run('threads', { gil: [{ task: -1, thread: 0, start: 0, end: 0.0005, forced: false }, { task: 0, thread: 1, start: 0.0005, end: 0.2, forced: true }] });
    expect(shape(buildLanes(r, sc, 'cores'))).toEqual([
      { id: 'core-0', label: 'CPU 0', thin: false, band: null, marks: [[0, 0.2, { by: 'task', task: 0, kind: 'python' }, 'Doc', 'Doc on CPU 0 (Thread 1): pure Python, holding the GIL, step 1 of 2 (cpu), 0.0 ms → 200.0 ms (200.0 ms)']] },
      { id: 'core-1', label: 'CPU 1', thin: false, band: null, marks: [[0, 0.0005, { by: 'task', task: -1, kind: 'overhead' }, 'main', 'main on CPU 1 (main): overhead (submit, pickle, dispatch), 0.0 ms → 0.5 ms (0.5 ms)']] },
      {
        id: 'gil', label: 'GIL', thin: false, band: null,
        marks: [
          [0, 0.0005, { by: 'task', task: -1, kind: 'gil' }, 'main', 'main holds the GIL, 0.0 ms → 0.5 ms (0.5 ms)'],
          [0.0005, 0.2, { by: 'task', task: 0, kind: 'gil' }, 'Doc', 'Doc holds the GIL (taken by a drop request), 0.5 ms → 200.0 ms (199.5 ms)'],
        ],
      },
      { id: 'wait-0', label: 'Doc', thin: true, band: 'waiting on I/O (no core)', marks: [[0.2, 1.7, { by: 'task', task: 0, kind: 'io' }, '', 'Doc waits on I/O, step 2 of 2 (io), 200.0 ms → 1.700 s (1.500 s)']] },
      { id: 'wait-1', label: 'Grumpy', thin: true, band: null, marks: [[0.5, 2.5, { by: 'task', task: 1, kind: 'io' }, '', 'Grumpy waits on I/O, step 1 of 1 (io, blocking), 500.0 ms → 2.500 s (2.000 s)']] },
    ]);
  });

  it('processes, per core: bars name the worker; no GIL lane', () => {
    const r = run('processes', { coreSegments: [[seg(0, 0, 0.2, 0, 0, 'python', 'worker 1'), seg(0, 0.2, 0.25, -1, -1, 'startup', 'worker 3')], []] });
    const lanes = buildLanes(r, sc, 'cores');
    expect(lanes.map((l) => l.id)).toEqual(['core-0', 'core-1', 'wait-0', 'wait-1']);
    expect(lanes[0].marks.map((m) => [m.label, m.detail()])).toEqual([
      ['Doc · w1', 'Doc on CPU 0 (worker 1): pure Python, holding the GIL, step 1 of 2 (cpu), 0.0 ms → 200.0 ms (200.0 ms)'],
      ['worker 3 · w3', 'worker 3 on CPU 0 (worker 3): worker process start-up, 200.0 ms → 250.0 ms (50.0 ms)'],
    ]);
  });

  it('asyncio, per core: the event loop lane says what holds the loop', () => {
    const r = run('asyncio', {
      loop: [
        { task: 0, step: 0, kind: 'cpu', start: 0, end: 0.2 },
        { task: 0, step: 0, kind: 'native', start: 0.2, end: 0.3 },
        { task: 1, step: 0, kind: 'blocking-io', start: 0.5, end: 2.5 },
      ],
    });
    const loop = buildLanes(r, sc, 'cores').find((l) => l.id === 'loop')!;
    expect(loop.label).toBe('event loop');
    expect(loop.marks.map((m) => [m.paint, m.label, m.detail()])).toEqual([
      [{ by: 'task', task: 0, kind: 'loop-cpu' }, 'Doc', 'the loop runs Doc: pure Python, step 1 of 2 (cpu), 0.0 ms → 200.0 ms (200.0 ms)'],
      [{ by: 'task', task: 0, kind: 'loop-native' }, 'Doc', 'the loop runs Doc: native code, step 1 of 2 (cpu), 200.0 ms → 300.0 ms (100.0 ms)'],
      [{ by: 'task', task: 1, kind: 'loop-blocking' }, 'Grumpy (blocking!)', 'the loop runs Grumpy: a blocking call, the loop is stalled, step 1 of 1 (io, blocking), 500.0 ms → 2.500 s (2.000 s)'],
    ]);
    expect(buildLanes(r, sc, 'cores').some((l) => l.id === 'gil')).toBe(false);
  });

  it('per task: one lane per task, its states as marks, without "done" and without empty spans', () => {
    expect(shape(buildLanes(run('threads', {}), sc, 'tasks'))).toEqual([
      {
        id: 'task-0', label: 'Doc', thin: false, band: null,
        marks: [
          [0, 0.2, { by: 'state', state: 'running' }, 'running', 'Doc: running, step 1 of 2 (cpu), 0.0 ms → 200.0 ms (200.0 ms)'],
          [0.2, 1.7, { by: 'state', state: 'io' }, 'waiting on I/O', 'Doc: waiting on I/O, step 2 of 2 (io), 200.0 ms → 1.700 s (1.500 s)'],
        ],
      },
      {
        id: 'task-1', label: 'Grumpy', thin: false, band: null,
        marks: [
          [0, 0.5, { by: 'state', state: 'queued' }, 'queued', 'Grumpy: queued, 0.0 ms → 500.0 ms (500.0 ms)'],
          [0.5, 2.5, { by: 'state', state: 'io' }, 'waiting on I/O', 'Grumpy: waiting on I/O, step 1 of 1 (io, blocking), 500.0 ms → 2.500 s (2.000 s)'],
        ],
      },
    ]);
  });

  it('no task waits on I/O: no waiting band; times under a second in ms, from a second in s', () => {
    const r = run('sequential', { taskSpans: [spans(0, ['running', 0, 0.999, 0]), spans(1, ['running', 0.999, 1, 0], ['io', 1, 1, 0])] });
    const lanes = buildLanes(r, sc, 'cores');
    expect(lanes.map((l) => l.id)).toEqual(['core-0', 'core-1']);
    const tasks = buildLanes(r, sc, 'tasks');
    expect(tasks[0].marks[0].detail()).toBe('Doc: running, step 1 of 2 (cpu), 0.0 ms → 999.0 ms (999.0 ms)');
    expect(tasks[1].marks.map((m) => m.detail())).toEqual(['Grumpy: running, step 1 of 1 (io, blocking), 999.0 ms → 1.000 s (1.0 ms)']);
  });
});

// The shipped scenarios with locks, queues, events and barriers, simulated: what their lanes, waits and marks say.
const shipped = (name: string) => loadScenario(`scenarios/${name}.json`);
const runsOf = lazyMap((name: string) => {
  const s = shipped(name);
  return { s, runs: simulateScenario(s) };
});
/** A scenario's run by its model's name (and api, for two of one model). */
function runOf(name: string, model: string, api?: string): { s: Scenario; r: ModelRun } {
  const { s, runs } = runsOf(name);
  const r = runs.find((x) => x.model === model && (api === undefined || (x.config as { api?: string }).api === api));
  if (!r) throw new Error(`${name} has no ${model} run`);
  return { s, r };
}
function lazyMap<T>(f: (k: string) => T): (k: string) => T {
  const known = new Map<string, T>();
  return (k) => {
    if (!known.has(k)) known.set(k, f(k));
    return known.get(k)!;
  };
}
const made = (file: object) => {
  const r = parseScenario({ cores: 2, ...file });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
};
/** A semaphore of two for three workers, one of which first waits for an event. */
const semaphore = made({
  name: 'semaphore',
  locks: { pool: { type: 'Semaphore', value: 2 } },
  events: { ready: {} },
  tasks: [
    { name: 'setter', steps: [{ kind: 'io', seconds: 0.1 }, { kind: 'set', event: 'ready' }] },
    { name: 'w1', steps: [{ kind: 'wait', event: 'ready' }, { kind: 'acquire', lock: 'pool' }, { kind: 'io', seconds: 0.2 }, { kind: 'release', lock: 'pool' }] },
    { name: 'w2', steps: [{ kind: 'acquire', lock: 'pool' }, { kind: 'io', seconds: 0.2 }, { kind: 'release', lock: 'pool' }] },
    { name: 'w3', steps: [{ kind: 'acquire', lock: 'pool' }, { kind: 'io', seconds: 0.2 }, { kind: 'release', lock: 'pool' }] },
  ],
  models: [{ model: 'threads' }, { model: 'asyncio' }],
});
/** Four threads bumping one counter through a call: the GIL's switches fall between its read and its write. */
const lost = made({
  name: 'lost updates',
  tasks: ['t1', 't2', 't3', 't4'].map((name) => ({ name, steps: [{ kind: 'update', shared: 'counter', times: 250000, seconds: 0.1, shape: 'call' }] })),
  models: [{ model: 'threads' }],
});
const TIME = String.raw`[\d.]+ m?s → [\d.]+ m?s \([\d.]+ m?s\)`;
const re = (s: string) => new RegExp(`^${s}$`);

describe('buildLanes: locks, queues, events and barriers', () => {
  it.each([
    ['deadlock', 'threads', 'tasks', ['task-0', 'task-1', 'sync-alice', 'sync-bob'], 'locks', ['alice', 'bob']],
    ['deadlock', 'threads', 'cores', ['core-0', 'core-1', 'gil', 'sync-alice', 'sync-bob', 'wait-0', 'wait-1'], 'locks', ['alice', 'bob']],
    ['deadlock', 'sequential', 'cores', ['core-0', 'core-1', 'sync-alice', 'sync-bob', 'wait-0', 'wait-1'], 'locks', ['alice', 'bob']],
    ['bounded-queue', 'asyncio', 'cores', ['core-0', 'core-1', 'loop', 'sync-items', 'wait-1', 'wait-2'], 'queue', ['items']],
    ['bounded-queue', 'threads', 'tasks', ['task-0', 'task-1', 'task-2', 'sync-items'], 'queue', ['items']],
    ['barrier', 'processes', 'tasks', ['task-0', 'task-1', 'task-2', 'sync-start'], 'barrier', ['start']],
  ] as const)('%s, %s, per %s: a band of object lanes, below the tasks or below the GIL and loop', (name, model, view, ids, band, labels) => {
    const { s, r } = runOf(name, model);
    const lanes = buildLanes(r, s, view);
    expect(lanes.map((l) => l.id)).toEqual(ids);
    const objects = lanes.filter((l) => l.object);
    expect(objects.map((l) => l.label)).toEqual(labels);
    expect(objects.map((l) => l.band ?? null)).toEqual([band, ...labels.slice(1).map(() => null)]);
  });

  it('no objects, no band: the seven dwarfs keep their lanes', () => {
    const s = shipped('seven-dwarfs');
    for (const r of simulateScenario(s)) for (const view of ['cores', 'tasks'] as const) expect(buildLanes(r, s, view).some((l) => l.object || l.pins)).toBe(false);
  });

  it('objects of several kinds: one band naming the kinds, each lane its object (its kind in the label\'s tooltip)', () => {
    const r = runModel(semaphore, { model: 'threads' });
    const objects = buildLanes(r, semaphore, 'tasks').filter((l) => l.object);
    expect(objects.map((l) => [l.id, l.label, l.title, l.band ?? null])).toEqual([['sync-pool', 'pool', 'semaphore pool', 'lock and event'], ['sync-ready', 'ready', 'event ready', null]]);
  });

  // A wait on an object is its own state, and its tooltip names the object and its state meanwhile.
  it.each([
    ['deadlock', 'threads', 0, 'lock-wait', 'waiting for bob', String.raw`alice → bob: waiting for lock bob \(held by bob → alice\), step 4 of 7 \(acquire bob\), ${TIME}, for ever: the program hangs \(deadlock\)`],
    ['deadlock', 'asyncio', 1, 'lock-wait', 'waiting for alice', String.raw`bob → alice: waiting for lock alice \(held by alice → bob\), step 4 of 7 \(acquire alice\), ${TIME}, for ever: the program hangs \(deadlock\)`],
    ['bounded-queue', 'threads', 0, 'queue-wait', 'waiting on items', String.raw`producer: waiting on queue items \(full: 2 of 2\), step \d+ of 16 \(put items\), ${TIME}`],
    ['bounded-queue', 'threads', 1, 'queue-wait', 'waiting on items', String.raw`consumer 1: waiting on queue items \(empty\), step 1 of 8 \(get items\), ${TIME}`],
    ['bounded-queue', 'sequential', 0, 'queue-wait', 'waiting on items', String.raw`producer: waiting on queue items \(full: 2 of 2\), step 6 of 16 \(put items\), ${TIME}, for ever: the program hangs \(nobody is left to end the wait\)`],
    ['barrier', 'threads', 0, 'barrier-wait', 'at barrier start', String.raw`fast: waiting at barrier start \(1, then 2 of 3 arrived\), step 2 of 3 \(barrier start\), ${TIME}`],
    ['barrier', 'threads', 1, 'barrier-wait', 'at barrier start', String.raw`medium: waiting at barrier start \(2 of 3 arrived\), step 2 of 3 \(barrier start\), ${TIME}`],
    ['semaphore', 'threads', 1, 'event-wait', 'waiting for ready', String.raw`w1: waiting for event ready \(not set\), step 1 of 4 \(wait ready\), ${TIME}`],
    ['semaphore', 'asyncio', 1, 'lock-wait', 'waiting for pool', String.raw`w1: waiting for semaphore pool \(held by w2 and w3, 2 of 2\), step 2 of 4 \(acquire pool\), ${TIME}`],
  ] as const)('%s, %s, task %i: %s, "%s"', (name, model, task, state, label, detail) => {
    const { s, r } = name === 'semaphore' ? { s: semaphore, r: runModel(semaphore, { model }) } : runOf(name, model);
    const waits = buildLanes(r, s, 'tasks')[task].marks.filter((m) => m.paint.by === 'state' && m.paint.state === state);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0].label).toBe(label);
    expect(waits[0].detail()).toMatch(re(detail));
  });

  // Each object's lane: its holders, items, flag or arrivals, span by span (label, what is stacked, tooltip).
  const holder = (task: number) => ({ by: 'task', task, kind: 'hold' });
  it.each([
    ['deadlock', 'threads', 'sync-alice', [['alice → bob', holder(0), undefined, String.raw`lock alice: held by alice → bob; bob → alice waiting for it, ${TIME}, until the program is killed \(deadlock\)`]]],
    [
      'deadlock',
      'sequential',
      'sync-alice',
      [
        ['alice → bob', holder(0), undefined, String.raw`lock alice: held by alice → bob, ${TIME}`],
        ['', { by: 'object', type: 'lock' }, [], String.raw`lock alice: free, ${TIME}`],
        ['bob → alice', holder(1), undefined, String.raw`lock alice: held by bob → alice, ${TIME}`],
      ],
    ],
    [
      'bounded-queue',
      'threads',
      'sync-items',
      [
        ['0/2', { by: 'object', type: 'queue' }, [], String.raw`queue items: 0 of 2 items \(empty\); consumer 1 and consumer 2 waiting on it, ${TIME}`],
        ['1/2', { by: 'object', type: 'queue' }, [0.5], String.raw`queue items: 1 of 2 items, ${TIME}`],
        ['2/2', { by: 'object', type: 'queue' }, [1], String.raw`queue items: 2 of 2 items \(full\); producer waiting on it, ${TIME}`],
        ['1/2', { by: 'object', type: 'queue' }, [0.5], String.raw`queue items: 1 of 2 items, ${TIME}`],
        ['0/2', { by: 'object', type: 'queue' }, [], String.raw`queue items: 0 of 2 items \(empty\), ${TIME}`],
      ],
    ],
    [
      'barrier',
      'threads',
      'sync-start',
      [
        ['1/3', holder(0), [1 / 3], String.raw`barrier start: 1 of 3 arrived \(fast\), waiting for 2 more, ${TIME}`],
        ['2/3', holder(0), [1 / 3, 1 / 3], String.raw`barrier start: 2 of 3 arrived \(fast and medium\), waiting for 1 more, ${TIME}`],
        ['', { by: 'object', type: 'barrier' }, [], String.raw`barrier start: nobody waiting, ${TIME}`],
      ],
    ],
    [
      'semaphore',
      'asyncio',
      'sync-pool',
      [
        ['2/2', holder(2), [0.5, 0.5], String.raw`semaphore pool: held by w2 and w3 \(2 of 2\); w1 waiting for it, ${TIME}`],
        ['1/2', holder(1), [0.5], String.raw`semaphore pool: held by w1 \(1 of 2\), ${TIME}`],
      ],
    ],
    [
      'semaphore',
      'asyncio',
      'sync-ready',
      [
        ['', { by: 'object', type: 'event' }, [], String.raw`event ready: not set; w1 waiting for it, ${TIME}`],
        ['set', { by: 'object', type: 'event' }, undefined, String.raw`event ready: set \(wait\(\) returns at once\), ${TIME}`],
      ],
    ],
  ] as [string, string, string, [string, object, number[] | undefined, string][]][])('%s, %s: %s', (name, model, id, want) => {
    const { s, r } = name === 'semaphore' ? { s: semaphore, r: runModel(semaphore, { model: model as 'asyncio' }) } : runOf(name, model);
    for (const view of ['tasks', 'cores'] as const) {
      const lane = buildLanes(r, s, view).find((l) => l.id === id)!;
      expect(lane.marks.map((m) => [m.label, m.paint, m.parts?.map((p) => +p.share.toFixed(4))])).toEqual(want.map(([l, p, parts]) => [l, p, parts?.map((x) => +x.toFixed(4))]));
      lane.marks.forEach((m, i) => expect(m.detail()).toMatch(re(want[i][3])));
    }
  });

  it('a semaphore\'s holders are stacked in their colours, each a value-th of the lane', () => {
    const r = runModel(semaphore, { model: 'asyncio' });
    const [both] = buildLanes(r, semaphore, 'tasks').find((l) => l.id === 'sync-pool')!.marks;
    expect(both.parts).toEqual([
      { paint: holder(2), share: 0.5, label: 'w2' },
      { paint: holder(3), share: 0.5, label: 'w3' },
    ]);
  });

  // The run's marks: on the task's lane per task; per core, where it happened.
  const pins = (lanes: Lane[]) => lanes.flatMap((l) => (l.pins ?? []).map((p) => [l.id, p.kind]));
  it.each([
    ['deadlock', 'threads', undefined, 'tasks', [['task-0', 'deadlock'], ['task-1', 'deadlock']]],
    // Per core, each deadlocked task's mark is on the lock it waits for.
    ['deadlock', 'threads', undefined, 'cores', [['sync-alice', 'deadlock'], ['sync-bob', 'deadlock']]],
    ['bounded-queue', 'sequential', undefined, 'cores', [['sync-items', 'deadlock']]],
    ['errors-threads', 'threads', 'thread', 'tasks', [['task-1', 'raised']]],
    ['errors-processes', 'processes', undefined, 'tasks', [['task-1', 'raised'], ['task-2', 'crash'], ['task-2', 'broken'], ['task-3', 'broken'], ['task-4', 'broken']]],
    // The task that never started has no core to be marked on; the crashed one died as its wait ended, and the long
    // one was killed waiting: their marks are on their I/O lanes.
    ['errors-processes', 'processes', undefined, 'cores', [['core-0', 'raised'], ['wait-2', 'crash'], ['wait-2', 'broken'], ['wait-3', 'broken']]],
    ['errors-asyncio', 'asyncio', undefined, 'tasks', [['task-0', 'cancelled'], ['task-1', 'raised'], ['task-2', 'cancelled']]],
    // Raised as its sleep ended, cancelled while sleeping: on their lanes in the I/O band (no core ran them then).
    ['errors-asyncio', 'asyncio', undefined, 'cores', [['wait-0', 'cancelled'], ['wait-1', 'raised'], ['wait-2', 'cancelled']]],
  ] as const)('%s, %s %s, per %s: marks where they happened', (name, model, api, view, want) => {
    const { s, r } = runOf(name, model, api);
    expect(pins(buildLanes(r, s, view))).toEqual(want);
  });

  it('a mark\'s tooltip is its text and its time', () => {
    const { s, r } = runOf('errors-processes', 'processes');
    const lanes = buildLanes(r, s, 'tasks');
    expect(lanes[1].pins!.map((p) => p.detail())).toEqual([expect.stringMatching(/^raises: ValueError, at 10\d\.\d ms$/)]);
    expect(lanes[2].pins!.map((p) => p.detail())).toEqual([expect.stringMatching(/^crashes: worker process died \(os\._exit\), at 50\d\.\d ms$/), expect.stringMatching(/^crashes: BrokenProcessPool: a worker died, at 51\d\.\d ms$/)]);
  });

  it('lost updates: every stale write is marked with its count, on its task and on the core that ran it', () => {
    const r = runModel(lost, { model: 'threads' });
    expect(r.marks.length).toBeGreaterThan(3);
    const byTask = buildLanes(r, lost, 'tasks');
    // (A stale write over an older stale one gives updates back: a negative count.)
    expect(byTask.flatMap((l) => l.pins ?? []).map((p) => [p.kind, p.count])).toEqual(expect.arrayContaining([['lost', expect.any(Number)]]));
    expect(byTask.flatMap((l) => l.pins ?? []).every((p) => p.kind === 'lost' && p.count !== 0)).toBe(true);
    for (const [task, lane] of byTask.entries()) expect((lane.pins ?? []).map((p) => p.at)).toEqual(r.marks.filter((m) => m.task === task).map((m) => m.at));
    const perCore = buildLanes(r, lost, 'cores');
    expect(perCore.flatMap((l) => l.pins ?? []).length).toBe(r.marks.length);
    expect(new Set(perCore.filter((l) => l.pins?.length).map((l) => l.id.split('-')[0]))).toEqual(new Set(['core']));
    expect(byTask[1].pins![0].detail()).toMatch(/^t2: wrote back a stale counter: [\d,]+ updates lost, at [\d.]+ ms$/);
  });
});

describe('foldWaiting: the waiting band as one lane, for the stage', () => {
  const wait = (task: number, name: string, ...xs: [number, number][]): Lane => ({
    id: `wait-${task}`, label: name, thin: true, band: task === 0 ? 'waiting on I/O (no core)' : undefined,
    marks: xs.map(([start, end]) => ({ start, end, paint: { by: 'task', task, kind: 'io' }, label: '', detail: () => '' })),
  });
  const core: Lane = { id: 'core-0', label: 'CPU 0', marks: [] };
  const folded = (lanes: Lane[]) => foldWaiting(lanes).map((l) => ({ id: l.id, label: l.label, band: l.band ?? null, marks: l.marks.map((m) => [m.start, m.end, (m.parts ?? []).map((p) => `${p.label}:${p.share.toFixed(2)}`).join(' '), m.detail()]) }));

  it.each([
    [
      'overlapping waits stack, each a third of the row, in task order',
      [core, wait(0, 'Doc', [0, 2]), wait(1, 'Grumpy', [1, 3]), wait(2, 'Happy', [4, 5])],
      [
        [0, 1, 'Doc:0.33', 'waiting on I/O: Doc, 0.0 ms → 1.000 s (1.000 s)'],
        [1, 2, 'Doc:0.33 Grumpy:0.33', 'waiting on I/O: Doc, Grumpy, 1.000 s → 2.000 s (1.000 s)'],
        [2, 3, 'Grumpy:0.33', 'waiting on I/O: Grumpy, 2.000 s → 3.000 s (1.000 s)'],
        [4, 5, 'Happy:0.33', 'waiting on I/O: Happy, 4.000 s → 5.000 s (1.000 s)'],
      ],
    ],
    [
      'a wait that ends as the same task\'s next begins is one mark; another task\'s taking over at that instant is a new one',
      [core, wait(0, 'Doc', [0, 1], [1, 2]), wait(1, 'Grumpy', [2, 3])],
      [
        [0, 2, 'Doc:0.50', 'waiting on I/O: Doc, 0.0 ms → 2.000 s (2.000 s)'],
        [2, 3, 'Grumpy:0.50', 'waiting on I/O: Grumpy, 2.000 s → 3.000 s (1.000 s)'],
      ],
    ],
  ] as [string, Lane[], unknown[]][])('%s', (_, lanes, marks) => {
    const out = folded(lanes);
    expect(out.map((l) => l.id)).toEqual(['core-0', 'wait-all']);
    expect(out[1]).toMatchObject({ label: `${lanes.length - 1} tasks`, band: 'waiting on I/O (no core)' });
    expect(out[1].marks).toEqual(marks);
  });

  it('keeps a band of one lane as it is, and moves the band\'s instant marks to the folded lane in time order', () => {
    const one = [core, wait(0, 'Doc', [0, 1])];
    expect(foldWaiting(one)).toBe(one);
    const a = wait(0, 'Doc', [0, 1]);
    const b = wait(1, 'Grumpy', [0, 1]);
    a.pins = [{ at: 0.8, kind: 'raised', detail: () => 'late' }];
    b.pins = [{ at: 0.2, kind: 'cancelled', detail: () => 'early' }];
    expect(foldWaiting([core, a, b])[1].pins!.map((p) => p.detail())).toEqual(['early', 'late']);
  });
});

describe('stageRows: rows on the projector', () => {
  const lanes = (n: number, waits: number): Lane[] => [
    ...Array.from({ length: n }, (_, i): Lane => ({ id: `core-${i}`, label: `CPU ${i}`, marks: [] })),
    ...Array.from({ length: waits }, (_, i): Lane => ({ id: `wait-${i}`, label: `T${i}`, thin: true, band: i === 0 ? 'waiting' : undefined, marks: [] })),
  ];
  it.each([
    // 254 px for a 2 × 2 grid's cell at 1280 × 720: four cores and seven waits get 12 px rows, 15 px apart: crowded.
    [lanes(4, 7), { font: 18, height: 254 }, { row: 12, gap: 3 }, true],
    [lanes(4, 1), { font: 18, height: 254 }, { row: 30, gap: 3 }, false],
    // An embed squeezes rows down to 6 px, 1 px apart; it never folds (its labels shrink to the rows instead).
    [lanes(4, 7), { font: 9, height: 60, squeeze: true }, { row: 6, gap: 1 }, true],
  ] as const)('%#: %j in %j', (ls, stage, want, crowd) => {
    expect(stageRows(ls, stage, false)).toMatchObject(want);
    expect(crowded(ls, stage, false)).toBe(crowd);
  });
  it('a deadlocked run\'s strip above the lanes takes a band\'s height from the rows', () => {
    expect(stageRows(lanes(4, 1), { font: 18, height: 200 }, true).row).toBeLessThan(stageRows(lanes(4, 1), { font: 18, height: 200 }, false).row);
  });
});
