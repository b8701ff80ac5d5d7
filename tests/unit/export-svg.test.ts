// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, parseScenarioText } from '../../src/sim/schema.ts';
import { simulateScenario } from '../../src/sim/simulate.ts';
import type { ModelRun } from '../../src/sim/timeline.ts';
import type { Scenario } from '../../src/sim/types.ts';
import { lanesOf, STATE_TEXT } from '../../src/ui/chart/lanes.ts';
import { LEGEND, legendEntries, paintStyle, STATE_LEGEND, taskColour } from '../../src/ui/chart/paint.ts';
import { fitLabel, pieces, toPixels } from '../../src/ui/chart/pixels.ts';
import { plotWidth, timeScale, timeTicks } from '../../src/ui/chart/scale.ts';
import { chartSvg, layoutWidth, MARGIN, THEME_COLOURS, type SvgExportInput } from '../../src/ui/export/svg.ts';
import { lazy } from './helpers.ts';

type Theme = SvgExportInput['theme'];
type View = SvgExportInput['view'];

const SCENARIOS = ['seven-dwarfs', 'deadlock', 'collatz', 'shared-dict'] as const;
const VIEWS: View[] = ['cores', 'tasks'];
const THEMES: Theme[] = ['light', 'dark', 'contrast'];
const r1 = (v: number) => Math.round(v * 10) / 10;

function simulated(sc: Scenario) {
  const runs = simulateScenario(sc);
  // As App.svelte computes the shared axis.
  return { scenario: sc, runs, end: Math.max(...runs.map((r) => r.makespan)) * 1.02 };
}
const shipped = Object.fromEntries(
  SCENARIOS.map((name) => [
    name,
    lazy(() => {
      const r = parseScenarioText(readFileSync(`scenarios/${name}.json`, 'utf8'), name);
      if (!r.ok) throw new Error(r.errors.join('\n'));
      return simulated(r.scenario);
    }),
  ]),
) as Record<(typeof SCENARIOS)[number], () => ReturnType<typeof simulated>>;

function inputOf(s: ReturnType<typeof simulated>, view: View, theme: Theme, more: Partial<SvgExportInput> = {}): SvgExportInput {
  return { scenario: s.scenario, runs: s.runs, titles: s.runs.map((r, i) => `${i + 1}. ${r.model}`), view, end: s.end, theme, heading: s.scenario.name, ...more };
}

function parse(svg: string): Document {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
  return doc;
}

/** A text element's own words, without its <title>. */
const ownText = (t: Element) => [...t.childNodes].filter((n) => n.nodeType === 3 || (n as Element).tagName === 'tspan').map((n) => n.textContent).join('');
const charts = (doc: Document) => [...doc.querySelectorAll('g.chart')];
/** A chart's plot: the group translated past the label column. */
const plotOf = (chart: Element) => chart.querySelector('g.bars')!.parentElement!;
const num = (e: Element, a: string) => Number(e.getAttribute(a));

/** The playhead's x in a chart's plot, as Gantt.svelte puts it. */
function headOf(input: SvgExportInput) {
  const plotW = plotWidth(layoutWidth(input) - 2 * MARGIN, 12);
  const x = timeScale(input.end, plotW, input.window);
  return { x, plotW, headX: Math.max(0, Math.min(plotW, x(Math.min(input.time ?? Infinity, input.end)))) };
}

/** The bars a chart should have: each band of each pixel mark left of the playhead, as [x, height, fill]. */
type Bar = [number, number, string];
function expectedBars(input: SvgExportInput, run: ModelRun): Bar[] {
  const { x, headX } = headOf(input);
  return lanesOf(run, input.scenario, input.view).flatMap((lane) =>
    toPixels(lane.marks, x)
      .filter((m) => m.x < headX)
      .flatMap((m) => pieces(m, 0, lane.thin || lane.idle ? 9 : 22).map((p): Bar => [r1(m.x), r1(p.h), paintStyle(p.paint).fill])),
  );
}
const barsOf = (chart: Element) => [...chart.querySelectorAll('g.bars > rect')].filter((r) => !r.getAttribute('fill')!.startsWith('url('));
const barList = (chart: Element) => barsOf(chart).map((b): Bar => [num(b, 'x'), num(b, 'height'), b.getAttribute('fill')!]);

describe('chartSvg: every shipped scenario, both views, every theme', () => {
  for (const name of SCENARIOS) {
    for (const view of VIEWS) {
      for (const theme of THEMES) {
        describe(`${name}, per ${view === 'cores' ? 'core' : 'task'}, ${theme}`, () => {
          const got = lazy(() => {
            const input = inputOf(shipped[name](), view, theme);
            const out = chartSvg(input);
            return { input, out, doc: parse(out.svg) };
          });

          it('is well-formed standalone SVG: the SVG namespace, a <title> naming the scenario and a visible heading', () => {
            const { doc, input } = got();
            const root = doc.documentElement;
            expect(root.namespaceURI).toBe('http://www.w3.org/2000/svg');
            expect(root.tagName).toBe('svg');
            expect(root.querySelector(':scope > title')?.textContent).toBe(input.heading);
            expect([...root.querySelectorAll(':scope > text')].map(ownText)).toContain(input.heading);
          });

          it('says width and height as it returns them, its type drawn 1.5× the workbench\'s (a 1067 px layout in 1600 px)', () => {
            const { doc, out } = got();
            const root = doc.documentElement;
            expect(out.width).toBe(1600);
            expect([root.getAttribute('width'), root.getAttribute('height')]).toEqual([String(out.width), String(out.height)]);
            const [x0, y0, vw, vh] = root.getAttribute('viewBox')!.split(' ').map(Number);
            expect([x0, y0]).toEqual([0, 0]);
            expect(vw).toBeCloseTo(1600 / 1.5, 0);
            expect(out.height / vh).toBeCloseTo(out.width / vw, 2);
          });

          it('uses only basic SVG 1.1 elements, literal colours and its own patterns (no CSS, no outside reference)', () => {
            const { doc, out } = got();
            const tags = new Set([...doc.querySelectorAll('*')].map((e) => e.tagName));
            for (const t of tags) expect(['svg', 'title', 'defs', 'pattern', 'g', 'rect', 'line', 'path', 'text', 'tspan']).toContain(t);
            expect(out.svg.match(/var\(|rgba?\(|\sstyle=|<style|href|@import|font-face|<foreignObject/g)).toBeNull();
            const defined = new Set([...doc.querySelectorAll('defs > pattern')].map((p) => p.id));
            const refs = [...out.svg.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1]);
            expect(refs.length).toBeGreaterThan(0);
            for (const id of refs) expect(defined).toContain(id);
          });

          it("paints the page, lanes and axis in the theme's colours (app.css)", () => {
            const { doc } = got();
            const c = THEME_COLOURS[theme];
            expect(doc.querySelector('svg > rect')?.getAttribute('fill')).toBe(c.bg);
            for (const chart of charts(doc)) {
              expect(chart.querySelector('path')?.getAttribute('fill')).toBe(c.lane);
              expect(chart.querySelector('g.axis > path')?.getAttribute('stroke')).toBe(c.muted);
            }
          });

          it('draws one chart per run, each with its title', () => {
            const { doc, input } = got();
            expect(charts(doc).map((ch) => ch.querySelector(':scope > text tspan')?.textContent)).toEqual(input.titles);
          });

          it('names every task', () => {
            const { doc, input } = got();
            const words = new Set([...doc.querySelectorAll('text, title')].map((t) => (t.tagName === 'title' ? t.textContent : ownText(t))));
            for (const t of input.scenario.tasks) expect(words).toContain(t.name);
          });

          it('labels every lane as the app does, in order', () => {
            const { doc, input } = got();
            charts(doc).forEach((chart, i) => {
              const lanes = lanesOf(input.runs[i], input.scenario, view);
              const labels = [...chart.querySelectorAll(':scope > g > text[text-anchor="end"]')];
              expect(labels.map(ownText)).toEqual(lanes.map((l) => fitLabel(l.label, 86, l.thin || l.idle ? 9 : 12)));
            });
          });

          it('has one bar per visible band of each lane, in its paint', () => {
            const { doc, input } = got();
            charts(doc).forEach((chart, i) => {
              const want = expectedBars(input, input.runs[i]);
              expect(want.length).toBeGreaterThan(0);
              expect(barList(chart)).toEqual(want);
            });
          });

          it('labels the time axis with the app ticks (the seconds formatter)', () => {
            const { doc, input } = got();
            const ticks = timeTicks(headOf(input).x, 90);
            for (const chart of charts(doc)) {
              expect([...chart.querySelectorAll('g.axis > text')].map((t) => [num(t, 'x'), ownText(t)])).toEqual(ticks.map((t) => [r1(t.x), t.label]));
              expect(chart.querySelector('g.axis > path')?.getAttribute('d')).toBe(`M0,0h${r1(headOf(input).plotW)}${ticks.map((t) => `M${r1(t.x)},0v4`).join('')}`);
            }
          });

          it('rounds every coordinate to 0.1 px', () => {
            const { doc } = got();
            for (const e of doc.querySelectorAll('rect, line, text')) {
              for (const a of ['x', 'y', 'width', 'height', 'x1', 'x2', 'y1', 'y2']) {
                const v = e.getAttribute(a);
                if (v !== null) expect(v, `${e.tagName} ${a}`).toMatch(/^-?\d+(\.\d)?$/);
              }
            }
            for (const p of doc.querySelectorAll('path')) expect(p.getAttribute('d')).not.toMatch(/\d\.\d\d/);
          });

          it('ends with the legend, as the app shows it for this view', () => {
            const { doc, input } = got();
            const legend = doc.querySelector('g.legend')!;
            const ys = (sel: string) => [...doc.querySelectorAll(sel)].map((g) => Number(/,([\d.]+)\)/.exec(g.getAttribute('transform')!)![1]));
            expect(Math.min(...ys('g.legend > g'))).toBeGreaterThan(Math.max(...ys('g.chart')));
            expect(Math.max(...ys('g.legend > g')) + 14).toBeLessThanOrEqual(Number(doc.documentElement.getAttribute('viewBox')!.split(' ')[3]));
            const entries = new Map([...legend.querySelectorAll(':scope > g')].map((g) => [ownText(g.querySelector('text')!), g]));
            if (view === 'cores') {
              input.scenario.tasks.forEach((t, i) => expect(entries.get(t.name)?.querySelector('rect')?.getAttribute('fill')).toBe(taskColour(i)));
              const drawn = legendEntries(input.runs).kinds;
              for (const l of drawn) expect(entries.get(l.label)?.querySelector('rect')?.getAttribute('fill')).toBe(l.fill);
              for (const l of LEGEND.filter((l) => !drawn.includes(l))) expect(entries.has(l.label)).toBe(false);
            } else {
              const drawn = legendEntries(input.runs).states;
              for (const s of STATE_LEGEND) expect(entries.has(STATE_TEXT[s])).toBe(drawn.includes(s));
              for (const t of input.scenario.tasks) expect(entries.has(t.name)).toBe(false);
            }
            expect(entries.has('deadlocked')).toBe(input.runs.some((r) => r.deadlock));
            expect(entries.has('after a deadlock: hangs for ever')).toBe(input.runs.some((r) => r.deadlock));
          });

          it('draws no playhead without a time', () => {
            expect(got().doc.querySelectorAll('line.playhead')).toHaveLength(0);
          });
        });
      }
    }
  }
});

describe('chartSvg: the playhead halfway', () => {
  for (const name of SCENARIOS) {
    for (const view of VIEWS) {
      describe(`${name}, per ${view === 'cores' ? 'core' : 'task'}`, () => {
        const got = lazy(() => {
          const s = shipped[name]();
          const input = inputOf(s, view, 'light', { time: s.end / 2 });
          return { input, doc: parse(chartSvg(input).svg), whole: parse(chartSvg(inputOf(s, view, 'light')).svg) };
        });

        it('draws only the bars before the playhead, those across it cut there (the whole run has bars past it)', () => {
          const { input, doc, whole } = got();
          const { headX } = headOf(input);
          const past = (b: Element) => num(b, 'x') + num(b, 'width') > r1(headX) + 0.1;
          expect(charts(whole).flatMap(barsOf).some(past)).toBe(true);
          charts(doc).forEach((chart, i) => {
            const bars = barsOf(chart);
            expect(bars.filter(past)).toEqual([]);
            expect(barList(chart)).toEqual(expectedBars(input, input.runs[i]));
          });
        });

        it('draws no bar label or instant mark past the playhead (a label is drawn whole, where it fits before it)', () => {
          const { input, doc } = got();
          const { headX } = headOf(input);
          for (const chart of charts(doc)) {
            for (const t of plotOf(chart).querySelectorAll(':scope > text')) {
              // (The app's text-width rule: 6.5 px a character at 11 px, labelFits in pixels.ts.)
              if (!/^(deadlock at|hangs for ever)/.test(ownText(t))) expect(num(t, 'x') + ownText(t).length * 6.5).toBeLessThanOrEqual(headX);
            }
            for (const p of plotOf(chart).querySelectorAll(':scope > path')) expect(Number(/^M(-?[\d.]+)/.exec(p.getAttribute('d')!)![1])).toBeLessThan(headX);
          }
        });

        it('draws the playhead in the accent colour on every chart', () => {
          const { input, doc } = got();
          const lines = [...doc.querySelectorAll('line.playhead')];
          expect(lines).toHaveLength(input.runs.length);
          for (const l of lines) expect([num(l, 'x1'), l.getAttribute('stroke')]).toEqual([r1(headOf(input).headX), THEME_COLOURS.light.accent]);
        });
      });
    }
  }

  it('a deadlock shows its rule and words only once the playhead has reached it, and its faded rest only up to the playhead', () => {
    const s = shipped.deadlock();
    const run = s.runs.findIndex((r) => r.deadlock);
    const at = s.runs[run].deadlock!.at;
    const look = (time?: number) => {
      const input = inputOf(s, 'tasks', 'light', { time, runs: [s.runs[run]], titles: ['t'] });
      const plot = plotOf(charts(parse(chartSvg(input).svg))[0]);
      return {
        rule: plot.querySelectorAll(':scope > line[stroke-dasharray]').length,
        marks: plot.querySelectorAll(':scope > path').length,
        words: [...plot.querySelectorAll(':scope > text')].some((t) => ownText(t).startsWith('deadlock at')),
        hangEnd: [...plot.querySelectorAll(':scope > rect')].map((r) => r1(num(r, 'x') + num(r, 'width'))),
        headX: r1(headOf(input).headX),
      };
    };
    expect(look(at / 2)).toMatchObject({ rule: 0, marks: 0, words: false, hangEnd: [] });
    const after = look((at + s.end) / 2);
    expect(after).toMatchObject({ rule: 1, words: true });
    expect(after.marks).toBeGreaterThan(0);
    expect(after.hangEnd).toEqual([after.headX]);
    expect(look()).toMatchObject({ rule: 1, words: true, hangEnd: [r1(headOf(inputOf(s, 'tasks', 'light')).plotW)] });
  });
});

describe('chartSvg: text from strangers', () => {
  const made = parseScenario({
    name: 'x',
    cores: 2,
    tasks: [
      { name: `<b>&"'`, steps: [{ kind: 'cpu', seconds: 0.2 }] },
      { name: 'a task name too long for its lane label', steps: [{ kind: 'io', seconds: 0.3 }] },
    ],
    models: [{ model: 'threads' }],
  });
  if (!made.ok) throw new Error(made.errors.join('\n'));
  const s = lazy(() => simulated(made.scenario));

  it('the XML check catches raw markup (so the tests below can fail)', () => {
    const doc = new DOMParser().parseFromString(`<svg xmlns="http://www.w3.org/2000/svg"><text><b>&"'</text></svg>`, 'image/svg+xml');
    expect(doc.getElementsByTagName('parsererror').length).toBeGreaterThan(0);
  });

  for (const view of VIEWS) {
    it(`escapes a task named <b>&"' and a heading and title with markup (per ${view})`, () => {
      const { svg } = chartSvg(inputOf(s(), view, 'dark', { heading: `<b>&"' heading`, titles: [`<i>'"&</i>`] }));
      const doc = parse(svg);
      expect(svg).not.toMatch(/<b>|<i>|&"/);
      expect(doc.querySelector('svg > title')?.textContent).toBe(`<b>&"' heading`);
      expect(charts(doc)[0].querySelector('tspan')?.textContent).toBe(`<i>'"&</i>`);
      expect([...doc.querySelectorAll('text')].map(ownText)).toContain(`<b>&"'`);
    });
  }

  it('replaces characters XML cannot hold', () => {
    const { svg } = chartSvg(inputOf(s(), 'cores', 'light', { heading: 'a\u0001b\ud800c' }));
    expect(parse(svg).querySelector('svg > title')?.textContent).toBe('a\ufffdb\ufffdc');
  });

  it("ends a long lane label in an ellipsis, as the app's, with the whole name as its tooltip", () => {
    const doc = parse(chartSvg(inputOf(s(), 'tasks', 'light')).svg);
    const label = [...doc.querySelectorAll('g.chart > g > text[text-anchor="end"]')].find((t) => t.querySelector('title'))!;
    expect(ownText(label)).toBe(fitLabel('a task name too long for its lane label', 86, 12));
    expect(ownText(label)).toMatch(/…$/);
    expect(label.querySelector('title')?.textContent).toBe('a task name too long for its lane label');
  });

  it.each([
    ['1280 px at 1.5×', { width: 1280 }, 1280 / 1.5],
    ['1600 px at the workbench\'s size (1×)', { width: 1600, scale: 1 }, 1600],
    ['1920 px at 2×', { width: 1920, scale: 2 }, 960],
  ])('takes the width and type scale asked for, and lays the plot out in width / scale: %s', (_, more, layout) => {
    const out = chartSvg(inputOf(s(), 'cores', 'light', more));
    const doc = parse(out.svg);
    expect([out.width, doc.documentElement.getAttribute('width')]).toEqual([more.width, String(more.width)]);
    expect(Number(doc.documentElement.getAttribute('viewBox')!.split(' ')[2])).toBeCloseTo(layout, 1);
    const axis = charts(doc)[0].querySelector('g.axis > path')!;
    const plotW = Math.round(plotWidth(layout - 2 * MARGIN, 12) * 10) / 10;
    expect(axis.getAttribute('d')).toMatch(new RegExp(`^M0,0h${plotW}M`));
  });

  it('a zoomed window: the axis and the bars are those of the window', () => {
    const sd = shipped['seven-dwarfs']();
    const input = inputOf(sd, 'cores', 'light', { window: [2, 6] });
    const doc = parse(chartSvg(input).svg);
    const want = timeTicks(timeScale(sd.end, plotWidth(layoutWidth({}) - 2 * MARGIN, 12), [2, 6]), 90).map((t) => t.label);
    expect(want[0]).toBe('2 s');
    expect([...charts(doc)[0].querySelectorAll('g.axis > text')].map(ownText)).toEqual(want);
    charts(doc).forEach((chart, i) => expect(barList(chart)).toEqual(expectedBars(input, sd.runs[i])));
  });
});

describe('chartSvg: a picture says how each run ended, as the chart on screen does', () => {
  const load = (name: string) => {
    const r = parseScenarioText(readFileSync(`scenarios/${name}.json`, 'utf8'), name);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    return simulated(r.scenario);
  };
  it('captions name the exception that reached the main program, in the summary\'s words', () => {
    const s = load('errors-threads');
    const doc = parse(chartSvg(inputOf(s, 'cores', 'light')).svg);
    const said = [...doc.querySelectorAll('text > tspan')].map((t) => t.textContent ?? '').filter((t) => /^(ends|finishes|never) /.test(t));
    expect(said).toEqual(['ends at 0.80 s (ValueError reached the main program)', 'ends at 0.60 s (fails raised ValueError)', 'ends at 0.60 s (ValueError reached the main program)']);
  });
  it("a deadlocked run's lock holds go on to the axis's end, as on screen", () => {
    const s = load('deadlock');
    const threads = s.runs.findIndex((r) => r.model === 'threads');
    const input = inputOf(s, 'tasks', 'light');
    const { plotW } = headOf(input);
    const bars = barsOf(charts(parse(chartSvg(input).svg))[threads]).map((b) => num(b, 'x') + num(b, 'width'));
    expect(s.runs[threads].makespan).toBeLessThan(s.end * 0.9);
    expect(Math.max(...bars)).toBeCloseTo(plotW, 0);
  });
});
