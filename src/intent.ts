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
  | { kind: 'unknown' };

export type IntentKind = Intent['kind'];
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
