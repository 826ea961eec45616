/**
 * @module The small words that give an emotion word its role: negation, contrast and clause breaks,
 * "less" and "more" markers, the verbs of "tone it down" and "crank it up", sources ("from X",
 * "X to Y") and corrections ("actually", "scratch that"). The nine languages of `lexicon/` add
 * their own negations and "more" and "less" words.
 */
import { LANGUAGE_LESS_WORDS, LANGUAGE_MORE_WORDS, LANGUAGE_NEGATORS, LANGUAGE_SO_WORDS } from './lexicon/index.ts';

/** "so", "as", "that" after a negation: "not so sad" asks for less. */
export const SO_WORDS: ReadonlySet<string> = new Set(['so', 'as', 'that', 'si', 'tan', 'cosi', 'tao', 'zo', ...LANGUAGE_SO_WORDS]);

export const PUNCTUATION = new Set([',', '.', ';', ':', '!', '?']);
export const CLAUSE_BREAKS = new Set([...PUNCTUATION, 'but', 'however', 'though', 'although', 'then', 'actually', 'instead', 'rather', 'pero', 'aber']);
export const NEGATORS: ReadonlySet<string> = new Set([
  ...LANGUAGE_NEGATORS,
  'not', 'dont', 'doesnt', 'didnt', 'isnt', 'arent', 'wasnt', 'shouldnt', 'wont', 'never', 'without', 'nothing',
  'stop', 'avoid', 'nor', 'neither', 'wouldnt', 'cant', 'ne', 'pas', 'nicht', 'kein', 'keine', 'nao', 'non', 'sin', 'ohne', 'sans', 'senza', 'sem',
]);
export const LESS_MARKERS: ReadonlySet<string> = new Set([
  ...LANGUAGE_LESS_WORDS,
  'less', 'fewer', 'reduce', 'decrease', 'lower', 'lessen', 'diminish', 'weaken', 'soften', 'remove', 'undo', 'minus',
  'weaker', 'softer', 'subtler', 'milder', 'lighter', 'moins', 'menos', 'weniger', 'meno', 'minimise', 'minimize',
]);
export const MORE_MARKERS: ReadonlySet<string> = new Set([
  ...LANGUAGE_MORE_WORDS,
  'more', 'even', 'extra', 'increase', 'boost', 'amplify', 'intensify', 'heighten', 'enhance', 'stronger', 'deeper',
  'plus', 'mas', 'mehr', 'piu', 'mais', 'encore', 'noch', 'moar', 'maximise', 'maximize', 'emphasise', 'emphasize',
  'exaggerate', 'add',
]);
export const DOWN_VERBS = new Set(['tone', 'dial', 'turn', 'ramp', 'scale', 'take', 'bring', 'tune', 'knock', 'water', 'calm']);
export const PULL_VERBS = new Set(['dial', 'scale', 'pull', 'cut', 'rein']);
export const UP_VERBS = new Set(['crank', 'turn', 'dial', 'ramp', 'pump', 'amp', 'ratchet', 'jack', 'kick', 'step', 'bump', 'punch']);
export const SOURCE_WORDS = new Set(['from']);
export const ARROWS = new Set(['to', 'into', '->', '=>', '→', 'towards', 'toward', 'becomes', 'become']);
export const FOREIGN_ARROWS = new Set(['a', 'zu', 'para', 'en', 'in']);
export const PICTURE_NOUNS = new Set(['picture', 'image', 'photo', 'pic', 'photograph', 'shot', 'painting', 'drawing', 'one', 'version', 'mood', 'vibe', 'vibes', 'feeling', 'atmosphere', 'look', 'emotion', 'feel']);
export const REPLACING_VERBS = new Set(['replace', 'swap', 'substitute', 'exchange', 'trade', 'switch']);
export const DESCRIBING_VERBS = new Set(['is', 'its', 'looks', 'feels', 'seems', 'currently', 'was', 'appears']);
export const CORRECTIONS = new Set(['actually', 'wait', 'rather', 'nevermind', 'instead', 'sorry', 'oops', 'correction']);
/** Corrections of several words, by their first word. */
export const CORRECTION_PHRASES: ReadonlyMap<string, readonly (readonly string[])[]> = (() => {
  const phrases = [
    ['scratch', 'that'], ['never', 'mind'], ['second', 'thought'], ['i', 'mean'], ['i', 'meant'], ['change', 'of', 'plan'],
    ['no', ','], ['no', '.'], ['nah', ','], ['forget', 'that'], ['forget', 'it'],
  ];
  const byFirst = new Map<string, string[][]>();
  for (const phrase of phrases) byFirst.set(phrase[0]!, [...(byFirst.get(phrase[0]!) ?? []), phrase]);
  return byFirst;
})();
