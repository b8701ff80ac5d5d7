// d3-transition, as the charts need it: not at all. d3-zoom imports it for animated zooms (`zoom.transform` on a
// transition, and the double click's 250 ms zoom), which the charts never use (double click is the app's own reset;
// a window follows the playhead or a gesture at once). d3-transition patches d3-selection's prototype on import, so
// no bundler can leave it out: vite.config.ts aliases it to this module, which gives d3-zoom the two calls it makes
// with no transition running, `interrupt(node)` and `selection.interrupt()` (both nothing to stop), and fails loudly
// if anything ever asks for a transition. About 4 KB gzipped of the bundle (d3-transition, d3-ease, d3-timer and
// the interpolators only transitions use).
import { selection } from 'd3-selection';

/** No transition is ever scheduled, so there is none to interrupt. */
export function interrupt(): void {}

const proto = selection.prototype as unknown as Record<string, unknown>;
proto.interrupt = function (this: unknown) {
  return this;
};
proto.transition = () => {
  throw new Error('d3 transitions are not bundled (see src/ui/chart/noTransitions.ts)');
};
