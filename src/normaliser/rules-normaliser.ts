/**
 * @module The rules normaliser: free text to an `Intent` with word lists and a handful of
 * general rules, in microseconds and without a model (at least 100,000 requests a second on one
 * core: `npm run bench -- normaliser`). It is the embedded default, and the fallback of every
 * other normaliser. It reads English, French, Spanish, German, Italian and Portuguese, and
 * Dutch, Japanese, Chinese, Korean, Russian, Polish, Turkish, Arabic and Hindi (option
 * `otherLanguages`); how each is read is in `lexicon/` (see `lexicon/REVIEW.md`).
 *
 * How a message is read, in order:
 *
 * 1. **Cleaning** (`text.ts`). @mentions (`@moodshift_bot`, `<@123>`), links, control characters
 *    and broken UTF-16 are dropped; case, diacritics, extra spaces and hyphens are folded.
 *    Slash commands (`/undo`, `/undo@moodshift_bot`, `/mood sadder`) are read first. Japanese and
 *    Chinese, written without spaces, are split at the words their lexicons know.
 * 2. **Not a request** (`not-a-request.ts`). Instruction injection ("ignore all previous
 *    instructions"), distress ("I'm so sad today"), jokes, writing ("write me a sad poem"),
 *    greetings, thanks, chit-chat, questions on other topics and statements about oneself are
 *    `unknown` with `notARequest` set, before any emotion word is read: they never edit, undo or
 *    change anything. A message that points at the picture ("make it…") is still a request.
 * 3. **Emotion words** (`word-lookup.ts`, `idioms.ts`). Every word, phrase and emoji of the
 *    lexicon (`lexicon.ts`, and the other languages' in `lexicon/`) is found, with simple
 *    morphology ("eerily", "scariness", "creepier" from "creepy"), stretched letters ("saaaad")
 *    and, optionally, one typo ("terrifiyng"). Idioms and scenes ("like the milk has gone off",
 *    "make it pop") come from a documented table; an emotion word beats them ("make the storm
 *    scarier"), and "make them jump for joy" also names the action element. With no emotion word
 *    at all, "warmer" and "colder" (`follow-ups.ts`) lead to contentment and sadness. Each
 *    mention gets a role from the words around it (`markers.ts`):
 *    - *negated*: "not", "don't", "no", "without", "instead of", or a negation after the word
 *      (Turkish "değil", Japanese "ない") → ignored; "not X, more Y" is Y;
 *    - *less*: "less", "too", "not so", "don't make it so X", "tone down the", "reduce the" →
 *      weaken it;
 *    - *more*: comparatives ("sadder"), "more", "even", "increase the", "not X enough";
 *    - *mild*: "not too X" → X at low intensity;
 *    - *source*: "from X", "X to/into Y", "replace X with Y", "the X picture … Y", "it looks X,
 *      make it Y", "it's far too X, make it Y".
 *    A correction ("actually", "scratch that", "no,", "rather") discards what came before it.
 *    A word that also names an element ("smile") counts as an emotion only when nothing else does.
 * 4. **Decision** (`reading.ts`). The first remaining target wins. When it is the emotion the
 *    picture already shows and the words ask for more of it ("sadder" on a sad edit), the intent
 *    is `refine more`; otherwise it is an `edit` with the intensity, the named elements and the
 *    canonical instruction. Intensity (`intensity.ts`, words in every language): a number ("40%",
 *    "7/10", "0.4") wins; else a superlative or a max word ("scariest", "extremely", "up to
 *    eleven") is 1, a low word ("a bit", "a smidgen", "un poquito") 0.3, a high word ("very",
 *    "really", "much") 0.8, none 0.6; "… but not over the top" keeps it at most medium, and an
 *    intensity word beside a source or a ruled-out emotion does not count. Elements are the
 *    element words anywhere in the message ("her face" facial, "the sky" scene, "the colours"
 *    color). A message with only weakened emotions is `refine less` ("a bit less sad"), or
 *    `refine more` when the current edit already leads away from that emotion (opposite
 *    valence: "less sad" on an amusement edit).
 * 5. **Phrases** without an emotion (`phrases.ts`, `follow-ups.ts`), tried in this order: "the
 *    other way", "the opposite" (on a picture: the emotion opposite the current one in PAD
 *    space), a lone command word with one typo ("undoo", "hlep"), redo of what was undone ("bring
 *    back what you just undid"), reset ("start over", "back to the original"), retry ("reroll",
 *    "another version"), redo ("bring it back"), more/less ("push it further", "tone it down",
 *    "too subtle"), undo ("go back", "I liked the previous one better"), the emotion list, help;
 *    then the commands of the nine languages of `lexicon/index.ts` ("geri al", "元に戻").
 * 6. Anything else is `unknown`, carrying what was understood: the feeling ruled out ("not sad":
 *    `negated`, so the answer can ask which feeling instead), the elements and the intensity
 *    ("make the sky really…"), so that the answer names them.
 *
 * Generic happiness words follow the rule of `lexicon.ts` (`resolveGenericHappy`).
 * The rules never read `context.hasImage`: what to do without a picture is the Editor's call.
 */
import { EDIT_COMMAND, commandIntent, commandNamed, isModeratorCommandName } from '../commands.ts';
import { EMOTION_TABLE } from '../emotions.ts';
import type { Element, Emotion } from '../emotions.ts';
import { ConfigError } from '../errors.ts';
import type { Intent, NormaliseContext, Normaliser, NotARequest } from '../intent.ts';
import * as lexicon from '../lexicon.ts';
import * as notARequestModule from './not-a-request.ts';
import * as phrases from './phrases.ts';
import * as reading from './reading.ts';
import { DEFAULT_RULES_NORMALISER_OPTIONS } from './rules-options.ts';
import type { RulesNormaliserOptions } from './rules-options.ts';
import * as text from './text.ts';
import * as wordLookup from './word-lookup.ts';

// Local copies of the imported values read in the hot loops: under tsx an imported binding is read through a getter.
const { foldText } = lexicon;
const { recogniseNotARequest } = notARequestModule;
const { phraseIntent } = phrases;
const { Reading, UNKNOWN } = reading;
const { clean, tokenise } = text;
const { lookupEmotionToken } = wordLookup;

export { DEFAULT_RULES_NORMALISER_OPTIONS } from './rules-options.ts';
export type { RulesNormaliserOptions } from './rules-options.ts';

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
  /** For `unknown`: the kind of message that is not a request ("tell me a joke": `joke`). */
  notARequest?: NotARequest;
  /** For `unknown`: the emotion the person said they do not want ("not sad"). */
  negated?: Emotion;
}

/** The Intent as `moodshift parse` prints it: `kind`, `target`, `source`, `intensity`, `direction`, `elements`, `instruction`, and for `unknown` `notARequest` and `negated`. */
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
  } else if (intent.kind === 'unknown') {
    if (intent.notARequest) json.notARequest = intent.notARequest;
    if (intent.negated) json.negated = intent.negated;
  }
  return json;
}

// ---------------------------------------------------------------------------------------------
// Reading

function sanitiseContext(context: NormaliseContext | undefined): NormaliseContext {
  const current = context?.current;
  return current && Object.hasOwn(EMOTION_TABLE, current) ? { current } : {};
}

/**
 * What a slash word asks for, from the one command table (`commands.ts`, names and aliases): a
 * person command's intent, `rest` for the edit's words (`/mood sadder`: read "sadder"), or
 * undefined for anything else. A moderator command is never a request.
 */
function slashIntent(word: string): Intent | 'rest' | undefined {
  const name = commandNamed(word);
  if (name === undefined || isModeratorCommandName(name)) return undefined;
  if (name === EDIT_COMMAND) return 'rest';
  return commandIntent({ type: 'person', name, args: [] });
}

function readMessage(
  raw: string,
  context: NormaliseContext,
  options: Readonly<Required<RulesNormaliserOptions>>,
): Intent {
  let text = clean(raw.length > options.maxInputLength ? raw.slice(0, options.maxInputLength) : raw);
  const slash = /^\/([a-z_]+)(?:@[\w.]+)?(?:\s+([\s\S]*))?$/i.exec(text);
  if (slash) {
    const command = slashIntent(slash[1]!);
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
  const notARequest = recogniseNotARequest(
    words,
    (word) => lookupEmotionToken(word, options)?.emotion,
    () => {
      const kind = phraseIntent(words, options.otherLanguages)?.kind;
      // "what should I do?" asks for help; "what should I do when I feel sad?" does not.
      return kind !== undefined && kind !== 'refine' && (kind !== 'help' || words.filter((w) => w !== '?').length <= 6);
    },
    options.otherLanguages,
  );
  if (notARequest) return { kind: 'unknown', notARequest };
  const reading = new Reading(words, folded, context, options);
  return reading.decide();
}
