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
 * The thumbnail of a picture someone has already decoded in full (the same pixels as decoding
 * `key`'s bytes), remembered under `key`. Saves decoding the picture a second time.
 */
export async function thumbnailOfDecoded(key: string, decoded: DecodedPicture): Promise<Thumbnail> {
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
