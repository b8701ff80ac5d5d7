import { drawGlyph, glyph, type GlyphContext } from './glyphs.ts';
import { labelAt, labelOnLane, MIN_MARK_W, paintKey, pieces, pinLabels, type PixelMark, type PixelPin } from './pixels.ts';
import { paintStyle, type PatternId } from './paint.ts';
import type { Pixels } from './scale.ts';

/** A lane as drawn: its top and height in pixels, and its marks (and instant marks, `pins` of radius `r`) in pixels. */
export interface PaintRow {
  y: Pixels;
  h: Pixels;
  thin?: boolean;
  marks: PixelMark[];
  pins?: PixelPin[];
  r?: Pixels;
}

/**
 * Ink and halo of text over a lane rather than a bar (a queue's "1/2" over its half fill, a lost-update count): the
 * page's text colour outlined in the lane's, which reads over any fill and on the empty lane (the SVG chart takes
 * both from the theme; the canvas is told them, `ChartBox.halo`, or uses the light theme's).
 */
export const HALO = { ink: '#1a1a1a', halo: '#f1f1f1', width: 3 } as const;

/** The canvas's size in CSS pixels (it covers the plot area only), and the device pixel ratio. */
export interface ChartBox {
  plotW: Pixels;
  height: Pixels;
  dpr: number;
  /** Bar labels' font size in CSS pixels (11 unless the stage asks for projector type). */
  fontPx?: number;
  /** The theme's text and lane colours, for labels over a lane (`HALO`). */
  halo?: { ink: string; halo: string };
}

/**
 * Above this many lanes or marks a chart draws its marks on one canvas instead of one SVG element each: a drag of
 * the task-count slider re-creates every mark, and thousands of SVG elements cost tens of milliseconds in layout and
 * paint, a canvas well under one.
 */
export const DENSE = { lanes: 24, marks: 400 } as const;

export function isDense(rows: readonly PaintRow[]): boolean {
  if (rows.length > DENSE.lanes) return true;
  let n = 0;
  for (const r of rows) {
    for (const m of r.marks) n += m.parts?.length ?? 1;
    // An instant mark is a few SVG elements too.
    n += 3 * (r.pins?.length ?? 0);
  }
  return n > DENSE.marks;
}

/** The canvas calls the painter makes: a real 2D context satisfies it, and tests record it. */
export type ChartContext = Pick<
  CanvasRenderingContext2D,
  'fillStyle' | 'globalAlpha' | 'font' | 'textBaseline' | 'fillRect' | 'fillText' | 'clearRect' | 'setTransform' | 'strokeText'
> &
  GlyphContext;

/** Overlay fills for each pattern: CanvasPatterns in a browser (see patterns.canvas.ts). */
export type PatternFills = Partial<Record<PatternId, CanvasPattern | string>>;

/**
 * The SVG chart's marks, painted: every mark with its overlay pattern, and the bar labels that fit. Lane backgrounds
 * stay in SVG underneath (one path, so the playhead's clip does not cut them) and the SVG on top keeps the lane
 * labels (readable to assistive technology), the axis, the playhead and the focus ring.
 */
export function paintChart(ctx: ChartContext, rows: readonly PaintRow[], box: ChartBox, patterns: PatternFills): void {
  const { plotW, height, dpr, fontPx = 11, halo: theme = HALO } = box;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, plotW, height);
  // In order, each band then its overlay, so a sliver drawn wider than it is (MIN_MARK_W) is covered by the mark after
  // it. A fill is set only when it changes (setting one parses its colour; an interleaved chart has thousands of
  // bands), each paint's style looked up once.
  const styles = new Map<number, ReturnType<typeof paintStyle>>();
  let current: string | CanvasPattern | null = null;
  let alpha = -1;
  const fill = (f: string | CanvasPattern, a: number) => {
    if (a !== alpha) ctx.globalAlpha = alpha = a;
    if (f !== current) ctx.fillStyle = current = f;
  };
  const band = (paint: PixelMark['paint'], x0: number, y: number, w: number, h: number, patterned: boolean) => {
    const k = paintKey(paint);
    let st = styles.get(k);
    if (!st) styles.set(k, (st = paintStyle(paint)));
    fill(st.fill, st.opacity);
    ctx.fillRect(x0, y, w, h);
    const overlay = st.pattern === 'none' ? undefined : patterns[st.pattern];
    if (overlay && patterned && h >= 3) {
      fill(overlay, 1);
      ctx.fillRect(x0, y, w, h);
    }
  };
  for (const r of rows) {
    for (const m of r.marks) {
      // Edges on device pixels, as SVG's crispEdges does: anti-aliased edges would leave seams between adjacent marks.
      const x0 = Math.round(m.x * dpr) / dpr;
      const w = Math.max(Math.round((m.x + m.w) * dpr) / dpr - x0, MIN_MARK_W, 1 / dpr);
      // Interleaved columns keep their patterns (a pattern is continuous from column to column); a lone sliver does not.
      const patterned = m.w >= 2 || !!m.parts;
      if (!m.parts) band(m.paint, x0, r.y, w, r.h, patterned);
      else for (const p of pieces(m, r.y, r.h)) band(p.paint, x0, p.y, w, p.h, patterned);
    }
  }
  ctx.globalAlpha = 1;
  ctx.font = `${fontPx}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  let ink = '';
  const text = (s: string, x: number, y: number, colour: string, halo: boolean) => {
    if (halo) {
      ctx.strokeStyle = theme.halo;
      ctx.lineWidth = HALO.width;
      ctx.lineJoin = 'round';
      ctx.strokeText(s, x, y);
    }
    if (colour !== ink) ctx.fillStyle = ink = colour;
    ctx.fillText(s, x, y);
  };
  for (const r of rows) {
    for (const m of r.marks) {
      const lx = labelAt(m, r.thin, fontPx, r.pins, r.r);
      if (lx === null) continue;
      const halo = labelOnLane(m);
      text(m.label, lx, r.y + r.h / 2, halo ? theme.ink : (paintStyle(m.paint).ink ?? '#000'), halo);
    }
  }
  // Instant marks on top of everything, each with its count where there is room for it.
  for (const r of rows) {
    if (!r.pins?.length) continue;
    const radius = r.r ?? r.h / 2;
    const labels = pinLabels(r.pins, radius, fontPx, plotW);
    r.pins.forEach((p, i) => {
      drawGlyph(ctx, glyph(p.kind, p.x, r.y + r.h / 2, radius));
      ink = '';
      if (labels[i]) text(labels[i], p.x + radius + 2, r.y + r.h / 2, theme.ink, true);
    });
  }
}
