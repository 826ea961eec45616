/**
 * @module The rules normaliser: free text to an `Intent` with word lists and a handful of
 * general rules, in microseconds and without a model. It is the embedded default, and the
 * fallback of every other normaliser.
 *
 * How a message is read, in order:
 *
 * 1. **Cleaning.** @mentions (`@moodshift_bot`, `<@123>`), links, control characters and
 *    broken UTF-16 are dropped; case, diacritics, extra spaces and hyphens are folded.
 *    Slash commands (`/undo`, `/undo@moodshift_bot`, `/mood sadder`) are read first.
 * 2. **Emotion words.** Every word, phrase and emoji of the lexicon (`lexicon.ts`) is found,
 *    with simple morphology ("eerily", "scariness", "creepier" from "creepy"), stretched
 *    letters ("saaaad") and, optionally, one typo ("terrifiyng"). Each mention gets a role
 *    from the words before and after it:
 *    - *negated*: "not", "don't", "no", "without", "instead of" → ignored;
 *    - *less*: "less", "too", "not so", "tone down the", "reduce the" → weaken it;
 *    - *more*: comparatives ("sadder"), "more", "even", "increase the", "not X enough";
 *    - *mild*: "not too X" → X at low intensity;
 *    - *source*: "from X", "X to/into Y", "replace X with Y", "the X picture … Y", "it looks X,
 *      make it Y".
 *    A correction ("actually", "scratch that", "no,", "rather") discards what came before it.
 *    A word that also names an element ("smile") counts as an emotion only when nothing else does.
 * 3. **Decision.** The first remaining target wins. When it is the emotion the picture already
 *    shows and the words ask for more of it ("sadder" on a sad edit), the intent is
 *    `refine more`; otherwise it is an `edit` with the intensity words, the named elements and
 *    the canonical instruction. Intensity: a number ("40%", "7/10", "0.4") wins; else a
 *    superlative or a max word ("scariest", "extremely") is 1, a low word ("a bit", "slightly")
 *    0.3, a high word ("very", "really", "much") 0.8, none 0.6. Elements are the element words
 *    anywhere in the message ("her face" facial, "the sky" scene, "the colours" color).
 *    A message with only weakened emotions is `refine less` ("a bit
 *    less sad"), or `refine more` when the current edit already leads away from that emotion
 *    (opposite valence: "less sad" on an amusement edit). A message with only negated emotions
 *    ("not sad") is `unknown`.
 * 4. **Phrases** without an emotion, tried in this order: reset ("start over", "back to the
 *    original"), retry ("reroll", "another version"), redo ("bring it back"), more/less ("push
 *    it further", "tone it down", "too subtle"), undo ("go back", "I liked the previous one
 *    better"), the emotion list, help; a lone command word with one typo ("undoo", "hlep") counts.
 *    Anything else is `unknown`.
 *
 * Generic happiness words follow the rule of `lexicon.ts` (`resolveGenericHappy`).
 * The rules never read `context.hasImage`: what to do without a picture is the Editor's call.
 */
import { ELEMENTS, EMOTION_TABLE } from '../emotions.ts';
import type { Element, Emotion } from '../emotions.ts';
import { ConfigError } from '../errors.ts';
import { INTENSITY, canonicalInstruction, clampIntensity } from '../intent.ts';
import type { Intent, NormaliseContext, Normaliser } from '../intent.ts';
import {
  ELEMENT_WORD_INDEX,
  EMOJI_INDEX,
  EMOTION_WORD_INDEX,
  INTENSITY_WORDS,
  OTHER_LANGUAGE_WORD_INDEX,
  foldText,
  resolveGenericHappy,
} from '../lexicon.ts';
import type { EmotionWord, LexiconEmotion, WordForm } from '../lexicon.ts';
import { findTypoCorrection, withinOneEdit } from './typo.ts';

/** How the rules normaliser reads text. */
export interface RulesNormaliserOptions {
  /**
   * The longest message read, in characters; the rest is ignored. It bounds the work one
   * message can cause (a pasted novel is read up to this point, quickly).
   * @defaultValue 2000
   */
  maxInputLength?: number;
  /**
   * Also understand a small vocabulary of French, Spanish, German, Italian and Portuguese
   * ("plus triste", "annuler", "más aterrador"). A language-model normaliser does this properly.
   * @defaultValue true
   */
  otherLanguages?: boolean;
  /**
   * Read a word of five letters or more that is one typo (a letter missing, extra, changed or
   * swapped) away from exactly one emotion word as that word ("terrifiyng" → fear). Real English
   * words are never corrected.
   * @defaultValue true
   */
  typoTolerance?: boolean;
}

export const DEFAULT_RULES_NORMALISER_OPTIONS: Readonly<Required<RulesNormaliserOptions>> = {
  maxInputLength: 2000,
  otherLanguages: true,
  typoTolerance: true,
};

/** The embedded default normaliser: word lists and rules, no model, never throws. */
export class RulesNormaliser implements Normaliser {
  readonly name = 'rules';
  readonly options: Readonly<Required<RulesNormaliserOptions>>;

  constructor(options: RulesNormaliserOptions = {}) {
    const resolved = { ...DEFAULT_RULES_NORMALISER_OPTIONS, ...options };
    if (!Number.isInteger(resolved.maxInputLength) || resolved.maxInputLength < 1) {
      throw new ConfigError(
        `RulesNormaliser: maxInputLength must be a whole number of characters of at least 1 (got ${String(options.maxInputLength)}); leave it out to read up to ${DEFAULT_RULES_NORMALISER_OPTIONS.maxInputLength}.`,
      );
    }
    if (typeof resolved.otherLanguages !== 'boolean' || typeof resolved.typoTolerance !== 'boolean') {
      throw new ConfigError('RulesNormaliser: otherLanguages and typoTolerance must be true or false.');
    }
    this.options = Object.freeze(resolved);
  }

  normalise(text: string, context: NormaliseContext = {}): Promise<Intent> {
    return Promise.resolve(normaliseText(text, context, this.options));
  }

  /** The same as {@link normalise}, synchronously. */
  normaliseSync(text: string, context: NormaliseContext = {}): Intent {
    return normaliseText(text, context, this.options);
  }
}

/**
 * Reads one message synchronously (see the module note). Never throws: anything it cannot
 * read, including values that are not text, is `unknown`.
 */
export function normaliseText(
  text: string,
  context: NormaliseContext = {},
  options: Readonly<Required<RulesNormaliserOptions>> = DEFAULT_RULES_NORMALISER_OPTIONS,
): Intent {
  if (typeof text !== 'string') return UNKNOWN;
  try {
    return readMessage(text, sanitiseContext(context), options);
  } catch {
    return UNKNOWN;
  }
}

/** The object `moodshift parse` prints: the Intent's fields in a fixed order, absent ones left out. */
export interface IntentJson {
  kind: Intent['kind'];
  target?: Emotion;
  source?: Emotion;
  intensity?: number;
  direction?: 'more' | 'less';
  elements?: Element[];
  instruction?: string;
}

/** The Intent as `moodshift parse` prints it: `kind`, `target`, `source`, `intensity`, `direction`, `elements`, `instruction`. */
export function intentToJson(intent: Intent): IntentJson {
  const json: IntentJson = { kind: intent.kind };
  if (intent.kind === 'edit') {
    json.target = intent.target;
    if (intent.source) json.source = intent.source;
    json.intensity = intent.intensity;
    if (intent.elements && intent.elements.length > 0) json.elements = [...intent.elements];
    json.instruction = intent.instruction;
  } else if (intent.kind === 'refine') {
    json.direction = intent.direction;
  }
  return json;
}

// ---------------------------------------------------------------------------------------------
// Reading

const UNKNOWN: Intent = Object.freeze({ kind: 'unknown' }) as Intent;

function sanitiseContext(context: NormaliseContext | undefined): NormaliseContext {
  const current = context?.current;
  return current && Object.hasOwn(EMOTION_TABLE, current) ? { current } : {};
}

const SLASH_COMMANDS: Readonly<Record<string, Intent | 'rest'>> = {
  help: { kind: 'help' },
  start: { kind: 'help' },
  commands: { kind: 'help' },
  emotions: { kind: 'emotions' },
  emotion: { kind: 'emotions' },
  moods: { kind: 'emotions' },
  feelings: { kind: 'emotions' },
  list: { kind: 'emotions' },
  undo: { kind: 'undo' },
  back: { kind: 'undo' },
  redo: { kind: 'redo' },
  reset: { kind: 'reset' },
  original: { kind: 'reset' },
  retry: { kind: 'retry' },
  again: { kind: 'retry' },
  reroll: { kind: 'retry' },
  more: { kind: 'refine', direction: 'more' },
  less: { kind: 'refine', direction: 'less' },
  mood: 'rest',
  edit: 'rest',
  moodshift: 'rest',
  shift: 'rest',
  make: 'rest',
};

function readMessage(raw: string, context: NormaliseContext, options: Readonly<Required<RulesNormaliserOptions>>): Intent {
  let text = clean(raw.length > options.maxInputLength ? raw.slice(0, options.maxInputLength) : raw);
  const slash = /^\/([a-z_]+)(?:@[\w.]+)?(?:\s+([\s\S]*))?$/i.exec(text);
  if (slash) {
    const command = SLASH_COMMANDS[slash[1]!.toLowerCase()];
    if (command === undefined) return UNKNOWN;
    if (command !== 'rest') return command;
    text = slash[2] ?? '';
    if (!text.trim()) return { kind: 'help' };
  }
  if (/^\s*[-\u2212\u2013]+\s*$/.test(text)) return { kind: 'refine', direction: 'less' }; // "-", the twin of "+"
  const folded = foldText(text);
  if (!folded) return UNKNOWN;
  const words = tokenise(folded);
  if (words.length === 0) return UNKNOWN;
  const reading = new Reading(words, folded, context, options);
  return reading.decide();
}

/** Anything `clean` has work to do on; plain words and punctuation (most messages) skip it. */
const NEEDS_CLEANING = /[^\x20-\x7e]|[<>@*~|`=-]|https?:/i;

/** Drops what is not words: mentions, links, markup, control characters, broken surrogates. */
function clean(text: string): string {
  if (!NEEDS_CLEANING.test(text)) return text.trim();
  return text
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, ' ')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b\u2060\ufeff]/g, ' ')
    .replace(/<a?:([\w~]+):\d+>/g, ' $1 ') // Discord custom emoji: keep the name (":sad_cat:")
    .replace(/<[@#][!&]?\d+>/g, ' ') // Discord user, role and channel mentions
    .replace(/\bhttps?:\/\/\S+/gi, ' ')
    .replace(/\s*(?:->|=>|-+>|→|⟶|➡\ufe0f?)\s*/g, ' → ') // arrows survive the folding of hyphens
    .replace(/(^|\s)@[\w.]+/g, '$1 ')
    .replace(/[*~|`]+/g, ' ')
    .trim();
}

const TOKEN = /\p{Extended_Pictographic}|[\p{L}\p{N}]+(?:'[\p{L}]+)*|->|=>|[→,.;:!?+%/]/gu;

const ASCII_TOKEN = /[a-z0-9]+(?:'[a-z]+)*|->|=>|[,.;:!?+%/]/g;

function tokenise(folded: string): string[] {
  const words = folded.match(/^[\x20-\x7e]*$/.test(folded) ? ASCII_TOKEN : TOKEN) ?? [];
  // "don't" and "dont", "it's" and "its" read the same.
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    // "the cat's face": a possessive is the word itself.
    if (w.includes("'")) words[i] = APOSTROPHE_FORMS[w] ?? (w.endsWith("'s") ? w.slice(0, -2) : w);
  }
  return words;
}

const APOSTROPHE_FORMS: Readonly<Record<string, string>> = {
  "don't": 'dont', "doesn't": 'doesnt', "didn't": 'didnt', "isn't": 'isnt', "aren't": 'arent', "wasn't": 'wasnt',
  "shouldn't": 'shouldnt', "can't": 'cant', "won't": 'wont', "it's": 'its', "that's": 'thats', "i'm": 'im',
  "let's": 'lets', "i'd": 'id', "wouldn't": 'wouldnt', "couldn't": 'couldnt', "haven't": 'havent', "ain't": 'aint',
};

type Role = 'target' | 'source' | 'negated' | 'less' | 'dropped';

interface Mention {
  emotion: LexiconEmotion;
  form: WordForm;
  start: number;
  end: number;
  /** The word also names an element ("smile"): it counts only when nothing stronger is said. */
  weak: boolean;
  role: Role;
  /** Asked for more of it: a comparative, "more X", "even X", "not X enough". */
  more: boolean;
  /** "not too X": X, gently. */
  mild: boolean;
}

const PUNCTUATION = new Set([',', '.', ';', ':', '!', '?']);
const CLAUSE_BREAKS = new Set([...PUNCTUATION, 'but', 'however', 'though', 'although', 'then', 'actually', 'instead', 'rather', 'pero', 'aber']);
const NEGATORS = new Set([
  'not', 'dont', 'doesnt', 'didnt', 'isnt', 'arent', 'wasnt', 'shouldnt', 'wont', 'never', 'without', 'nothing',
  'stop', 'avoid', 'nor', 'neither', 'wouldnt', 'cant', 'ne', 'pas', 'nicht', 'kein', 'keine', 'nao', 'non', 'sin', 'ohne', 'sans', 'senza', 'sem',
]);
const LESS_MARKERS = new Set([
  'less', 'fewer', 'reduce', 'decrease', 'lower', 'lessen', 'diminish', 'weaken', 'soften', 'remove', 'undo', 'minus',
  'weaker', 'softer', 'subtler', 'milder', 'lighter', 'moins', 'menos', 'weniger', 'meno', 'minimise', 'minimize',
]);
const MORE_MARKERS = new Set([
  'more', 'even', 'extra', 'increase', 'boost', 'amplify', 'intensify', 'heighten', 'enhance', 'stronger', 'deeper',
  'plus', 'mas', 'mehr', 'piu', 'mais', 'encore', 'noch', 'moar', 'maximise', 'maximize', 'emphasise', 'emphasize',
  'exaggerate', 'add',
]);
const DOWN_VERBS = new Set(['tone', 'dial', 'turn', 'ramp', 'scale', 'take', 'bring', 'tune', 'knock', 'water', 'calm']);
const PULL_VERBS = new Set(['dial', 'scale', 'pull', 'cut', 'rein']);
const UP_VERBS = new Set(['crank', 'turn', 'dial', 'ramp', 'pump', 'amp', 'ratchet', 'jack', 'kick', 'step', 'bump', 'punch']);
const SOURCE_WORDS = new Set(['from']);
const ARROWS = new Set(['to', 'into', '->', '=>', '→', 'towards', 'toward', 'becomes', 'become']);
const FOREIGN_ARROWS = new Set(['a', 'zu', 'para', 'en', 'in']);
const PICTURE_NOUNS = new Set(['picture', 'image', 'photo', 'pic', 'photograph', 'shot', 'painting', 'drawing', 'one', 'version', 'mood', 'vibe', 'vibes', 'feeling', 'atmosphere', 'look', 'emotion', 'feel']);
const REPLACING_VERBS = new Set(['replace', 'swap', 'substitute', 'exchange', 'trade', 'switch']);
const DESCRIBING_VERBS = new Set(['is', 'its', 'looks', 'feels', 'seems', 'currently', 'was', 'appears']);
const CORRECTIONS = new Set(['actually', 'wait', 'rather', 'nevermind', 'instead', 'sorry', 'oops', 'correction']);
/** Corrections of several words, by their first word. */
const CORRECTION_PHRASES: ReadonlyMap<string, readonly (readonly string[])[]> = (() => {
  const phrases = [
    ['scratch', 'that'], ['never', 'mind'], ['second', 'thought'], ['i', 'mean'], ['i', 'meant'], ['change', 'of', 'plan'],
    ['no', ','], ['no', '.'], ['nah', ','], ['forget', 'that'], ['forget', 'it'],
  ];
  const byFirst = new Map<string, string[][]>();
  for (const phrase of phrases) byFirst.set(phrase[0]!, [...(byFirst.get(phrase[0]!) ?? []), phrase]);
  return byFirst;
})();

/** Intensity words, as a phrase index; some are read only right before an emotion ("so sad", not "so what"). */
const INTENSITY_INDEX: ReadonlyMap<string, number> = (() => {
  const index = new Map<string, number>();
  for (const level of ['max', 'low', 'high'] as const) {
    for (const phrase of INTENSITY_WORDS[level]) {
      const key = foldText(phrase);
      if (!index.has(key)) index.set(key, INTENSITY[level]);
    }
  }
  return index;
})();
const MAX_MENTIONS = 32;
const ADJACENT_ONLY_INTENSITY = new Set(['so', 'way', 'far', 'much', 'lots', 'crazy', 'bien', 'real', 'mucho', 'viel', 'full on', 'extreme']);

/** For each word that begins a phrase of several words in `indexes`, the most words such a phrase has. */
function phraseStarts(...indexes: ReadonlyMap<string, unknown>[]): ReadonlyMap<string, number> {
  const starts = new Map<string, number>();
  for (const index of indexes) {
    for (const key of index.keys()) {
      const parts = key.split(' ');
      if (parts.length > 1) starts.set(parts[0]!, Math.max(starts.get(parts[0]!) ?? 1, parts.length));
    }
  }
  return starts;
}
const EMOTION_PHRASE_STARTS = phraseStarts(EMOTION_WORD_INDEX, OTHER_LANGUAGE_WORD_INDEX);
const INTENSITY_PHRASE_STARTS = phraseStarts(INTENSITY_INDEX);
const ELEMENT_PHRASE_STARTS = phraseStarts(ELEMENT_WORD_INDEX);

/** The words `words[i]`, …, `words[i + n - 1]` joined by spaces. */
function joinWords(words: readonly string[], i: number, n: number): string {
  let key = words[i]!;
  for (let k = 1; k < n; k++) key += ' ' + words[i + k]!;
  return key;
}

/**
 * What single words turned out to mean, so that a word is derived, de-stretched or typo-checked
 * once, not in every message. One cache per combination of options; emptied when full.
 */
const WORD_CACHES = new Map<string, Map<string, EmotionWord | null>>();
const WORD_CACHE_LIMIT = 20_000;

class Reading {
  private readonly mentions: Mention[] = [];
  /** Tokens already read as part of an emotion or intensity phrase. */
  private readonly used: boolean[];

  constructor(
    private readonly words: string[],
    private readonly folded: string,
    private readonly context: NormaliseContext,
    private readonly options: Readonly<Required<RulesNormaliserOptions>>,
  ) {
    this.used = new Array<boolean>(words.length).fill(false);
  }

  decide(): Intent {
    this.findMentions();
    // Nobody names more than a few feelings in one request; past that it is noise (and quadratic work).
    if (this.mentions.length > MAX_MENTIONS) this.mentions.length = MAX_MENTIONS;
    if (this.mentions.length > 0) {
      this.assignRoles();
      const intent = this.decideFromMentions();
      if (intent) return intent;
    }
    return this.decideFromPhrases();
  }

  // -- emotion words --------------------------------------------------------------------------

  private findMentions(): void {
    const { words } = this;
    for (let i = 0; i < words.length; ) {
      const found = this.lookupAt(i);
      if (found) {
        const key = words.slice(i, i + found.length).join(' ');
        const weak = ELEMENT_WORD_INDEX.has(key);
        this.mentions.push({
          emotion: found.word.emotion,
          form: found.word.form,
          start: i,
          end: i + found.length,
          weak,
          role: 'target',
          more: found.word.form === 'comparative',
          mild: false,
        });
        // A word that also names an element ("smile") stays readable as that element.
        if (!weak) for (let k = i; k < i + found.length; k++) this.used[k] = true;
        i += found.length;
      } else i++;
    }
  }

  private lookupAt(i: number): { word: EmotionWord; length: number } | undefined {
    const { words } = this;
    const longest = Math.min(EMOTION_PHRASE_STARTS.get(words[i]!) ?? 1, words.length - i);
    for (let n = longest; n >= 2; n--) {
      const key = joinWords(words, i, n);
      const word = EMOTION_WORD_INDEX.get(key) ?? (this.options.otherLanguages ? OTHER_LANGUAGE_WORD_INDEX.get(key) : undefined);
      if (word) return { word, length: n };
    }
    const token = words[i]!;
    const word = this.lookupWord(token);
    return word ? { word, length: 1 } : undefined;
  }

  private lookupWord(token: string): EmotionWord | undefined {
    const direct = EMOTION_WORD_INDEX.get(token);
    if (direct) return direct;
    const cacheKey = `${this.options.otherLanguages ? 1 : 0}${this.options.typoTolerance ? 1 : 0}`;
    let cache = WORD_CACHES.get(cacheKey);
    if (!cache) WORD_CACHES.set(cacheKey, (cache = new Map()));
    const cached = cache.get(token);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.lookupUnlistedWord(token);
    if (cache.size >= WORD_CACHE_LIMIT) cache.clear();
    cache.set(token, found ?? null);
    return found;
  }

  /** A word not in the English index: an emoji, a word of another language, a derived form, a typo. */
  private lookupUnlistedWord(token: string): EmotionWord | undefined {
    const emoji = EMOJI_INDEX.get(token);
    if (emoji) return { emotion: emoji, form: 'base' };
    if (this.options.otherLanguages) {
      const foreign = OTHER_LANGUAGE_WORD_INDEX.get(token);
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
    if (this.options.typoTolerance && token.length >= 5 && !ELEMENT_WORD_INDEX.has(token) && !INTENSITY_INDEX.has(token)) {
      return findTypoCorrection(token);
    }
    return undefined;
  }

  // -- roles ----------------------------------------------------------------------------------

  private assignRoles(): void {
    for (const mention of this.mentions) this.assignRole(mention);
    this.findSources();
    this.applyCorrections();
  }

  private assignRole(mention: Mention): void {
    const { words } = this;
    const s = mention.start;
    const at = (k: number): string => words[k] ?? '';
    const after = at(mention.end);
    // Look back within the clause, up to five words.
    let negatedAt = -1;
    let lessAt = -1;
    let moreAt = -1;
    let sourceAt = -1;
    for (let j = s - 1; j >= 0 && j >= s - 5; j--) {
      const w = at(j);
      if (CLAUSE_BREAKS.has(w)) {
        if (w === 'but' && at(j - 1) === 'anything') negatedAt = j;
        break;
      }
      if (w === 'of' && at(j - 1) === 'instead') { negatedAt = j; break; }
      if (w === 'than' && (at(j - 1) === 'rather' || at(j - 1) === 'other')) { negatedAt = j; break; }
      if (this.isMentionToken(j)) break; // "sad and not scary": the previous mention closes the look-back
      if (NEGATORS.has(w) && negatedAt < 0) negatedAt = j;
      else if (w === 'no' && negatedAt < 0 && s - j <= 3) negatedAt = j;
      else if (LESS_MARKERS.has(w) && lessAt < 0 && s - j <= 3) lessAt = j;
      else if (MORE_MARKERS.has(w) && moreAt < 0 && s - j <= 3) moreAt = j;
      else if (w === 'down' && DOWN_VERBS.has(at(j - 1)) || w === 'down' && DOWN_VERBS.has(at(j - 2))) lessAt = j;
      else if ((w === 'back' || w === 'away' || w === 'out') && ['dial', 'scale', 'pull', 'take', 'cut', 'rid'].includes(at(j - 1) || at(j - 2))) lessAt = j;
      else if (w === 'rid' || (w === 'away' && at(j - 1) === 'take')) lessAt = j;
      else if (w === 'up' && (UP_VERBS.has(at(j - 1)) || UP_VERBS.has(at(j - 2)))) moreAt = j;
      else if (SOURCE_WORDS.has(w) && sourceAt < 0 && s - j <= 3) sourceAt = j;
    }
    const before1 = at(s - 1);
    const before2 = at(s - 2);
    if (negatedAt >= 0 && (before1 === 'too' || before1 === 'overly' || before1 === 'very') && before2 === 'not') {
      mention.mild = true; // "not too scary": scary, gently
    } else if (negatedAt >= 0 && (after === 'enough' || before1 === 'enough')) {
      mention.more = true; // "not scary enough", "not enough sadness"
    } else if (negatedAt >= 0 && (before1 === 'so' || before1 === 'as' || before1 === 'that') && negatedAt === s - 2) {
      mention.role = 'less'; // "not so sad", "not as gloomy"
    } else if (negatedAt >= 0 && moreAt > negatedAt) {
      mention.role = 'less'; // "don't make it any more scary", "no more sadness"
    } else if (negatedAt >= 0) {
      mention.role = 'negated';
    } else if (before1 === 'too' || ((before1 === 'much' || before1 === 'many') && before2 === 'too')) {
      mention.role = 'less'; // "too scary", "too much gloom"
    } else if (sourceAt >= 0) {
      mention.role = 'source';
    } else if (lessAt >= 0 && (moreAt < 0 || lessAt > moreAt)) {
      mention.role = 'less';
    } else if (moreAt >= 0) {
      mention.more = true;
    }
    // "bring the anger down", "dial the fear back", "turn the creepiness up": the particle follows.
    if (mention.role === 'target' && negatedAt < 0) {
      const particle = after === 'a' || after === 'it' ? '' : (after === 'down' || after === 'back' || after === 'up' ? after : at(mention.end + 1) === 'down' ? 'down' : '');
      if (particle) {
        let verb = '';
        for (let j = s - 1; j >= 0 && j >= s - 3 && !verb; j--) if (DOWN_VERBS.has(at(j)) || UP_VERBS.has(at(j)) || PULL_VERBS.has(at(j))) verb = at(j);
        if (verb && particle === 'up' && UP_VERBS.has(verb)) mention.more = true;
        else if (verb && particle !== 'up' && (DOWN_VERBS.has(verb) || PULL_VERBS.has(verb))) mention.role = 'less';
      }
    }
  }

  private isMentionToken(index: number): boolean {
    return this.mentions.some((m) => index >= m.start && index < m.end);
  }

  /** "X to Y", "the X picture … Y", "it looks X, make it Y": X is the source. */
  private findSources(): void {
    const { words, mentions } = this;
    for (let a = 0; a < mentions.length; a++) {
      const x = mentions[a]!;
      if (x.role !== 'target') continue;
      const y = mentions.slice(a + 1).find((m) => m.role === 'target' && m.emotion !== x.emotion);
      if (!y) continue;
      const gap = words.slice(x.end, y.start);
      const arrow =
        (gap.length <= 4 && gap.some((w) => ARROWS.has(w)) && !gap.some((w) => PUNCTUATION.has(w) && w !== ':')) ||
        (this.options.otherLanguages && gap.length === 1 && FOREIGN_ARROWS.has(gap[0]!));
      // "the sad picture …", "the angry face … calm": an emotion word describing a thing, then another emotion.
      const next = words[x.end] ?? '';
      const describesPicture =
        !x.weak && (PICTURE_NOUNS.has(next) || ELEMENT_WORD_INDEX.has(next) || (PICTURE_NOUNS.has(words[x.end + 1] ?? '') && !ARROWS.has(next)));
      const describedAs = DESCRIBING_VERBS.has(words[x.start - 1] ?? '') || DESCRIBING_VERBS.has(words[x.start - 2] ?? '');
      // "replace the anger with joy", "swap the sadness for awe"
      const replaced =
        gap.length <= 3 &&
        (gap.includes('with') || gap.includes('for') || gap.includes('by')) &&
        [1, 2, 3].some((k) => REPLACING_VERBS.has(words[x.start - k] ?? ''));
      if (arrow || describesPicture || describedAs || replaced) x.role = 'source';
    }
  }

  /** "make it sad, actually scary": only what follows the last correction counts. */
  private applyCorrections(): void {
    const { words } = this;
    let last = -1;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (CORRECTIONS.has(w) && !(w === 'instead' && words[i + 1] === 'of') && !(w === 'rather' && words[i + 1] === 'than')) last = i;
      for (const phrase of CORRECTION_PHRASES.get(w) ?? []) {
        if (phrase.every((p, k) => words[i + k] === p)) last = i;
      }
    }
    if (last < 0) return;
    if (!this.mentions.some((m) => m.start > last && m.role === 'target')) return;
    for (const m of this.mentions) if (m.start < last && m.role !== 'source') m.role = 'dropped';
  }

  // -- decision -------------------------------------------------------------------------------

  private decideFromMentions(): Intent | undefined {
    const { current } = this.context;
    const targets = this.mentions.filter((m) => m.role === 'target');
    const strong = targets.filter((m) => !m.weak);
    const chosen = (strong.length > 0 ? strong : targets)[0];
    if (chosen) {
      const target = this.resolve(chosen);
      const sourceMention = this.mentions.find((m) => m.role === 'source');
      const source = sourceMention ? this.resolve(sourceMention) : undefined;
      if (current === target && !sourceMention) {
        if (chosen.more) return { kind: 'refine', direction: 'more' };
        if (chosen.mild) return { kind: 'refine', direction: 'less' };
      }
      return this.edit(target, source !== target ? source : undefined, chosen);
    }
    const weakened = this.mentions.find((m) => m.role === 'less');
    if (weakened) {
      const emotion = this.resolve(weakened);
      const opposite = current !== undefined && EMOTION_TABLE[current].valence !== EMOTION_TABLE[emotion].valence;
      return { kind: 'refine', direction: opposite ? 'more' : 'less' };
    }
    // Only negated (or only a source): nothing to do from emotion words. Phrases may still say something.
    return undefined;
  }

  /** The emotion a mention names; generic happiness follows `resolveGenericHappy`. */
  private resolve(mention: Mention): Emotion {
    if (mention.emotion !== 'happy') return mention.emotion;
    return resolveGenericHappy(this.context.current, mention.more || mention.role === 'less');
  }

  private edit(target: Emotion, source: Emotion | undefined, chosen: Mention): Intent {
    const intensity = this.intensity(chosen);
    const elements = this.elements();
    return {
      kind: 'edit',
      target,
      ...(source ? { source } : {}),
      intensity,
      ...(elements.length > 0 ? { elements } : {}),
      instruction: canonicalInstruction(target, source),
    };
  }

  private intensity(chosen: Mention): number {
    const numeric = numericIntensity(this.folded);
    if (numeric !== undefined) return numeric;
    let level: number = chosen.form === 'superlative' ? INTENSITY.max : chosen.mild ? INTENSITY.low : INTENSITY.medium;
    if (level !== INTENSITY.medium) return level;
    const { words } = this;
    let best: number | undefined;
    for (let i = 0; i < words.length; ) {
      if (this.used[i]) { i++; continue; }
      let matched = 0;
      for (let n = Math.min(INTENSITY_PHRASE_STARTS.get(words[i]!) ?? 1, words.length - i); n >= 1; n--) {
        const key = joinWords(words, i, n);
        const value = INTENSITY_INDEX.get(key);
        if (value === undefined) continue;
        if (ADJACENT_ONLY_INTENSITY.has(key) && !this.mentionStartsWithin(i + n, 3)) continue;
        matched = n;
        best = best === undefined ? value : rankIntensity(best, value);
        break;
      }
      if (matched > 0) {
        for (let k = i; k < i + matched; k++) this.used[k] = true;
        i += matched;
      } else i++;
    }
    level = best ?? INTENSITY.medium;
    return level;
  }

  private mentionStartsWithin(from: number, distance: number): boolean {
    return this.mentions.some((m) => m.start >= from && m.start < from + distance) || (this.words[from] === 'more' && this.mentionStartsWithin(from + 1, 2));
  }

  private elements(): Element[] {
    const { words } = this;
    const found = new Set<Element>();
    for (let i = 0; i < words.length; ) {
      if (this.used[i]) { i++; continue; }
      let matched = 0;
      for (let n = Math.min(ELEMENT_PHRASE_STARTS.get(words[i]!) ?? 1, words.length - i); n >= 1; n--) {
        if (this.used[i + n - 1]) continue;
        const key = joinWords(words, i, n);
        let element = ELEMENT_WORD_INDEX.get(key);
        if (!element && n === 1 && key.length > 3 && key.endsWith('s')) element = ELEMENT_WORD_INDEX.get(key.slice(0, -1));
        if (element) { found.add(element); matched = n; break; }
      }
      i += Math.max(1, matched);
    }
    return ELEMENTS.filter((e) => found.has(e));
  }

  // -- phrases without an emotion -------------------------------------------------------------

  private decideFromPhrases(): Intent {
    const text = this.words.join(' ');
    const typo = commandTypo(this.words);
    if (typo) return typo;
    const foreign = this.options.otherLanguages;
    for (const [rule, intent] of PHRASES) {
      if (ruleMatches(rule.english, text, this.words) || (foreign && rule.foreign && ruleMatches(rule.foreign, text, this.words))) return intent;
    }
    return UNKNOWN;
  }
}

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
const NOT_COMMAND_TYPOS = new Set(['hell', 'held', 'hemp', 'kelp', 'yelp', 'unto', 'undue', 'rested', 'resent', 'beset', 'reside', 'retro', 'remit', 'emotion', 'agains', 'rest', 'red', 'redd']);

function commandTypo(words: readonly string[]): Intent | undefined {
  const meaningful = words.filter((w) => !PUNCTUATION.has(w) && w !== 'please' && w !== 'pls');
  if (meaningful.length !== 1) return undefined;
  const word = meaningful[0]!;
  if (word.length < 4 || NOT_COMMAND_TYPOS.has(word)) return undefined;
  for (const [command, intent] of COMMAND_WORDS) if (word !== command && withinOneEdit(word, command)) return intent;
  return undefined;
}

/** Of two intensity words, the one that wins: low beats high ("a really subtle touch"), max beats both. */
function rankIntensity(a: number, b: number): number {
  if (a === INTENSITY.max || b === INTENSITY.max) return INTENSITY.max;
  if (a === INTENSITY.low || b === INTENSITY.low) return INTENSITY.low;
  return Math.max(a, b);
}

/** "50%", "7/10", "intensity 0.8" → a number in (0, 1]. */
function numericIntensity(folded: string): number | undefined {
  if (!/\d/.test(folded)) return undefined;
  const percent = /(?:^|[^\d.,])(\d{1,3}(?:[.,]\d+)?)\s*(?:%|percent\b|per cent\b)/.exec(folded);
  if (percent) return clampIntensity(Number(percent[1]!.replace(',', '.')) / 100);
  const outOfTen = /(?:^|[^\d.,])(\d{1,2}(?:[.,]\d+)?)\s*(?:\/|out of)\s*10\b/.exec(folded);
  if (outOfTen) return clampIntensity(Number(outOfTen[1]!.replace(',', '.')) / 10);
  const level = /\b(?:intensity|strength|level|power|amount|force|intensite|intensidad|intensitat|intensita|intensidade)\s*(?:of|at|to|=|:|is|de|a)?\s*(0?[.,]\d+|1(?:[.,]0+)?)(?![\d.,]*\s*%)/.exec(folded);
  if (level) return clampIntensity(Number(level[1]!.replace(',', '.')));
  // A bare fraction ("sad 0.7") can only be an intensity.
  const fraction = /(?:^|[\s(:=])(0?\.\d+|1\.0+)(?=$|[\s),;!?])/.exec(folded);
  if (fraction) return clampIntensity(Number(fraction[1]));
  return undefined;
}

/** Words that look derivable from an emotion word but are not ("cheer" from "cheery" is fine; "better" is not). */
const NOT_EMOTION_WORDS = new Set([
  'better', 'never', 'ever', 'over', 'after', 'water', 'later', 'other', 'rather', 'whether', 'either', 'neither',
  'faster', 'bigger', 'larger', 'smaller', 'darker', 'lighter', 'brighter', 'warmer', 'cooler', 'stronger',
  'weaker', 'softer', 'harder', 'deeper', 'higher', 'lower', 'longer', 'shorter', 'closer', 'further', 'farther',
  'sunset', 'funnel', 'fundamental', 'chilly', 'really', 'fully', 'mostly', 'lately',
  'mother', 'father', 'brother', 'sister', 'winter', 'summer', 'number', 'paper', 'matter', 'letter', 'butter',
  // Derivable, but in a request they mean something else ("hopefully", "I was wondering", "cheers").
  'sober', 'positively', 'hopefully', 'thankfully', 'gratefully', 'wondering', 'wondered', 'cheers', 'joking', 'joked',
  'wilderness', 'glades', 'gaged', 'gages', 'contents', 'tempered', 'tempering', 'grimes', 'sades', 'rotes', 'roted',
  'roting', 'rotter', 'mucking', 'madding', 'gladly', 'losses', 'threated', 'comforter', 'molding', 'moulding',
  'parties', 'partier', 'hyper', 'quietly', 'pleasantly', 'sadded', 'sads', 'mads', 'funs', 'epics', 'grands',
  // Adverbs that only say how much: "dreadfully sad" is very sad, not fearful.
  'dreadfully', 'frightfully', 'painfully', 'hopelessly', 'ridiculously', 'absurdly', 'wildly', 'insanely', 'madly', 'seriously',
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
function lookupDerived(token: string): EmotionWord | undefined {
  for (const [suffix, replacements, form] of SUFFIXES) {
    if (!token.endsWith(suffix) || token.length - suffix.length < 3) continue;
    let stem = token.slice(0, -suffix.length);
    const candidates: string[] = replacements.map((r) => stem + r);
    // "sadder" → "sad", "grimmer" → "grim": an undoubled consonant.
    if (stem.length >= 3 && stem[stem.length - 1] === stem[stem.length - 2] && !/[aeiou]/.test(stem[stem.length - 1]!)) {
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

function ruleMatches(rule: PhraseRule, text: string, words: readonly string[]): boolean {
  if (rule.complex?.test(text)) return true;
  if (!rule.simple) return false;
  for (const word of words) if (rule.firstWords.has(word)) return rule.simple.test(text);
  return false;
}

const IT = `(?:it|that|this|things|the effect|the edit|everything)`;

const PHRASES: readonly (readonly [PhraseSet, Intent])[] = [
  [phrase('(?:ctrl|cmd|control|strg) (?:\\+ )?z', '⌘ (?:\\+ )?z'), { kind: 'undo' }],
  [phrase('(?:ctrl|cmd|control|strg) (?:\\+ )?(?:y|shift (?:\\+ )?z)'), { kind: 'redo' }],
  [
    phrase('again but (?:even )?(?:stronger|more|harder|bigger|heavier|bolder|more intense|further)', '(?:stronger|harder|more intense) this time'),
    { kind: 'refine', direction: 'more' },
  ],
  [
    phrase('again but (?:weaker|less|softer|subtler|lighter|gentler|milder|more subtle)', '(?:weaker|softer|subtler|gentler) this time'),
    { kind: 'refine', direction: 'less' },
  ],
  [
    phrase(
      'reset', 'restart', 'start (?:over|again|afresh|fresh|from (?:scratch|the (?:beginning|start)))', 'from scratch',
      'begin again', 'fresh start', 'clean slate', 'square one', 'start (?:anew|afresh|from zero)',
      `(?:back|revert|reverting|return|returning|restore|go back|get back|bring back|take me back|roll back|rollback)(?: ${IT})? to (?:the |my |its )?(?:original|start|beginning|first (?:photo|picture|image|pic|version)|unedited|initial|untouched|raw|real)`,
      'original', 'unedited', 'untouched', 'undo (?:everything|all|it all|all (?:the |my )?(?:changes|edits))',
      `(?:remove|clear|drop|delete|strip|wipe|get rid of|lose|scrap|undo) (?:all |every )(?:the |of the |my )?(?:edits?|changes|effects?|filters?)`,
      `(?:remove|clear|drop|delete|strip|wipe|get rid of) (?:the |my )?(?:edits|changes|effects|filters)`,
      'clear (?:it|everything|all)', 'wipe (?:it|everything)', '(?:the )?way it was', 'as it was', 'how it (?:was|looked)(?: originally| at first| to begin with)?',
      FOREIGN, 'reinitialiser', 'recommencer', 'reiniciar', 'empezar de nuevo', 'zurucksetzen', 'von vorne', 'ricomincia', 'ripristina', 'recomecar', 'comecar de novo',
    ),
    { kind: 'reset' },
  ],
  [
    phrase(
      'one more time', 'once more', 'one more (?:try|go|attempt|version|take)', 'reroll', 're roll', 'regenerate', 're generate',
      'different(?:ly)?', 'another (?:one|version|take|variation|variant|try|go|attempt|seed|option|shot)', 'another',
      'new (?:seed|version|variation|variant|attempt|take|one)', 'variations?', 'variants?', 'shuffle', 'randomi[sz]e',
      'roll (?:again|the dice)', 'spin again', 'try (?:it )?again', 'retry', '(?:do|run|make|generate|render) (?:it|that|this|one) again',
      'give (?:it|me) another', 'one more', 'other version', 'alternative', '🔄', '🔁', '🎲',
      FOREIGN, 'nochmal', 'noch einmal', 'otra vez', 'de nuevo', 'encore une fois', 'une autre', 'di nuovo', 'ancora una volta', 'de novo', 'outra vez', 'otra', 'reessayer', 'riprova',
    ),
    { kind: 'retry' },
  ],
  [
    phrase(
      'redo', 're do', 'undo (?:the |that |my |your |an )undo', 'un undo', 'unundo',
      `(?:bring|put|give|get) (?:it|that|this|the (?:edit|change|last (?:one|edit))) back`, 'i want (?:it|that) back',
      'go forward', 'step forward', 'forward', 're ?apply', 'restore (?:it|that|the edit)',
      'changed my mind', '⏩', '↪', FOREIGN, 'refaire', 'rehacer', 'wiederherstellen', 'rifai', 'refazer',
    ),
    { kind: 'redo' },
  ],
  [
    phrase(
      'too (?:weak|subtle|mild|faint|light|little|soft|slight|small|gentle|tame|timid)', 'not (?:strong|intense|dramatic|obvious|noticeable|visible|much|nearly) enough',
      '(?:not|isnt|wasnt|hardly|barely) (?:nearly )?enough', 'need(?:s)? more', 'barely (?:see|notice|noticeable|visible|there|changed|any|different)',
      '(?:cant|can not|cannot|couldnt|dont|do not) (?:really )?(?:see|tell|notice) (?:a |any |the |much )?(?:difference|change)',
      '(?:cant|cannot|dont) (?:really )?(?:see|notice) (?:it|anything)', 'hardly (?:see|notice|any|changed|different)',
      'no (?:visible |real |big )?(?:difference|change)', 'nothing (?:changed|happened)', '(?:didnt|did not|doesnt) (?:really )?change', 'looks? the same',
      'same as before',
    ),
    { kind: 'refine', direction: 'more' },
  ],
  [
    phrase(
      'more (?:subtle|subtly|natural|realistic|gentle|gently|muted|restrained|understated|soft|toned down|delicate|faithful)',
      'less', 'lesser', 'weaker', 'weaken', 'subtler', 'softer', 'soften', 'gentler', 'milder', 'tamer', 'lighter',
      `(?:tone|turn|dial|ramp|knock|bring|take|calm|tune|water|scale) (?:[^ ]+ ){0,3}down(?: a (?:bit|notch|touch|little))?`,
      `(?:pull|scale|dial|rein) (?:${IT} )?(?:back|in)`, 'back off', 'ease (?:off|up)', 'go easy', 'easy on', 'down a notch',
      'notch down', 'reduce', 'decrease', 'lower', 'lessen', 'diminish', 'minimi[sz]e',
      'too (?:much|strong|intense|far|heavy|extreme|harsh|saturated|obvious|aggressive|dramatic|powerful|over the top|overdone|exaggerated|crazy|wild|loud|dark|bright|edited|fake)',
      'overdone', 'over done', 'overkill', 'overcooked', 'over the top', '(?:a )?(?:bit|little|tad) much', 'not so (?:much|strong|intense)',
      'not (?:as|that) (?:much|strong|intense)', 'half as', 'halve', 'smaller', 'minus', '➖', 'too',
      'subtle', 'subtly', 'tone down', 'toned down', 'calm it', 'chill (?:it )?out on', 'dial it back',
      FOREIGN, 'moins', 'menos', 'weniger', 'meno',
    ),
    { kind: 'refine', direction: 'less' },
  ],
  [
    phrase(
      'more', 'moar', 'stronger', 'strong', 'intensify', 'intenser', 'intense', 'amplify', 'boost', 'crank', 'cranked',
      `(?:turn|dial|ramp|pump|amp|jack|kick|step|bump|ratchet|punch|crank) (?:[^ ]+ ){0,3}up`, `push (?:${IT} )?(?:further|harder|more)?`, 'push',
      'go (?:further|harder|bigger|all in|big|all out|nuts|wild|crazy|for it)', 'further', 'harder', 'bigger', 'heavier', 'bolder', 'deeper',
      'louder', 'exaggerate', 'emphasi[sz]e', 'increase', 'enhance', 'heighten', 'double (?:it|down)', 'double', 'max (?:it|that)(?: out)?',
      'maxed', 'maximum', 'maximi[sz]e', 'keep going', 'continue', 'go on', 'amp', 'level up', 'next level', '^up(?: !)*$', '\\+', '➕', '⬆', '📈', '🔥',
      FOREIGN, 'plus', 'mas', 'mehr', 'piu', 'encore plus', 'davantage', 'verstarken', 'staerker', 'starker', 'fuerte', 'forte', 'intensificar', 'intensifier',
    ),
    { kind: 'refine', direction: 'more' },
  ],
  [
    phrase(
      'undo', 'un do', 'go back', 'back', 'previous', 'prev', 'revert', 'step back', `take (?:${IT} )?back`, 'cancel', 'rollback', 'roll back',
      'oops', 'liked (?:it|that|the (?:previous|last|other|old|earlier|first|one before)(?: one| version)?) (?:better|more)',
      '(?:previous|last|earlier|old|other|prior|first) (?:one|version|picture|image|photo|edit) (?:was|is|looked) better', 'was better',
      'before was better', '(?:thats|that is|its|it is|this is) worse', 'worse', 'prefer(?:red)? (?:the )?(?:previous|last|old|earlier|other|one before|before)',
      '(?:remove|scrap|delete|drop) (?:that|this|the last|the) (?:edit|change)', 'scrap (?:that|this|it)', 'not (?:like )?(?:that|this)',
      'thats not (?:it|right|what i (?:wanted|meant|asked))', 'nope', 'no no', 'dont like (?:it|this|that)', 'hate (?:it|this|that)', 'ugh', 'yuck no',
      '↩', '⏪', '◀', '👎', '🔙', FOREIGN, 'annuler', 'annule', 'retour', 'deshacer', 'deshaz', 'volver', 'ruckgangig', 'zuruck', 'annulla', 'indietro', 'desfazer', 'desfaz', 'voltar',
    ),
    { kind: 'undo' },
  ],
  [phrase('again', FOREIGN, 'encore', 'ancora', 'nochmal'), { kind: 'retry' }],
  [
    phrase(
      '(?:which|what|list|show(?: me)?|available|supported|all|your|possible|other|the|many|give me) (?:the |your |of |available |supported |possible |other )*(?:emotions?|feelings?|moods?|styles?|categories|vibes)',
      '(?:emotions?|feelings?|moods?) (?:list|available|supported|options)', '(?:emotions?|feelings?|moods?) (?:do|can|could) you',
      '^(?:emotions?|feelings?|moods?|categories)(?: \\?)*$', 'what (?:can|could) (?:you|i) (?:make it|turn it into|change it to|choose|pick)',
      'what (?:are )?(?:the |my )?(?:options|choices)', '^(?:options|choices|menu|list)(?: \\?)*$', '🎭',
      FOREIGN, 'quelles? emotions?', 'liste des emotions', 'que emociones', 'cuales emociones', 'lista de emociones', 'welche (?:gefuhle|emotionen|stimmungen)',
      'quali emozioni', 'quais emocoes', 'lista (?:de|delle) emo',
    ),
    { kind: 'emotions' },
  ],
  [
    phrase(
      'help', 'helpp', 'halp', 'what can you do', 'what do you do', 'what (?:does|do|can|could) (?:[^ ]+ ){1,3}do', 'what (?:should|can|do) i (?:type|say|write|do|send|ask)', 'what now',
      'how (?:does|do|can|should|would) (?:[^ ]+ ){1,3}(?:work|use|start)', 'how (?:do|can) i (?:edit|change)', 'how to(?: use)?',
      'instructions?', 'commands?', 'usage', 'what are you', 'who are you', 'guide', 'tutorial', 'manual', 'faq', 'info', '^\\?(?: \\?)*$',
      '^(?:start|hi help|menu)$', FOREIGN, 'aide', 'ayuda', 'hilfe', 'aiuto', 'ajuda', 'comment ca marche', 'como funciona', 'wie funktioniert', 'come funziona',
    ),
    { kind: 'help' },
  ],
];
