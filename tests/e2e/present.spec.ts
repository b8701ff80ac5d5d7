import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, seconds, test } from './fixtures.ts';

const step = (page: Page) => page.getByTestId('story-step');

/** Sizes of every visible piece of text on the page (SVG text included), and whether the page scrolls. */
function measure(page: Page) {
  return page.evaluate(() => {
    const sizes: { text: string; px: number }[] = [];
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('.visually-hidden, [aria-hidden="true"]:not(svg)')) continue;
      const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim()).map((n) => n.textContent!.trim());
      if (!own.length) continue;
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      if (!r.width || !r.height || cs.visibility === 'hidden' || cs.display === 'none') continue;
      sizes.push({ text: own.join(' ').slice(0, 30), px: parseFloat(cs.fontSize) });
    }
    sizes.sort((a, b) => a.px - b.px);
    return { smallest: sizes.slice(0, 3), scrolls: document.documentElement.scrollHeight > innerHeight + 1 || document.documentElement.scrollWidth > innerWidth + 1 };
  });
}

test.describe('presenter mode', () => {
  // The four dwarfs' models; the lecture's six (three columns); a run's end, whose narration wraps to more lines.
  const pages = [['./?present=1&t=5', 4, null], ['./?present=1&s=lecture&t=5', 6, null], ['./?present=1&s=errors-processes', 2, 'End']] as const;
  for (const [w, h, min] of [[1280, 720, 18], [1920, 1080, 26]] as const)
  for (const [link, charts, key] of pages) {
    test(`at ${w}×${h} the compare view of ${link.slice(2)}${key ? ` after ${key}` : ''} fits the window, no text under ${min} px, no lane labels overlapping`, async ({ page }) => {
      await page.setViewportSize({ width: w, height: h });
      await page.goto(link);
      await expect(page.locator('figure.gantt')).toHaveCount(charts);
      await expect(page.locator('#charts')).toHaveAttribute('data-current', 'true');
      if (key) await page.keyboard.press(key);
      await page.waitForTimeout(200);
      const m = await measure(page);
      expect(m.scrolls).toBe(false);
      expect(m.smallest[0].px, JSON.stringify(m.smallest)).toBeGreaterThanOrEqual(min);
      // No lane label overlaps the next one down (the seven dwarfs' waits fold into one lane where they would).
      const overlaps = await page.locator('figure.gantt').evaluateAll((figs) =>
        figs.flatMap((f) => {
          const boxes = [...f.querySelectorAll('text.lane-label')].map((t) => ({ text: t.textContent, ...t.getBoundingClientRect().toJSON() })).sort((a, b) => a.top - b.top);
          return boxes.slice(1).filter((b, i) => b.top < boxes[i].bottom - 1).map((b, i) => `${f.getAttribute('data-model')}: ${boxes[i].text} / ${b.text}`);
        }),
      );
      expect(overlaps).toEqual([]);
    });
  }

  for (const theme of ['light', 'dark', 'contrast']) {
    for (const [w, h] of [[1280, 720], [1920, 1080]] as const) {
      test(`screenshot: ${theme}, ${w}×${h}`, async ({ page }) => {
        await page.setViewportSize({ width: w, height: h });
        await page.goto(`./?present=1&t=5&theme=${theme}`);
        await expect(page.locator('figure.gantt')).toHaveCount(4);
        await expect(page).toHaveScreenshot(`present-${theme}-${w}.png`);
      });
    }
  }

  test('P enters and leaves it, the link keeps it, and Esc leaves it last (after the help)', async ({ page }) => {
    await page.goto('./');
    await page.keyboard.press('p');
    await expect(page).toHaveURL(/present=1/);
    await expect(page.getByRole('region', { name: 'Task mix and machine' })).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole('region', { name: 'Task mix and machine' })).toHaveCount(0);
    await page.keyboard.press('?');
    await expect(page.getByRole('dialog', { name: 'Keys' })).toBeVisible();
    await expect(page.getByRole('dialog')).toContainText('PageDown / PageUp');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await expect(page).toHaveURL(/present=1/);
    await page.keyboard.press('Escape');
    await expect(page).not.toHaveURL(/present=1/);
    await expect(page.getByRole('region', { name: 'Task mix and machine' })).toBeVisible();
  });

  test('B and "." black the screen and stop playback; any key brings it back and does nothing else', async ({ page }) => {
    await page.goto('./?present=1&t=4');
    await page.keyboard.press(' ');
    await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
    await page.keyboard.press('b');
    await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
    const stopped = await seconds(page);
    await page.waitForTimeout(300);
    expect(await seconds(page)).toBe(stopped);
    await page.keyboard.press('Shift');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    await page.goto('./?present=1&t=5');
    for (const key of ['b', '.']) {
      await page.keyboard.press(key);
      await expect(page.getByTestId('black-screen')).toBeVisible();
      await page.keyboard.press('ArrowRight');
      await expect(page.getByTestId('black-screen')).toHaveCount(0);
      expect(await seconds(page)).toBe(5);
    }
  });

  test('F asks for full screen, and Esc leaves it before leaving presenter mode', async ({ page }) => {
    await page.goto('./?present=1');
    await page.keyboard.press('f');
    await expect.poll(() => page.evaluate(() => !!document.fullscreenElement)).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.evaluate(() => !!document.fullscreenElement)).toBe(false);
    await expect(page).toHaveURL(/present=1/);
  });

  test('1–9 show a model alone, C compares them all again', async ({ page }) => {
    await page.goto('./?present=1');
    await page.keyboard.press('3');
    await expect(page.locator('figure.gantt')).toHaveCount(1);
    await expect(page.locator('figure.gantt')).toHaveAttribute('data-model', 'processes');
    await page.keyboard.press('c');
    await expect(page.locator('figure.gantt')).toHaveCount(4);
  });

  test('the pointer hides after two seconds without moving, even if it never moved since presenter mode began', async ({ page }) => {
    await page.goto('./?present=1');
    await expect(page.locator('.app')).toHaveClass(/pointer-idle/, { timeout: 4000 });
    await page.mouse.move(300, 300);
    await expect(page.locator('.app')).not.toHaveClass(/pointer-idle/);
    await page.waitForTimeout(2100);
    await expect(page.locator('.app')).toHaveClass(/pointer-idle/);
    await page.mouse.move(310, 300);
    await expect(page.locator('.app')).not.toHaveClass(/pointer-idle/);
  });

  test('no serious accessibility violations, in every theme, with a story on screen', async ({ page }) => {
    test.setTimeout(60_000);
    for (const theme of ['light', 'dark', 'contrast']) {
      await page.goto(`./?present=1&t=5&theme=${theme}&story=lecture&step=2`);
      await expect(page.locator('figure.gantt').first()).toBeVisible();
      const result = await new AxeBuilder({ page }).analyze();
      const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(serious.map((v) => `${theme} ${v.id}: ${v.nodes.length} × ${v.nodes[0]?.target}`)).toEqual([]);
    }
  });
});

test.describe('keys never do damage, whatever has focus', () => {
  test('PageDown on the time slider steps forward, not backward; on a select it changes nothing there', async ({ page }) => {
    await page.goto('./?t=5');
    await page.getByRole('slider', { name: 'Time', exact: true }).focus();
    await page.keyboard.press('PageDown');
    expect(await seconds(page)).toBeGreaterThan(5);
    await page.getByRole('combobox', { name: 'Scenario' }).focus();
    await page.keyboard.press('PageDown');
    await expect(page.getByRole('combobox', { name: 'Scenario' })).toHaveValue('seven-dwarfs');
    await page.getByRole('combobox', { name: 'Speed' }).focus();
    await page.keyboard.press('PageDown');
    await expect(page.getByRole('combobox', { name: 'Speed' })).toHaveValue('1');
  });

  test('Space after clicking Restart or choosing a theme plays and pauses, and does not press them again', async ({ page }) => {
    await page.goto('./?t=5');
    await page.getByRole('button', { name: 'Restart' }).click();
    await page.keyboard.press('ArrowRight');
    const t = await seconds(page);
    await page.keyboard.press(' ');
    await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
    await page.keyboard.press(' ');
    await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
    expect(await seconds(page)).toBeGreaterThanOrEqual(t);
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
    await page.keyboard.press(' ');
    await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  });

  test('a clicker with no story steps by events a few pixels apart, only of the models on screen', async ({ page }) => {
    await page.goto('./?view=cores&m=1');
    const stops: number[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('PageDown');
      stops.push(await seconds(page));
    }
    // Threads end at 10.01 s: the presses stop there, none of them inside a burst under a pixel.
    const distinct = [...new Set(stops)];
    expect(distinct.at(-1)).toBeLessThan(10.3);
    expect(distinct.length).toBeLessThan(20);
    for (let i = 1; i < distinct.length; i++) expect(distinct[i] - distinct[i - 1]).toBeGreaterThan(0.02);
  });

  test('on the stage\'s two columns a clicker\'s press moves the playhead at least 4 px of the half-width plots', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto('./?present=1&s=collatz');
    await expect(page.locator('figure.gantt')).toHaveCount(5);
    const head = page.locator('figure.gantt[data-model="threads"] line.playhead');
    const xs: number[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('PageDown');
      xs.push(Number(await head.getAttribute('x1')));
    }
    // (Drawn at 0.1 px: a 4 px step reads 3.9 at worst.)
    for (let i = 1; i < xs.length; i++) expect(xs[i] - xs[i - 1], xs.join(' ')).toBeGreaterThanOrEqual(3.9);
  });

  test('with reduced motion asked for, playback still plays', async ({ page }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto('./');
    await page.keyboard.press(' ');
    await expect.poll(() => seconds(page)).toBeGreaterThan(0.2);
  });
});

test.describe('a story', () => {
  test('while a question hides its run, Space, → and End leave it still and Play is disabled until the reveal', async ({ page }) => {
    await page.goto('./?story=lecture&step=3');
    await expect(page.getByTestId('question')).toBeVisible();
    await expect(page.locator('#charts')).toHaveAttribute('data-hidden', 'true');
    const at = await seconds(page);
    for (const key of [' ', 'ArrowRight', 'End']) await page.keyboard.press(key);
    await page.waitForTimeout(300);
    expect(await seconds(page)).toBe(at);
    const play = page.locator('fieldset.player button.play');
    await expect(play).toBeDisabled();
    await page.keyboard.press('PageDown');
    await expect(page.locator('#charts')).toHaveAttribute('data-hidden', 'false');
    await expect(play).toBeEnabled();
  });

  test('the lecture, driven by PageDown and PageUp with a slider focused: every step, the question, the reveal', async ({ page }) => {
    await page.goto('./?story=lecture');
    await expect(step(page)).toHaveText('Step 1 of 12');
    await page.getByRole('slider', { name: 'Time', exact: true }).focus();
    await page.keyboard.press('PageDown');
    await expect(step(page)).toHaveText('Step 2 of 12');
    await expect(page.locator('figure.gantt')).toHaveCount(2);
    await page.keyboard.press('PageDown');
    // Step 3 asks first: the run is hidden, no answer marked.
    await expect(step(page)).toHaveText('Step 3 of 12');
    await expect(page.getByTestId('question')).toContainText('Which finishes first?');
    await expect(page.locator('#charts')).toHaveCSS('visibility', 'hidden');
    await expect(page.getByText('right answer')).toHaveCount(0);
    // Its caption and the summary table would tell: they wait for the reveal too.
    await expect(page.locator('.story .caption')).toHaveCount(0);
    await expect(page.getByRole('table', { name: /Summary/ })).toHaveCount(0);
    // The next click reveals the run and marks the answer the simulation gives: sequential, by 0.4 s.
    await page.keyboard.press('PageDown');
    await expect(page.locator('#charts')).toHaveCSS('visibility', 'visible');
    await expect(page.locator('.story .caption')).toContainText('Same names, same lengths');
    await expect(page.getByRole('table', { name: /Summary/ })).toBeVisible();
    await expect(page.getByTestId('question').locator('li', { hasText: 'right answer' })).toContainText('sequential');
    // In green, never the accent's red, which reads as wrong.
    await expect(page.getByText('✓ right answer')).toHaveCSS('color', 'rgb(30, 123, 52)');
    await expect(page.locator('figure.gantt .makespan')).toHaveText(['finishes at 43.02 s', 'finishes at 43.23 s']);
    await expect(step(page)).toHaveText('Step 3 of 12');
    await page.keyboard.press('PageDown');
    await expect(step(page)).toHaveText('Step 4 of 12');
    await expect(page).toHaveURL(/[?&]step=4\b/);
    // A held PageDown (key repeat) is one click, not a run through the story.
    await page.evaluate(() => {
      for (let i = 0; i < 5; i++) window.dispatchEvent(new KeyboardEvent('keydown', { key: 'PageDown', repeat: true, bubbles: true }));
    });
    await expect(step(page)).toHaveText('Step 4 of 12');
    // Reload and Back keep the step.
    await page.reload();
    await expect(step(page)).toHaveText('Step 4 of 12');
    await page.goBack();
    await expect(step(page)).toHaveText('Step 3 of 12');
    await page.goForward();
    await expect(step(page)).toHaveText('Step 4 of 12');
    await page.getByRole('slider', { name: 'Time', exact: true }).focus();
    for (let i = 0; i < 20; i++) await page.keyboard.press('PageDown');
    await expect(step(page)).toHaveText('Step 12 of 12');
    await page.keyboard.press('PageUp');
    await expect(step(page)).toHaveText('Step 11 of 12');
  });

  test('it opens from the scenario picker at its first step', async ({ page }) => {
    await page.goto('./');
    await page.getByRole('combobox', { name: 'Scenario' }).selectOption('lecture');
    await expect(step(page)).toHaveText('Step 1 of 12');
    await expect(page.locator('figure.gantt')).toHaveCount(1);
    await expect(page.locator('figure.gantt .makespan')).toHaveText('finishes at 43.02 s');
  });
});

test.describe("Amdahl's law", () => {
  test('the view sweeps every model over 1–64 cores, says where each stops scaling, and answers a what-if', async ({ page }) => {
    await page.goto('./?view=amdahl');
    const plateaus = page.getByRole('list', { name: 'Where each model stops scaling' });
    // One sentence per reason: threads and processes stop at 5 cores for the same one.
    await expect(plateaus.getByRole('listitem')).toHaveCount(3, { timeout: 15_000 });
    await expect(plateaus).toContainText('threads and processes stop scaling at 5 cores (4.30×, 4.30×): the longest task (Happy, 10.00 s)');
    await expect(page.getByRole('img', { name: /Amdahl's law for p = 0\.77/ })).toBeVisible();
    // A sweep, not a run: no player.
    await expect(page.getByTestId('clock')).toHaveCount(0);
    await page.getByRole('combobox', { name: 'Faster by' }).selectOption('5');
    await expect(page.getByRole('table').first()).toContainText('43.02 s → 35.02 s');
    // Other views and back: the charts come back, the sweep is kept.
    await page.getByRole('radio', { name: 'Compare all models' }).check();
    await expect(page.locator('figure.gantt')).toHaveCount(4);
    await expect(page.getByTestId('clock')).toBeVisible();
  });

  for (const [w, h] of [[480, 270], [640, 360], [1280, 720]]) {
    test(`on the lecture's last step in a ${w}×${h} embed, the chart of six curves and its legend are whole in the frame`, async ({ page }) => {
      await page.setViewportSize({ width: w, height: h });
      await page.goto('./?embed&story=lecture&step=12');
      const chart = page.getByRole('img', { name: /Amdahl's law for p = / });
      await expect(chart).toBeVisible({ timeout: 15_000 });
      for (const box of [await chart.boundingBox(), await page.getByRole('list', { name: 'Legend' }).boundingBox()]) {
        expect(box!.y).toBeGreaterThanOrEqual(0);
        expect(box!.y + box!.height).toBeLessThanOrEqual(h + 1);
        expect(box!.x + box!.width).toBeLessThanOrEqual(w + 1);
      }
    });
  }
});
