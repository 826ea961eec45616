/**
 * @module Decode bombs (issue 13): peak resident memory and answer time while two of each bomb
 * (a 40 000 000 × 1 PNG, a 1 × 40 000 000 PNG, a 6000 × 6000 progressive JPEG of thousands of
 * scans, a JPEG whose header claims 6000 × 6000 over 640 × 427 of data) arrive at once, each from
 * its own person, and a bystander checks and edits a 1 MP photo at the same time. Then a 48 MP
 * phone JPEG's check + edit against a 12 MP one's. Goals: peak RSS under 1.5 GB, each bomb
 * answered within 5 s, the bystander within 3 s. Prints a table and one JSON line.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { blackPng } from '../test/helpers/hand-built-png.ts';
import sharp from 'sharp';
import { checkImage } from '../src/image/input-checks.ts';
import type { CheckedImage } from '../src/image/image.ts';
import { ToneRenderer } from '../src/renderer/tone-renderer.ts';
import { canonicalInstruction } from '../src/intent.ts';

async function noiseJpeg(width: number, height: number, quality: number, progressive = false): Promise<Buffer> {
  const [w, h] = [Math.ceil(width / 8), Math.ceil(height / 8)];
  const small = Buffer.alloc(w * h * 3);
  let state = 5;
  for (let i = 0; i < small.length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    small[i] = state >>> 23;
  }
  return sharp(small, { raw: { width: w, height: h, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .jpeg({ quality, progressive })
    .toBuffer();
}

async function scanBomb(): Promise<Buffer> {
  const base = await sharp({ create: { width: 6000, height: 6000, channels: 3, background: '#777' } })
    .jpeg({ quality: 50, progressive: true })
    .toBuffer();
  const sos = base.lastIndexOf(Buffer.from([0xff, 0xda]));
  const scan = base.subarray(sos, base.length - 2);
  const copies = Math.min(10_000, Math.floor((19 * 1024 * 1024 - base.length) / scan.length));
  return Buffer.concat([
    base.subarray(0, base.length - 2),
    ...Array<Buffer>(copies).fill(scan),
    Buffer.from([0xff, 0xd9]),
  ]);
}

async function lyingJpeg(): Promise<Buffer> {
  const forged = Buffer.from(await noiseJpeg(640, 427, 80));
  for (let i = 2; i + 9 < forged.length; i += 2 + forged.readUInt16BE(i + 2)) {
    if (forged[i + 1] === 0xc0) {
      forged.writeUInt16BE(6000, i + 5);
      forged.writeUInt16BE(6000, i + 7);
      break;
    }
  }
  return forged;
}

const renderer = new ToneRenderer();
async function edit(image: CheckedImage, seed: number): Promise<void> {
  await renderer.render({
    image,
    plan: {
      source: 'contentment',
      target: 'sadness',
      caption: '',
      editedCaption: '',
      elements: ['color'],
      instruction: canonicalInstruction('sadness', 'contentment'),
      planner: 'bench',
    },
    intensity: 0.6,
    seed,
  });
}

interface Outcome {
  name: string;
  ms: number;
  answer: string;
}

async function answer(name: string, work: () => Promise<unknown>): Promise<Outcome> {
  const start = performance.now();
  let text = 'accepted';
  try {
    await work();
  } catch (error) {
    text = error instanceof Error ? error.message.slice(0, 60) : String(error);
  }
  return { name, ms: Math.round(performance.now() - start), answer: text };
}

const bombs: [string, Buffer][] = [
  ['PNG 40 000 000 × 1', blackPng(40_000_000, 1)],
  ['PNG 1 × 40 000 000', blackPng(1, 40_000_000)],
  ['progressive JPEG 6000² of many scans', await scanBomb()],
  ['JPEG claiming 6000² over 640 × 427', await lyingJpeg()],
];
const bystanderPhoto = await noiseJpeg(1224, 816, 85);
const photo12 = await noiseJpeg(4000, 3000, 85);
const photo48 = await noiseJpeg(8000, 6000, 85);
if (global.gc) global.gc();

const baselineRss = process.memoryUsage().rss;
let peakRss = baselineRss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 10);
let person = 0;
const outcomes = await Promise.all([
  ...bombs.flatMap(([name, bytes]) =>
    [0, 1].map(() => answer(name, () => checkImage(bytes, { owner: `attacker-${person++}` }))),
  ),
  answer('bystander: check + edit 1 MP', async () => edit(await checkImage(bystanderPhoto, { owner: 'bystander' }), 1)),
]);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

const editTime = async (bytes: Buffer) => {
  const start = performance.now();
  const image = await checkImage(bytes, { owner: 'phone' });
  await edit(image, 2);
  return { ms: Math.round(performance.now() - start), size: `${image.width} × ${image.height}` };
};
await editTime(photo12);
const twelve = await editTime(photo12);
const fortyEight = await editTime(photo48);
const vmHwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const rows = [
  ['request', 'ms', 'answer'],
  ...outcomes.map((o) => [o.name, String(o.ms), o.answer]),
  [`48 MP JPEG check + edit (working ${fortyEight.size})`, String(fortyEight.ms), ''],
  [`12 MP JPEG check + edit (working ${twelve.size})`, String(twelve.ms), ''],
];
const width = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(width[c]!)).join('  '));
const bombOutcomes = outcomes.slice(0, -1);
const bystander = outcomes.at(-1)!;
console.log(
  `RSS ${mb(baselineRss)} MB before, peak ${mb(peakRss)} MB during the bombs (goal < 1536 MB); slowest bomb ${Math.max(...bombOutcomes.map((o) => o.ms))} ms (goal ≤ 5000); bystander ${bystander.ms} ms (goal ≤ 3000); ${availableParallelism()} cores`,
);
console.log(
  JSON.stringify({
    bench: 'decode-bombs',
    baselineRssMb: mb(baselineRss),
    peakRssMb: mb(peakRss),
    vmHwmMb: vmHwm ? Math.round(Number(vmHwm) / 1024) : undefined,
    slowestBombMs: Math.max(...bombOutcomes.map((o) => o.ms)),
    bystanderMs: bystander.ms,
    bystanderAnswer: bystander.answer,
    edit48MpMs: fortyEight.ms,
    edit12MpMs: twelve.ms,
    outcomes,
  }),
);
