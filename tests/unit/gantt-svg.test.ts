import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { runModel } from '../../src/sim/simulate.ts';
import Gantt from '../../src/ui/chart/Gantt.svelte';
import { buildLanes } from '../../src/ui/chart/lanes.ts';
import { pieces, toPixels } from '../../src/ui/chart/pixels.ts';
import { timeScale } from '../../src/ui/chart/scale.ts';
import { scenario } from './helpers.ts';

// SVG snapshots of the Gantt for fixed timelines (coordinates rounded to 0.1 px), as Observable Plot's tests do.
const s = scenario(2, [['Doc', ['cpu', 0.2], ['io', 0.3]], ['Grumpy', ['native', 0.25]], ['Happy', ['io', 0.1], ['cpu', 0.1]]]);

describe('Gantt SVG', () => {
  for (const model of ['threads', 'processes', 'asyncio'] as const) {
    for (const view of ['cores', 'tasks'] as const) {
      it(`${model}, per ${view === 'cores' ? 'core' : 'task'}`, async () => {
        const run = runModel(s, { model });
        const { body } = render(Gantt, { props: { run, scenario: s, view, end: 0.8, width: 600, time: Infinity, title: model, id: 'snap' } });
        const svg = body.replace(/<!--[^>]*-->/g, '').replace(/ class="svelte-[a-z0-9]+"/g, '').replace(/ ?svelte-[a-z0-9]+/g, '').replace(/class="([^"]*?) +"/g, 'class="$1"');
        await expect(svg).toMatchFileSnapshot(`./__snapshots__/gantt-${model}-${view}.svg.html`);
      });
    }
  }

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
