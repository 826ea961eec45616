import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { luminanceOf, type LuminancePlane } from '../../src/eval/metrics/luminance.ts';
import { pixelDifference } from '../../src/eval/metrics/pixel-difference.ts';
import { ssim } from '../../src/eval/metrics/ssim.ts';

const PHOTOS = '/work/shared/fixtures/images';

interface Figures {
  ssim: number;
  meanAbsoluteDifference: number;
  psnr: number | null;
}
const expected = JSON.parse(await readFile(new URL('./fixtures/ssim-skimage.json', import.meta.url), 'utf8')) as {
  photos: Record<
    string,
    { colourManaged: boolean; width: number; height: number; lumaMean: number; pairs: Record<string, Figures> }
  >;
};

/**
 * Tolerances. The luma planes are the same formula on the same decoded pixels when Pillow and
 * sharp decode alike (PNG always; JPEG through libjpeg-turbo in both). SSIM is then the same
 * arithmetic in another order (summed-area tables instead of scipy's uniform filter), so 1e-6
 * absolute is a generous bound for float64 rounding; the difference figures get 1e-6 too.
 * A photo with a non-sRGB colour profile (rocket.jpg, Adobe RGB) is converted to sRGB by two
 * LittleCMS builds that round a few pixel values differently (luma means differ by about 1e-3),
 * so there SSIM gets 1e-3 and MAE / PSNR 0.05.
 */
const TOLERANCE = {
  exact: { luma: 1e-9, ssim: 1e-6, figure: 1e-6 },
  colourManaged: { luma: 0.01, ssim: 1e-3, figure: 0.05 },
};

function plane(width: number, height: number, value: (x: number, y: number) => number): LuminancePlane {
  const values = new Float64Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) values[y * width + x] = value(x, y);
  return { width, height, values };
}
const map = (p: LuminancePlane, f: (v: number, x: number, y: number) => number): LuminancePlane =>
  plane(p.width, p.height, (x, y) => f(p.values[y * p.width + x]!, x, y));
const crop = (p: LuminancePlane, left: number, width: number): LuminancePlane =>
  plane(width, p.height, (x, y) => p.values[y * p.width + x + left]!);
function blurred(p: LuminancePlane): LuminancePlane {
  const at = (q: LuminancePlane, x: number, y: number) =>
    q.values[Math.min(q.height - 1, Math.max(0, y)) * q.width + Math.min(q.width - 1, Math.max(0, x))]!;
  const rows = plane(p.width, p.height, (x, y) => (at(p, x - 1, y) + 2 * at(p, x, y) + at(p, x + 1, y)) / 4);
  return plane(p.width, p.height, (x, y) => (at(rows, x, y - 1) + 2 * at(rows, x, y) + at(rows, x, y + 1)) / 4);
}
function variants(y: LuminancePlane): Record<string, [LuminancePlane, LuminancePlane]> {
  return {
    identical: [y, map(y, (v) => v)],
    shifted: [crop(y, 4, y.width - 4), crop(y, 0, y.width - 4)],
    blurred: [y, blurred(y)],
    graded: [y, map(y, (v) => 0.8 * v + 20)],
    noisy: [y, map(y, (v, x, row) => Math.min(255, Math.max(0, v + ((7 * row + 13 * x) % 17) - 8)))],
  };
}

describe('SSIM and pixel differences on luminance', () => {
  it('gives 1, MAE 0 and an infinite PSNR for identical pictures', () => {
    const p = plane(32, 20, (x, y) => (x * 37 + y * 11) % 256);
    assert.equal(ssim(p, p), 1);
    assert.deepEqual(pixelDifference(p, p), { meanAbsoluteDifference: 0, meanSquaredError: 0, psnr: Infinity });
  });

  it('gives the documented values for a constant offset (MAE = offset, PSNR = 20 log10(255 / offset))', () => {
    const p = plane(40, 30, (x, y) => 100 + ((x * 5 + y * 3) % 50));
    const q = map(p, (v) => v + 10);
    const d = pixelDifference(p, q);
    assert.ok(Math.abs(d.meanAbsoluteDifference - 10) < 1e-12);
    assert.ok(Math.abs(d.psnr - 20 * Math.log10(255 / 10)) < 1e-9);
    // Structure and contrast are untouched, only the luminance term drops below 1.
    const s = ssim(p, q);
    assert.ok(s < 1 && s > 0.95, `SSIM of an offset picture: ${s}`);
  });

  it('gives -1-ish for an inverted pattern and refuses pictures of different sizes', () => {
    const p = plane(30, 30, (x, y) => ((x + y) % 2 ? 255 : 0));
    assert.ok(
      ssim(
        p,
        map(p, (v) => 255 - v),
      ) < -0.9,
    );
    assert.throws(
      () =>
        ssim(
          p,
          plane(31, 30, () => 0),
        ),
      /differ in size/,
    );
  });

  for (const [name, photo] of Object.entries(expected.photos)) {
    it(`matches scikit-image on ${name} (identical, shifted, blurred, graded, noisy)`, async () => {
      const tolerance = photo.colourManaged ? TOLERANCE.colourManaged : TOLERANCE.exact;
      const y = await luminanceOf(await readFile(join(PHOTOS, name)));
      assert.equal(y.width, photo.width);
      assert.equal(y.height, photo.height);
      const mean = y.values.reduce((sum, v) => sum + v, 0) / y.values.length;
      assert.ok(
        Math.abs(mean - photo.lumaMean) < tolerance.luma,
        `decoders differ on ${name}: luma mean ${mean} vs Pillow ${photo.lumaMean}`,
      );
      for (const [pair, [a, b]] of Object.entries(variants(y))) {
        const want = photo.pairs[pair]!;
        const got = ssim(a, b);
        assert.ok(
          Math.abs(got - want.ssim) <= tolerance.ssim,
          `${name} ${pair}: SSIM ${got}, scikit-image ${want.ssim}`,
        );
        const d = pixelDifference(a, b);
        assert.ok(
          Math.abs(d.meanAbsoluteDifference - want.meanAbsoluteDifference) <= tolerance.figure,
          `${name} ${pair}: MAE`,
        );
        if (want.psnr === null) assert.equal(d.psnr, Infinity);
        else
          assert.ok(
            Math.abs(d.psnr - want.psnr) <= tolerance.figure,
            `${name} ${pair}: PSNR ${d.psnr} vs ${want.psnr}`,
          );
      }
    });
  }
});
