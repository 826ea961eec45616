/**
 * @module One-typo tolerance for emotion words: "terrifiyng" → terrifying, "depresing" → depressing.
 *
 * A word of five letters or more is read as a lexicon word when it is exactly one edit (a letter
 * missing, extra, changed, or two neighbours swapped) away from emotion words of a single
 * emotion. Real English words are never "corrected": {@link TYPO_STOPLIST} lists every English
 * word one edit away from a lexicon word ("better" is not "bitter", "violet" is not "violent").
 * Lookups use symmetric deletes, so one costs a few map reads.
 */
import { EMOTION_WORD_INDEX } from '../lexicon.ts';
import type { EmotionWord } from '../lexicon.ts';
import { TYPO_STOPLIST } from './typo-stoplist.ts';

const MIN_LENGTH = 5;

/** Each string with one letter removed. */
export function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/** Whether `a` and `b` are at most one insertion, deletion, substitution or adjacent swap apart. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** Single lexicon words worth correcting toward: letters only, long enough to be distinctive. */
export function correctableWords(): string[] {
  return [...EMOTION_WORD_INDEX.keys()].filter((w) => w.length >= MIN_LENGTH && /^[a-z]+$/.test(w));
}

const DELETION_INDEX: ReadonlyMap<string, readonly string[]> = (() => {
  const index = new Map<string, string[]>();
  const add = (key: string, word: string): void => {
    const list = index.get(key);
    if (!list) index.set(key, [word]);
    else if (!list.includes(word)) list.push(word);
  };
  for (const word of correctableWords()) {
    add(word, word);
    for (const d of deletions(word)) add(d, word);
  }
  return index;
})();

/** The lexicon words exactly one edit away from `token` (not counting `token` itself). */
export function lexiconNeighbours(token: string): string[] {
  const found = new Set<string>();
  for (const key of [token, ...deletions(token)]) {
    for (const word of DELETION_INDEX.get(key) ?? []) if (word !== token && withinOneEdit(word, token)) found.add(word);
  }
  return [...found];
}

/** The emotion word `token` is one typo away from, if it is a typo of one emotion's words only. */
export function findTypoCorrection(token: string): EmotionWord | undefined {
  if (token.length < MIN_LENGTH || TYPO_STOPLIST.has(token)) return undefined;
  let best: EmotionWord | undefined;
  for (const word of lexiconNeighbours(token)) {
    const entry = EMOTION_WORD_INDEX.get(word)!;
    if (best && best.emotion !== entry.emotion) return undefined; // ambiguous between emotions
    if (!best || entry.form === 'base') best = entry;
  }
  return best;
}
