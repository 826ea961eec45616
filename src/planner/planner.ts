/**
 * @module The Planner contract (the EPEM MLLM path): picture + instruction to an `EditPlan`.
 */
import type { Element, Emotion, EmotionDistribution } from '../emotions.ts';
import type { CheckedImage } from '../image/image.ts';

export interface EditPlan {
  source: Emotion;
  target: Emotion;
  /** What the picture looks like now. */
  caption: string;
  /** What it should look like after the edit (EPEM's edited caption). */
  editedCaption: string;
  /** The visual elements to change. */
  elements: Element[];
  /** The canonical instruction, with the source filled in. */
  instruction: string;
  /** Which planner wrote it (`knowledge`, `onnx`, `llm`), for logs and captions. */
  planner: string;
  /** The estimator's reading of the picture, when it was consulted. */
  sourceDistribution?: EmotionDistribution;
}

export interface PlanRequest {
  image: CheckedImage;
  target: Emotion;
  /** The source the person named; otherwise the planner decides (usually through the estimator). */
  source?: Emotion;
  /** Elements the person named; otherwise the planner chooses. */
  elements?: Element[];
  intensity: number;
  signal?: AbortSignal;
}

export interface Planner {
  readonly name: string;
  plan(request: PlanRequest): Promise<EditPlan>;
  close?(): Promise<void>;
}
