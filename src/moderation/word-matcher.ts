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
  '0': 'o',
  '1': 'i',
  l: 'i',
  '3': 'e',
  '4': 'a',
  '@': 'a',
  '5': 's',
  $: 's',
  '7': 't',
  // Cyrillic
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  һ: 'h',
  ԛ: 'q',
  ԝ: 'w',
  ӏ: 'i',
  // Greek
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ς: 's',
  // Latin letters that look like others
  ɡ: 'g',
  ı: 'i',
  ſ: 's',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ł: 'i',
  ħ: 'h',
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
  if (INVISIBLE.test(character)) return '';
  let folded = '';
  for (const part of character.normalize('NFKC').toLowerCase().normalize('NFD').replace(MARKS, '')) {
    folded += LOOK_ALIKES[part] ?? part;
  }
  return folded;
}

const OTHER = 0;
const WORD = 1;
const SPACE = 2;

/** Plain ASCII, the common case, folded through tables instead of Unicode work. */
const ASCII_FOLDED: string[] = [];
const ASCII_KIND: number[] = [];
for (let code = 0; code < 128; code++) {
  const character = String.fromCharCode(code).toLowerCase();
  const folded = LOOK_ALIKES[character] ?? character;
  ASCII_FOLDED.push(folded);
  ASCII_KIND.push(/^[a-z0-9]$/.test(folded) ? WORD : /^\s$/.test(folded) ? SPACE : OTHER);
}

function kindOf(part: string): number {
  const code = part.charCodeAt(0);
  if (code < 128) return ASCII_KIND[code]!;
  return WORD_CHAR.test(part) ? WORD : /\s/u.test(part) ? SPACE : OTHER;
}

interface Token {
  text: string;
  origin: number[];
}

interface FoldedText {
  spaced: Skeleton;
  tokens: Token[];
  /** Whether a symbol sits between two word characters of one token ("g.o.r.e"). */
  innerSymbols: boolean;
}

/** Splits the folded text into whitespace-separated tokens, keeping only word characters inside each. */
function foldText(text: string): FoldedText {
  let spaced = '';
  const spacedOrigin: number[] = [];
  const tokens: Token[] = [];
  let tokenText = '';
  let tokenOrigin: number[] = [];
  let symbolInToken = false;
  let innerSymbols = false;
  for (let index = 0; index < text.length;) {
    const code = text.charCodeAt(index);
    let folded: string;
    let width = 1;
    if (code < 128) {
      folded = ASCII_FOLDED[code]!;
      // `!` and `|` stand for `i` inside a word ("k!ll"), but "gory!!!" ends with punctuation.
      if ((code === 33 || code === 124) && index + 1 < text.length) {
        const next = text.charCodeAt(index + 1);
        if (
          next >= 128
            ? kindOf(foldCharacter(String.fromCodePoint(text.codePointAt(index + 1)!))) === WORD
            : ASCII_KIND[next] === WORD
        ) {
          folded = 'i';
        }
      }
    } else {
      const point = text.codePointAt(index)!;
      width = point > 0xffff ? 2 : 1;
      folded = foldCharacter(String.fromCodePoint(point));
    }
    for (let k = 0; k < folded.length; k++) {
      const part = folded[k]!;
      const kind = folded.length === 1 && code < 128 ? ASCII_KIND[code]! : kindOf(part);
      const word = kind === WORD || (folded === 'i' && (code === 33 || code === 124));
      spaced += word ? part : ' ';
      spacedOrigin.push(index);
      if (word) {
        if (symbolInToken && tokenText) innerSymbols = true;
        symbolInToken = false;
        tokenText += part;
        tokenOrigin.push(index);
      } else if (kind === SPACE) {
        if (tokenText) tokens.push({ text: tokenText, origin: tokenOrigin });
        tokenText = '';
        tokenOrigin = [];
        symbolInToken = false;
      } else symbolInToken = true;
    }
    index += width;
  }
  if (tokenText) tokens.push({ text: tokenText, origin: tokenOrigin });
  return { spaced: { text: spaced, origin: spacedOrigin }, tokens, innerSymbols };
}

/**
 * Joins `tokens` into one skeleton; runs of three or more single characters are written together,
 * keeping `keepApart` (the first or the last) of each run of four or more apart.
 */
function joinTokens(tokens: Token[], keepApart: 'none' | 'first' | 'last'): Skeleton {
  let text = '';
  const origin: number[] = [];
  const emit = (from: number, to: number) => {
    if (text) {
      text += ' ';
      origin.push(origin[origin.length - 1]!);
    }
    for (let t = from; t < to; t++) {
      text += tokens[t]!.text;
      for (const at of tokens[t]!.origin) origin.push(at);
    }
  };
  let i = 0;
  while (i < tokens.length) {
    let end = i;
    while (end < tokens.length && tokens[end]!.text.length === 1) end++;
    if (end - i < 3) {
      emit(i, i + 1);
      i++;
      continue;
    }
    if (keepApart === 'first' && end - i >= 4) {
      emit(i, i + 1);
      emit(i + 1, end);
    } else if (keepApart === 'last' && end - i >= 4) {
      emit(i, end - 1);
      emit(end - 1, end);
    } else emit(i, end);
    i = end;
  }
  return { text, origin };
}

function hasSingleCharacterRun(tokens: Token[]): boolean {
  let run = 0;
  for (const token of tokens) {
    run = token.text.length === 1 ? run + 1 : 0;
    if (run >= 3) return true;
  }
  return false;
}

/**
 * The skeletons of a text: `spaced` (every symbol a space), and the `joined` ones (symbols inside
 * words removed, runs of three or more single characters joined: `g o r e` → `gore`). A run may
 * start or end with a real one-letter word ("like a c l o w n"), so runs of four or more are also
 * read with their first, and with their last, character kept apart. `joined` is empty when it
 * would read the same as `spaced`.
 */
export function skeletons(text: string): { spaced: Skeleton; joined: Skeleton[] } {
  const { spaced, tokens, innerSymbols } = foldText(text);
  const runs = hasSingleCharacterRun(tokens);
  if (!runs && !innerSymbols) return { spaced, joined: [] };
  const joined = [joinTokens(tokens, 'none')];
  if (runs) joined.push(joinTokens(tokens, 'first'), joinTokens(tokens, 'last'));
  return { spaced, joined };
}

/** The skeleton of a blocked word or phrase: its tokens, as written in a policy. */
export function wordSkeleton(word: string): string[] {
  // Symbols separate words here, so that "self-harm" in a list also catches "self harm".
  return foldText(word).spaced.text.split(' ').filter(Boolean);
}

function escapeForRegExp(character: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(character) ? `\\${character}` : character;
}

/** `gore` → `g+o+r+e+`; a run of n equal letters needs at least n (so `boob` does not match `bob`). */
function tokenPattern(token: string): string {
  let pattern = '';
  for (let i = 0; i < token.length;) {
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

/**
 * Compiled patterns by source, shared by every matcher: a policy change recompiles only the words
 * that changed, not the whole default list. Bounded; cleared when full.
 */
const compiledPatterns = new Map<string, RegExp>();
const MAX_COMPILED_PATTERNS = 20_000;

function compile(source: string): RegExp {
  let pattern = compiledPatterns.get(source);
  if (!pattern) {
    if (compiledPatterns.size >= MAX_COMPILED_PATTERNS) compiledPatterns.clear();
    pattern = new RegExp(source, 'u');
    compiledPatterns.set(source, pattern);
  }
  return pattern;
}

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
      this.#each.push({ pattern: compile(BOUNDARY_BEFORE + source + BOUNDARY_AFTER), entry });
    }
    this.size = this.#each.length;
    this.#any = this.#each.length
      ? compile(`${BOUNDARY_BEFORE}(?:${[...seen].join('|')})${BOUNDARY_AFTER}`)
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
