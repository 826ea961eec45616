/**
 * @module The options of the rules normaliser, with their defaults.
 */

/** How the rules normaliser reads text. */
export interface RulesNormaliserOptions {
  /**
   * The longest message read, in characters; the rest is ignored. It bounds the work one
   * message can cause (a pasted novel is read up to this point, quickly).
   * @defaultValue 2000
   */
  maxInputLength?: number;
  /**
   * Also understand the other languages of `lexicon/`: the commands and small words of French,
   * Spanish, German, Italian and Portuguese ("plus triste", "annuler", "más aterrador"), and the
   * compact lexicons of Dutch, Japanese, Chinese, Korean, Russian, Polish, Turkish, Arabic and
   * Hindi. With `false` their feeling words and commands are not read (the five languages'
   * small words, "sehr", "pas", "ciel", still are). A language-model normaliser reads far more.
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
