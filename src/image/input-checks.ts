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
 * 3. for a JPEG, its scans are counted without decoding (at most {@link MAX_JPEG_SCANS}: a file of
 *    thousands of tiny valid scans takes tens of seconds to decode);
 * 4. the header, read by sharp without decoding pixels: its format must agree with the magic
 *    bytes, neither side may be over `maxSide` (a 40 000 000 × 1 strip costs far more to decode
 *    than its pixel count says), and its pixel count (one frame: only the first frame of an
 *    animation is used) must be within `maxPixels`, or for a JPEG within `maxShrinkablePixels`:
 *    such a JPEG is decoded with libjpeg's shrink-on-load (by 2, 4 or 8) to within `maxPixels`;
 * 5. a full decode, with one slot of a {@link DecodeGate} (one decode at a time per person, a few
 *    overall), a time limit (the whole check is answered `ImageTooSlow` after `decodeTimeoutSeconds`,
 *    and sharp's `timeout` stops libvips at that limit rounded up to whole seconds; the slot is
 *    kept until it has stopped), `failOn`
 *    (truncated or corrupt data is refused; for a JPEG also a header that claims more pixels
 *    than the data holds) and `limitInputPixels` as a second guard.
 *
 * What passes is normalised into a {@link CheckedImage}: EXIF orientation applied, first
 * frame only, CMYK and other colour spaces converted to 8-bit sRGB, greyscale widened to RGB,
 * alpha kept, metadata (EXIF, XMP, comments, text chunks, trailing bytes) dropped. JPEG stays
 * JPEG, PNG stays PNG, WebP stays WebP; GIF and TIFF become PNG. A JPEG or PNG that needs none of
 * this but the metadata (upright, 8-bit sRGB, no ICC profile, not shrunk) keeps its pixels' own
 * bytes with the metadata segments cut out, so checking it costs one decode and no re-encode.
 */
import sharp from 'sharp';
import type { Metadata, SharpOptions } from 'sharp';
import { ErrorCode, UserError } from '../errors.ts';
import { DecodeGate, sharedDecodeGate } from './decode-gate.ts';
import { DEFAULT_IMAGE_LIMITS, type CheckedImage, type ImageLimits, type OutputFormat } from './image.ts';

/** The formats accepted as input. */
export const ALLOWED_INPUT_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff'] as const;
export type InputFormat = (typeof ALLOWED_INPUT_FORMATS)[number];

/** Options of {@link checkImage}. */
export interface CheckImageOptions {
  /** Size and pixel limits; missing fields take {@link DEFAULT_IMAGE_LIMITS}. */
  limits?: Partial<ImageLimits>;
  /** The person who sent the picture (any stable string): one decode at a time each. */
  owner?: string;
  /** Bounds decodes running at once. @defaultValue the process-wide {@link sharedDecodeGate} */
  gate?: DecodeGate;
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
 * @throws UserError `ImageTooLarge`, `ImageFormatNotAllowed`, `ImageTooManyPixels`, `ImageCorrupt`, `ImageTooSlow` or `ImageBusy`
 */
export async function checkImage(bytes: Buffer, options: CheckImageOptions = {}): Promise<CheckedImage> {
  const limits = resolveLimits(options.limits);
  // The person's slot is taken before anything is read, so a second picture of theirs is refused at once.
  const release = await (options.gate ?? sharedDecodeGate).acquire(options.owner);
  const check = checkWithin(bytes, limits);
  // The slot is given back only when libvips has really stopped, even after a "too slow" answer.
  check.then(release, release);
  return withinTimeLimit(check, limits.decodeTimeoutSeconds);
}

/**
 * `check`'s outcome, or `ImageTooSlow` once `seconds` have passed. sharp's own `timeout` (whole
 * seconds, the limit rounded up) stops libvips soon after; the answer does not wait for that.
 */
function withinTimeLimit<T>(check: Promise<T>, seconds: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new UserError(ErrorCode.ImageTooSlow, { seconds })), seconds * 1000);
    check.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function checkWithin(bytes: Buffer, limits: ImageLimits): Promise<CheckedImage> {
  if (bytes.length > limits.maxBytes) {
    throw new UserError(ErrorCode.ImageTooLarge, {
      actual: formatBytes(bytes.length),
      limit: formatBytes(limits.maxBytes),
    });
  }
  if (bytes.length === 0) throw new UserError(ErrorCode.ImageCorrupt, { reason: 'empty file' });

  const sniffed = sniffFormat(bytes);
  if (!isAllowedFormat(sniffed)) {
    throw new UserError(ErrorCode.ImageFormatNotAllowed, sniffed === 'unknown' ? {} : { format: sniffed });
  }
  if (sniffed === 'jpeg') {
    const scans = countJpegScans(bytes);
    if (scans > MAX_JPEG_SCANS) throw new UserError(ErrorCode.ImageTooSlow, { scans, limit: MAX_JPEG_SCANS });
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
  if (Math.max(width, frameHeight) > limits.maxSide) {
    throw new UserError(ErrorCode.ImageTooManyPixels, {
      actual: `${width} × ${frameHeight}`,
      limit: `${limits.maxSide} pixels a side`,
    });
  }
  const pixels = width * frameHeight;
  const areaLimit = sniffed === 'jpeg' ? Math.max(limits.maxPixels, limits.maxShrinkablePixels) : limits.maxPixels;
  if (pixels > areaLimit) {
    throw new UserError(ErrorCode.ImageTooManyPixels, {
      actual: `${width} × ${frameHeight}, ${formatMegapixels(pixels)}`,
      limit: formatMegapixels(areaLimit),
    });
  }
  const shrink = pixels > limits.maxPixels ? jpegShrinkFactor(width, frameHeight, limits.maxPixels) : 1;
  if (shrink === undefined) {
    throw new UserError(ErrorCode.ImageTooManyPixels, {
      actual: `${width} × ${frameHeight}, ${formatMegapixels(pixels)}`,
      limit: formatMegapixels(limits.maxPixels),
    });
  }
  return decodeChecked(bytes, sniffed, header, shrink, limits);
}

/**
 * The full decode, under the time limit. A JPEG is decoded with `failOn: 'warning'` first,
 * because libjpeg reports a header that claims more pixels than the data holds ("premature end
 * of data segment") only as a warning; a JPEG refused for a known harmless warning (stray bytes
 * between segments, see {@link HARMLESS_JPEG_WARNING}) is decoded again with `failOn: 'error'`.
 */
async function decodeChecked(
  bytes: Buffer,
  sniffed: InputFormat,
  header: Metadata,
  shrink: number,
  limits: ImageLimits,
): Promise<CheckedImage> {
  const width = header.width ?? 0;
  const frameHeight = header.pageHeight ?? header.height ?? 0;
  const format = outputFormatFor(sniffed);
  const attempt = async (failOn: 'warning' | 'error'): Promise<CheckedImage> => {
    const decodeOptions: SharpOptions = {
      failOn,
      limitInputPixels: width * frameHeight,
      sequentialRead: true,
      pages: 1,
      page: 0,
    };
    const keepable = shrink === 1 && canKeepOriginalBytes(header, sniffed);
    if (keepable && (sniffed === 'jpeg' || sniffed === 'png')) {
      // Decode every pixel once, only to find truncated or corrupt data (into a small picture,
      // so the check holds a few rows at a time), then keep the pixels' own bytes without the
      // metadata around them.
      await sharp(bytes, decodeOptions)
        .timeout({ seconds: Math.ceil(limits.decodeTimeoutSeconds) })
        .resize({ width: VALIDATION_SIZE, height: VALIDATION_SIZE, fit: 'inside' })
        .raw()
        .toBuffer();
      const stripped = sniffed === 'jpeg' ? stripJpegMetadata(bytes) : stripPngMetadata(bytes);
      return { bytes: stripped, format, width, height: frameHeight };
    }
    let pipeline = sharp(bytes, decodeOptions)
      .timeout({ seconds: Math.ceil(limits.decodeTimeoutSeconds) })
      .autoOrient();
    if (shrink > 1) {
      // libjpeg's shrink-on-load: the DCT is decoded at 1/2, 1/4 or 1/8 scale, so the full
      // size is never held. A square box keeps the aspect ratio whatever the orientation.
      const side = Math.ceil(Math.max(width, frameHeight) / shrink);
      pipeline = pipeline.resize({ width: side, height: side, fit: 'inside' });
    }
    pipeline = pipeline.toColourspace('srgb');
    const encoded =
      format === 'jpeg'
        ? pipeline.jpeg({ quality: REENCODE_JPEG_QUALITY })
        : format === 'webp'
          ? pipeline.webp({ quality: REENCODE_WEBP_QUALITY })
          : pipeline.png({ compressionLevel: REENCODE_PNG_COMPRESSION, adaptiveFiltering: false });
    // sharp writes no metadata (EXIF, XMP, IPTC, comments) unless asked: none is kept.
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    return { bytes: data, format, width: info.width, height: info.height };
  };
  try {
    if (sniffed !== 'jpeg') return await attempt('error');
    try {
      return await attempt('warning');
    } catch (cause) {
      if (cause instanceof Error && HARMLESS_JPEG_WARNING.test(cause.message) && !TRUNCATED_JPEG.test(cause.message))
        return await attempt('error');
      throw cause;
    }
  } catch (cause) {
    if (cause instanceof Error && TIMED_OUT.test(cause.message)) {
      throw new UserError(ErrorCode.ImageTooSlow, { seconds: limits.decodeTimeoutSeconds }, { cause });
    }
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

/** libjpeg's words for entropy data that ends before the header's pixels do. */
const TRUNCATED_JPEG = /premature end/i;
/**
 * libjpeg warnings that common cameras and editors cause and that leave the pixels whole: only
 * a JPEG refused for one of these is decoded again with `failOn: 'error'`. (Any other message,
 * including one garbled by libvips' shared error buffer when several decodes fail at once, is
 * a refusal.)
 */
const HARMLESS_JPEG_WARNING =
  /extraneous bytes before marker|unknown (?:APP|marker)|invalid (?:JFIF|EXIF|ICC)|Inconsistent progression/i;
/** sharp's error when `timeout` stopped libvips. */
const TIMED_OUT = /timeout/i;
/** Long side of the throw-away picture a keep-the-bytes check decodes into. */
const VALIDATION_SIZE = 256;
/**
 * Most scans a JPEG may have. An ordinary progressive JPEG has about ten; libjpeg-turbo's own
 * tools stop at 500. Each scan makes libjpeg walk the whole coefficient buffer again, so a file
 * of thousands of tiny scans takes tens of seconds to decode.
 */
export const MAX_JPEG_SCANS = 100;

/** The smallest JPEG shrink-on-load factor (2, 4 or 8) that brings a picture within `maxPixels`. */
function jpegShrinkFactor(width: number, height: number, maxPixels: number): number | undefined {
  return [2, 4, 8].find((s) => Math.ceil(width / s) * Math.ceil(height / s) <= maxPixels);
}

/**
 * The JPEG's marker segments up to its end (EOI), calling `segment` for each, with the scans'
 * entropy-coded data skipped. Returns the offset just past EOI (or the file's length).
 */
function walkJpeg(bytes: Buffer, segment: (marker: number, start: number, end: number) => void): number {
  let i = 2;
  while (i + 1 < bytes.length) {
    if (bytes[i] !== 0xff) {
      // Entropy-coded data of a scan: find the next marker.
      const next = bytes.indexOf(0xff, i);
      if (next < 0) return bytes.length;
      i = next;
      continue;
    }
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    // Stuffed zero and restart markers belong to the entropy data; TEM has no length.
    if (marker === 0x00 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    if (marker === 0xd9) return i + 2;
    if (i + 3 >= bytes.length) return bytes.length;
    const end = Math.min(bytes.length, i + 2 + bytes.readUInt16BE(i + 2));
    segment(marker, i, end);
    i = end;
  }
  return bytes.length;
}

/** How many scans (SOS segments) a JPEG has, counted without decoding. */
export function countJpegScans(bytes: Buffer): number {
  let scans = 0;
  walkJpeg(bytes, (marker) => {
    if (marker === 0xda) scans++;
  });
  return scans;
}

/**
 * A JPEG without its metadata: APP1–APP13 and APP15 (EXIF, XMP, IPTC, …), comments, and
 * anything after the end marker are dropped; APP0 (JFIF) and APP14 (Adobe, which says how the
 * colours are coded) are kept, and the pixels' own bytes are untouched.
 */
function stripJpegMetadata(bytes: Buffer): Buffer {
  const drop: [number, number][] = [];
  const end = walkJpeg(bytes, (marker, start, segmentEnd) => {
    if ((marker >= 0xe1 && marker <= 0xef && marker !== 0xee) || marker === 0xfe) drop.push([start, segmentEnd]);
  });
  const parts: Buffer[] = [];
  let at = 0;
  for (const [start, segmentEnd] of drop) {
    parts.push(bytes.subarray(at, start));
    at = segmentEnd;
  }
  parts.push(bytes.subarray(at, end));
  return Buffer.concat(parts);
}

/** PNG chunks kept in a stored original: the pixels and what says how to show them. */
const PNG_KEPT_CHUNKS = new Set(['IHDR', 'PLTE', 'tRNS', 'IDAT', 'IEND', 'sRGB', 'gAMA', 'cHRM', 'sBIT']);

/** A PNG without its metadata (text, EXIF, times, …) and without anything after IEND. */
function stripPngMetadata(bytes: Buffer): Buffer {
  const parts: Buffer[] = [bytes.subarray(0, 8)];
  for (let i = 8; i + 12 <= bytes.length;) {
    const length = bytes.readUInt32BE(i);
    const type = bytes.subarray(i + 4, i + 8).toString('latin1');
    const end = i + 12 + length;
    if (end > bytes.length) break;
    if (PNG_KEPT_CHUNKS.has(type)) parts.push(bytes.subarray(i, end));
    if (type === 'IEND') break;
    i = end;
  }
  return Buffer.concat(parts);
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
  const text = bytes
    .subarray(0, 1024)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
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
      throw new RangeError(
        `Image limit ${name} must be a positive number, got ${value}; fix the limits passed to checkImage.`,
      );
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
