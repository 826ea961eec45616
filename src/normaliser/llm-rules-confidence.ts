/**
 * @module When the rules normaliser's reading is good enough that the language model need not
 * be asked (`MOODSHIFT_LLM_MODE=fallback`). The rules are fast and exact on the short English
 * commands they were written for; outside them they either say `unknown` or guess from a few
 * words, and that is where the model earns its time.
 */
import type { Intent } from '../intent.ts';
import { EMOTION_WORD_INDEX, OTHER_LANGUAGE_WORD_INDEX, foldText } from '../lexicon.ts';

/** Why the rules' reading is not trusted on its own (or `undefined` when it is). */
export type RulesDoubt = 'not-understood' | 'other-language' | 'other-script' | 'long-message';

/** Words and phrases the rules know only from their small vocabulary of five other languages. */
const FOREIGN_ONLY_WORDS = new RegExp(
  `(?:^|[^\\p{L}])(?:${[...OTHER_LANGUAGE_WORD_INDEX.keys()]
    .filter((word) => !EMOTION_WORD_INDEX.has(word))
    .sort((a, b) => b.length - a.length)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|')})(?![\\p{L}])`,
  'u',
);

/** Letters of any script but Latin (Cyrillic, Greek, Arabic, Han, …). */
const NON_LATIN_LETTER = /(?!\p{Script=Latin})\p{L}/u;

/**
 * Whether the rules' reading of `text` should be checked by the model, and why:
 * - the rules did not understand it (`unknown`, unless they recognised it as not a request);
 * - it leans on the rules' few words of French, Spanish, German, Italian or Portuguese, so the
 *   rest of the sentence (a negation, an intensity, an element) went unread;
 * - it is written in a script other than Latin;
 * - it is longer than `longMessageWords` words, where negations and corrections add up.
 * Slash commands are always trusted.
 */
export function doubtAboutRules(text: string, intent: Intent, longMessageWords: number): RulesDoubt | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('/')) return undefined;
  // What is not a request (a greeting, a question, distress, an attempt at new instructions) was
  // recognised as such: it needs no model, and instruction text is never sent to one.
  if (intent.kind === 'unknown' && intent.notARequest) return undefined;
  if (intent.kind === 'unknown') return 'not-understood';
  if (NON_LATIN_LETTER.test(trimmed)) return 'other-script';
  if (FOREIGN_ONLY_WORDS.test(foldText(trimmed))) return 'other-language';
  if (trimmed.split(/\s+/).length > longMessageWords) return 'long-message';
  return undefined;
}
