/**
 * @module Conversion between float32 values and IEEE 754 half-precision (float16) bit patterns.
 *
 * Node 20 has no `Float16Array`, so ONNX Runtime takes and returns float16 tensors as
 * `Uint16Array` bit patterns. These two functions are the only place that knows the format.
 */

const float32View = new Float32Array(1);
const uint32View = new Uint32Array(float32View.buffer);

/** The float16 bit pattern nearest to `value` (round half to even; overflow becomes ±Infinity). */
export function float32ToFloat16Bits(value: number): number {
  float32View[0] = value;
  return float32BitsToFloat16Bits(uint32View[0]!);
}

/** The same, from the float32's bit pattern (so whole arrays convert through a Uint32Array view). */
function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;

  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Infinity or NaN
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00; // too large: Infinity
  if (halfExponent <= 0) {
    // Subnormal half (or zero): shift the mantissa, with its implicit leading 1, into place.
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && half & 1)) half += 1;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // Round half to even; a carry out of the mantissa correctly bumps the exponent.
  if (remainder > 0x1000 || (remainder === 0x1000 && half & 1)) half += 1;
  return sign | half;
}

/** The float32 value of a float16 bit pattern (exact). */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** A whole array to float16 bit patterns. */
export function toFloat16Array(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  if (values instanceof Float32Array) writeFloat16Array(values, out);
  else for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]!);
  return out;
}

/**
 * Writes `values` as float16 bit patterns into the start of `out` (no allocation). Values that
 * become normal float16 numbers, nearly all, take a few integer operations (round half to even
 * by adding 0xfff plus the lowest kept bit, as in F. Giesen's `float_to_half_fast3_rtne`);
 * the rest go through `float32BitsToFloat16Bits`.
 */
export function writeFloat16Array(values: Float32Array, out: Uint16Array): void {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < bits.length; i++) {
    const word = bits[i]!;
    const magnitude = word & 0x7fffffff;
    // 2^-14 ≤ |value| < 65520 (the smallest float32 that rounds to float16 infinity).
    if (magnitude >= 0x38800000 && magnitude < 0x477ff000) {
      out[i] = ((word >>> 16) & 0x8000) | ((magnitude - 0x38000000 + 0xfff + ((magnitude >>> 13) & 1)) >>> 13);
    } else {
      out[i] = float32BitsToFloat16Bits(word);
    }
  }
}

let float16Table: Float32Array | undefined;

/**
 * A whole array of float16 bit patterns to float32. Normal numbers are moved into place with
 * integer operations (exponent rebased by 112); zeros, subnormals, infinities and NaN come from
 * a 65,536-entry table built once.
 */
export function fromFloat16Array(bits: ArrayLike<number>): Float32Array {
  if (!float16Table) {
    float16Table = new Float32Array(0x10000);
    for (let i = 0; i < 0x10000; i++) float16Table[i] = float16BitsToFloat32(i);
  }
  const table = float16Table;
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    const half = bits[i]!;
    const exponent = half & 0x7c00;
    if (exponent !== 0 && exponent !== 0x7c00)
      outBits[i] = ((half & 0x8000) << 16) | (((half & 0x7fff) << 13) + 0x38000000);
    else out[i] = table[half]!;
  }
  return out;
}
