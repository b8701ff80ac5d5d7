import { describe, expect, it } from 'vitest';
import { runModel } from '../../src/sim/simulate.ts';
import { applyPatch } from '../../src/sim/story.ts';
import { buildLanes, type Mark, type Paint, type Pin } from '../../src/ui/chart/lanes.ts';
import { fitLabel, labelAt, labelFits, labelOnLane, pieces, pinLabels, pinPixelsOf, pinsToPixels, toPixels, type PixelMark } from '../../src/ui/chart/pixels.ts';
import { timeScale } from '../../src/ui/chart/scale.ts';
import { loadScenario } from './helpers.ts';

const py = (task: number): Paint => ({ by: 'task', task, kind: 'python' });
/** A paint in a word: the task's index, the state's or the object's name. */
const said = (p: Paint) => (p.by === 'task' ? p.task : p.by === 'state' ? p.state : p.type);
const mark = (start: number, end: number, paint: Paint = py(0), label = `T${said(paint)}`): Mark => ({ start, end, paint, label, detail: () => `${label} ${start}–${end}` });
// 100 px for 1 s: 1 px = 10 ms.
const x = timeScale(1, 100);
/** `n` slices of `len` seconds from `t0`, round-robin over `paints` (a GIL's 5 ms hand-offs). */
const roundRobin = (t0: number, n: number, len: number, paints: Paint[]) => Array.from({ length: n }, (_, i) => mark(t0 + i * len, t0 + (i + 1) * len, paints[i % paints.length]));
const shares = (m: PixelMark) => (m.parts ?? []).map((p) => [said(p.paint), +p.share.toFixed(2)]);
const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

describe('toPixels: what a pixel column holds is what is drawn', () => {
  const cases: [string, Mark[], { n: number; merged: number[]; parts: (string | number)[][][] }][] = [
    ['marks a pixel or wider are kept one for one', [mark(0, 0.1), mark(0.1, 0.3, py(1))], { n: 2, merged: [1, 1], parts: [[], []] }],
    ['a lone slice narrower than a pixel is drawn as itself', [mark(0.1, 0.103)], { n: 1, merged: [1], parts: [[]] }],
    ['back-to-back slices of one task are one plain mark', [mark(0, 0.002), mark(0.002, 0.004), mark(0.004, 0.006)], { n: 1, merged: [3], parts: [[]] }],
    ['two tasks handing over every 5 ms: one mark, half each, in both colours', roundRobin(0, 200, 0.005, [py(0), py(1)]), { n: 1, merged: [200], parts: [[[0, 0.5], [1, 0.5]]] }],
    ['one task with gaps: its share of each column, the rest empty (the last column ends with its slice)', Array.from({ length: 50 }, (_, i) => mark(i * 0.01, i * 0.01 + 0.0025)), { n: 2, merged: [49, 1], parts: [[[0, 0.25]], []] }],
    [
      'the mix changes, the marks follow: interleaved, then one task alone',
      [...roundRobin(0, 100, 0.005, [py(0), py(1)]), ...roundRobin(0.5, 100, 0.005, [py(0)])],
      { n: 2, merged: [100, 100], parts: [[[0, 0.5], [1, 0.5]], []] },
    ],
    ['a gap of a whole column ends a run', [mark(0, 0.002), mark(0.002, 0.004, py(1)), mark(0.05, 0.052), mark(0.052, 0.054, py(1))], { n: 2, merged: [2, 2], parts: [[[0, 0.5], [1, 0.5]], [[0, 0.5], [1, 0.5]]] }],
    ['marks outside the window are left out', [mark(-0.5, -0.1), mark(1.1, 1.5), mark(0.2, 0.4)], { n: 1, merged: [1], parts: [[]] }],
  ];
  it.each(cases)('%s', (_, marks, want) => {
    const px = toPixels(marks, x);
    expect(px.length).toBe(want.n);
    expect(px.map((m) => m.merged)).toEqual(want.merged);
    expect(px.map(shares)).toEqual(want.parts);
  });

  it('seven tasks handing over every 5 ms at 10 ms a pixel: every column shows the two tasks it held, and over the run each task a seventh', () => {
    const px = toPixels(roundRobin(0, 700, 0.005, [0, 1, 2, 3, 4, 5, 6].map(py)), timeScale(3.5, 350));
    expect(px.every((m) => m.parts?.length === 2 && m.parts.every((p) => near(p.share, 0.5)))).toBe(true);
    const byTask = new Map<number, number>();
    for (const m of px) for (const p of m.parts!) if (p.paint.by === 'task') byTask.set(p.paint.task, (byTask.get(p.paint.task) ?? 0) + p.share * m.w);
    expect([...byTask.values()].map((v) => +(v / 350).toFixed(3))).toEqual(Array(7).fill(0.143));
  });

  it('parts stack in a fixed order, bottom up: the waits under "running", tasks by their order', () => {
    const [m] = toPixels(roundRobin(0, 6, 0.001, [{ by: 'state', state: 'running' }, { by: 'state', state: 'gil-wait' }]), x);
    expect(shares(m)).toEqual([['gil-wait', 0.5], ['running', 0.5]]);
    const [t] = toPixels(roundRobin(0, 6, 0.001, [py(2), py(0), { by: 'task', task: 0, kind: 'native' }]), x);
    expect(t.parts!.map((p) => (p.paint.by === 'task' ? `${p.paint.task}${p.paint.kind}` : ''))).toEqual(['0python', '0native', '2python']);
  });

  it('one task of three holding the GIL in turn: running a third of the time, waiting the rest, column by column', () => {
    const px = toPixels(roundRobin(0, 300, 0.005, [{ by: 'state', state: 'running' }, { by: 'state', state: 'gil-wait' }, { by: 'state', state: 'gil-wait' }]), timeScale(1.5, 150));
    let running = 0;
    for (const m of px) for (const p of pieces(m, 0, 1)) if (p.paint.by === 'state' && p.paint.state === 'running') running += p.h * m.w;
    expect(+(running / 150).toFixed(3)).toBe(0.333);
    expect(px.some((m) => m.parts?.length === 2)).toBe(true);
  });

  it('a mark crossing the window is clipped to it (a zoomed-in chart)', () => {
    const [m] = toPixels([mark(0.5, 3)], timeScale(1, 100));
    expect([m.x, m.w, m.start, m.end]).toEqual([50, 50, 0.5, 3]);
    const zoomed = timeScale(1, 100).domain([1, 2]);
    const [z] = toPixels([mark(0.5, 1.5), mark(2.5, 3)], zoomed);
    expect([z.x, z.w]).toEqual([0, 50]);
  });

  it('a slice across a column border gives each column its part of the slice', () => {
    // 2 ms of task 0 from 9 ms to 11 ms straddles columns 0 and 1, beside task 1 in each.
    const px = toPixels([mark(0.005, 0.009, py(1)), mark(0.009, 0.011), mark(0.011, 0.015, py(1))], x);
    expect(px).toHaveLength(1);
    expect(shares(px[0])).toEqual([[0, 0.2], [1, 0.8]]);
  });

  it('a merged mark spans its slices, keeps the paint of the largest share, and lists every share in its tooltip', () => {
    const [m] = toPixels([mark(0, 0.002, py(0), 'Doc'), mark(0.002, 0.008, py(1), 'Happy'), mark(0.008, 0.009, py(2), 'Sneezy')], x);
    expect([m.start, m.end, m.x, +m.w.toFixed(6)]).toEqual([0, 0.009, 0, 0.9]);
    expect(m.paint).toEqual(py(1));
    expect(m.label).toBe('');
    expect(m.detail()).toBe('3 slices too short to draw apart, 0.0 ms → 9.0 ms (9.0 ms): Happy 67%, Doc 22%, Sneezy 11%');
    const [gappy] = toPixels(Array.from({ length: 4 }, (_, i) => mark(i * 0.01, i * 0.01 + 0.005, py(0), 'Doc')), x);
    expect(gappy.detail()).toBe('3 slices too short to draw apart, 0.0 ms → 25.0 ms (25.0 ms): Doc 50%, nothing 50%');
  });

  it('a plain merged mark keeps its label and says how many slices it stands for; a single one keeps its own tooltip', () => {
    const [same] = toPixels([mark(0.1, 0.102, py(1), 'A'), mark(0.102, 0.104, py(1), 'A')], x);
    expect([same.label, same.detail()]).toEqual(['A', '2 slices too short to draw apart, 100.0 ms → 104.0 ms (4.0 ms)']);
    expect(toPixels([mark(0, 0.5, py(3))], x)[0].detail()).toBe('T3 0–0.5');
  });

  it('a tooltip over many tasks names the eight largest shares and sums up the rest', () => {
    const [m] = toPixels(roundRobin(0, 20, 0.0001, Array.from({ length: 20 }, (_, i) => py(i))), x);
    expect(m.detail()).toMatch(/: (T\d+ 5%, ){8}12 more 60%$/);
  });

  it('never has more marks than the lane has pixel columns, however many slices', () => {
    const px = toPixels(roundRobin(0, 20_000, 0.00005, [0, 1, 2].map(py)), x);
    expect(px.length).toBeLessThanOrEqual(100);
    expect(px.reduce((a, m) => a + m.merged, 0)).toBeGreaterThanOrEqual(20_000);
  });
});

describe('pieces: a mark as bands', () => {
  const base = { start: 0, end: 1, x: 0, w: 10, merged: 5, label: '', detail: () => '' };
  it('a plain mark fills its row', () => {
    expect(pieces({ ...base, paint: py(2) }, 10, 20)).toEqual([{ paint: py(2), y: 10, h: 20 }]);
  });
  it('parts stack from the bottom up, each as tall as its share; the time nothing ran stays empty at the top', () => {
    const m: PixelMark = { ...base, paint: py(0), parts: [{ paint: py(0), share: 0.5, label: 'a' }, { paint: py(1), share: 0.25, label: 'b' }] };
    expect(pieces(m, 10, 20)).toEqual([{ paint: py(0), y: 20, h: 10 }, { paint: py(1), y: 15, h: 5 }]);
  });
});

describe('honest charts of real runs', () => {
  const dwarfs = loadScenario('scenarios/seven-dwarfs.json');
  const cpuBound = applyPatch(dwarfs, { cpuShare: 1 });
  const run = runModel(cpuBound, { model: 'threads' });
  const scale = timeScale(run.makespan, 900);

  it('all CPU-bound under threads: no stretch of the cores is drawn in one task colour for longer than its slices ran', () => {
    for (const lane of buildLanes(run, cpuBound, 'cores').filter((l) => l.id.startsWith('core'))) {
      for (const m of toPixels(lane.marks, scale)) {
        if (m.parts || m.merged === 1) continue;
        // A plain merged mark is one task back to back: every slice in it is that task's.
        const inside = lane.marks.filter((s) => s.start >= m.start && s.end <= m.end);
        expect(inside.every((s) => s.paint.by === 'task' && m.paint.by === 'task' && s.paint.task === m.paint.task)).toBe(true);
      }
    }
  });

  it('the per-task view shows each task running for its share of every column it waits in', () => {
    const lanes = buildLanes(run, cpuBound, 'tasks');
    let interleaved = 0;
    for (const lane of lanes) {
      for (const m of toPixels(lane.marks, scale)) {
        if (!m.parts) continue;
        interleaved++;
        const running = m.parts.find((p) => p.paint.by === 'state' && p.paint.state === 'running')?.share ?? 0;
        const waiting = m.parts.find((p) => p.paint.by === 'state' && p.paint.state === 'gil-wait')?.share ?? 0;
        expect(running).toBeGreaterThan(0);
        expect(waiting).toBeGreaterThan(0);
        expect(running + waiting).toBeLessThanOrEqual(1 + 1e-9);
      }
    }
    expect(interleaved).toBeGreaterThan(lanes.length);
  });

  it('the shares in a column add up to the time the slices ran in it', () => {
    const lane = buildLanes(run, cpuBound, 'cores')[0];
    const px = toPixels(lane.marks, scale);
    const total = lane.marks.reduce((a, m) => a + Math.min(m.end, run.makespan) - m.start, 0);
    const drawn = px.reduce((a, m) => a + (m.parts ? m.parts.reduce((s, p) => s + p.share, 0) * (m.w * (scale.invert(1) - scale.invert(0))) : m.end - m.start), 0);
    expect(near(+drawn.toFixed(3), +total.toFixed(3)) || Math.abs(drawn - total) / total < 0.01).toBe(true);
  });
});

describe('labelFits', () => {
  const fits: [string, Partial<PixelMark>, boolean | undefined, boolean][] = [
    ['wide enough for its text', { label: 'Doc', w: 3 * 6.5 + 7 }, undefined, true],
    ['just too narrow', { label: 'Doc', w: 3 * 6.5 + 6 }, undefined, false],
    ['no text', { label: '', w: 500 }, undefined, false],
    ['in a thin lane', { label: 'Doc', w: 500 }, true, false],
  ];
  it.each(fits)('a label fits when %s: %s', (_, mk, thin, want) => expect(labelFits({ x: 0, merged: 1, start: 0, end: 1, paint: py(0), detail: () => '', ...mk } as PixelMark, thin)).toBe(want));
});

describe('fitLabel', () => {
  it.each([
    ['a short name is kept', 'Doc', 86, 12, 'Doc'],
    ['a long name is cut at its end with an ellipsis', 'download the Seven Dwarfs dataset', 86, 12, 'download t…'],
    ['projector type fits fewer characters', 'chatty I/O', 86, 18, 'chatty…'],
  ] as [string, string, number, number, string][])('%s', (_, label, px, font, want) => expect(fitLabel(label, px, font)).toBe(want));
});

describe('marks of stacked parts (an object lane: a semaphore\'s holders, a queue\'s fill)', () => {
  const hold = (task: number): Paint => ({ by: 'task', task, kind: 'hold' });
  const queue: Paint = { by: 'object', type: 'queue' };
  const stacked = (start: number, end: number, parts: [Paint, number][]): Mark => ({ ...mark(start, end, parts[0]?.[0] ?? queue, 'q'), parts: parts.map(([paint, share]) => ({ paint, share, label: said(paint).toString() })) });

  it('a mark a pixel or wider keeps its own parts, and is drawn as those bands, bottom up, the rest empty', () => {
    const [m] = toPixels([stacked(0, 0.5, [[hold(0), 0.5], [hold(2), 0.5]])], x);
    expect(shares(m)).toEqual([[0, 0.5], [2, 0.5]]);
    expect(pieces(m, 0, 20).map((p) => [said(p.paint), p.y, p.h])).toEqual([[0, 10, 10], [2, 0, 10]]);
    const [half] = toPixels([stacked(0, 0.5, [[queue, 0.5]])], x);
    expect(pieces(half, 0, 20).map((p) => [p.y, p.h])).toEqual([[10, 10]]);
  });

  it('an empty one (a queue with no items) draws nothing and keeps its tooltip', () => {
    const [m] = toPixels([stacked(0, 0.5, [])], x);
    expect(pieces(m, 0, 20)).toEqual([]);
    expect(m.detail()).toBe('q 0–0.5');
  });

  it('narrower than a pixel: each part is its share of the column, and columns of empty ones draw nothing', () => {
    const narrow = Array.from({ length: 10 }, (_, i) => stacked(i * 0.001, (i + 1) * 0.001, i % 2 ? [] : [[queue, 0.5]]));
    const [m] = toPixels(narrow, x);
    expect(m.merged).toBe(10);
    expect(shares(m)).toEqual([['queue', 0.25]]);
    const [none] = toPixels(Array.from({ length: 4 }, (_, i) => stacked(i * 0.001, (i + 1) * 0.001, [])), x);
    expect(none.parts).toEqual([]);
    expect(none.detail()).toBe('4 changes too quick to draw apart, 0.0 ms → 4.0 ms (4.0 ms)');
  });

  it.each([
    ['a plain mark: black on its fill', { parts: undefined }, false],
    ['stacked to the top: on its fill', { parts: [{ paint: queue, share: 1, label: '' }] }, false],
    ['a half-full queue: on the lane, with a halo', { parts: [{ paint: queue, share: 0.5, label: '' }] }, true],
    ['an empty queue: on the lane', { parts: [] }, true],
  ] as [string, Pick<PixelMark, 'parts'>, boolean][])('labelOnLane: %s', (_, m, want) => expect(labelOnLane(m)).toBe(want));
});

describe('instant marks in pixels', () => {
  const pin = (at: number, kind: Pin['kind'] = 'lost', count?: number): Pin => ({ at, kind, count, detail: () => `${kind} at ${at}` });

  it.each([
    ['apart: one each, at its instant', [pin(0.1), pin(0.5)], 10, [[10, 'lost', 1], [50, 'lost', 1]]],
    ['closer than the gap: one, at the first', [pin(0.1), pin(0.15), pin(0.5)], 10, [[10, 'lost', 2], [50, 'lost', 1]]],
    ['a cluster shows its gravest', [pin(0.1, 'lost'), pin(0.12, 'raised'), pin(0.14, 'deadlock')], 10, [[10, 'deadlock', 3]]],
    ['a crash before a broken pool: the crash', [pin(0.3, 'broken'), pin(0.3, 'crash')], 10, [[30, 'crash', 2]]],
    ['outside the window: left out', [pin(-0.5), pin(1.5), pin(0.5)], 10, [[50, 'lost', 1]]],
  ] as [string, Pin[], number, [number, string, number][]][])('%s', (_, pins, gap, want) => {
    expect(pinsToPixels(pins, x, gap).map((p) => [+p.x.toFixed(6), p.kind, p.merged])).toEqual(want);
  });

  it('lost updates sum in a cluster, and its tooltip says the sum and each of them', () => {
    const [p] = pinsToPixels([pin(0.1, 'lost', 12500), pin(0.11, 'lost', 501), pin(0.12, 'lost', -1)], x, 10);
    expect(p.count).toBe(13000);
    expect(p.detail()).toBe('3 marks too close to draw apart, 100.0 ms → 120.0 ms (20.0 ms): 13,000 updates lost in all; lost at 0.1; lost at 0.11; lost at 0.12');
    expect(pinsToPixels([pin(0.1, 'raised')], x, 10)[0].count).toBeUndefined();
  });

  it('pinPixelsOf remembers the last scale asked for', () => {
    const pins = [pin(0.1), pin(0.5)];
    expect(pinPixelsOf(pins, x, 10)).toBe(pinPixelsOf(pins, timeScale(1, 100), 10));
    expect(pinPixelsOf(pins, x, 10)).not.toBe(pinPixelsOf(pins, timeScale(2, 100), 10));
    expect(pinPixelsOf(undefined, x, 10)).toEqual([]);
  });

  it.each([
    ['a count that fits before the next mark', [[10, 12500], [70, 1]], ['−12.5k', '−1']],
    ['no room before the next', [[10, 12500], [30, 1]], ['', '−1']],
    ['no room before the plot\'s end', [[10, 1], [95, 1000]], ['−1', '']],
    ['updates given back', [[10, -25000]], ['+25k']],
    ['a million', [[10, 1_250_000]], ['−1.25M']],
    ['just under a million', [[10, 999_999]], ['−1M']],
  ] as [string, [number, number][], string[]][])('pinLabels: %s', (_, at, want) => {
    const pins = at.map(([px, count]) => ({ x: px, at: px / 100, kind: 'lost' as const, merged: 1, count, detail: () => '' }));
    expect(pinLabels(pins, 5, 11, 100)).toEqual(want);
  });

  it('pinLabels: only lost updates carry a count', () => {
    expect(pinLabels([{ x: 10, at: 0.1, kind: 'raised', merged: 1, detail: () => '' }], 5, 11, 100)).toEqual(['']);
  });

  it.each([
    ['no marks: 4 px in', [], 4],
    ['a mark at the bar\'s start: just past its badge', [12], 12 + 6 + 3],
    ['a mark far along: 4 px in', [150], 4],
    ['marks that leave no room: no label', [12, 30, 48, 66, 84], null],
  ] as [string, number[], number | null][])('labelAt: %s', (_, at, want) => {
    const m = { ...mark(0, 1), x: 0, w: 100, merged: 1, label: 'running' } as PixelMark;
    const pins = at.map((px) => ({ x: px, at: px / 100, kind: 'raised' as const, merged: 1, detail: () => '' }));
    expect(labelAt(m, false, 11, pins, 6)).toBe(want);
  });
});
