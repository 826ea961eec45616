/**
 * @module Pixel-difference figures on luminance (see `luminance.ts`), in 8-bit units.
 *
 * - Mean absolute difference: MAE = (1/N) Σ |xᵢ − yᵢ|, in [0, 255]; 0 means identical.
 * - Peak signal-to-noise ratio: PSNR = 10 log₁₀(L² / MSE) dB with L = 255 and
 *   MSE = (1/N) Σ (xᵢ − yᵢ)² (Horé & Ziou, "Image Quality Metrics: PSNR vs. SSIM", ICPR 2010;
 *   scikit-image's `peak_signal_noise_ratio`). Identical pictures have MSE 0 and an infinite PSNR,
 *   reported as `null` in JSON ("identical").
 */
import { assertSameSize, type LuminancePlane } from './luminance.ts';

export interface PixelDifference {
  meanAbsoluteDifference: number;
  meanSquaredError: number;
  /** In dB; `Infinity` for identical pictures. */
  psnr: number;
}

export function pixelDifference(a: LuminancePlane, b: LuminancePlane, dataRange = 255): PixelDifference {
  assertSameSize(a, b);
  let abs = 0;
  let squared = 0;
  for (let i = 0; i < a.values.length; i++) {
    const d = a.values[i]! - b.values[i]!;
    abs += Math.abs(d);
    squared += d * d;
  }
  const n = a.values.length;
  const meanSquaredError = squared / n;
  return {
    meanAbsoluteDifference: abs / n,
    meanSquaredError,
    psnr: meanSquaredError === 0 ? Infinity : 10 * Math.log10((dataRange * dataRange) / meanSquaredError),
  };
}
