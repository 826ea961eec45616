/**
 * @module Seeded, reproducible Gaussian noise: the same seed gives the same numbers on every
 * machine. Uniform bits come from xoshiro128** (seeded through splitmix32); normal numbers from
 * Marsaglia and Tsang's ziggurat with 128 layers ("The Ziggurat Method for Generating Random
 * Variables", J. Stat. Software 5(8), 2000), which needs one 32-bit draw, one comparison and one
 * multiplication for 98.8% of the numbers. A diffusion step draws a latent's worth of noise
 * (16,384 numbers at 512×512), so this is on every step's path; Box–Muller's logarithm, square
 * root and sine per pair cost about 4× more.
 *
 * Each draw's bits are split so that no bit serves twice (Doornik's remark on the original
 * ziggurat): bits 0–6 pick the layer, bits 7–31 are the signed magnitude (24 bits and a sign,
 * more than a float32's mantissa).
 */

const LAYERS = 128;
/** Where the tail of the base layer begins. */
const TAIL_START = 3.442619855899;
/** The area of each layer. */
const LAYER_AREA = 9.91256303526217e-3;
/** Magnitude bits per draw. */
const MAGNITUDE_SCALE = 2 ** 24;

/**
 * Layer tables: a magnitude m in layer i is accepted at once when m < `inner[i]`, its value is
 * m·`width[i]`, and `height[i]` is the density exp(−x²/2) at the layer's outer edge.
 */
const inner = new Uint32Array(LAYERS);
const width = new Float64Array(LAYERS);
const height = new Float64Array(LAYERS);
{
  let edge = TAIL_START;
  let outer = TAIL_START;
  const base = LAYER_AREA / Math.exp(-0.5 * edge * edge);
  inner[0] = Math.floor((edge / base) * MAGNITUDE_SCALE);
  inner[1] = 0;
  width[0] = base / MAGNITUDE_SCALE;
  width[LAYERS - 1] = edge / MAGNITUDE_SCALE;
  height[0] = 1;
  height[LAYERS - 1] = Math.exp(-0.5 * edge * edge);
  for (let i = LAYERS - 2; i >= 1; i--) {
    edge = Math.sqrt(-2 * Math.log(LAYER_AREA / edge + Math.exp(-0.5 * edge * edge)));
    inner[i + 1] = Math.floor((edge / outer) * MAGNITUDE_SCALE);
    outer = edge;
    height[i] = Math.exp(-0.5 * edge * edge);
    width[i] = edge / MAGNITUDE_SCALE;
  }
}

/** A stream of standard normal numbers fixed by a seed. */
export class GaussianNoise {
  private readonly state = new Int32Array(4);

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
      this.state[i] = z ^ (z >>> 16);
    }
    if (this.state.every((word) => word === 0)) this.state[0] = 1;
  }

  /** A uniform number in (0, 1). */
  uniform(): number {
    return ((this.next32() >>> 0) + 0.5) / 0x100000000;
  }

  /** One standard normal number (float32 precision: the same numbers `fill` gives). */
  normal(): number {
    return this.fill(1)[0]!;
  }

  /** `count` standard normal numbers, each multiplied by `scale`. */
  fill(count: number, scale = 1): Float32Array {
    return this.fillInto(new Float32Array(count), scale);
  }

  /** Fills `out` with standard normal numbers, each multiplied by `scale`; returns `out`. */
  fillInto(out: Float32Array, scale = 1): Float32Array {
    const state = this.state;
    // xoshiro128** with its state in locals: this loop is the hot path.
    let s0 = state[0]!;
    let s1 = state[1]!;
    let s2 = state[2]!;
    let s3 = state[3]!;
    for (let i = 0; i < out.length; i++) {
      const product = Math.imul(s1, 5);
      const bits = Math.imul((product << 7) | (product >>> 25), 9);
      const shifted = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= shifted;
      s3 = (s3 << 11) | (s3 >>> 21);

      const layer = bits & (LAYERS - 1);
      const signed = bits >> 7;
      if (Math.abs(signed) < inner[layer]!) {
        out[i] = signed * width[layer]! * scale;
      } else {
        // The edges and the tail (1.2% of draws) draw further numbers through the same state.
        state[0] = s0;
        state[1] = s1;
        state[2] = s2;
        state[3] = s3;
        out[i] = this.outsideCore(bits) * scale;
        s0 = state[0]!;
        s1 = state[1]!;
        s2 = state[2]!;
        s3 = state[3]!;
      }
    }
    state[0] = s0;
    state[1] = s1;
    state[2] = s2;
    state[3] = s3;
    return out;
  }

  /** A draw whose magnitude fell outside its layer's core: test it against the density, or sample the tail. */
  private outsideCore(firstBits: number): number {
    let bits = firstBits;
    for (;;) {
      const layer = bits & (LAYERS - 1);
      const x = (bits >> 7) * width[layer]!;
      if (layer === 0) {
        // Beyond TAIL_START: Marsaglia's tail method.
        let tail: number;
        let y: number;
        do {
          tail = -Math.log(this.uniform()) / TAIL_START;
          y = -Math.log(this.uniform());
        } while (y + y < tail * tail);
        return x < 0 ? -(TAIL_START + tail) : TAIL_START + tail;
      }
      if (height[layer]! + this.uniform() * (height[layer - 1]! - height[layer]!) < Math.exp(-0.5 * x * x)) return x;
      bits = this.next32();
      const signed = bits >> 7;
      const nextLayer = bits & (LAYERS - 1);
      if (Math.abs(signed) < inner[nextLayer]!) return signed * width[nextLayer]!;
    }
  }

  /** The next 32 random bits (as a signed integer). */
  private next32(): number {
    const s = this.state;
    const product = Math.imul(s[1]!, 5);
    const result = Math.imul((product << 7) | (product >>> 25), 9);
    const shifted = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= shifted;
    s[3] = (s[3]! << 11) | (s[3]! >>> 21);
    return result;
  }
}

// V8 compiles `fillInto` with `outsideCore` inlined, from the branches it has seen run. The tail
// branch is taken about once in 3,500 draws; when it was never seen before the loop was compiled,
// its first use throws the compiled loop away and diffusion steps run slowly until it is compiled
// again. This stream reaches the tail on both sides within its 8,192 numbers, so every branch
// has been seen before the loop gets hot (about a millisecond, once per process).
new GaussianNoise(2).fill(8192);
