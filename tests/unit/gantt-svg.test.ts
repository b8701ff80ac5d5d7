import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { runModel } from '../../src/sim/simulate.ts';
import Gantt from '../../src/ui/chart/Gantt.svelte';
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

  it('merges slices narrower than a pixel: 16,000 GIL slices stay under a few marks per pixel', () => {
    const heavy = scenario(8, Array.from({ length: 8 }, (_, i) => [`T${i}`, ['cpu', 10]] as [string, [string, number]]));
    const run = runModel(heavy, { model: 'threads' });
    const { body } = render(Gantt, { props: { run, scenario: heavy, view: 'cores', end: 80, width: 800, time: Infinity, title: 't', id: 'h' } });
    const rects = body.match(/<rect class="mark/g)?.length ?? 0;
    expect(run.summary.gilSwitches).toBeGreaterThan(15000);
    expect(rects).toBeLessThan(9 * 800);
  });
});
