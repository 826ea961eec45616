/**
 * @module The shape of one language's compact lexicon for the rules normaliser.
 *
 * Entries are written as the language writes them (with diacritics and its own script); the
 * index folds them the way it folds messages (`foldText` in `lexicon.ts`). An entry ending in
 * `*` is a stem: any word that begins with it (Russian "грустн*" is "грустный", "грустная",
 * "грустнее"…). Stems are used where words inflect (Russian, Polish, Turkish, Korean, Arabic,
 * Japanese); languages with few forms list them (Dutch).
 */
import type { LexiconEmotion } from '../../lexicon.ts';

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
  /** Particles a word may carry in front (Arabic "ال", "و"). */
  prefixes?: readonly string[];
  /** Written without spaces between words (Japanese, Chinese): messages are segmented with this lexicon's own entries. */
  unspaced?: boolean;
}
