import { labelFits, MIN_MARK_W, paintKey, pieces, type PixelMark } from './pixels.ts';
import { paintStyle, type PatternId } from './paint.ts';
import type { Pixels } from './scale.ts';

/** A lane as drawn: its top and height in pixels, and its marks already in pixels. */
export interface PaintRow {
  y: Pixels;
  h: Pixels;
  thin?: boolean;
  marks: PixelMark[];
}

/** The canvas's size in CSS pixels (it covers the plot area only), and the device pixel ratio. */
export interface ChartBox {
  plotW: Pixels;
  height: Pixels;
  dpr: number;
  /** Bar labels' font size in CSS pixels (11 unless the stage asks for projector type). */
  fontPx?: number;
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
  for (const r of rows) for (const m of r.marks) n += m.parts?.length ?? 1;
  return n > DENSE.marks;
}

/** The canvas calls the painter makes: a real 2D context satisfies it, and tests record it. */
export type ChartContext = Pick<
  CanvasRenderingContext2D,
  'fillStyle' | 'globalAlpha' | 'font' | 'textBaseline' | 'fillRect' | 'fillText' | 'clearRect' | 'setTransform'
>;

/** Overlay fills for each pattern: CanvasPatterns in a browser (see patterns.canvas.ts). */
export type PatternFills = Partial<Record<PatternId, CanvasPattern | string>>;

/**
 * The SVG chart's marks, painted: every mark with its overlay pattern, and the bar labels that fit. Lane backgrounds
 * stay in SVG underneath (one path, so the playhead's clip does not cut them) and the SVG on top keeps the lane
 * labels (readable to assistive technology), the axis, the playhead and the focus ring.
 */
export function paintChart(ctx: ChartContext, rows: readonly PaintRow[], box: ChartBox, patterns: PatternFills): void {
  const { plotW, height, dpr, fontPx = 11 } = box;
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
  ctx.fillStyle = '#000';
  ctx.font = `${fontPx}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  for (const r of rows) for (const m of r.marks) if (labelFits(m, r.thin, fontPx)) ctx.fillText(m.label, m.x + 4, r.y + r.h / 2);
}
