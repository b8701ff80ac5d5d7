import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { decodePlan } from '../../src/ui/state/schedule.ts';
import { expect, seconds, test } from './fixtures.ts';

const DEADLOCK = readFileSync('scenarios/deadlock.json', 'utf8');
const openFile = (page: Page, name: string, content: string) => page.locator('input[type=file]').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(content) });
const panel = (page: Page) => page.getByRole('region', { name: 'You are the scheduler' });
/** The point asked about, from the question ("10.4 ms: …"), in seconds. */
const asked = async (page: Page) => {
  const [, n, unit] = /^([\d.]+) (ms|s):/.exec((await page.getByTestId('scheduler-question').textContent()) ?? '')!;
  return Number(n) / (unit === 'ms' ? 1000 : 1);
};
/** The plan in the address bar. */
const planInLink = (page: Page) => decodePlan(new URL(page.url()).searchParams.get('sched') ?? '', 12);
/** The threads chart's drawing (its marks, lanes and playhead), to tell one timeline from another. */
const drawing = (page: Page) => page.locator('figure.gantt[data-model="threads"] svg[role="application"]').innerHTML();

/** Asking about a point, with the playhead stopped on it. */
async function expectAsking(page: Page, n: number) {
  await expect(panel(page)).toHaveAttribute('data-phase', 'asking');
  await expect(panel(page)).toHaveAttribute('data-picks', String(n));
  await expect(page.getByRole('button', { name: 'Pause' })).toHaveCount(0);
  await expect.poll(async () => Math.abs((await seconds(page)) - (await asked(page)))).toBeLessThan(0.00006);
}

test('as the scheduler of deadlock.json\'s threads, with the keyboard alone: pick, undo, let the rules finish, save, and the saved file replays it', async ({ page }) => {
  await page.goto('./');
  await openFile(page, 'deadlock.json', DEADLOCK);
  await expect(page.locator('figure.gantt')).toHaveCount(4);
  await page.keyboard.press('End');
  const rulesRun = await drawing(page);
  await page.keyboard.press('Home');

  // S: the threads model, alone and per task, runs to its first choice point and asks.
  await page.keyboard.press('s');
  await expect(panel(page)).toBeVisible();
  await expect(page.getByRole('radio', { name: 'One model, per task' })).toBeChecked();
  await expect(page.locator('figure.gantt')).toHaveCount(1);
  await expect(page.locator('figure.gantt .title')).toHaveText(/^threads.* · you are the scheduler$/);
  await expectAsking(page, 0);
  await expect(page.getByTestId('scheduler-question')).toHaveText('5.2 ms: the switch interval is up. Who runs next?');
  const offered = panel(page).getByRole('group', { name: 'Who gets the GIL' }).getByRole('button');
  await expect(offered).toHaveText([/^1\s*Main thread\s*the rules' pick$/, /^2\s*Thread 1 · alice → bob \(keep running\)\s*$/]);
  await expect(page).toHaveURL(/[?&]sched=1(&|#|$)/);

  // 2: the holder keeps the GIL. The run is simulated again and plays on to the next point.
  const first = await seconds(page);
  await page.keyboard.press('2');
  await expectAsking(page, 1);
  expect(await seconds(page)).toBeGreaterThan(first);
  expect(planInLink(page)).toEqual({ model: 1, picks: [1] });
  await expect(panel(page).getByTestId('scheduler-count')).toHaveText('1 pick: T1');

  // ↓ and Enter: the second thread on offer.
  const second = await seconds(page);
  const secondQuestion = await page.getByTestId('scheduler-question').textContent();
  const secondChoice = (await offered.nth(1).textContent())!;
  await page.keyboard.press('ArrowDown');
  await expect(offered.nth(1)).toHaveClass(/selected/);
  await page.keyboard.press('Enter');
  await expectAsking(page, 2);
  expect(await seconds(page)).toBeGreaterThan(second);
  const secondThread = /^2\s*(?:Main thread|Thread (\d+))/.exec(secondChoice)![1];
  expect(planInLink(page)).toEqual({ model: 1, picks: [1, secondThread ? Number(secondThread) : 0] });

  // U: the last pick taken back, the playhead back on its point, the same question.
  await page.keyboard.press('u');
  await expectAsking(page, 1);
  expect(await seconds(page)).toBeCloseTo(second, 6);
  await expect(page.getByTestId('scheduler-question')).toHaveText(secondQuestion!);
  // The rules' pick this time, then one more.
  await page.keyboard.press('1');
  await expectAsking(page, 2);
  await page.keyboard.press('1');
  await expectAsking(page, 3);
  const plan = planInLink(page)!;
  expect(plan.picks).toHaveLength(3);

  // The rules decide the rest: the run plays to its end, and the panel says how it ended.
  await page.getByRole('button', { name: 'Let the rules decide the rest' }).focus();
  await page.keyboard.press('Enter');
  await expect(panel(page)).toHaveAttribute('data-phase', 'over');
  await expect(page.getByTestId('scheduler-outcome')).toHaveText('Deadlock: the program hangs for ever.', { timeout: 10_000 });
  await expect(page.getByTestId('scheduler-words')).toContainText('alice → bob holds alice, waits for bob; bob → alice holds bob, waits for alice');
  await expect(page).toHaveURL(/sched=1%3A[\d.*]+%3Arules/);

  // The same run in the comparison, at its end: not the rules' run.
  await page.keyboard.press('c');
  await expect(page.locator('figure.gantt')).toHaveCount(4);
  await expect(panel(page)).toBeVisible();
  await page.keyboard.press('End');
  const mine = await drawing(page);
  expect(mine).not.toBe(rulesRun);
  const makespans = await page.locator('figure.gantt .makespan').allTextContents();

  // Save as scenario: the file gives the threads model the picks as its schedule.
  const download = page.waitForEvent('download');
  await panel(page).getByRole('button', { name: 'Save as scenario' }).click();
  const saved = await (await download).createReadStream().then(async (s) => {
    const chunks: Buffer[] = [];
    for await (const c of s) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  });
  const file = JSON.parse(saved);
  expect(file.models[1]).toEqual({ model: 'threads', schedule: plan.picks });
  expect(file.tasks).toEqual(JSON.parse(DEADLOCK).tasks);

  // Opened again in a fresh page: the same charts, and the mode can go on from the file's picks.
  await page.goto('./');
  await openFile(page, 'deadlock-mine.json', saved);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.locator('figure.gantt')).toHaveCount(4);
  await expect(panel(page)).toHaveCount(0);
  await page.keyboard.press('End');
  await expect(page.locator('figure.gantt .makespan')).toHaveText(makespans);
  expect(await drawing(page)).toBe(mine);
  await expect(page.locator('figure.gantt[data-model="threads"] .title')).toHaveText(/ · the scenario's schedule$/);
  await expect(page.getByText(/follows the scenario's schedule: its first 3 GIL choices are made as the file says/)).toBeVisible();
  await page.getByRole('button', { name: 'Go on as the scheduler' }).click();
  await expectAsking(page, 3);
  expect(planInLink(page)).toEqual({ model: 1, picks: plan.picks });
  // Focus came to the rule's pick: Enter gives it the GIL (and does not press the toggle again).
  await expect(offered.first()).toBeFocused();
  await page.keyboard.press('Enter');
  await expectAsking(page, 4);
  // S leaves: the scenario's own schedule again.
  await page.keyboard.press('s');
  await expect(panel(page)).toHaveCount(0);
  await expect(page).not.toHaveURL(/sched=/);
});

test('the link keeps the mode: reload, Back undoes a pick, a link naming a model that is not threads is named', async ({ page }) => {
  await page.goto('./?s=shared-dict');
  await page.keyboard.press('s');
  await expectAsking(page, 0);
  await page.keyboard.press('2');
  await expectAsking(page, 1);
  const t = await seconds(page);
  const question = await page.getByTestId('scheduler-question').textContent();
  // The playhead was written to the address (to 0.1 ms): a reload comes back onto the point, asking the same.
  await expect(page).toHaveURL(/[?&]t=0\.\d+/);
  await page.reload();
  await expectAsking(page, 1);
  expect(await seconds(page)).toBeCloseTo(t, 6);
  await expect(page.getByTestId('scheduler-question')).toHaveText(question!);
  await page.goBack();
  await expect(panel(page)).toHaveAttribute('data-picks', '0');
  await page.goto('./?s=shared-dict&sched=0:1');
  await expect(page.getByRole('alert')).toContainText('sched=0:1 (model 0 of this scenario is not a threads model');
  await expect(panel(page)).toHaveCount(0);
});

test('moving a setting starts the picks again; another scenario leaves the mode', async ({ page }) => {
  await page.goto('./?s=shared-dict');
  await page.keyboard.press('s');
  await expectAsking(page, 0);
  await page.keyboard.press('2');
  await expectAsking(page, 1);
  await page.getByText("Each model's own settings").click();
  await page.getByRole('combobox', { name: 'Switch interval, 2: threads' }).selectOption('1');
  await expectAsking(page, 0);
  await expect(page.getByTestId('scheduler-question')).toHaveText(/^1\.\d ms: the switch interval is up/);
  await page.getByRole('combobox', { name: 'Scenario' }).selectOption('deadlock');
  await expect(panel(page)).toHaveCount(0);
});

test('the help lists the scheduler\'s keys and still fits the stage at 1280×720; the panel has no serious axe finding', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('./?s=deadlock&present=1');
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keys' });
  await expect(help).toContainText("you are the scheduler: hand out a threads model's GIL yourself");
  expect(await help.evaluate((d) => d.scrollHeight <= d.clientHeight + 1 && d.getBoundingClientRect().bottom <= innerHeight)).toBe(true);
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
  await page.keyboard.press('s');
  await expectAsking(page, 0);
  for (const theme of ['light', 'dark', 'contrast']) {
    await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
    const result = await new AxeBuilder({ page }).include('[data-testid="scheduler"]').analyze();
    const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${theme}: ${v.id}: ${v.nodes.length} × ${v.nodes[0]?.target}`)).toEqual([]);
  }
});

test.describe('screenshots', () => {
  for (const [w, h] of [
    [1280, 720],
    [1920, 1080],
  ] as const) {
    test(`the scheduler asks, ${w}×${h}`, async ({ page }) => {
      await page.setViewportSize({ width: w, height: h });
      await page.goto('./?s=deadlock&view=tasks&m=1&sched=1:1.2');
      // Space plays to the point the picks leave open, and stops there.
      await page.keyboard.press(' ');
      await expectAsking(page, 2);
      await expect(page).toHaveScreenshot(`scheduler-${w}.png`);
    });
    test(`the scheduler on the stage, the run over, ${w}×${h}`, async ({ page }) => {
      await page.setViewportSize({ width: w, height: h });
      await page.goto('./?s=shared-dict&view=tasks&m=1&present=1&sched=1:1*60');
      await page.keyboard.press('End');
      await expect(page.getByTestId('scheduler-outcome')).toHaveText('Every task finished, at 0.35 s.');
      await expect(page).toHaveScreenshot(`scheduler-present-${w}.png`);
    });
  }
});
