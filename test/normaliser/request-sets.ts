/**
 * The labelled request sets of `test/fixtures/normaliser/` and how an answer is judged against
 * one. An item is `{"text", "current"?, "lang"?, "expect": {kind, target?, source?, intensity?,
 * direction?, elements?}}`. Judging is strict: every field of the answer must match, an edit
 * without `intensity` expects the default (0.6), and one without `source` or `elements` expects
 * none. Shared by the tests and `scripts/eval-normaliser.ts`.
 */
import { readFileSync } from 'node:fs';
import { isEmotion } from '../../src/emotions.ts';
import type { Emotion } from '../../src/emotions.ts';
import { INTENSITY } from '../../src/intent.ts';
import type { Intent } from '../../src/intent.ts';
import { intentToJson } from '../../src/normaliser/rules-normaliser.ts';
import type { IntentJson } from '../../src/normaliser/rules-normaliser.ts';

export interface LabelledRequest {
  text: string;
  current?: Emotion;
  lang?: string;
  /** What kind of phrasing the item tests (`negation`, `idiom`, `not-a-request`…); the new sets label every item. */
  category?: string;
  expect: Omit<IntentJson, 'instruction'>;
  /** 1-based line in its file, for messages. */
  line: number;
}

/**
 * `labelled`: tuned on. `held-out`: written before the normaliser, never tuned on. `held-out-2`:
 * written late, after the rules, and measured once before any change. `eval`: issue 9's set.
 */
export type RequestSetName = 'labelled' | 'held-out' | 'held-out-2' | 'eval' | 'real-chat' | 'real-chat-held-out';

/**
 * Every set, in the order `npm run eval:normaliser` reports them. `real-chat` (issue 17: negation,
 * contrast, idioms and scenes, actions, follow-ups, redo, intensity words, what is not a request,
 * nine more languages) is tuned on; `real-chat-held-out` was written with it, before the rules
 * that read it, and is never tuned on.
 */
export const REQUEST_SETS: readonly RequestSetName[] = [
  'labelled',
  'held-out',
  'held-out-2',
  'eval',
  'real-chat',
  'real-chat-held-out',
];

export function requestSetPath(name: RequestSetName): URL {
  return new URL(`../fixtures/normaliser/${name}.jsonl`, import.meta.url);
}

export function loadRequestSet(name: RequestSetName): LabelledRequest[] {
  const items: LabelledRequest[] = [];
  readFileSync(requestSetPath(name), 'utf8')
    .split('\n')
    .forEach((raw, index) => {
      if (!raw.trim()) return;
      const parsed = JSON.parse(raw) as Omit<LabelledRequest, 'line'>;
      if (typeof parsed.text !== 'string' || !parsed.expect || typeof parsed.expect.kind !== 'string') {
        throw new Error(`${name}.jsonl line ${index + 1}: needs "text" and "expect.kind"`);
      }
      if (parsed.current !== undefined && !isEmotion(parsed.current)) {
        throw new Error(`${name}.jsonl line ${index + 1}: "current" ${String(parsed.current)} is not an emotion`);
      }
      items.push({ ...parsed, line: index + 1 });
    });
  return items;
}

function canonical(json: Omit<IntentJson, 'instruction'>): string {
  const value: Record<string, unknown> = { kind: json.kind };
  if (json.kind === 'edit') {
    value.target = json.target;
    value.source = json.source ?? null;
    value.intensity = json.intensity ?? INTENSITY.medium;
    value.elements = [...(json.elements ?? [])].sort();
  }
  if (json.kind === 'refine') value.direction = json.direction;
  return JSON.stringify(value);
}

/** `notARequest` and `negated` are judged only where the item names them (the older sets do not). */
function canonicalUnknownDetails(
  json: Omit<IntentJson, 'instruction'>,
  expected: Omit<IntentJson, 'instruction'>,
): string {
  if (json.kind !== 'unknown' || expected.kind !== 'unknown') return '';
  const value: Record<string, unknown> = {};
  if ('notARequest' in expected) value.notARequest = json.notARequest ?? null;
  if ('negated' in expected) value.negated = json.negated ?? null;
  return Object.keys(value).length > 0 ? ' ' + JSON.stringify(value) : '';
}

/** `undefined` when `intent` is the labelled answer; otherwise a line saying what differs. */
export function judge(intent: Intent, item: LabelledRequest): string | undefined {
  const got = intentToJson(intent);
  delete got.instruction;
  const a = canonical(got) + canonicalUnknownDetails(got, item.expect);
  const b = canonical(item.expect) + canonicalUnknownDetails(item.expect, item.expect);
  if (a === b) return undefined;
  const context = item.current ? ` (current: ${item.current})` : '';
  return `line ${item.line}: ${JSON.stringify(item.text)}${context}\n    got      ${a}\n    expected ${b}`;
}
