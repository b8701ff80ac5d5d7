import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { runModel } from '../../src/sim/simulate.ts';
import Gantt from '../../src/ui/chart/Gantt.svelte';
import { buildLanes } from '../../src/ui/chart/lanes.ts';
import { pieces, toPixels } from '../../src/ui/chart/pixels.ts';
import { timeScale } from '../../src/ui/chart/scale.ts';
import { parseScenario } from '../../src/sim/schema.ts';
import type { ModelRun } from '../../src/sim/timeline.ts';
import type { Scenario } from '../../src/sim/types.ts';
import { loadScenario, scenario } from './helpers.ts';

// SVG snapshots of the Gantt for fixed timelines (coordinates rounded to 0.1 px), as Observable Plot's tests do.
const s = scenario(2, [['Doc', ['cpu', 0.2], ['io', 0.3]], ['Grumpy', ['native', 0.25]], ['Happy', ['io', 0.1], ['cpu', 0.1]]]);

/** The Gantt as server-rendered SVG, without Svelte's comments and scoped class names. */
function svgOf(run: ModelRun, sc: Scenario, view: 'cores' | 'tasks', end: number, width = 600): string {
  const { body } = render(Gantt, { props: { run, scenario: sc, view, end, width, time: Infinity, title: run.model, id: 'snap' } });
  return body.replace(/<!--[^>]*-->/g, '').replace(/ class="svelte-[a-z0-9]+"/g, '').replace(/ ?svelte-[a-z0-9]+/g, '').replace(/class="([^"]*?) +"/g, 'class="$1"');
}

describe('Gantt SVG', () => {
  for (const model of ['threads', 'processes', 'asyncio'] as const) {
    for (const view of ['cores', 'tasks'] as const) {
      it(`${model}, per ${view === 'cores' ? 'core' : 'task'}`, async () => {
        const run = runModel(s, { model });
        await expect(svgOf(run, s, view, 0.8)).toMatchFileSnapshot(`./__snapshots__/gantt-${model}-${view}.svg.html`);
      });
    }
  }

  // The deadlock scenario under threads: lock lanes, a deadlock mark on each task (per core: on the lock it waits
  // for), the stall's rule and labels, and the rest of the run faded as hanging for ever.
  const deadlock = loadScenario('scenarios/deadlock.json');
  for (const view of ['cores', 'tasks'] as const) {
    it(`the deadlock scenario, threads, per ${view === 'cores' ? 'core' : 'task'}`, async () => {
      const run = runModel(deadlock, { model: 'threads' });
      const svg = svgOf(run, deadlock, view, run.makespan * 1.02);
      expect(svg).toContain('data-render="svg"');
      expect(svg.match(/<g class="pin" data-kind="deadlock">/g)).toHaveLength(2);
      expect(svg).toMatch(/<rect class="hang" x="[\d.]+" y="18" width="[\d.]+" height="[\d.]+" fill="url\(#pat-hang\)"/);
      expect(svg).toMatch(/<text class="stall-label"[^>]*>deadlock at 200\.8 ms( · hangs for ever →)?<\/text>/);
      expect(svg).toContain('<span class="makespan hangs">never ends (deadlock at 0.20 s)</span>');
      expect(svg).toMatch(/<text class="band" x="4" y="[\d.]+">locks<\/text>/);
      await expect(svg).toMatchFileSnapshot(`./__snapshots__/gantt-deadlock-threads-${view}.svg.html`);
    });
  }

  it.each([
    ['before the playhead reaches the stall: no rule or words yet (the faded rest is clipped with the bars)', { time: 0.1 }, { rule: false, words: false, hangFrom0: false }],
    ['once the playhead is past it: the rule and its words', { time: 0.21 }, { rule: true, words: true, hangFrom0: false }],
    ['zoomed in after the stall: the whole window faded, no rule', { window: [0.22, 0.24] as const }, { rule: false, words: false, hangFrom0: true }],
    ['zoomed in before the stall: nothing of it', { window: [0.01, 0.05] as const }, { rule: false, words: false, hang: false }],
  ])('a deadlock %s', (_, props, want) => {
    const run = runModel(deadlock, { model: 'threads' });
    const { body } = render(Gantt, { props: { run, scenario: deadlock, view: 'tasks', end: run.makespan * 1.02, width: 600, time: Infinity, title: 't', id: 'z', ...props } });
    expect(/class="stall[ "]/.test(body)).toBe(want.rule);
    expect(/class="stall-label[ "]/.test(body)).toBe(want.words);
    if ('hangFrom0' in want) expect(/<rect class="hang[^"]*" x="0"/.test(body)).toBe(want.hangFrom0);
    if ('hang' in want) expect(/class="hang[ "]/.test(body)).toBe(want.hang);
    expect(body).toContain('never ends (deadlock at 0.20 s)');
  });

  it('a deadlocked run\'s waits and holds go on to the axis\'s end, under the hang, not to where its drawing stops', () => {
    const run = runModel(deadlock, { model: 'threads' });
    // An axis half as long again as the run (another model took longer): the lock waits reach its right edge.
    const { body } = render(Gantt, { props: { run, scenario: deadlock, view: 'tasks', end: run.makespan * 1.5, width: 600, time: Infinity, title: 't', id: 'f' } });
    const plotW = Number(body.match(/<clipPath id="clip-f"><rect x="0" y="0" width="([\d.]+)"/)![1]);
    const ends = [...body.matchAll(/<rect class="mark[^"]*" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => +m[1] + +m[2]);
    expect(Math.max(...ends)).toBeCloseTo(plotW, 0);
    expect(ends.filter((e) => Math.abs(e - plotW) < 0.2).length).toBeGreaterThanOrEqual(4);
  });

  it('a tick label at the plot\'s right end ends at its tick, inside the chart; the others stay centred on theirs', () => {
    const run = runModel(deadlock, { model: 'threads' });
    const { body } = render(Gantt, { props: { run, scenario: deadlock, view: 'cores', end: 0.402, width: 620, time: Infinity, title: 't', id: 'a', stage: { font: 18, height: 300 } } });
    const anchors = [...body.matchAll(/<text x="[\d.]+" y="22" text-anchor="(\w+)"[^>]*>(\d+ ms)<\/text>/g)].map((m) => `${m[2]} ${m[1]}`);
    expect(anchors).toEqual(['0 ms middle', '100 ms middle', '200 ms middle', '300 ms middle', '400 ms end']);
  });

  // Two threads bumping one counter through a call (the bare loop's 43 ns an iteration): a ▼ with its count at each
  // stale write.
  const lostUpdates = (() => {
    const r = parseScenario({ name: 'lost', cores: 2, tasks: ['t1', 't2'].map((name) => ({ name, steps: [{ kind: 'update', shared: 'counter', times: 2_000_000, seconds: 0.086, shape: 'call' }] })) });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    return r.scenario;
  })();
  it('a lost-update run, threads, per task', async () => {
    const run = runModel(lostUpdates, { model: 'threads' });
    expect(run.marks.filter((m) => m.kind === 'lost').length).toBeGreaterThan(3);
    const svg = svgOf(run, lostUpdates, 'tasks', run.makespan * 1.02);
    expect(svg).toContain('data-render="svg"');
    expect(svg.match(/<g class="pin" data-kind="lost">/g)!.length).toBeGreaterThan(3);
    expect(svg).toMatch(/<text class="pin-label"[^>]*>−[\d.]+k?<\/text>/);
    expect(svg).not.toContain('class="hang"');
    await expect(svg).toMatchFileSnapshot('./__snapshots__/gantt-lost-threads-tasks.svg.html');
  });

  const heavy = scenario(8, Array.from({ length: 8 }, (_, i) => [`T${i}`, ['cpu', 10]] as [string, [string, number]]));
  const heavyRun = runModel(heavy, { model: 'threads' });

  it('merges slices narrower than a pixel: 16,000 GIL slices stay under a few marks per pixel', () => {
    const x = timeScale(80, 700);
    const lanes = buildLanes(heavyRun, heavy, 'cores');
    const slices = lanes.reduce((a, l) => a + l.marks.length, 0);
    const drawn = lanes.reduce((a, l) => a + toPixels(l.marks, x).length, 0);
    expect(heavyRun.summary.gilSwitches).toBeGreaterThan(15000);
    expect(slices).toBeGreaterThan(30000);
    expect(drawn).toBeLessThan(lanes.length * 700);
  });

  it('draws a long run of GIL hand-offs as a few interleaved marks: one per stretch of the same mix, each split by share', () => {
    const { body } = render(Gantt, { props: { run: heavyRun, scenario: heavy, view: 'cores', end: 80, width: 800, time: Infinity, title: 't', id: 'h' } });
    expect(body).toContain('data-render="svg"');
    // After the first few columns, CPU 0 holds all eight threads, an eighth each, for the rest of the run.
    const long = [...body.matchAll(/<rect class="mark[^"]*part" x="[\d.]+" y="([\d.]+)" width="(\d{3})(?:\.\d)?" height="([\d.]+)" fill="([^"]+)"/g)];
    expect(new Set(long.map((m) => m[4])).size).toBe(8);
    expect(long.every((m) => Math.abs(+m[3] - 22 / 8) < 0.2)).toBe(true);
  });

  it('draws a dense chart on a canvas, keeping the axis and playhead in SVG', () => {
    const wide = scenario(32, Array.from({ length: 32 }, (_, i) => [`T${i}`, ['cpu', 1]] as [string, [string, number]]));
    const { body } = render(Gantt, { props: { run: runModel(wide, { model: 'processes', workers: 32 }), scenario: wide, view: 'cores', end: 2, width: 800, time: Infinity, title: 't', id: 'h' } });
    expect(body).toContain('data-render="canvas"');
    expect(body).toContain('<canvas');
    expect(body).not.toContain('<rect class="mark');
    expect(body).toMatch(/class="playhead/);
    // Lane backgrounds: one path under the canvas, so the playhead's clip leaves them whole: 32 cores.
    expect(body.match(/<path class="lane-bg[^>]* d="([^"]*)"/)?.[1].match(/M/g)).toHaveLength(32);
    expect(body).not.toContain('<rect class="lane-bg');
    expect(body.match(/text-anchor="middle"[^>]*>[\d.]+ s</g)?.length).toBeGreaterThan(3);
  });

  it('keeps a small chart in SVG, one element per mark', () => {
    const run = runModel(s, { model: 'threads' });
    const { body } = render(Gantt, { props: { run, scenario: s, view: 'cores', end: 0.8, width: 600, time: Infinity, title: 't', id: 's' } });
    expect(body).toContain('data-render="svg"');
    expect(body).not.toContain('<canvas');
    // Each lane's pieces at the height it is drawn (22 px, thin lanes 9 px): a share too thin to see at that height
    // is left out of the drawing, so counting at 1 px would miss the thin shares a column of GIL hand-offs has.
    const drawnAt = (l: { thin?: boolean; idle?: boolean }) => (l.thin || l.idle ? 9 : 22);
    expect(body.match(/<rect class="mark/g)?.length).toBe(buildLanes(run, s, 'cores').reduce((a, l) => a + toPixels(l.marks, timeScale(0.8, 496)).reduce((n, m) => n + pieces(m, 0, drawnAt(l)).length, 0), 0));
  });
});
