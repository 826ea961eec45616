/**
 * @module Seeded, reproducible Gaussian noise: the same seed gives the same numbers on every
 * machine (xoshiro128** seeded through splitmix32, Box–Muller for the normal distribution).
 */

/** A stream of standard normal numbers fixed by a seed. */
export class GaussianNoise {
  private readonly state = new Uint32Array(4);
  private spare: number | undefined;

  /** @param seed any finite number; its 53 integer bits (and sign) pick the stream */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`The noise seed must be a finite number, not ${seed}.`);
    let mix = (Math.trunc(seed) ^ Math.trunc(seed / 0x100000000)) >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32
      mix = (mix + 0x9e3779b9) >>> 0;
      let z = mix;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.state[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.state.every((word) => word === 0)) this.state[0] = 1;
  }

  /** A uniform number in (0, 1). */
  uniform(): number {
    const s = this.state;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return (result + 0.5) / 0x100000000;
  }

  /** One standard normal number. */
  normal(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** `count` standard normal numbers, each multiplied by `scale`. */
  fill(count: number, scale = 1): Float32Array {
    const out = new Float32Array(count);
    let i = 0;
    if (this.spare !== undefined && count > 0) out[i++] = this.normal() * scale;
    // Box–Muller in pairs, the same sequence as calling normal() `count` times.
    for (; i + 1 < count; i += 2) {
      const radius = Math.sqrt(-2 * Math.log(this.uniform())) * scale;
      const angle = 2 * Math.PI * this.uniform();
      out[i] = radius * Math.cos(angle);
      out[i + 1] = radius * Math.sin(angle);
    }
    if (i < count) out[i] = this.normal() * scale;
    return out;
  }
}

function rotl(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}
