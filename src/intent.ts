/**
 * @module What the normaliser makes of a person's words: the `Intent`.
 */
import type { Element, Emotion } from './emotions.ts';

/**
 * Intensity levels of DESIGN.md. "slightly / a bit" is low, no word is medium,
 * "very / really" is high, "extremely / maximum" is max.
 */
export const INTENSITY = { low: 0.3, medium: 0.6, high: 0.8, max: 1 } as const;
export type IntensityLevel = keyof typeof INTENSITY;

/** How much `more` and `less` move the intensity, clamped to [MIN_INTENSITY, 1]. */
export const INTENSITY_STEP = 0.2;
export const MIN_INTENSITY = 0.1;

export type Intent =
  | {
      kind: 'edit';
      target: Emotion;
      source?: Emotion;
      /** In (0, 1]. */
      intensity: number;
      elements?: Element[];
      /** The canonical EPEM instruction, `Please change the emotion of this image from X to Y`. */
      instruction: string;
    }
  | { kind: 'refine'; direction: 'more' | 'less' }
  | { kind: 'undo' }
  | { kind: 'redo' }
  | { kind: 'reset' }
  | { kind: 'retry' }
  | { kind: 'help' }
  | { kind: 'emotions' }
  | UnknownIntent;

/**
 * Words that are not a request to edit the picture, recognised so that the bot answers them
 * briefly and changes nothing: a greeting, thanks, small talk, a request for a joke or for a
 * piece of writing (a poem, a story), a question on another topic, a statement about the person
 * ("I'm so happy today"), distress ("I'm so sad today", answered with a gentle line, never an
 * edit), and text that tries to give the bot new instructions.
 */
export const NOT_A_REQUEST = [
  'greeting',
  'thanks',
  'chit-chat',
  'joke',
  'writing',
  'question',
  'statement',
  'distress',
  'injection',
] as const;
export type NotARequest = (typeof NOT_A_REQUEST)[number];

/**
 * Not understood as something to do. What was understood rides along so that the answer can
 * name it: the kind of message that is not a request, the emotion the person said they do *not*
 * want ("not sad": the bot asks which feeling, naming a few), and the elements and intensity
 * their words named.
 */
export interface UnknownIntent {
  kind: 'unknown';
  notARequest?: NotARequest;
  negated?: Emotion;
  elements?: Element[];
  intensity?: number;
}

export type EditIntent = Extract<Intent, { kind: 'edit' }>;

/** The context a normaliser reads words in. */
export interface NormaliseContext {
  /** The emotion the current picture shows (the target of the current edit), if any. */
  current?: Emotion;
  /** Whether a picture is at hand (attached now, or earlier in the conversation). */
  hasImage?: boolean;
}

/** Free text to an Intent. Every normaliser passes the same conformance suite. */
export interface Normaliser {
  readonly name: string;
  /** Never throws on anything a person can type. */
  normalise(text: string, context?: NormaliseContext): Promise<Intent>;
}

/** The canonical instruction. Without a known source it reads `… of this image to Y`. */
export function canonicalInstruction(target: Emotion, source?: Emotion): string {
  return source
    ? `Please change the emotion of this image from ${source} to ${target}`
    : `Please change the emotion of this image to ${target}`;
}

/** A word for an intensity, as shown in captions: `subtle`, `moderate`, `strong`, `maximum`. */
export function describeIntensity(intensity: number): string {
  if (intensity >= 0.95) return 'maximum';
  if (intensity >= 0.7) return 'strong';
  if (intensity >= 0.45) return 'moderate';
  return 'subtle';
}

export function clampIntensity(value: number): number {
  if (!Number.isFinite(value)) return INTENSITY.medium;
  return Math.min(1, Math.max(MIN_INTENSITY, Math.round(value * 100) / 100));
}
