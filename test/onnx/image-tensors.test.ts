import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { CLIP_MEAN, CLIP_STD, renderSize, vaeInput, vaeOutputToImage, visionInput } from '../../src/onnx/image-tensors.ts';

async function flat(width: number, height: number, rgb: [number, number, number]) {
  const bytes = await sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
  return { bytes, format: 'png' as const, width, height };
}

describe('pictures as model inputs', () => {
  it('renders at sides that are multiples of 64, scaled to fit the longest side', () => {
    assert.deepEqual(renderSize(64, 64, 512), { width: 64, height: 64 });
    assert.deepEqual(renderSize(90, 50, 512), { width: 64, height: 64 });
    assert.deepEqual(renderSize(1000, 700, 512), { width: 512, height: 384 });
    assert.deepEqual(renderSize(3000, 600, 512), { width: 512, height: 128 });
    assert.deepEqual(renderSize(20, 10, 512), { width: 64, height: 64 }, 'never below one latent tile');
  });

  it('gives the VAE NCHW values in [-1, 1], channel by channel', async () => {
    const pixels = await vaeInput(await flat(16, 8, [255, 0, 51]), 16, 8);
    assert.equal(pixels.length, 3 * 16 * 8);
    assert.ok(Math.abs(pixels[0]! - 1) < 1e-6, 'red plane first');
    assert.ok(Math.abs(pixels[16 * 8]! + 1) < 1e-6, 'then green');
    assert.ok(Math.abs(pixels[2 * 16 * 8]! - (51 / 127.5 - 1)) < 1e-6, 'then blue');
  });

  it("gives BLIP-2's vision encoder a 224×224 picture normalised with CLIP's mean and deviation", async () => {
    const pixels = await visionInput(await flat(300, 100, [128, 128, 128]));
    assert.equal(pixels.length, 3 * 224 * 224);
    for (let c = 0; c < 3; c++) {
      const expected = (128 / 255 - CLIP_MEAN[c]!) / CLIP_STD[c]!;
      assert.ok(Math.abs(pixels[c * 224 * 224 + 1000]! - expected) < 1e-5, `channel ${c}`);
    }
  });

  it("writes the VAE decoder's output at the input's size and format", async () => {
    const sample = new Float32Array(3 * 64 * 64).fill(0);
    const image = await vaeOutputToImage(sample, 64, 64, { width: 100, height: 70, format: 'webp' });
    const metadata = await sharp(image.bytes).metadata();
    assert.deepEqual([metadata.format, metadata.width, metadata.height], ['webp', 100, 70]);
    const { data } = await sharp(image.bytes).raw().toBuffer({ resolveWithObject: true });
    assert.ok(Math.abs(data[0]! - 128) <= 2, 'zero is mid-grey');
  });
});
