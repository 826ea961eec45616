/**
 * @module Pictures as luminance planes: what SSIM and the pixel-difference figures compare.
 *
 * Luminance is Rec. ITU-R BT.601 luma on the 8-bit sRGB values, Y = 0.299 R + 0.587 G + 0.114 B,
 * kept as a float (no rounding), so a value lies in [0, 255]. Transparency is flattened onto
 * black (sharp's `removeAlpha`), EXIF orientation is applied.
 */
import sharp from 'sharp';

/** One luminance plane, row by row. */
export interface LuminancePlane {
  width: number;
  height: number;
  /** `width × height` values in [0, 255]. */
  values: Float64Array;
}

/** BT.601 luma weights (R, G, B). */
export const LUMA_WEIGHTS = [0.299, 0.587, 0.114] as const;

/** The luminance of an 8-bit RGB buffer (3 bytes per pixel). */
export function lumaOfRgb(rgb: Uint8Array | Buffer, width: number, height: number): LuminancePlane {
  const values = new Float64Array(width * height);
  for (let i = 0; i < values.length; i++)
    values[i] = LUMA_WEIGHTS[0] * rgb[3 * i]! + LUMA_WEIGHTS[1] * rgb[3 * i + 1]! + LUMA_WEIGHTS[2] * rgb[3 * i + 2]!;
  return { width, height, values };
}

/**
 * The picture's luminance; with `size`, resized to exactly that size first (Lanczos 3), which is
 * how an edit of another size is compared with its original.
 */
export async function luminanceOf(bytes: Buffer, size?: { width: number; height: number }): Promise<LuminancePlane> {
  let pipeline = sharp(bytes).rotate().removeAlpha().toColourspace('srgb');
  if (size) pipeline = pipeline.resize(size.width, size.height, { fit: 'fill', kernel: 'lanczos3' });
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  if (info.channels === 3) return lumaOfRgb(data, info.width, info.height);
  // A grey picture sharp keeps at one channel: its values are the luminance.
  const values = new Float64Array(info.width * info.height);
  for (let i = 0; i < values.length; i++) values[i] = data[i * info.channels]!;
  return { width: info.width, height: info.height, values };
}

/** Throws unless both planes have the same size (the metrics compare pixel for pixel). */
export function assertSameSize(a: LuminancePlane, b: LuminancePlane): void {
  if (a.width !== b.width || a.height !== b.height)
    throw new RangeError(`pictures differ in size: ${a.width}×${a.height} and ${b.width}×${b.height}`);
}
