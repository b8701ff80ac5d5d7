import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

// Locks, queues, events and barriers on the charts: a lane per object, the waits on them naming the object, the
// instants marked (a deadlock, an exception, a crash, lost updates) and a deadlocked run drawn as never finishing.

/**
 * Four threads bumping one counter through a call (`counter = bump(counter)`): updates lost at the GIL's switches;
 * 0.4 s each, so that the per-task chart's 5 ms slices are well past what is drawn in SVG.
 */
const LOST = {
  name: 'lost updates',
  cores: 2,
  tasks: ['t1', 't2', 't3', 't4'].map((name) => ({ name, steps: [{ kind: 'update', shared: 'counter', times: 10_000_000, seconds: 0.43, shape: 'call' }] })),
  models: [{ model: 'threads' }],
};
const fileLink = (sc: unknown, rest: string) => `./?s=file&f=${Buffer.from(JSON.stringify(sc)).toString('base64url')}&${rest}`;

const chart = (page: Page) => page.locator('figure.gantt').first();
/** A lane's label: its text, after the words of its tooltip (`<title>lock alice</title>alice`) where it has one. */
const laneLabel = (c: Locator, name: string) => c.locator('text.lane-label', { hasText: new RegExp(`^(\\w+ ${name})?${name}$`) });
/** Every lane's label as shown, without the tooltips' words. */
const laneLabels = (c: Locator) => c.locator('text.lane-label').evaluateAll((els) => els.map((e) => [...e.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('')));

/** Moves the pointer onto the first bar of `fill` in the chart, three quarters of the way along (clear of a mark at its start). */
async function hoverBar(page: Page, c: Locator, fill: string) {
  const bar = c.locator(`rect.mark[fill="${fill}"]`).first();
  const box = (await bar.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2);
}

test.describe('synchronisation objects on the charts', () => {
  test('deadlock, per task: the lock lanes, a deadlock mark on each task, the stall and the hang after it', async ({ page }) => {
    await page.goto('./?s=deadlock&view=tasks&m=1&t=1');
    const c = chart(page);
    await expect(c).toHaveAttribute('data-render', 'svg');
    await expect(c.locator('text.band', { hasText: /^locks$/ })).toBeVisible();
    await expect(laneLabel(c, 'alice')).toBeVisible();
    await expect(laneLabel(c, 'bob')).toBeVisible();
    // Each lock lane names its holder: alice → bob took alice, bob → alice took bob, for good.
    await expect(c.locator('text.mark-label', { hasText: /^alice → bob$/ })).toBeVisible();
    await expect(c.locator('text.mark-label', { hasText: /^bob → alice$/ })).toBeVisible();
    await expect(c.locator('g.pin[data-kind="deadlock"]')).toHaveCount(2);
    for (const pin of await c.locator('g.pin[data-kind="deadlock"]').all()) await expect(pin).toBeVisible();
    // (A vertical line has no width, so no "visible" box: its place, within the plot.)
    await expect(c.locator('line.stall')).toHaveCount(1);
    expect(Number(await c.locator('line.stall').getAttribute('x1'))).toBeGreaterThan(100);
    await expect(c.locator('text.stall-label').first()).toHaveText(/^deadlock at 20\d\.\d ms/);
    await expect(c.locator('rect.hang')).toBeVisible();
    await expect(c.locator('.makespan')).toHaveText('never ends (deadlock at 0.20 s)');
    // The legend has the lock wait, the deadlock mark and the hang; no queue or barrier here.
    for (const k of ['lock-wait', 'object-lock', 'mark-deadlock', 'hang']) await expect(page.locator(`[data-legend="${k}"]`)).toBeVisible();
    for (const k of ['queue-wait', 'barrier-wait', 'object-queue', 'mark-raised']) await expect(page.locator(`[data-legend="${k}"]`)).toHaveCount(0);
  });

  test('hovering a lock wait names the lock and who holds it; the arrow keys reach it and the deadlock mark', async ({ page }) => {
    await page.goto('./?s=deadlock&view=tasks&m=1&t=1');
    const c = chart(page);
    await hoverBar(page, c, '#CC79A7');
    await expect(c.getByRole('tooltip')).toContainText('alice → bob: waiting for lock bob (held by bob → alice)');
    await expect(c.getByRole('tooltip')).toContainText('for ever');
    // A deadlock mark under the pointer wins over the bar it sits on.
    const pin = (await c.locator('g.pin[data-kind="deadlock"]').first().boundingBox())!;
    await page.mouse.move(pin.x + pin.width / 2, pin.y + pin.height / 2);
    await expect(c.getByRole('tooltip')).toContainText(/^alice → bob: deadlock: alice → bob holds alice, waits for bob; .*, at 20\d\.\d ms$/);
    await page.mouse.move(0, 0);
    await expect(c.getByRole('tooltip')).toHaveCount(0);
    // From the keyboard: the first lane's bars, then its wait, then the mark at the stall.
    await c.getByRole('application').focus();
    let text = '';
    for (let i = 0; i < 60 && !/waiting for lock/.test(text); i++) {
      await page.keyboard.press('ArrowRight');
      text = (await c.getByRole('tooltip').textContent()) ?? '';
    }
    expect(text).toContain('waiting for lock bob (held by bob → alice)');
    await page.keyboard.press('ArrowRight');
    await expect(c.getByRole('tooltip')).toContainText('deadlock: alice → bob holds alice');
    await expect(c.locator('circle.focus-ring')).toBeVisible();
    // Down to the lock lanes: who holds alice.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(c.getByRole('tooltip')).toContainText(/^lock alice: held by alice → bob; bob → alice waiting for it/);
  });

  test('per core: the lock lanes below the GIL, the deadlock marks on the locks waited for', async ({ page }) => {
    await page.goto('./?s=deadlock&view=cores&m=1&t=1');
    const c = chart(page);
    expect((await laneLabels(c)).slice(0, 5)).toEqual(['CPU 0', 'CPU 1 idle', 'GIL', 'alice', 'bob']);
    await expect(laneLabel(c, 'alice').locator('title')).toHaveText('lock alice');
    await expect(c.locator('g.pin[data-kind="deadlock"]')).toHaveCount(2);
    await expect(c.locator('text.stall-label').first()).toBeVisible();
  });

  test('a bounded queue: its items against its maxsize, and the producer waiting on it while full', async ({ page }) => {
    await page.goto('./?s=bounded-queue&view=tasks&m=1&t=1');
    const c = chart(page);
    await expect(c.locator('text.band', { hasText: /^queue$/ })).toBeVisible();
    await expect(laneLabel(c, 'items')).toBeVisible();
    await expect(c.locator('text.mark-label', { hasText: /^2\/2$/ })).toBeVisible();
    await hoverBar(page, c, '#009E73');
    await expect(c.getByRole('tooltip')).toContainText(/^producer: waiting on queue items \(full: 2 of 2\)/);
    // One thread: nobody empties it, and the run hangs.
    await page.goto('./?s=bounded-queue&view=tasks&m=0&t=1');
    await expect(chart(page).locator('g.pin[data-kind="deadlock"]')).toHaveCount(1);
    await expect(chart(page).locator('.makespan')).toHaveText(/^never ends/);
  });

  test('a barrier: arrivals counted against its parties; the wait says how many have arrived', async ({ page }) => {
    await page.goto('./?s=barrier&view=tasks&m=1&t=2');
    const c = chart(page);
    await expect(laneLabel(c, 'start')).toBeVisible();
    await expect(c.locator('text.mark-label', { hasText: /^2\/3$/ })).toBeVisible();
    await hoverBar(page, c, '#882255');
    await expect(c.getByRole('tooltip')).toContainText(/^fast: waiting at barrier start \(1, then 2 of 3 arrived\)/);
  });

  test('errors: an exception ✕ and a dead process ⚡ on their tasks, each with its tooltip', async ({ page }) => {
    await page.goto('./?s=errors-processes&view=tasks&m=1&t=2');
    const c = chart(page);
    await expect(c.locator('g.pin[data-kind="raised"]')).toHaveCount(1);
    // The crash and the pool it breaks: one bolt on each task it took down.
    await expect(c.locator('g.pin[data-kind="crash"], g.pin[data-kind="broken"]')).toHaveCount(3);
    const pin = (await c.locator('g.pin[data-kind="raised"]').boundingBox())!;
    await page.mouse.move(pin.x + pin.width / 2, pin.y + pin.height / 2);
    await expect(c.getByRole('tooltip')).toHaveText(/^raises: ValueError, at 10\d\.\d ms$/);
    await expect(page.locator('[data-legend="mark-raised"]')).toBeVisible();
  });

  test('lost updates on a dense chart: drawn on the canvas, read out from the keyboard', async ({ page }) => {
    await page.goto(fileLink(LOST, 'view=tasks&m=0&t=5'));
    const c = chart(page);
    await expect(c).toHaveAttribute('data-render', 'canvas');
    await c.getByRole('application').focus();
    let text = '';
    for (let i = 0; i < 40 && !/updates lost/.test(text); i++) {
      await page.keyboard.press('ArrowRight');
      text = (await c.getByRole('tooltip').textContent()) ?? '';
    }
    expect(text).toMatch(/wrote back a stale counter: [\d,]+ updates lost/);
    await page.keyboard.press('Escape');
    await expect(c).toHaveScreenshot('sync-lost-tasks.png');
  });
});

// The charts alone (the narration and legend above and below them are other tests' business).
test.describe('screenshots', () => {
  for (const [w, h] of [[1280, 720], [1920, 1080]] as const) {
    test(`deadlock, per task, on the stage at ${w}×${h}`, async ({ page }) => {
      await page.setViewportSize({ width: w, height: h });
      await page.goto('./?s=deadlock&present=1&view=tasks&m=1&t=1');
      await expect(chart(page).locator('g.pin[data-kind="deadlock"]')).toHaveCount(2);
      await expect(page.locator('#charts')).toHaveScreenshot(`sync-deadlock-tasks-${w}.png`);
    });
    test(`deadlock, every model per core, on the stage at ${w}×${h}`, async ({ page }) => {
      await page.setViewportSize({ width: w, height: h });
      await page.goto('./?s=deadlock&present=1&t=1');
      await expect(page.locator('figure.gantt')).toHaveCount(4);
      await expect(page.locator('#charts')).toHaveScreenshot(`sync-deadlock-compare-${w}.png`);
    });
    test(`bounded queue, per task, on the stage at ${w}×${h}`, async ({ page }) => {
      await page.setViewportSize({ width: w, height: h });
      await page.goto('./?s=bounded-queue&present=1&view=tasks&m=1&t=1');
      await expect(laneLabel(chart(page), 'items')).toBeVisible();
      await expect(page.locator('#charts')).toHaveScreenshot(`sync-queue-tasks-${w}.png`);
    });
  }
});
