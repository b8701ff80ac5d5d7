// `npm run bench`: speed and size goals, medians and percentiles printed. A benchmark, not a test.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, findBrowser } from '../tests/find-browser.mjs';

const results = [];
const report = (name, value, unit, goal) => {
  const ok = value < goal;
  results.push(ok);
  console.log(`${name}: ${value.toFixed(unit === 'KB' ? 1 : unit ? 2 : 0)}${unit && ' ' + unit} (goal < ${goal}${unit && ' ' + unit}) ${ok ? 'ok' : 'MISSED'}`);
};

// 1. The simulator, in Node.
if (spawnSync('npx', ['tsx', 'bench/sim.ts'], { stdio: 'inherit' }).status !== 0) results.push(false);

// 1b. The Amdahl sweep of the Seven Dwarfs (four models × 64 core counts), in Node.
if (spawnSync('npx', ['tsx', 'bench/amdahl.ts', '20'], { stdio: 'inherit' }).status !== 0) results.push(false);

// 2. The production bundle.
spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
let gz = 0;
for (const f of readdirSync('dist/assets')) gz += gzipSync(readFileSync(`dist/assets/${f}`)).length;
gz += gzipSync(readFileSync('dist/index.html')).length;
report('bundle  production JS + CSS + HTML, gzipped', gz / 1024, 'KB', 150);

// 3. The app in headless Chromium.
const server = spawn('npx', ['vite', 'preview', '--port', '4175', '--strictPort'], { stdio: 'ignore', detached: true });
const base = 'http://localhost:4175/';
for (let i = 0; i < 50; i++) {
  try {
    await fetch(base);
    break;
  } catch {
    await new Promise((r) => setTimeout(r, 200));
  }
}
// Frame cost is measured with the display's 60 Hz pacing switched off, so that a rAF interval is what a frame really
// costs (with vsync on, every interval reads 16.7 ms whatever the work). The slider drag is measured with it on, as a
// user sees it: input to the next painted frame, including the wait for that frame.
const executablePath = await findBrowser();
const unpaced = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, '--disable-gpu-vsync', '--disable-frame-rate-limit'] });
const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
try {
  const viewport = { width: 1400, height: 1000 };
  const b64 = (s) => Buffer.from(s).toString('base64url');
  const heavy = { name: 'heavy', cores: 8, tasks: Array.from({ length: 8 }, (_, i) => ({ name: `T${i}`, steps: [{ kind: 'cpu', seconds: 10 }] })), models: [{ model: 'threads', switchIntervalMs: 5 }] };

  /** Play for `ms` and return rAF frame intervals (ms) measured in the page. */
  async function playFrames(url, ms) {
    const page = await unpaced.newPage({ viewport });
    await page.goto(url);
    await page.locator('figure.gantt').first().waitFor();
    await page.waitForTimeout(300);
    const frames = await page.evaluate(async (ms) => {
      const play = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Play');
      play.click();
      const times = [];
      // Until `ms` have passed or playback reaches the end (idle frames after it are paced at 60 Hz and cost nothing).
      await new Promise((done) => {
        const t0 = performance.now();
        const f = (t) => {
          times.push(t);
          if (t - t0 < ms && play.textContent === 'Pause') requestAnimationFrame(f);
          else done();
        };
        requestAnimationFrame(f);
      });
      return times.slice(1).map((t, i) => t - times[i]);
    }, ms);
    await page.close();
    return frames;
  }
  const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
  const med = (xs) => pct(xs, 0.5);

  const hv = await playFrames(`${base}?s=file&f=${b64(JSON.stringify(heavy))}&view=cores&m=0&speed=16`, 3000);
  report(`frames  heavy scenario (16,000 GIL slices), playing at 16×: ${hv.length} frames unpaced, median ${med(hv).toFixed(1)} ms, p95 frame time`, pct(hv, 0.95), 'ms', 16.7);
  const cmp = await playFrames(`${base}?view=compare&speed=4`, 3000);
  report(`frames  compare view, the four models of the seven dwarfs, playing at 4×: ${cmp.length} frames unpaced, median ${med(cmp).toFixed(1)} ms, p95 frame time`, pct(cmp, 0.95), 'ms', 16.7);
  const five = await playFrames(`${base}?s=collatz&view=compare&speed=4`, 3000);
  report(`frames  compare view, collatz's five models (2,000 GIL slices), playing at 4×: ${five.length} frames unpaced, median ${med(five).toFixed(1)} ms, p95 frame time`, pct(five, 0.95), 'ms', 16.7);

  const page = await browser.newPage({ viewport });
  // Dragging a slider: from the input event to the painted frame that shows the charts for it (the simulation may
  // run in a worker, so the next frame alone would prove nothing), and the main-thread tasks over 50 ms meanwhile
  // (what would make the page stutter under the user's finger). "Shows" is judged from what is drawn, not from an
  // attribute: every chart's drawing (its SVG marks and lane labels, or the pixels of its canvas) must differ from
  // what it was before the input, so a canvas that paints late shows in the figure.
  async function drag(url, sliderName, values) {
    await page.goto(url);
    await page.locator('figure.gantt').first().waitFor();
    await page.waitForTimeout(300);
    return page.evaluate(
      async ({ sliderName, values }) => {
        const long = [];
        new PerformanceObserver((l) => long.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
        const slider = [...document.querySelectorAll('label')].find((l) => l.textContent.includes(sliderName)).querySelector('input');
        // A canvas's pixels, shrunk to 128 × 1024 (a GPU blit, about a millisecond: tall enough that one more thin lane
        // changes rows of it) and summed with their positions.
        const [W, H] = [128, 1024];
        const small = document.createElement('canvas');
        small.width = W;
        small.height = H;
        const sctx = small.getContext('2d', { willReadFrequently: true });
        const pixels = (c) => {
          sctx.clearRect(0, 0, W, H);
          sctx.drawImage(c, 0, 0, W, H);
          const d = sctx.getImageData(0, 0, W, H).data;
          let h = 0;
          for (let i = 0; i < d.length; i++) h = (h * 31 + d[i]) | 0;
          return h;
        };
        const BLANK = pixels(document.createElement('canvas'));
        /** What each chart shows now, keyed by model. */
        const drawings = () =>
          new Map(
            [...document.querySelectorAll('figure.gantt')].map((f) => {
              const c = f.querySelector('canvas');
              const svg = [...f.querySelectorAll('text.lane-label, rect.mark')].map((e) => e.getAttribute('width') ?? e.textContent).join();
              return [f.dataset.model, c ? `canvas:${pixels(c)}` : `svg:${svg}`];
            }),
          );
        const drawn = (before, now) => [...now].every(([model, d]) => d !== before.get(model) && d !== `canvas:${BLANK}`);
        const charts = document.querySelector('#charts');
        const out = [];
        for (const v of values) {
          const before = drawings();
          const generation = charts.dataset.generation;
          const t0 = performance.now();
          slider.value = String(v);
          slider.dispatchEvent(new Event('input', { bubbles: true }));
          await new Promise((shown, fail) => {
            const f = () => {
              // Reading pixels costs a few milliseconds: only once a new result has arrived at all.
              if (charts.dataset.generation !== generation && drawn(before, drawings())) setTimeout(shown, 0);
              else if (performance.now() - t0 > 30_000) fail(new Error(`${sliderName} = ${v}: nothing new drawn within 30 s`));
              else requestAnimationFrame(f);
            };
            requestAnimationFrame(f);
          });
          out.push(performance.now() - t0);
        }
        await new Promise((r) => setTimeout(r, 100));
        return { out, long };
      },
      { sliderName, values },
    );
  }
  // A story step, clicked: from the PageDown to the painted frame that shows the step (its runs simulated and drawn,
  // or its question), for every click through the lecture (12 steps, 3 questions revealed on the way). Clicks come
  // 2 s apart, a speaker's pace (faster than any talk): the app simulates the next step ahead meanwhile. Measured with
  // the browser's Event Timing (a real key press to the next paint); when the step was not yet on screen at that
  // paint (its runs still simulating), from the press to the frame after it appeared.
  await page.goto(`${base}?story=lecture`);
  await page.locator('figure.gantt').first().waitFor();
  await page.evaluate(() => {
    const charts = document.querySelector('#charts');
    window.__story = { events: [], ready: [] };
    new PerformanceObserver((l) => window.__story.events.push(...l.getEntries().filter((e) => e.name === 'keydown').map((e) => ({ start: e.startTime, end: e.startTime + e.duration })))).observe({ type: 'event', durationThreshold: 16, buffered: false });
    let was = `${charts.dataset.step}/${charts.dataset.revealed}`;
    new MutationObserver(() => {
      const now = `${charts.dataset.step}/${charts.dataset.revealed}`;
      if (now !== was && (charts.dataset.current === 'true' || charts.dataset.hidden === 'true')) {
        was = now;
        window.__story.ready.push(performance.now());
      }
    }).observe(charts, { attributes: true });
  });
  const story = [];
  for (let i = 0; i < 14; i++) {
    await page.waitForTimeout(2000);
    const [n, m] = await page.evaluate(() => [window.__story.ready.length, window.__story.events.length]);
    await page.keyboard.press('PageDown');
    await page.waitForFunction((n) => window.__story.ready.length > n, n, { timeout: 30_000 });
    await page.waitForTimeout(100); // the event entry is reported after its paint
    story.push(
      await page.evaluate((m) => {
        const { events, ready } = window.__story;
        const e = events[m];
        const r = ready[ready.length - 1];
        // A press painted within 16 ms has no entry (below the API's threshold): one frame.
        if (!e) return 16;
        return r <= e.end ? e.end - e.start : r - e.start + 16;
      }, m),
    );
  }
  report(`story   the lecture clicked through with PageDown (${story.length} clicks, 2 s apart): median ${med(story).toFixed(1)} ms, max ${Math.max(...story).toFixed(1)} ms; p95 click to the painted step`, pct(story, 0.95), 'ms', 100);

  // The Amdahl view: the sweep (74 simulations of the Seven Dwarfs) must not hold the main thread: the longest
  // main-thread task from the first frame after choosing the view (which swaps the charts for the panel: printed
  // apart) until its curves are drawn.
  await page.goto(`${base}?view=compare`);
  await page.locator('figure.gantt').first().waitFor();
  await page.waitForTimeout(300);
  const sweepLong = await page.evaluate(async () => {
    const long = [];
    new PerformanceObserver((l) => long.push(...l.getEntries().map((e) => ({ start: e.startTime, duration: e.duration })))).observe({ type: 'longtask' });
    const t0 = performance.now();
    [...document.querySelectorAll('input[type=radio]')].find((r) => r.value === 'amdahl').click();
    const switched = await new Promise((r) => requestAnimationFrame(() => r(performance.now() - t0)));
    await new Promise((done, fail) => {
      const f = () => {
        if (document.querySelectorAll('ul.plateaus li').length) done();
        else if (performance.now() - t0 > 30_000) fail(new Error('no sweep within 30 s'));
        else requestAnimationFrame(f);
      };
      requestAnimationFrame(f);
    });
    await new Promise((r) => setTimeout(r, 100));
    const during = long.filter((e) => e.start >= t0 + switched).map((e) => e.duration);
    return { ms: performance.now() - t0, switched, during };
  });
  report(`amdahl  the Amdahl view of the Seven Dwarfs: panel shown after ${sweepLong.switched.toFixed(0)} ms, curves after ${sweepLong.ms.toFixed(0)} ms, ${sweepLong.during.length} main-thread tasks over 50 ms meanwhile; the longest while it sweeps`, Math.max(0, ...sweepLong.during), 'ms', 50);

  const tasks = await drag(`${base}?view=compare`, 'Tasks', Array.from({ length: 64 }, (_, i) => i + 1));
  report(`drag    task-count slider 1→64 under all four models: median ${med(tasks.out).toFixed(1)} ms, max ${Math.max(...tasks.out).toFixed(1)} ms, ${tasks.long.length} main-thread tasks over 50 ms; p95 input to the frame showing it`, pct(tasks.out, 0.95), 'ms', 50);
  // The heavy scenario costs ~200 ms a run, which goes to the worker; receiving and laying out its 64,000 spans still
  // costs the main thread. Printed for information: no goal is set for it.
  const si = await drag(`${base}?s=file&f=${b64(JSON.stringify(heavy))}&view=cores&m=0`, 'GIL switch interval', [0.75, 0.8, 0.85, 0.9, 0.95, 1, 1.05, 1.1, 1.15, 1.2]); // 5.6 … 16 ms, each a new value and a new drawing
  console.log(`info    GIL switch interval dragged on the heavy scenario (simulated in the worker): median ${med(si.out).toFixed(0)} ms from input to the frame showing each run; ${si.long.length} main-thread tasks over 50 ms, longest ${Math.max(0, ...si.long).toFixed(0)} ms`);
} finally {
  await unpaced.close();
  await browser.close();
  process.kill(-server.pid);
}
process.exitCode = results.every(Boolean) ? 0 : 1;
