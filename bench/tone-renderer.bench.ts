/**
 * @module Tone renderer benchmark: time per edit on each shared photo and on a 12-megapixel JPEG
 * the bench makes itself, against the floor measured in the same run: sharp decoding the same
 * file, applying one colour operation (`linear`) and encoding it with the same settings.
 * Goal: at most 1.5× the floor.
 *
 * Two edit figures: `warm` is the edit as the engine runs it, where the planner has already
 * read the picture's 64-pixel thumbnail (cached by content, `thumbnail-cache.ts`), as it also is
 * for `more`, `less`, `retry` and other emotions on the same photo; `cold` empties that cache
 * before every edit, so the renderer decodes the thumbnail itself.
 *
 * Run: `node --import tsx bench/tone-renderer.bench.ts`. Floor and edit runs alternate. The
 * figures are CPU time of the whole process (every libvips thread included) per operation, the
 * least of the rounds: on a shared, busy machine wall time swings several-fold with other
 * people's work, and even CPU time grows with it (caches, memory bandwidth), never shrinks, so
 * the least is the figure closest to the code's own cost. The best wall times are in the table
 * and JSON too.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import sharp from 'sharp';
import { EMOTIONS } from '../src/emotions.ts';
import { checkImage } from '../src/image/input-checks.ts';
import { clearThumbnailCache, thumbnailOf } from '../src/image/thumbnail-cache.ts';
import type { CheckedImage } from '../src/image/image.ts';
import { canonicalInstruction } from '../src/intent.ts';
import { ToneRenderer } from '../src/renderer/tone-renderer.ts';

const GOAL_RATIO = 1.5;
const PHOTOS = ['astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg', 'hubble_deep_field.jpg'];

const renderer = new ToneRenderer();
const { jpegQuality, webpQuality, pngCompressionLevel, pngAdaptiveFiltering } = renderer.options;

/** The floor: decode, one colour operation, encode at the renderer's settings. */
async function floor(image: CheckedImage): Promise<Buffer> {
  const pipeline = sharp(image.bytes).linear(1.05, -4);
  const encoded =
    image.format === 'jpeg'
      ? pipeline.jpeg({ quality: jpegQuality })
      : image.format === 'webp'
        ? pipeline.webp({ quality: webpQuality })
        : pipeline.png({ compressionLevel: pngCompressionLevel, adaptiveFiltering: pngAdaptiveFiltering });
  return encoded.toBuffer();
}

let editCount = 0;
async function edit(image: CheckedImage): Promise<Buffer> {
  const target = EMOTIONS[editCount++ % EMOTIONS.length]!;
  // A fresh copy of the bytes each time: no cache can help, as when the original comes back from the store.
  const result = await renderer.render({
    image: { ...image, bytes: Buffer.from(image.bytes) },
    plan: {
      source: 'contentment',
      target,
      caption: '',
      editedCaption: '',
      elements: ['color'],
      instruction: canonicalInstruction(target, 'contentment'),
      planner: 'bench',
    },
    intensity: 0.6,
    seed: editCount,
  });
  return result.bytes;
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

async function timed(run: () => Promise<unknown>): Promise<Timing> {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  await run();
  const cpu = process.cpuUsage(cpuStart);
  return { wallMs: performance.now() - wallStart, cpuMs: (cpu.user + cpu.system) / 1000 };
}

interface Row {
  picture: string;
  format: string;
  megapixels: number;
  /** Least CPU ms of the floor: decode, one `linear`, encode. */
  floorMs: number;
  /** Least CPU ms of an edit with the thumbnail already cached (as in the engine, after planning). */
  warmMs: number;
  /** Least CPU ms of an edit that reads the picture for the first time. */
  coldMs: number;
  warmRatio: number;
  coldRatio: number;
  /** Best wall-clock ms of each. */
  bestWallMs: { floor: number; warm: number; cold: number };
}

async function measure(name: string, image: CheckedImage, rounds: number): Promise<Row> {
  await floor(image);
  await edit(image);
  const floorTimes: Timing[] = [];
  const warmTimes: Timing[] = [];
  const coldTimes: Timing[] = [];
  for (let i = 0; i < rounds; i++) {
    floorTimes.push(await timed(() => floor(image)));
    await thumbnailOf(image.bytes);
    warmTimes.push(await timed(() => edit(image)));
    clearThumbnailCache();
    coldTimes.push(await timed(() => edit(image)));
  }
  const round1 = (ms: number) => Math.round(ms * 10) / 10;
  const cpu = (times: Timing[]) => Math.min(...times.map((t) => t.cpuMs));
  const wall = (times: Timing[]) => round1(Math.min(...times.map((t) => t.wallMs)));
  const [floorMs, warmMs, coldMs] = [cpu(floorTimes), cpu(warmTimes), cpu(coldTimes)];
  return {
    picture: name,
    format: image.format,
    megapixels: Math.round((image.width * image.height) / 1e5) / 10,
    floorMs: round1(floorMs),
    warmMs: round1(warmMs),
    coldMs: round1(coldMs),
    warmRatio: Math.round((warmMs / floorMs) * 100) / 100,
    coldRatio: Math.round((coldMs / floorMs) * 100) / 100,
    bestWallMs: { floor: wall(floorTimes), warm: wall(warmTimes), cold: wall(coldTimes) },
  };
}

const rows: Row[] = [];
for (const name of PHOTOS) {
  const image = await checkImage(readFileSync(new URL(`../test/fixtures/images/${name}`, import.meta.url)));
  rows.push(await measure(name, image, 20));
}
const twelveMegapixels = await sharp(readFileSync(new URL('../test/fixtures/images/astronaut.png', import.meta.url)))
  .resize(4240, 2832, { fit: 'fill' })
  .jpeg({ quality: 90 })
  .toBuffer();
rows.push(await measure('astronaut 4240×2832 (generated)', await checkImage(twelveMegapixels), 7));

const header = [
  'picture',
  'format',
  'MP',
  'floor cpu ms',
  'edit cpu ms (warm)',
  'warm / floor',
  'edit cpu ms (cold)',
  'cold / floor',
  'best wall ms floor / warm / cold',
];
const table = [
  header,
  ...rows.map((r) => [
    r.picture,
    r.format,
    String(r.megapixels),
    String(r.floorMs),
    String(r.warmMs),
    `${r.warmRatio}×`,
    String(r.coldMs),
    `${r.coldRatio}×`,
    `${r.bestWallMs.floor} / ${r.bestWallMs.warm} / ${r.bestWallMs.cold}`,
  ]),
];
const width = header.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
for (const row of table) console.log(row.map((cell, column) => cell.padEnd(width[column]!)).join('  '));
const worstWarm = Math.max(...rows.map((r) => r.warmRatio));
const worstCold = Math.max(...rows.map((r) => r.coldRatio));
console.log(
  `worst ratio ${worstWarm}× warm, ${worstCold}× cold (goal ≤ ${GOAL_RATIO}×) on ${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, load average ${loadavg()[0]!.toFixed(1)}`,
);
console.log(
  JSON.stringify({
    bench: 'tone-renderer',
    goalRatio: GOAL_RATIO,
    worstWarmRatio: worstWarm,
    worstColdRatio: worstCold,
    meetsGoal: worstWarm <= GOAL_RATIO,
    cores: availableParallelism(),
    loadAverage: Math.round(loadavg()[0]! * 10) / 10,
    rows,
  }),
);
