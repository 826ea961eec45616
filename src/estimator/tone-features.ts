/**
 * @module Colour and light statistics of a picture, read from a small downscale: the inputs of
 * the tone estimator, and the scale the tone renderer grades on.
 */
import { THUMBNAIL_SIZE, thumbnailOf } from '../image/thumbnail-cache.ts';

/** The five statistics, each on 8-bit sRGB values scaled to [0, 1]. */
export interface ToneFeatures {
  /** Mean luma (Rec. 601 weights): how bright the picture is. */
  brightness: number;
  /** Mean chroma (max − min of R, G, B): how vivid the colours are. */
  saturation: number;
  /** Mean of R − B: positive is warm (orange), negative is cool (blue). */
  warmth: number;
  /** Standard deviation of luma: how far lights and darks are apart. */
  contrast: number;
  /** Mean of G − (R + B) / 2: positive is green, negative is magenta. */
  tint: number;
}

export const TONE_FEATURE_NAMES = ['brightness', 'saturation', 'warmth', 'contrast', 'tint'] as const;
export type ToneFeatureName = (typeof TONE_FEATURE_NAMES)[number];

/**
 * Mean and spread of each statistic over everyday photographs, used to standardise a picture's
 * statistics (a z-score of 0 is typical, ±1 is one spread away). These are this project's
 * estimates, set from the shared test photos and common experience with camera JPEGs, not a
 * published measurement.
 */
export const TONE_REFERENCE: Readonly<Record<ToneFeatureName, { mean: number; spread: number }>> = {
  brightness: { mean: 0.45, spread: 0.15 },
  saturation: { mean: 0.22, spread: 0.12 },
  warmth: { mean: 0.06, spread: 0.12 },
  contrast: { mean: 0.2, spread: 0.07 },
  tint: { mean: -0.02, spread: 0.04 },
};

/** Standardised statistics (z-scores against {@link TONE_REFERENCE}). */
export type StandardTone = Record<ToneFeatureName, number>;

/** The long side of the downscale the statistics are read from. Colour statistics need few pixels. */
export const TONE_SAMPLE_SIZE = THUMBNAIL_SIZE;

/**
 * Reads the statistics of an encoded picture (JPEG, PNG, WebP…) from a small downscale. The
 * downscale is cached by content (`thumbnail-cache.ts`), so reading the same picture again is cheap.
 */
export async function measureTone(bytes: Buffer): Promise<ToneFeatures> {
  const thumbnail = await thumbnailOf(bytes);
  return toneOfPixels(thumbnail.pixels, 3);
}

/** The statistics of raw interleaved 8-bit pixels (RGB or RGBA; alpha ignored). */
export function toneOfPixels(pixels: Uint8Array, channels: number): ToneFeatures {
  if (channels < 3) throw new RangeError(`toneOfPixels needs RGB pixels, got ${channels} channel(s)`);
  let count = 0;
  let luma = 0;
  let lumaSquared = 0;
  let chroma = 0;
  let warmth = 0;
  let tint = 0;
  for (let i = 0; i + 2 < pixels.length; i += channels) {
    const r = pixels[i]! / 255;
    const g = pixels[i + 1]! / 255;
    const b = pixels[i + 2]! / 255;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    luma += y;
    lumaSquared += y * y;
    chroma += Math.max(r, g, b) - Math.min(r, g, b);
    warmth += r - b;
    tint += g - (r + b) / 2;
    count++;
  }
  if (count === 0) return { brightness: 0, saturation: 0, warmth: 0, contrast: 0, tint: 0 };
  const brightness = luma / count;
  return {
    brightness,
    saturation: chroma / count,
    warmth: warmth / count,
    contrast: Math.sqrt(Math.max(0, lumaSquared / count - brightness * brightness)),
    tint: tint / count,
  };
}

/** Standardises statistics against {@link TONE_REFERENCE}. */
export function standardiseTone(features: ToneFeatures): StandardTone {
  const z = {} as StandardTone;
  for (const name of TONE_FEATURE_NAMES) {
    z[name] = (features[name] - TONE_REFERENCE[name].mean) / TONE_REFERENCE[name].spread;
  }
  return z;
}
