import type { Seconds } from '../../sim/types.ts';
import { duration } from '../format.ts';
import type { Mark, Paint, Part, Pin } from './lanes.ts';
import { PIN_ORDER, type PinKind } from './paint.ts';
import type { Pixels, TimeScale } from './scale.ts';

export type { Part } from './lanes.ts';

export interface PixelMark extends Mark {
  x: Pixels;
  w: Pixels;
  /** How many marks this one stands for: slices narrower than a pixel are summed up per pixel column. */
  merged: number;
  /**
   * What the pixel columns it covers hold, when that is not one paint end to end: several tasks or states
   * interleaved, or one with gaps. Drawn as stacked bands, each as tall as its share, in `PAINT_ORDER`, so that a run
   * of 5 ms GIL slices shows every thread's share of the CPU, never one task's colour. (A mark a pixel or wider keeps
   * its own parts: a semaphore's holders, a queue's fill.)
   */
  parts?: Part[];
}

/** Marks narrower than this are still drawn this wide, so a lone short slice stays visible. */
export const MIN_MARK_W: Pixels = 0.6;

/** A bar carries its label only where the text fits inside it (about 0.59 em per character: 6.5 px at 11 px). */
export const labelFits = (m: PixelMark, thin?: boolean, fontPx = 11) => !thin && m.label !== '' && m.w > (m.label.length * 6.5 * fontPx) / 11 + 6;

/**
 * Where a bar's label starts, `null` where it does not fit: 4 px into the bar, or just past the instant marks (of
 * radius `r`) that would cover its first letters (an exception raised where the next task's bar begins).
 */
export function labelAt(m: PixelMark, thin: boolean | undefined, fontPx: number, pins?: readonly PixelPin[], r = 0): number | null {
  if (!labelFits(m, thin, fontPx)) return null;
  let x = m.x + 4;
  if (!pins?.length) return x;
  const w = (m.label.length * 6.5 * fontPx) / 11;
  for (const p of pins) {
    if (p.x - r > x + w) break;
    if (p.x + r >= x - 1) x = p.x + r + 3;
  }
  return x + w <= m.x + m.w - 2 ? x : null;
}

/**
 * A label over a mark that fills only part of its lane (a queue a third full, a barrier with one of three arrived):
 * drawn in the page's text colour with a halo of the lane's, so it reads over the fill and the empty lane alike.
 */
export const labelOnLane = (m: Pick<PixelMark, 'parts'>): boolean => !!m.parts && m.parts.reduce((a, p) => a + p.share, 0) < FULL;

/** A merged mark's tooltip names this many of its parts, largest first. */
const TIP_PARTS = 8;
/** Less than this far from a pixel border is on it. */
const EPS_PX = 1e-6;
/**
 * A lane label shortened to fit `px` at `fontPx` (about 0.6 em a character), with an ellipsis: a long task name is
 * cut at its end, never off the chart's left edge. The full name goes in the label's tooltip.
 */
export function fitLabel(label: string, px: Pixels, fontPx: number): string {
  const max = Math.max(2, Math.floor(px / (0.6 * fontPx)));
  return label.length <= max ? label : label.slice(0, max - 1) + '…';
}

/** Two columns whose shares differ by less than this (each paint) are drawn as one mark. */
const SAME_SHARE = 0.05;
/** A column run filled to at least this share by one paint is drawn as a plain mark of that paint. */
const FULL = 0.95;

/**
 * Parts stack in this order, bottom up: by task, then by kind of work or state, so each task's band stays at the
 * same height from column to column.
 */
export function paintKey(p: Paint): number {
  // A number, not a string: it is computed for every slice (tens of thousands on a story click).
  if (p.by === 'task') return (p.task + 1) * KINDS.length + KINDS.indexOf(p.kind);
  return p.by === 'state' ? STATES.indexOf(p.state) - STATES.length : -STATES.length - 1 - OBJECTS.indexOf(p.type);
}
// Bottom up: kinds of work within a task; states (below any task), the waits under "running" (as the legend shows);
// an object's own inks below them all.
const KINDS = ['python', 'native', 'startup', 'overhead', 'gil', 'loop-cpu', 'loop-native', 'loop-blocking', 'io', 'hold'] as const;
const OBJECTS = ['lock', 'queue', 'event', 'barrier'] as const;
const STATES = ['gil-wait', 'cpu-wait', 'blocked', 'lock-wait', 'queue-wait', 'event-wait', 'barrier-wait', 'io', 'queued', 'running', 'done'] as const;

interface Slot {
  paint: Paint;
  label: string;
  seconds: Seconds;
}
/**
 * One pixel column's narrow slices: how long each paint ran in it, and the extent of the slices in it. Its span (`a`
 * to `b`, set once its run of columns is complete) is the whole column, except where the run starts or ends in it.
 */
interface Column {
  c: number;
  x0: Pixels;
  x1: Pixels;
  a: Pixels;
  b: Pixels;
  slots: Map<number, Slot>;
  marks: Mark[];
}
const span = (a: Seconds, b: Seconds) => `${duration(a)} → ${duration(b)} (${duration(b - a)})`;

/**
 * Marks in pixels, as trace viewers draw them: a mark a pixel or wider is kept as it is; slices narrower than a pixel
 * are summed up per pixel column, and a run of columns holding the same is one mark, split into parts by share
 * (`PixelMark.parts`). So a lane never has many more marks than it has pixels, and what is drawn is what happened.
 * Marks outside the scale's range are left out; those crossing its ends are clipped to it (a zoomed-in chart).
 */
export function toPixels(marks: readonly Mark[], scale: TimeScale): PixelMark[] {
  const [, width] = scale.range();
  const secondsPerPx = (scale.invert(1) - scale.invert(0)) as Seconds;
  const out: PixelMark[] = [];
  let group: Column[] = [];

  const flush = () => {
    if (group.length) emit(group, secondsPerPx, out);
    group = [];
  };
  const add = (c: number, m: Mark, x0: Pixels, x1: Pixels, seconds: Seconds) => {
    let col = group[group.length - 1];
    if (!col || col.c !== c) {
      if (col && col.c !== c - 1) flush();
      col = { c, x0, x1, a: x0, b: x1, slots: new Map(), marks: [] };
      group.push(col);
    }
    col.x1 = Math.max(col.x1, x1);
    if (col.marks[col.marks.length - 1] !== m) col.marks.push(m);
    // A mark of stacked parts gives each part its share of the time (an empty queue, none).
    for (const p of m.parts ?? [{ paint: m.paint, label: m.label, share: 1 }]) {
      const k = paintKey(p.paint);
      const slot = col.slots.get(k);
      if (slot) slot.seconds += seconds * p.share;
      else col.slots.set(k, { paint: p.paint, label: p.label, seconds: seconds * p.share });
    }
  };

  for (const m of marks) {
    let x0 = scale(m.start);
    let x1 = scale(m.end);
    if (x1 < 0 || x0 > width) continue;
    x0 = Math.max(x0, 0);
    x1 = Math.min(x1, width);
    if (x1 - x0 >= 1) {
      flush();
      out.push({ ...m, x: x0, w: x1 - x0, merged: 1 });
      continue;
    }
    // A narrow slice, in one column or across the border of two: each gets its share of the slice's time.
    // (Borders within EPS_PX of a slice's end are rounding, not a crossing: 7 × 5 ms is 3.5000000000000004 px.)
    const c0 = Math.floor(x0 + EPS_PX);
    const c1 = Math.max(c0, Math.ceil(x1 - EPS_PX) - 1);
    const len = Math.max(x1 - x0, 1e-12);
    for (let c = c0; c <= c1; c++) {
      const a = c === c0 ? x0 : c;
      const b = c === c1 ? x1 : c + 1;
      add(c, m, a, b, ((b - a) / len) * (m.end - m.start) || 0);
    }
  }
  flush();
  return out;
}

const drawn = new WeakMap<readonly Mark[], { key: string; out: PixelMark[] }>();

/**
 * `toPixels`, remembered for the lane's marks at the last scale asked for: a story step shown again, or prepared
 * ahead (App's `prepare`), draws without summing its slices again.
 */
export function pixelsOf(marks: readonly Mark[], scale: TimeScale): PixelMark[] {
  const [a, b] = scale.domain();
  const key = `${a}|${b}|${scale.range()[1]}`;
  const known = drawn.get(marks);
  if (known?.key === key) return known.out;
  const out = toPixels(marks, scale);
  drawn.set(marks, { key, out });
  return out;
}

/** Shares of each paint in a run of columns, by the time they cover. */
function sharesOf(cols: readonly Column[], secondsPerPx: Seconds): Part[] {
  const total = new Map<number, Slot>();
  for (const col of cols) {
    for (const [k, s] of col.slots) {
      const t = total.get(k);
      if (t) t.seconds += s.seconds;
      else total.set(k, { ...s });
    }
  }
  const covered = (cols[cols.length - 1].b - cols[0].a) * secondsPerPx;
  return [...total]
    .sort(([a], [b]) => a - b)
    .map(([, s]) => ({ paint: s.paint, label: s.label, share: covered > 0 ? Math.min(1, s.seconds / covered) : 1 }));
}

/** Whether two columns are drawn alike: the same paints, each within `SAME_SHARE`. */
function alike(a: Part[], b: Part[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (paintKey(a[i].paint) !== paintKey(b[i].paint) || Math.abs(a[i].share - b[i].share) >= SAME_SHARE) return false;
  }
  return true;
}

function emit(group: Column[], secondsPerPx: Seconds, out: PixelMark[]): void {
  group.forEach((col, i) => {
    col.a = i === 0 ? col.x0 : col.c;
    col.b = i === group.length - 1 ? col.x1 : col.c + 1;
  });
  // A lone slice is drawn as itself.
  if (group.every((c) => c.marks.length === 1 && c.marks[0] === group[0].marks[0])) {
    const m = group[0].marks[0];
    out.push({ ...m, x: group[0].x0, w: group[group.length - 1].x1 - group[0].x0, merged: 1 });
    return;
  }
  let run: Column[] = [];
  let runParts: Part[] = [];
  const close = () => {
    if (run.length) out.push(merged(run, sharesOf(run, secondsPerPx)));
    run = [];
  };
  for (const col of group) {
    const parts = sharesOf([col], secondsPerPx);
    if (run.length && !alike(runParts, parts)) close();
    if (!run.length) runParts = parts;
    run.push(col);
  }
  close();
}

function merged(run: Column[], parts: Part[]): PixelMark {
  const marks: Mark[] = [];
  for (const c of run) for (const m of c.marks) if (marks[marks.length - 1] !== m) marks.push(m);
  const first = marks[0];
  const start = first.start;
  const end = marks[marks.length - 1].end;
  const x = run[0].a;
  const w = run[run.length - 1].b - x;
  // (Columns of marks that draw nothing, such as a queue empty in each of a few quick changes: nothing, as they were.)
  if (!parts.length) return { start, end, x, w, merged: marks.length, paint: first.paint, label: '', parts: [], detail: () => (marks.length === 1 ? first.detail() : `${marks.length} changes too quick to draw apart, ${span(start, end)}`) };
  const main = parts.reduce((a, b) => (b.share > a.share ? b : a));
  const plain = parts.length === 1 && main.share >= FULL;
  const n = marks.length;
  const busy = parts.reduce((a, p) => a + p.share, 0);
  const pct = (s: number) => `${Math.round(s * 100)}%`;
  // The largest shares by name; past TIP_PARTS, the rest together (64 tasks in a column would fill the screen).
  const sorted = [...parts].sort((a, b) => b.share - a.share);
  const mix = sorted.slice(0, TIP_PARTS).map((p) => `${p.label || 'unnamed'} ${pct(p.share)}`);
  if (sorted.length > TIP_PARTS) mix.push(`${sorted.length - TIP_PARTS} more ${pct(sorted.slice(TIP_PARTS).reduce((a, p) => a + p.share, 0))}`);
  if (busy < FULL) mix.push(`nothing ${pct(1 - busy)}`);
  return {
    start,
    end,
    x,
    w,
    merged: n,
    paint: main.paint,
    label: plain && marks.every((m) => m.label === first.label) ? first.label : '',
    parts: plain ? undefined : parts,
    detail: () => (n === 1 ? first.detail() : `${n} slices too short to draw apart, ${span(start, end)}${plain ? '' : `: ${mix.join(', ')}`}`),
  };
}

/** A band of a mark as drawn: its paint, top and height in pixels. */
export interface Piece {
  paint: Paint;
  y: Pixels;
  h: Pixels;
}

/**
 * The bands a mark is drawn as in a row from `y`, `h` tall: the whole row in its paint, or its parts stacked from the
 * bottom up, each as tall as its share (the top left empty for the time the lane ran nothing).
 */
export function pieces(m: PixelMark, y: Pixels, h: Pixels): Piece[] {
  if (!m.parts) return [{ paint: m.paint, y, h }];
  const out: Piece[] = [];
  let bottom = y + h;
  for (const p of m.parts) {
    const ph = h * p.share;
    // (A share too thin to see is in the tooltip, not in the drawing.)
    if (ph >= 0.1) out.push({ paint: p.paint, y: bottom - ph, h: ph });
    bottom -= ph;
  }
  return out;
}

/** An instant mark in pixels: where it is drawn, and the marks it stands for (those too close to draw apart). */
export interface PixelPin {
  x: Pixels;
  at: Seconds;
  /** The gravest of the marks it stands for (`PIN_ORDER`). */
  kind: PinKind;
  /** How many marks it stands for. */
  merged: number;
  /** `lost`: the updates lost, summed. */
  count?: number;
  detail: () => string;
}

/**
 * The text beside each instant mark of a lane, where it fits before the next one (and the plot's end): a lost-update
 * count ("12.5k"); none for the others, whose glyph says it all.
 */
export function pinLabels(pins: readonly PixelPin[], r: Pixels, fontPx: number, plotW: Pixels): string[] {
  return pins.map((p, i) => {
    if (p.count === undefined || p.kind !== 'lost' || p.count === 0) return '';
    // Lost: the counter is that much short ("−12.5k"); a stale write over an older one gives some back ("+12.5k").
    const text = `${p.count > 0 ? '−' : '+'}${compactCount(Math.abs(p.count))}`;
    const room = (i + 1 < pins.length ? pins[i + 1].x - r : plotW) - (p.x + r + 2);
    return room >= text.length * 0.6 * fontPx + 2 ? text : '';
  });
}

/** A count in a few characters, three figures at most ("501", "12.5k", "1.25M"). */
export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  return n < 999_500 ? `${+(n / 1000).toPrecision(3)}k` : `${+(n / 1e6).toPrecision(3)}M`;
}

/** A cluster's tooltip names this many of its marks. */
const TIP_PINS = 6;

/**
 * Marks in pixels: each at its instant; marks closer than `gap` px on one lane (a stale write every 5 ms) are one,
 * at the first, showing the gravest glyph and, for lost updates, their sum. Marks outside the window are left out.
 */
export function pinsToPixels(pins: readonly Pin[] | undefined, scale: TimeScale, gap: Pixels): PixelPin[] {
  if (!pins?.length) return [];
  const [, width] = scale.range();
  const out: PixelPin[] = [];
  let group: Pin[] = [];
  let x0 = 0;
  const flush = () => {
    if (!group.length) return;
    const g = group;
    const kind = PIN_ORDER.find((k) => g.some((p) => p.kind === k)) ?? g[0].kind;
    const lost = g.filter((p) => p.kind === 'lost');
    const count = lost.length ? lost.reduce((a, p) => a + (p.count ?? 0), 0) : undefined;
    const detail =
      g.length === 1
        ? g[0].detail
        : () => {
            const head = `${g.length} marks too close to draw apart, ${span(g[0].at, g[g.length - 1].at)}`;
            const sum = count === undefined ? '' : count >= 0 ? `: ${count.toLocaleString('en')} updates lost in all` : `: ${(-count).toLocaleString('en')} updates given back in all`;
            const more = g.length > TIP_PINS ? `; ${g.length - TIP_PINS} more` : '';
            return `${head}${sum}; ${g.slice(0, TIP_PINS).map((p) => p.detail()).join('; ')}${more}`;
          };
    out.push({ x: x0, at: g[0].at, kind, merged: g.length, count, detail });
    group = [];
  };
  for (const p of pins) {
    const x = scale(p.at);
    if (x < -gap / 2 || x > width + gap / 2) continue;
    if (group.length && x - x0 >= gap) flush();
    if (!group.length) x0 = x;
    group.push(p);
  }
  flush();
  return out;
}

const drawnPins = new WeakMap<readonly Pin[], { key: string; out: PixelPin[] }>();

/** `pinsToPixels`, remembered for the lane's pins at the last scale and gap asked for (as `pixelsOf`). */
export function pinPixelsOf(pins: readonly Pin[] | undefined, scale: TimeScale, gap: Pixels): PixelPin[] {
  if (!pins?.length) return [];
  const [a, b] = scale.domain();
  const key = `${a}|${b}|${scale.range()[1]}|${gap}`;
  const known = drawnPins.get(pins);
  if (known?.key === key) return known.out;
  const out = pinsToPixels(pins, scale, gap);
  drawnPins.set(pins, { key, out });
  return out;
}
