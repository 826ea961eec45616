/**
 * @module The nine languages the rules normaliser reads with their own compact lexicons (Dutch,
 * Japanese, Chinese, Korean, Russian, Polish, Turkish, Arabic, Hindi): one file per language in
 * this folder, and the indexes built from them once, folded the way messages are. French,
 * Spanish, German, Italian and Portuguese have their files here too (`fr.ts` … `pt.ts`), but
 * are read with the English rules: see `shared-rules.ts`.
 *
 * Each lexicon was written from the words a speaker would type to a picture bot and checked,
 * word by word, against a dictionary: Hunspell's (Debian `hunspell-nl`, `-ru`, `-pl`, `-tr`,
 * `-ar`, `-hi`, `-ko`) for the languages that have one, IPADIC (through kuromoji) for Japanese
 * and CC-CEDICT for Chinese (see `REVIEW.md`).
 */
import { foldText } from '../../lexicon.ts';
import type { EmotionWord, LexiconEmotion } from '../../lexicon.ts';
import type { Intent, IntensityLevel } from '../../intent.ts';
import { ARABIC } from './ar.ts';
import { HINDI } from './hi.ts';
import { JAPANESE } from './ja.ts';
import { KOREAN } from './ko.ts';
import { DUTCH } from './nl.ts';
import { POLISH } from './pl.ts';
import { RUSSIAN } from './ru.ts';
import { TURKISH } from './tr.ts';
import type { LanguageLexicon } from './types.ts';
import { CHINESE } from './zh.ts';

export type { LanguageLexicon } from './types.ts';

/** Every lexicon of this folder. */
export const LANGUAGE_LEXICONS: readonly LanguageLexicon[] = [
  DUTCH,
  JAPANESE,
  CHINESE,
  KOREAN,
  RUSSIAN,
  POLISH,
  TURKISH,
  ARABIC,
  HINDI,
];

interface StemEntry {
  emotion: LexiconEmotion;
  comparativeEndings: readonly string[];
}

const exactWords = new Map<string, EmotionWord>();
const stems = new Map<string, StemEntry>();
const more = new Set<string>();
const less = new Set<string>();
const negators = new Set<string>();
const negatorsAfter = new Set<string>();
const unspacedNegatorsAfter: string[] = [];
const so = new Set<string>();
const intensity = new Map<string, Exclude<IntensityLevel, 'medium'>>();
const commands = new Map<string, Intent>();
const otherWay: string[] = [];
const temperature = new Map<string, 'contentment' | 'sadness'>();
const prefixes = new Set<string>();
const segmentWords = new Set<string>();
const selfOpeners: string[][] = [];
const selfFillers = new Set<string>();
const selfEndings: string[] = [];

const fold = (word: string): string => foldText(word.endsWith('*') ? word.slice(0, -1) : word);

for (const language of LANGUAGE_LEXICONS) {
  const remember = (word: string): string => {
    const key = fold(word);
    if (language.unspaced) for (const part of key.split(' ')) segmentWords.add(part);
    return key;
  };
  const endings = (language.comparativeEndings ?? []).map(foldText);
  for (const [form, table] of [
    ['base', language.emotions],
    ['comparative', language.comparatives ?? {}],
  ] as const) {
    for (const [emotion, words] of Object.entries(table) as [LexiconEmotion, readonly string[]][]) {
      for (const word of words) {
        const key = remember(word);
        if (word.endsWith('*')) {
          if (!stems.has(key)) stems.set(key, { emotion, comparativeEndings: endings });
        } else if (!exactWords.has(key)) exactWords.set(key, { emotion, form });
      }
    }
  }
  for (const word of language.more) more.add(remember(word));
  for (const word of language.less) less.add(remember(word));
  for (const word of language.negators) negators.add(remember(word));
  for (const word of language.negatorsAfter ?? []) {
    const key = remember(word);
    if (language.unspaced) unspacedNegatorsAfter.push(key);
    else negatorsAfter.add(key);
  }
  for (const word of language.so ?? []) so.add(remember(word));
  for (const level of ['low', 'high', 'max'] as const)
    for (const word of language.intensity[level]) intensity.set(remember(word), level);
  for (const [kind, words] of Object.entries(language.commands) as [
    keyof LanguageLexicon['commands'],
    readonly string[] | undefined,
  ][]) {
    const intent: Intent = kind === 'more' || kind === 'less' ? { kind: 'refine', direction: kind } : { kind };
    for (const word of words ?? []) commands.set(remember(word), intent);
  }
  for (const word of language.followUps.otherWay) otherWay.push(remember(word));
  for (const word of language.followUps.warmer) temperature.set(remember(word), 'contentment');
  for (const word of language.followUps.colder) temperature.set(remember(word), 'sadness');
  for (const prefix of language.prefixes ?? []) prefixes.add(foldText(prefix));
  if (language.aboutOneself) {
    for (const opener of language.aboutOneself.openers) selfOpeners.push(remember(opener).split(' '));
    for (const ending of language.aboutOneself.endings ?? []) selfEndings.push(foldText(ending));
    const oneWord = [
      ...(language.aboutOneself.fillers ?? []),
      ...(language.so ?? []),
      ...language.intensity.low,
      ...language.intensity.high,
      ...language.intensity.max,
    ];
    for (const word of oneWord) {
      const key = remember(word);
      if (!key.includes(' ')) selfFillers.add(key);
    }
  }
}

/** Folded words and phrases of the nine languages to the emotion they name. */
export const LANGUAGE_WORD_INDEX: ReadonlyMap<string, EmotionWord> = exactWords;
export const LANGUAGE_MORE_WORDS: ReadonlySet<string> = more;
export const LANGUAGE_LESS_WORDS: ReadonlySet<string> = less;
export const LANGUAGE_NEGATORS: ReadonlySet<string> = negators;
/** Negations that follow the feeling word (Turkish "değil"): whole words. */
export const LANGUAGE_NEGATORS_AFTER: ReadonlySet<string> = negatorsAfter;
/** Negations that follow the feeling word in the unspaced languages (Japanese "ない"): found inside the next word. */
export const UNSPACED_NEGATORS_AFTER: readonly string[] = unspacedNegatorsAfter;
export const LANGUAGE_SO_WORDS: ReadonlySet<string> = so;
export const LANGUAGE_INTENSITY_WORDS: ReadonlyMap<string, Exclude<IntensityLevel, 'medium'>> = intensity;
/** Folded command phrases to their Intent ("geri al" → undo). */
export const LANGUAGE_COMMANDS: ReadonlyMap<string, Intent> = commands;
export const LANGUAGE_COMMAND_MAX_WORDS = Math.max(...[...commands.keys()].map((k) => k.split(' ').length));
export const LANGUAGE_OTHER_WAY: readonly string[] = otherWay;
export const LANGUAGE_TEMPERATURE_WORDS: ReadonlyMap<string, 'contentment' | 'sadness'> = temperature;
/** How a person begins a sentence about themselves ("ik ben", "я", "我"), as folded words. */
export const LANGUAGE_SELF_OPENERS: readonly (readonly string[])[] = selfOpeners;
/** One-word fillers between such an opener and the feeling: "vandaag", the `so` words, one-word intensity words. */
export const LANGUAGE_SELF_FILLERS: ReadonlySet<string> = selfFillers;
/** Endings that say "I am" on the feeling word itself (Turkish "üzgün-üm"), folded, longest first. */
export const LANGUAGE_SELF_ENDINGS: readonly string[] = [...new Set(selfEndings)].sort((a, b) => b.length - a.length);

const STEM_LENGTHS = [...new Set([...stems.keys()].map((s) => s.length))].sort((a, b) => b - a);
const PREFIXES = [...prefixes].sort((a, b) => b.length - a.length);

/** The emotion a word of the nine languages names: a listed word, or a stem it begins with. */
export function lookupLanguageWord(token: string): EmotionWord | undefined {
  const found = lookupWithoutPrefix(token);
  if (found) return found;
  for (const prefix of PREFIXES) {
    if (token.length > prefix.length + 2 && token.startsWith(prefix)) {
      const rest = lookupWithoutPrefix(token.slice(prefix.length));
      if (rest) return rest;
    }
  }
  return undefined;
}

function lookupWithoutPrefix(token: string): EmotionWord | undefined {
  const exact = exactWords.get(token);
  if (exact) return exact;
  for (const length of STEM_LENGTHS) {
    // One character is a word in Japanese and Chinese (怖, 怒); elsewhere a stem has at least two.
    if (length > token.length || (length < 2 && !UNSPACED_SCRIPT.test(token))) continue;
    const entry = stems.get(token.slice(0, length));
    if (!entry) continue;
    const rest = token.slice(length);
    const comparative = rest.length > 0 && entry.comparativeEndings.some((e) => rest.endsWith(e) || rest.startsWith(e));
    return { emotion: entry.emotion, form: comparative ? 'comparative' : 'base' };
  }
  return undefined;
}

/** Kana and Han characters: text written without spaces. */
export const UNSPACED_SCRIPT = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]/;

const SEGMENT_LENGTHS = [...new Set([...segmentWords].map((w) => w.length))].sort((a, b) => b - a);

/**
 * Splits a run of Japanese or Chinese at the lexicons' own entries, longest first; what lies
 * between them stays one word ("もっと悲しくして" → もっと, 悲し, くして).
 */
export function segmentUnspaced(run: string): string[] {
  const parts: string[] = [];
  let pending = '';
  for (let i = 0; i < run.length;) {
    let matched = 0;
    for (const length of SEGMENT_LENGTHS) {
      if (i + length <= run.length && segmentWords.has(run.slice(i, i + length))) {
        matched = length;
        break;
      }
    }
    if (matched > 0) {
      if (pending) parts.push(pending);
      pending = '';
      parts.push(run.slice(i, i + matched));
      i += matched;
    } else pending += run[i++];
  }
  if (pending) parts.push(pending);
  return parts;
}
