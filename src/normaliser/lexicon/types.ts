/**
 * @module The two shapes of a language's lexicon for the rules normaliser: `LanguageLexicon`,
 * the compact lexicon of a language read by its own index (`index.ts`: Dutch, Japanese…), and
 * `SharedRulesLexicon`, the vocabulary of a language read with the English rules (French,
 * Spanish, German, Italian, Portuguese; see its note).
 *
 * Entries are written as the language writes them (with diacritics and its own script); the
 * index folds them the way it folds messages (`foldText` in `lexicon.ts`). An entry ending in
 * `*` is a stem: any word that begins with it (Russian "грустн*" is "грустный", "грустная",
 * "грустнее"…). Stems are used where words inflect (Russian, Polish, Turkish, Korean, Arabic,
 * Japanese); languages with few forms list them (Dutch).
 */
import type { Element, Emotion } from '../../emotions.ts';

/** The emotion a word names. `happy` stands for the generic happiness words (see `src/lexicon.ts`). */
export type LexiconEmotion = Emotion | 'happy';

export interface LanguageLexicon {
  /** ISO 639-1 code. */
  code: string;
  /** The language's English name. */
  name: string;
  /** Feeling words per emotion (`happy`: the generic happiness words, see `lexicon.ts`). */
  emotions: Partial<Record<LexiconEmotion, readonly string[]>>;
  /** Comparatives, read as "more of" the emotion ("droeviger"). */
  comparatives?: Partial<Record<LexiconEmotion, readonly string[]>>;
  /** Endings that make a word matched by a stem a comparative (Russian "-ее", Polish "-iej"). */
  comparativeEndings?: readonly string[];
  /** "more", before a feeling word. */
  more: readonly string[];
  /** "less", before a feeling word. */
  less: readonly string[];
  /** Words that rule out the feeling word after them ("not", "without"). */
  negators: readonly string[];
  /** Words that rule out the feeling word before them (Turkish "değil", Hindi "नहीं", Korean "않게"). */
  negatorsAfter?: readonly string[];
  /** "so", "that" after a negation: "not so sad" asks for less. */
  so?: readonly string[];
  intensity: { low: readonly string[]; high: readonly string[]; max: readonly string[] };
  commands: {
    undo: readonly string[];
    redo: readonly string[];
    reset: readonly string[];
    retry: readonly string[];
    more?: readonly string[];
    less?: readonly string[];
    help?: readonly string[];
    emotions?: readonly string[];
  };
  followUps: {
    /** "the other way", "the opposite". */
    otherWay: readonly string[];
    /** "warmer": toward contentment. */
    warmer: readonly string[];
    /** "colder": toward sadness. */
    colder: readonly string[];
  };
  /**
   * How a person speaks of themselves ("ik ben", "ik voel me"), so that "ik ben zo verdrietig
   * vandaag" is a statement and never an edit (`not-a-request.ts`): `openers` begin such a
   * message; `fillers` may stand between the opener and the feeling ("vandaag"), as may the
   * language's `so` words and one-word intensity words. `endings` say "I am" on the feeling word
   * itself, in a language that drops the subject (Turkish "üzgün-üm", "mutlu-yum"; "üzgün
   * değil-im": I am not sad).
   */
  aboutOneself?: { openers: readonly string[]; fillers?: readonly string[]; endings?: readonly string[] };
  /** The words that tell a message that is not a request. */
  talk?: TalkCues;
  /** Particles a word may carry in front (Arabic "ال", "و"). */
  prefixes?: readonly string[];
  /** Written without spaces between words (Japanese, Chinese): messages are segmented with this lexicon's own entries. */
  unspaced?: boolean;
}

/** A phrase alternative of the English rules: folded words, where `(?:…)`, `?` and `|` may be used as in a regular expression. */
export type PhrasePattern = string;

/**
 * One of the five languages the rules read with the English machinery (French, Spanish, German,
 * Italian, Portuguese): its feeling, element and intensity words join the English indexes of
 * `lexicon.ts`, its small words join the markers of `markers.ts`, and its commands join the
 * English phrase patterns of `phrases.ts`, tried in the same order and found anywhere in the
 * message. Its feeling words, commands and `to` words are read only with the `otherLanguages`
 * option; the rest (more, less, negations, intensity, elements, follow-ups) always.
 *
 * Entries are written as the language writes them (diacritics, German nouns capitalised) and
 * folded when the indexes are built. A word keeps its apostrophe ("l'inverse" is one word), so a
 * phrase with one is listed both ways ("l'inverse", "l inverse"). No stems: these languages list
 * their forms.
 */
export interface SharedRulesLexicon {
  /** ISO 639-1 code. */
  code: string;
  /** The language's English name. */
  name: string;
  /** Feeling words per emotion (`happy`: the generic happiness words, see `lexicon.ts`). */
  emotions: Partial<Record<LexiconEmotion, readonly string[]>>;
  /** Comparatives, read as "more of" the emotion ("trauriger", "più triste"). */
  comparatives?: Partial<Record<LexiconEmotion, readonly string[]>>;
  /** Words that name a visual element ("visage", "ciel", "Farben"). */
  elements: Partial<Record<Element, readonly string[]>>;
  /** "more", before a feeling word. */
  more: readonly string[];
  /** "less", before a feeling word. */
  less: readonly string[];
  /** Words that rule out the feeling word after them ("pas", "ohne"). */
  negators: readonly string[];
  /** "so" after a negation: "pas si triste" asks for less. */
  so?: readonly string[];
  /** "but": a clause break. */
  but?: readonly string[];
  /** "to" between two feelings: "de triste à joyeux" names the source. */
  to?: readonly string[];
  intensity: {
    low: readonly string[];
    high: readonly string[];
    max: readonly string[];
    /** Intensity words read only right before a feeling word ("bien triste", not "bien, merci"). */
    adjacentOnly?: readonly string[];
    /** The noun of "intensité 0.5": a number after it is the intensity. */
    level?: readonly string[];
  };
  /** Phrase patterns per command, tried where the English ones of the same command are. */
  commands: {
    undo: readonly PhrasePattern[];
    redo: readonly PhrasePattern[];
    reset: readonly PhrasePattern[];
    retry: readonly PhrasePattern[];
    /** Lone words for "again", tried last among the commands (after undo), since they also mean "more" ("encore"). */
    again?: readonly PhrasePattern[];
    more: readonly PhrasePattern[];
    less: readonly PhrasePattern[];
    help: readonly PhrasePattern[];
    emotions: readonly PhrasePattern[];
  };
  followUps: {
    /** "the other way", "the opposite". */
    otherWay: readonly string[];
    /** "warmer": toward contentment. */
    warmer: readonly string[];
    /** "colder": toward sadness. */
    colder: readonly string[];
  };
  /**
   * How a person speaks of themselves ("ik ben", "ik voel me"), so that "ik ben zo verdrietig
   * vandaag" is a statement and never an edit (`not-a-request.ts`): `openers` begin such a
   * message; `fillers` may stand between the opener and the feeling ("vandaag"), as may the
   * language's `so` words and one-word intensity words. `endings` say "I am" on the feeling word
   * itself, in a language that drops the subject (Turkish "üzgün-üm", "mutlu-yum"; "üzgün
   * değil-im": I am not sad).
   */
  aboutOneself?: { openers: readonly string[]; fillers?: readonly string[]; endings?: readonly string[] };
  /** The words that tell a message that is not a request. */
  talk?: TalkCues;
}

/**
 * The words that tell a message that is not a request, in one language (`not-a-request.ts`).
 * Entries ending in `*` are stems; in Japanese and Chinese every entry is found inside the text.
 */
export interface TalkCues {
  /** Words that point at the picture or ask for an edit ("photo", "rends", "сделай", "写真"): a message with one is a request. */
  pictureWords?: readonly string[];
  /** Words that begin a question ("comment", "почему"; in Japanese and Chinese anywhere: "为什么"). */
  questionWords?: readonly string[];
  /** Words that make a question personal or about the world ("je", "mon", "люди"): with one, a question is not about the picture. */
  topicWords?: readonly string[];
  /** An attempt at new instructions: a verb of the first list and a noun of the second ("ignora" … "instrucciones"). */
  injection?: { verbs: readonly string[]; nouns: readonly string[] };
  /** A request to write: a verb and a noun ("écris" … "poème"). */
  writing?: { verbs: readonly string[]; nouns: readonly string[] };
  /** Words of crisis, as phrases ("quiero morir"): distress wherever they are. */
  crisis?: readonly string[];
}
