/**
 * @module Small RGB thumbnails of pictures, decoded once and kept by content hash.
 *
 * The tone estimator, the knowledge planner and the tone renderer all read a picture's colour
 * statistics from a small downscale. In one edit the planner reads it first and the renderer
 * again; `more`, `less`, `retry` and other emotions read the same original again. Decoding a
 * thumbnail is cheap next to a full edit but not free (a PNG must be decoded in full), so it is
 * decoded once per picture and kept in a small least-recently-used cache keyed by the SHA-1 of
 * the bytes (hashing is about a hundred times faster than decoding).
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';

/** Long side of the cached thumbnails, in pixels. */
export const THUMBNAIL_SIZE = 64;

/** Raw interleaved 8-bit RGB pixels of a small downscale (alpha dropped). */
export interface Thumbnail {
  pixels: Uint8Array;
  width: number;
  height: number;
  /** How many channels the full picture has (the thumbnail always has 3). */
  channels?: number;
}

/** How many thumbnails are kept (each at most 64 × 64 × 3 = 12 KB). */
const CACHE_ENTRIES = 256;
const cache = new Map<string, Thumbnail>();

/** The cache key of a picture's bytes (SHA-1, base64). */
export function thumbnailKey(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('base64');
}

/** The cached thumbnail for a key, if there is one. */
export function cachedThumbnail(key: string): Thumbnail | undefined {
  const cached = cache.get(key);
  if (cached) {
    // Refresh its place in the least-recently-used order.
    cache.delete(key);
    cache.set(key, cached);
  }
  return cached;
}

function remember(key: string, thumbnail: Thumbnail): Thumbnail {
  cache.set(key, thumbnail);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return thumbnail;
}

/** The picture's thumbnail, at most {@link THUMBNAIL_SIZE} pixels on its long side. */
export async function thumbnailOf(bytes: Buffer, key: string = thumbnailKey(bytes)): Promise<Thumbnail> {
  const cached = cachedThumbnail(key);
  if (cached) return cached;
  const [{ data, info }, header] = await Promise.all([
    sharp(bytes)
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true }),
    sharp(bytes).metadata(),
  ]);
  return remember(key, { pixels: data, width: info.width, height: info.height, channels: header.channels });
}

/** Raw 8-bit pixels of a whole decoded picture. */
export interface DecodedPicture {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/**
 * Whether shrinking a picture's fully decoded 8-bit pixels gives exactly the thumbnail that
 * {@link thumbnailOf} reads from its bytes: true for PNGs of 8 bits or fewer per channel. A JPEG
 * or WebP is shrunk while it is decoded (shrink-on-load: other pixels, sometimes another height),
 * and a 16-bit PNG is shrunk before its cast to 8 bits, so theirs differ by a few levels.
 */
export function decodedThumbnailMatches(bytes: Buffer): boolean {
  const png = bytes.length > 25 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a;
  // IHDR is the first chunk: its bit depth is byte 24.
  return png && bytes.toString('latin1', 12, 16) === 'IHDR' && bytes[24]! <= 8;
}

/**
 * The thumbnail of a picture someone has already decoded in full (`decoded`: `bytes` decoded to
 * 8 bits a channel), remembered under `key`. It is always the thumbnail {@link thumbnailOf} gives,
 * whoever reads the picture first (the estimator, or the renderer on a cold cache), so that an
 * edit is the same for a seed in every process: from the decoded pixels where that is the same
 * (saves decoding a PNG a second time), else from the bytes (a JPEG's shrink-on-load is cheap).
 */
export async function thumbnailOfDecoded(key: string, decoded: DecodedPicture, bytes: Buffer): Promise<Thumbnail> {
  if (!decodedThumbnailMatches(bytes)) return thumbnailOf(bytes, key);
  const { data, info } = await sharp(decoded.data, {
    raw: { width: decoded.width, height: decoded.height, channels: decoded.channels },
  })
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return remember(key, { pixels: data, width: info.width, height: info.height, channels: decoded.channels });
}

/** Forgets every cached thumbnail (for benchmarks that measure a cold edit). */
export function clearThumbnailCache(): void {
  cache.clear();
}

/**
 * A smaller copy of a thumbnail, averaging square blocks of pixels, so that its long side is
 * at most `longSide` (or the nearest whole-block size above it).
 */
export function shrinkThumbnail(thumbnail: Thumbnail, longSide: number): Thumbnail {
  const factor = Math.max(1, Math.floor(Math.max(thumbnail.width, thumbnail.height) / longSide));
  if (factor === 1) return thumbnail;
  const width = Math.max(1, Math.floor(thumbnail.width / factor));
  const height = Math.max(1, Math.floor(thumbnail.height / factor));
  const pixels = new Uint8Array(width * height * 3);
  const area = factor * factor;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < factor; dy++) {
          const row = (y * factor + dy) * thumbnail.width;
          for (let dx = 0; dx < factor; dx++) sum += thumbnail.pixels[(row + x * factor + dx) * 3 + c]!;
        }
        pixels[(y * width + x) * 3 + c] = Math.round(sum / area);
      }
    }
  }
  return { pixels, width, height, ...(thumbnail.channels === undefined ? {} : { channels: thumbnail.channels }) };
}
