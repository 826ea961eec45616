/**
 * @module Pictures to model inputs and back: NCHW float tensors for the VAE and the BLIP-2
 * vision encoder, and decoded VAE output to an encoded picture at the input's size and format.
 */
import sharp from 'sharp';
import type { CheckedImage, OutputFormat } from '../image/image.ts';

/** OpenAI CLIP's normalisation, which BLIP-2's image processor uses. */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/** Where the picture lies in the tensor the VAE sees. */
export interface RenderLayout {
  /** The tensor's sides: multiples of 64. */
  width: number;
  height: number;
  /** The picture, scaled with its aspect kept, inside the tensor; the rest is padding. */
  content: { left: number; top: number; width: number; height: number };
}

/**
 * How a picture is rendered: scaled (never up) to fit `maxSide` with its aspect kept, then
 * padded (centred, edge pixels repeated) to sides that are multiples of `multiple` (64: the
 * latent must halve three times in SD's UNet, and an ONNX export cannot take diffusers'
 * odd-size upsampling path). The padding is cut off the decoded result, which is then scaled
 * back to the original size by the same factor on both axes: nothing is stretched.
 *
 * diffusers' `VaeImageProcessor.preprocess` (InstructPix2Pix, no size given) instead rounds
 * each side *down* to a multiple of the VAE's scale factor 8 and resizes to it, a stretch of
 * up to 7 pixels; for pictures whose sides are multiples of 64 and at most `maxSide` both give
 * the picture unchanged, which is what the reference tests compare.
 */
export function renderLayout(width: number, height: number, maxSide: number, multiple = 64): RenderLayout {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const contentWidth = Math.max(1, Math.round(width * scale));
  const contentHeight = Math.max(1, Math.round(height * scale));
  const padded = (side: number): number => Math.max(multiple, Math.ceil(side / multiple) * multiple);
  const outWidth = padded(contentWidth);
  const outHeight = padded(contentHeight);
  return {
    width: outWidth,
    height: outHeight,
    content: {
      left: Math.floor((outWidth - contentWidth) / 2),
      top: Math.floor((outHeight - contentHeight) / 2),
      width: contentWidth,
      height: contentHeight,
    },
  };
}

/** A layout that is the whole tensor (no scaling, no padding). */
export function fullLayout(width: number, height: number): RenderLayout {
  return { width, height, content: { left: 0, top: 0, width, height } };
}

/** The picture stretched to `width`×`height` (BLIP-2's processor resizes to a square, as here). */
async function rgbPixels(
  image: CheckedImage,
  width: number,
  height: number,
  kernel: 'lanczos3' | 'cubic',
): Promise<Buffer> {
  return sharp(image.bytes)
    .removeAlpha()
    .toColourspace('srgb')
    .resize(width, height, { fit: 'fill', kernel })
    .raw()
    .toBuffer();
}

async function paddedPixels(image: CheckedImage, layout: RenderLayout): Promise<Buffer> {
  const { content } = layout;
  let pipeline = sharp(image.bytes).removeAlpha().toColourspace('srgb');
  if (content.width !== image.width || content.height !== image.height)
    pipeline = pipeline.resize(content.width, content.height, { fit: 'fill', kernel: 'lanczos3' });
  const right = layout.width - content.width - content.left;
  const bottom = layout.height - content.height - content.top;
  if (content.left || content.top || right || bottom)
    pipeline = sharp(await pipeline.raw().toBuffer(), {
      raw: { width: content.width, height: content.height, channels: 3 },
    }).extend({
      left: content.left,
      top: content.top,
      right,
      bottom,
      extendWith: 'copy',
    });
  return pipeline.raw().toBuffer();
}

/** The picture laid out as `layout` says, as a [1, 3, H, W] tensor with values in [-1, 1] (what the VAE encoder takes). */
export async function vaeInput(image: CheckedImage, layout: RenderLayout): Promise<Float32Array> {
  const rgb = await paddedPixels(image, layout);
  const plane = layout.width * layout.height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[c * plane + i] = rgb[i * 3 + c]! / 127.5 - 1;
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
 * format: what a renderer returns. With `content`, only that part of the output (the picture
 * without its padding, see `renderLayout`) is kept and scaled to `target`'s size. The VAE sees colour only, so when `target` is the original
 * picture and it has transparency (PNG or WebP), its alpha channel is put back unchanged.
 */
export async function vaeOutputToImage(
  sample: Float32Array,
  width: number,
  height: number,
  target: { width: number; height: number; format: OutputFormat; bytes?: Buffer },
  options: EncodeOptions = {},
  content: RenderLayout['content'] = { left: 0, top: 0, width, height },
): Promise<CheckedImage> {
  const plane = width * height;
  let rgb = Buffer.alloc(3 * plane);
  for (let i = 0; i < plane; i++)
    for (let c = 0; c < 3; c++) {
      const value = Math.round((sample[c * plane + i]! + 1) * 127.5);
      rgb[i * 3 + c] = value < 0 ? 0 : value > 255 ? 255 : value;
    }
  if (content.left || content.top || content.width !== width || content.height !== height) {
    rgb = await sharp(rgb, { raw: { width, height, channels: 3 } })
      .extract(content)
      .raw()
      .toBuffer();
    width = content.width;
    height = content.height;
  }
  if (width !== target.width || height !== target.height)
    rgb = await sharp(rgb, { raw: { width, height, channels: 3 } })
      .resize(target.width, target.height, { fit: 'fill', kernel: 'lanczos3' })
      .raw()
      .toBuffer();
  let pipeline = sharp(rgb, { raw: { width: target.width, height: target.height, channels: 3 } });
  const alpha =
    target.format !== 'jpeg' && target.bytes
      ? await alphaChannel(target.bytes, target.width, target.height)
      : undefined;
  if (alpha)
    pipeline = pipeline.joinChannel(alpha, { raw: { width: target.width, height: target.height, channels: 1 } });
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
