import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { clock, expect, seconds, test } from './fixtures.ts';

const DWARFS = ['Doc', 'Grumpy', 'Happy', 'Sleepy', 'Bashful', 'Sneezy', 'Dopey'];

test('the default scenario shows all seven dwarfs on every model', async ({ page }) => {
  await page.goto('./');
  const charts = page.locator('figure.gantt');
  await expect(charts).toHaveCount(4);
  for (const model of ['sequential', 'threads', 'processes', 'asyncio']) {
    const chart = page.locator(`figure.gantt[data-model="${model}"]`);
    await expect(chart.getByRole('application')).toHaveAccessibleName(new RegExp(`^${model}`));
    for (const d of DWARFS) await expect(chart.locator('text.lane-label', { hasText: new RegExp(`^${d}$`) })).toHaveCount(1);
  }
  // asyncio finishes first (10.009 s against threads' 10.010 s); sequential, at 43 s, is no contender.
  // asyncio (10.009 s) and threads (10.010 s) both show 10.01 s: a tie, not a win by a millisecond.
  await expect(page.getByRole('row', { name: /^asyncio/ })).toContainText('joint fastest');
  await expect(page.getByRole('row', { name: /^threads/ })).toContainText('joint fastest');
  await expect(page.getByRole('row', { name: /^sequential/ })).not.toContainText('fastest');
});

test('play advances the playhead and bars appear', async ({ page }) => {
  await page.goto('./?s=collatz');
  const clip = page.locator('figure.gantt[data-model="threads"] clipPath rect');
  await expect(clip).toHaveAttribute('width', '0');
  await page.getByRole('button', { name: 'Play' }).click();
  await page.getByRole('combobox', { name: 'Speed' }).selectOption('4');
  await expect.poll(() => seconds(page)).toBeGreaterThan(0.5);
  expect(Number(await clip.getAttribute('width'))).toBeGreaterThan(5);
  await page.getByRole('button', { name: 'Pause' }).click();
  const t = await seconds(page);
  await page.waitForTimeout(300);
  expect(await seconds(page)).toBe(t);
});

test('moving the cores slider changes the number of lanes', async ({ page }) => {
  await page.goto('./');
  const cpuLanes = page.locator('figure.gantt[data-model="processes"] text.lane-label', { hasText: /^CPU / });
  await expect(cpuLanes).toHaveCount(4);
  await page.getByRole('slider', { name: /Cores/ }).fill('2');
  await expect(cpuLanes).toHaveCount(2);
  await page.getByRole('slider', { name: /Cores/ }).fill('12');
  // Seven tasks on twelve cores: the cores no task ever reaches share one thin "idle" lane, ending at CPU 11.
  await expect(cpuLanes.last()).toHaveText(/^CPU \d+–11 idle$/);
  const labels = await cpuLanes.allTextContents();
  const covered = labels.flatMap((l) => {
    const [, a, b] = /^CPU (\d+)(?:–(\d+))?/.exec(l)!;
    return Array.from({ length: Number(b ?? a) - Number(a) + 1 }, (_, i) => Number(a) + i);
  });
  expect(covered).toEqual(Array.from({ length: 12 }, (_, i) => i));
  await expect(page).toHaveURL(/cores=12/);
});

test('the task-mix sliders re-simulate: all CPU-bound makes threads no faster than sequential', async ({ page }) => {
  await page.goto('./');
  await page.getByRole('slider', { name: /CPU-bound share/ }).fill('1');
  // The same dwarfs, changed: not a new custom mix.
  await expect(page.getByRole('combobox', { name: 'Scenario' })).toHaveValue('seven-dwarfs');
  const row = page.getByRole('row', { name: /^threads/ });
  await expect(row.getByRole('cell').nth(1)).toHaveText(/^(0\.9\d|1\.00)×$/);
  // All CPU-bound, the compare view has no waiting lanes: count the tasks in the per-task view.
  await page.getByRole('radio', { name: 'One model, per task' }).check();
  const lanes = page.locator('figure.gantt text.lane-label');
  await expect(lanes).toHaveCount(7);
  // (64 CPU-bound tasks of up to 10 s would pass the app's event cap under threads; 12 are quick to simulate.)
  await page.getByRole('slider', { name: /Tasks/ }).fill('12');
  await expect(lanes).toHaveCount(12, { timeout: 15_000 });
  await expect(lanes.filter({ hasText: /^Doc 2$/ })).toHaveCount(1);
  await expect(page.getByRole('combobox', { name: 'Scenario' })).toHaveValue('seven-dwarfs');
  // Choosing Custom mix makes new tasks.
  await page.getByRole('combobox', { name: 'Scenario' }).selectOption('mix');
  await page.getByRole('slider', { name: /Tasks/ }).fill('12');
  await expect(lanes.filter({ hasText: /^Task 12$/ })).toHaveCount(1);
});

test('dragging the task-count slider re-simulates live, draws dense charts on canvas, and is one history entry', async ({ page }) => {
  await page.goto('./');
  const slider = page.getByRole('slider', { name: /Tasks/ });
  const box = (await slider.boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + 2, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width - 2, y, { steps: 24 });
  await page.mouse.up();
  await expect(slider).toHaveValue('64');
  await expect(page).toHaveURL(/[?&]n=64\b/);
  const asyncio = page.locator('figure.gantt[data-model="asyncio"]');
  await expect(asyncio).toHaveAttribute('data-render', 'canvas');
  await expect(asyncio.locator('canvas')).toHaveCount(1);
  // The dwarfs again and again: the 64th is the tenth Doc.
  await expect(asyncio.locator('text.lane-label', { hasText: /^Doc 10$/ })).toHaveCount(1);
  // Bars drawn on the canvas still read out from the keyboard.
  await page.getByRole('button', { name: 'Restart' }).click();
  await page.keyboard.press('End');
  await asyncio.getByRole('application').focus();
  await page.keyboard.press('ArrowDown');
  await expect(asyncio.getByRole('tooltip')).toContainText(/ on CPU | the loop runs |slices too short to draw apart, .*: (Doc|Grumpy|Happy|Sleepy|Bashful|Sneezy|Dopey)/);
  // The whole drag is one step back.
  await page.goBack();
  await expect(page.getByRole('combobox', { name: 'Scenario' })).toHaveValue('seven-dwarfs');
  await expect(slider).toHaveValue('7');
});

test('a costly re-simulation runs in a worker and its result replaces the chart when done', async ({ page }) => {
  const heavy = { name: 'heavy', cores: 8, tasks: Array.from({ length: 8 }, (_, i) => ({ name: `T${i}`, steps: [{ kind: 'cpu', seconds: 10 }] })), models: [{ model: 'threads', switchIntervalMs: 5 }] };
  await page.goto(`./?s=file&f=${Buffer.from(JSON.stringify(heavy)).toString('base64url')}&view=cores&m=0`);
  const charts = page.locator('#charts');
  await expect(page.getByRole('application')).toHaveAccessibleName(/switch interval 5 ms/);
  const before = await charts.getAttribute('data-generation');
  await page.getByRole('slider', { name: /GIL switch interval/ }).fill('1');
  // The control answers at once; the chart follows when the worker is done.
  await expect(page.getByText('GIL switch interval, all threads: 10 ms')).toBeVisible();
  await expect(charts).not.toHaveAttribute('data-generation', before!, { timeout: 15000 });
  await expect(page.getByRole('application')).toHaveAccessibleName(/switch interval 10 ms/);
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  expect(loaded.some((n) => /simWorker/.test(n))).toBe(true);
});

test('a slider at an extreme that needs too much work says so, and the chart stays', async ({ page }) => {
  const heavy = { name: 'heavy', cores: 8, tasks: Array.from({ length: 8 }, (_, i) => ({ name: `T${i}`, steps: [{ kind: 'cpu', seconds: 10 }] })), models: [{ model: 'threads', switchIntervalMs: 5 }] };
  await page.goto(`./?s=file&f=${Buffer.from(JSON.stringify(heavy)).toString('base64url')}&view=cores&m=0`);
  const before = await page.locator('#charts').getAttribute('data-generation');
  // 80 s of pure Python at a 0.1 ms switch interval: 800,000 GIL hand-offs.
  await page.getByRole('slider', { name: /GIL switch interval/ }).fill('-1');
  await expect(page.getByRole('alert')).toContainText(/could not be simulated \(threads: at least 1,(399|400),\d{3} scheduling events .* more than the 200,000 allowed.*longer switch interval/, { timeout: 20000 });
  await expect(page.getByRole('alert')).toContainText('the controls are back where they were');
  await expect(page.getByRole('application')).toHaveAccessibleName(/switch interval 5 ms/);
  // The controls and the link agree with the chart: not 0.1 ms.
  await expect(page.getByText(/^GIL switch interval, all threads:/)).toContainText('each its own');
  await expect(page).not.toHaveURL(/si=0\.1/);
  await expect(page.locator('#charts')).toHaveAttribute('data-generation', before!);
  // Back to a sane value, and it simulates again.
  await page.getByRole('slider', { name: /GIL switch interval/ }).fill('1');
  await expect(page.getByRole('application')).toHaveAccessibleName(/switch interval 10 ms/, { timeout: 20000 });
});

test('choosing a view, a model, the theme or the speed shows the same runs without simulating again', async ({ page }) => {
  await page.goto('./');
  const charts = page.locator('#charts');
  const generation = await charts.getAttribute('data-generation');
  await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
  await page.getByRole('radio', { name: 'One model, per task' }).check();
  await page.getByRole('combobox', { name: 'Model' }).selectOption('2');
  await page.getByRole('combobox', { name: 'Speed' }).selectOption('4');
  // Each choice took effect…
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.locator('figure.gantt')).toHaveCount(1);
  await expect(page.locator('figure.gantt')).toHaveAttribute('data-model', 'processes');
  await expect(page).toHaveURL(/[?&]speed=4\b/);
  // …and none of them simulated again.
  await expect(charts).toHaveAttribute('data-generation', generation!);
  await page.getByRole('slider', { name: /Cores/ }).fill('3');
  await expect(charts).not.toHaveAttribute('data-generation', generation!);
});

test('a bad scenario file shows what is wrong and keeps the current scenario', async ({ page }) => {
  await page.goto('./');
  const bad = JSON.stringify({ name: 'bad', cores: 2, tasks: [{ name: 'x', steps: [{ kind: 'gpu', seconds: 1 }] }] });
  await page.locator('input[type=file]').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(bad) });
  await expect(page.getByRole('alert')).toContainText('bad.json: tasks[0].steps[0].kind');
  await expect(page.getByRole('alert')).toContainText('the current scenario stays');
  await expect(page.getByRole('combobox', { name: 'Scenario' })).toHaveValue('seven-dwarfs');
  await expect(page.locator('figure.gantt')).toHaveCount(4);
});

test('a good scenario file opens and survives a reload through the URL', async ({ page }) => {
  await page.goto('./');
  const good = JSON.stringify({ name: 'Two hashes', cores: 2, tasks: [{ name: 'h1', steps: [{ kind: 'native', seconds: 1 }] }, { name: 'h2', steps: [{ kind: 'native', seconds: 1 }] }], models: [{ model: 'threads' }, { model: 'asyncio' }] });
  await page.locator('input[type=file]').setInputFiles({ name: 'two.json', mimeType: 'application/json', buffer: Buffer.from(good) });
  await expect(page.locator('figure.gantt')).toHaveCount(2);
  // The scenario goes into the link once compressed (asynchronously).
  await expect(page).toHaveURL(/#z=/);
  await page.reload();
  await expect(page.locator('figure.gantt')).toHaveCount(2);
  await expect(page.getByRole('combobox', { name: 'Scenario' })).toHaveValue('file');
});

test('a shared URL restores the view, and back/forward move between choices', async ({ page }) => {
  await page.goto('./?s=convoy&view=tasks&m=1&t=0.5&theme=dark');
  await expect(page.getByRole('radio', { name: 'One model, per task' })).toBeChecked();
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('1');
  await expect(clock(page)).toHaveText('0.50 s');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.locator('figure.gantt text.lane-label', { hasText: 'chatty I/O' })).toHaveCount(1);
  await page.getByRole('radio', { name: 'Compare all models' }).check();
  await expect(page.locator('figure.gantt')).toHaveCount(5);
  await page.goBack();
  await expect(page.locator('figure.gantt')).toHaveCount(1);
});

test('a malformed URL names each bad parameter, leaves it out and shows the rest', async ({ page }) => {
  await page.goto('./?s=nope&cores=-3&view=sideways');
  await expect(page.getByRole('alert')).toContainText('could not be read');
  await expect(page.getByRole('alert')).toContainText('s=nope (no such scenario)');
  await expect(page.getByRole('alert')).toContainText('cores=-3 (expected a whole number from 1 to 64)');
  await expect(page.getByRole('alert')).toContainText('view=sideways (expected compare, cores, tasks, amdahl or capture)');
  await expect(page.getByRole('combobox', { name: 'Scenario' })).toHaveValue('seven-dwarfs');
});

for (const [link, n] of [['./?story=lecture&step=13', 13], ['./?s=lecture&step=99', 99], ['./?embed&story=lecture&step=40', 40]] as const) {
  test(`a story step past the story's end (${link.slice(3)}) opens at its last step and says so; Esc dismisses the message`, async ({ page }) => {
    await page.goto(link);
    await expect(page.getByRole('alert')).toContainText(`step=${n} (this story has 12 steps: it opens at step 12)`);
    await expect(page.getByTestId('story-step')).toContainText('Step 12 of 12');
    await expect.poll(() => new URL(page.url()).searchParams.get('step')).toBe('12');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(page.getByTestId('story-step')).toContainText('Step 12 of 12');
  });
}

test('keyboard playback: space plays and pauses, arrows step between events', async ({ page }) => {
  await page.goto('./?s=mixed');
  await page.locator('h1').click();
  await page.keyboard.press('ArrowRight');
  const first = await seconds(page);
  expect(first).toBeGreaterThan(0);
  await page.keyboard.press('ArrowRight');
  expect(await seconds(page)).toBeGreaterThan(first);
  await page.keyboard.press('ArrowLeft');
  expect(await seconds(page)).toBe(first);
  await page.keyboard.press(' ');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await page.keyboard.press(' ');
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
});

test('on a focused slider the arrows move the slider, not the playhead; PageDown still steps', async ({ page }) => {
  await page.goto('./?s=mixed&t=1');
  const cores = page.getByRole('slider', { name: /Cores/ });
  await cores.focus();
  const before = await seconds(page);
  await page.keyboard.press('ArrowRight');
  await expect(cores).toHaveValue('5');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect(cores).toHaveValue('3');
  await expect(page.locator('#charts')).toHaveAttribute('data-current', 'true');
  expect(await seconds(page)).toBe(before);
  await page.keyboard.press('PageDown');
  await expect.poll(() => seconds(page)).toBeGreaterThan(before);
});

test('focusing a chart and pressing arrows reads out a bar', async ({ page }) => {
  await page.goto('./?s=mixed&t=5');
  const chart = page.locator('figure.gantt[data-model="threads"]').getByRole('application');
  await chart.focus();
  await page.keyboard.press('ArrowRight'); // focuses the first bar: the main thread's submits, merged
  await expect(page.getByRole('tooltip')).toContainText('→');
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tooltip')).toContainText(/on CPU 0 \(Thread \d\): .*step \d of \d/);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('tooltip')).toHaveCount(0);
});

test('hovering a bar shows task, kind and times', async ({ page }) => {
  await page.goto('./?s=collatz&t=10');
  const chart = page.getByTestId('chart-m2').getByRole('application');
  const box = (await chart.boundingBox())!;
  await page.mouse.move(box.x + 96 + 60, box.y + 4 + 11);
  await expect(page.getByRole('tooltip')).toContainText(/range \d on CPU 0/);
  await expect(page.getByRole('tooltip')).toContainText('pure Python');
});

test('no serious accessibility violations (axe-core), light and dark', async ({ page }) => {
  for (const theme of ['light', 'dark']) {
    await page.goto(`./?theme=${theme}&t=3`);
    await expect(page.locator('figure.gantt')).toHaveCount(4);
    const result = await new AxeBuilder({ page }).analyze();
    const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.nodes.length} × ${v.nodes[0]?.target}`)).toEqual([]);
  }
});

test.describe('screenshots', () => {
  test('compare view of the seven dwarfs at 5 s', async ({ page }) => {
    // Tall enough for all four charts above the legend, which stays at the bottom of the window.
    await page.setViewportSize({ width: 1280, height: 1800 });
    await page.goto('./?t=5');
    await expect(page.locator('figure.gantt')).toHaveCount(4);
    await expect(page.locator('#charts')).toHaveScreenshot('dwarfs-compare.png');
  });
  test('convoy effect, per task, threads', async ({ page }) => {
    await page.goto('./?s=convoy&view=tasks&m=1&t=1.5');
    // 800 marks: this chart is drawn on canvas, and must look as the SVG chart did.
    await expect(page.locator('figure.gantt')).toHaveAttribute('data-render', 'canvas');
    await expect(page.locator('figure.gantt')).toHaveScreenshot('convoy-tasks.png');
  });
});

test.describe('nothing is lost', () => {
  const openFile = (page: Page, name: string, content: string | Buffer) =>
    page.locator('input[type=file]').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.isBuffer(content) ? content : Buffer.from(content) });

  test('Save as JSON writes what was opened (repeat kept), and opening the saved file shows the same charts', async ({ page }) => {
    await page.goto('./');
    const mine = { name: 'Polling loop', cores: 2, seed: 5, tasks: [{ name: 'poll', repeat: 1500, steps: [{ kind: 'cpu', seconds: { min: 0.0005, max: 0.001 } }, { kind: 'io', seconds: 0.001 }] }, { name: 'crunch', steps: [{ kind: 'cpu', seconds: 1 }] }], models: [{ model: 'threads' }, { model: 'asyncio' }] };
    await openFile(page, 'poll.json', JSON.stringify(mine));
    await expect(page.locator('figure.gantt')).toHaveCount(2);
    const makespans = await page.locator('figure.gantt .makespan').allTextContents();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save as JSON' }).click();
    const saved = await (await download).createReadStream().then(async (s) => {
      const chunks: Buffer[] = [];
      for await (const c of s) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    });
    expect(JSON.parse(saved).tasks[0]).toEqual(mine.tasks[0]);
    await page.goto('./');
    await openFile(page, 'polling-loop.json', saved);
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(page.locator('figure.gantt .makespan')).toHaveText(makespans);
  });

  test('End on a run of over a million seconds, then reload: the playhead comes back, with no complaint', async ({ page }) => {
    const long = { name: 'Long', cores: 1, tasks: [{ name: 'wait', repeat: 400, steps: [{ kind: 'io', seconds: 3600 }] }], models: [{ model: 'sequential' }] };
    await page.goto('./');
    await openFile(page, 'long.json', JSON.stringify(long));
    await expect(page.locator('figure.gantt')).toHaveCount(1);
    await expect(page.locator('figure.gantt .makespan')).toHaveText('finishes at 1440000.00 s');
    await page.locator('h1').click();
    await page.keyboard.press('End');
    const t = await seconds(page);
    expect(t).toBeGreaterThan(1_440_000);
    await expect(page).toHaveURL(/[?&]t=14\d{5}/);
    await page.reload();
    await expect(page.locator('figure.gantt')).toHaveCount(1);
    await expect(page.locator('figure.gantt .makespan')).toHaveText('finishes at 1440000.00 s');
    await expect(page.getByRole('alert')).toHaveCount(0);
    expect(await seconds(page)).toBeCloseTo(t, 3);
  });

  test('a seed too big for the controls is refused with a message, and the seed stays', async ({ page }) => {
    await page.goto('./?s=mix&seed=11');
    const seed = page.getByRole('spinbutton', { name: /Seed/ });
    await seed.fill('3000000000');
    await seed.press('Enter');
    await expect(page.getByRole('alert')).toContainText('Seed: 3000000000 is not a whole number from 0 to 2,147,483,647; the seed stays 11.');
    await expect(seed).toHaveValue('11');
    await expect(page).toHaveURL(/[?&]seed=11\b/);
    await page.reload();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(seed).toHaveValue('11');
  });

  test('a shared scenario link with one bad parameter keeps the scenario, names the parameter, and leaves the address as typed', async ({ page }) => {
    const mine = { name: 'Two hashes', cores: 2, tasks: [{ name: 'h1', steps: [{ kind: 'native', seconds: 1 }] }, { name: 'h2', steps: [{ kind: 'native', seconds: 1 }] }], models: [{ model: 'threads' }, { model: 'asyncio' }] };
    const url = `./?s=file&f=${Buffer.from(JSON.stringify(mine)).toString('base64url')}&t=2000000000000`;
    await page.goto(url);
    await expect(page.getByRole('alert')).toContainText('t=2000000000000 (expected a number from 0 to 1000000000)');
    await expect(page.getByRole('combobox', { name: 'Scenario' })).toHaveValue('file');
    await expect(page.locator('figure.gantt')).toHaveCount(2);
    await page.waitForTimeout(300);
    expect(page.url()).toContain('t=2000000000000');
    // The first change writes a clean address, and the scenario travels on in it.
    await page.getByRole('radio', { name: 'One model, per task' }).check();
    await expect(page).not.toHaveURL(/t=2000000000000/);
    await page.reload();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(page.locator('figure.gantt text.lane-label', { hasText: /^h2$/ })).toHaveCount(1);
  });

  test('a 20 KB scenario travels in the link fragment and survives a reload on an ordinary server', async ({ page }) => {
    const big = { name: 'Twenty kilobytes', cores: 4, tasks: Array.from({ length: 120 }, (_, i) => ({ name: `download ${i}`, steps: [{ kind: 'cpu', seconds: 0.001 * (i % 7) }, { kind: 'io', seconds: 0.05 + 0.01 * (i % 13) }] })) };
    const text = JSON.stringify(big, null, 2);
    expect(text.length).toBeGreaterThan(20_000);
    await page.goto('./');
    await openFile(page, 'big.json', text);
    await expect(page).toHaveURL(/#z=[\w-]+$/);
    expect(new URL(page.url()).search.length).toBeLessThan(200);
    // The link is written before the worker's result arrives: wait for the file's charts, not the default's.
    await expect(page.locator('figure.gantt .makespan').first()).not.toHaveText('finishes at 43.02 s');
    const makespans = await page.locator('figure.gantt .makespan').allTextContents();
    const response = await page.reload();
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('combobox', { name: 'Scenario' })).toHaveValue('file');
    await expect(page.locator('figure.gantt .makespan')).toHaveText(makespans);
    await expect(page.getByRole('alert')).toHaveCount(0);
  });

  test('a file over 2 MB is refused with a message, and the current scenario and Play keep working', async ({ page }) => {
    await page.goto('./?s=collatz');
    await openFile(page, 'huge.json', Buffer.alloc(2_100_000, 32));
    await expect(page.getByRole('alert')).toContainText('huge.json is 2.1 MB: too big for a scenario file; the current scenario stays.');
    await expect(page.getByRole('combobox', { name: 'Scenario' })).toHaveValue('collatz');
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => seconds(page)).toBeGreaterThan(0.2);
  });

  test('a small file that expands to millions of steps is refused naming the field, and Play keeps working', async ({ page }) => {
    // 52 KB of JSON; expanded, 4,000,000 steps (it once froze the app for seconds and broke Play).
    const bomb = { name: 'Bomb', cores: 2, tasks: [{ name: 'loop', repeat: 2000, steps: Array.from({ length: 2000 }, () => ({ kind: 'io', seconds: 0.001 })) }] };
    await page.goto('./?s=collatz');
    await openFile(page, 'bomb.json', JSON.stringify(bomb));
    await expect(page.getByRole('alert')).toContainText('bomb.json was not opened; the current scenario stays.');
    await expect(page.getByRole('alert')).toContainText('bomb.json: tasks[0].repeat: the scenario expands to 4,000,000 steps');
    await expect(page.getByRole('combobox', { name: 'Scenario' })).toHaveValue('collatz');
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => seconds(page)).toBeGreaterThan(0.2);
  });

  test('moving a task-mix slider keeps the opened file in the scenario picker', async ({ page }) => {
    await page.goto('./');
    await openFile(page, 'mine.json', JSON.stringify({ name: 'Mine', cores: 2, tasks: [{ name: 'only', steps: [{ kind: 'io', seconds: 1 }] }] }));
    await page.getByRole('slider', { name: /Tasks/ }).fill('5');
    // The file's own task, five times over; the file stays the scenario.
    const picker = page.getByRole('combobox', { name: 'Scenario' });
    await expect(picker).toHaveValue('file');
    await expect(picker.locator('option[value=file]')).toHaveText('Mine (your file)');
    await page.getByRole('radio', { name: 'One model, per task' }).check();
    await expect(page.locator('figure.gantt text.lane-label')).toHaveText(['only', 'only 2', 'only 3', 'only 4', 'only 5']);
    // Choosing the file again gives it back as written.
    await picker.selectOption('file');
    await expect(page.locator('figure.gantt text.lane-label')).toHaveText(['only']);
  });
});
