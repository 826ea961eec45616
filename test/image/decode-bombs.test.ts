import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { blackPng, pngChunk } from '../helpers/hand-built-png.ts';
import sharp from 'sharp';
import type { JpegOptions } from 'sharp';
import { checkImage, countJpegScans, MAX_JPEG_SCANS } from '../../src/image/input-checks.ts';
import { DecodeGate } from '../../src/image/decode-gate.ts';
import { ErrorCode, UserError } from '../../src/errors.ts';
import { userMessage } from '../../src/messages.ts';

async function refusal(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the picture to be refused');
}

async function noiseJpeg(width: number, height: number, options: JpegOptions = {}): Promise<Buffer> {
  // Noise at 1/8 scale, enlarged: detail in every block, cheap to make.
  const small = Buffer.alloc(Math.ceil(width / 8) * Math.ceil(height / 8) * 3);
  let state = 11;
  for (let i = 0; i < small.length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    small[i] = state >>> 23;
  }
  return sharp(small, { raw: { width: Math.ceil(width / 8), height: Math.ceil(height / 8), channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .jpeg({ quality: 50, ...options })
    .toBuffer();
}

/** The JPEG with its frame header (SOF) patched to claim `width` × `height`. */
function withClaimedSize(jpeg: Buffer, width: number, height: number): Buffer {
  const forged = Buffer.from(jpeg);
  for (let i = 2; i + 9 < forged.length;) {
    const marker = forged[i + 1]!;
    if (marker === 0xc0 || marker === 0xc2) {
      forged.writeUInt16BE(height, i + 5);
      forged.writeUInt16BE(width, i + 7);
      return forged;
    }
    i += 2 + forged.readUInt16BE(i + 2);
  }
  assert.fail('no SOF marker found');
}

describe('decode bombs', () => {
  it('refuses a 40 000 000 × 1 PNG by its side before decoding it', async () => {
    const strip = blackPng(40_000_000, 1);
    assert.ok(strip.length < 200_000);
    const error = await refusal(checkImage(strip));
    assert.equal(error.code, ErrorCode.ImageTooManyPixels);
    assert.match(userMessage(error), /40000000 × 1/);
    assert.match(userMessage(error), /16384 pixels a side/);
    const tall = await refusal(checkImage(blackPng(1, 40_000_000)));
    assert.equal(tall.code, ErrorCode.ImageTooManyPixels);
  });

  it('still accepts a long but sane panorama within the side limit', async () => {
    const checked = await checkImage(blackPng(16_000, 200));
    assert.deepEqual([checked.width, checked.height], [16_000, 200]);
  });

  it('refuses a JPEG of too many scans without decoding it', async () => {
    const progressive = await noiseJpeg(64, 64, { progressive: true });
    assert.ok(countJpegScans(progressive) >= 2 && countJpegScans(progressive) < 20);
    // Repeat the last scan until the file has far more scans than any ordinary JPEG.
    const sos = progressive.lastIndexOf(Buffer.from([0xff, 0xda]));
    const lastScan = progressive.subarray(sos, progressive.length - 2);
    const bomb = Buffer.concat([
      progressive.subarray(0, progressive.length - 2),
      ...Array(MAX_JPEG_SCANS).fill(lastScan),
      Buffer.from([0xff, 0xd9]),
    ]);
    assert.ok(countJpegScans(bomb) > MAX_JPEG_SCANS);
    const error = await refusal(checkImage(bomb));
    assert.equal(error.code, ErrorCode.ImageTooSlow);
    assert.match(userMessage(error), /too long to read/);
  });

  it('refuses a JPEG whose header claims far more pixels than its data holds', async () => {
    const real = await noiseJpeg(640, 427);
    assert.equal((await checkImage(real)).width, 640);
    const error = await refusal(checkImage(withClaimedSize(real, 6000, 6000)));
    assert.equal(error.code, ErrorCode.ImageCorrupt);
  });

  it('refuses every lying header even when several decodes fail at once', async () => {
    const forged = withClaimedSize(await noiseJpeg(640, 427), 6000, 6000);
    const strip = blackPng(40_000_000, 1);
    const outcomes = await Promise.allSettled([
      ...[0, 1, 2, 3].map((i) => checkImage(forged, { owner: `liar-${i}` })),
      ...[0, 1].map((i) => checkImage(strip, { owner: `strip-${i}` })),
    ]);
    for (const outcome of outcomes) assert.equal(outcome.status, 'rejected');
    const codes = outcomes.map((o) => (o as PromiseRejectedResult).reason.code);
    assert.deepEqual(codes, [
      ErrorCode.ImageCorrupt,
      ErrorCode.ImageCorrupt,
      ErrorCode.ImageCorrupt,
      ErrorCode.ImageCorrupt,
      ErrorCode.ImageTooManyPixels,
      ErrorCode.ImageTooManyPixels,
    ]);
  });

  it('accepts a 48-megapixel JPEG, shrunk on load to within the pixel limit', async () => {
    const phone = await noiseJpeg(8000, 6000, { quality: 30 });
    const checked = await checkImage(phone);
    assert.equal(checked.format, 'jpeg');
    assert.deepEqual([checked.width, checked.height], [4000, 3000]);
    assert.ok(checked.width * checked.height <= 40_000_000);
    const meta = await sharp(checked.bytes).metadata();
    assert.deepEqual([meta.width, meta.height], [4000, 3000]);
  });

  it('refuses a JPEG over the shrinkable limit, and a PNG over the pixel limit', async () => {
    const tooBig = await refusal(
      checkImage(await noiseJpeg(800, 600), { limits: { maxPixels: 100_000, maxShrinkablePixels: 400_000 } }),
    );
    assert.equal(tooBig.code, ErrorCode.ImageTooManyPixels);
    const png = await refusal(
      checkImage(blackPng(800, 600), { limits: { maxPixels: 100_000, maxShrinkablePixels: 1_000_000 } }),
    );
    assert.equal(png.code, ErrorCode.ImageTooManyPixels);
  });

  it('stores the original without its EXIF, comments or trailing bytes, orientation applied', async () => {
    const upright = await sharp(await noiseJpeg(64, 48))
      .withMetadata({ exif: { IFD0: { Copyright: 'secret-owner', Artist: 'secret-artist' } } })
      .jpeg()
      .toBuffer();
    const withTrailer = Buffer.concat([upright, Buffer.from('TRAILING-SECRET')]);
    const checked = await checkImage(withTrailer);
    assert.equal((await sharp(withTrailer).metadata()).exif !== undefined, true);
    assert.equal((await sharp(checked.bytes).metadata()).exif, undefined);
    assert.equal(checked.bytes.includes('secret-owner'), false);
    assert.equal(checked.bytes.includes('TRAILING-SECRET'), false);
    assert.deepEqual([checked.width, checked.height], [64, 48]);

    const rotated = await sharp(await noiseJpeg(64, 48))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const turned = await checkImage(rotated);
    assert.deepEqual([turned.width, turned.height], [48, 64]);
    const meta = await sharp(turned.bytes).metadata();
    assert.equal(meta.exif, undefined);
    assert.equal(meta.orientation, undefined);
  });

  it('strips text chunks and trailing bytes from a PNG original', async () => {
    const png = blackPng(32, 32);
    const iend = png.length - 12;
    const text = pngChunk('tEXt', Buffer.from('Author\0secret-author', 'latin1'));
    const tagged = Buffer.concat([png.subarray(0, iend), text, png.subarray(iend), Buffer.from('TRAILING')]);
    const checked = await checkImage(tagged);
    assert.equal(checked.bytes.includes('secret-author'), false);
    assert.equal(checked.bytes.includes('TRAILING'), false);
    assert.deepEqual([checked.width, checked.height], [32, 32]);
  });
});

describe('decode gate', () => {
  it('lets one person decode one picture at a time, and bounds everyone together', async () => {
    const gate = new DecodeGate(2);
    const releases: (() => void)[] = [];
    const hold = () => new Promise<void>((resolve) => releases.push(resolve));
    const first = gate.run('alice', hold);
    const busy = await refusal(gate.run('alice', async () => undefined));
    assert.equal(busy.code, ErrorCode.ImageBusy);
    assert.match(userMessage(busy), /One picture at a time/);
    const bob = gate.run('bob', hold);
    let carolStarted = false;
    const carol = gate.run('carol', async () => {
      carolStarted = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(gate.running, 2);
    assert.equal(carolStarted, false);
    releases[0]!();
    await first;
    await carol;
    assert.equal(carolStarted, true);
    releases[1]!();
    await bob;
    assert.equal(gate.running, 0);
    // Alice's slot is free again.
    assert.equal(await gate.run('alice', async () => 'done'), 'done');
  });

  it('checkImage refuses a second picture from the same person while the first is decoding', async () => {
    const gate = new DecodeGate(2);
    const jpeg = await noiseJpeg(1200, 900);
    const [first, second] = await Promise.allSettled([
      checkImage(jpeg, { gate, owner: 'p' }),
      checkImage(jpeg, { gate, owner: 'p' }),
    ]);
    assert.equal(first.status, 'fulfilled');
    assert.equal(second.status, 'rejected');
    assert.equal((second as PromiseRejectedResult).reason.code, ErrorCode.ImageBusy);
    // Someone else is not refused.
    await Promise.all([checkImage(jpeg, { gate, owner: 'p' }), checkImage(jpeg, { gate, owner: 'q' })]);
  });
});
