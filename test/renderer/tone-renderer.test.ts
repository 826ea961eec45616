import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { EMOTIONS, type Emotion } from '../../src/emotions.ts';
import { estimateEmotion } from '../../src/estimator/tone-estimator.ts';
import { checkImage } from '../../src/image/input-checks.ts';
import type { CheckedImage } from '../../src/image/image.ts';
import { ToneRenderer } from '../../src/renderer/tone-renderer.ts';
import { conformancePlan, meanAbsoluteDifference, runRendererConformance } from './renderer.conformance.ts';

runRendererConformance('tone', () => new ToneRenderer());

const PHOTOS = ['astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg', 'hubble_deep_field.jpg'];
const fixture = (name: string) => readFileSync(new URL(`../fixtures/images/${name}`, import.meta.url));

/** The photo downscaled to 256 px on the long side, in its own format, to keep the suite light. */
async function smallCopy(name: string): Promise<CheckedImage> {
  const original = await checkImage(fixture(name));
  const pipeline = sharp(original.bytes).resize(256, 256, { fit: 'inside' });
  const encoded = original.format === 'jpeg' ? pipeline.jpeg({ quality: 92 }) : pipeline.png();
  const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
  return { bytes: data, format: original.format, width: info.width, height: info.height };
}

describe('tone renderer', () => {
  const renderer = new ToneRenderer();
  const small = new Map<string, CheckedImage>();
  before(async () => {
    for (const name of PHOTOS) small.set(name, await smallCopy(name));
  });

  for (const name of PHOTOS) {
    it(`makes ${name} read more like each of the eight emotions, and more so at a higher intensity`, async () => {
      const image = small.get(name)!;
      const before = await estimateEmotion(image);
      const failures: string[] = [];
      for (const target of EMOTIONS) {
        const render = (intensity: number) =>
          renderer.render({ image, plan: conformancePlan(target), intensity, seed: 7 });
        const [gentle, strong] = await Promise.all([render(0.4), render(0.9)]);
        for (const result of [gentle, strong]) {
          assert.deepEqual([result.width, result.height, result.format], [image.width, image.height, image.format]);
        }
        const after = await estimateEmotion(gentle);
        if (!(after[target] > before[target])) failures.push(`${target}: ${before[target]} → ${after[target]}`);
        const [gentleMove, strongMove] = await Promise.all([
          meanAbsoluteDifference(gentle.bytes, image.bytes),
          meanAbsoluteDifference(strong.bytes, image.bytes),
        ]);
        if (!(strongMove > gentleMove))
          failures.push(`${target}: intensity 0.9 moved ${strongMove}, 0.4 moved ${gentleMove}`);
      }
      assert.deepEqual(failures, []);
    });
  }

  it('raises the target at the default intensity on full-size photos too', async () => {
    const targets: Emotion[] = ['sadness', 'excitement', 'fear', 'contentment', 'disgust'];
    for (const [index, name] of PHOTOS.entries()) {
      const image = await checkImage(fixture(name));
      const target = targets[index]!;
      const result = await renderer.render({ image, plan: conformancePlan(target), intensity: 0.6, seed: 1 });
      assert.deepEqual([result.width, result.height, result.format], [image.width, image.height, image.format]);
      assert.ok(
        (await estimateEmotion(result))[target] > (await estimateEmotion(image))[target],
        `${name} → ${target}`,
      );
    }
  });

  it('gives a slightly different picture for another seed', async () => {
    const image = small.get('chelsea.png')!;
    const one = await renderer.render({ image, plan: conformancePlan('awe'), intensity: 0.6, seed: 1 });
    const two = await renderer.render({ image, plan: conformancePlan('awe'), intensity: 0.6, seed: 2 });
    assert.ok(!one.bytes.equals(two.bytes));
    assert.ok((await meanAbsoluteDifference(one.bytes, two.bytes)) < 3, 'the grade is the same, only a touch differs');
  });

  it('edits a picture with transparency and keeps it', async () => {
    const rgba = await sharp({
      create: { width: 40, height: 30, channels: 4, background: { r: 200, g: 120, b: 60, alpha: 0.5 } },
    })
      .png()
      .toBuffer();
    const image = await checkImage(rgba);
    const result = await renderer.render({ image, plan: conformancePlan('sadness'), intensity: 0.8, seed: 1 });
    const meta = await sharp(result.bytes).metadata();
    assert.equal(meta.hasAlpha, true);
    const { data } = await sharp(result.bytes).raw().toBuffer({ resolveWithObject: true });
    assert.ok(Math.abs(data[3]! - 128) <= 1, 'the transparency is unchanged');
  });

  it('edits a single-channel greyscale picture and keeps its size and format', async () => {
    const bytes = await sharp(small.get('chelsea.png')!.bytes).toColourspace('b-w').png().toBuffer();
    assert.equal((await sharp(bytes).metadata()).channels, 1);
    const image: CheckedImage = {
      bytes,
      format: 'png',
      width: small.get('chelsea.png')!.width,
      height: small.get('chelsea.png')!.height,
    };
    const result = await renderer.render({ image, plan: conformancePlan('anger'), intensity: 0.8, seed: 1 });
    assert.deepEqual([result.width, result.height, result.format], [image.width, image.height, 'png']);
    assert.ok((await meanAbsoluteDifference(result.bytes, bytes)) > 1);
  });

  it('darkens the corners against the centre when the vignette is on', async () => {
    const image = small.get('chelsea.png')!;
    // Colour and light only: with the vision models, the scene grade gives fear's background low-key corners anyway.
    const plain = await new ToneRenderer({ vision: false }).render({
      image,
      plan: conformancePlan('fear'),
      intensity: 1,
      seed: 1,
    });
    const vignetted = await new ToneRenderer({ vignette: true, vision: false }).render({
      image,
      plan: conformancePlan('fear'),
      intensity: 1,
      seed: 1,
    });
    const mean = async (bytes: Buffer, left: number, top: number) => {
      const { data } = await sharp(bytes)
        .extract({ left, top, width: 16, height: 16 })
        .raw()
        .toBuffer({ resolveWithObject: true });
      return data.reduce((sum, v) => sum + v, 0) / data.length;
    };
    const centreLeft = Math.floor(image.width / 2) - 8;
    const centreTop = Math.floor(image.height / 2) - 8;
    const fall = async (bytes: Buffer) => (await mean(bytes, centreLeft, centreTop)) - (await mean(bytes, 0, 0));
    const [plainFall, vignettedFall] = [await fall(plain.bytes), await fall(vignetted.bytes)];
    assert.ok(
      vignettedFall > plainFall + 5,
      `corner falls ${vignettedFall} below the centre with the vignette, ${plainFall} without`,
    );
  });

  it('refuses options that make no sense, saying what to change', () => {
    assert.throws(() => new ToneRenderer({ jpegQuality: 0 }), /jpegQuality must be an integer from 1 to 100/);
    assert.throws(() => new ToneRenderer({ reach: -1 }), /reach/);
  });
});
