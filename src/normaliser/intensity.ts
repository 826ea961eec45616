/**
 * @module Intensity: the words and numbers that say how strong an edit should be.
 */
import { INTENSITY, clampIntensity } from '../intent.ts';
import { INTENSITY_WORDS, foldText } from '../lexicon.ts';
import { LANGUAGE_INTENSITY_WORDS } from './lexicon/index.ts';
import { sharedRulesWords } from './lexicon/shared-rules.ts';

/** Intensity words, as a phrase index; some are read only right before an emotion ("so sad", not "so what"). */
export const INTENSITY_INDEX: ReadonlyMap<string, number> = (() => {
  const index = new Map<string, number>();
  for (const level of ['max', 'low', 'high'] as const) {
    for (const phrase of INTENSITY_WORDS[level]) {
      const key = foldText(phrase);
      if (!index.has(key)) index.set(key, INTENSITY[level]);
    }
  }
  for (const [key, level] of LANGUAGE_INTENSITY_WORDS) if (!index.has(key)) index.set(key, INTENSITY[level]);
  return index;
})();
/**
 * "noticeably sad but not over the top", "don't overdo it": a strong word is kept in check; the
 * intensity is at most medium.
 */
export const INTENSITY_CAP =
  /(?:^| )(?:not|dont|do not|without|never|no|but not) (?:[^ ]+ ){0,2}(?:over the top|overdo(?:ing)?(?: it)?|overboard|too much|too strong|too far|extreme|crazy|nuts)(?= |$)/;

export const ADJACENT_ONLY_INTENSITY = new Set([
  'so',
  'way',
  'far',
  'much',
  'lots',
  'crazy',
  'real',
  'full on',
  'extreme',
  ...sharedRulesWords((l) => l.intensity.adjacentOnly).map(foldText),
]);

/** The nouns of "intensity 0.8" in the five languages read with the English rules ("intensité"), as regex alternatives. */
const LEVEL_NOUNS = sharedRulesWords((l) => l.intensity.level)
  .map(foldText)
  .join('|');
/** "intensity 0.8", "strength: .5": a number after an intensity noun. */
const LEVEL = new RegExp(
  `\\b(?:intensity|strength|level|power|amount|force|${LEVEL_NOUNS})\\s*(?:of|at|to|=|:|is|de|a)?\\s*(0?[.,]\\d+|1(?:[.,]0+)?)(?![\\d.,]*\\s*%)`,
);

/** Of two intensity words, the one that wins: low beats high ("a really subtle touch"), max beats both. */
export function rankIntensity(a: number, b: number): number {
  if (a === INTENSITY.max || b === INTENSITY.max) return INTENSITY.max;
  if (a === INTENSITY.low || b === INTENSITY.low) return INTENSITY.low;
  return Math.max(a, b);
}

/** "50%", "7/10", "intensity 0.8" → a number in (0, 1]. */
export function numericIntensity(folded: string): number | undefined {
  if (!/\d/.test(folded)) return undefined;
  const percent = /(?:^|[^\d.,])(\d{1,3}(?:[.,]\d+)?)\s*(?:%|percent\b|per cent\b)/.exec(folded);
  if (percent) return clampIntensity(Number(percent[1]!.replace(',', '.')) / 100);
  const outOfTen = /(?:^|[^\d.,])(\d{1,2}(?:[.,]\d+)?)\s*(?:\/|out of)\s*10\b/.exec(folded);
  if (outOfTen) return clampIntensity(Number(outOfTen[1]!.replace(',', '.')) / 10);
  const level = LEVEL.exec(folded);
  if (level) return clampIntensity(Number(level[1]!.replace(',', '.')));
  // A bare fraction ("sad 0.7") can only be an intensity.
  const fraction = /(?:^|[\s(:=])(0?\.\d+|1\.0+)(?=$|[\s),;!?])/.exec(folded);
  if (fraction) return clampIntensity(Number(fraction[1]));
  return undefined;
}
