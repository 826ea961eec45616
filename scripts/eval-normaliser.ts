/**
 * @module `npm run eval:normaliser`: accuracy of the normalisers on every labelled request set
 * of `test/fixtures/normaliser/` (see `REQUEST_SETS`), each reported separately per Intent kind,
 * per category (where the set labels one) and per language, as tables and one JSON line.
 *
 * The rules normaliser always runs. When `LLM_BASE_URL` is set (with `LLM_API_KEY` and
 * `LLM_MODEL` as needed) and `src/normaliser/llm-normaliser.ts` is present, the language-model
 * normaliser runs too, with the rules as its fallback; `MOODSHIFT_LLM_MODE=always` measures the
 * model on every request rather than only where the rules are unsure.
 *
 * Options: `--set all|labelled|held-out|held-out-2|eval|real-chat|real-chat-held-out` (default
 * `all`), `--failures` to list every miss. Exits with status 1 when the rules get less than 97%
 * of the English requests of `eval` right.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Intent, Normaliser } from '../src/intent.ts';
import { RulesNormaliser } from '../src/normaliser/rules-normaliser.ts';
import { REQUEST_SETS, judge, loadRequestSet } from '../test/normaliser/request-sets.ts';
import type { LabelledRequest, RequestSetName } from '../test/normaliser/request-sets.ts';

const ENGLISH_GOAL = 0.97;
const LLM_MODULE = new URL('../src/normaliser/llm-normaliser.ts', import.meta.url);

const { values } = parseArgs({
  options: { set: { type: 'string', default: 'all' }, failures: { type: 'boolean', default: false } },
});
if (values.set !== 'all' && !(REQUEST_SETS as readonly string[]).includes(values.set)) {
  console.error(`--set must be all, ${REQUEST_SETS.join(', ')} (got ${values.set}).`);
  process.exit(2);
}
const setNames: readonly RequestSetName[] = values.set === 'all' ? REQUEST_SETS : [values.set as RequestSetName];

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
  byCategory: Record<string, Tally & { accuracy: number }>;
  failures: string[];
  seconds: number;
}

async function evaluate(normaliser: Normaliser, items: LabelledRequest[]): Promise<Report> {
  const byKind = new Map<string, Tally>();
  const byLanguage = new Map<string, Tally>();
  const byCategory = new Map<string, Tally>();
  const failures: string[] = [];
  const started = performance.now();
  for (const item of items) {
    let intent: Intent;
    try {
      intent = await normaliser.normalise(
        item.text,
        item.current ? { current: item.current, hasImage: true } : { hasImage: true },
      );
    } catch (error) {
      intent = { kind: 'unknown' };
      failures.push(`line ${item.line}: ${JSON.stringify(item.text)} threw ${String(error)}`);
    }
    const failure = judge(intent, item);
    if (failure && !failures.some((f) => f.startsWith(`line ${item.line}:`))) failures.push(failure);
    const tallies = [
      [byKind, item.expect.kind],
      [byLanguage, item.lang ?? '?'],
    ] as [Map<string, Tally>, string][];
    if (item.category) tallies.push([byCategory, item.category]);
    for (const [map, key] of tallies) {
      const tally = map.get(key) ?? { total: 0, correct: 0 };
      tally.total++;
      if (!failure) tally.correct++;
      map.set(key, tally);
    }
  }
  const withAccuracy = (map: Map<string, Tally>) =>
    Object.fromEntries(
      [...map]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, t]) => [k, { ...t, accuracy: round(t.correct / t.total) }]),
    );
  const correct = items.length - failures.length;
  return {
    normaliser: normaliser.name,
    total: items.length,
    correct,
    accuracy: round(correct / items.length),
    byKind: withAccuracy(byKind),
    byLanguage: withAccuracy(byLanguage),
    byCategory: withAccuracy(byCategory),
    failures,
    seconds: round((performance.now() - started) / 1000),
  };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function table(title: string, rows: Record<string, Tally & { accuracy: number }>): string {
  const lines = [`${title.padEnd(16)} ${'n'.padStart(5)} ${'right'.padStart(6)} ${'accuracy'.padStart(9)}`];
  for (const [key, t] of Object.entries(rows)) {
    lines.push(
      `${key.padEnd(16)} ${String(t.total).padStart(5)} ${String(t.correct).padStart(6)} ${(t.accuracy * 100).toFixed(1).padStart(8)}%`,
    );
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
    | ((options: {
        config: Record<string, string | undefined>;
        fallback: Normaliser;
      }) => Normaliser | Promise<Normaliser>)
    | undefined;
  if (typeof create !== 'function') {
    console.error(
      'src/normaliser/llm-normaliser.ts exports neither createLlmNormaliser nor createNormaliser: evaluating the rules only.',
    );
    return undefined;
  }
  return create({
    config: { llmBaseUrl: baseUrl, llmApiKey: process.env.LLM_API_KEY, llmModel: process.env.LLM_MODEL },
    fallback,
  });
}

const rules = new RulesNormaliser();
const model = await languageModelNormaliser(rules);
const results: { set: RequestSetName; reports: Report[] }[] = [];
for (const setName of setNames) {
  const items = loadRequestSet(setName);
  const reports: Report[] = [await evaluate(rules, items)];
  if (model) reports.push(await evaluate(model, items));
  results.push({ set: setName, reports });
  for (const report of reports) {
    console.log(
      `\n${report.normaliser} normaliser on ${setName}.jsonl: ${report.correct}/${report.total} right (${(report.accuracy * 100).toFixed(1)}%) in ${report.seconds} s`,
    );
    console.log(table('kind', report.byKind));
    if (Object.keys(report.byCategory).length > 0) console.log('\n' + table('category', report.byCategory));
    console.log('\n' + table('language', report.byLanguage));
    if (values.failures && report.failures.length > 0) console.log(`\nmisses:\n  ${report.failures.join('\n  ')}`);
  }
}
// How often the model was asked, answered, or fell back to the rules (when the normaliser counts it).
const withStats = model as (Normaliser & { stats?: () => unknown }) | undefined;
const modelStats: unknown = typeof withStats?.stats === 'function' ? withStats.stats() : undefined;
if (modelStats) console.log(`\nllm normaliser counters: ${JSON.stringify(modelStats)}`);
const english = results.find((r) => r.set === 'eval')?.reports[0]?.byLanguage.en;
console.log(
  '\n' +
    JSON.stringify({
      evaluation: 'normaliser',
      sets: setNames,
      englishGoal: ENGLISH_GOAL,
      results: results.map(({ set, reports }) => ({
        set,
        reports: reports.map(({ failures, ...rest }) => ({ ...rest, misses: failures.length })),
      })),
      ...(modelStats ? { llmStats: modelStats } : {}),
    }),
);
if (english && english.accuracy < ENGLISH_GOAL) {
  console.error(
    `The rules normaliser got ${(english.accuracy * 100).toFixed(1)}% of the English requests of eval.jsonl right; the goal is ${ENGLISH_GOAL * 100}%.`,
  );
  process.exit(1);
}
