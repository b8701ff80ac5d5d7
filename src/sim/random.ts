/**
 * Seeded pseudo-random numbers (mulberry32): the same seed always gives the same sequence, on every machine.
 * The simulator never calls Math.random.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Like bash's `min + RANDOM % (max - min + 1)` when `integer`, else uniform in [min, max]. */
export function drawSeconds(rand: () => number, min: number, max: number, integer: boolean): number {
  if (integer) return min + Math.floor(rand() * (Math.floor(max) - Math.ceil(min) + 1));
  return min + rand() * (max - min);
}
