/**
 * Editor benchmark: turns per second and latency percentiles of the Editor itself, with the
 * memory store, the rules normaliser, the knowledge planner and a renderer that returns its
 * input (so what is measured is the Editor's own work: parsing, planning, bookkeeping, storing).
 * Baseline in the same run: one bare store round trip (load + update) per turn.
 * Goal: p99 under 2 ms.
 */
import { percentile } from './helpers/stats.ts';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { Editor } from '../src/editor.ts';
import { RulesNormaliser } from '../src/normaliser/rules-normaliser.ts';
import { KnowledgePlanner } from '../src/planner/knowledge-planner.ts';
import type { Renderer } from '../src/renderer/renderer.ts';
import { MemoryConversationStore } from '../src/store/memory-store.ts';
import type { Turn } from '../src/turn.ts';

const SCRIPT = [
  'make it sadder',
  'more',
  'less',
  'undo',
  'redo',
  'now make it calm',
  'a bit scarier',
  'try again',
  'go back',
  'start over',
];

const photo = await sharp(new URL('../test/fixtures/images/chelsea.png', import.meta.url).pathname)
  .jpeg({ quality: 90 })
  .toBuffer();
const passThrough: Renderer = { name: 'pass-through', render: async (request) => request.image };
const store = new MemoryConversationStore();
const editor = new Editor({
  store,
  normaliser: new RulesNormaliser(),
  planner: new KnowledgePlanner(),
  renderer: passThrough,
});

let message = 0;
const turn = (user: string, text: string, image?: Buffer): Turn => ({
  key: { platform: 'bench', chat: 'c', user },
  messageId: String(++message),
  text,
  images: image ? [{ declaredBytes: image.length, fetch: async () => image }] : [],
  actor: { id: user, name: user, isModerator: false },
});

interface Scenario {
  name: string;
  people: number;
  turnsPerPerson: number;
}

/** Runs every person's script interleaved, the way many chats arrive at one bot. */
async function run(scenario: Scenario): Promise<{ latencies: number[]; baseline: number[]; seconds: number }> {
  const people = Array.from({ length: scenario.people }, (_, i) => `${scenario.name}-${i}`);
  // Each person's photo is already sent (the photo turn decodes and checks the picture, the
  // input checks' cost, which the tone-renderer benchmark's floor covers).
  for (const person of people) await editor.handle(turn(person, '', photo));
  const latencies: number[] = [];
  const baseline: number[] = [];
  const started = performance.now();
  for (let round = 0; round < scenario.turnsPerPerson; round++) {
    for (const person of people) {
      const start = performance.now();
      await editor.handle(turn(person, SCRIPT[round % SCRIPT.length]!));
      latencies.push(performance.now() - start);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  // Baseline, same conversations as they are now: one bare store round trip per turn.
  for (let i = 0; i < latencies.length; i++) {
    const key = { platform: 'bench', chat: 'c', user: people[i % people.length]! };
    const start = performance.now();
    await store.load(key);
    await store.update(key, (c) => {
      c.updatedAt = Date.now();
    });
    baseline.push(performance.now() - start);
  }
  return { latencies, baseline, seconds };
}

// Warm-up (JIT, caches) on people who are not measured.
await run({ name: 'warm-up', people: 5, turnsPerPerson: 20 });
const typical = await run({ name: 'typical', people: 100, turnsPerPerson: 30 });
const long = await run({ name: 'long', people: 10, turnsPerPerson: 300 });

const rows: string[][] = [];
const json: Record<string, unknown> = { bench: 'editor', goalP99Ms: 2 };
for (const [label, result] of [
  ['typical: 100 people × 30 turns', typical],
  ['long: 10 people × 300 turns (history at its 200-edit bound)', long],
] as const) {
  const p50 = percentile(result.latencies, 50);
  const p99 = percentile(result.latencies, 99);
  const base = percentile(result.baseline, 50);
  const perSecond = result.latencies.length / result.seconds;
  rows.push([`${label}: store load + update p50 (baseline)`, `${base.toFixed(3)} ms`, '1.00×']);
  rows.push([`${label}: turn p50`, `${p50.toFixed(3)} ms`, `${(p50 / base).toFixed(1)}×`]);
  rows.push([`${label}: turn p99 (goal < 2 ms)`, `${p99.toFixed(3)} ms`, `${(p99 / 2).toFixed(2)}× goal`]);
  rows.push([`${label}: turns per second`, perSecond.toFixed(0), '']);
  json[label.split(':')[0]!] = {
    baselineP50Ms: base,
    p50Ms: p50,
    p99Ms: p99,
    turnsPerSecond: perSecond,
    turns: result.latencies.length,
  };
}
console.log('| measure | value | ratio |\n| --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(JSON.stringify(json));
await store.close();
