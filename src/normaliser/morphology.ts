/**
 * @module English morphology for emotion words: "creepier" → creepy (comparative), "eerily" →
 * eerie, "scariness" → scary, and the words that look derivable but are not.
 */
import { EMOTION_WORD_INDEX } from '../lexicon.ts';
import type { EmotionWord, WordForm } from '../lexicon.ts';

/** Words that look derivable from an emotion word but are not ("cheer" from "cheery" is fine; "better" is not). */
export const NOT_EMOTION_WORDS = new Set([
  'better',
  'never',
  'ever',
  'over',
  'after',
  'water',
  'later',
  'other',
  'rather',
  'whether',
  'either',
  'neither',
  'faster',
  'bigger',
  'larger',
  'smaller',
  'darker',
  'lighter',
  'brighter',
  'warmer',
  'cooler',
  'stronger',
  'weaker',
  'softer',
  'harder',
  'deeper',
  'higher',
  'lower',
  'longer',
  'shorter',
  'closer',
  'further',
  'farther',
  'sunset',
  'funnel',
  'fundamental',
  'chilly',
  'really',
  'fully',
  'mostly',
  'lately',
  'mother',
  'father',
  'brother',
  'sister',
  'winter',
  'summer',
  'number',
  'paper',
  'matter',
  'letter',
  'butter',
  // Derivable, but in a request they mean something else ("hopefully", "I was wondering", "cheers").
  'sober',
  'positively',
  'hopefully',
  'thankfully',
  'gratefully',
  'wondering',
  'wondered',
  'cheers',
  'joking',
  'joked',
  'wilderness',
  'glades',
  'gaged',
  'gages',
  'contents',
  'tempered',
  'tempering',
  'grimes',
  'sades',
  'rotes',
  'roted',
  'roting',
  'rotter',
  'mucking',
  'madding',
  'gladly',
  'losses',
  'threated',
  'comforter',
  'molding',
  'moulding',
  'parties',
  'partier',
  'hyper',
  'quietly',
  'pleasantly',
  'sadded',
  'sads',
  'mads',
  'funs',
  'epics',
  'grands',
  // Adverbs that only say how much: "dreadfully sad" is very sad, not fearful.
  'dreadfully',
  'frightfully',
  'painfully',
  'hopelessly',
  'ridiculously',
  'absurdly',
  'wildly',
  'insanely',
  'madly',
  'seriously',
]);

const SUFFIXES: readonly (readonly [string, readonly string[], WordForm | 'keep'])[] = [
  ['iest', ['y', 'ey'], 'superlative'],
  ['est', ['', 'e'], 'superlative'],
  ['ier', ['y', 'ey'], 'comparative'],
  ['er', ['', 'e'], 'comparative'],
  ['ily', ['y'], 'keep'],
  ['ly', ['', 'e'], 'keep'],
  ['iness', ['y'], 'keep'],
  ['ness', [''], 'keep'],
  ['ies', ['y'], 'keep'],
  ['es', [''], 'keep'],
  ['s', [''], 'keep'],
  ['ed', ['', 'e'], 'keep'],
  ['ing', ['', 'e'], 'keep'],
  ['in', ['ing'], 'keep'], // a dropped g: "relaxin", "thrillin"
];

/** Simple English morphology: "creepier" → creepy (comparative), "eerily" → eerie, "scariness" → scary. */
export function lookupDerived(token: string): EmotionWord | undefined {
  for (const [suffix, replacements, form] of SUFFIXES) {
    if (!token.endsWith(suffix) || token.length - suffix.length < 3) continue;
    let stem = token.slice(0, -suffix.length);
    const candidates: string[] = replacements.map((r) => stem + r);
    // "sadder" → "sad", "grimmer" → "grim": an undoubled consonant.
    if (
      stem.length >= 3 &&
      stem[stem.length - 1] === stem[stem.length - 2] &&
      !/[aeiou]/.test(stem[stem.length - 1]!)
    ) {
      stem = stem.slice(0, -1);
      candidates.push(stem);
    }
    for (const candidate of candidates) {
      const base = EMOTION_WORD_INDEX.get(candidate);
      if (base) return { emotion: base.emotion, form: form === 'keep' ? base.form : form };
    }
  }
  return undefined;
}
