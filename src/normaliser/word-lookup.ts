/**
 * @module What one word names: an emotion word of the lexicon, an emoji, a word of another
 * language, a derived form ("creepier"), a stretched word ("saaaad") or one typo away from an
 * emotion word ("terrifiyng"). Each distinct word is worked out once and cached.
 */
import * as lexicon from '../lexicon.ts';
import type { EmotionWord } from '../lexicon.ts';
import * as intensityWords from './intensity.ts';
import * as languages from './lexicon/index.ts';
import * as morphology from './morphology.ts';
import type { RulesNormaliserOptions } from './rules-options.ts';
import * as typo from './typo.ts';

// Local copies of the imported values read in the hot loops: under tsx an imported binding is read through a getter.
const { ELEMENT_WORD_INDEX, EMOJI_INDEX, EMOTION_WORD_INDEX, OTHER_LANGUAGE_WORD_INDEX } = lexicon;
const { INTENSITY_INDEX } = intensityWords;
const { lookupLanguageWord } = languages;
const { NOT_EMOTION_WORDS, lookupDerived } = morphology;
const { findTypoCorrection } = typo;

/**
 * What single words turned out to mean, so that a word is derived, de-stretched or typo-checked
 * once, not in every message. One cache per combination of options; emptied when full.
 */
const WORD_CACHES = new Map<string, Map<string, EmotionWord | null>>();
const WORD_CACHE_LIMIT = 20_000;

/** The emotion one token names, or `undefined`. */
export function lookupEmotionToken(
  token: string,
  options: Readonly<Required<RulesNormaliserOptions>>,
): EmotionWord | undefined {
  const direct = EMOTION_WORD_INDEX.get(token);
  if (direct) return direct;
  const cacheKey = `${options.otherLanguages ? 1 : 0}${options.typoTolerance ? 1 : 0}`;
  let cache = WORD_CACHES.get(cacheKey);
  if (!cache) WORD_CACHES.set(cacheKey, (cache = new Map()));
  const cached = cache.get(token);
  if (cached !== undefined) return cached ?? undefined;
  const found = lookupUnlistedWord(token, options);
  if (cache.size >= WORD_CACHE_LIMIT) cache.clear();
  cache.set(token, found ?? null);
  return found;
}

/** A word not in the English index: an emoji, a word of another language, a derived form, a typo. */
function lookupUnlistedWord(
  token: string,
  options: Readonly<Required<RulesNormaliserOptions>>,
): EmotionWord | undefined {
  const emoji = EMOJI_INDEX.get(token);
  if (emoji) return { emotion: emoji, form: 'base' };
  if (options.otherLanguages) {
    const foreign = OTHER_LANGUAGE_WORD_INDEX.get(token) ?? lookupLanguageWord(token);
    if (foreign) return foreign;
  }
  if (token.length < 4 || !/^[a-z]+$/.test(token) || NOT_EMOTION_WORDS.has(token)) return undefined;
  const derived = lookupDerived(token);
  if (derived) return derived;
  if (/(.)\1\1/.test(token)) {
    for (const squeezed of [token.replace(/(.)\1{2,}/g, '$1$1'), token.replace(/(.)\1{2,}/g, '$1')]) {
      const found = EMOTION_WORD_INDEX.get(squeezed) ?? lookupDerived(squeezed);
      if (found) return found;
    }
  }
  if (options.typoTolerance && token.length >= 5 && !ELEMENT_WORD_INDEX.has(token) && !INTENSITY_INDEX.has(token)) {
    return findTypoCorrection(token);
  }
  return undefined;
}
