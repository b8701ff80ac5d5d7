import type { PinKind } from './paint.ts';

/**
 * The badges of instant marks, as plain geometry so that the SVG chart, the canvas and the legend draw the same
 * shapes (font glyphs such as ⛔ or ⚡ are missing from many machines' fonts, emoji or not): a raised exception ✕ on a
 * dark disc, a cancellation ⊘ on grey, a dead process's bolt ⚡ on yellow, lost updates ▼, a deadlock's no-entry sign.
 * Each shape is outlined in white, so it reads on any bar and on an empty lane in every theme.
 */
export type GlyphOp =
  | { op: 'circle'; cx: number; cy: number; r: number; fill?: string; stroke?: string; width?: number }
  | { op: 'poly'; points: [number, number][]; closed: boolean; fill?: string; stroke?: string; width?: number };

const DARK = '#1a1a1a';
const WHITE = '#ffffff';

/** Ops for a badge of radius `r` centred on (`cx`, `cy`). */
export function glyph(kind: PinKind, cx: number, cy: number, r: number): GlyphOp[] {
  const at = (pts: [number, number][]): [number, number][] => pts.map(([x, y]) => [cx + x * r, cy + y * r]);
  const disc = (fill: string, stroke = WHITE): GlyphOp => ({ op: 'circle', cx, cy, r, fill, stroke, width: Math.max(1, r / 5) });
  const line = (pts: [number, number][], width = Math.max(1.4, r / 3.2)): GlyphOp => ({ op: 'poly', points: at(pts), closed: false, stroke: WHITE, width });
  switch (kind) {
    case 'raised':
      return [disc(DARK), line([[-0.42, -0.42], [0.42, 0.42]]), line([[0.42, -0.42], [-0.42, 0.42]])];
    case 'cancelled':
      return [disc('#6b6b6b'), { op: 'circle', cx, cy, r: r * 0.5, stroke: WHITE, width: Math.max(1.2, r / 4.5) }, line([[-0.5, 0.5], [0.5, -0.5]], Math.max(1.2, r / 4.5))];
    case 'broken':
    case 'crash':
      return [
        disc('#F0E442', DARK),
        { op: 'poly', points: at([[0.18, -0.82], [-0.46, 0.12], [-0.04, 0.12], [-0.2, 0.82], [0.46, -0.16], [0.04, -0.16]]), closed: true, fill: DARK },
      ];
    case 'lost':
      return [{ op: 'poly', points: at([[-0.95, -0.7], [0.95, -0.7], [0, 0.9]]), closed: true, fill: DARK, stroke: WHITE, width: Math.max(1, r / 6) }];
    case 'deadlock':
      return [disc('#D7191C'), { op: 'poly', points: at([[-0.6, -0.2], [0.6, -0.2], [0.6, 0.2], [-0.6, 0.2]]), closed: true, fill: WHITE }];
  }
}

/** An SVG path for a poly op. */
export const polyPath = (op: Extract<GlyphOp, { op: 'poly' }>) =>
  op.points.map(([x, y], i) => `${i ? 'L' : 'M'}${Math.round(x * 10) / 10},${Math.round(y * 10) / 10}`).join('') + (op.closed ? 'Z' : '');

/** The canvas calls a badge needs: a real 2D context satisfies it. */
export type GlyphContext = Pick<CanvasRenderingContext2D, 'beginPath' | 'arc' | 'moveTo' | 'lineTo' | 'closePath' | 'fill' | 'stroke' | 'fillStyle' | 'strokeStyle' | 'lineWidth' | 'lineJoin'>;

/** Draws the ops on a canvas, as the SVG draws them (fill, then stroke). */
export function drawGlyph(ctx: GlyphContext, ops: readonly GlyphOp[]): void {
  ctx.lineJoin = 'round';
  for (const o of ops) {
    ctx.beginPath();
    if (o.op === 'circle') ctx.arc(o.cx, o.cy, o.r, 0, 2 * Math.PI);
    else {
      o.points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      if (o.closed) ctx.closePath();
    }
    if (o.fill) {
      ctx.fillStyle = o.fill;
      ctx.fill();
    }
    if (o.stroke) {
      ctx.strokeStyle = o.stroke;
      ctx.lineWidth = o.width ?? 1;
      ctx.stroke();
    }
  }
}
