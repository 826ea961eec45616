/**
 * @module The emotion model: the eight Mikels categories of EmoSet, their valence and
 * position in pleasure–arousal–dominance (PAD) space, and the five kinds of visual element.
 *
 * This is the one table every other part reads. The lexicon (the words people use for
 * each emotion) lives in `lexicon.ts` beside it.
 */

export const EMOTIONS = [
  'amusement',
  'awe',
  'contentment',
  'excitement',
  'anger',
  'disgust',
  'fear',
  'sadness',
] as const;
export type Emotion = (typeof EMOTIONS)[number];

export const ELEMENTS = ['facial', 'action', 'object', 'scene', 'color'] as const;
/** The five kinds of visual element that evoke emotion (EPEM). */
export type Element = (typeof ELEMENTS)[number];

export type Valence = 'positive' | 'negative';

/** A point in pleasure–arousal–dominance space, each axis in [-1, 1]. */
export interface Pad {
  pleasure: number;
  arousal: number;
  dominance: number;
}

export interface EmotionProfile {
  name: Emotion;
  valence: Valence;
  pad: Pad;
  /** Where the PAD numbers come from. */
  padSource: string;
  /** True when the PAD numbers are this project's estimate rather than a published measurement. */
  padIsEstimate: boolean;
  /** A short description a person understands, used in help texts and prompts. */
  meaning: string;
  /** One emoji shown beside the name in menus. */
  emoji: string;
}

const RM1977 =
  'Russell & Mehrabian (1977), "Evidence for a three-factor theory of emotions", J. Research in Personality 11, table of PAD scores for emotion terms';

/**
 * PAD positions. Where the emotion's everyday adjective appears in Russell & Mehrabian's
 * table the numbers follow it (as cited in later PAD literature); the others are this
 * project's estimates, placed between the nearest measured terms, and are marked as such.
 */
export const EMOTION_TABLE: Readonly<Record<Emotion, EmotionProfile>> = {
  amusement: {
    name: 'amusement',
    valence: 'positive',
    pad: { pleasure: 0.75, arousal: 0.45, dominance: 0.3 },
    padSource: 'estimate: between "joyful" and "excited" in ' + RM1977,
    padIsEstimate: true,
    meaning: 'funny, playful, light-hearted',
    emoji: '😂',
  },
  awe: {
    name: 'awe',
    valence: 'positive',
    pad: { pleasure: 0.55, arousal: 0.5, dominance: -0.4 },
    padSource:
      'estimate: pleasant and aroused like "excited" but low in dominance (feeling small before something vast)',
    padIsEstimate: true,
    meaning: 'vast, majestic, wondrous',
    emoji: '🌌',
  },
  contentment: {
    name: 'contentment',
    valence: 'positive',
    pad: { pleasure: 0.68, arousal: -0.46, dominance: 0.06 },
    padSource: '"relaxed" in ' + RM1977,
    padIsEstimate: false,
    meaning: 'calm, cosy, peaceful, satisfied',
    emoji: '😌',
  },
  excitement: {
    name: 'excitement',
    valence: 'positive',
    pad: { pleasure: 0.62, arousal: 0.75, dominance: 0.38 },
    padSource: '"excited" in ' + RM1977,
    padIsEstimate: false,
    meaning: 'thrilling, energetic, vibrant',
    emoji: '🤩',
  },
  anger: {
    name: 'anger',
    valence: 'negative',
    pad: { pleasure: -0.51, arousal: 0.59, dominance: 0.25 },
    padSource: '"angry" in ' + RM1977,
    padIsEstimate: false,
    meaning: 'furious, hostile, enraged',
    emoji: '😡',
  },
  disgust: {
    name: 'disgust',
    valence: 'negative',
    pad: { pleasure: -0.6, arousal: 0.35, dominance: 0.11 },
    padSource: 'estimate: close to "angry" with less arousal, after ' + RM1977,
    padIsEstimate: true,
    meaning: 'gross, revolting, rotten',
    emoji: '🤢',
  },
  fear: {
    name: 'fear',
    valence: 'negative',
    pad: { pleasure: -0.64, arousal: 0.6, dominance: -0.43 },
    padSource: '"fearful" in ' + RM1977,
    padIsEstimate: false,
    meaning: 'scary, eerie, threatening',
    emoji: '😱',
  },
  sadness: {
    name: 'sadness',
    valence: 'negative',
    pad: { pleasure: -0.63, arousal: -0.27, dominance: -0.33 },
    padSource: '"sad" in ' + RM1977,
    padIsEstimate: false,
    meaning: 'gloomy, melancholy, lonely',
    emoji: '😢',
  },
};

export function isEmotion(value: unknown): value is Emotion {
  return typeof value === 'string' && (EMOTIONS as readonly string[]).includes(value);
}

export function isElement(value: unknown): value is Element {
  return typeof value === 'string' && (ELEMENTS as readonly string[]).includes(value);
}

/** A probability for each of the eight emotions; the values add up to 1. */
export type EmotionDistribution = Record<Emotion, number>;

/** The most probable emotion of a distribution. */
export function dominantEmotion(distribution: EmotionDistribution): Emotion {
  let best: Emotion = EMOTIONS[0];
  for (const emotion of EMOTIONS) if (distribution[emotion] > distribution[best]) best = emotion;
  return best;
}
