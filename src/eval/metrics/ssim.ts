/**
 * @module SSIM, the structural similarity index (Wang, Bovik, Sheikh & Simoncelli, "Image quality
 * assessment: from error visibility to structural similarity", IEEE TIP 13(4), 2004; the EPEM
 * paper cites Horé & Ziou, "Image Quality Metrics: PSNR vs. SSIM", ICPR 2010), on luminance.
 *
 * For two windows x and y of the same place in both pictures,
 *
 *   SSIM(x, y) = ((2 μx μy + C1) (2 σxy + C2)) / ((μx² + μy² + C1) (σx² + σy² + C2)),
 *   C1 = (K1 L)², C2 = (K2 L)², K1 = 0.01, K2 = 0.03, L = 255 (the data range),
 *
 * and the picture's SSIM is the mean over every window position. The parameters are
 * scikit-image's defaults for `skimage.metrics.structural_similarity` (0.25): a 7 × 7 uniform
 * window, sample (co)variances (divided by N − 1 = 48), and the mean taken over the positions
 * where the whole window lies inside the picture (scikit-image filters the whole picture and
 * then crops 3 pixels off each border, which is the same set). It lies in [−1, 1]; 1 means
 * identical. `test/eval/ssim.test.ts` checks it against scikit-image's figures on the shared
 * photos (`test/eval/fixtures/ssim-skimage.py` made them).
 *
 * Window sums come from summed-area tables, so the cost is linear in the pixel count.
 */
import { assertSameSize, type LuminancePlane } from './luminance.ts';

export interface SsimOptions {
  /** Side of the square window, odd. @defaultValue 7 */
  windowSize?: number;
  /** @defaultValue 0.01 */
  k1?: number;
  /** @defaultValue 0.03 */
  k2?: number;
  /** The range of the values (255 for 8-bit luminance). @defaultValue 255 */
  dataRange?: number;
}

const DEFAULTS: Required<SsimOptions> = { windowSize: 7, k1: 0.01, k2: 0.03, dataRange: 255 };

/** Summed-area table with a zero first row and column: ((w + 1) × (h + 1)). */
function summedArea(width: number, height: number, value: (i: number) => number): Float64Array {
  const stride = width + 1;
  const table = new Float64Array(stride * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += value(y * width + x);
      table[(y + 1) * stride + x + 1] = table[y * stride + x + 1]! + row;
    }
  }
  return table;
}

/** Mean SSIM of two luminance planes of the same size. */
export function ssim(a: LuminancePlane, b: LuminancePlane, options: SsimOptions = {}): number {
  assertSameSize(a, b);
  const { windowSize, k1, k2, dataRange } = { ...DEFAULTS, ...options };
  if (windowSize < 3 || windowSize % 2 === 0) throw new RangeError('windowSize must be odd and at least 3');
  const { width, height } = a;
  if (width < windowSize || height < windowSize)
    throw new RangeError(`pictures of ${width}×${height} are smaller than the ${windowSize}×${windowSize} SSIM window`);
  const x = a.values;
  const y = b.values;
  const sx = summedArea(width, height, (i) => x[i]!);
  const sy = summedArea(width, height, (i) => y[i]!);
  const sxx = summedArea(width, height, (i) => x[i]! * x[i]!);
  const syy = summedArea(width, height, (i) => y[i]! * y[i]!);
  const sxy = summedArea(width, height, (i) => x[i]! * y[i]!);
  const n = windowSize * windowSize;
  const covNorm = n / (n - 1);
  const c1 = (k1 * dataRange) ** 2;
  const c2 = (k2 * dataRange) ** 2;
  const stride = width + 1;
  const windowSum = (table: Float64Array, top: number, left: number): number => {
    const bottom = top + windowSize;
    const right = left + windowSize;
    return (
      table[bottom * stride + right]! -
      table[top * stride + right]! -
      table[bottom * stride + left]! +
      table[top * stride + left]!
    );
  };
  let total = 0;
  let count = 0;
  for (let top = 0; top + windowSize <= height; top++) {
    for (let left = 0; left + windowSize <= width; left++) {
      const ux = windowSum(sx, top, left) / n;
      const uy = windowSum(sy, top, left) / n;
      const vx = covNorm * (windowSum(sxx, top, left) / n - ux * ux);
      const vy = covNorm * (windowSum(syy, top, left) / n - uy * uy);
      const vxy = covNorm * (windowSum(sxy, top, left) / n - ux * uy);
      total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
      count++;
    }
  }
  return total / count;
}
