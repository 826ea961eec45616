/**
 * @module One message being read: the emotion words found in it, the role each plays, and the
 * decision (see the module note of `rules-normaliser.ts` for the order).
 */
import * as emotions from '../emotions.ts';
import type { Element, Emotion } from '../emotions.ts';
import * as intent from '../intent.ts';
import type { Intent, NormaliseContext } from '../intent.ts';
import * as lexicon from '../lexicon.ts';
import type { EmotionWord, LexiconEmotion, WordForm } from '../lexicon.ts';
import * as intensityWords from './intensity.ts';
import * as markers from './markers.ts';
import * as phrases from './phrases.ts';
import type { RulesNormaliserOptions } from './rules-options.ts';
import * as text from './text.ts';
import * as followUps from './follow-ups.ts';
import * as idioms from './idioms.ts';
import * as languages from './lexicon/index.ts';
import * as wordLookup from './word-lookup.ts';

// Local copies of the imported values read in the hot loops: under tsx an imported binding is read through a getter.
const { ELEMENTS, EMOTION_TABLE } = emotions;
const { INTENSITY, canonicalInstruction } = intent;
const { ELEMENT_WORD_INDEX, EMOTION_WORD_INDEX, OTHER_LANGUAGE_WORD_INDEX, resolveGenericHappy } = lexicon;
const { ADJACENT_ONLY_INTENSITY, INTENSITY_CAP, INTENSITY_INDEX, numericIntensity, rankIntensity } = intensityWords;
const {
  ARROWS,
  CLAUSE_BREAKS,
  CORRECTIONS,
  CORRECTION_PHRASES,
  DESCRIBING_VERBS,
  DOWN_VERBS,
  FOREIGN_ARROWS,
  LESS_MARKERS,
  MORE_MARKERS,
  NEGATORS,
  PICTURE_NOUNS,
  PULL_VERBS,
  PUNCTUATION,
  REPLACING_VERBS,
  SOURCE_WORDS,
  SO_WORDS,
  UP_VERBS,
} = markers;
const { PHRASES, commandTypo, ruleMatches } = phrases;
const { joinWords, phraseStarts } = text;
const { OPPOSITE_EMOTION, OTHER_WAY_PHRASES, TEMPERATURE_WORDS } = followUps;
const { idiomAt } = idioms;
const {
  LANGUAGE_COMMANDS,
  LANGUAGE_COMMAND_MAX_WORDS,
  LANGUAGE_NEGATORS_AFTER,
  LANGUAGE_WORD_INDEX,
  UNSPACED_NEGATORS_AFTER,
  UNSPACED_SCRIPT,
} = languages;
const { lookupEmotionToken } = wordLookup;

export const UNKNOWN: Intent = Object.freeze({ kind: 'unknown' }) as Intent;

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
  /** "too X": there is too much of it now. */
  tooMuch?: boolean;
  /** Read from the idiom and scene table: it counts when no emotion word does. */
  idiom?: boolean;
  /** The elements an idiom names ("make them cower": action). */
  elements?: readonly Element[];
}
const MAX_MENTIONS = 32;
const TEMPERATURE_FIRST_WORDS = new Set([...TEMPERATURE_WORDS.keys()].map((k) => k.split(' ')[0]!));
const OTHER_WAY = new RegExp(`(?:^| )(?:${OTHER_WAY_PHRASES.join('|')})(?= |$)`);
/** "so", "too": after a negation they ask for less ("don't make it so gloomy"). */
const DEGREE_WORDS = new Set(['so', 'too', 'that', 'as', 'overly']);

const EMOTION_PHRASE_STARTS = phraseStarts(EMOTION_WORD_INDEX, OTHER_LANGUAGE_WORD_INDEX, LANGUAGE_WORD_INDEX);
const INTENSITY_PHRASE_STARTS = phraseStarts(INTENSITY_INDEX);
const ELEMENT_PHRASE_STARTS = phraseStarts(ELEMENT_WORD_INDEX);

export class Reading {
  private readonly mentions: Mention[] = [];
  /** Elements named by idioms that name no emotion ("make them jump"). */
  private readonly namedElements: Element[] = [];
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
    if (this.mentions.length === 0) this.findTemperature();
    // Nobody names more than a few feelings in one request; past that it is noise (and quadratic work).
    if (this.mentions.length > MAX_MENTIONS) this.mentions.length = MAX_MENTIONS;
    if (this.mentions.length > 0) {
      this.assignRoles();
      const intent = this.decideFromMentions();
      if (intent) return intent;
    }
    const intent = this.decideFromPhrases();
    return intent.kind === 'unknown' ? this.understood() : intent;
  }

  /**
   * `unknown`, with what the words did say: the emotion they rule out ("not sad"), the elements
   * and the intensity they name ("make the sky really…"), so that the answer can name them.
   */
  private understood(): Intent {
    const negated = this.mentions.find((m) => m.role === 'negated');
    const elements = this.elements();
    const intensity = this.intensity(undefined);
    if (!negated && elements.length === 0 && intensity === INTENSITY.medium) return UNKNOWN;
    return {
      kind: 'unknown',
      ...(negated ? { negated: this.resolve(negated) } : {}),
      ...(elements.length > 0 ? { elements } : {}),
      ...(intensity !== INTENSITY.medium ? { intensity } : {}),
    };
  }

  // -- emotion words --------------------------------------------------------------------------

  private findMentions(): void {
    const { words } = this;
    for (let i = 0; i < words.length;) {
      const found = this.lookupAt(i);
      const idiom = idiomAt(words, i);
      if (idiom && idiom.length >= (found?.length ?? 0)) {
        for (let k = i; k < i + idiom.length; k++) this.used[k] = true;
        const { emotion, elements } = idiom.row;
        if (emotion) {
          this.mentions.push({
            emotion,
            form: 'base',
            start: i,
            end: i + idiom.length,
            weak: false,
            role: 'target',
            more: false,
            mild: false,
            idiom: true,
            ...(elements ? { elements } : {}),
          });
        } else if (elements) this.namedElements.push(...elements);
        i += idiom.length;
      } else if (found) {
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

  /** "warmer", "colder": toward contentment or sadness when no emotion word is said (see `follow-ups.ts`). */
  private findTemperature(): void {
    const { words } = this;
    for (let i = 0; i < words.length; i++) {
      if (!TEMPERATURE_FIRST_WORDS.has(words[i]!)) continue;
      const two = i + 1 < words.length ? TEMPERATURE_WORDS.get(joinWords(words, i, 2)) : undefined;
      const emotion = two ?? TEMPERATURE_WORDS.get(words[i]!);
      if (!emotion) continue;
      const end = i + (two ? 2 : 1);
      this.mentions.push({
        emotion,
        form: 'comparative',
        start: i,
        end,
        weak: false,
        role: 'target',
        more: true,
        mild: false,
        elements: ['color'],
      });
      return;
    }
  }

  private lookupAt(i: number): { word: EmotionWord; length: number } | undefined {
    const { words } = this;
    const longest = Math.min(EMOTION_PHRASE_STARTS.get(words[i]!) ?? 1, words.length - i);
    for (let n = longest; n >= 2; n--) {
      const key = joinWords(words, i, n);
      const word =
        EMOTION_WORD_INDEX.get(key) ??
        (this.options.otherLanguages
          ? (OTHER_LANGUAGE_WORD_INDEX.get(key) ?? LANGUAGE_WORD_INDEX.get(key))
          : undefined);
      if (word) return { word, length: n };
    }
    const token = words[i]!;
    const word = this.lookupWord(token);
    return word ? { word, length: 1 } : undefined;
  }

  private lookupWord(token: string): EmotionWord | undefined {
    return lookupEmotionToken(token, this.options);
  }

  // -- roles ----------------------------------------------------------------------------------

  private assignRoles(): void {
    for (const mention of this.mentions) this.assignRole(mention);
    this.findSources();
    this.applyCorrections();
    this.findContrasts();
  }

  /**
   * "it's far too exciting, make it sad instead": an emotion there is too much of, beside another
   * the person asks for, is what the picture shows now. ("less gloomy, more cozy" names no source.)
   */
  private findContrasts(): void {
    const target =
      this.mentions.find((m) => m.role === 'target' && !m.weak) ?? this.mentions.find((m) => m.role === 'target');
    if (!target || this.mentions.some((m) => m.role === 'source')) return;
    const weakened = this.mentions.find((m) => m.role === 'less' && m.tooMuch === true && m.emotion !== target.emotion);
    if (weakened) weakened.role = 'source';
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
    for (let j = s - 1; j >= 0 && j >= s - 6; j--) {
      if (j === s - 6 && !NEGATORS.has(at(j))) break; // only a negation reaches six words back
      const w = at(j);
      if (CLAUSE_BREAKS.has(w)) {
        if (w === 'but' && at(j - 1) === 'anything') negatedAt = j;
        break;
      }
      if (w === 'of' && at(j - 1) === 'instead') {
        negatedAt = j;
        break;
      }
      if (w === 'than' && (at(j - 1) === 'rather' || at(j - 1) === 'other')) {
        negatedAt = j;
        break;
      }
      if (this.isMentionToken(j)) break; // "sad and not scary": the previous mention closes the look-back
      if (NEGATORS.has(w) && negatedAt < 0) negatedAt = j;
      else if (w === 'no' && negatedAt < 0 && s - j <= 3) negatedAt = j;
      else if (LESS_MARKERS.has(w) && lessAt < 0 && s - j <= 3) lessAt = j;
      else if (MORE_MARKERS.has(w) && moreAt < 0 && s - j <= 3) moreAt = j;
      else if ((w === 'down' && DOWN_VERBS.has(at(j - 1))) || (w === 'down' && DOWN_VERBS.has(at(j - 2)))) lessAt = j;
      else if (
        (w === 'back' || w === 'away' || w === 'out') &&
        ['dial', 'scale', 'pull', 'take', 'cut', 'rid'].includes(at(j - 1) || at(j - 2))
      )
        lessAt = j;
      else if (w === 'rid' || (w === 'away' && at(j - 1) === 'take')) lessAt = j;
      else if (w === 'up' && (UP_VERBS.has(at(j - 1)) || UP_VERBS.has(at(j - 2)))) moreAt = j;
      else if (SOURCE_WORDS.has(w) && sourceAt < 0 && s - j <= 3) sourceAt = j;
    }
    const before1 = at(s - 1);
    const before2 = at(s - 2);
    // "so gloomy", and "so dark and gloomy": the degree word of a pair.
    const degree = before1 === 'and' && DEGREE_WORDS.has(at(s - 3)) ? at(s - 3) : before1;
    if (negatedAt >= 0 && (before1 === 'too' || before1 === 'overly' || before1 === 'very') && before2 === 'not') {
      mention.mild = true; // "not too scary": scary, gently
    } else if (negatedAt >= 0 && (after === 'enough' || before1 === 'enough')) {
      mention.more = true; // "not scary enough", "not enough sadness"
    } else if (negatedAt >= 0 && SO_WORDS.has(before1) && negatedAt === s - 2) {
      mention.role = 'less'; // "not so sad", "not as gloomy"
    } else if (negatedAt >= 0 && negatedAt < s - 2 && DEGREE_WORDS.has(degree)) {
      mention.role = 'less'; // "don't make it so gloomy", "don't make it too dark and gloomy"
    } else if (negatedAt >= 0 && moreAt > negatedAt) {
      mention.role = 'less'; // "don't make it any more scary", "no more sadness"
    } else if (negatedAt >= 0) {
      mention.role = 'negated';
    } else if (before1 === 'too' || ((before1 === 'much' || before1 === 'many') && before2 === 'too')) {
      mention.role = 'less'; // "too scary", "too much gloom"
      mention.tooMuch = true;
    } else if (sourceAt >= 0) {
      mention.role = 'source';
    } else if (lessAt >= 0 && (moreAt < 0 || lessAt > moreAt)) {
      mention.role = 'less';
    } else if (moreAt >= 0) {
      mention.more = true;
    }
    // "üzgün değil", "怖くしないで": a negation after the word.
    if (mention.role === 'target' && this.options.otherLanguages && this.negatedAfter(mention))
      mention.role = 'negated';
    // "bring the anger down", "dial the fear back", "turn the creepiness up": the particle follows.
    if (mention.role === 'target' && negatedAt < 0) {
      const particle =
        after === 'a' || after === 'it'
          ? ''
          : after === 'down' || after === 'back' || after === 'up'
            ? after
            : at(mention.end + 1) === 'down'
              ? 'down'
              : '';
      if (particle) {
        let verb = '';
        for (let j = s - 1; j >= 0 && j >= s - 3 && !verb; j--)
          if (DOWN_VERBS.has(at(j)) || UP_VERBS.has(at(j)) || PULL_VERBS.has(at(j))) verb = at(j);
        if (verb && particle === 'up' && UP_VERBS.has(verb)) mention.more = true;
        else if (verb && particle !== 'up' && (DOWN_VERBS.has(verb) || PULL_VERBS.has(verb))) mention.role = 'less';
      }
    }
  }

  private negatedAfter(mention: Mention): boolean {
    for (const k of [mention.end, mention.end + 1]) {
      const w = this.words[k];
      if (w === undefined) return false;
      if (LANGUAGE_NEGATORS_AFTER.has(w)) return true;
      if (k === mention.end && UNSPACED_SCRIPT.test(w) && UNSPACED_NEGATORS_AFTER.some((n) => w.includes(n)))
        return true;
      if (PUNCTUATION.has(w)) return false;
    }
    return false;
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
        !x.weak &&
        (PICTURE_NOUNS.has(next) ||
          ELEMENT_WORD_INDEX.has(next) ||
          (PICTURE_NOUNS.has(words[x.end + 1] ?? '') && !ARROWS.has(next)));
      const describedAs =
        DESCRIBING_VERBS.has(words[x.start - 1] ?? '') || DESCRIBING_VERBS.has(words[x.start - 2] ?? '');
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
      if (
        CORRECTIONS.has(w) &&
        !(w === 'instead' && words[i + 1] === 'of') &&
        !(w === 'rather' && words[i + 1] === 'than')
      )
        last = i;
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
    // An emotion word beats an idiom ("make the storm scarier"), which beats a word that also names an element.
    const chosen = targets.find((m) => !m.weak && !m.idiom) ?? targets.find((m) => m.idiom) ?? targets[0];
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

  private intensity(chosen: Mention | undefined): number {
    const numeric = numericIntensity(this.folded);
    if (numeric !== undefined) return numeric;
    let level: number =
      chosen?.form === 'superlative' ? INTENSITY.max : chosen?.mild ? INTENSITY.low : INTENSITY.medium;
    if (level !== INTENSITY.medium) return level;
    const { words } = this;
    let best: number | undefined;
    for (let i = 0; i < words.length;) {
      if (this.used[i]) {
        i++;
        continue;
      }
      // "más bien" is "rather", not "very".
      if (words[i] === 'mas' && words[i + 1] === 'bien') {
        i += 2;
        continue;
      }
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
    if (level > INTENSITY.medium && INTENSITY_CAP.test(words.join(' '))) level = INTENSITY.medium;
    return level;
  }

  private mentionStartsWithin(from: number, distance: number): boolean {
    return (
      this.mentions.some(
        (m) => m.start >= from && m.start < from + distance && (m.role === 'target' || m.role === 'less'),
      ) ||
      (this.words[from] === 'more' && this.mentionStartsWithin(from + 1, 2))
    );
  }

  private elements(): Element[] {
    const { words } = this;
    const found = new Set<Element>();
    for (let i = 0; i < words.length;) {
      if (this.used[i]) {
        i++;
        continue;
      }
      let matched = 0;
      for (let n = Math.min(ELEMENT_PHRASE_STARTS.get(words[i]!) ?? 1, words.length - i); n >= 1; n--) {
        if (this.used[i + n - 1]) continue;
        const key = joinWords(words, i, n);
        // "que sea" is Spanish ("let it be"), not the sea.
        if (key === 'sea' && (words[i - 1] === 'que' || words[i - 1] === 'lo')) continue;
        let element = ELEMENT_WORD_INDEX.get(key);
        if (!element && n === 1 && key.length > 3 && key.endsWith('s'))
          element = ELEMENT_WORD_INDEX.get(key.slice(0, -1));
        if (element) {
          found.add(element);
          matched = n;
          break;
        }
      }
      i += Math.max(1, matched);
    }
    for (const element of this.namedElements) found.add(element);
    for (const m of this.mentions)
      if (m.elements && m.role === 'target') for (const element of m.elements) found.add(element);
    return ELEMENTS.filter((e) => found.has(e));
  }

  // -- phrases without an emotion -------------------------------------------------------------

  private decideFromPhrases(): Intent {
    const text = this.words.join(' ');
    const { current } = this.context;
    if (current && OTHER_WAY.test(text)) {
      const target = OPPOSITE_EMOTION[current];
      return { kind: 'edit', target, intensity: this.intensity(undefined), instruction: canonicalInstruction(target) };
    }
    const typo = commandTypo(this.words);
    if (typo) return typo;
    const foreign = this.options.otherLanguages;
    for (const [rule, intent] of PHRASES) {
      if (
        ruleMatches(rule.english, text, this.words) ||
        (foreign && rule.foreign && ruleMatches(rule.foreign, text, this.words))
      )
        return intent;
    }
    return (foreign && this.languageCommand()) || UNKNOWN;
  }

  /** A command phrase of the nine languages of `lexicon/` ("geri al", "元に戻"), longest first. */
  private languageCommand(): Intent | undefined {
    const { words } = this;
    for (let n = Math.min(LANGUAGE_COMMAND_MAX_WORDS, words.length); n >= 1; n--) {
      for (let i = 0; i + n <= words.length; i++) {
        const intent = LANGUAGE_COMMANDS.get(joinWords(words, i, n));
        if (intent) return intent;
      }
    }
    return undefined;
  }
}
