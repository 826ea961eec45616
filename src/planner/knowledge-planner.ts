/**
 * @module The knowledge planner (embedded default): an `EditPlan` from the estimator and the
 * project's table of visual factors, with no model and no network.
 */
import { EMOTION_TABLE, dominantEmotion, isElement, type Element, type Emotion } from '../emotions.ts';
import { distributionOfTone, ToneEstimator, type Estimator } from '../estimator/tone-estimator.ts';
import { measureTone, type ToneFeatures } from '../estimator/tone-features.ts';
import { VisionEstimator } from '../estimator/vision-estimator.ts';
import { acceptedFaces } from '../vision/face-gate.ts';
import { canonicalInstruction, describeIntensity } from '../intent.ts';
import type { EditPlan, PlanRequest, Planner } from './planner.ts';
import { DEFAULT_ELEMENTS, VISUAL_FACTORS, type VisualFactorTable } from './visual-factors.ts';

export interface KnowledgePlannerOptions {
  /**
   * Reads the source emotion when the person named none. A `VisionEstimator` also tells the
   * planner whether there is a face: with none, the edited caption promises no facial change
   * unless the person asked for one. @defaultValue a `VisionEstimator` (faces, then colour)
   */
  estimator?: Estimator;
  /** The visual factors per emotion and element. @defaultValue `VISUAL_FACTORS` */
  factors?: VisualFactorTable;
  /** Elements to change when the person named none. @defaultValue `['scene', 'color']` */
  defaultElements?: readonly Element[];
  /** How many factors per element the edited caption names. @defaultValue 2 */
  factorsPerElement?: number;
}

/**
 * Plans an edit from knowledge rather than a model: the source emotion comes from the estimator
 * unless the person named one; the caption describes the picture's colour and light as the
 * estimator measures it ("a dim, cool, muted picture with soft contrast"); the edited caption
 * names the target's visual factors for the chosen elements. Deterministic: the same picture
 * and request give the same plan.
 */
export class KnowledgePlanner implements Planner {
  readonly name = 'knowledge';
  private readonly estimator: Estimator;
  private readonly factors: VisualFactorTable;
  private readonly defaultElements: readonly Element[];
  private readonly factorsPerElement: number;

  constructor(options: KnowledgePlannerOptions = {}) {
    this.estimator = options.estimator ?? new VisionEstimator();
    this.factors = options.factors ?? VISUAL_FACTORS;
    this.defaultElements = options.defaultElements ?? DEFAULT_ELEMENTS;
    this.factorsPerElement = options.factorsPerElement ?? 2;
    if (this.defaultElements.length === 0 || !this.defaultElements.every(isElement)) {
      throw new RangeError(
        `KnowledgePlanner defaultElements must name at least one of facial, action, object, scene, color; got ${JSON.stringify(this.defaultElements)}.`,
      );
    }
    if (!Number.isInteger(this.factorsPerElement) || this.factorsPerElement < 1) {
      throw new RangeError(
        `KnowledgePlanner factorsPerElement must be a whole number of at least 1, got ${this.factorsPerElement}.`,
      );
    }
  }

  async plan(request: PlanRequest): Promise<EditPlan> {
    request.signal?.throwIfAborted();
    const tone = await measureTone(request.image.bytes);
    // The tone estimator reads the same statistics: reuse them rather than decode twice.
    const faceEstimate =
      !request.source && this.estimator instanceof VisionEstimator
        ? await this.estimator.estimateFaces(request.image)
        : undefined;
    const distribution = request.source
      ? undefined
      : this.estimator instanceof ToneEstimator
        ? distributionOfTone(tone)
        : (faceEstimate?.distribution ?? (await this.estimator.estimate(request.image)));
    request.signal?.throwIfAborted();
    const source: Emotion = request.source ?? dominantEmotion(distribution!);
    const elements = uniqueElements(request.elements?.filter(isElement) ?? []);
    // No face the renderer could edit: the edited caption promises none; what the person asked
    // of a face goes to the light and colour instead.
    const noFace = faceEstimate?.analysis !== undefined && acceptedFaces(faceEstimate.faces).length === 0;
    const asked = elements.length > 0 ? elements : [...this.defaultElements];
    const possible = noFace ? asked.filter((e) => e !== 'facial') : asked;
    const chosen: Element[] = possible.length > 0 ? possible : ['color'];
    return {
      source,
      target: request.target,
      caption: describeTone(tone),
      editedCaption: this.editedCaption(request.target, chosen, request.intensity),
      elements: chosen,
      instruction: canonicalInstruction(request.target, source),
      planner: this.name,
      ...(distribution ? { sourceDistribution: distribution } : {}),
    };
  }

  private editedCaption(target: Emotion, elements: readonly Element[], intensity: number): string {
    const phrases = elements.flatMap((element) => this.factors[target][element].slice(0, this.factorsPerElement));
    const strength = { subtle: 'a touch of', moderate: '', strong: 'strongly', maximum: 'overwhelmingly' }[
      describeIntensity(intensity)
    ];
    const feeling = EMOTION_TABLE[target].meaning.split(',')[0]!.trim();
    const lead = strength
      ? `The picture feels ${strength === 'a touch of' ? 'a touch more' : strength} ${feeling}`
      : `The picture feels ${feeling}`;
    return `${lead}, with ${joinPhrases(phrases)}.`;
  }
}

/** What a picture looks like in colour and light terms, from its tone statistics. */
export function describeTone(tone: ToneFeatures): string {
  const light =
    tone.brightness < 0.25 ? 'dark' : tone.brightness < 0.4 ? 'dim' : tone.brightness > 0.6 ? 'bright' : 'evenly lit';
  const temperature = tone.warmth > 0.12 ? 'warm' : tone.warmth < -0.02 ? 'cool' : 'neutral';
  const colour =
    tone.saturation < 0.1
      ? 'nearly colourless'
      : tone.saturation < 0.18
        ? 'muted'
        : tone.saturation > 0.32
          ? 'vivid'
          : 'naturally coloured';
  const contrast =
    tone.contrast < 0.13 ? 'soft contrast' : tone.contrast > 0.26 ? 'hard contrast' : 'moderate contrast';
  const cast = tone.tint > 0.03 ? ' and a green cast' : tone.tint < -0.08 ? ' and a magenta cast' : '';
  const article = /^[aeiou]/.test(light) ? 'An' : 'A';
  return `${article} ${light}, ${temperature}, ${colour} picture with ${contrast}${cast}.`;
}

function uniqueElements(elements: readonly Element[]): Element[] {
  return [...new Set(elements)];
}

function joinPhrases(phrases: readonly string[]): string {
  if (phrases.length <= 1) return phrases[0] ?? '';
  return `${phrases.slice(0, -1).join(', ')} and ${phrases[phrases.length - 1]}`;
}
