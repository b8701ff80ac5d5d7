import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clampWindow, follow, MIN_WINDOW, transformOfWindow, windowOfTransform, zoomAround, type TimeWindow } from '../../src/ui/chart/zoom.ts';
import { runs } from './helpers.ts';

describe('clampWindow', () => {
  const cases: [string, TimeWindow | undefined, TimeWindow | undefined][] = [
    ['inside the run: kept', [2, 3], [2, 3]],
    ['no window: the whole run', undefined, undefined],
    ['the whole run: no window', [0, 10], undefined],
    ['wider than the run: the whole run', [-5, 20], undefined],
    ['past the end: moved back inside, same width', [9, 12], [7, 10]],
    ['before zero: moved inside', [-1, 1], [0, 2]],
    ['backwards: put the right way round', [3, 2], [2, 3]],
    ['narrower than a millisecond: grown around its middle', [5, 5], [5 - MIN_WINDOW / 2, 5 + MIN_WINDOW / 2]],
    ['not numbers: the whole run', [NaN, 3], undefined],
  ];
  it.each(cases)('%s', (_, w, want) => {
    const got = clampWindow(w, 10);
    if (want === undefined) expect(got).toBeUndefined();
    else got!.forEach((v, i) => expect(v).toBeCloseTo(want[i], 9));
  });
});

describe('zoomAround', () => {
  it('twice as close keeps the instant under the pointer where it was', () => {
    expect(zoomAround(undefined, 10, 2.5, 2)).toEqual([1.25, 6.25]);
    expect(zoomAround([1.25, 6.25], 10, 2.5, 0.5)).toBeUndefined();
  });
  it('stops at a millisecond', () => {
    let w: TimeWindow | undefined;
    for (let i = 0; i < 40; i++) w = zoomAround(w, 10, 3, 2);
    expect(w![1] - w![0]).toBeCloseTo(MIN_WINDOW, 12);
  });
});

describe('follow: a playing playhead stays in view', () => {
  it('inside the window: unchanged', () => expect(follow([2, 4], 10, 3)).toEqual([2, 4]));
  it('past the right edge: the window moves so the playhead is a tenth of the way in', () => expect(follow([2, 4], 10, 4.5)).toEqual([4.3, 6.3]));
  it('at the end of the run: the last window', () => expect(follow([2, 4], 10, 9.9)).toEqual([8, 10]));
  it('not zoomed: nothing to follow', () => expect(follow(undefined, 10, 4.5)).toBeUndefined());
});

describe("d3-zoom's transform and the window", () => {
  it('are inverses (a plot from x0 = 96 px, 700 px wide, a 43 s run)', () =>
    fc.assert(
      fc.property(fc.double({ min: 0, max: 40, noNaN: true }), fc.double({ min: 0.01, max: 3, noNaN: true }), (a, w) => {
        const win: TimeWindow = [a, a + w];
        const back = windowOfTransform(transformOfWindow(win, 43, 96, 700), 43, 96, 700)!;
        expect(back[0]).toBeCloseTo(win[0], 6);
        expect(back[1]).toBeCloseTo(win[1], 6);
      }),
      runs(200),
    ));
  it('the identity transform is the whole run', () => {
    expect(transformOfWindow(undefined, 43, 96, 700)).toEqual({ k: 1, x: 0 });
    expect(windowOfTransform({ k: 1, x: 0 }, 43, 96, 700)).toBeUndefined();
  });
});
