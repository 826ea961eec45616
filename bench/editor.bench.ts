/**
 * Editor benchmark: turns per second and latency percentiles of the Editor itself, with the
 * memory store, the rules normaliser, the knowledge planner and a renderer that returns its
 * input (so what is measured is the Editor's own work: parsing, planning, bookkeeping, storing).
 * Baseline in the same run: one bare store round trip (load + update) per turn.
 * Goal: p99 under 2 ms.
 */
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { Editor } from '../src/editor.ts';
import { RulesNormaliser } from '../src/normaliser/rules-normaliser.ts';
import { KnowledgePlanner } from '../src/planner/knowledge-planner.ts';
import type { Renderer } from '../src/renderer/renderer.ts';
import { MemoryConversationStore } from '../src/store/memory-store.ts';
import type { Turn } from '../src/turn.ts';

const TURNS = 3000;
const SCRIPT = ['make it sadder', 'more', 'less', 'undo', 'redo', 'now make it calm', 'a bit scarier', 'try again', 'go back', 'start over'];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const photo = await sharp(new URL('../test/fixtures/images/chelsea.png', import.meta.url).pathname).jpeg({ quality: 90 }).toBuffer();
const passThrough: Renderer = { name: 'pass-through', render: async (request) => request.image };
const store = new MemoryConversationStore();
const editor = new Editor({ store, normaliser: new RulesNormaliser(), planner: new KnowledgePlanner(), renderer: passThrough });

let message = 0;
const turn = (user: string, text: string, image?: Buffer): Turn => ({
  key: { platform: 'bench', chat: 'c', user },
  messageId: String(++message),
  text,
  images: image ? [{ declaredBytes: image.length, fetch: async () => image }] : [],
  actor: { id: user, name: user, isModerator: false },
});

// Ten people, each with their photo already sent (the photo turn decodes and checks the picture,
// which is the input checks' cost, measured by the tone-renderer benchmark's floor).
const people = Array.from({ length: 10 }, (_, i) => `person-${i}`);
for (const person of people) await editor.handle(turn(person, '', photo));
for (let i = 0; i < 200; i++) await editor.handle(turn(people[i % people.length]!, SCRIPT[i % SCRIPT.length]!)); // warm-up

const baseline: number[] = [];
for (let i = 0; i < TURNS; i++) {
  const key = { platform: 'bench', chat: 'c', user: people[i % people.length]! };
  const start = performance.now();
  await store.load(key);
  await store.update(key, (c) => {
    c.updatedAt = Date.now();
  });
  baseline.push(performance.now() - start);
}

const latencies: number[] = [];
const outcomes: Record<string, number> = {};
editor.onTurn = (report) => (outcomes[report.outcome] = (outcomes[report.outcome] ?? 0) + 1);
const started = performance.now();
for (let i = 0; i < TURNS; i++) {
  const start = performance.now();
  await editor.handle(turn(people[i % people.length]!, SCRIPT[Math.floor(i / people.length) % SCRIPT.length]!));
  latencies.push(performance.now() - start);
}
const seconds = (performance.now() - started) / 1000;

const p50 = percentile(latencies, 50);
const p99 = percentile(latencies, 99);
const rows = [
  ['store load + update (baseline) p50', `${percentile(baseline, 50).toFixed(3)} ms`, '1.00×'],
  ['Editor turn p50', `${p50.toFixed(3)} ms`, `${(p50 / percentile(baseline, 50)).toFixed(1)}×`],
  ['Editor turn p99 (goal < 2 ms)', `${p99.toFixed(3)} ms`, `${(p99 / 2).toFixed(2)}× goal`],
  ['turns per second', (TURNS / seconds).toFixed(0), ''],
];
console.log('| measure | value | ratio |\n| --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(`outcomes: ${JSON.stringify(outcomes)}`);
console.log(
  JSON.stringify({
    bench: 'editor',
    turns: TURNS,
    baselineP50Ms: percentile(baseline, 50),
    p50Ms: p50,
    p99Ms: p99,
    turnsPerSecond: TURNS / seconds,
    outcomes,
  }),
);
await store.close();
