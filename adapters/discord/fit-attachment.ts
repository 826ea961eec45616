/**
 * @module Makes an edited picture fit Discord's upload limit (`attachment_size_limit` of
 * the interaction, 10 MiB for bots otherwise): first as JPEG at falling quality, then
 * smaller, always keeping the aspect ratio. When even a small thumbnail does not fit, it
 * says so instead of uploading.
 */
import sharp from 'sharp';
import type { ReplyImage } from '../../src/index.ts';

/** Room left for the multipart envelope and the JSON payload beside the file. */
const ENVELOPE_BYTES = 4 * 1024;
const QUALITIES = [85, 70, 55];
/** Never shrink below this many pixels on the longer side; under it a picture is useless. */
const SMALLEST_SIDE = 160;

export type FittedImage = { ok: true; image: ReplyImage; reencoded: boolean } | { ok: false; reason: string };

/** The picture as it is when it fits, else re-encoded smaller; or why it cannot fit. */
export async function fitAttachment(image: ReplyImage, limitBytes: number): Promise<FittedImage> {
  const budget = limitBytes - ENVELOPE_BYTES;
  if (image.bytes.length <= budget) return { ok: true, image, reencoded: false };
  if (budget <= 0) return { ok: false, reason: tooSmallLimit(limitBytes) };
  const baseName = image.name.replace(/\.[^.]+$/, '');
  let width = image.width;
  let height = image.height;
  for (let attempt = 0; attempt < 8; attempt += 1) {
    for (const quality of QUALITIES) {
      const bytes = await sharp(image.bytes)
        .resize({ width, height, fit: 'fill' })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality, mozjpeg: true })
        .toBuffer();
      if (bytes.length <= budget) {
        return {
          ok: true,
          reencoded: true,
          image: { bytes, type: 'image/jpeg', width, height, name: `${baseName}.jpg` },
        };
      }
      if (quality === QUALITIES.at(-1)) {
        // Shrink by the square root of the overshoot (file size grows with area), a little more for safety.
        const scale = Math.min(0.85, Math.sqrt(budget / bytes.length) * 0.95);
        width = Math.round(width * scale);
        height = Math.round(height * scale);
      }
    }
    if (Math.max(width, height) < SMALLEST_SIDE) break;
  }
  return { ok: false, reason: tooSmallLimit(limitBytes) };
}

function tooSmallLimit(limitBytes: number): string {
  return `The picture could not be made small enough for this channel's upload limit (${Math.round(limitBytes / 1024)} KB).`;
}
