/**
 * @module Follow-ups that name a direction relative to the emotion the picture shows now: "no,
 * the other way", "the opposite" (the emotion opposite the current one), "warmer" (toward
 * contentment) and "colder" (toward sadness). "calmer" is a comparative of contentment in
 * `lexicon.ts` and needs nothing here.
 *
 * **The opposite of an emotion** is the one whose pleasure–arousal–dominance position in
 * `emotions.ts` is nearest to the current position reflected through the centre (−P, −A, −D):
 * sadness ↔ amusement; anger, disgust and fear → contentment; excitement and awe → sadness;
 * contentment → disgust. It is worked out from the table, so it follows any change to it.
 *
 * **Warmer and colder** read temperature as feeling, the way people use it of pictures: warm is
 * cosy and tender (contentment), cold is distant and bleak (sadness). They are colour words too,
 * so the colour element is named. They count only when no emotion word is in the message
 * ("warmer and cozier" is read from "cozier").
 */
import { EMOTIONS, EMOTION_TABLE } from '../emotions.ts';
import type { Emotion } from '../emotions.ts';
import { foldText } from '../lexicon.ts';
import { LANGUAGE_OTHER_WAY, LANGUAGE_TEMPERATURE_WORDS } from './lexicon/index.ts';
import { SHARED_RULES_LEXICONS, sharedRulesWords } from './lexicon/shared-rules.ts';

function opposite(emotion: Emotion): Emotion {
  const p = EMOTION_TABLE[emotion].pad;
  let best: Emotion = emotion;
  let bestDistance = Infinity;
  for (const other of EMOTIONS) {
    if (other === emotion) continue;
    const q = EMOTION_TABLE[other].pad;
    const distance = Math.hypot(q.pleasure + p.pleasure, q.arousal + p.arousal, q.dominance + p.dominance);
    if (distance < bestDistance) [best, bestDistance] = [other, distance];
  }
  return best;
}

/** Each emotion's opposite (see the module note). */
export const OPPOSITE_EMOTION: Readonly<Record<Emotion, Emotion>> = Object.fromEntries(
  EMOTIONS.map((e) => [e, opposite(e)]),
) as Record<Emotion, Emotion>;

/** Words for the other way, in every language the rules read (folded). */
export const OTHER_WAY_PHRASES: readonly string[] = [
  ...new Set([
    ...LANGUAGE_OTHER_WAY,
    'the other way',
    'other way',
    'other way round',
    'other way around',
    'the opposite',
    'opposite',
    'do the opposite',
    'wrong direction',
    'wrong way',
    'the reverse',
    'reverse the mood',
    'reverse the emotion',
    ...sharedRulesWords((l) => l.followUps.otherWay).map(foldText),
  ]),
];

/** Temperature words and the emotion they lead to (folded). */
export const TEMPERATURE_WORDS: ReadonlyMap<string, Emotion> = new Map<string, Emotion>([
  ...LANGUAGE_TEMPERATURE_WORDS,
  ['warmer', 'contentment'],
  ['colder', 'sadness'],
  ['cooler', 'sadness'],
  ['chillier', 'sadness'],
  ['icier', 'sadness'],
  ...SHARED_RULES_LEXICONS.flatMap((l) => [
    ...l.followUps.warmer.map((w): [string, Emotion] => [foldText(w), 'contentment']),
    ...l.followUps.colder.map((w): [string, Emotion] => [foldText(w), 'sadness']),
  ]),
]);
