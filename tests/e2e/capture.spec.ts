import { readFileSync } from 'node:fs';
import { expect, seconds, test } from './fixtures.ts';

// A real run of the Convoy scenario, captured on CPython with `npm run capture` (tests/captures/record.ts).
const convoy = readFileSync(new URL('../captures/convoy.trace.json', import.meta.url));

test.describe('CPython captured beside the simulation', () => {
  test('opening a capture shows each real run above its simulation on one axis, the differences listed and the largest marked', async ({ page }) => {
    await page.goto('./');
    await page.locator('input[type=file]').setInputFiles({ name: 'convoy.trace.json', mimeType: 'application/json', buffer: convoy });
    const pairs = page.getByTestId('capture-pair');
    await expect(pairs).toHaveCount(5);
    await expect(page.getByRole('radio', { name: 'CPython captured against simulated' })).toBeChecked();
    // The scenario it ran is the scenario on screen, kept in the picker as the user's file.
    await expect(page.getByRole('combobox', { name: 'Scenario' })).toHaveValue('file');
    const first = pairs.first();
    await expect(first.locator('figure.gantt')).toHaveCount(2);
    await expect(first.locator('figcaption .title')).toHaveText(['CPython, captured', /^simulated: sequential/]);
    // Both charts of a pair share one time axis: the same tick labels at the same places.
    const ticks = await first.locator('figure.gantt').evaluateAll((fs) => fs.map((f) => [...f.querySelectorAll('.axis text')].map((t) => `${t.textContent}@${t.getAttribute('x')}`).join()));
    expect(ticks[0]).toBe(ticks[1]);
    // One lane per task in both, named alike.
    for (const f of await first.locator('figure.gantt').all()) await expect(f.locator('text.lane-label')).toHaveText(['crunch', 'chatty I/O']);
    // The table: makespan and every task's end, one row marked largest.
    const table = first.locator('table.diff');
    await expect(table.locator('tbody tr')).toHaveCount(3);
    await expect(table.locator('tr.largest')).toHaveCount(1);
    await expect(table.locator('tr.largest')).toContainText('(largest)');
    await expect(page.getByTestId('capture-lead')).toContainText(/figures are within the project's tolerance|All \d+ figures/);
    await expect(page.getByTestId('capture-lead')).toContainText('the largest difference');
  });

  test('a bar of a captured run tells its step, its thread and its times', async ({ page }) => {
    await page.goto('./');
    await page.locator('input[type=file]').setInputFiles({ name: 'convoy.trace.json', mimeType: 'application/json', buffer: convoy });
    const chart = page.getByTestId('capture-pair').nth(1).locator('figure.gantt').first();
    await page.keyboard.press('End');
    await chart.locator('svg[role=application]').focus();
    await page.keyboard.press('ArrowRight');
    await expect(chart.getByRole('tooltip')).toHaveText(/^crunch: step 1 of 1 on .+ \(cpu\), [\d.]+ (ms|s) → [\d.]+ (ms|s)/);
  });

  test('a VizTracer trace opens against the current scenario; a bad trace names the field and the scenario stays', async ({ page }) => {
    await page.goto('./?s=convoy');
    const viz = {
      traceEvents: [
        { ph: 'M', name: 'thread_name', pid: 1, tid: 1, args: { name: 'MainThread' } },
        { ph: 'X', name: 'main (a.py:1)', cat: 'FEE', pid: 1, tid: 1, ts: 10, dur: 2_000_000 },
      ],
      viztracer_metadata: { version: '0.16.3' },
    };
    await page.locator('input[type=file]').setInputFiles({ name: 'viz.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(viz)) });
    await expect(page.getByTestId('capture-pair')).toHaveCount(1);
    await expect(page.getByRole('combobox', { name: 'Scenario' })).toHaveValue('convoy');
    // It says nothing of what ran: shown on its own, never scored against the scenario on screen.
    await expect(page.getByTestId('capture-pair').first().locator('text.lane-label')).toHaveText(['MainThread']);
    await expect(page.getByTestId('capture-lead')).toContainText('it is not set against a simulation');
    await expect(page.locator('table.diff')).toHaveCount(0);

    const bad = { traceEvents: [{ ph: 'X', ts: 'soon', dur: 1 }] };
    await page.locator('input[type=file]').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
    await expect(page.getByRole('alert')).toContainText('bad.json: traceEvents[0].ts');
    await expect(page.getByRole('alert')).toContainText('the current scenario stays');
    await expect(page.getByTestId('capture-pair')).toHaveCount(1);
  });

  test('screenshot: the convoy under threads at 5 ms, CPython above the simulation', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto('./');
    await page.locator('input[type=file]').setInputFiles({ name: 'convoy.trace.json', mimeType: 'application/json', buffer: convoy });
    const pair = page.getByTestId('capture-pair').nth(1);
    await expect(pair.locator('figure.gantt')).toHaveCount(2);
    await page.keyboard.press('End');
    // The whole run drawn: the playhead at the end of the shared axis.
    await expect.poll(() => seconds(page)).toBeGreaterThan(2);
    await expect(pair).toHaveScreenshot('capture-convoy-threads.png');
  });

  test('another scenario is never scored against the capture: the view goes, and Back brings it again', async ({ page }) => {
    await page.goto('./');
    await page.locator('input[type=file]').setInputFiles({ name: 'convoy.trace.json', mimeType: 'application/json', buffer: convoy });
    const tab = page.getByRole('radio', { name: 'CPython captured against simulated' });
    await expect(tab).toBeChecked();
    await page.getByRole('combobox', { name: 'Scenario' }).selectOption('seven-dwarfs');
    await expect(tab).toHaveCount(0);
    await expect(page.getByTestId('capture-pair')).toHaveCount(0);
    await expect(page.locator('figure.gantt')).toHaveCount(4);
    await page.goBack();
    await expect(page.getByRole('combobox', { name: 'Scenario' })).toHaveValue('file');
    await expect(tab).toHaveCount(1);
    await tab.check();
    await expect(page.getByTestId('capture-pair')).toHaveCount(5);
  });

  test('a link to the capture view without the trace says so and shows the comparison', async ({ page }) => {
    await page.goto('./?view=capture');
    await expect(page.getByRole('alert')).toContainText('The captured trace is not kept in links');
    await expect(page.locator('figure.gantt')).toHaveCount(4);
  });
});

test.describe('a timing profile from npm run calibrate', () => {
  test('opening one re-simulates every model with it, the link keeps it, and one button goes back to the defaults', async ({ page }) => {
    await page.goto('./?s=collatz');
    const makespans = () => page.locator('figure.gantt .makespan').allInnerTexts();
    await expect(page.locator('figure.gantt')).toHaveCount(5);
    const before = await makespans();
    // A machine whose spawned workers take half a second to boot: the spawn pool's run is later, the others are not.
    const profile = { processStart: { spawn: { boot: 0.5 } } };
    await page.locator('input[type=file]').setInputFiles({ name: 'slow-spawn.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(profile)) });
    await expect(page.getByTestId('profile')).toContainText('timing constants of a profile file');
    await expect(page.getByTestId('profile')).toContainText('not the shipped defaults');
    await expect.poll(makespans).not.toEqual(before);
    const after = await makespans();
    expect(after.filter((m, i) => m !== before[i])).toHaveLength(1);
    await expect(page).toHaveURL(/prof=/);
    await page.reload();
    await expect(page.getByTestId('profile')).toBeVisible();
    await expect.poll(makespans).toEqual(after);
    await page.getByRole('button', { name: 'Use the defaults' }).click();
    await expect(page.getByTestId('profile')).toHaveCount(0);
    await expect.poll(makespans).toEqual(before);
  });

  test('a profile with a bad constant is refused by name, and the charts stay', async ({ page }) => {
    await page.goto('./?s=convoy');
    await page.locator('input[type=file]').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"switchInterval": 0}') });
    await expect(page.getByRole('alert')).toContainText('bad.json: switchInterval: must be at least 0.00001 s');
    await expect(page.getByTestId('profile')).toHaveCount(0);
    await expect(page.locator('figure.gantt')).toHaveCount(5);
  });
});
