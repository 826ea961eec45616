/**
 * @module Blocked-word matching that survives the usual evasions and leaves innocent words alone.
 *
 * Both the blocked words and the text are reduced to the same skeleton, one character at a time:
 * Unicode NFKC (full-width and "fancy" letters become plain ones), lower case, diacritics
 * stripped, invisible characters dropped, look-alike letters folded (Cyrillic and Greek
 * homoglyphs to Latin; `0→o`, `1 ! | l→i`, `3→e`, `4 @→a`, `5 $→s`, `7→t`). The text is then read
 * twice: once with every symbol as a space, and once with symbols *inside* a word removed
 * (`g.o.r.e` → `gore`) and runs of three or more single characters joined (`g o r e` → `gore`).
 *
 * A blocked word matches only as a whole word of the skeleton (so "grape" and "Scunthorpe" pass),
 * with any of its letters repeated (`goooore`), an optional plural `s`/`es`, and the words of a
 * phrase written apart or together (`self harm`, `self-harm`, `selfharm`). Each character of the
 * skeleton remembers where it came from, so a match can be masked in the original text.
 */

/** Look-alike characters folded to the Latin letter they imitate (after lower-casing). */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  // Digits and symbols of "leetspeak". `1` and `l` both become `i`, since `1` stands for either
  // (`!` and `|` too, but only before a letter: see `foldedTokens`).
  '0': 'o', '1': 'i', l: 'i', '3': 'e', '4': 'a', '@': 'a', '5': 's', $: 's', '7': 't',
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ї: 'i', ј: 'j', ѕ: 's', ԁ: 'd', һ: 'h', ԛ: 'q', ԝ: 'w', ӏ: 'i',
  // Greek
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ς: 's',
  // Latin letters that look like others
  ɡ: 'g', ı: 'i', ſ: 's', ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ł: 'i', ħ: 'h',
};

const WORD_CHAR = /[\p{L}\p{N}]/u;
const MARKS = /\p{M}/gu;
/** Format characters (zero-width space and joiners, soft hyphen, direction marks). */
const INVISIBLE = /^[\p{Cf}\u034f\u115f\u1160\u3164\uffa0]$/u;

/** Text reduced to its matching skeleton; `origin[i]` is the index in the original text of `text[i]`. */
export interface Skeleton {
  text: string;
  origin: number[];
}

/** Folds one character of the original text (one code point) to zero or more skeleton characters. */
function foldCharacter(character: string): string {
  const code = character.charCodeAt(0);
  // Plain ASCII letters and spaces are the common case: skip the Unicode work.
  if (character.length === 1 && code < 128) {
    const lower = code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : character;
    return LOOK_ALIKES[lower] ?? lower;
  }
  if (INVISIBLE.test(character)) return '';
  let folded = '';
  for (const part of character.normalize('NFKC').toLowerCase().normalize('NFD').replace(MARKS, '')) {
    folded += LOOK_ALIKES[part] ?? part;
  }
  return folded;
}

function isWordChar(character: string): boolean {
  const code = character.charCodeAt(0);
  if (code < 128) return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
  return WORD_CHAR.test(character);
}

function isSpace(character: string): boolean {
  return character === ' ' || /\s/u.test(character);
}

interface Token {
  chars: string[];
  origin: number[];
}

/** Splits the folded text into whitespace-separated tokens, keeping only word characters inside each. */
function foldedTokens(text: string): { spaced: Skeleton; tokens: Token[] } {
  const spacedChars: string[] = [];
  const spacedOrigin: number[] = [];
  const tokens: Token[] = [];
  let current: Token | undefined;
  let index = 0;
  const characters = [...text];
  for (let position = 0; position < characters.length; position++) {
    const character = characters[position]!;
    // `!` and `|` stand for `i` inside a word ("k!ll"), but "gory!!!" ends with punctuation.
    const folded =
      (character === '!' || character === '|') && isWordChar(foldCharacter(characters[position + 1] ?? ' ') || ' ')
        ? 'i'
        : foldCharacter(character);
    for (const part of folded) {
      const word = isWordChar(part);
      spacedChars.push(word ? part : ' ');
      spacedOrigin.push(index);
      if (word) {
        current ??= { chars: [], origin: [] };
        current.chars.push(part);
        current.origin.push(index);
      } else if (isSpace(part) && current) {
        tokens.push(current);
        current = undefined;
      }
    }
    index += character.length;
  }
  if (current) tokens.push(current);
  return { spaced: { text: spacedChars.join(''), origin: spacedOrigin }, tokens };
}

/** Joins `tokens` into one skeleton; runs of three or more single characters are written together, keeping `keepApart` (first/last) of each run of four or more apart. */
function joinTokens(tokens: Token[], keepApart: 'none' | 'first' | 'last'): { skeleton: Skeleton; joinedRuns: number } {
  const chars: string[] = [];
  const origin: number[] = [];
  let joinedRuns = 0;
  const emit = (from: number, to: number) => {
    if (chars.length) {
      chars.push(' ');
      origin.push(origin[origin.length - 1]!);
    }
    for (let t = from; t < to; t++) {
      chars.push(...tokens[t]!.chars);
      origin.push(...tokens[t]!.origin);
    }
  };
  let i = 0;
  while (i < tokens.length) {
    let end = i;
    while (end < tokens.length && tokens[end]!.chars.length === 1) end++;
    if (end - i < 3) {
      emit(i, i + 1);
      i++;
      continue;
    }
    joinedRuns++;
    if (keepApart === 'first' && end - i >= 4) {
      emit(i, i + 1);
      emit(i + 1, end);
    } else if (keepApart === 'last' && end - i >= 4) {
      emit(i, end - 1);
      emit(end - 1, end);
    } else emit(i, end);
    i = end;
  }
  return { skeleton: { text: chars.join(''), origin }, joinedRuns };
}

/**
 * The skeletons of a text: `spaced` (every symbol a space), and the `joined` ones (symbols inside
 * words removed, runs of three or more single characters joined: `g o r e` → `gore`). A run may
 * start or end with a real one-letter word ("like a c l o w n"), so runs of four or more are also
 * read with their first, and with their last, character kept apart.
 */
export function skeletons(text: string): { spaced: Skeleton; joined: Skeleton[] } {
  const { spaced, tokens } = foldedTokens(text);
  const full = joinTokens(tokens, 'none');
  const joined = [full.skeleton];
  if (full.joinedRuns) joined.push(joinTokens(tokens, 'first').skeleton, joinTokens(tokens, 'last').skeleton);
  return { spaced, joined };
}

/** The skeleton of a blocked word or phrase: its tokens, as written in a policy. */
export function wordSkeleton(word: string): string[] {
  return skeletons(word)
    .joined[0]!.text.split(' ')
    .filter(Boolean);
}

function escapeForRegExp(character: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(character) ? `\\${character}` : character;
}

/** `gore` → `g+o+r+e+`; a run of n equal letters needs at least n (so `boob` does not match `bob`). */
function tokenPattern(token: string): string {
  let pattern = '';
  for (let i = 0; i < token.length; ) {
    let end = i + 1;
    while (end < token.length && token[end] === token[i]) end++;
    const count = end - i;
    pattern += escapeForRegExp(token[i]!) + (count === 1 ? '+' : `{${count},}`);
    i = end;
  }
  return pattern;
}

function phrasePattern(tokens: string[]): string {
  return tokens.map(tokenPattern).join(' ?') + '(?:e?s+)?';
}

const BOUNDARY_BEFORE = '(?<![\\p{L}\\p{N}])';
const BOUNDARY_AFTER = '(?![\\p{L}\\p{N}])';

/** Where a blocked word was found: which entry, and the span of the original text to mask. */
export interface WordMatch<T> {
  entry: T;
  start: number;
  /** Exclusive. */
  end: number;
}

/**
 * A compiled list of blocked words. `T` is whatever the caller attaches to each word
 * (its scope, its category); `find` returns it with the span of the first match.
 */
export class WordMatcher<T> {
  readonly size: number;
  readonly #any: RegExp | undefined;
  readonly #each: Array<{ pattern: RegExp; entry: T }>;

  constructor(words: Iterable<{ word: string; entry: T }>) {
    const seen = new Set<string>();
    this.#each = [];
    for (const { word, entry } of words) {
      const tokens = wordSkeleton(word);
      if (tokens.length === 0) continue;
      const source = phrasePattern(tokens);
      if (seen.has(source)) continue;
      seen.add(source);
      this.#each.push({ pattern: new RegExp(BOUNDARY_BEFORE + source + BOUNDARY_AFTER, 'u'), entry });
    }
    this.size = this.#each.length;
    this.#any = this.#each.length
      ? new RegExp(`${BOUNDARY_BEFORE}(?:${[...seen].join('|')})${BOUNDARY_AFTER}`, 'u')
      : undefined;
  }

  /** The first blocked word found in `text`, or undefined. */
  find(text: string): WordMatch<T> | undefined {
    if (!this.#any || !text) return undefined;
    const { spaced, joined } = skeletons(text);
    for (const skeleton of [spaced, ...joined]) {
      if (!this.#any.test(skeleton.text)) continue;
      for (const { pattern, entry } of this.#each) {
        const found = pattern.exec(skeleton.text);
        if (!found) continue;
        const start = skeleton.origin[found.index]!;
        const last = skeleton.origin[found.index + found[0].length - 1]!;
        return { entry, start, end: last + (text.codePointAt(last)! > 0xffff ? 2 : 1) };
      }
    }
    return undefined;
  }

  /**
   * `text` with every blocked word replaced by `▇▇▇`, for the audit log. Masks repeatedly
   * (at most 20 times) so that a second blocked word in the same text is not kept either.
   */
  redact(text: string): string {
    let redacted = text;
    for (let round = 0; round < 20; round++) {
      const found = this.find(redacted);
      if (!found) return redacted;
      redacted = redacted.slice(0, found.start) + '▇▇▇' + redacted.slice(found.end);
    }
    return redacted;
  }
}
