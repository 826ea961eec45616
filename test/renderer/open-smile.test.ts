/**
 * Open, toothy smiles toward a negative target: the lips close over the teeth (`shadeTeeth` in
 * `face-warp.ts`), against the real face model on astronaut.png (a broad grin, teeth apart from
 * the lips).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { Emotion } from '../../src/emotions.ts';
import type { CheckedImage } from '../../src/image/image.ts';
import { checkImage } from '../../src/image/input-checks.ts';
import { FACE_NOTES, withFaceNote } from '../../src/messages.ts';
import { cornerLift } from '../../src/renderer/face-warp.ts';
import { ToneRenderer } from '../../src/renderer/tone-renderer.ts';
import { acceptedFaces, gateFaces, toFrame } from '../../src/vision/face-gate.ts';
import { VisionRuntime } from '../../src/vision/vision-runtime.ts';
import type { FaceReading } from '../../src/vision/vision-types.ts';

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

  it('closes the lips over most of the teeth for sadness and anger, and leaves them for amusement', async () => {
    const original = await teethIn(image.bytes);
    assert.ok(original > 80, `the original grin shows ${original} teeth pixels`);
    const rows: string[] = [];
    for (const target of ['sadness', 'anger'] as const) {
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
      const edit = async (target: Emotion) =>
        (
          await renderer.render({
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
          })
        ).bytes;
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
