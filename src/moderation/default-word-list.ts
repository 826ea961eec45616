/**
 * @module The built-in default word list: a first line against clearly harmful requests, not a
 * replacement for the platform's own moderation.
 *
 * It is deliberately short and holds only terms whose use in a request to a photo-emotion bot is
 * clearly harmful, in four groups: gore and mutilation, sexual content, self-harm encouragement,
 * and slurs. Words that are usually innocent ("blood", "dead", "kill", "hot", "chink of light")
 * are left out on purpose; a community that wants them blocked adds them with `/words add`.
 * Matching is evasion-resistant and whole-word (see `word-matcher.ts`), with plurals: `corpse`
 * also catches `corpses`, `c0rpse`, `c o r p s e`.
 *
 * The operator switches the list off with `defaultWordList: false` in the policy file (or the
 * `defaultWordList` option of `ModerationService`) and extends it with `blockedWords` there.
 * Known false positives, accepted: "Al Gore" (gore), "the naked eye" (naked).
 */

export type DefaultWordCategory = 'gore' | 'sexual' | 'self-harm' | 'slur';

export const DEFAULT_BLOCKED_WORDS: Readonly<Record<DefaultWordCategory, readonly string[]>> = {
  gore: [
    'gore',
    'gory',
    'mutilated',
    'mutilation',
    'dismembered',
    'dismemberment',
    'decapitated',
    'decapitation',
    'beheaded',
    'disembowelled',
    'disemboweled',
    'severed head',
    'severed limbs',
    'guts spilling',
  ],
  sexual: [
    'nude',
    'nudity',
    'naked',
    'topless',
    'undressed',
    'porn',
    'porno',
    'pornographic',
    'nsfw',
    'hentai',
    'sex',
    'sexual',
    'genitals',
  ],
  'self-harm': [
    'kill yourself',
    'kill urself',
    'kys',
    'hang yourself',
    'slit your wrists',
    'cut yourself',
    'self harm',
    'suicide',
    'suicidal',
  ],
  slur: [
    'nigger',
    'nigga',
    'faggot',
    'kike',
    'spic',
    'wetback',
    'gook',
    'tranny',
    'retard',
    'retarded',
    'raghead',
    'towelhead',
    'paki',
  ],
};

/** Every default word with its category. */
export function defaultBlockedWords(): Array<{ word: string; category: DefaultWordCategory }> {
  return (Object.keys(DEFAULT_BLOCKED_WORDS) as DefaultWordCategory[]).flatMap((category) =>
    DEFAULT_BLOCKED_WORDS[category].map((word) => ({ word, category })),
  );
}
