import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { checkDeclaredSize, checkImage } from '../../src/image/input-checks.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../src/image/image.ts';
import { ErrorCode, UserError } from '../../src/errors.ts';
import { userMessage } from '../../src/messages.ts';

/** A small picture with real detail (seeded noise), so truncation hits pixel data, not the header. */
async function noisePicture(width: number, height: number, channels: 3 | 4 = 3): Promise<Sharp> {
  const pixels = Buffer.alloc(width * height * channels);
  let state = 7;
  for (let i = 0; i < pixels.length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    pixels[i] = state >>> 23;
  }
  return sharp(pixels, { raw: { width, height, channels } });
}

function solid(width: number, height: number, colour: string): Sharp {
  return sharp({ create: { width, height, channels: 3, background: colour } });
}

async function refusal(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    assert.ok(userMessage(error).length > 10, 'the person gets a sentence');
    return error;
  }
  assert.fail('the picture was accepted');
}

/** Rewrites a PNG's IHDR to declare other dimensions, with a valid CRC, leaving the pixel data as it was. */
function forgePngDimensions(png: Buffer, width: number, height: number): Buffer {
  const forged = Buffer.from(png);
  // Signature (8) + length (4) + "IHDR" (4), then width and height.
  assert.equal(forged.subarray(12, 16).toString('latin1'), 'IHDR');
  forged.writeUInt32BE(width, 16);
  forged.writeUInt32BE(height, 20);
  forged.writeUInt32BE(crc32(forged.subarray(12, 29)), 29);
  return forged;
}

describe('input checks', () => {
  it('accepts a plain JPEG and keeps its bytes, format and size', async () => {
    const jpeg = await (await noisePicture(64, 48)).jpeg().toBuffer();
    const checked = await checkImage(jpeg);
    assert.equal(checked.format, 'jpeg');
    assert.deepEqual([checked.width, checked.height], [64, 48]);
    assert.ok(checked.bytes.equals(jpeg));
  });

  it('refuses a text file', async () => {
    const error = await refusal(checkImage(Buffer.from('hello, this is not a picture at all\n')));
    assert.equal(error.code, ErrorCode.ImageFormatNotAllowed);
  });

  it('refuses an SVG before decoding it, even one that names a remote file', async () => {
    const svg = Buffer.from(
      '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">' +
        '<image xlink:href="http://127.0.0.1:9/secret.png" width="10" height="10"/></svg>',
    );
    const error = await refusal(checkImage(svg));
    assert.equal(error.code, ErrorCode.ImageFormatNotAllowed);
    assert.equal(error.details.format, 'SVG');
    assert.match(userMessage(error), /SVG/);
  });

  it('refuses a PDF', async () => {
    const error = await refusal(checkImage(Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\n')));
    assert.equal(error.code, ErrorCode.ImageFormatNotAllowed);
  });

  it('refuses an AVIF picture', async () => {
    const avif = await solid(16, 16, '#336699').avif().toBuffer();
    const error = await refusal(checkImage(avif));
    assert.equal(error.code, ErrorCode.ImageFormatNotAllowed);
  });

  it('refuses a truncated PNG', async () => {
    const png = await (await noisePicture(64, 64)).png().toBuffer();
    const error = await refusal(checkImage(png.subarray(0, Math.floor(png.length * 0.6))));
    assert.equal(error.code, ErrorCode.ImageCorrupt);
  });

  it('refuses a truncated JPEG', async () => {
    const jpeg = await (await noisePicture(96, 96)).jpeg({ quality: 90 }).toBuffer();
    const error = await refusal(checkImage(jpeg.subarray(0, Math.floor(jpeg.length * 0.7))));
    assert.equal(error.code, ErrorCode.ImageCorrupt);
  });

  it('refuses a small PNG that declares 100000 × 100000 pixels, without decoding it', async () => {
    const tiny = await solid(8, 8, '#ffffff').png().toBuffer();
    const bomb = forgePngDimensions(tiny, 100_000, 100_000);
    assert.ok(bomb.length < 1024, 'the forged file is under 1 KB');
    const error = await refusal(checkImage(bomb));
    assert.equal(error.code, ErrorCode.ImageTooManyPixels);
    assert.match(userMessage(error), /100000 × 100000/);
  });

  it('refuses a picture over a lower pixel limit', async () => {
    const png = await solid(100, 100, '#123456').png().toBuffer();
    const error = await refusal(checkImage(png, { limits: { maxPixels: 5_000 } }));
    assert.equal(error.code, ErrorCode.ImageTooManyPixels);
  });

  it('refuses a file larger than the byte limit', async () => {
    const jpeg = await (await noisePicture(64, 64)).jpeg().toBuffer();
    const error = await refusal(checkImage(jpeg, { limits: { maxBytes: jpeg.length - 1 } }));
    assert.equal(error.code, ErrorCode.ImageTooLarge);
    assert.match(userMessage(error), /too big/);
  });

  it('refuses a declared size over the limit before downloading', () => {
    assert.throws(
      () => checkDeclaredSize(25 * 1024 * 1024, DEFAULT_IMAGE_LIMITS),
      (error: unknown) =>
        error instanceof UserError && error.code === ErrorCode.ImageTooLarge && /20 MB/.test(userMessage(error)),
    );
    assert.doesNotThrow(() => checkDeclaredSize(undefined, DEFAULT_IMAGE_LIMITS));
    assert.doesNotThrow(() => checkDeclaredSize(1024, DEFAULT_IMAGE_LIMITS));
  });

  it('refuses an empty file', async () => {
    const error = await refusal(checkImage(Buffer.alloc(0)));
    assert.equal(error.code, ErrorCode.ImageCorrupt);
  });

  it('takes the first frame of an animated GIF and writes it as PNG', async () => {
    const frame = (colour: string) => solid(30, 20, colour).png().toBuffer();
    const gif = await sharp([await frame('#ff0000'), await frame('#00ff00'), await frame('#0000ff')], {
      join: { animated: true },
    })
      .gif()
      .toBuffer();
    assert.equal((await sharp(gif).metadata()).pages, 3);
    const checked = await checkImage(gif);
    assert.equal(checked.format, 'png');
    assert.deepEqual([checked.width, checked.height], [30, 20]);
    const { data } = await sharp(checked.bytes).raw().toBuffer({ resolveWithObject: true });
    assert.ok(data[0]! > 200 && data[1]! < 50 && data[2]! < 50, 'the first (red) frame is kept');
  });

  it('converts a CMYK JPEG to sRGB', async () => {
    const cmyk = await solid(32, 32, '#cc3322').toColourspace('cmyk').jpeg().toBuffer();
    assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
    const checked = await checkImage(cmyk);
    const meta = await sharp(checked.bytes).metadata();
    assert.equal(checked.format, 'jpeg');
    assert.equal(meta.space, 'srgb');
    assert.equal(meta.channels, 3);
    const { data } = await sharp(checked.bytes).raw().toBuffer({ resolveWithObject: true });
    assert.ok(data[0]! > data[2]! + 80, 'the red stays red');
  });

  it('converts a 16-bit PNG to 8 bits', async () => {
    const png16 = await solid(16, 16, '#4080c0').toColourspace('rgb16').png().toBuffer();
    assert.equal((await sharp(png16).metadata()).depth, 'ushort');
    const checked = await checkImage(png16);
    const meta = await sharp(checked.bytes).metadata();
    assert.equal(checked.format, 'png');
    assert.equal(meta.depth, 'uchar');
  });

  it('accepts a greyscale PNG as an RGB picture', async () => {
    const grey = await solid(20, 10, '#808080').toColourspace('b-w').png().toBuffer();
    assert.equal((await sharp(grey).metadata()).channels, 1);
    const checked = await checkImage(grey);
    assert.equal(checked.format, 'png');
    assert.deepEqual([checked.width, checked.height], [20, 10]);
    assert.equal((await sharp(checked.bytes).metadata()).space, 'srgb');
  });

  it('keeps the alpha channel of a PNG', async () => {
    const rgba = await (await noisePicture(16, 16, 4)).png().toBuffer();
    const checked = await checkImage(rgba);
    assert.equal((await sharp(checked.bytes).metadata()).hasAlpha, true);
  });

  it('applies EXIF orientation: a JPEG stored 40 × 20 and marked "rotate 90°" comes out 20 × 40', async () => {
    const rotated = await solid(40, 20, '#336699').jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const checked = await checkImage(rotated);
    assert.deepEqual([checked.width, checked.height], [20, 40]);
    const meta = await sharp(checked.bytes).metadata();
    assert.deepEqual([meta.width, meta.height], [20, 40]);
    assert.ok(meta.orientation === undefined || meta.orientation === 1, 'no orientation left to apply twice');
  });

  it('writes a TIFF as PNG and keeps WebP as WebP', async () => {
    const tiff = await solid(12, 12, '#00aa00').tiff().toBuffer();
    assert.equal((await checkImage(tiff)).format, 'png');
    const webp = await solid(12, 12, '#00aa00').webp().toBuffer();
    assert.equal((await checkImage(webp)).format, 'webp');
  });

  it('refuses a file whose magic bytes and header disagree', async () => {
    const png = await solid(8, 8, '#ffffff').png().toBuffer();
    const disguised = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), png]);
    const error = await refusal(checkImage(disguised));
    assert.equal(error.code, ErrorCode.ImageCorrupt);
  });
});
