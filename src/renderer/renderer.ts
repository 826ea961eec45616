/**
 * @module The Renderer contract: picture + plan + intensity + seed to an edited picture.
 */
import type { CheckedImage } from '../image/image.ts';
import type { EditPlan } from '../planner/planner.ts';
import type { ProgressListener } from '../turn.ts';

export interface RenderRequest {
  /** The original picture; edits are always rendered from the original, never stacked. */
  image: CheckedImage;
  plan: EditPlan;
  /** In (0, 1]. */
  intensity: number;
  /** The same seed, picture, plan and intensity give the same result. */
  seed: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /**
   * Content hash of `image.bytes` in the blob store, when it is stored there
   * (the queue renderer sends this reference instead of the bytes).
   */
  imageHash?: string;
  /** Identifies the edit (for deterministic queue job ids). */
  jobKey?: string;
  /** Who asked (`platform:user`), for the per-person limit on renders running at once. */
  owner?: string;
}

/** The edited picture: same size as the input, same format family. */
export type RenderResult = CheckedImage;

export interface Renderer {
  readonly name: string;
  render(request: RenderRequest): Promise<RenderResult>;
  close?(): Promise<void>;
}
