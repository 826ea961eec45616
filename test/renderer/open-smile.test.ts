/**
 * Open, toothy smiles toward a negative target: the lips close over the teeth (`closeMouth` in
 * `face-warp.ts`), against the real face model on astronaut.png (a broad grin, teeth apart from
 * the lips), and the teeth left at the mouth corners are covered (`coverTeeth`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { Emotion } from '../../src/emotions.ts';
import type { CheckedImage } from '../../src/image/image.ts';
import { checkImage } from '../../src/image/input-checks.ts';
import { FACE_NOTES, withFaceNote } from '../../src/messages.ts';
import type { EditPlan } from '../../src/planner/planner.ts';
import { cornerLift } from '../../src/renderer/face-warp.ts';
import { ToneRenderer } from '../../src/renderer/tone-renderer.ts';
import { acceptedFaces, gateFaces, toFrame } from '../../src/vision/face-gate.ts';
import { VisionRuntime } from '../../src/vision/vision-runtime.ts';
import type { FaceReading } from '../../src/vision/vision-types.ts';

/** A facial-only edit of a smiling picture toward `target` at intensity 0.6, seed 1: the edited bytes. */
async function facialEdit(renderer: ToneRenderer, image: CheckedImage, target: Emotion): Promise<Buffer> {
  const plan: EditPlan = {
    source: 'amusement',
    target,
    caption: '',
    editedCaption: '',
    elements: ['facial'],
    instruction: '',
    planner: 'test',
  };
  return (await renderer.render({ image, plan, intensity: 0.6, seed: 1 })).bytes;
}

describe('open smiles toward negative targets (real face model)', () => {
  const vision = new VisionRuntime({ cacheSize: 16 });
  const renderer = new ToneRenderer({ vision });
  let image: CheckedImage;
  let face: FaceReading;
  before(async () => {
    const png = await sharp(readFileSync(new URL('../fixtures/images/astronaut.png', import.meta.url)))
      .png()
      .toBuffer();
    image = { ...(await checkImage(png)), bytes: png };
    const analysis = await vision.analyse(image.bytes);
    face = acceptedFaces(gateFaces(analysis.faces, analysis))[0]!.face;
  });
  after(() => vision.close());

  /** Bright, grey pixels (teeth) inside the box of the outer lip landmarks (48–59). */
  const teethIn = async (bytes: Buffer) => {
    const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const lips = face.landmarks.slice(48, 60);
    const [x0, x1] = [Math.min(...lips.map((p) => p[0])), Math.max(...lips.map((p) => p[0]))];
    const [y0, y1] = [Math.min(...lips.map((p) => p[1])), Math.max(...lips.map((p) => p[1]))];
    let count = 0;
    for (let y = Math.floor(y0); y < y1; y++) {
      for (let x = Math.floor(x0); x < x1; x++) {
        const i = (y * info.width + x) * 3;
        const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
        if (0.299 * r + 0.587 * g + 0.114 * b > 175 && Math.max(r, g, b) - Math.min(r, g, b) < 45) count++;
      }
    }
    return count;
  };
  const edit = (target: Emotion) =>
    renderer.render({
      image,
      plan: {
        source: 'amusement',
        target,
        caption: '',
        editedCaption: '',
        elements: ['facial'],
        instruction: '',
        planner: 'test',
      },
      intensity: 0.6,
      seed: 1,
    });

  it('closes the lips over most of the teeth for sadness, anger and fear, and leaves them for amusement', async () => {
    const original = await teethIn(image.bytes);
    assert.ok(original > 80, `the original grin shows ${original} teeth pixels`);
    const rows: string[] = [];
    for (const target of ['sadness', 'anger', 'fear'] as const) {
      const left = await teethIn((await edit(target)).bytes);
      rows.push(`${target}: ${original} → ${left}`);
      assert.ok(left < 0.4 * original, `${target}: teeth pixels ${original} → ${left}`);
    }
    const amused = await teethIn((await edit('amusement')).bytes);
    assert.ok(amused > 0.6 * original, `amusement: teeth pixels ${original} → ${amused} (${rows.join(', ')})`);
  });

  it('tells the caller when the face cannot carry the feeling: an open smile toward a negative target, or no face', async () => {
    assert.equal((await edit('sadness')).faceNote, 'open-smile');
    assert.equal((await edit('amusement')).faceNote, undefined);
    const cat = await checkImage(readFileSync(new URL('../fixtures/images/chelsea.png', import.meta.url)));
    const onCat = await renderer.render({
      image: cat,
      plan: {
        source: 'contentment',
        target: 'sadness',
        caption: '',
        editedCaption: '',
        elements: ['facial', 'color'],
        instruction: '',
        planner: 'test',
      },
      intensity: 0.6,
      seed: 1,
    });
    assert.equal(onCat.faceNote, 'no-face');
  });
});

describe('smiles toward negative targets: the mouth corners come down (real face model)', () => {
  const vision = new VisionRuntime({ cacheSize: 32 });
  const renderer = new ToneRenderer({ vision });
  after(() => vision.close());

  /**
   * How far the mouth corners sit above the middle of the lips (cornerLift: landmarks 48 and 54
   * against 51, 57, 62 and 66), in eye distances along the face's own axes, as face-api reads the
   * picture's first accepted face.
   */
  const liftIn = async (bytes: Buffer) => {
    const analysis = await vision.analyse(bytes);
    const gated = acceptedFaces(gateFaces(analysis.faces, analysis))[0];
    assert.ok(gated, 'face-api still finds the face');
    return cornerLift(gated.face.landmarks.map((p) => toFrame(gated.frame, p)));
  };
  // The astronaut's broad toothy grin, and a smile with the teeth together between parted lips.
  for (const name of ['astronaut.png', 'portrait-anne-helene-smile.jpg']) {
    it(`${name}: fear and sadness bring the mouth corners down to under a third of their lift above the lips' middle, anger and disgust under half; amusement lifts them`, async () => {
      const image = await checkImage(readFileSync(new URL(`../fixtures/images/${name}`, import.meta.url)));
      const edit = (target: Emotion) => facialEdit(renderer, image, target);
      const before = await liftIn(image.bytes);
      assert.ok(
        before > 0.04,
        `the original smiles: corners ${before.toFixed(3)} eye distances above the lips' middle`,
      );
      const rows: string[] = [];
      for (const [target, share] of [
        ['fear', 0.3],
        ['sadness', 0.3],
        ['anger', 0.45],
        ['disgust', 0.45],
      ] as const) {
        const after = await liftIn(await edit(target));
        rows.push(`${target} ${after.toFixed(3)}`);
        assert.ok(
          after < share * before,
          `${target}: corner lift ${before.toFixed(3)} → ${after.toFixed(3)}, above ${share} of it (${rows.join(', ')})`,
        );
      }
      const amused = await liftIn(await edit('amusement'));
      assert.ok(amused > before, `amusement: corner lift ${before.toFixed(3)} → ${amused.toFixed(3)}`);
    });
  }
});

describe('toothy smiles toward negative targets: no teeth left at the mouth corners (real face model)', () => {
  const vision = new VisionRuntime({ cacheSize: 32 });
  const renderer = new ToneRenderer({ vision });
  after(() => vision.close());

  const insidePolygon = (x: number, y: number, polygon: readonly (readonly [number, number])[]) => {
    let inside = false;
    for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
      const [xi, yi] = polygon[i]!;
      const [xj, yj] = polygon[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
  const lumaAndSaturation = (data: Buffer, i: number) => {
    const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
    return [0.299 * r + 0.587 * g + 0.114 * b, (Math.max(r, g, b) - Math.min(r, g, b)) / Math.max(1, r, g, b)] as const;
  };
  const outerLips = async (bytes: Buffer) => {
    const analysis = await vision.analyse(bytes);
    const gated = acceptedFaces(gateFaces(analysis.faces, analysis))[0];
    assert.ok(gated, 'face-api still finds the face');
    return gated.face.landmarks;
  };
  /**
   * Teeth-coloured pixels (brighter than the original's lips by 20 and under 0.7 of their
   * saturation) inside the outer lip outline (48–59) that face-api finds on `bytes`, in the outer
   * 30 % of the mouth's width on each side: where the warp squeezes a grin's teeth into points.
   */
  const cornerTeeth = async (bytes: Buffer, lip: { luma: number; saturation: number }) => {
    const outer = (await outerLips(bytes)).slice(48, 60);
    const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const xs = outer.map((p) => p[0]);
    const ys = outer.map((p) => p[1]);
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    let count = 0;
    for (let y = Math.floor(Math.min(...ys)); y < Math.max(...ys); y++) {
      for (let x = Math.floor(x0); x < x1; x++) {
        const across = (x + 0.5 - x0) / (x1 - x0);
        if ((across > 0.3 && across < 0.7) || !insidePolygon(x + 0.5, y + 0.5, outer)) continue;
        const [luma, saturation] = lumaAndSaturation(data, (y * info.width + x) * 3);
        if (luma > lip.luma + 20 && saturation < 0.7 * lip.saturation) count++;
      }
    }
    return count;
  };
  /** The original's lips: the median luma and saturation between its outer and inner lip outlines. */
  const lipsOf = async (bytes: Buffer) => {
    const landmarks = await outerLips(bytes);
    const [outer, inner] = [landmarks.slice(48, 60), landmarks.slice(60, 68)];
    const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const lumas: number[] = [];
    const saturations: number[] = [];
    const xs = outer.map((p) => p[0]);
    const ys = outer.map((p) => p[1]);
    for (let y = Math.floor(Math.min(...ys)); y < Math.max(...ys); y++) {
      for (let x = Math.floor(Math.min(...xs)); x < Math.max(...xs); x++) {
        if (!insidePolygon(x + 0.5, y + 0.5, outer) || insidePolygon(x + 0.5, y + 0.5, inner)) continue;
        const [luma, saturation] = lumaAndSaturation(data, (y * info.width + x) * 3);
        lumas.push(luma);
        saturations.push(saturation);
      }
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
    return { luma: median(lumas), saturation: median(saturations) };
  };
  // A toothy smile whose corners the warp squeezed into two pointed teeth (fangs) toward
  // sadness. (The astronaut's broader grin has its lips closed over the teeth instead, closeMouth;
  // the test above.)
  for (const name of ['portrait-anne-helene-smile.jpg']) {
    it(`${name}: toward sadness, fear, anger and disgust the teeth at the mouth corners go (under a quarter of the original's); amusement keeps them`, async () => {
      const image = await checkImage(readFileSync(new URL(`../fixtures/images/${name}`, import.meta.url)));
      const edit = (target: Emotion) => facialEdit(renderer, image, target);
      const lip = await lipsOf(image.bytes);
      const original = await cornerTeeth(image.bytes, lip);
      assert.ok(original >= 15, `the original shows ${original} teeth pixels at the corners`);
      const rows: string[] = [];
      for (const target of ['sadness', 'fear', 'anger', 'disgust'] as const) {
        const left = await cornerTeeth(await edit(target), lip);
        rows.push(`${target} ${left}`);
        assert.ok(left < 0.25 * original, `${target}: corner teeth pixels ${original} → ${left} (${rows.join(', ')})`);
      }
      const amused = await cornerTeeth(await edit('amusement'), lip);
      assert.ok(amused > 0.6 * original, `amusement: corner teeth pixels ${original} → ${amused}`);
    });
  }
});

describe('the caption says what carries the feeling (withFaceNote)', () => {
  it('adds the note once, replaces a stale one, and does not excuse a caption that speaks of no face', () => {
    const sad = 'Her smile fades into a quiet, downcast face.';
    const once = withFaceNote(sad, 'open-smile');
    assert.equal(once, `${sad} ${FACE_NOTES['open-smile']}`);
    assert.equal(withFaceNote(once, 'open-smile'), once, 'a retry does not add it twice');
    assert.equal(withFaceNote(once, undefined), sad, 'a render whose face carried it drops the note');
    assert.equal(withFaceNote(once, 'no-face'), `${sad} ${FACE_NOTES['no-face']}`);
    const landscape = 'The mountains sink under cold grey fog.';
    assert.equal(withFaceNote(landscape, 'no-face'), landscape);
  });
});
