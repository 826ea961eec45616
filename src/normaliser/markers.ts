/**
 * @module The small words that give an emotion word its role: negation, contrast and clause breaks,
 * "less" and "more" markers, the verbs of "tone it down" and "crank it up", sources ("from X",
 * "X to Y") and corrections ("actually", "scratch that"). The words of the other
 * languages come from their lexicons in `lexicon/`: the nine compact ones and the five read with
 * the English rules (`shared-rules.ts`).
 */
import { foldText } from '../lexicon.ts';
import { LANGUAGE_LESS_WORDS, LANGUAGE_MORE_WORDS, LANGUAGE_NEGATORS, LANGUAGE_SO_WORDS } from './lexicon/index.ts';
import { sharedRulesWords } from './lexicon/shared-rules.ts';
import type { SharedRulesLexicon } from './lexicon/shared-rules.ts';

/** One list of the five languages read with the English rules, folded. */
const shared = (pick: (language: SharedRulesLexicon) => readonly string[] | undefined): string[] =>
  sharedRulesWords(pick).map(foldText);

/** "so", "as", "that" after a negation: "not so sad" asks for less. */
export const SO_WORDS: ReadonlySet<string> = new Set([
  'so',
  'as',
  'that',
  ...shared((l) => l.so),
  ...LANGUAGE_SO_WORDS,
]);

export const PUNCTUATION = new Set([',', '.', ';', ':', '!', '?']);
export const CLAUSE_BREAKS = new Set([
  ...PUNCTUATION,
  'but',
  'however',
  'though',
  'although',
  'then',
  'actually',
  'instead',
  'rather',
  ...shared((l) => l.but),
]);
export const NEGATORS: ReadonlySet<string> = new Set([
  ...LANGUAGE_NEGATORS,
  'not',
  'dont',
  'doesnt',
  'didnt',
  'isnt',
  'arent',
  'wasnt',
  'shouldnt',
  'wont',
  'never',
  'without',
  'nothing',
  'stop',
  'avoid',
  'nor',
  'neither',
  'wouldnt',
  'cant',
  ...shared((l) => l.negators),
]);
export const LESS_MARKERS: ReadonlySet<string> = new Set([
  ...LANGUAGE_LESS_WORDS,
  'less',
  'fewer',
  'reduce',
  'decrease',
  'lower',
  'lessen',
  'diminish',
  'weaken',
  'soften',
  'remove',
  'undo',
  'minus',
  'weaker',
  'softer',
  'subtler',
  'milder',
  'lighter',
  'minimise',
  'minimize',
  ...shared((l) => l.less),
]);
export const MORE_MARKERS: ReadonlySet<string> = new Set([
  ...LANGUAGE_MORE_WORDS,
  'more',
  'even',
  'extra',
  'increase',
  'boost',
  'amplify',
  'intensify',
  'heighten',
  'enhance',
  'stronger',
  'deeper',
  'moar',
  'maximise',
  'maximize',
  'emphasise',
  'emphasize',
  'exaggerate',
  'add',
  ...shared((l) => l.more),
]);
export const DOWN_VERBS = new Set([
  'tone',
  'dial',
  'turn',
  'ramp',
  'scale',
  'take',
  'bring',
  'tune',
  'knock',
  'water',
  'calm',
]);
export const PULL_VERBS = new Set(['dial', 'scale', 'pull', 'cut', 'rein']);
export const UP_VERBS = new Set([
  'crank',
  'turn',
  'dial',
  'ramp',
  'pump',
  'amp',
  'ratchet',
  'jack',
  'kick',
  'step',
  'bump',
  'punch',
]);
export const SOURCE_WORDS = new Set(['from']);
export const ARROWS = new Set(['to', 'into', '->', '=>', '→', 'towards', 'toward', 'becomes', 'become']);
/** "to" between two feelings in the five languages read with the English rules ("de triste à joyeux"). */
export const FOREIGN_ARROWS = new Set(shared((l) => l.to));
export const PICTURE_NOUNS = new Set([
  'picture',
  'image',
  'photo',
  'pic',
  'photograph',
  'shot',
  'painting',
  'drawing',
  'one',
  'version',
  'mood',
  'vibe',
  'vibes',
  'feeling',
  'atmosphere',
  'look',
  'emotion',
  'feel',
]);
export const REPLACING_VERBS = new Set(['replace', 'swap', 'substitute', 'exchange', 'trade', 'switch']);
export const DESCRIBING_VERBS = new Set(['is', 'its', 'looks', 'feels', 'seems', 'currently', 'was', 'appears']);
export const CORRECTIONS = new Set([
  'actually',
  'wait',
  'rather',
  'nevermind',
  'instead',
  'sorry',
  'oops',
  'correction',
]);
/** Corrections of several words, by their first word. */
export const CORRECTION_PHRASES: ReadonlyMap<string, readonly (readonly string[])[]> = (() => {
  const phrases = [
    ['scratch', 'that'],
    ['never', 'mind'],
    ['second', 'thought'],
    ['i', 'mean'],
    ['i', 'meant'],
    ['change', 'of', 'plan'],
    ['no', ','],
    ['no', '.'],
    ['nah', ','],
    ['forget', 'that'],
    ['forget', 'it'],
  ];
  const byFirst = new Map<string, string[][]>();
  for (const phrase of phrases) byFirst.set(phrase[0]!, [...(byFirst.get(phrase[0]!) ?? []), phrase]);
  return byFirst;
})();
