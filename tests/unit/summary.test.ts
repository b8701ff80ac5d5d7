import { describe, expect, it } from 'vitest';
import { summarise, unionLength } from '../../src/sim/summary.ts';
import type { CoreSegment, GilSpan, ModelRun, TaskSpan, TaskState } from '../../src/sim/timeline.ts';
import { NO_REPORTS } from './helpers.ts';

const seg = (core: number, start: number, end: number): CoreSegment => ({ core, start, end, task: 0, step: 0, kind: 'python', thread: 1, threadLabel: 'T' });
const spans = (task: number, ...parts: [TaskState, number, number][]): TaskSpan[] => parts.map(([state, start, end]) => ({ task, state, start, end, step: 0 }));
const gil = (thread: number, start: number, end: number): GilSpan => ({ task: thread, thread, start, end, forced: false });

function run(parts: Partial<ModelRun>): ModelRun {
  return { model: 'threads', config: { model: 'threads' }, cores: 2, makespan: 4, tasks: [], coreSegments: [[], []], taskSpans: [], gil: [], loop: [], summary: {} as ModelRun['summary'], ...NO_REPORTS, ...parts };
}

describe('unionLength: the time covered by any of the intervals', () => {
  const cases: [string, [number, number][], number][] = [
    ['nothing', [], 0],
    ['one interval', [[1, 3]], 2],
    ['disjoint ones add up', [[0, 1], [2, 4]], 3],
    ['overlapping ones count once', [[0, 2], [1, 3]], 3],
    ['nested ones count once', [[0, 5], [1, 2]], 5],
    ['touching ones join', [[0, 1], [1, 2]], 2],
    ['order does not matter', [[5, 6], [0, 1], [0.5, 2]], 3],
    ['empty and reversed intervals count nothing', [[1, 1], [3, 2]], 0],
  ];
  it.each(cases)('%s', (_, xs, want) => expect(unionLength(xs.map(([start, end]) => ({ start, end })))).toBeCloseTo(want, 12));
});

describe('the summary figures', () => {
  it('speedup is the sequential makespan over this one', () => {
    expect(summarise(run({ makespan: 4 }), 10).speedup).toBe(2.5);
    expect(summarise(run({ makespan: 0 }), 10).speedup).toBe(1);
  });

  it('utilisation is busy core time over cores × makespan', () => {
    const r = run({ makespan: 4, cores: 2, coreSegments: [[seg(0, 0, 1), seg(0, 2, 4)], [seg(1, 0, 1)]] });
    expect(summarise(r, 4).utilisation).toBe(4 / 8);
    expect(summarise(run({ makespan: 0 }), 0).utilisation).toBe(0);
  });

  it('GIL switches count hand-offs: one fewer than the holds', () => {
    expect(summarise(run({ gil: [] }), 4).gilSwitches).toBe(0);
    expect(summarise(run({ gil: [gil(0, 0, 1)] }), 4).gilSwitches).toBe(0);
    expect(summarise(run({ gil: [gil(0, 0, 1), gil(1, 1, 2), gil(0, 2, 4)] }), 4).gilSwitches).toBe(2);
  });

  it('GIL wait is per task and summed; loop blocked is the time any task was blocked', () => {
    const r = run({
      taskSpans: [
        spans(0, ['queued', 0, 1], ['gil-wait', 1, 1.5], ['running', 1.5, 2], ['gil-wait', 2, 3], ['done', 3, 4]),
        spans(1, ['blocked', 0, 2], ['gil-wait', 2, 2.25], ['done', 2.25, 4]),
        spans(2, ['io', 0, 1], ['blocked', 1, 3], ['done', 3, 4]),
      ],
    });
    const s = summarise(r, 4);
    expect(s.gilWaitByTask).toEqual([1.5, 0.25, 0]);
    expect(s.gilWait).toBe(1.75);
    expect(s.loopBlocked).toBe(3);
    expect(s.makespan).toBe(4);
  });
});
