// d3-color, as the charts need it: not at all. d3-interpolate imports it so that a scale whose range is colours can
// blend them, and d3-scale's linear scale takes d3-interpolate's `interpolate` as its default; the charts' scales map
// seconds to pixels, numbers to numbers, and their colours are the app's own (paint.ts). d3-interpolate's one bundled
// module imports six of d3-color's functions by name, so no bundler can leave the library (and its table of 148
// named colours) out: vite.config.ts aliases it to this module, whose functions fail loudly if anything ever asks to
// parse or blend a colour. About 4 KB gzipped of the bundle.

// Declarations, not arrows: `interpolate` asks `value instanceof color` of a range value that is neither number nor
// string, which needs a constructor (it answers false).
function none(): never {
  throw new Error('d3-color is not bundled: the charts never interpolate colours (see src/ui/chart/noColours.ts)');
}

export function color(): never {
  return none();
}
export const rgb = none;
export const hsl = none;
export const lab = none;
export const hcl = none;
export const cubehelix = none;
