import type { Locator } from '@playwright/test';
import { expect, test } from './fixtures.ts';

// Issue 10: what the charts show is what the simulation did.

const CPU_BOUND = './?s=mix&n=7&lo=3&hi=10&cpu=1&seed=7';
const TASK_COLOURS = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7'];

/**
 * The colours painted in one pixel column of a chart's plot, from `y0` to `y1` (CSS px from the plot's top), as
 * `#RRGGBB`: read from its canvas when it is dense, else from the SVG marks that cover the column.
 */
async function columnColours(chart: Locator, fx: number, y0: number, y1: number): Promise<string[]> {
  return chart.evaluate(
    (fig, { fx, y0, y1 }) => {
      const hex = (r: number, g: number, b: number) => '#' + [r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('').toUpperCase();
      const canvas = fig.querySelector('canvas');
      const out = new Set<string>();
      if (canvas) {
        const ratio = canvas.width / canvas.getBoundingClientRect().width;
        const x = Math.round(canvas.width * fx);
        const d = canvas.getContext('2d')!.getImageData(x, Math.round(y0 * ratio), 1, Math.round((y1 - y0) * ratio)).data;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] === 255) out.add(hex(d[i], d[i + 1], d[i + 2]));
      } else {
        const plotW = +fig.querySelector('.axis line')!.getAttribute('x2')!;
        const x = plotW * fx;
        for (const r of fig.querySelectorAll('rect.mark')) {
          const rx = +r.getAttribute('x')!, ry = +r.getAttribute('y')!;
          if (rx <= x && x < rx + +r.getAttribute('width')! && ry < y1 && ry + +r.getAttribute('height')! > y0) out.add(r.getAttribute('fill')!.toUpperCase());
        }
      }
      return [...out];
    },
    { fx, y0, y1 },
  );
}

/** Each lane's middle (CSS px from the plot's top), by label. */
const laneMiddles = (chart: Locator) => chart.locator('text.lane-label').evaluateAll((ts) => ts.map((t) => [t.textContent!, +t.getAttribute('y')!] as const));

test.describe('merged slices', () => {
  test('a CPU-bound threads run is drawn as its threads interleaved, never in one task colour', async ({ page }) => {
    await page.goto(`${CPU_BOUND}&view=compare&t=40`);
    const threads = page.locator('figure.gantt[data-model="threads"]');
    const [[, cpu0]] = await laneMiddles(threads);
    // CPU 0 at a third of the run: all seven threads share its columns, each in its own colour.
    for (const fx of [0.1, 0.3]) {
      const colours = await columnColours(threads, fx, cpu0 - 10, cpu0 + 10);
      expect(TASK_COLOURS.filter((c) => colours.includes(c)).length, `at ${fx} of the plot`).toBeGreaterThanOrEqual(6);
    }
    // The tooltip says what the pixels hold.
    const box = (await threads.locator('svg[role="application"]').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + cpu0);
    await expect(page.getByRole('tooltip')).toContainText(/slices too short to draw apart, .*: (\w+ \d+%, ){6}\w+ \d+%/);
  });

  test('the per-task view shows every task running for its share while it waits for the GIL', async ({ page }) => {
    await page.goto(`${CPU_BOUND}&view=tasks&m=1&t=40`);
    const chart = page.locator('figure.gantt[data-model="threads"]');
    await expect(chart.locator('text.lane-label')).toHaveCount(7);
    for (const [task, y] of await laneMiddles(chart)) {
      // "running" (blue) above "waiting for the GIL" (orange) in the same column.
      const colours = await columnColours(chart, 0.1, y - 10, y + 10);
      expect(colours, task).toEqual(expect.arrayContaining(['#0072B2', '#E69F00']));
    }
  });
});
