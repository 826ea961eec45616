/**
 * @module Phrases without an emotion word ("start over", "tone it down", "go back"), in the order
 * they are tried, and lone command words with one typo ("undoo", "hlep"). The French, Spanish,
 * German, Italian and Portuguese phrases of each command come from their lexicons
 * (`lexicon/{fr,es,de,it,pt}.ts`).
 */
import type { Intent } from '../intent.ts';
import { foldText } from '../lexicon.ts';
import { sharedRulesWords } from './lexicon/shared-rules.ts';
import type { SharedRulesLexicon } from './lexicon/shared-rules.ts';
import * as markers from './markers.ts';
import * as typo from './typo.ts';

// Local copies of the imported values read in the hot loops: under tsx an imported binding is read through a getter.
const { PUNCTUATION } = markers;
const { withinOneEdit } = typo;

/** Commands people type alone, and what a one-typo version of them means ("undoo", "hlep"). */
const COMMAND_WORDS: readonly (readonly [string, Intent])[] = [
  ['undo', { kind: 'undo' }],
  ['redo', { kind: 'redo' }],
  ['reset', { kind: 'reset' }],
  ['retry', { kind: 'retry' }],
  ['reroll', { kind: 'retry' }],
  ['again', { kind: 'retry' }],
  ['help', { kind: 'help' }],
  ['emotions', { kind: 'emotions' }],
];
/** Real words one typo away from a command word, which mean something else. */
const NOT_COMMAND_TYPOS = new Set([
  'hell',
  'held',
  'hemp',
  'kelp',
  'yelp',
  'unto',
  'undue',
  'rested',
  'resent',
  'beset',
  'reside',
  'retro',
  'remit',
  'emotion',
  'agains',
  'rest',
  'red',
  'redd',
]);

export function commandTypo(words: readonly string[]): Intent | undefined {
  const meaningful = words.filter((w) => !PUNCTUATION.has(w) && w !== 'please' && w !== 'pls');
  if (meaningful.length !== 1) return undefined;
  const word = meaningful[0]!;
  if (word.length < 4 || NOT_COMMAND_TYPOS.has(word)) return undefined;
  for (const [command, intent] of COMMAND_WORDS) if (word !== command && withinOneEdit(word, command)) return intent;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Phrases without an emotion word. Each is matched against the folded words joined by spaces.

/** Separates a phrase list's English alternatives from the other languages' ones. */
const FOREIGN = Symbol('other languages');

interface PhraseRule {
  /**
   * Alternatives that begin with a plain word, tested only when the message has one of
   * `firstWords` (most messages have none, and a Set lookup is far cheaper than a regex).
   */
  simple?: RegExp;
  firstWords: ReadonlySet<string>;
  /** The other alternatives (groups, anchors, emoji), always tested. */
  complex?: RegExp;
}

interface PhraseSet {
  english: PhraseRule;
  /** Read only with `otherLanguages`. */
  foreign?: PhraseRule;
}

/** Matches any alternative as whole words of the space-joined token list (no Unicode mode: it is slower). */
function alternativesPattern(alternatives: readonly string[]): RegExp | undefined {
  return alternatives.length > 0 ? new RegExp(`(?:^| )(?:${alternatives.join('|')})(?= |$)`) : undefined;
}

function phraseRule(alternatives: readonly string[]): PhraseRule {
  const simple: string[] = [];
  const complex: string[] = [];
  const firstWords = new Set<string>();
  for (const alternative of alternatives) {
    // A plain first word followed by a plain space (not "re ?apply", where the space is optional).
    const first = /^([a-z']+)(?: (?![?*+{])|$)/.exec(alternative);
    if (first) {
      simple.push(alternative);
      firstWords.add(first[1]!);
    } else complex.push(alternative);
  }
  const rule: PhraseRule = { firstWords };
  const simplePattern = alternativesPattern(simple);
  const complexPattern = alternativesPattern(complex);
  if (simplePattern) rule.simple = simplePattern;
  if (complexPattern) rule.complex = complexPattern;
  return rule;
}

function phrase(...alternatives: (string | typeof FOREIGN)[]): PhraseSet {
  const split = alternatives.indexOf(FOREIGN);
  const english = (split < 0 ? alternatives : alternatives.slice(0, split)) as string[];
  const foreign = (split < 0 ? [] : alternatives.slice(split + 1)) as string[];
  return { english: phraseRule(english), ...(foreign.length > 0 ? { foreign: phraseRule(foreign) } : {}) };
}

export function ruleMatches(rule: PhraseRule, text: string, words: readonly string[]): boolean {
  if (rule.complex?.test(text)) return true;
  if (!rule.simple) return false;
  for (const word of words) if (rule.firstWords.has(word)) return rule.simple.test(text);
  return false;
}

/** One command's phrases in the five languages read with the English rules, folded. */
function foreign(command: keyof SharedRulesLexicon['commands']): string[] {
  return sharedRulesWords((language) => language.commands[command]).map(foldText);
}

const IT = `(?:it|that|this|things|the effect|the edit|everything)`;

export /** What was just undone, in the words people use for it. */
const UNDONE = `(?:undid|undone|removed|took away|deleted|reverted|took back|took off|got rid of)`;

export const PHRASES: readonly (readonly [PhraseSet, Intent])[] = [
  [
    // "bring back what you just undid": redo, though it says "back" (undo) and "the way it was" (reset).
    phrase(
      `bring (?:[^ ]+ ){0,6}${UNDONE}`,
      `put (?:[^ ]+ ){0,9}${UNDONE}`,
      `give (?:[^ ]+ ){0,6}${UNDONE}`,
      `get (?:[^ ]+ ){0,6}${UNDONE}`,
      `want (?:[^ ]+ ){0,6}${UNDONE}`,
      `restore (?:[^ ]+ ){0,6}${UNDONE}`,
      `reapply (?:[^ ]+ ){0,6}${UNDONE}`,
      `redo (?:[^ ]+ ){0,6}${UNDONE}`,
    ),
    { kind: 'redo' },
  ],
  [phrase('(?:ctrl|cmd|control|strg) (?:\\+ )?z', '⌘ (?:\\+ )?z'), { kind: 'undo' }],
  [phrase('(?:ctrl|cmd|control|strg) (?:\\+ )?(?:y|shift (?:\\+ )?z)'), { kind: 'redo' }],
  [
    phrase(
      'again but (?:even )?(?:stronger|more|harder|bigger|heavier|bolder|more intense|further)',
      '(?:stronger|harder|more intense) this time',
    ),
    { kind: 'refine', direction: 'more' },
  ],
  [
    phrase(
      'again but (?:weaker|less|softer|subtler|lighter|gentler|milder|more subtle)',
      '(?:weaker|softer|subtler|gentler) this time',
    ),
    { kind: 'refine', direction: 'less' },
  ],
  [
    phrase(
      'reset',
      'restart',
      'start (?:over|again|afresh|fresh|from (?:scratch|the (?:beginning|start)))',
      'from scratch',
      'begin again',
      'fresh start',
      'clean slate',
      'square one',
      'start (?:anew|afresh|from zero)',
      `(?:back|revert|reverting|return|returning|restore|go back|get back|bring back|take me back|roll back|rollback)(?: ${IT})? to (?:the |my |its )?(?:original|start|beginning|first (?:photo|picture|image|pic|version)|unedited|initial|untouched|raw|real)`,
      'original',
      'unedited',
      'untouched',
      'undo (?:everything|all|it all|all (?:the |my )?(?:changes|edits))',
      `(?:remove|clear|drop|delete|strip|wipe|get rid of|lose|scrap|undo) (?:all |every )(?:the |of the |my )?(?:edits?|changes|effects?|filters?)`,
      `(?:remove|clear|drop|delete|strip|wipe|get rid of) (?:the |my )?(?:edits|changes|effects|filters)`,
      'clear (?:it|everything|all)',
      'wipe (?:it|everything)',
      '(?:the )?way it was',
      'as it was',
      'how it (?:was|looked)(?: originally| at first| to begin with)?',
      FOREIGN,
      ...foreign('reset'),
    ),
    { kind: 'reset' },
  ],
  [
    phrase(
      'one more time',
      'once more',
      'one more (?:try|go|attempt|version|take)',
      'reroll',
      're roll',
      'regenerate',
      're generate',
      'different(?:ly)?',
      'another (?:one|version|take|variation|variant|try|go|attempt|seed|option|shot)',
      'another',
      'new (?:seed|version|variation|variant|attempt|take|one)',
      'variations?',
      'variants?',
      'shuffle',
      'randomi[sz]e',
      'roll (?:again|the dice)',
      'spin again',
      'try (?:it )?again',
      'retry',
      '(?:do|run|make|generate|render) (?:it|that|this|one) again',
      'give (?:it|me) another',
      'one more',
      'other version',
      'alternative',
      '🔄',
      '🔁',
      '🎲',
      FOREIGN,
      ...foreign('retry'),
    ),
    { kind: 'retry' },
  ],
  [
    phrase(
      'redo',
      're do',
      'undo (?:the |that |my |your |an )undo',
      'un undo',
      'unundo',
      `(?:bring|put|give|get) (?:it|that|this|the (?:edit|change|last (?:one|edit))) back`,
      'i want (?:it|that) back',
      'go forward',
      'step forward',
      'forward',
      're ?apply',
      'restore (?:it|that|the edit)',
      'changed my mind',
      '⏩',
      '↪',
      FOREIGN,
      ...foreign('redo'),
    ),
    { kind: 'redo' },
  ],
  [
    phrase(
      'too (?:weak|subtle|mild|faint|light|little|soft|slight|small|gentle|tame|timid)',
      'not (?:strong|intense|dramatic|obvious|noticeable|visible|much|nearly) enough',
      '(?:not|isnt|wasnt|hardly|barely) (?:nearly )?enough',
      'need(?:s)? more',
      'barely (?:see|notice|noticeable|visible|there|changed|any|different)',
      '(?:cant|can not|cannot|couldnt|dont|do not) (?:really )?(?:see|tell|notice) (?:a |any |the |much )?(?:difference|change)',
      '(?:cant|cannot|dont) (?:really )?(?:see|notice) (?:it|anything)',
      'hardly (?:see|notice|any|changed|different)',
      'no (?:visible |real |big )?(?:difference|change)',
      'nothing (?:changed|happened)',
      '(?:didnt|did not|doesnt) (?:really )?change',
      'looks? the same',
      'same as before',
    ),
    { kind: 'refine', direction: 'more' },
  ],
  [
    phrase(
      'more (?:subtle|subtly|natural|realistic|gentle|gently|muted|restrained|understated|soft|toned down|delicate|faithful)',
      'less',
      'lesser',
      'weaker',
      'weaken',
      'subtler',
      'softer',
      'soften',
      'gentler',
      'milder',
      'tamer',
      'lighter',
      `(?:tone|turn|dial|ramp|knock|bring|take|calm|tune|water|scale) (?:[^ ]+ ){0,3}down(?: a (?:bit|notch|touch|little))?`,
      `(?:pull|scale|dial|rein) (?:${IT} )?(?:back|in)`,
      'back off',
      'ease (?:off|up)',
      'go easy',
      'easy on',
      'down a notch',
      'notch down',
      'reduce',
      'decrease',
      'lower',
      'lessen',
      'diminish',
      'minimi[sz]e',
      'too (?:much|strong|intense|far|heavy|extreme|harsh|saturated|obvious|aggressive|dramatic|powerful|over the top|overdone|exaggerated|crazy|wild|loud|dark|bright|edited|fake)',
      'overdone',
      'over done',
      'overkill',
      'overcooked',
      'over the top',
      '(?:a )?(?:bit|little|tad) much',
      'not so (?:much|strong|intense)',
      'not (?:as|that) (?:much|strong|intense)',
      'half as',
      'halve',
      'smaller',
      'minus',
      '➖',
      'too',
      'subtle',
      'subtly',
      'tone down',
      'toned down',
      'calm it',
      'chill (?:it )?out on',
      'dial it back',
      FOREIGN,
      ...foreign('less'),
    ),
    { kind: 'refine', direction: 'less' },
  ],
  [
    phrase(
      'more',
      'moar',
      'stronger',
      'strong',
      'intensify',
      'intenser',
      'intense',
      'amplify',
      'boost',
      'crank',
      'cranked',
      `(?:turn|dial|ramp|pump|amp|jack|kick|step|bump|ratchet|punch|crank) (?:[^ ]+ ){0,3}up`,
      `push (?:${IT} )?(?:further|harder|more)?`,
      'push',
      'go (?:further|harder|bigger|all in|big|all out|nuts|wild|crazy|for it)',
      'further',
      'harder',
      'bigger',
      'heavier',
      'bolder',
      'deeper',
      'louder',
      'exaggerate',
      'emphasi[sz]e',
      'increase',
      'enhance',
      'heighten',
      'double (?:it|down)',
      'double',
      'max (?:it|that)(?: out)?',
      'maxed',
      'maximum',
      'maximi[sz]e',
      'keep going',
      'continue',
      'go on',
      'amp',
      'level up',
      'next level',
      '^up(?: !)*$',
      '\\+',
      '➕',
      '⬆',
      '📈',
      '🔥',
      FOREIGN,
      ...foreign('more'),
    ),
    { kind: 'refine', direction: 'more' },
  ],
  [
    phrase(
      'undo',
      'un do',
      'go back',
      'back',
      'previous',
      'prev',
      'revert',
      'step back',
      `take (?:${IT} )?back`,
      'cancel',
      'rollback',
      'roll back',
      'oops',
      'liked (?:it|that|the (?:previous|last|other|old|earlier|first|one before)(?: one| version)?) (?:better|more)',
      '(?:previous|last|earlier|old|other|prior|first) (?:one|version|picture|image|photo|edit) (?:was|is|looked) better',
      'was better',
      'before was better',
      '(?:thats|that is|its|it is|this is) worse',
      'worse',
      'prefer(?:red)? (?:the )?(?:previous|last|old|earlier|other|one before|before)',
      '(?:remove|scrap|delete|drop) (?:that|this|the last|the) (?:edit|change)',
      'scrap (?:that|this|it)',
      'not (?:like )?(?:that|this)',
      'thats not (?:it|right|what i (?:wanted|meant|asked))',
      'nope',
      'no no',
      'dont like (?:it|this|that)',
      'hate (?:it|this|that)',
      'ugh',
      'yuck no',
      '↩',
      '⏪',
      '◀',
      '👎',
      '🔙',
      FOREIGN,
      ...foreign('undo'),
    ),
    { kind: 'undo' },
  ],
  [phrase('again', FOREIGN, ...foreign('again')), { kind: 'retry' }],
  [
    phrase(
      '(?:which|what|list|show(?: me)?|available|supported|all|your|possible|other|the|many|give me) (?:the |your |of |available |supported |possible |other )*(?:emotions?|feelings?|moods?|styles?|categories|vibes)',
      '(?:emotions?|feelings?|moods?) (?:list|available|supported|options)',
      '(?:emotions?|feelings?|moods?) (?:do|can|could) you',
      '^(?:emotions?|feelings?|moods?|categories)(?: \\?)*$',
      'what (?:can|could) (?:you|i) (?:make it|turn it into|change it to|choose|pick)',
      'what (?:are )?(?:the |my )?(?:options|choices)',
      '^(?:options|choices|menu|list)(?: \\?)*$',
      '🎭',
      FOREIGN,
      ...foreign('emotions'),
    ),
    { kind: 'emotions' },
  ],
  [
    phrase(
      'help',
      'helpp',
      'halp',
      'what can you do',
      'what do you do',
      'what (?:does|do|can|could) (?:[^ ]+ ){1,3}do',
      'what (?:should|can|do) i (?:type|say|write|do|send|ask)',
      'what now',
      'how (?:does|do|can|should|would) (?:[^ ]+ ){1,3}(?:work|use|start)',
      'how (?:do|can) i (?:edit|change)',
      'how to(?: use)?',
      'instructions?',
      'commands?',
      'usage',
      'what are you',
      'who are you',
      'guide',
      'tutorial',
      'manual',
      'faq',
      'info',
      '^\\?(?: \\?)*$',
      '^(?:start|hi help|menu)$',
      FOREIGN,
      ...foreign('help'),
    ),
    { kind: 'help' },
  ],
];

/** The intent the first matching phrase stands for, or `undefined`. */
export function phraseIntent(words: readonly string[], otherLanguages: boolean): Intent | undefined {
  const text = words.join(' ');
  for (const [rule, intent] of PHRASES) {
    if (
      ruleMatches(rule.english, text, words) ||
      (otherLanguages && rule.foreign && ruleMatches(rule.foreign, text, words))
    )
      return intent;
  }
  return undefined;
}
