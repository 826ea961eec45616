import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import {
  CLIP_MEAN,
  CLIP_STD,
  fullLayout,
  renderLayout,
  vaeInput,
  vaeOutputToImage,
  visionInput,
} from '../../src/onnx/image-tensors.ts';

async function flat(width: number, height: number, rgb: [number, number, number]) {
  const bytes = await sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();
  return { bytes, format: 'png' as const, width, height };
}

describe('pictures as model inputs', () => {
  it('renders at sides that are multiples of 64, scaled to fit the longest side with the aspect kept, then padded', () => {
    const size = (w: number, h: number) => {
      const layout = renderLayout(w, h, 512);
      return [layout.width, layout.height, layout.content.width, layout.content.height];
    };
    assert.deepEqual(size(64, 64), [64, 64, 64, 64]);
    assert.deepEqual(size(90, 50), [128, 64, 90, 50], 'padded, not stretched to 64×64');
    assert.deepEqual(size(1000, 700), [512, 384, 512, 358]);
    assert.deepEqual(size(3000, 600), [512, 128, 512, 102]);
    assert.deepEqual(size(20, 10), [64, 64, 20, 10], 'never below one latent tile, never scaled up');
    assert.deepEqual(renderLayout(90, 50, 512).content, { left: 19, top: 7, width: 90, height: 50 }, 'centred');
    for (const [w, h] of [
      [1000, 700],
      [3000, 600],
      [777, 1333],
      [90, 50],
    ] as const) {
      const { content } = renderLayout(w, h, 512);
      // Rounding each scaled side to a whole pixel is the only change of aspect: under half a pixel per side.
      assert.ok(
        Math.abs(content.width / content.height - w / h) <= (0.5 / content.height) * (w / h) + 0.5 / content.height,
        `${w}×${h}`,
      );
    }
  });

  it('keeps a round disc round in what the VAE sees, and puts it back at the original size', async () => {
    // A 128×64 picture (aspect 2) with a disc of radius 24 rendered at maxSide 64: the old
    // stretch to 64×64 made the disc twice as tall as wide.
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="64"><rect width="128" height="64" fill="#000"/><circle cx="64" cy="32" r="24" fill="#fff"/></svg>',
    );
    const bytes = await sharp(svg).png().toBuffer();
    const picture = { bytes, format: 'png' as const, width: 128, height: 64 };
    const layout = renderLayout(128, 64, 64);
    assert.deepEqual(
      [layout.width, layout.height, layout.content.width, layout.content.height, layout.content.top],
      [64, 64, 64, 32, 16],
    );
    const pixels = await vaeInput(picture, layout);
    const red = (x: number, y: number): number => pixels[y * 64 + x]!;
    let rows = 0;
    let columns = 0;
    for (let i = 0; i < 64; i++) {
      if (red(32, i) > 0) rows++;
      if (red(i, 32) > 0) columns++;
    }
    assert.ok(Math.abs(rows - columns) <= 1, `the disc is ${columns} wide and ${rows} tall`);
    assert.ok(Math.abs(columns - 24) <= 2, `disc diameter ${columns}`);
    const back = await vaeOutputToImage(pixels, 64, 64, { width: 128, height: 64, format: 'png' }, {}, layout.content);
    const raw = await sharp(back.bytes).removeAlpha().raw().toBuffer();
    let tall = 0;
    let wide = 0;
    for (let i = 0; i < 64; i++) if (raw[(i * 128 + 64) * 3]! > 127) tall++;
    for (let i = 0; i < 128; i++) if (raw[(32 * 128 + i) * 3]! > 127) wide++;
    assert.ok(Math.abs(tall - 48) <= 2 && Math.abs(wide - 48) <= 2, `back at 128×64 the disc is ${wide}×${tall}`);
  });

  it('gives the VAE NCHW values in [-1, 1], channel by channel', async () => {
    const pixels = await vaeInput(await flat(16, 8, [255, 0, 51]), fullLayout(16, 8));
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
