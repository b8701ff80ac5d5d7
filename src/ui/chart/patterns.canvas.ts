import type { PatternFills } from './paintChart.ts';

// DOM code, drawn and checked by the browser tests' screenshots (the unit tests and `npm run mutate` cover the
// painter's logic in paintChart.ts).

let made: PatternFills | null = null;

/**
 * Canvas versions of the SVG patterns in Patterns.svelte (same tiles, same inks), made once for the page: a pattern
 * is not tied to the context that made it, and making them took milliseconds on every new chart (a story click).
 */
export function patternsFor(ctx: CanvasRenderingContext2D): PatternFills {
  return (made ??= makePatterns(ctx));
}

function makePatterns(ctx: CanvasRenderingContext2D): PatternFills {
  const tile = (size: number, draw: (t: CanvasRenderingContext2D) => void) => {
    const c = document.createElement('canvas');
    c.width = c.height = size;
    const t = c.getContext('2d');
    if (!t) return undefined;
    draw(t);
    return ctx.createPattern(c, 'repeat') ?? undefined;
  };
  const hatch = tile(6, (t) => {
    t.fillStyle = 'rgba(255,255,255,0.75)';
    t.fillRect(0, 0, 2.5, 6);
  });
  hatch?.setTransform(new DOMMatrix().rotate(45));
  const dots = tile(5, (t) => {
    t.fillStyle = 'rgba(0,0,0,0.55)';
    t.beginPath();
    t.arc(2.5, 2.5, 1.1, 0, 2 * Math.PI);
    t.fill();
  });
  const cross = tile(6, (t) => {
    t.strokeStyle = 'rgba(0,0,0,0.45)';
    t.lineWidth = 1;
    t.beginPath();
    t.moveTo(0, 0);
    t.lineTo(6, 6);
    t.moveTo(6, 0);
    t.lineTo(0, 6);
    t.stroke();
  });
  const bars = tile(5, (t) => {
    t.fillStyle = 'rgba(0,0,0,0.5)';
    t.fillRect(0, 0, 1.6, 5);
  });
  const rows = tile(5, (t) => {
    t.fillStyle = 'rgba(0,0,0,0.45)';
    t.fillRect(0, 0, 5, 1.6);
  });
  const slant = tile(6, (t) => {
    t.fillStyle = 'rgba(0,0,0,0.5)';
    t.fillRect(0, 0, 1.6, 6);
  });
  slant?.setTransform(new DOMMatrix().rotate(-45));
  const checker = tile(6, (t) => {
    t.fillStyle = 'rgba(255,255,255,0.65)';
    t.fillRect(0.5, 0.5, 2, 2);
    t.fillRect(3.5, 3.5, 2, 2);
  });
  return { hatch, dots, cross, bars, rows, slant, checker };
}
