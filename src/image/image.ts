/**
 * @module Pictures as the engine passes them around: checked, oriented, in an allowed format.
 */

/** The formats an edited picture is written in; other inputs are written as PNG. */
export type OutputFormat = 'jpeg' | 'png' | 'webp';

/** A picture that passed the input checks (see `input-checks.ts`). */
export interface CheckedImage {
  /** Encoded bytes with EXIF orientation applied, first frame only, 8-bit sRGB. */
  bytes: Buffer;
  /** The format the bytes are in, and the format an edit of it is written in. */
  format: OutputFormat;
  width: number;
  height: number;
}

export const MIME_TYPES: Record<OutputFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

export const FILE_EXTENSIONS: Record<OutputFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp' };

export interface ImageLimits {
  /** Largest file accepted, declared or real. @defaultValue 20 MB */
  maxBytes: number;
  /** Largest pixel count accepted, read from the header before decoding. @defaultValue 40 megapixels */
  maxPixels: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxBytes: 20 * 1024 * 1024, maxPixels: 40_000_000 };
