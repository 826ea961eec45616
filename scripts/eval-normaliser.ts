/**
 * @module `npm run eval:normaliser`: accuracy of the normalisers on the labelled evaluation set
 * (`test/fixtures/normaliser/eval.jsonl`), per Intent kind and per language, as tables and one
 * JSON line.
 *
 * The rules normaliser always runs. When `LLM_BASE_URL` is set (with `LLM_API_KEY` and
 * `LLM_MODEL` as needed) and `src/normaliser/llm-normaliser.ts` is present, the language-model
 * normaliser runs too, with the rules as its fallback; `MOODSHIFT_LLM_MODE=always` measures the
 * model on every request rather than only where the rules are unsure.
 *
 * Options: `--set labelled|held-out|held-out-2|eval` (default `eval`), `--failures` to list every miss.
 * Exits with status 1 when the rules get less than 97% of the English requests right.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Intent, Normaliser } from '../src/intent.ts';
import { RulesNormaliser } from '../src/normaliser/rules-normaliser.ts';
import { judge, loadRequestSet } from '../test/normaliser/request-sets.ts';
import type { LabelledRequest, RequestSetName } from '../test/normaliser/request-sets.ts';

const ENGLISH_GOAL = 0.97;
const LLM_MODULE = new URL('../src/normaliser/llm-normaliser.ts', import.meta.url);

const { values } = parseArgs({
  options: { set: { type: 'string', default: 'eval' }, failures: { type: 'boolean', default: false } },
});
const setName = values.set as RequestSetName;
if (!['labelled', 'held-out', 'held-out-2', 'eval'].includes(setName)) {
  console.error(`--set must be labelled, held-out, held-out-2 or eval (got ${setName}).`);
  process.exit(2);
}

interface Tally {
  total: number;
  correct: number;
}
interface Report {
  normaliser: string;
  total: number;
  correct: number;
  accuracy: number;
  byKind: Record<string, Tally & { accuracy: number }>;
  byLanguage: Record<string, Tally & { accuracy: number }>;
  failures: string[];
  seconds: number;
}

async function evaluate(normaliser: Normaliser, items: LabelledRequest[]): Promise<Report> {
  const byKind = new Map<string, Tally>();
  const byLanguage = new Map<string, Tally>();
  const failures: string[] = [];
  const started = performance.now();
  for (const item of items) {
    let intent: Intent;
    try {
      intent = await normaliser.normalise(item.text, item.current ? { current: item.current, hasImage: true } : { hasImage: true });
    } catch (error) {
      intent = { kind: 'unknown' };
      failures.push(`line ${item.line}: ${JSON.stringify(item.text)} threw ${String(error)}`);
    }
    const failure = judge(intent, item);
    if (failure && !failures.some((f) => f.startsWith(`line ${item.line}:`))) failures.push(failure);
    for (const [map, key] of [[byKind, item.expect.kind], [byLanguage, item.lang ?? '?']] as const) {
      const tally = map.get(key) ?? { total: 0, correct: 0 };
      tally.total++;
      if (!failure) tally.correct++;
      map.set(key, tally);
    }
  }
  const withAccuracy = (map: Map<string, Tally>) =>
    Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)).map(([k, t]) => [k, { ...t, accuracy: round(t.correct / t.total) }]));
  const correct = items.length - failures.length;
  return {
    normaliser: normaliser.name,
    total: items.length,
    correct,
    accuracy: round(correct / items.length),
    byKind: withAccuracy(byKind),
    byLanguage: withAccuracy(byLanguage),
    failures,
    seconds: round((performance.now() - started) / 1000),
  };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function table(title: string, rows: Record<string, Tally & { accuracy: number }>): string {
  const lines = [`${title.padEnd(10)} ${'n'.padStart(5)} ${'right'.padStart(6)} ${'accuracy'.padStart(9)}`];
  for (const [key, t] of Object.entries(rows)) {
    lines.push(`${key.padEnd(10)} ${String(t.total).padStart(5)} ${String(t.correct).padStart(6)} ${(t.accuracy * 100).toFixed(1).padStart(8)}%`);
  }
  return lines.join('\n');
}

/** The language-model normaliser, when it is configured and its module exists; otherwise `undefined`. */
async function languageModelNormaliser(fallback: Normaliser): Promise<Normaliser | undefined> {
  const baseUrl = process.env.LLM_BASE_URL;
  if (!baseUrl) return undefined;
  if (!existsSync(LLM_MODULE)) {
    console.error('LLM_BASE_URL is set but src/normaliser/llm-normaliser.ts is missing: evaluating the rules only.');
    return undefined;
  }
  const module = (await import(LLM_MODULE.href)) as Record<string, unknown>;
  const create = (module.createLlmNormaliser ?? module.createNormaliser) as
    | ((options: { config: Record<string, string | undefined>; fallback: Normaliser }) => Normaliser | Promise<Normaliser>)
    | undefined;
  if (typeof create !== 'function') {
    console.error('src/normaliser/llm-normaliser.ts exports neither createLlmNormaliser nor createNormaliser: evaluating the rules only.');
    return undefined;
  }
  return create({
    config: { llmBaseUrl: baseUrl, llmApiKey: process.env.LLM_API_KEY, llmModel: process.env.LLM_MODEL },
    fallback,
  });
}

const items = loadRequestSet(setName);
const rules = new RulesNormaliser();
const reports: Report[] = [await evaluate(rules, items)];
const model = await languageModelNormaliser(rules);
let modelStats: unknown;
if (model) {
  reports.push(await evaluate(model, items));
  // How often the model was asked, answered, or fell back to the rules (when the normaliser counts it).
  const withStats = model as Normaliser & { stats?: () => unknown };
  if (typeof withStats.stats === 'function') modelStats = withStats.stats();
}

for (const report of reports) {
  console.log(`\n${report.normaliser} normaliser on ${setName}.jsonl: ${report.correct}/${report.total} right (${(report.accuracy * 100).toFixed(1)}%) in ${report.seconds} s`);
  console.log(table('kind', report.byKind));
  console.log();
  console.log(table('language', report.byLanguage));
  if (values.failures && report.failures.length > 0) console.log(`\nmisses:\n  ${report.failures.join('\n  ')}`);
}
if (modelStats) console.log(`\nllm normaliser counters: ${JSON.stringify(modelStats)}`);
const english = reports[0]!.byLanguage.en;
console.log(
  '\n' +
    JSON.stringify({
      evaluation: 'normaliser',
      set: setName,
      englishGoal: ENGLISH_GOAL,
      results: reports.map(({ failures, ...rest }) => ({ ...rest, misses: failures.length })),
      ...(modelStats ? { llmStats: modelStats } : {}),
    }),
);
if (english && english.accuracy < ENGLISH_GOAL) {
  console.error(`The rules normaliser got ${(english.accuracy * 100).toFixed(1)}% of the English requests right; the goal is ${ENGLISH_GOAL * 100}%.`);
  process.exit(1);
}
