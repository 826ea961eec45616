/**
 * @module The renderers' seeded random numbers: mulberry32, a small fast 32-bit generator, so the
 * same seed gives the same edit (face warp jitter, tone grade variants, the atmosphere's light).
 */

/** Numbers in [0, 1) from `seed`, the same sequence for the same seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
