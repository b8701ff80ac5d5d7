import { describe, expect, it } from 'vitest';
import { simulateScenario } from '../../src/sim/simulate.ts';
import { drawGlyph, glyph, polyPath } from '../../src/ui/chart/glyphs.ts';
import type { Paint } from '../../src/ui/chart/lanes.ts';
import type { PixelMark, PixelPin } from '../../src/ui/chart/pixels.ts';
import { KIND_SWATCH, LEGEND, legendEntries, legendExtras, NO_TASK_COLOUR, OBJECT_COLOUR, paintStyle, PIN_ORDER, STATE_COLOURS, STATE_LEGEND, STATE_PATTERNS, SYNC_STATE_LEGEND, TASK_COLOURS } from '../../src/ui/chart/paint.ts';
import { DENSE, HALO, isDense, paintChart, type ChartContext, type PaintRow } from '../../src/ui/chart/paintChart.ts';
import { loadScenario } from './helpers.ts';

/** A 2D context that records what is drawn, with the fill, alpha and font in force at each call. */
class Recorder implements ChartContext {
  fillStyle: ChartContext['fillStyle'] = '#000';
  globalAlpha = 1;
  font = '';
  textBaseline: CanvasTextBaseline = 'alphabetic';
  transform: number[] = [];
  rects: { fill: unknown; alpha: number; x: number; y: number; w: number; h: number }[] = [];
  texts: { text: string; x: number; y: number; fill: unknown; halo?: boolean }[] = [];
  strokeStyle: ChartContext['strokeStyle'] = '#000';
  lineWidth = 1;
  lineJoin: CanvasLineJoin = 'miter';
  /** Paths as drawn: their ops, then how they were finished ('fill <colour>', 'stroke <colour>'). */
  paths: string[][] = [];
  private path: string[] = [];
  beginPath() {
    this.path = [];
    this.paths.push(this.path);
  }
  arc(x: number, y: number, r: number) {
    this.path.push(`arc ${x},${y} r${r}`);
  }
  moveTo(x: number, y: number) {
    this.path.push(`M${x},${y}`);
  }
  lineTo(x: number, y: number) {
    this.path.push(`L${x},${y}`);
  }
  closePath() {
    this.path.push('Z');
  }
  fill() {
    this.path.push(`fill ${String(this.fillStyle)}`);
  }
  stroke() {
    this.path.push(`stroke ${String(this.strokeStyle)}`);
  }
  strokeText(text: string) {
    this.halos.push(text);
  }
  halos: string[] = [];
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
    ['start-up: grey checkerboard', { by: 'task', task: 4, kind: 'startup' }, { fill: NO_TASK_COLOUR, pattern: 'checker', opacity: 1 }],
    ['overhead of a task: its colour, crossed, faded', { by: 'task', task: 4, kind: 'overhead' }, { fill: TASK_COLOURS[4], pattern: 'cross', opacity: 0.8 }],
    ['overhead of nobody: grey, crossed', { by: 'task', task: -1, kind: 'overhead' }, { fill: NO_TASK_COLOUR, pattern: 'cross', opacity: 0.8 }],
    ['waiting on I/O: dotted, lighter than work (yet clear on a projector)', { by: 'task', task: 5, kind: 'io' }, { fill: TASK_COLOURS[5], pattern: 'dots', opacity: 0.7 }],
    ['a blocking call on the loop: the blocked colour, solid (the tasks it blocks are hatched)', { by: 'task', task: 5, kind: 'loop-blocking' }, { fill: STATE_COLOURS.blocked, pattern: 'none', opacity: 1 }],
    ['task colours cycle after the palette', { by: 'task', task: TASK_COLOURS.length + 1, kind: 'python' }, { fill: TASK_COLOURS[1], pattern: 'none', opacity: 1 }],
    ['state running: plain', { by: 'state', state: 'running' }, { fill: STATE_COLOURS.running, pattern: 'none', opacity: 1 }],
    ['state waiting for the GIL: hatched', { by: 'state', state: 'gil-wait' }, { fill: STATE_COLOURS['gil-wait'], pattern: 'hatch', opacity: 1 }],
    ['state blocked: hatched', { by: 'state', state: 'blocked' }, { fill: STATE_COLOURS.blocked, pattern: 'hatch', opacity: 1 }],
    ['state I/O: dotted', { by: 'state', state: 'io' }, { fill: STATE_COLOURS.io, pattern: 'dots', opacity: 1 }],
    ['state waiting for a core: crossed', { by: 'state', state: 'cpu-wait' }, { fill: STATE_COLOURS['cpu-wait'], pattern: 'cross', opacity: 1 }],
    ['state queued: plain', { by: 'state', state: 'queued' }, { fill: STATE_COLOURS.queued, pattern: 'none', opacity: 1 }],
  ];
  it.each(cases)('%s', (_, p, want) => expect(paintStyle(p)).toEqual(want));

  it('no two kinds in the per-core legend share a pattern, whatever the theme does to their greys', () => {
    const patterns = LEGEND.map((l) => l.pattern);
    expect(new Set(patterns).size, patterns.join(' ')).toBe(patterns.length - patterns.filter((p) => p === 'none').length + 1);
    // The only shared one: pure Python and the loop blocked, both solid, told apart by colour (a task's, or the blocked red).
    expect(LEGEND.filter((l) => l.pattern === 'none').map((l) => l.fill)).toEqual([KIND_SWATCH, STATE_COLOURS.blocked]);
  });

  it('the task blocking the loop never looks like the tasks it blocks', () => {
    const culprit = paintStyle({ by: 'task', task: 0, kind: 'loop-blocking' });
    const victim = paintStyle({ by: 'state', state: 'blocked' });
    expect([culprit.fill, culprit.pattern]).not.toEqual([victim.fill, victim.pattern]);
  });

  it('every state the per-task view draws has its own colour', () => {
    const fills = STATE_LEGEND.map((s) => STATE_COLOURS[s]);
    expect(new Set(fills).size).toBe(fills.length);
  });
});

describe('the waits on synchronisation objects: distinct from each other and from every other state', () => {
  const lum = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const drawn = [...STATE_LEGEND, ...SYNC_STATE_LEGEND.map(([s]) => s)];

  it.each([
    ['lock-wait', 'bars'],
    ['queue-wait', 'rows'],
    ['event-wait', 'slant'],
    ['barrier-wait', 'checker'],
  ] as const)('%s has a pattern no other state has (%s)', (state, pattern) => {
    expect(paintStyle({ by: 'state', state })).toMatchObject({ fill: STATE_COLOURS[state], pattern, opacity: 1 });
    expect(drawn.filter((s) => STATE_PATTERNS[s] === pattern)).toEqual([state]);
  });

  it('every state has its own colour', () => {
    const fills = drawn.map((s) => STATE_COLOURS[s]);
    expect(new Set(fills).size).toBe(fills.length);
  });

  it('in greyscale, states that share a pattern are apart in lightness (relative luminance at least 0.15 apart)', () => {
    for (const a of drawn) for (const b of drawn) if (a < b && STATE_PATTERNS[a] === STATE_PATTERNS[b]) expect(Math.abs(lum(STATE_COLOURS[a]) - lum(STATE_COLOURS[b])), `${a} / ${b}`).toBeGreaterThanOrEqual(0.15);
  });

  it('a dark fill has white labels (the barrier wait); the rest keep black', () => {
    expect(paintStyle({ by: 'state', state: 'barrier-wait' }).ink).toBe('#fff');
    for (const s of drawn.filter((x) => x !== 'barrier-wait')) expect(paintStyle({ by: 'state', state: s }).ink).toBeUndefined();
  });

  it.each([
    ['a lock\'s holder: the holder\'s colour, plain', { by: 'task', task: 3, kind: 'hold' }, { fill: TASK_COLOURS[3], pattern: 'none', opacity: 1 }],
    ['a queue\'s items: the objects\' grey, in rows (as a queue wait)', { by: 'object', type: 'queue' }, { fill: OBJECT_COLOUR, pattern: 'rows', opacity: 1 }],
    ['an event set: the objects\' grey, plain', { by: 'object', type: 'event' }, { fill: OBJECT_COLOUR, pattern: 'none', opacity: 1 }],
  ] as [string, Paint, object][])('%s', (_, p, want) => expect(paintStyle(p)).toEqual(want));
});

describe('paintChart: object lanes and instant marks on the canvas', () => {
  const stacked = (x: number, w: number, share: number, label: string): PixelMark => ({
    ...mark(x, w, 0, 'python', label), paint: { by: 'object', type: 'queue' }, parts: share ? [{ paint: { by: 'object', type: 'queue' }, share, label: '' }] : [],
  });
  const pin = (x: number, kind: PixelPin['kind'], count?: number): PixelPin => ({ x, at: x / 100, kind, merged: 1, count, detail: () => '' });
  const rows: PaintRow[] = [
    { y: 0, h: 20, r: 7, marks: [mark(0, 200, 0, 'python', 'Doc')], pins: [pin(100, 'raised'), pin(300, 'lost', 12500)] },
    { y: 30, h: 20, marks: [stacked(0, 100, 0.5, '1/2'), stacked(100, 100, 0, '0/2'), { ...mark(200, 200, 0, 'python', 'at barrier b'), paint: { by: 'state', state: 'barrier-wait' } }] },
  ];
  const r = paint(rows);

  it('a half-full queue is its share of the lane, from the bottom; an empty one draws nothing', () => {
    const fills = r.rects.filter((x) => x.fill === OBJECT_COLOUR);
    expect(fills.map((x) => [x.x, x.y, x.h])).toEqual([[0, 40, 10]]);
  });

  it('labels over a part-filled lane have a halo; a dark fill\'s label is white', () => {
    expect(r.halos).toEqual(['1/2', '0/2', '−12.5k']);
    expect(r.texts.find((t) => t.text === 'at barrier b')?.fill).toBe('#fff');
    expect(r.texts.find((t) => t.text === '1/2')?.fill).toBe(HALO.ink);
    expect(r.texts.find((t) => t.text === 'Doc')?.fill).toBe('#000');
  });

  it('instant marks are drawn on top, as the glyphs the SVG draws, with a lost-update count beside', () => {
    const alone = new Recorder();
    drawGlyph(alone, [...glyph('raised', 100, 10, 7), ...glyph('lost', 300, 10, 7)]);
    expect(r.paths).toEqual(alone.paths);
    expect(r.paths[0].join(' ')).toBe('arc 100,10 r7 fill #1a1a1a stroke #ffffff');
    expect(r.paths.at(-1)!.at(-3)).toBe('Z');
    expect(r.texts.find((t) => t.text === '−12.5k')).toMatchObject({ x: 309, y: 10 });
  });

  it('the bar label steps past a mark at its start', () => {
    const p = paint([{ y: 0, h: 20, r: 7, marks: [mark(0, 200, 0, 'python', 'Doc')], pins: [pin(2, 'deadlock')] }]);
    expect(p.texts[0]).toMatchObject({ text: 'Doc', x: 12 });
  });

  it('instant marks count towards drawing on a canvas', () => {
    const few = [{ y: 0, h: 9, marks: [mark(0, 1, 0, 'python')], pins: Array.from({ length: Math.ceil(DENSE.marks / 3) }, (_, i) => pin(i, 'lost', 1)) }];
    expect(isDense([{ ...few[0], pins: few[0].pins.slice(0, 10) }])).toBe(false);
    expect(isDense(few)).toBe(true);
  });
});

describe('glyphs: one set of shapes for the SVG, the canvas and the legend', () => {
  it.each(PIN_ORDER.map((k) => [k]))('%s: a badge inside its radius, outlined to read on any fill', (kind) => {
    const ops = glyph(kind, 50, 20, 8);
    expect(ops.length).toBeGreaterThan(0);
    for (const o of ops) {
      const pts = o.op === 'circle' ? [[o.cx - o.r, o.cy - o.r], [o.cx + o.r, o.cy + o.r]] : o.points;
      for (const [px, py] of pts) expect(Math.max(Math.abs(px - 50), Math.abs(py - 20))).toBeLessThanOrEqual(8 + 1e-9);
    }
    expect(ops[0].stroke).toBeDefined();
  });

  it('each kind looks different', () => {
    const looks = new Set(PIN_ORDER.filter((k) => k !== 'broken').map((k) => JSON.stringify(glyph(k, 0, 0, 1))));
    expect(looks.size).toBe(PIN_ORDER.length - 1);
    // A crash and the broken pool it causes share the bolt.
    expect(glyph('broken', 0, 0, 1)).toEqual(glyph('crash', 0, 0, 1));
  });

  it('an SVG path of a poly, closed or not', () => {
    expect(polyPath({ op: 'poly', points: [[0, 0], [1.25, 2], [3, 0.04]], closed: true })).toBe('M0,0L1.3,2L3,0Z');
    expect(polyPath({ op: 'poly', points: [[0, 0], [1, 1]], closed: false })).toBe('M0,0L1,1');
  });
});

describe('legendExtras: the legend shows the new states and marks only for runs that have them', () => {
  const load = (name: string) => loadScenario(`scenarios/${name}.json`);
  it.each([
    ['deadlock', [1], { states: ['lock-wait'], objects: ['lock'], pins: ['deadlock'], hang: true }],
    ['deadlock', [0], { states: [], objects: ['lock'], pins: [], hang: false }],
    ['bounded-queue', [1], { states: ['queue-wait'], objects: ['queue'], pins: [], hang: false }],
    ['barrier', [1, 2], { states: ['barrier-wait'], objects: ['barrier'], pins: [], hang: false }],
    ['errors-processes', [1], { states: [], objects: [], pins: ['crash', 'broken', 'raised'], hang: false }],
    ['seven-dwarfs', [0, 1, 2, 3], { states: [], objects: [], pins: [], hang: false }],
  ] as [string, number[], object][])('%s, runs %j', (name, which, want) => {
    const s = load(name);
    const runs = simulateScenario(s);
    expect(legendExtras(s, which.map((i) => runs[i]))).toEqual(want);
  });

  it.each([
    ['deadlock', { states: ['lock-wait'], objects: ['lock'], pins: ['deadlock'], hang: true }],
    ['errors-processes', { states: [], objects: [], pins: ['crash', 'broken', 'raised'], hang: false }],
    ['seven-dwarfs', { states: [], objects: [], pins: [], hang: false }],
  ] as [string, object][])('without the runs, what %s can give rise to', (name, want) => expect(legendExtras(load(name))).toEqual(want));
});

describe('legendEntries: the legend names only what the charts on screen draw', () => {
  const load = (name: string) => loadScenario(`scenarios/${name}.json`);
  const P = 'pure Python (holds the GIL)';
  const IO = 'waiting on I/O (no core)';
  const UP = 'process start-up';
  const OVER = 'overhead (submit, pickle)';
  const BLOCKED = 'loop blocked';
  it.each([
    ['a sequential run of pure Python: pure Python alone', 'collatz', [0], [P], ['running', 'queued'], false],
    ['threads: no process start-up, no loop to block', 'convoy', [1], [P, IO, OVER], ['running', 'cpu-wait', 'gil-wait', 'io', 'queued'], false],
    ['a process pool starts its processes', 'collatz', [2], [P, UP, OVER], ['running', 'queued'], false],
    ['asyncio with a blocking call blocks its loop', 'blocking-loop', [0], [P, IO, OVER, BLOCKED], ['running', 'io', 'blocked', 'queued'], true],
    ['two charts: what either draws', 'blocking-loop', [1, 2], [P, IO, OVER], ['running', 'cpu-wait', 'gil-wait', 'io', 'queued'], false],
  ] as const)('%s', (_, name, which, kinds, states, blocking) => {
    const runs = simulateScenario(load(name));
    const got = legendEntries(which.map((i) => runs[i]));
    expect(got.kinds.map((k) => k.label)).toEqual(kinds);
    expect(got.states).toEqual(states);
    expect(got.blocking).toBe(blocking);
  });

  it('with no runs (a question not yet answered), every entry: nothing is given away', () => {
    expect(legendEntries([])).toEqual({ kinds: LEGEND, states: STATE_LEGEND, blocking: true });
  });
});
