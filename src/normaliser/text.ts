/**
 * @module Cleaning and splitting a message into words, before anything is read from it.
 */
import * as languages from './lexicon/index.ts';

// Local copies of the imported values read in the hot loops: under tsx an imported binding is read through a getter.
const { UNSPACED_SCRIPT, segmentUnspaced } = languages;

/** Anything `clean` has work to do on; plain words and punctuation (most messages) skip it. */
const NEEDS_CLEANING = /[^\x20-\x7e]|[<>@*~|`=-]|https?:/i;

/** Drops what is not words: mentions, links, markup, control characters, broken surrogates. */
export function clean(text: string): string {
  if (!NEEDS_CLEANING.test(text)) return text.trim();
  return (
    text
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, ' ')
      // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b\u2060\ufeff]/g, ' ')
      .replace(/<a?:([\w~]+):\d+>/g, ' $1 ') // Discord custom emoji: keep the name (":sad_cat:")
      .replace(/<[@#][!&]?\d+>/g, ' ') // Discord user, role and channel mentions
      .replace(/\bhttps?:\/\/\S+/gi, ' ')
      .replace(/\s*(?:->|=>|-+>|→|⟶|➡\ufe0f?)\s*/g, ' → ') // arrows survive the folding of hyphens
      .replace(/(^|\s)@[\w.]+/g, '$1 ')
      .replace(/[*~|`]+/g, ' ')
      .trim()
  );
}

const TOKEN = /\p{Extended_Pictographic}|[\p{L}\p{N}]+(?:'[\p{L}]+)*|->|=>|[→,.;:!?+%/]/gu;

const ASCII_TOKEN = /[a-z0-9]+(?:'[a-z]+)*|->|=>|[,.;:!?+%/]/g;

export function tokenise(folded: string): string[] {
  const ascii = /^[\x20-\x7e]*$/.test(folded);
  let words: string[] = folded.match(ascii ? ASCII_TOKEN : TOKEN) ?? [];
  // Japanese and Chinese have no spaces: split their runs at the words the lexicons know.
  if (!ascii && UNSPACED_SCRIPT.test(folded))
    words = words.flatMap((w) => (UNSPACED_SCRIPT.test(w) ? segmentUnspaced(w) : [w]));
  // "don't" and "dont", "it's" and "its" read the same.
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    // "the cat's face": a possessive is the word itself.
    if (w.includes("'")) words[i] = APOSTROPHE_FORMS[w] ?? (w.endsWith("'s") ? w.slice(0, -2) : w);
  }
  return words;
}

const APOSTROPHE_FORMS: Readonly<Record<string, string>> = {
  "don't": 'dont',
  "doesn't": 'doesnt',
  "didn't": 'didnt',
  "isn't": 'isnt',
  "aren't": 'arent',
  "wasn't": 'wasnt',
  "shouldn't": 'shouldnt',
  "can't": 'cant',
  "won't": 'wont',
  "it's": 'its',
  "that's": 'thats',
  "i'm": 'im',
  "let's": 'lets',
  "i've": 'ive',
  "you're": 'youre',
  "i'd": 'id',
  "wouldn't": 'wouldnt',
  "couldn't": 'couldnt',
  "haven't": 'havent',
  "ain't": 'aint',
};

/** For each word that begins a phrase of several words in `indexes`, the most words such a phrase has. */
export function phraseStarts(...indexes: ReadonlyMap<string, unknown>[]): ReadonlyMap<string, number> {
  const starts = new Map<string, number>();
  for (const index of indexes) {
    for (const key of index.keys()) {
      const parts = key.split(' ');
      if (parts.length > 1) starts.set(parts[0]!, Math.max(starts.get(parts[0]!) ?? 1, parts.length));
    }
  }
  return starts;
}
/** The words `words[i]`, …, `words[i + n - 1]` joined by spaces. */
export function joinWords(words: readonly string[], i: number, n: number): string {
  let key = words[i]!;
  for (let k = 1; k < n; k++) key += ' ' + words[i + k]!;
  return key;
}
