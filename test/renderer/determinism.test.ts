/**
 * "Deterministic per seed" (issue 15), cold and warm: the same request gives the same picture
 * the first time a process renders it (no thumbnail, no analysis, no softened mask cached), the
 * next times, after the estimator has read the picture first (as an edit through the Editor
 * does), and in a fresh process (a restart, or another worker, rendering "more" on a photo
 * analysed elsewhere). With the real vision models (face-api and the selfie mask on tfjs-wasm).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { Element } from '../../src/emotions.ts';
import { measureTone } from '../../src/estimator/tone-features.ts';
import { checkImage } from '../../src/image/input-checks.ts';
import {
  clearThumbnailCache,
  decodedThumbnailMatches,
  thumbnailOf,
  thumbnailOfDecoded,
} from '../../src/image/thumbnail-cache.ts';
import { ToneRenderer } from '../../src/renderer/tone-renderer.ts';
import { VisionRuntime } from '../../src/vision/vision-runtime.ts';
import { renderCase, warningsLogger, type RenderCase, type RenderOutcome } from '../helpers/render-cold.ts';

const fixturePath = (name: string) => new URL(`../fixtures/images/${name}`, import.meta.url).pathname;
const VISION: Element[] = ['facial', 'scene', 'color'];

const CASES: RenderCase[] = [
  // A JPEG with two faces: its thumbnail differed by who decoded it first (shrink-on-load).
  { path: fixturePath('group-couple-toast.jpg'), target: 'sadness', elements: VISION, intensity: 0.8, seed: 5 },
  { path: fixturePath('rocket.jpg'), target: 'anger', elements: ['color'], intensity: 0.7, seed: 3 },
  { path: fixturePath('astronaut.png'), target: 'fear', elements: VISION, intensity: 1, seed: 2 },
];

/** The same requests in a fresh Node process, each rendered once, cold. */
function renderedInFreshProcess(cases: RenderCase[]): { results: RenderOutcome[]; warnings: string[] } {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', new URL('../helpers/render-cold.ts', import.meta.url).pathname, JSON.stringify(cases)],
    { cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8', timeout: 300_000 },
  );
  assert.equal(child.status, 0, `the fresh process failed: ${child.stderr}`);
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULTS '));
  assert.ok(line, `no results from the fresh process: ${child.stdout}`);
  return JSON.parse(line.slice('RESULTS '.length)) as { results: RenderOutcome[]; warnings: string[] };
}

describe('determinism per seed, cold and warm (real vision models)', () => {
  const logger = warningsLogger();
  const vision = new VisionRuntime({ cacheSize: 8, logger });
  const renderer = new ToneRenderer({ vision, logger });
  after(() => vision.close());

  it('the first render in a process, later ones, one after the estimator, and a fresh process agree', async () => {
    const firsts: RenderOutcome[] = [];
    for (const c of CASES) {
      const image = await checkImage(readFileSync(c.path));
      // Cold: nothing cached for this picture (the analysis is new to this runtime too).
      clearThumbnailCache();
      const first = await renderCase(renderer, image, c);
      // The vision path ran (a face was warped), not the colour-only fallback.
      if (c.elements.includes('facial')) assert.notEqual(first.faceNote, 'no-face', `${c.path}: no face warped`);
      const second = await renderCase(renderer, image, c);
      const third = await renderCase(renderer, image, c);
      assert.deepEqual(second, first, `${c.path}: the second render differs from the first`);
      assert.deepEqual(third, first, `${c.path}: the third render differs from the first`);
      // As through the Editor: the estimator reads the picture's colour first.
      clearThumbnailCache();
      await measureTone(image.bytes);
      const afterEstimate = await renderCase(renderer, image, c);
      assert.deepEqual(afterEstimate, first, `${c.path}: a render after the estimate differs from a cold one`);
      // Another seed is another picture (the guard above is not blind).
      const reseeded = await renderCase(renderer, image, { ...c, seed: c.seed + 1 });
      assert.notEqual(reseeded.pixels, first.pixels, `${c.path}: another seed gave the same picture`);
      firsts.push(first);
    }
    assert.deepEqual(logger.warnings, [], 'the vision runtime warned');
    const fresh = renderedInFreshProcess(CASES);
    assert.deepEqual(fresh.warnings, [], 'the vision runtime warned in the fresh process');
    CASES.forEach((c, i) => {
      assert.deepEqual(fresh.results[i], firsts[i], `${c.path}: a fresh process renders a different picture`);
    });
  });

  it("the renderer's thumbnail of a decoded picture is the one read from its bytes", async () => {
    const rocket = readFileSync(fixturePath('rocket.jpg'));
    const small = sharp(rocket).resize(333, 217);
    const pictures: Record<string, Buffer> = {
      jpeg: rocket,
      webp: await small.clone().webp().toBuffer(),
      png: await small.clone().png().toBuffer(),
      'png with alpha': await small.clone().ensureAlpha(0.6).png().toBuffer(),
      'png 16-bit': await small.clone().toColourspace('rgb16').png().toBuffer(),
    };
    for (const [name, bytes] of Object.entries(pictures)) {
      clearThumbnailCache();
      const fromBytes = await thumbnailOf(bytes);
      clearThumbnailCache();
      const { data, info } = await sharp(bytes).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      const decoded = { data, width: info.width, height: info.height, channels: info.channels };
      const fromPixels = await thumbnailOfDecoded('key', decoded, bytes);
      assert.deepEqual(
        [fromPixels.width, fromPixels.height, fromPixels.channels],
        [fromBytes.width, fromBytes.height, fromBytes.channels],
        name,
      );
      assert.ok(Buffer.from(fromPixels.pixels).equals(Buffer.from(fromBytes.pixels)), `${name}: other pixels`);
    }
    assert.equal(decodedThumbnailMatches(pictures.png!), true, 'an 8-bit PNG is shrunk from its decoded pixels');
    assert.equal(decodedThumbnailMatches(pictures.jpeg!), false);
    assert.equal(decodedThumbnailMatches(pictures['png 16-bit']!), false);
  });
});
