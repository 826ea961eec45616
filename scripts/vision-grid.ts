/**
 * Renders every shared portrait (and two sky pictures) toward every emotion with the default
 * renderer (facial, scene and colour, real vision models) for judging by eye:
 *
 * - `test-results/vision-grid.png`: whole pictures (the light, the scene, the sky);
 * - `test-results/vision-grid-faces.png`: the same edits cropped around the faces.
 *
 * Usage: `node --import tsx scripts/vision-grid.ts [--intensity 0.6] [--seed 1] [--only name,...] [--out prefix]`
 * (images are read from ../shared/fixtures/images when present, else test/fixtures/images).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import sharp, { type OverlayOptions } from 'sharp';
import { EMOTIONS, EMOTION_TABLE, type Emotion } from '../src/emotions.ts';
import { checkImage } from '../src/image/input-checks.ts';
import { ToneRenderer } from '../src/renderer/tone-renderer.ts';
import { acceptedFaces, gateFaces } from '../src/vision/face-gate.ts';
import { VisionRuntime } from '../src/vision/vision-runtime.ts';

const { values } = parseArgs({
  options: {
    intensity: { type: 'string', default: '0.6' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
    out: { type: 'string', default: 'vision-grid' },
  },
});
const shared = new URL('../../shared/fixtures/images/', import.meta.url);
const local = new URL('../test/fixtures/images/', import.meta.url);
const folder = existsSync(shared) ? shared : local;
const NAMES = [
  'astronaut.png',
  'portrait-grace-hopper.jpg',
  'portrait-jesper-smirk.jpg',
  'portrait-anne-helene-smile.jpg',
  'portrait-cameraman-gray.png',
  'group-couple-toast.jpg',
  'landscape-mountains-blue-sky.jpg',
  'city-skyline-sunset.jpg',
].filter(
  (name) => existsSync(new URL(name, folder)) && (!values.only || values.only.split(',').some((o) => name.includes(o))),
);

const vision = new VisionRuntime({ cacheSize: 32 });
const renderer = new ToneRenderer({ vision });
const intensity = Number(values.intensity);
const seed = Number(values.seed);
const cell = 220;
const columns = ['original', ...EMOTIONS];
const whole: OverlayOptions[] = [];
const crops: OverlayOptions[] = [];
let row = 0;
let faceRow = 0;
for (const name of NAMES) {
  const image = await checkImage(readFileSync(new URL(name, folder)));
  const analysis = await vision.analyse(image.bytes);
  const faces = acceptedFaces(gateFaces(analysis.faces, analysis));
  let crop: { left: number; top: number; width: number; height: number } | undefined;
  if (faces.length > 0) {
    const x0 = Math.max(0, Math.min(...faces.map((f) => f.face.box.x - 0.35 * f.face.box.width)));
    const y0 = Math.max(0, Math.min(...faces.map((f) => f.face.box.y - 0.35 * f.face.box.height)));
    const x1 = Math.min(image.width, Math.max(...faces.map((f) => f.face.box.x + 1.35 * f.face.box.width)));
    const y1 = Math.min(image.height, Math.max(...faces.map((f) => f.face.box.y + 1.35 * f.face.box.height)));
    crop = { left: Math.round(x0), top: Math.round(y0), width: Math.round(x1 - x0), height: Math.round(y1 - y0) };
  }
  const started = performance.now();
  for (const [k, column] of columns.entries()) {
    const bytes =
      column === 'original'
        ? image.bytes
        : (
            await renderer.render({
              image,
              plan: {
                source: 'contentment',
                target: column as Emotion,
                caption: '',
                editedCaption: '',
                elements: ['facial', 'scene', 'color'],
                instruction: '',
                planner: 'grid',
              },
              intensity,
              seed,
            })
          ).bytes;
    whole.push({
      input: await sharp(bytes).resize(cell, cell, { fit: 'contain', background: '#111' }).png().toBuffer(),
      left: k * cell,
      top: 24 + row * cell,
    });
    if (crop)
      crops.push({
        input: await sharp(bytes)
          .extract(crop)
          .resize(cell, cell, { fit: 'contain', background: '#111' })
          .png()
          .toBuffer(),
        left: k * cell,
        top: 24 + faceRow * cell,
      });
  }
  console.log(`${name}: ${faces.length} face(s), ${((performance.now() - started) / 8).toFixed(0)} ms an edit`);
  row++;
  if (crop) faceRow++;
}
await vision.close();

const labels = columns
  .map(
    (label, k) =>
      `<text x="${k * cell + 8}" y="17" font-size="15" fill="white" font-family="sans-serif">${label}${k > 0 && EMOTION_TABLE[label as Emotion].valence === 'negative' ? ' (−)' : ''}</text>`,
  )
  .join('');
const header = {
  input: Buffer.from(`<svg width="${columns.length * cell}" height="24">${labels}</svg>`),
  left: 0,
  top: 0,
};
mkdirSync(new URL('../test-results/', import.meta.url), { recursive: true });
for (const [suffix, tiles, rows] of [
  ['', whole, row],
  ['-faces', crops, faceRow],
] as const) {
  if (rows === 0) continue;
  const path = new URL(`../test-results/${values.out}${suffix}.png`, import.meta.url).pathname;
  await sharp({ create: { width: columns.length * cell, height: 24 + rows * cell, channels: 3, background: '#111' } })
    .composite([...tiles, header])
    .png()
    .toFile(path);
  console.log(`wrote ${path}`);
}
