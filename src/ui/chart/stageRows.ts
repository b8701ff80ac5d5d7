import type { Lane } from './lanes.ts';

/** Projector type: every text on a chart at `font` px, the chart fitted into `height` px (see Gantt's `stage`). */
export interface Stage {
  font: number;
  height: number;
  /** A slide's embed, where the frame is the limit, not the type: rows go down to 6 px and labels shrink to them. */
  squeeze?: boolean;
  /** The waiting band is folded into one lane (foldWaiting): some chart on screen could not give its band readable rows. */
  fold?: boolean;
}

/** A band heading's and the time axis's heights in px, for type of `font` px: Gantt draws by them, stageRows fits by them. */
export const bandPx = (font: number) => font + 5;
export const axisPx = (font: number) => font + 11;

/** Row heights in px: the workbench's fixed ones. */
export const BENCH_ROWS = { row: 22, thin: 9, idle: 9, gap: 3 } as const;

/**
 * Row heights of a chart of `lanes` on the stage, in px: what fits its height once the caption, the axis, the bands'
 * headings and (a deadlocked run) the strip above the lanes are taken off, between 10 px (6 squeezed) and 4 em (a
 * step showing one chart of three lanes fills the screen, not a fifth of it); idle cores' rows stay thin. The one layout rule Gantt draws by and the app folds by.
 */
export function stageRows(lanes: readonly Lane[], stage: Stage, hang: boolean): { row: number; thin: number; idle: number; gap: number } {
  const k = stage.font / 12;
  const band = bandPx(stage.font);
  const axis = axisPx(stage.font);
  const thinIdle = Math.round(9 * k);
  const bands = lanes.filter((l) => l.band).length;
  const idle = lanes.filter((l) => l.idle).length;
  const full = lanes.length - idle;
  const caption = Math.round(stage.font * 1.4) + 2;
  const rowWith = (gap: number) => {
    const room = stage.height - caption - axis - bands * band - (hang ? band : 0) - 8 - idle * (thinIdle + gap);
    return Math.min(Math.round(stage.font * 4), Math.floor(room / Math.max(1, full)) - gap);
  };
  // Squeezed, the gap between rows is 1 px where rows would be shorter than 10 px with 3.
  const gap = stage.squeeze && rowWith(3) < 10 ? 1 : 3;
  const row = Math.max(stage.squeeze ? 6 : 10, rowWith(gap));
  return { row, thin: row, idle: thinIdle, gap };
}

/** Rows closer together than the stage's type is tall: their labels would overlap, or (squeezed) shrink to the rows. */
export const crowded = (lanes: readonly Lane[], stage: Stage, hang: boolean): boolean => {
  const s = stageRows(lanes, stage, hang);
  return s.row + s.gap < stage.font;
};
