import type { ModelRun, TaskState } from '../../sim/timeline.ts';
import type { Scenario, Seconds } from '../../sim/types.ts';
import { glyph, polyPath, type GlyphOp } from '../chart/glyphs.ts';
import { BLOCKING_TEXT, foreverMarks, lanesOf, STATE_TEXT } from '../chart/lanes.ts';
import { endingWords } from '../../report/summaryFigures.ts';
import { LEGEND_TEXT, legendEntries, legendExtras, OBJECT_COLOUR, paintStyle, STATE_COLOURS, STATE_PATTERNS, taskColour, type PatternId, type PinKind } from '../chart/paint.ts';
import { fitLabel, labelAt, labelOnLane, MIN_MARK_W, pieces, pinLabels, pinsToPixels, toPixels } from '../chart/pixels.ts';
import { labelWidth, plotWidth, timeScale, timeTicks } from '../chart/scale.ts';
import { duration, seconds } from '../format.ts';

/**
 * The chart view on screen as one standalone SVG file (slides, papers, handouts): the charts stacked, each drawn as
 * Gantt.svelte draws it at the workbench's type sizes (the same lanes, pixel marks, labels, patterns and playhead
 * rule), then the legend as Legend.svelte shows it. Plain SVG 1.1 (rect, line, path, text, g, pattern), literal
 * colours, a system font stack, no CSS, no references outside the file: it opens alike in a browser and in Inkscape.
 */
export interface SvgExportInput {
  scenario: Scenario;
  /** The runs on screen, in order: one chart each, stacked. */
  runs: ModelRun[];
  /** Each chart's title, as on screen. */
  titles: string[];
  view: 'cores' | 'tasks';
  /** The shared end of the time axis. */
  end: Seconds;
  /** The zoomed stretch, if any. */
  window?: [Seconds, Seconds];
  /** The playhead: nothing after it is drawn (Gantt.svelte's clip); undefined: the whole run, no playhead. */
  time?: Seconds;
  theme: 'light' | 'dark' | 'contrast';
  /** The file's title, drawn above the charts. */
  heading: string;
  /** The picture's width in px, 1600 unless given; the height follows the content. */
  width?: number;
  /**
   * How much larger than on screen the type is drawn, 1.5 unless given: the charts are laid out `width / scale` px
   * wide at the workbench's sizes and drawn `width` px wide, so a 1600 px picture has 18 px lane labels, legible when
   * the picture fills a slide on a projector, as the workbench's 12 px on a 1067 px wide window.
   */
  scale?: number;
}

/** The width the charts are laid out at, in the picture's own units (its viewBox): see `SvgExportInput.scale`. */
export const layoutWidth = (input: Pick<SvgExportInput, 'width' | 'scale'>) => Math.round(input.width ?? 1600) / (input.scale ?? 1.5);

/**
 * The theme colours the charts use, resolved: a copy of the CSS variables `--bg`, `--fg`, `--muted`, `--lane` and
 * `--accent` of src/ui/app.css (`:root`, `[data-theme='dark']`, `[data-theme='contrast']`). Change both together.
 */
export const THEME_COLOURS = {
  light: { bg: '#ffffff', fg: '#1a1a1a', muted: '#555555', lane: '#f1f1f1', accent: '#c0392b' },
  dark: { bg: '#111418', fg: '#f0f0f0', muted: '#b5b5b5', lane: '#20252b', accent: '#ff6b5b' },
  contrast: { bg: '#000000', fg: '#ffffff', muted: '#ffffff', lane: '#1c1c1c', accent: '#ffd400' },
} as const;
type Colours = (typeof THEME_COLOURS)[keyof typeof THEME_COLOURS];

/** The margin around everything, px. */
export const MARGIN = 16;
const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';
// Gantt.svelte's workbench sizes: type, row heights, the gap between rows, a band's heading, the axis.
const LANE_PX = 12;
const THIN_PX = 9;
const SMALL_PX = 11;
const ROW = 22;
const THIN_ROW = 9;
const GAP = 3;
const BAND = SMALL_PX + 5;
const AXIS = SMALL_PX + 11;
const LEGEND_PX = 12;

/** Text for XML: the five special characters as entities, and characters XML cannot hold as U+FFFD. */
export function xmlText(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  return s.replace(/[\0-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const r1 = (v: number) => Math.round(v * 10) / 10;
/** A text element: alphabetic baseline (Inkscape ignores `dominant-baseline`), `mid` centres it on y instead. */
const text = (x: number, y: number, s: string, attrs = '', mid = 0) => `<text x="${r1(x)}" y="${r1(y + mid * 0.35)}"${attrs && ' ' + attrs}>${xmlText(s)}</text>`;
/** Bar-sized text in a halo of the lane's colour (`paint-order` is SVG 2: the halo is a stroked copy underneath). */
const haloText = (x: number, y: number, s: string, c: Colours) =>
  text(x, y, s, `fill="none" stroke="${c.lane}" stroke-width="3" stroke-linejoin="round"`, SMALL_PX) + text(x, y, s, `fill="${c.fg}"`, SMALL_PX);
const fillOf = (fill: string, opacity = 1) => `fill="${fill}"${opacity < 1 ? ` fill-opacity="${opacity}"` : ''}`;
const rect = (x: number, y: number, w: number, h: number, fill: string) => `<rect x="${r1(x)}" y="${r1(y)}" width="${r1(w)}" height="${r1(h)}" ${fill}/>`;

/** A badge's ops (glyphs.ts) as paths: a circle is two arcs. */
function glyphSvg(ops: readonly GlyphOp[]): string {
  return ops
    .map((o) => {
      const d = o.op === 'circle' ? `M${r1(o.cx - o.r)},${r1(o.cy)}a${r1(o.r)},${r1(o.r)} 0 1,0 ${r1(2 * o.r)},0a${r1(o.r)},${r1(o.r)} 0 1,0 ${r1(-2 * o.r)},0Z` : polyPath(o);
      return `<path d="${d}" fill="${o.fill ?? 'none'}"${o.stroke ? ` stroke="${o.stroke}" stroke-width="${r1(o.width ?? 1)}" stroke-linejoin="round" stroke-linecap="round"` : ''}/>`;
    })
    .join('');
}

/** The pattern tiles of Patterns.svelte (and patterns.canvas.ts), ink for ink; `hang` takes the theme's colours. */
function patternSvg(id: Exclude<PatternId, 'none'> | 'hang', c: Colours): string {
  const tile = (size: number, body: string, rotate = 0) => `<pattern id="p-${id}" width="${size}" height="${size}" patternUnits="userSpaceOnUse"${rotate ? ` patternTransform="rotate(${rotate})"` : ''}>${body}</pattern>`;
  const dark = (o: number) => fillOf('#000000', o);
  const light = (o: number) => fillOf('#ffffff', o);
  switch (id) {
    case 'hatch':
      return tile(6, rect(0, 0, 2.5, 6, light(0.75)), 45);
    case 'dots':
      return tile(5, `<path d="M1.4,2.5a1.1,1.1 0 1,0 2.2,0a1.1,1.1 0 1,0 -2.2,0Z" ${dark(0.55)}/>`);
    case 'cross':
      return tile(6, `<path d="M0 0L6 6M6 0L0 6" fill="none" stroke="#000000" stroke-opacity="0.45" stroke-width="1"/>`);
    case 'bars':
      return tile(5, rect(0, 0, 1.6, 5, dark(0.5)));
    case 'rows':
      return tile(5, rect(0, 0, 5, 1.6, dark(0.45)));
    case 'slant':
      return tile(6, rect(0, 0, 1.6, 6, dark(0.5)), -45);
    case 'checker':
      return tile(6, rect(0.5, 0.5, 2, 2, light(0.65)) + rect(3.5, 3.5, 2, 2, light(0.65)));
    case 'hang':
      return tile(10, rect(0, 0, 10, 10, fillOf(c.bg, 0.5)) + rect(0, 0, 3, 10, fillOf(c.muted, 0.45)), -45);
  }
}

export { LEGEND_TEXT };

export function chartSvg(input: SvgExportInput): { svg: string; width: number; height: number } {
  const { scenario: sc, runs, view, end, window, heading } = input;
  const time = input.time ?? Infinity;
  const c = THEME_COLOURS[input.theme];
  const width = Math.round(input.width ?? 1600);
  const layoutW = layoutWidth(input);
  const inner = layoutW - 2 * MARGIN;
  const used = new Set<Exclude<PatternId, 'none'> | 'hang'>();
  const pattern = (id: Exclude<PatternId, 'none'> | 'hang') => (used.add(id), `fill="url(#p-${id})"`);
  const out: string[] = [text(MARGIN, MARGIN + 20, heading, `font-size="22" font-weight="bold" fill="${c.fg}"`)];
  let top = MARGIN + 36;

  // Each chart as Gantt.svelte lays it out (its `rows`, `stall`, `headX`), at the workbench's sizes.
  runs.forEach((run, i) => {
    const LW = labelWidth(LANE_PX);
    const plotW = plotWidth(inner, LANE_PX);
    const x = timeScale(end, plotW, window);
    const hang = run.deadlock ?? null;
    const head = hang ? BAND : 0;
    const ending = hang ? `never ends (deadlock at ${seconds(hang.at)})` : endingWords(run, sc, seconds);
    let y = 4 + head;
    const rows = lanesOf(run, sc, view).map((lane) => {
      if (lane.band) y += BAND;
      const h = lane.idle || lane.thin ? THIN_ROW : ROW;
      const r = Math.max(3.5, Math.min(h / 2 - 1.5, 7));
      const row = { lane, y, h, r, thin: !!(lane.thin || lane.idle) && h < 18, marks: toPixels(foreverMarks(lane.marks, run, end), x), pins: pinsToPixels(lane.pins, x, 2 * r + 2) };
      y += h + GAP;
      return row;
    });
    const plotH = rows.length ? y - GAP + 4 : 10;
    const headX = Math.max(0, Math.min(plotW, x(Math.min(time, end))));
    const g: string[] = [`<g class="chart" transform="translate(${MARGIN},${top})">`];
    g.push(`<text y="15" font-size="15" fill="${c.fg}"><tspan font-weight="bold">${xmlText(input.titles[i] ?? '')}</tspan><tspan dx="16" fill="${c.muted}">${xmlText(ending)}</tspan></text>`);
    g.push(`<g transform="translate(0,23)" font-size="${LANE_PX}" fill="${c.fg}">`);
    g.push(`<path d="${rows.map((r) => `M${LW},${r.y}h${r1(plotW)}v${r.h}h${-r1(plotW)}z`).join('')}" fill="${c.lane}"/>`);
    for (const r of rows) {
      if (r.lane.band) g.push(text(4, r.y - 4, r.lane.band, `font-size="${SMALL_PX}" font-style="italic" fill="${c.muted}"`));
      const px = r.thin ? THIN_PX : LANE_PX;
      const shown = fitLabel(r.lane.label, LW - 10, px);
      const full = r.lane.title || shown !== r.lane.label ? `<title>${xmlText(r.lane.title ?? r.lane.label)}</title>` : '';
      const style = `${r.thin ? ` font-size="${px}" fill="${c.muted}"` : ''}${r.lane.idle ? ' font-style="italic"' : ''}`;
      g.push(`<text x="${LW - 6}" y="${r1(r.y + r.h / 2 + px * 0.35)}" text-anchor="end"${style}>${full}${xmlText(shown)}</text>`);
    }
    g.push(`<g transform="translate(${LW},0)" font-size="${SMALL_PX}">`);
    // Marks: nothing at or after the playhead, a mark across it cut there (the app clips them at the playhead).
    g.push('<g class="bars" shape-rendering="crispEdges">');
    for (const r of rows) {
      for (const m of r.marks) {
        if (m.x >= headX) continue;
        for (const p of pieces(m, r.y, r.h)) {
          const st = paintStyle(p.paint);
          g.push(rect(m.x, p.y, Math.min(Math.max(m.w, MIN_MARK_W), headX - m.x), p.h, fillOf(st.fill, st.opacity)));
          if (st.pattern !== 'none' && (m.w >= 2 || m.parts) && p.h >= 3) g.push(rect(m.x, p.y, Math.min(m.w, headX - m.x), p.h, pattern(st.pattern)));
        }
      }
    }
    g.push('</g>');
    // A deadlock: the rest of the run faded (up to the playhead), the rule and its words once the playhead is there.
    const at = hang ? x(hang.at) : Infinity;
    const stall = hang && at <= plotW && time >= hang.at;
    if (hang && at <= plotW && headX > Math.max(0, at)) g.push(rect(Math.max(0, at), head + 2, headX - Math.max(0, at), plotH - head - 2, pattern('hang')));
    if (stall && at >= 0) g.push(`<line x1="${r1(at)}" x2="${r1(at)}" y1="2" y2="${r1(plotH)}" stroke="${c.fg}" stroke-width="2" stroke-dasharray="5 3"/>`);
    // Bar labels where they fit in what is drawn of the bar, then instant marks (those the playhead has reached).
    for (const r of rows) {
      for (const m of r.marks) {
        if (m.x >= headX) continue;
        const lx = labelAt(m.x + m.w <= headX ? m : { ...m, w: headX - m.x }, r.thin, SMALL_PX, r.pins, r.r);
        if (lx === null) continue;
        const cy = r.y + r.h / 2;
        g.push(labelOnLane(m) ? haloText(lx, cy, m.label, c) : text(lx, cy, m.label, `fill="${paintStyle(m.paint).ink ?? '#000000'}"`, SMALL_PX));
      }
      const counts = pinLabels(r.pins, r.r, SMALL_PX, plotW);
      r.pins.forEach((p, k) => {
        if (p.x > headX) return;
        g.push(glyphSvg(glyph(p.kind, p.x, r.y + r.h / 2, r.r)));
        if (counts[k]) g.push(haloText(p.x + r.r + 2, r.y + r.h / 2, counts[k], c));
      });
    }
    if (stall && at >= 0) {
      const label = `deadlock at ${duration(hang.at)}`;
      const rest = 'hangs for ever →';
      const fits = plotW - at - 6 >= rest.length * 0.6 * SMALL_PX;
      const words = `fill="${c.fg}"`;
      g.push(text(at - 4, head - 1, fits ? label : `${label} · ${rest}`, `text-anchor="end" font-weight="bold" ${words}`));
      if (fits) g.push(text(at + 6, head - 1, rest, `font-style="italic" ${words}`));
    }
    const headAt = x(Math.min(time, end));
    if (input.time !== undefined && headAt >= 0 && headAt <= plotW) g.push(`<line class="playhead" x1="${r1(headX)}" x2="${r1(headX)}" y1="0" y2="${r1(plotH)}" stroke="${c.accent}" stroke-width="2"/>`);
    // The axis: its rule and ticks one path, the tick labels in the axis's type.
    const ticks = timeTicks(x, 90);
    g.push(`<g class="axis" transform="translate(0,${r1(plotH)})" text-anchor="middle" fill="${c.muted}"><path d="M0,0h${r1(plotW)}${ticks.map((t) => `M${r1(t.x)},0v4`).join('')}" stroke="${c.muted}"/>`);
    for (const t of ticks) g.push(text(t.x, SMALL_PX + 4, t.label));
    g.push('</g></g></g></g>');
    out.push(...g);
    top += 23 + plotH + AXIS + 12;
  });

  // The legend, as Legend.svelte shows it: each of its lists starts a line, its entries wrap within the width.
  const blocking = paintStyle({ by: 'task', task: 0, kind: 'loop-blocking' });
  const swatch = (fill: string, opacity = 1, pat: PatternId = 'none', edge = false) =>
    rect(0, 0, 18, 12, fillOf(fill, opacity) + (edge ? ' stroke="#000000" stroke-opacity="0.3"' : '')) + (pat === 'none' ? '' : rect(0, 0, 18, 12, pattern(pat)));
  const stripes = (fills: string[], of = fills.length) => fills.map((f, i) => rect(0, 12 - ((i + 1) * 12) / of, 18, 12 / of, `fill="${f}"`)).join('');
  const extras = legendExtras(sc, runs);
  const entries = legendEntries(runs);
  const pins = extras.pins.filter((k) => !(k === 'broken' && extras.pins.includes('crash')));
  const objects: [string, string][] = [
    ...extras.objects.map((o): [string, string] => {
      if (o === 'lock') return [stripes([taskColour(1)]), LEGEND_TEXT.lock];
      if (o === 'semaphore' || o === 'barrier') return [stripes([taskColour(0), taskColour(o === 'semaphore' ? 2 : 1)], 3), LEGEND_TEXT[o]];
      const q = o === 'queue';
      return [rect(0, 0, 18, 12, 'fill="none" stroke="#000000" stroke-opacity="0.3"') + rect(0, q ? 6 : 0, 18, q ? 6 : 12, `fill="${OBJECT_COLOUR}"`) + (q ? rect(0, 6, 18, 6, pattern('rows')) : ''), LEGEND_TEXT[o]];
    }),
    ...pins.map((k: PinKind): [string, string] => [glyphSvg(glyph(k, 9, 6, 6.5)), LEGEND_TEXT[k]]),
    ...(extras.hang ? [[rect(0, 0, 18, 12, pattern('hang')) + `<line x1="1" x2="1" y1="0" y2="12" stroke="${c.fg}" stroke-width="2" stroke-dasharray="3 2"/>`, LEGEND_TEXT.hang] as [string, string]] : []),
  ];
  const states = (s: TaskState): [string, string] => [swatch(STATE_COLOURS[s], 1, STATE_PATTERNS[s]), STATE_TEXT[s]];
  const lists: [string, string][][] =
    view === 'cores'
      ? [
          [...sc.tasks.slice(0, 24).map((t, i): [string, string] => [swatch(taskColour(i), 1, 'none', true), t.name]), ...(sc.tasks.length > 24 ? [['', `… ${sc.tasks.length - 24} more`] as [string, string]] : [])],
          [...entries.kinds.map((l): [string, string] => [swatch(l.fill, l.opacity, l.pattern), l.label]), [stripes([taskColour(0), taskColour(1), taskColour(2)]), 'interleaved: tasks sharing a core within one pixel, each as tall as its share']],
          objects,
        ]
      : [
          [
            ...[...entries.states, ...extras.states].map(states),
            ...(entries.blocking ? [[swatch(blocking.fill, 1, blocking.pattern), `${BLOCKING_TEXT} (asyncio: a blocking call)`] as [string, string]] : []),
            [stripes([STATE_COLOURS['gil-wait'], STATE_COLOURS.running]), 'several states within one pixel, each as tall as its share'],
          ],
          objects,
        ];
  out.push(`<g class="legend" font-size="${LEGEND_PX}" fill="${c.fg}">`);
  for (const list of lists.filter((l) => l.length)) {
    let lx = 0;
    for (const [sw, label] of list) {
      const w = (sw ? 22 : 0) + label.length * 0.6 * LEGEND_PX;
      if (lx > 0 && lx + w > inner) [lx, top] = [0, top + 20];
      out.push(`<g transform="translate(${r1(MARGIN + lx)},${top})">${sw}${text(sw ? 22 : 0, 10, label)}</g>`);
      lx += w + 16;
    }
    top += 20;
  }
  out.push('</g>');

  const layoutH = Math.ceil(top - 8 + MARGIN);
  const height = Math.round((layoutH * width) / layoutW);
  const defs = [...used].map((id) => patternSvg(id, c)).join('');
  const svg =
    `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${r1(layoutW)} ${layoutH}" font-family="${FONT}">` +
    `<title>${xmlText(heading)}</title>${defs ? `<defs>${defs}</defs>` : ''}${rect(0, 0, layoutW, layoutH, `fill="${c.bg}"`)}${out.join('')}</svg>\n`;
  return { svg, width, height };
}
