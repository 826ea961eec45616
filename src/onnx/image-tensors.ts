/**
 * @module Pictures to model inputs and back: NCHW float tensors for the VAE and the BLIP-2
 * vision encoder, and decoded VAE output to an encoded picture at the input's size and format.
 */
import sharp from 'sharp';
import type { CheckedImage, OutputFormat } from '../image/image.ts';

/** OpenAI CLIP's normalisation, which BLIP-2's image processor uses. */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/** The side lengths a picture is rendered at: scaled to fit `maxSide`, each rounded to a multiple of 64 (at least 64). */
export function renderSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const round = (side: number): number => Math.max(64, Math.round((side * scale) / 64) * 64);
  return { width: round(width), height: round(height) };
}

async function rgbPixels(image: CheckedImage, width: number, height: number, kernel: 'lanczos3' | 'cubic'): Promise<Buffer> {
  return sharp(image.bytes)
    .removeAlpha()
    .toColourspace('srgb')
    .resize(width, height, { fit: 'fill', kernel })
    .raw()
    .toBuffer();
}

/** The picture at `width`×`height` as a [1, 3, H, W] tensor with values in [-1, 1] (what the VAE encoder takes). */
export async function vaeInput(image: CheckedImage, width: number, height: number): Promise<Float32Array> {
  const rgb = await rgbPixels(image, width, height, 'lanczos3');
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++)
    for (let c = 0; c < 3; c++) out[c * plane + i] = rgb[i * 3 + c]! / 127.5 - 1;
  return out;
}

/** The picture as BLIP-2's vision encoder takes it: `size`×`size` (bicubic), CLIP mean/std, [1, 3, size, size]. */
export async function visionInput(image: CheckedImage, size = 224): Promise<Float32Array> {
  const rgb = await rgbPixels(image, size, size, 'cubic');
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++)
    for (let c = 0; c < 3; c++) out[c * plane + i] = (rgb[i * 3 + c]! / 255 - CLIP_MEAN[c]!) / CLIP_STD[c]!;
  return out;
}

export interface EncodeOptions {
  /** @defaultValue 90 */
  jpegQuality?: number;
  /** @defaultValue 90 */
  webpQuality?: number;
}

/**
 * The VAE decoder's output ([1, 3, H, W] in [-1, 1]) as a picture of `target`'s size in its
 * format: what a renderer returns. The VAE sees colour only, so when `target` is the original
 * picture and it has transparency (PNG or WebP), its alpha channel is put back unchanged.
 */
export async function vaeOutputToImage(
  sample: Float32Array,
  width: number,
  height: number,
  target: { width: number; height: number; format: OutputFormat; bytes?: Buffer },
  options: EncodeOptions = {},
): Promise<CheckedImage> {
  const plane = width * height;
  let rgb = Buffer.alloc(3 * plane);
  for (let i = 0; i < plane; i++)
    for (let c = 0; c < 3; c++) {
      const value = Math.round((sample[c * plane + i]! + 1) * 127.5);
      rgb[i * 3 + c] = value < 0 ? 0 : value > 255 ? 255 : value;
    }
  if (width !== target.width || height !== target.height)
    rgb = await sharp(rgb, { raw: { width, height, channels: 3 } })
      .resize(target.width, target.height, { fit: 'fill', kernel: 'lanczos3' })
      .raw()
      .toBuffer();
  let pipeline = sharp(rgb, { raw: { width: target.width, height: target.height, channels: 3 } });
  const alpha = target.format !== 'jpeg' && target.bytes ? await alphaChannel(target.bytes, target.width, target.height) : undefined;
  if (alpha) pipeline = pipeline.joinChannel(alpha, { raw: { width: target.width, height: target.height, channels: 1 } });
  const encoded =
    target.format === 'jpeg'
      ? pipeline.jpeg({ quality: options.jpegQuality ?? 90 })
      : target.format === 'webp'
        ? pipeline.webp({ quality: options.webpQuality ?? 90 })
        : pipeline.png();
  return { bytes: await encoded.toBuffer(), format: target.format, width: target.width, height: target.height };
}

/** The picture's alpha channel as raw bytes, or undefined when it has none (or its size differs). */
async function alphaChannel(bytes: Buffer, width: number, height: number): Promise<Buffer | undefined> {
  const picture = sharp(bytes);
  const metadata = await picture.metadata();
  if (!metadata.hasAlpha || metadata.width !== width || metadata.height !== height) return undefined;
  return picture.extractChannel('alpha').raw().toBuffer();
}
