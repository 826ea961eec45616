/**
 * The scene atmosphere (`atmosphere.ts`) on real photos with the real person mask (MediaPipe
 * selfie segmentation on tfjs-wasm), the sky estimate, and the renderer's fallback when the mask
 * model cannot be loaded.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { EMOTIONS, type Element, type Emotion } from '../../src/emotions.ts';
import { checkImage } from '../../src/image/input-checks.ts';
import type { EditPlan } from '../../src/planner/planner.ts';
import { applyAtmosphere, estimateSky } from '../../src/renderer/atmosphere.ts';
import { ToneRenderer } from '../../src/renderer/tone-renderer.ts';
import { VisionRuntime } from '../../src/vision/vision-runtime.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/images/${name}`, import.meta.url));
const SHARED_SKY = '/work/shared/fixtures/images/landscape-mountains-blue-sky.jpg';

function plan(target: Emotion, elements: Element[]): EditPlan {
  return { source: 'contentment', target, caption: '', editedCaption: '', elements, instruction: '', planner: 'test' };
}

/** Mean absolute difference per channel, in levels, over the pixels `where` picks. */
function difference(a: Uint8Array, b: Uint8Array, where: (pixel: number) => boolean = () => true): number {
  let sum = 0;
  let count = 0;
  for (let p = 0; p < a.length / 3; p++) {
    if (!where(p)) continue;
    for (let c = 0; c < 3; c++) sum += Math.abs(a[p * 3 + c]! - b[p * 3 + c]!);
    count += 3;
  }
  return count ? sum / count : 0;
}

describe('scene atmosphere (real person mask)', () => {
  const vision = new VisionRuntime({ cacheSize: 8 });
  let astronaut: { data: Buffer; width: number; height: number };
  let person: Buffer;
  let faceBox: { x: number; y: number; width: number; height: number };
  before(async () => {
    const bytes = fixture('astronaut.png');
    const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    astronaut = { data, width: info.width, height: info.height };
    const analysis = await vision.analyse(bytes);
    faceBox = analysis.faces[0]!.box;
    const mask = analysis.personMask!;
    person = await sharp(mask.alpha, { raw: { width: mask.width, height: mask.height, channels: 1 } })
      .resize(info.width, info.height, { fit: 'fill' })
      .extractChannel(0)
      .raw()
      .toBuffer();
  });
  after(() => vision.close());

  const lit = async (target: Emotion, intensity: number, seed: number) => {
    const data = Buffer.from(astronaut.data);
    // The light falls on the face, as the renderer places it.
    const subject = {
      centre: [faceBox.x + faceBox.width / 2, faceBox.y + faceBox.height / 2] as [number, number],
      size: faceBox.height,
    };
    await applyAtmosphere({
      pixels: { data, width: astronaut.width, height: astronaut.height, channels: 3 },
      person,
      subject,
      target,
      intensity,
      seed,
    });
    return data;
  };

  it('changes the background much more than the person, for every target', async () => {
    const rows: string[] = [];
    for (const target of EMOTIONS) {
      const out = await lit(target, 0.8, 1);
      const onPerson = difference(astronaut.data, out, (p) => person[p]! > 230);
      const onBackground = difference(astronaut.data, out, (p) => person[p]! < 25);
      rows.push(`${target}: person ${onPerson.toFixed(1)}, background ${onBackground.toFixed(1)}`);
      assert.ok(onBackground > 8, `${target}: the background moved only ${onBackground.toFixed(1)} levels`);
      assert.ok(onBackground > 1.5 * onPerson, rows.at(-1));
    }
  });

  it('keeps skin natural: the face moves a little and keeps its hue', async () => {
    // The middle of the face box face-api finds (cheeks, nose, mouth; no hair or background).
    const face = (p: number) => {
      const x = p % astronaut.width;
      const y = Math.floor(p / astronaut.width);
      return (
        x > faceBox.x + 0.25 * faceBox.width &&
        x < faceBox.x + 0.75 * faceBox.width &&
        y > faceBox.y + 0.3 * faceBox.height &&
        y < faceBox.y + 0.8 * faceBox.height
      );
    };
    for (const target of EMOTIONS) {
      const out = await lit(target, 0.8, 1);
      let [r0, g0, b0, r1, g1, b1, n] = [0, 0, 0, 0, 0, 0, 0];
      for (let p = 0; p < astronaut.width * astronaut.height; p++) {
        if (!face(p)) continue;
        n++;
        r0 += astronaut.data[p * 3]!;
        g0 += astronaut.data[p * 3 + 1]!;
        b0 += astronaut.data[p * 3 + 2]!;
        r1 += out[p * 3]!;
        g1 += out[p * 3 + 1]!;
        b1 += out[p * 3 + 2]!;
      }
      // Skin stays warm (red above green above blue, as before) and within 30 levels.
      const was = [r0, g0, b0].map((v) => Math.round(v / n));
      const now = [r1, g1, b1].map((v) => Math.round(v / n));
      assert.ok(was[0]! > was[1]! && was[1]! > was[2]!, `the face box is not skin: ${was}`);
      assert.ok(
        now[0]! > now[1]! && now[1]! > now[2]!,
        `${target}: the face's mean colour ${now} is no longer skin-like (was ${was})`,
      );
      // The light may dim or brighten it (a low-key light for fear), but its hue stays: each
      // channel's share of the sum moves by at most 0.03.
      const share = (rgb: number[]) => rgb.map((v) => v / (rgb[0]! + rgb[1]! + rgb[2]!));
      const [before, after] = [share(was), share(now)];
      assert.ok(
        after.every((v, c) => Math.abs(v - before[c]!) <= 0.03),
        `${target}: the face's mean colour moved from ${was} to ${now}`,
      );
      assert.ok(
        Math.abs(now[1]! - was[1]!) <= 0.35 * was[1]!,
        `${target}: the face's brightness moved from ${was} to ${now}`,
      );
    }
  });

  it('gives the same bytes for the same seed, a visibly different variant for another, and scales with the intensity', async () => {
    for (const target of ['fear', 'anger', 'sadness', 'awe'] as const) {
      const first = await lit(target, 0.6, 3);
      const again = await lit(target, 0.6, 3);
      const other = await lit(target, 0.6, 4);
      assert.ok(first.equals(again), `${target}: the same seed gave other bytes`);
      const variant = difference(first, other);
      assert.ok(variant > 1, `${target}: another seed moved the picture only ${variant.toFixed(2)} levels`);
      const [gentle, strong] = [
        difference(astronaut.data, await lit(target, 0.4, 3)),
        difference(astronaut.data, await lit(target, 0.9, 3)),
      ];
      assert.ok(
        strong > 1.5 * gentle,
        `${target}: intensity 0.4 moved ${gentle.toFixed(1)} levels, 0.9 moved ${strong.toFixed(1)}`,
      );
    }
  });

  it('leaves the picture unchanged at intensity 0', async () => {
    assert.ok((await lit('fear', 0, 1)).equals(astronaut.data));
  });
});

describe('sky estimate', () => {
  it('finds a smooth blue sky connected to the top, and not the grass or the person below it', () => {
    // 60 × 40: blue sky with a soft gradient above a textured green field, a person-shaped
    // blob in the middle (masked).
    const width = 60;
    const height = 40;
    const pixels = new Uint8Array(width * height * 3);
    const person = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const k = (y * width + x) * 3;
        if (y < 18) pixels.set([90 + y, 140 + y, 220], k);
        else pixels.set([60 + ((x * 37 + y * 11) % 40), 120 + ((x * 13 + y * 29) % 50), 40], k);
        if (Math.abs(x - 30) < 6 && y > 8) {
          person[y * width + x] = 255;
          pixels.set([200, 150, 120], k);
        }
      }
    }
    const sky = estimateSky({ pixels, width, height }, person);
    const mean = (pick: (x: number, y: number) => boolean) => {
      let [sum, count] = [0, 0];
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) if (pick(x, y)) [sum, count] = [sum + sky[y * width + x]!, count + 1];
      return sum / count;
    };
    assert.ok(mean((x, y) => y < 14 && Math.abs(x - 30) > 9) > 0.8, 'the sky is found');
    assert.ok(mean((_, y) => y > 24) < 0.05, 'the field is not sky');
    assert.ok(mean((x, y) => Math.abs(x - 30) < 3 && y > 12) < 0.2, 'the person is not sky');
  });

  it('finds the sky of a real landscape (landscape-mountains-blue-sky.jpg, shared fixtures)', async (t) => {
    if (!existsSync(SHARED_SKY)) {
      t.skip(`SKIPPED: ${SHARED_SKY} is not on this machine (the shared fixtures are not in the repository)`);
      return;
    }
    const { data, info } = await sharp(readFileSync(SHARED_SKY))
      .resize(96, 72, { fit: 'fill' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const sky = estimateSky({ pixels: data, width: info.width, height: info.height });
    const rowMean = (y0: number, y1: number) => {
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = 0; x < info.width; x++) sum += sky[y * info.width + x]!;
      return sum / ((y1 - y0) * info.width);
    };
    // The top fifth is sky and cloud; the bottom half is mountain rock, grass and path.
    assert.ok(rowMean(0, 14) > 0.5, `top: ${rowMean(0, 14).toFixed(2)}`);
    assert.ok(rowMean(36, 72) < 0.05, `bottom: ${rowMean(36, 72).toFixed(2)}`);
  });
});

describe('scene edit when the person-mask model cannot be loaded', () => {
  it('renders the tone-only edit and logs why', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-selfie-'));
    const warnings: string[] = [];
    const logger = {
      warn: (fields: object, message: string) => void warnings.push(`${message} ${JSON.stringify(fields)}`),
      info: () => {},
    };
    // Only the selfie model's folder is missing; face-api's weights are where they always are.
    const broken = new VisionRuntime({ paths: { humanModels: empty }, logger });
    try {
      const image = await checkImage(fixture('astronaut.png'));
      const request = { image, plan: plan('fear', ['facial', 'scene', 'color']), intensity: 0.6, seed: 5 };
      const withBroken = await new ToneRenderer({ vision: broken }).render(request);
      const toneOnly = await new ToneRenderer({ vision: false }).render(request);
      // The same pixels (the PNG's header may differ: the tone path reads the file itself the
      // first time a picture is seen, and its colour profile with it).
      const [a, b] = await Promise.all([
        sharp(withBroken.bytes).raw().toBuffer(),
        sharp(toneOnly.bytes).raw().toBuffer(),
      ]);
      assert.ok(a.equals(b), 'the fallback is exactly the tone edit');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /vision models unavailable; the edit goes on without them.*failed to load.*selfie/);
    } finally {
      await broken.close();
    }
  });
});
