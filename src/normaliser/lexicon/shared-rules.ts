/**
 * @module The five languages the rules read with the English machinery: French, Spanish,
 * German, Italian and Portuguese (see `SharedRulesLexicon` in `types.ts`). `lexicon.ts` adds
 * their feeling, element and intensity words to its indexes; `markers.ts`, `phrases.ts`,
 * `intensity.ts` and `follow-ups.ts` add the rest. This module only lists them, and folds
 * nothing, so that `lexicon.ts` can import it.
 */
import { GERMAN } from './de.ts';
import { SPANISH } from './es.ts';
import { FRENCH } from './fr.ts';
import { ITALIAN } from './it.ts';
import { PORTUGUESE } from './pt.ts';
import type { SharedRulesLexicon } from './types.ts';

export type { SharedRulesLexicon } from './types.ts';

export const SHARED_RULES_LEXICONS: readonly SharedRulesLexicon[] = [FRENCH, SPANISH, GERMAN, ITALIAN, PORTUGUESE];

/** Every language's entries of one list, in the order of {@link SHARED_RULES_LEXICONS}. */
export function sharedRulesWords(pick: (language: SharedRulesLexicon) => readonly string[] | undefined): string[] {
  return SHARED_RULES_LEXICONS.flatMap((language) => pick(language) ?? []);
}
