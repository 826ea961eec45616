/**
 * @module Input checks: every picture a person sends passes here before the engine touches it.
 *
 * The checks run cheapest first, so that a hostile file costs almost nothing to refuse:
 *
 * 1. the declared size (before downloading, {@link checkDeclaredSize}) and the real byte size;
 * 2. the format, sniffed from the magic bytes. Only JPEG, PNG, WebP, GIF and TIFF pass. SVG is
 *    refused here, before sharp ever sees it, because an SVG can name files and URLs that its
 *    renderer would fetch. PDF, HEIF/AVIF, BMP and anything unrecognised are refused too;
 *    HEIF/AVIF are refused because the allowed list of DESIGN.md does not name them and the
 *    HEIF decoder is a large attack surface for a format phones convert to JPEG when sharing;
 * 3. the header, read by sharp without decoding pixels: its format must agree with the magic
 *    bytes, and its pixel count (one frame: only the first frame of an animation is used) must
 *    be within `maxPixels`, so a 1 KB file that unpacks to ten billion pixels is refused in
 *    microseconds;
 * 4. a full decode with `failOn: 'error'` (truncated or corrupt data is refused) and sharp's
 *    `limitInputPixels` as a second guard.
 *
 * What passes is normalised into a {@link CheckedImage}: EXIF orientation applied, first
 * frame only, CMYK and other colour spaces converted to 8-bit sRGB, greyscale widened to RGB,
 * alpha kept. JPEG stays JPEG, PNG stays PNG, WebP stays WebP; GIF and TIFF become PNG. A file
 * that needs none of this (an upright 8-bit sRGB JPEG, PNG or WebP without an ICC profile) keeps
 * its original bytes, so checking it costs one decode and no re-encode.
 */
import sharp from 'sharp';
import type { Metadata, SharpOptions } from 'sharp';
import { ErrorCode, UserError } from '../errors.ts';
import { DEFAULT_IMAGE_LIMITS, type CheckedImage, type ImageLimits, type OutputFormat } from './image.ts';

/** The formats accepted as input. */
export const ALLOWED_INPUT_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff'] as const;
export type InputFormat = (typeof ALLOWED_INPUT_FORMATS)[number];

/** Options of {@link checkImage}. */
export interface CheckImageOptions {
  /** Size and pixel limits; missing fields take {@link DEFAULT_IMAGE_LIMITS}. */
  limits?: Partial<ImageLimits>;
}

/** JPEG quality when orientation or colour space forced a re-encode. High, since the renderer encodes again. */
const REENCODE_JPEG_QUALITY = 95;
/** WebP quality when orientation or colour space forced a re-encode. */
const REENCODE_WEBP_QUALITY = 95;
/** PNG zlib level for re-encoded pictures: a middle ground between size and speed. */
const REENCODE_PNG_COMPRESSION = 6;

/**
 * Refuses a picture whose declared size (as the platform reports it, before downloading) is
 * over the limit. An unknown or nonsensical declared size passes: the real size is checked
 * again once the bytes are here.
 *
 * @throws UserError `ImageTooLarge`
 */
export function checkDeclaredSize(declaredBytes: number | undefined, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): void {
  if (declaredBytes === undefined || !Number.isFinite(declaredBytes) || declaredBytes < 0) return;
  if (declaredBytes > limits.maxBytes) {
    throw new UserError(ErrorCode.ImageTooLarge, {
      actual: formatBytes(declaredBytes),
      limit: formatBytes(limits.maxBytes),
    });
  }
}

/**
 * Checks a picture and returns it oriented, first frame only, 8-bit sRGB, in the format its edits
 * will be written in. See the module note for the order of the checks.
 *
 * @throws UserError `ImageTooLarge`, `ImageFormatNotAllowed`, `ImageTooManyPixels` or `ImageCorrupt`
 */
export async function checkImage(bytes: Buffer, options: CheckImageOptions = {}): Promise<CheckedImage> {
  const limits = resolveLimits(options.limits);
  if (bytes.length > limits.maxBytes) {
    throw new UserError(ErrorCode.ImageTooLarge, { actual: formatBytes(bytes.length), limit: formatBytes(limits.maxBytes) });
  }
  if (bytes.length === 0) throw new UserError(ErrorCode.ImageCorrupt, { reason: 'empty file' });

  const sniffed = sniffFormat(bytes);
  if (!isAllowedFormat(sniffed)) {
    throw new UserError(ErrorCode.ImageFormatNotAllowed, sniffed === 'unknown' ? {} : { format: sniffed });
  }

  let header: Metadata;
  try {
    // Header only: no pixels are decoded. The pixel limit is ours to apply, with our own message.
    header = await sharp(bytes, { limitInputPixels: false, failOn: 'none' }).metadata();
  } catch (cause) {
    throw new UserError(ErrorCode.ImageCorrupt, { format: sniffed }, { cause });
  }
  if (header.format !== sniffed) {
    // The magic bytes say one thing and the decoder another: refuse rather than guess.
    throw new UserError(ErrorCode.ImageCorrupt, { format: sniffed, decoder: String(header.format) });
  }
  const width = header.width ?? 0;
  const frameHeight = header.pageHeight ?? header.height ?? 0;
  if (width <= 0 || frameHeight <= 0) throw new UserError(ErrorCode.ImageCorrupt, { format: sniffed });
  const pixels = width * frameHeight;
  if (pixels > limits.maxPixels) {
    throw new UserError(ErrorCode.ImageTooManyPixels, {
      actual: `${width} × ${frameHeight}, ${formatMegapixels(pixels)}`,
      limit: formatMegapixels(limits.maxPixels),
    });
  }

  const format = outputFormatFor(sniffed);
  const decodeOptions: SharpOptions = {
    failOn: 'error',
    limitInputPixels: limits.maxPixels,
    pages: 1,
    page: 0,
  };
  try {
    if (canKeepOriginalBytes(header, sniffed)) {
      // Decode every pixel once, only to find truncated or corrupt data.
      await sharp(bytes, decodeOptions).raw().toBuffer();
      return { bytes, format, width, height: frameHeight };
    }
    const pipeline = sharp(bytes, decodeOptions).autoOrient().toColourspace('srgb');
    const encoded =
      format === 'jpeg'
        ? pipeline.jpeg({ quality: REENCODE_JPEG_QUALITY })
        : format === 'webp'
          ? pipeline.webp({ quality: REENCODE_WEBP_QUALITY })
          : pipeline.png({ compressionLevel: REENCODE_PNG_COMPRESSION, adaptiveFiltering: false });
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    return { bytes: data, format, width: info.width, height: info.height };
  } catch (cause) {
    if (cause instanceof Error && /pixel limit/i.test(cause.message)) {
      throw new UserError(
        ErrorCode.ImageTooManyPixels,
        { actual: `${width} × ${frameHeight}`, limit: formatMegapixels(limits.maxPixels) },
        { cause },
      );
    }
    throw new UserError(ErrorCode.ImageCorrupt, { format: sniffed }, { cause });
  }
}

/**
 * The format named by a file's first bytes: one of the allowed formats, a name for a known
 * refused one (`SVG`, `PDF`, `HEIF/AVIF`, …) to tell the person, or `unknown`.
 */
export function sniffFormat(bytes: Buffer): InputFormat | string {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  const ascii = (start: number, end: number) => bytes.subarray(start, end).toString('latin1');
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'gif';
  // Classic TIFF (42) and BigTIFF (43), little and big endian.
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  if (starts(0x49, 0x49, 0x2b, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2b)) return 'tiff';
  if (ascii(4, 8) === 'ftyp') return 'HEIF/AVIF';
  if (ascii(0, 5) === '%PDF-') return 'PDF';
  if (ascii(0, 2) === 'BM') return 'BMP';
  if (starts(0x1f, 0x8b)) return 'compressed';
  const text = bytes.subarray(0, 1024).toString('utf8').replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (text.includes('<svg') || (text.startsWith('<?xml') && text.includes('svg'))) return 'SVG';
  if (text.startsWith('<')) return 'XML or HTML';
  return 'unknown';
}

function isAllowedFormat(format: string): format is InputFormat {
  return (ALLOWED_INPUT_FORMATS as readonly string[]).includes(format);
}

function outputFormatFor(format: InputFormat): OutputFormat {
  return format === 'jpeg' || format === 'webp' ? format : 'png';
}

/** An upright, single-frame, 8-bit sRGB JPEG/PNG/WebP without a colour profile needs no re-encode. */
function canKeepOriginalBytes(header: Metadata, format: InputFormat): boolean {
  return (
    (format === 'jpeg' || format === 'png' || format === 'webp') &&
    (header.pages === undefined || header.pages <= 1) &&
    (header.orientation === undefined || header.orientation === 1) &&
    header.depth === 'uchar' &&
    header.space === 'srgb' &&
    (header.channels === 3 || header.channels === 4) &&
    !header.hasProfile
  );
}

function resolveLimits(partial: Partial<ImageLimits> | undefined): ImageLimits {
  const limits = { ...DEFAULT_IMAGE_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`Image limit ${name} must be a positive number, got ${value}; fix the limits passed to checkImage.`);
    }
  }
  return limits;
}

/** `20 MB`, `512 KB`, `12 bytes`: for messages people read. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${roundForHumans(bytes / (1024 * 1024))} MB`;
  if (bytes >= 1024) return `${roundForHumans(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function formatMegapixels(pixels: number): string {
  return `${roundForHumans(pixels / 1_000_000)} megapixels`;
}

function roundForHumans(value: number): string {
  return value >= 10 ? String(Math.round(value)) : String(Math.round(value * 10) / 10);
}
