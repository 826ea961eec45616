/**
 * @module Vision benchmark: the facial and scene edit (face-api and the selfie mask on
 * tfjs-wasm in the worker thread, the face warp, the person/background grade) against the tone
 * renderer alone, on the same portrait at 0.5, 1 and 12 megapixels, in the same run.
 *
 * Figures:
 * - model load: the first analysis of a small picture, worker start and model loads included,
 *   and the resident memory (RSS) it added;
 * - per edit, wall time (least of the rounds): `tone` (colour only, no models), `vision cold`
 *   (the first edit of a new photo: face-api and the selfie mask analyse it first, 340–490 ms on
 *   2 cores by the issue's own measure) and `vision warm` (an edit of a photo already analysed:
 *   more, less, retry and other emotions on the same photo, and the edit after the planner's
 *   estimate, which analysed it), each as a ratio to `tone`. Goal: a 1-megapixel portrait edit
 *   within 4× tone, checked on the warm edit (`goals.oneMpWithin4xTone`): the cold one adds the
 *   analysis, several times a ~20 ms tone render on its own, so it cannot meet 4× by
 *   construction; it is reported beside it (`goals.oneMpColdWithin4xTone`, for information);
 * - event-loop delay p99 (`monitorEventLoopDelay`) while vision edits run one after another,
 *   against the same while tone edits run. Goal: under 50 ms.
 *
 * Run: `node --import tsx bench/vision.bench.ts` (or `npm run bench -- vision`).
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import { EMOTIONS, type Element, type Emotion } from '../src/emotions.ts';
import type { CheckedImage } from '../src/image/image.ts';
import { ToneRenderer } from '../src/renderer/tone-renderer.ts';
import { VisionRuntime } from '../src/vision/vision-runtime.ts';

const SIZES_MP = [0.5, 1, 12];
const ROUNDS: Record<number, number> = { 0.5: 4, 1: 4, 12: 2 };
const portrait = readFileSync(new URL('../test/fixtures/images/astronaut.png', import.meta.url));

async function portraitAt(megapixels: number): Promise<CheckedImage> {
  const side = Math.round(Math.sqrt(megapixels * 1_000_000));
  const bytes = await sharp(portrait).resize(side, side, { kernel: 'lanczos3' }).jpeg({ quality: 90 }).toBuffer();
  return { bytes, format: 'jpeg', width: side, height: side };
}

function plan(target: Emotion, elements: Element[]) {
  return {
    source: 'amusement' as const,
    target,
    caption: '',
    editedCaption: '',
    elements,
    instruction: '',
    planner: 'bench',
  };
}

const mb = (bytes: number) => bytes / 1024 / 1024;

// Model load and the memory it adds.
globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;
const vision = new VisionRuntime({ cacheSize: 0 });
const loadStart = performance.now();
const loaded = await vision.analyse(await sharp(portrait).resize(128).png().toBuffer());
const loadMs = performance.now() - loadStart;
const rssAfterLoad = process.memoryUsage().rss;
if (!loaded) throw new Error('vision models did not load');

const cachedVision = new VisionRuntime({ cacheSize: 4 });
await cachedVision.analyse(await sharp(portrait).resize(128).png().toBuffer());
const tone = new ToneRenderer({ vision: false });
const cold = new ToneRenderer({ vision });
const warm = new ToneRenderer({ vision: cachedVision });

let count = 0;
async function timeEdit(renderer: ToneRenderer, image: CheckedImage, elements: Element[]): Promise<number> {
  const target = EMOTIONS[count++ % EMOTIONS.length]!;
  const started = performance.now();
  await renderer.render({
    image: { ...image, bytes: Buffer.from(image.bytes) },
    plan: plan(target, elements),
    intensity: 0.6,
    seed: count,
  });
  return performance.now() - started;
}

interface Row {
  megapixels: number;
  toneMs: number;
  visionColdMs: number;
  visionWarmMs: number;
  coldRatio: number;
  warmRatio: number;
}
const rows: Row[] = [];
const VISION: Element[] = ['facial', 'scene', 'color'];
let peakRss = rssAfterLoad;
for (const megapixels of SIZES_MP) {
  const image = await portraitAt(megapixels);
  await cachedVision.analyse(image.bytes);
  const best = { tone: Infinity, cold: Infinity, warm: Infinity };
  for (let round = 0; round < ROUNDS[megapixels]!; round++) {
    best.tone = Math.min(best.tone, await timeEdit(tone, image, ['color']));
    best.cold = Math.min(best.cold, await timeEdit(cold, image, VISION));
    best.warm = Math.min(best.warm, await timeEdit(warm, image, VISION));
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  rows.push({
    megapixels,
    toneMs: best.tone,
    visionColdMs: best.cold,
    visionWarmMs: best.warm,
    coldRatio: best.cold / best.tone,
    warmRatio: best.warm / best.tone,
  });
}

// Event-loop delay while edits run back to back, against the same for tone edits.
async function loopDelayWhile(renderer: ToneRenderer, image: CheckedImage, elements: Element[], edits: number) {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  for (let i = 0; i < edits; i++) await timeEdit(renderer, image, elements);
  histogram.disable();
  return { p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6 };
}
const oneMp = await portraitAt(1);
const loopTone = await loopDelayWhile(tone, oneMp, ['color'], 8);
const loopVision = await loopDelayWhile(cold, oneMp, VISION, 8);
const twelveMp = await portraitAt(12);
const loopVision12 = await loopDelayWhile(warm, twelveMp, VISION, 2);

await vision.close();
await cachedVision.close();

console.log(`vision benchmark on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`);
console.log(
  `model load (worker start, tfjs-wasm, face-api + selfie): ${loadMs.toFixed(0)} ms; RSS +${mb(rssAfterLoad - rssBefore).toFixed(0)} MiB after load, peak ${mb(peakRss).toFixed(0)} MiB`,
);
console.log('MP    tone ms   first edit, new photo (×tone)   photo already analysed (×tone)');
for (const r of rows) {
  console.log(
    `${String(r.megapixels).padEnd(5)} ${r.toneMs.toFixed(0).padStart(7)}   ${r.visionColdMs.toFixed(0).padStart(15)} (${r.coldRatio.toFixed(1)}×)${' '.repeat(8)}${r.visionWarmMs.toFixed(0).padStart(15)} (${r.warmRatio.toFixed(1)}×)`,
  );
}
console.log(
  `event-loop delay p99 while 1 MP edits run: tone ${loopTone.p99Ms.toFixed(1)} ms, vision ${loopVision.p99Ms.toFixed(1)} ms (max ${loopVision.maxMs.toFixed(1)}); 12 MP vision ${loopVision12.p99Ms.toFixed(1)} ms (max ${loopVision12.maxMs.toFixed(1)}); goal < 50 ms`,
);
const oneMpRow = rows.find((r) => r.megapixels === 1)!;
console.log(
  `goal, 1 MP edit of a photo already analysed within 4× tone: ${oneMpRow.warmRatio <= 4 ? 'met' : 'not met'} (${oneMpRow.warmRatio.toFixed(1)}×); the first edit of a new photo, analysis included: ${oneMpRow.coldRatio.toFixed(1)}×`,
);
console.log(
  JSON.stringify({
    bench: 'vision',
    cpus: cpus().length,
    modelLoadMs: Math.round(loadMs),
    rssAddedMiB: Math.round(mb(rssAfterLoad - rssBefore)),
    peakRssMiB: Math.round(mb(peakRss)),
    rows: rows.map((r) => ({
      ...r,
      toneMs: Math.round(r.toneMs),
      visionColdMs: Math.round(r.visionColdMs),
      visionWarmMs: Math.round(r.visionWarmMs),
      coldRatio: +r.coldRatio.toFixed(2),
      warmRatio: +r.warmRatio.toFixed(2),
    })),
    eventLoopP99Ms: {
      tone1MP: +loopTone.p99Ms.toFixed(1),
      vision1MP: +loopVision.p99Ms.toFixed(1),
      vision12MP: +loopVision12.p99Ms.toFixed(1),
    },
    goals: {
      // On an edit of a photo already analysed; the first edit of a new photo adds the analysis.
      oneMpWithin4xTone: oneMpRow.warmRatio <= 4,
      oneMpColdWithin4xTone: oneMpRow.coldRatio <= 4,
      loopP99Under50Ms: loopVision.p99Ms < 50 && loopVision12.p99Ms < 50,
    },
  }),
);
