import type { FrameLocator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/** The embed's playhead, read from its clock. */
const time = async (f: FrameLocator) => parseFloat((await f.getByTestId('clock').getAttribute('data-time')) ?? 'NaN');
const page = (p: Page) => p.getByTestId('page');
const slide = (p: Page, n: number) => p.locator(`section[data-slide="${n}"]`);
/** Asks the slide's embed for its state (the deck's Get state button) and reads the answer the deck shows. */
async function stateOf(s: ReturnType<typeof slide>) {
  await s.getByTestId('state').evaluate((o) => (o.textContent = ''));
  await s.getByRole('button', { name: 'Get state' }).click();
  await expect(s.getByTestId('state')).not.toHaveText('');
  return JSON.parse((await s.getByTestId('state').textContent())!);
}

test.describe('the demo deck drives its embedded views', () => {
  test('a slide opening plays its embed (slide:start); leaving it pauses it (slide:stop)', async ({ page: p }) => {
    await p.goto('./deck.html#2');
    const f = p.frameLocator('section[data-slide="2"] iframe');
    await expect(f.locator('figure.gantt')).toHaveCount(4);
    await expect(f.getByRole('button', { name: 'Pause' })).toBeVisible();
    await expect.poll(() => time(f)).toBeGreaterThan(0.5);
    await p.keyboard.press('PageDown');
    await expect(page(p)).toHaveText('3');
    // Its slide left (hidden), the embed stays where it stopped.
    await expect(f.locator('button.play')).toHaveText('Play');
    const stopped = await time(f);
    await p.waitForTimeout(400);
    expect(await time(f)).toBe(stopped);
  });

  test('postMessage: pause, seek to seconds, and getState answers with the time', async ({ page: p }) => {
    await p.setViewportSize({ width: 1280, height: 720 });
    await p.goto('./deck.html#2');
    const s = slide(p, 2);
    const f = p.frameLocator('section[data-slide="2"] iframe');
    await expect(f.locator('figure.gantt')).toHaveCount(4);
    await s.getByRole('button', { name: 'Pause' }).click();
    await expect(f.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
    await s.getByRole('button', { name: 'Seek to 1 s' }).click();
    await expect.poll(() => time(f)).toBe(1);
    const state = await stateOf(s);
    expect(state).toMatchObject({ step: null, steps: 0, time: 1, playing: false, scenario: 'Seven Dwarfs' });
    expect(state.end).toBeGreaterThan(43);
    // At 1280×720 the answer's line ends above the page number's footer, which grows leftwards with a forwarded key.
    const [out, foot] = [await s.getByTestId('state').boundingBox(), await p.locator('footer').boundingBox()];
    expect(out!.y + out!.height, JSON.stringify({ out, foot })).toBeLessThanOrEqual(foot!.y);
    await s.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => time(f)).toBeGreaterThan(1);
  });

  test("keys the embed does not use go to the deck: a focused iframe never traps the clicker", async ({ page: p }) => {
    await p.goto('./deck.html#2');
    const f = p.frameLocator('section[data-slide="2"] iframe');
    await expect(f.locator('figure.gantt')).toHaveCount(4);
    await f.getByTestId('narration').click();
    await p.keyboard.press('PageDown');
    await expect(page(p)).toHaveText('3');
    await expect(p.getByTestId('forwarded')).toHaveText('forwarded PageDown');
  });

  test('a story embed: the deck picks its step, PageDown turns it inside, and past its last step the deck turns', async ({ page: p }) => {
    await p.goto('./deck.html#3');
    const s = slide(p, 3);
    const f = p.frameLocator('section[data-slide="3"] iframe');
    await expect(f.getByTestId('story-step')).toContainText('Step 1 of');
    await s.getByRole('button', { name: 'Step 2' }).click();
    await expect(f.getByTestId('story-step')).toContainText('Step 2 of');
    await f.getByTestId('story-step').click();
    await p.keyboard.press('PageDown');
    await expect(f.getByTestId('story-step')).toContainText(/Step [23] of/);
    await expect(page(p)).toHaveText('3');
    const state = await stateOf(s);
    expect(state.step).toBeGreaterThanOrEqual(2);
    expect(state.steps).toBeGreaterThan(3);
    await s.getByRole('button', { name: 'Step 2' }).click();
    // The last step, then one more press: the deck's.
    await s.locator('iframe').evaluate((el: HTMLIFrameElement, n) => el.contentWindow!.postMessage({ method: 'step', args: [n] }, '*'), state.steps);
    await expect(f.getByTestId('story-step')).toContainText(`Step ${state.steps} of`);
    await f.getByTestId('story-step').click();
    for (let i = 0; i < 2 && (await page(p).textContent()) === '3'; i++) await p.keyboard.press('PageDown');
    await expect(page(p)).toHaveText('4');
    // Back a slide: the story, hidden meanwhile, is where it was left, and has the keys again: PageUp walks it back.
    await p.keyboard.press('PageUp');
    await expect(page(p)).toHaveText('3');
    await expect(f.getByTestId('story-step')).toContainText(`Step ${state.steps} of`);
    await p.keyboard.press('PageUp');
    await expect(f.getByTestId('story-step')).toContainText(`Step ${state.steps - 1} of`);
    await expect(page(p)).toHaveText('3');
  });

  test('two quick presses into a story slide: the second turns its story, never skips it (embeds load ahead, and a key the left slide hands back goes to the open one)', async ({ page: p }) => {
    await p.goto('./deck.html#2');
    await expect(slide(p, 3).locator('iframe')).toHaveAttribute('data-loaded', '1');
    await p.keyboard.press('PageDown');
    await p.keyboard.press('PageDown');
    const f = p.frameLocator('section[data-slide="3"] iframe');
    await expect(f.getByTestId('story-step')).toContainText('Step 2 of');
    await expect(page(p)).toHaveText('3');
  });

  test('a clicker alone walks a story slide: its embed has the keys when the slide opens, and the deck goes on past its end', async ({ page: p }) => {
    await p.goto('./deck.html#2');
    const f = p.frameLocator('section[data-slide="3"] iframe');
    await expect(p.frameLocator('section[data-slide="2"] iframe').locator('figure.gantt')).toHaveCount(4);
    await p.keyboard.press('PageDown');
    await expect(page(p)).toHaveText('3');
    await expect(f.getByTestId('story-step')).toContainText('Step 1 of');
    await p.keyboard.press('PageDown');
    await expect(f.getByTestId('story-step')).toContainText('Step 2 of');
    await expect(page(p)).toHaveText('3');
    // → at the end of a step's run is the deck's.
    await f.locator('body').press('End');
    await p.keyboard.press('ArrowRight');
    await expect(page(p)).toHaveText('4');
  });

  test('a hidden embed that still has the focus hands the clicker to the deck', async ({ page: p }) => {
    await p.goto('./deck.html#3');
    const f = p.frameLocator('section[data-slide="3"] iframe');
    await slide(p, 3).getByRole('button', { name: 'Step 2' }).click();
    await expect(f.getByTestId('story-step')).toContainText('Step 2 of');
    await f.getByTestId('story-step').click();
    // The deck turns by itself (its own button, a timer, a remote): the story's frame is hidden but focused.
    await p.evaluate(() => (location.hash = '#4'));
    await expect(page(p)).toHaveText('4');
    // A key pressed in the hidden frame (a real press cannot reach a display: none frame, which is why the deck takes
    // the focus back; a deck that does not still gets the key from the embed).
    await f.locator('body').evaluate((b) => b.dispatchEvent(new (b.ownerDocument.defaultView!.KeyboardEvent)('keydown', { key: 'PageUp', code: 'PageUp', bubbles: true })));
    await expect(page(p)).toHaveText('3');
    await expect(f.getByTestId('story-step')).toContainText('Step 2 of');
  });
});

test.describe('?embed', () => {
  test('shows the stage alone, keeps the other parameters, and adds no history entries', async ({ page: p }) => {
    await p.setViewportSize({ width: 800, height: 450 });
    await p.goto('./?embed&s=collatz&view=tasks&m=1');
    await expect(p.locator('figure.gantt')).toHaveCount(1);
    await expect(p.getByRole('heading', { name: 'Python concurrency visualiser' })).toHaveCount(0);
    await expect(p.getByRole('button', { name: 'Open file…' })).toHaveCount(0);
    await expect(p.getByRole('button', { name: 'Restart' })).toHaveCount(0);
    await expect(p.getByTestId('clock')).toBeVisible();
    const before = await p.evaluate(() => history.length);
    await p.keyboard.press('2');
    await p.keyboard.press('c');
    await expect(p.locator('figure.gantt')).toHaveCount(5);
    expect(await p.evaluate(() => history.length)).toBe(before);
    expect(new URL(p.url()).searchParams.has('embed')).toBe(true);
    expect(new URL(p.url()).searchParams.get('s')).toBe('collatz');
    const scrolls = await p.evaluate(() => document.documentElement.scrollHeight > innerHeight + 1);
    expect(scrolls).toBe(false);
  });

  test('every step of the lecture fits a 640×360 frame without scrolling, its lane labels apart (Amdahl\'s sentences shrink; waits fold)', async ({ page: p }) => {
    await p.setViewportSize({ width: 640, height: 360 });
    for (let step = 1; step <= 12; step++) {
      await p.goto(`./?embed&story=lecture&step=${step}`);
      await expect(p.getByTestId('story-step')).toContainText(`Step ${step} of 12`);
      await expect(p.locator('#charts')).toHaveAttribute('data-current', 'true');
      const measure = () => p.evaluate(() => ({
        scroll: document.documentElement.scrollHeight - innerHeight,
        overlaps: [...document.querySelectorAll('figure.gantt')].flatMap((f) => {
          const boxes = [...f.querySelectorAll('text.lane-label')].map((t) => t.getBoundingClientRect()).sort((a, b) => a.top - b.top);
          return boxes.slice(1).filter((b, i) => b.top < boxes[i].bottom - 1).map((b) => Math.round(b.top));
        }),
      }));
      // Polled: the Amdahl step's sentences come with its sweep, and then shrink to fit.
      await expect.poll(measure, { message: `step ${step}` }).toEqual({ scroll: 0, overlaps: [] });
    }
  });

  test('messages that are not plain commands are ignored, and nothing in them is inserted', async ({ page: p }) => {
    await p.goto('./?embed&t=2');
    await expect(p.locator('figure.gantt')).toHaveCount(4);
    const narration = await p.getByTestId('narration').textContent();
    await p.evaluate(() => {
      for (const m of [{ method: 'eval', args: ['document.title="x"'] }, '<img src=x onerror="document.title=1">', { method: 'seek', args: ['<b>'] }, { method: 'step', args: [-1] }, null, 7])
        window.postMessage(m, '*');
    });
    await p.waitForTimeout(300);
    await expect(p.getByTestId('narration')).toHaveText(narration!);
    expect(await p.title()).toBe('Python concurrency visualiser');
    expect(await p.locator('img').count()).toBe(0);
  });

  test('a flood of messages never hangs it: 20,000 nexts move a story 20 steps at most, and it still answers', async ({ page: p }) => {
    await p.goto('./?embed&story=lecture');
    await expect(p.getByTestId('story-step')).toContainText('Step 1 of');
    const answer = await p.evaluate(async () => {
      for (let i = 0; i < 20_000; i++) window.postMessage({ method: 'next', args: [] }, '*');
      window.postMessage({ method: 'getState', args: [] }, '*');
      const started = performance.now();
      return new Promise<{ step: number; ms: number }>((resolve) =>
        addEventListener('message', (e) => e.data?.method === 'getState' && e.data.eventName === 'callback' && resolve({ step: e.data.result.step, ms: performance.now() - started })),
      );
    });
    expect(answer.step).toBeGreaterThan(1);
    expect(answer.ms).toBeLessThan(5000);
    await expect(p.getByTestId('story-step')).toContainText(`Step ${answer.step} of`);
  });

  for (const [w, h] of [[1280, 720], [1920, 1080]] as const) {
    test(`screenshot: the deck's compare slide at ${w}×${h}`, async ({ page: p }) => {
      await p.setViewportSize({ width: w, height: h });
      await p.goto('./deck.html#2');
      const s = slide(p, 2);
      const f = p.frameLocator('section[data-slide="2"] iframe');
      await expect(f.locator('figure.gantt')).toHaveCount(4);
      await s.getByRole('button', { name: 'Pause' }).click();
      await s.getByRole('button', { name: 'Seek to 1 s' }).click();
      await expect.poll(() => time(f)).toBe(1);
      await expect(p).toHaveScreenshot(`deck-compare-${w}x${h}.png`);
    });
  }
});
