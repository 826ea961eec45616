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
  /**
   * Largest pixel count decoded, read from the header before decoding; also the largest working
   * picture. A larger JPEG (up to `maxShrinkablePixels`) is decoded shrunk on load to fit it.
   * @defaultValue 40 megapixels
   */
  maxPixels: number;
  /** Longest side accepted, in pixels, whatever the area: refuses 40 000 000 × 1 strips. @defaultValue 16 384 */
  maxSide: number;
  /**
   * Largest JPEG accepted, in pixels. A JPEG over `maxPixels` is decoded with libjpeg's
   * shrink-on-load (by 2, 4 or 8) to within `maxPixels`, which costs little more than a
   * picture of that size, so a 48–108 MP phone photo is accepted. @defaultValue 120 megapixels
   */
  maxShrinkablePixels: number;
  /**
   * Time limit of one picture's check and decode, in seconds (fractions allowed): the picture is
   * refused with `ImageTooSlow` when it runs out, and libvips is stopped at the limit rounded up
   * to whole seconds (sharp's `timeout` counts whole seconds). @defaultValue 5
   */
  decodeTimeoutSeconds: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  maxBytes: 20 * 1024 * 1024,
  maxPixels: 40_000_000,
  maxSide: 16_384,
  maxShrinkablePixels: 120_000_000,
  decodeTimeoutSeconds: 5,
};
