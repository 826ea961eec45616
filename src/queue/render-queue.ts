/**
 * @module What the bot and the GPU workers share about the render queue: its name, its key
 * prefix, and the job's data (references only, never picture bytes) and result. Redis
 * connections come from `src/redis/redis-connection.ts`.
 */
import type { OutputFormat } from '../image/image.ts';
import type { EditPlan } from '../planner/planner.ts';

export { QUEUE_PREFIX } from '../redis/keys.ts';

/** The BullMQ queue every bot and worker of one deployment uses. */
export const RENDER_QUEUE_NAME = 'render';

/** A render job: references to the original picture in the store's blobs, and the edit. */
export interface RenderJobData {
  /** Content hash of the original picture in the conversation store. */
  imageHash: string;
  plan: EditPlan;
  intensity: number;
  seed: number;
  /** `platform:user`, for the per-person limit. */
  owner?: string;
}

/** What a worker returns: the hash of the rendered picture, written back to the store with a time to live. */
export interface RenderJobResult {
  hash: string;
  format: OutputFormat;
  width: number;
  height: number;
}

/** BullMQ forbids ':' in custom job ids; the edit's key is made safe and stays deterministic. */
export function renderJobId(jobKey: string): string {
  return Buffer.from(jobKey).toString('base64url');
}

/** Resolves with `value` after `ms` milliseconds, without keeping the process alive (for deadlines raced against Redis). */
export function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}
