/**
 * @module The Renderer contract: picture + plan + intensity + seed to an edited picture.
 */
import type { Element } from '../emotions.ts';
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

/**
 * What the faces could not carry: `no-face` (a face was planned but none could be changed: none
 * found, or the vision models were unavailable), `open-smile` (a broad grin toward a negative
 * target, which the warp can only partly undo; the light carries more). The Editor says so in
 * the caption (`faceNoteText` in messages.ts).
 */
export type FaceNote = 'no-face' | 'open-smile';

/** The edited picture: same size as the input, same format family. */
export type RenderResult = CheckedImage & { faceNote?: FaceNote };

export interface Renderer {
  readonly name: string;
  /**
   * The visual elements this renderer can change. When the person named none, the Editor asks
   * the planner to plan only these, so the edited caption promises nothing the picture will not
   * show (the tone renderer changes colour and light only). @defaultValue all five
   */
  readonly elements?: readonly Element[];
  render(request: RenderRequest): Promise<RenderResult>;
  close?(): Promise<void>;
}
