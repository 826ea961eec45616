/**
 * @module Rules normaliser throughput: requests parsed per second on one core over the labelled
 * request set, against a baseline measured in the same run over the same inputs (lower-casing
 * and splitting each request on white space, the least any reader of words must do).
 * Goal (issue 17): at least 100,000 requests per second (issue 2 asked for 50,000). Prints a
 * table and one JSON line.
 *
 *     node --import tsx bench/normaliser.bench.ts
 */
import { cpus } from 'node:os';
import type { NormaliseContext } from '../src/intent.ts';
import { normaliseText } from '../src/normaliser/rules-normaliser.ts';
import { loadRequestSet } from '../test/normaliser/request-sets.ts';

const GOAL_PER_SECOND = 100_000;
const ROUNDS = 5;
const MIN_ROUND_MS = 400;

const inputs: { text: string; context: NormaliseContext }[] = [
  ...loadRequestSet('labelled'),
  ...loadRequestSet('held-out'),
  ...loadRequestSet('eval'),
].map((item) => ({ text: item.text, context: item.current ? { current: item.current } : {} }));

let sink = 0;

function baseline(input: { text: string }): void {
  sink += input.text.toLowerCase().split(/\s+/).length;
}

function rules(input: { text: string; context: NormaliseContext }): void {
  sink += normaliseText(input.text, input.context).kind.length;
}

/** Requests per second of `work` over all inputs: the best of a few timed rounds after a warm-up. */
function measure(work: (input: (typeof inputs)[number]) => void): number {
  for (let i = 0; i < 3; i++) for (const input of inputs) work(input);
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let done = 0;
    const started = performance.now();
    let elapsed = 0;
    while (elapsed < MIN_ROUND_MS) {
      for (const input of inputs) work(input);
      done += inputs.length;
      elapsed = performance.now() - started;
    }
    best = Math.max(best, (done / elapsed) * 1000);
  }
  return best;
}

const baselinePerSecond = measure(baseline);
const rulesPerSecond = measure(rules);
const microseconds = 1e6 / rulesPerSecond;

const rows = [
  ['reader', 'requests/s', 'µs/request', 'ratio to baseline'],
  [
    'baseline (toLowerCase + split)',
    Math.round(baselinePerSecond).toLocaleString('en'),
    (1e6 / baselinePerSecond).toFixed(2),
    '1.00',
  ],
  [
    'rules normaliser',
    Math.round(rulesPerSecond).toLocaleString('en'),
    microseconds.toFixed(2),
    (baselinePerSecond / rulesPerSecond).toFixed(2) + '× slower',
  ],
];
const width = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
console.log(
  `Normaliser throughput on one core, ${inputs.length} distinct requests, best of ${ROUNDS} rounds (${cpus()[0]?.model ?? 'unknown CPU'})`,
);
for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(width[column]!)).join('  '));
console.log(
  `goal: ${GOAL_PER_SECOND.toLocaleString('en')} requests/s: ${rulesPerSecond >= GOAL_PER_SECOND ? 'met' : 'NOT met'}`,
);
console.log(
  JSON.stringify({
    bench: 'normaliser',
    requests: inputs.length,
    rulesPerSecond: Math.round(rulesPerSecond),
    baselinePerSecond: Math.round(baselinePerSecond),
    costRelativeToBaseline: Math.round((baselinePerSecond / rulesPerSecond) * 100) / 100,
    microsecondsPerRequest: Math.round(microseconds * 100) / 100,
    goalPerSecond: GOAL_PER_SECOND,
    goalMet: rulesPerSecond >= GOAL_PER_SECOND,
    checksum: sink % 1000,
  }),
);
