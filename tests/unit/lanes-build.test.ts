import { describe, expect, it } from 'vitest';
import type { CoreSegment, ModelRun, TaskSpan } from '../../src/sim/timeline.ts';
import type { Scenario } from '../../src/sim/types.ts';
import { buildLanes, type Lane } from '../../src/ui/chart/lanes.ts';
import { NO_REPORTS } from './helpers.ts';

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
