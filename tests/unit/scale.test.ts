import { describe, expect, it } from 'vitest';
import { timeScale, timeTicks } from '../../src/ui/chart/scale.ts';

describe('time axis ticks', () => {
  const cases: [string, number, number, string[]][] = [
    ['sub-second spans in milliseconds', 0.2, 540, ['0 ms', '50 ms', '100 ms', '150 ms', '200 ms']],
    ['seconds with the decimals the step needs, trailing zeros trimmed', 1.3, 540, ['0 s', '0.2 s', '0.4 s', '0.6 s', '0.8 s', '1 s', '1.2 s']],
    ['tens of seconds as plain numbers, never 1e+1', 80, 700, ['0 s', '10 s', '20 s', '30 s', '40 s', '50 s', '60 s', '70 s', '80 s']],
    ['hundreds of seconds', 340, 360, ['0 s', '100 s', '200 s', '300 s']],
    ['thousands with a separator', 4000, 300, ['0 s', '1,000 s', '2,000 s', '3,000 s', '4,000 s']],
  ];
  for (const [name, end, width, labels] of cases) {
    it(name, () => {
      const ticks = timeTicks(timeScale(end, width));
      expect(ticks.map((t) => t.label)).toEqual(labels);
      expect(ticks[0].x).toBe(0);
    });
  }

  it('about one tick per 90 px, never fewer than two', () => {
    expect(timeTicks(timeScale(10, 900)).length).toBeLessThanOrEqual(11);
    expect(timeTicks(timeScale(10, 50)).length).toBeGreaterThanOrEqual(2);
  });
});

describe('d3 scales without d3-color (vite.config.ts aliases it to src/ui/chart/noColours.ts)', () => {
  it('a scale of seconds to pixels interpolates its numbers, inverts them, and zooms', async () => {
    const { scaleLinear, interpolateZoom } = await import('d3');
    const x = scaleLinear().domain([0, 2]).range([10, 410]);
    expect(x(0.5)).toBe(110);
    expect(x.invert(310)).toBe(1.5);
    const [cx, cy, w] = interpolateZoom([0, 0, 100], [50, 0, 50])(1);
    expect([cx, cy, w].map((v) => +v.toFixed(9))).toEqual([50, 0, 50]);
  });

  it('a range of colours fails loudly instead of blending wrongly', async () => {
    const { scaleLinear } = await import('d3');
    expect(() => scaleLinear().range(['red', 'blue'] as unknown as number[])(0.5)).toThrow(/d3-color is not bundled/);
  });
});
