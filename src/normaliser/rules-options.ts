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
