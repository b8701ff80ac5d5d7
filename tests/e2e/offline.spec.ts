import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from '@playwright/test';
import { expect, exported, seconds, test } from './fixtures.ts';

/**
 * Nothing leaves the machine: every request that is not to the app's own server (or, for the single file, not a
 * file, data or blob URL) is refused and recorded.
 */
async function blockNetwork(context: BrowserContext, allowed: (url: string) => boolean) {
  const refused: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (allowed(url)) return route.continue();
    refused.push(url);
    return route.abort('internetdisconnected');
  });
  return refused;
}

/** Counts the Web Workers the page starts, and their errors. */
const countWorkers = (page: Page) =>
  page.addInitScript(() => {
    const W = window.Worker;
    const w = window as unknown as { workers: number; workerErrors: number };
    w.workers = 0;
    w.workerErrors = 0;
    window.Worker = class extends W {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        w.workers++;
        this.addEventListener('error', () => w.workerErrors++);
      }
    };
  });

/** A scenario costly enough that it simulates in the worker (16,000 GIL hand-offs). */
const heavy = { name: 'heavy', cores: 8, tasks: Array.from({ length: 8 }, (_, i) => ({ name: `T${i}`, steps: [{ kind: 'cpu', seconds: 10 }] })), models: [{ model: 'threads', switchIntervalMs: 5 }] };
const heavyLink = '?s=file&f=' + Buffer.from(JSON.stringify(heavy)).toString('base64url');

test('the production build makes no network request at run time', async ({ page, context, baseURL }) => {
  const refused = await blockNetwork(context, (u) => u.startsWith(baseURL!) || u.startsWith('data:') || u.startsWith('blob:'));
  await page.goto('./');
  await expect(page.locator('figure.gantt')).toHaveCount(4);
  await page.getByRole('button', { name: 'Play' }).click();
  await page.getByLabel("Amdahl's law: speedup against cores").check();
  await expect(page.locator('[data-testid="amdahl"], .amdahl').first()).toBeVisible();
  await page.goto('./' + heavyLink);
  await expect(page.locator('#charts')).toHaveAttribute('data-current', 'true');
  expect(refused).toEqual([]);
});

test.describe('the single file (npm run build:single)', () => {
  const file = pathToFileURL(new URL('../../dist-single/index.html', import.meta.url).pathname).href;

  test('opens from file:// with the network blocked: picker, sliders, playback, presenter mode, the worker', async ({ page, context }) => {
    const refused = await blockNetwork(context, (u) => u.startsWith('file:') || u.startsWith('data:') || u.startsWith('blob:'));
    await countWorkers(page);
    await page.goto(file);
    await expect(page.locator('figure.gantt')).toHaveCount(4);
    // The scenario picker.
    const described = await page.locator('p.description').textContent();
    await page.getByRole('combobox', { name: 'Scenario' }).selectOption('collatz');
    await expect(page.locator('p.description')).not.toHaveText(described!);
    await expect(page.locator('figure.gantt')).toHaveCount(5);
    // A slider.
    const cores = page.getByRole('slider', { name: /cores/i }).first();
    await cores.focus();
    await page.keyboard.press('ArrowLeft');
    await expect(cores).toHaveValue('3');
    await expect(page.locator('#charts')).toHaveAttribute('data-current', 'true');
    // Playback.
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => seconds(page)).toBeGreaterThan(0.2);
    // Presenter mode.
    await page.keyboard.press('p');
    await expect(page.getByRole('heading', { name: 'Python concurrency visualiser' })).toHaveCount(0);
    await page.keyboard.press('Escape');
    // Export: a picture and the timelines, from the file.
    const svg = await exported(page, /Picture, SVG/);
    expect(svg.name).toMatch(/^collatz.*\.svg$/);
    expect(svg.bytes.toString('utf8')).toContain('<svg');
    const png = await exported(page, /Picture, PNG/);
    expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    const trace = await exported(page, /Chrome trace JSON/);
    expect(JSON.parse(trace.bytes.toString('utf8')).traceEvents.length).toBeGreaterThan(100);
    // A scenario that simulates in the worker, which starts from the page itself.
    await page.goto(file + heavyLink);
    await expect(page.locator('#charts')).toHaveAttribute('data-current', 'true');
    await expect(page.locator('figure.gantt')).toHaveCount(1);
    const w = await page.evaluate(() => {
      const { workers, workerErrors } = window as unknown as { workers: number; workerErrors: number };
      return { workers, workerErrors };
    });
    expect(w.workers).toBeGreaterThan(0);
    expect(w.workerErrors).toBe(0);
    expect(refused).toEqual([]);
  });
});
