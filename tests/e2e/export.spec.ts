import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, exported, test } from './fixtures.ts';
import { parseScenarioText } from '../../src/sim/schema.ts';
import { simulateScenario } from '../../src/sim/simulate.ts';

const DWARFS = ['Doc', 'Grumpy', 'Happy', 'Sleepy', 'Bashful', 'Sneezy', 'Dopey'];

/** The SVG's parse in the page: XML errors, its size, its text. */
function readSvg(page: Page, svg: string) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const root = doc.documentElement;
    return {
      error: doc.getElementsByTagName('parsererror').length > 0,
      root: root.localName,
      ns: root.namespaceURI,
      width: Number(root.getAttribute('width')),
      height: Number(root.getAttribute('height')),
      text: [...doc.getElementsByTagName('text')].map((t) => t.textContent),
      title: doc.getElementsByTagName('title')[0]?.textContent,
    };
  }, svg);
}

test.describe('Export', () => {
  test('the compare view as SVG: valid XML, every task and lane, named after the scenario', async ({ page }) => {
    await page.goto('./?t=5');
    await expect(page.locator('figure.gantt')).toHaveCount(4);
    const f = await exported(page, /Picture, SVG/);
    expect(f.name).toBe('seven-dwarfs-compare.svg');
    const svg = await readSvg(page, f.bytes.toString('utf8'));
    expect(svg.error).toBe(false);
    expect([svg.root, svg.ns]).toEqual(['svg', 'http://www.w3.org/2000/svg']);
    expect(svg.width).toBe(1600);
    for (const name of [...DWARFS, 'CPU 0', 'CPU 3', 'GIL', 'event loop']) expect(svg.text, name).toContain(name);
    expect(svg.title).toContain('Seven Dwarfs');
  });

  test('one model per task as SVG and PNG: the PNG is the SVG at twice its size', async ({ page }) => {
    await page.goto('./?view=tasks&m=1&t=4');
    await expect(page.locator('figure.gantt')).toHaveCount(1);
    const s = await exported(page, /Picture, SVG/);
    expect(s.name).toBe('seven-dwarfs-threads-per-task.svg');
    const svg = await readSvg(page, s.bytes.toString('utf8'));
    expect(svg.error).toBe(false);
    for (const name of DWARFS) expect(svg.text, name).toContain(name);
    const p = await exported(page, /Picture, PNG/);
    expect(p.name).toBe('seven-dwarfs-threads-per-task.png');
    // The PNG's header: its signature, then IHDR's width and height.
    expect(p.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([p.bytes.readUInt32BE(16), p.bytes.readUInt32BE(20)]).toEqual([svg.width * 2, svg.height * 2]);
    // The same run per core is another picture, in a file of its own.
    await page.goto('./?view=cores&m=1&t=4');
    await expect(page.locator('figure.gantt')).toHaveCount(1);
    expect((await exported(page, /Picture, SVG/)).name).toBe('seven-dwarfs-threads-per-core.svg');
  });

  test('a WebM video of playback from the playhead, with progress, that plays for a while', async ({ page }) => {
    await page.goto('./?t=36&speed=16');
    await expect(page.locator('figure.gantt')).toHaveCount(4);
    await page.getByText('Export', { exact: true }).click();
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.getByRole('button', { name: /Video from here/ }).click().then(() => expect(page.getByRole('status').filter({ hasText: 'Recording the video' })).toBeVisible())]);
    expect(dl.suggestedFilename()).toBe('seven-dwarfs-compare.webm');
    const bytes = readFileSync((await dl.path())!);
    // EBML's magic number: a Matroska / WebM file.
    expect(bytes.subarray(0, 4).toString('hex')).toBe('1a45dfa3');
    const video = await page.evaluate(async (b64) => {
      const v = document.createElement('video');
      v.muted = true;
      v.src = URL.createObjectURL(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'video/webm' }));
      await new Promise((r, e) => ((v.onloadeddata = r), (v.onerror = () => e(new Error('the video does not decode')))));
      return { duration: v.duration, width: v.videoWidth, height: v.videoHeight };
    }, bytes.toString('base64'));
    // From 36 s to the end (43.9 s) at 16× (0.5 s), then a second on the finished chart: every frame is there.
    expect(video.duration).toBeGreaterThan(1.3);
    expect(video.duration).toBeLessThan(1.8);
    expect(video.width).toBe(1600);
    expect(video.height).toBeGreaterThan(900);
    await expect(page.getByRole('status').filter({ hasText: 'Recording the video' })).toHaveCount(0);
  });

  test('a video can be cancelled: nothing is downloaded', async ({ page }) => {
    await page.goto('./');
    await expect(page.locator('figure.gantt')).toHaveCount(4);
    let downloads = 0;
    page.on('download', () => downloads++);
    await page.getByText('Export', { exact: true }).click();
    await page.getByRole('button', { name: /Video from here/ }).click();
    const status = page.getByRole('status').filter({ hasText: 'Recording the video' });
    await expect(status).toBeVisible();
    await status.getByRole('button', { name: 'Cancel' }).click();
    await expect(status).toHaveCount(0);
    await page.waitForTimeout(500);
    expect(downloads).toBe(0);
  });

  test('the timelines as Chrome trace JSON: a process per model, named tracks, every simulated segment', async ({ page }) => {
    await page.goto('./?s=collatz');
    await expect(page.locator('figure.gantt')).toHaveCount(5);
    const f = await exported(page, /Chrome trace JSON/);
    expect(f.name).toBe('collatz-search-cpu-bound-all-models.trace.json');
    const trace = JSON.parse(f.bytes.toString('utf8'));
    const parsed = parseScenarioText(readFileSync(new URL('../../scenarios/collatz.json', import.meta.url), 'utf8'), 'collatz.json');
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const runs = simulateScenario(parsed.scenario);
    type Ev = { ph: string; name: string; pid: number; tid: number; ts?: number; dur?: number; args?: Record<string, unknown> };
    const events: Ev[] = trace.traceEvents;
    runs.forEach((run, r) => {
      const pid = r + 1;
      expect(events.some((e) => e.ph === 'M' && e.name === 'process_name' && e.pid === pid)).toBe(true);
      const names = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid).map((e) => [e.tid, (e.args as { name: string }).name]));
      // Every segment of the simulation, on its core's track, in microseconds.
      const onCores = events.filter((e) => e.ph === 'X' && e.pid === pid && /^core \d+$/.test(names.get(e.tid) ?? ''));
      const segments = run.coreSegments.flat().filter((s) => s.end > s.start);
      expect(onCores.length, run.model).toBe(segments.length);
      for (const s of segments) {
        const core = [...names].find(([, n]) => n === `core ${s.core}`)![0];
        expect(onCores.some((e) => e.tid === core && Math.abs(e.ts! - s.start * 1e6) < 0.01 && Math.abs(e.dur! - (s.end - s.start) * 1e6) < 0.01), `${run.model} ${s.core} ${s.start}`).toBe(true);
      }
      for (const task of parsed.scenario.tasks) expect([...names.values()].some((n) => n.includes(task.name))).toBe(true);
    });
  });
});
