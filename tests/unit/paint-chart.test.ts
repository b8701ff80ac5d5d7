import { describe, expect, it } from 'vitest';
import type { Paint } from '../../src/ui/chart/lanes.ts';
import type { PixelMark } from '../../src/ui/chart/pixels.ts';
import { NO_TASK_COLOUR, paintStyle, STATE_COLOURS, STATE_LEGEND, TASK_COLOURS } from '../../src/ui/chart/paint.ts';
import { DENSE, isDense, paintChart, type ChartContext, type PaintRow } from '../../src/ui/chart/paintChart.ts';

/** A 2D context that records what is drawn, with the fill, alpha and font in force at each call. */
class Recorder implements ChartContext {
  fillStyle: ChartContext['fillStyle'] = '#000';
  globalAlpha = 1;
  font = '';
  textBaseline: CanvasTextBaseline = 'alphabetic';
  transform: number[] = [];
  rects: { fill: unknown; alpha: number; x: number; y: number; w: number; h: number }[] = [];
  texts: { text: string; x: number; y: number; fill: unknown }[] = [];
  setTransform(...m: unknown[]) {
    this.transform = m as number[];
  }
  clearRect() {}
  fillRect(x: number, y: number, w: number, h: number) {
    this.rects.push({ fill: this.fillStyle, alpha: this.globalAlpha, x, y, w, h });
  }
  fillText(text: string, x: number, y: number) {
    this.texts.push({ text, x, y, fill: this.fillStyle });
  }
}

const mark = (x: number, w: number, task: number, kind: 'python' | 'native' | 'io', label = ''): PixelMark => ({
  start: 0, end: 1, x, w, merged: 1, label, detail: () => '', paint: { by: 'task', task, kind },
});
const PATTERNS = { hatch: 'HATCH', dots: 'DOTS', cross: 'CROSS' };
const BOX = { plotW: 500, height: 100, dpr: 2 };

function paint(rows: PaintRow[]) {
  const r = new Recorder();
  paintChart(r, rows, BOX, PATTERNS);
  return r;
}

describe('paintChart (the canvas for dense charts)', () => {
  const rows: PaintRow[] = [
    { y: 4, h: 22, marks: [mark(0, 200, 0, 'python', 'Doc'), mark(200, 0.2, 1, 'python', 'Grumpy'), mark(210, 30, 1, 'native', 'Grumpy')] },
    { y: 45, h: 9, thin: true, marks: [mark(10, 100, 0, 'io'), mark(300, 1.5, 0, 'io')] },
  ];
  const r = paint(rows);

  it('draws in CSS pixels on a backing store scaled to the device pixel ratio', () => {
    expect(r.transform).toEqual([2, 0, 0, 2, 0, 0]);
  });

  it('fills each mark once in its paint, never narrower than 0.6 px', () => {
    const marks = r.rects.filter((x) => !Object.values(PATTERNS).includes(x.fill as string));
    expect(marks).toHaveLength(5);
    rows.flatMap((row) => row.marks).forEach((m, i) => {
      const st = paintStyle(m.paint);
      expect(marks[i]).toMatchObject({ fill: st.fill, alpha: st.opacity, x: m.x, w: Math.max(m.w, 0.6) });
    });
  });

  it('overlays the kind-of-work pattern only on patterned marks at least 2 px wide', () => {
    const overlays = r.rects.filter((x) => Object.values(PATTERNS).includes(x.fill as string));
    expect(overlays.map((o) => [o.fill, o.x])).toEqual([['HATCH', 210], ['DOTS', 10]]);
  });

  it('snaps mark edges to device pixels, so adjacent marks meet without a seam or overlap', () => {
    const snapped = paint([{ y: 0, h: 10, marks: [mark(10.3, 5.4, 0, 'python'), mark(15.7, 3, 1, 'python')] }]).rects;
    expect(snapped.map((x) => [x.x, x.x + x.w])).toEqual([[10.5, 15.5], [15.5, 18.5]]);
  });

  it('labels bars only where the text fits, and never in the thin waiting lanes', () => {
    expect(r.texts).toEqual([{ text: 'Doc', x: 4, y: 15, fill: '#000' }]);
  });
});

describe('isDense', () => {
  const lanes = (n: number, marksEach: number): PaintRow[] =>
    Array.from({ length: n }, (_, i) => ({ y: i * 10, h: 9, marks: Array.from({ length: marksEach }, (_, j) => mark(j, 1, 0, 'python')) }));
  const cases: [string, PaintRow[], boolean][] = [
    ['the seven dwarfs (12 lanes, a few marks) stay SVG', lanes(12, 2), false],
    [`more than ${DENSE.lanes} lanes go to canvas`, lanes(DENSE.lanes + 1, 1), true],
    [`exactly ${DENSE.lanes} lanes stay SVG`, lanes(DENSE.lanes, 1), false],
    [`more than ${DENSE.marks} marks go to canvas`, lanes(4, DENSE.marks / 4 + 1), true],
  ];
  for (const [name, rows, dense] of cases) it(name, () => expect(isDense(rows)).toBe(dense));
});

describe('paintStyle: what each kind of mark looks like', () => {
  const cases: [string, Paint, { fill: string; pattern: string; opacity: number }][] = [
    ['pure Python: the task colour, plain', { by: 'task', task: 2, kind: 'python' }, { fill: TASK_COLOURS[2], pattern: 'none', opacity: 1 }],
    ['the GIL lane: the holder colour, plain', { by: 'task', task: 1, kind: 'gil' }, { fill: TASK_COLOURS[1], pattern: 'none', opacity: 1 }],
    ['the main thread: grey', { by: 'task', task: -1, kind: 'gil' }, { fill: NO_TASK_COLOUR, pattern: 'none', opacity: 1 }],
    ['native code: hatched', { by: 'task', task: 0, kind: 'native' }, { fill: TASK_COLOURS[0], pattern: 'hatch', opacity: 1 }],
    ['native code on the loop: hatched', { by: 'task', task: 0, kind: 'loop-native' }, { fill: TASK_COLOURS[0], pattern: 'hatch', opacity: 1 }],
    ['Python on the loop: plain', { by: 'task', task: 3, kind: 'loop-cpu' }, { fill: TASK_COLOURS[3], pattern: 'none', opacity: 1 }],
    ['start-up: grey dots', { by: 'task', task: 4, kind: 'startup' }, { fill: NO_TASK_COLOUR, pattern: 'dots', opacity: 1 }],
    ['overhead of a task: its colour, crossed, faded', { by: 'task', task: 4, kind: 'overhead' }, { fill: TASK_COLOURS[4], pattern: 'cross', opacity: 0.8 }],
    ['overhead of nobody: grey, crossed', { by: 'task', task: -1, kind: 'overhead' }, { fill: NO_TASK_COLOUR, pattern: 'cross', opacity: 0.8 }],
    ['waiting on I/O: dotted, lighter than work (yet clear on a projector)', { by: 'task', task: 5, kind: 'io' }, { fill: TASK_COLOURS[5], pattern: 'dots', opacity: 0.7 }],
    ['a blocking call on the loop: the blocked colour, hatched', { by: 'task', task: 5, kind: 'loop-blocking' }, { fill: STATE_COLOURS.blocked, pattern: 'hatch', opacity: 1 }],
    ['task colours cycle after the palette', { by: 'task', task: TASK_COLOURS.length + 1, kind: 'python' }, { fill: TASK_COLOURS[1], pattern: 'none', opacity: 1 }],
    ['state running: plain', { by: 'state', state: 'running' }, { fill: STATE_COLOURS.running, pattern: 'none', opacity: 1 }],
    ['state waiting for the GIL: hatched', { by: 'state', state: 'gil-wait' }, { fill: STATE_COLOURS['gil-wait'], pattern: 'hatch', opacity: 1 }],
    ['state blocked: hatched', { by: 'state', state: 'blocked' }, { fill: STATE_COLOURS.blocked, pattern: 'hatch', opacity: 1 }],
    ['state I/O: dotted', { by: 'state', state: 'io' }, { fill: STATE_COLOURS.io, pattern: 'dots', opacity: 1 }],
    ['state waiting for a core: crossed', { by: 'state', state: 'cpu-wait' }, { fill: STATE_COLOURS['cpu-wait'], pattern: 'cross', opacity: 1 }],
    ['state queued: plain', { by: 'state', state: 'queued' }, { fill: STATE_COLOURS.queued, pattern: 'none', opacity: 1 }],
  ];
  it.each(cases)('%s', (_, p, want) => expect(paintStyle(p)).toEqual(want));

  it('every state the per-task view draws has its own colour', () => {
    const fills = STATE_LEGEND.map((s) => STATE_COLOURS[s]);
    expect(new Set(fills).size).toBe(fills.length);
  });
});
