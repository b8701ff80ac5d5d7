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
      const colours = new Set<string>();
      for (const fx of [0.05, 0.1, 0.15, 0.2]) for (const c of await columnColours(chart, fx, y - 10, y + 10)) colours.add(c);
      expect([...colours], task).toEqual(expect.arrayContaining(['#0072B2', '#E69F00']));
    }
  });
});

test.describe('zoom', () => {
  const ticks = (page: import('@playwright/test').Page, model: string) => page.locator(`figure.gantt[data-model="${model}"] g.axis text`).allTextContents();

  test('the wheel zooms around the pointer, every chart shares the window, and the link keeps it through a reload', async ({ page }) => {
    await page.goto('./?s=collatz&view=compare&t=1');
    const threads = page.locator('figure.gantt[data-model="threads"] svg[role="application"]');
    const before = await ticks(page, 'threads');
    const box = (await threads.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + 20);
    for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -400);
    await expect(page.getByTestId('zoomed')).toBeVisible();
    await expect.poll(() => ticks(page, 'threads')).not.toEqual(before);
    const zoomed = await ticks(page, 'threads');
    // The same window on every chart of the comparison (collatz has five).
    const charts = page.locator('figure.gantt');
    await expect(charts).toHaveCount(5);
    for (const c of await charts.all()) expect(await c.locator('g.axis text').allTextContents()).toEqual(zoomed);
    await expect(page).toHaveURL(/win=[\d.]+(,|%2C)[\d.]+/);
    const win = new URL(page.url()).searchParams.get('win')!.split(',').map(Number);
    expect(win[1] - win[0]).toBeLessThan(8);
    await page.reload();
    await expect.poll(() => ticks(page, 'threads')).toEqual(zoomed);
    // 0 shows the whole run again.
    await page.keyboard.press('0');
    await expect(page.getByTestId('zoomed')).toHaveCount(0);
    await expect.poll(() => ticks(page, 'threads')).toEqual(before);
  });

  test('a drag pans, a double click resets, and a zoom is one history entry', async ({ page }) => {
    await page.goto('./?s=collatz&view=cores&m=1&t=1&win=1,2');
    await expect(page.getByTestId('zoomed')).toContainText('1.00 s to 2.00 s');
    const chart = page.locator('figure.gantt svg[role="application"]');
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + 15);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, box.y + 15, { steps: 5 });
    await page.mouse.up();
    // Dragged left by about a third of the plot: later in the run.
    await expect(page.getByTestId('zoomed')).not.toContainText('1.00 s to 2.00 s');
    // (The address is written after the frame is painted.)
    const win = () => (new URL(page.url()).searchParams.get('win') ?? '0,0').split(',').map(Number);
    await expect.poll(() => win()[0]).toBeGreaterThan(1.2);
    const panned = win();
    expect(panned[1] - panned[0]).toBeCloseTo(1, 3);
    await chart.dblclick({ position: { x: box.width * 0.5, y: 15 } });
    await expect(page.getByTestId('zoomed')).toHaveCount(0);
    await expect(page).not.toHaveURL(/win=/);
    // Zooming replaced the entry: Back leaves the page's first state for the one before it (none here: about:blank).
    await page.goBack();
    await expect(page).not.toHaveURL(/s=collatz/);
  });

  test('zoomed in far enough, the individual 5 ms GIL slices are drawn apart', async ({ page }) => {
    await page.goto(`${CPU_BOUND}&view=cores&m=1&t=40`);
    const chart = page.locator('figure.gantt');
    await expect(chart).toHaveAttribute('data-render', 'canvas');
    await page.goto(`${CPU_BOUND}&view=cores&m=1&t=40&win=10,10.2`);
    await expect(chart).toHaveAttribute('data-render', 'svg');
    // 40 slices of 5 ms in 0.2 s: each its own bar, in one task's colour, none interleaved.
    const marks = chart.locator('rect.mark');
    await expect(marks).toHaveCount(80); // CPU 0 and the GIL lane
    await expect(chart.locator('rect.mark.part')).toHaveCount(0);
    await expect(chart.locator('g.axis text').first()).toHaveText('10 s');
  });
});

test.describe('the same tasks, now CPU-bound', () => {
  test('the CPU-bound share slider on the Seven Dwarfs keeps the dwarfs, their names and lengths; only Custom mix makes new tasks', async ({ page }) => {
    await page.goto('./');
    const seq = page.locator('figure.gantt[data-model="sequential"] .makespan');
    await expect(seq).toHaveText('finishes at 43.02 s');
    // The range sliders show the scenario's own range.
    const shortest = page.getByRole('slider', { name: /Shortest task/ });
    await expect(page.getByText(/^Shortest task:/)).toContainText(/3\.\d s/);
    const label = Number((await page.getByText(/^Shortest task:/).textContent())!.match(/([\d.]+) s/)![1]);
    expect(Math.abs(Number(await shortest.inputValue()) - label)).toBeLessThanOrEqual(0.1);
    await page.getByRole('slider', { name: /CPU-bound share/ }).fill('1');
    await expect(page.getByText(/^CPU-bound share:/)).toContainText('100%');
    await expect(page.getByRole('combobox', { name: 'Scenario' })).toHaveValue('seven-dwarfs');
    // Same work, only CPU-bound: one after another still 43.02 s; threads now no faster.
    await expect(seq).toHaveText('finishes at 43.02 s');
    const threads = page.locator('figure.gantt[data-model="threads"]');
    await expect(threads.locator('.makespan')).not.toHaveText('finishes at 10.01 s');
    expect(parseFloat((await threads.locator('.makespan').textContent())!.replace('finishes at ', ''))).toBeGreaterThanOrEqual(43);
    await page.getByRole('radio', { name: 'One model, per task' }).check();
    for (const d of ['Doc', 'Grumpy', 'Happy', 'Sleepy', 'Bashful', 'Sneezy', 'Dopey']) await expect(page.locator('figure.gantt text.lane-label', { hasText: new RegExp(`^${d}$`) })).toHaveCount(1);
    // The link keeps it.
    await expect(page).toHaveURL(/s=seven-dwarfs.*cpu=1/);
    await page.reload();
    await expect(page.getByText(/^CPU-bound share:/)).toContainText('100%');
  });

  test('moving the shortest task past the longest takes the longest along, on screen', async ({ page }) => {
    await page.goto('./?s=mix&n=5&lo=1&hi=3&cpu=0&seed=7');
    await page.getByRole('slider', { name: /Shortest task/ }).fill('6');
    await expect(page.getByText(/^Shortest task:/)).toContainText('6.0 s');
    await expect(page.getByText(/^Longest task:/)).toContainText('6.0 s');
  });
});

test.describe('each model its own settings', () => {
  test("Collatz's fork and spawn stay different; one model's start method changes that model alone", async ({ page }) => {
    await page.goto('./?s=collatz');
    const titles = page.locator('figure.gantt figcaption .title');
    await expect(titles.filter({ hasText: /fork$/ })).toHaveCount(1);
    await expect(titles.filter({ hasText: /spawn$/ })).toHaveCount(1);
    await page.getByText("Each model's own settings").click();
    await page.getByRole('combobox', { name: 'Start method, 5: processes' }).selectOption('forkserver');
    await expect(titles.filter({ hasText: /forkserver$/ })).toHaveCount(1);
    await expect(titles.filter({ hasText: /fork$/ })).toHaveCount(1);
    await expect(titles.filter({ hasText: /spawn$/ })).toHaveCount(0);
    await expect(page).toHaveURL(/cfg=4(:|%3A)sm(=|%3D)forkserver/);
    await page.reload();
    await expect(titles.filter({ hasText: /forkserver$/ })).toHaveCount(1);
    // The all-models control is asked for all: every processes model follows it.
    await page.getByRole('combobox', { name: 'Start method, all processes' }).selectOption('spawn');
    await expect(titles.filter({ hasText: /spawn$/ })).toHaveCount(2);
  });

  test("Convoy's 5 ms and 1 ms threads keep their intervals; each has its own", async ({ page }) => {
    await page.goto('./?s=convoy');
    const titles = page.locator('figure.gantt figcaption .title');
    await expect(titles.filter({ hasText: /switch interval 5 ms$/ })).toHaveCount(1);
    await expect(titles.filter({ hasText: /switch interval 1 ms$/ })).toHaveCount(1);
    await page.getByText("Each model's own settings").click();
    await page.getByRole('combobox', { name: 'Switch interval, 2: threads' }).selectOption('20');
    await expect(titles.filter({ hasText: /switch interval 20 ms$/ })).toHaveCount(1);
    await expect(titles.filter({ hasText: /switch interval 1 ms$/ })).toHaveCount(1);
    await page.getByRole('spinbutton', { name: 'Workers, 4: processes' }).fill('1');
    await page.getByRole('spinbutton', { name: 'Workers, 4: processes' }).press('Enter');
    await expect(titles.filter({ hasText: /^processes: ProcessPoolExecutor\(max_workers=1\)/ })).toHaveCount(1);
  });
});

test.describe('controls that never disagree', () => {
  test('arrow-key steps on a slider in a row are one history entry, like a drag', async ({ page }) => {
    await page.goto('./?s=seven-dwarfs');
    await page.goto('./?s=convoy');
    const cores = page.getByRole('slider', { name: /Cores/ });
    await cores.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowUp');
    await expect(cores).toHaveValue('5');
    await expect(page).toHaveURL(/cores=5/);
    await page.waitForTimeout(1200);
    await page.goBack();
    // One step back undoes all three steps.
    await expect(page).toHaveURL(/s=convoy/);
    await expect(page).not.toHaveURL(/cores=/);
    await expect(cores).toHaveValue('2');
  });
});

test.describe('summary figures', () => {
  test("Convoy's lesson is in the table: the chatty task's end under each model", async ({ page }) => {
    await page.goto('./?s=convoy');
    await expect(page.getByRole('combobox', { name: 'Task to follow' })).toHaveValue('1');
    await expect(page.getByRole('columnheader', { name: 'chatty I/O ends' })).toBeVisible();
    const end = (model: RegExp) => page.getByRole('row', { name: model }).getByRole('cell').nth(3);
    await expect(end(/^threads: .*switch interval 5 ms/)).toHaveText(/^1\.\d+ s$/);
    await expect(end(/^processes/)).toHaveText(/^0\.2\d+ s$/);
    // GIL wait per task, with its share of the run; the loop blocked only by blocking calls.
    await expect(page.getByRole('row', { name: /^threads: .*switch interval 5 ms/ }).getByRole('cell').nth(4)).toHaveText(/^[\d.]+ (ms|s) \(\d+%\)$/);
    await page.goto('./?s=blocking-loop');
    await expect(page.getByRole('row', { name: /^asyncio/ }).getByRole('cell').nth(5)).toHaveText('2.00 s');
  });

  test('equal makespans at the digits shown are a tie, with the badge apart from the name', async ({ page }) => {
    await page.goto('./');
    await expect(page.getByRole('row', { name: /^asyncio: gather\(\) \(joint fastest\)/ })).toBeVisible();
    await expect(page.getByRole('row', { name: /^threads: .* \(joint fastest\)/ })).toBeVisible();
  });
});

test.describe('narration', () => {
  test('the compare view narrates the chart under the pointer, with names as written and the reason for each wait', async ({ page }) => {
    await page.goto('./?s=convoy&t=0.1');
    const narration = page.getByTestId('narration');
    await expect(narration).toHaveText('threads at 0.10 s: crunch runs; chatty I/O waits for the GIL, which crunch holds.');
    await page.locator('figure.gantt[data-model="processes"]').hover();
    await expect(narration).toHaveText(/^processes at 0\.10 s: crunch runs; chatty I\/O waits on I\/O\.$/);
    await page.locator('figure.gantt[data-model="asyncio"]').hover();
    await expect(narration).toHaveText(/^asyncio at 0\.10 s: The loop runs crunch; chatty I\/O is queued \(not started by the loop yet\)\.$/);
  });
});

test.describe('layout', () => {
  test('a long task name is cut at its end with its full name on hover, and the legend stays in view while scrolling', async ({ page }) => {
    const long = { name: 'Long names', cores: 2, tasks: [{ name: 'download the whole Seven Dwarfs dataset', steps: [{ kind: 'io', seconds: 1 }] }, { name: 'b', steps: [{ kind: 'cpu', seconds: 1 }] }] };
    await page.goto(`./?s=file&f=${Buffer.from(JSON.stringify(long)).toString('base64url')}&view=tasks&m=1`);
    const label = page.locator('figure.gantt text.lane-label').first();
    await expect(label).toHaveText(/^download t.*…$/);
    await expect(label.locator('title')).toHaveText('download the whole Seven Dwarfs dataset');
    const box = (await label.boundingBox())!;
    const chart = (await page.locator('figure.gantt').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(chart.x);
    // The workbench's compare view is taller than the window: the legend is on screen at the top and the bottom.
    await page.goto('./?s=collatz');
    const legend = page.getByRole('group', { name: 'Legend' });
    await expect(legend).toBeInViewport();
    await page.mouse.wheel(0, 600);
    await expect(legend).toBeInViewport();
  });
});

test.describe('the code beside the chart', () => {
  test('the Python of the model on screen, with the line each task is on highlighted at the playhead', async ({ page }) => {
    await page.goto('./?s=convoy&view=tasks&m=1&t=0.5');
    const code = page.getByLabel(/^The Python threads: ThreadPoolExecutor/);
    await expect(code).toContainText('with ThreadPoolExecutor(max_workers=len(TASKS)) as pool:');
    await expect(code).toContainText('sys.setswitchinterval(0.005)');
    const on = code.locator('.line.on');
    await expect(on.filter({ hasText: 'spin(2.0)' })).toContainText('← crunch');
    await expect(on.filter({ hasText: '← chatty I/O' })).toHaveCount(1);
    // After the run, no line is current.
    await page.keyboard.press('End');
    await expect(on).toHaveCount(0);
    // The spawn processes of Collatz: the start method is in the code.
    await page.goto('./?s=collatz&view=cores&m=4&t=1');
    await expect(page.getByLabel(/^The Python processes/)).toContainText('multiprocessing.get_context("spawn")');
  });
});

test.describe('axes and blocking calls', () => {
  test('one model alone gets an axis fitted to its own run, and Home and End move the playhead without scrolling', async ({ page }) => {
    await page.goto('./?view=cores&m=1');
    const ticks = page.locator('figure.gantt g.axis text');
    // Threads finish the dwarfs at 10.01 s: the axis ends just past it, not at sequential's 43 s.
    await expect(ticks.last()).toHaveText('10 s');
    await page.mouse.wheel(0, 200);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    const y = await page.evaluate(() => window.scrollY);
    await page.keyboard.press('End');
    await expect(page.getByTestId('narration')).toContainText('all 7 tasks done');
    await page.keyboard.press('Home');
    await expect(page.getByTestId('narration')).toContainText('at 0.00 s');
    expect(await page.evaluate(() => window.scrollY)).toBe(y);
  });

  test('a blocking call in asyncio is drawn and narrated as the loop blocked, not as a task waiting on I/O', async ({ page }) => {
    await page.goto('./?s=blocking-loop&view=tasks&m=0&t=1.2');
    await expect(page.getByTestId('narration')).toContainText('time.sleep blocks the loop in a blocking call');
    await expect(page.getByTestId('narration')).toContainText("the loop is stuck in time.sleep's blocking call");
    const chart = page.locator('figure.gantt');
    await expect(chart.locator('text.mark-label', { hasText: 'blocking the loop' })).toHaveCount(1);
    await page.goto('./?s=blocking-loop&view=cores&m=0&t=3');
    // In the per-core view the wait band has no "time.sleep" lane: the loop lane shows it, running.
    await expect(page.locator('figure.gantt text.lane-label', { hasText: /^time\.sleep$/ })).toHaveCount(0);
    await expect(page.locator('figure.gantt text.mark-label', { hasText: 'time.sleep (blocking!)' }).first()).toBeVisible();
  });
});
