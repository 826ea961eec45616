/**
 * @module The picture store contract: pictures stored once by content hash (sha256 hex) within a
 * byte budget, apart from the conversations that refer to them. The renderers and the render
 * worker depend on this alone; a conversation store owns one (`ConversationStore.pictures`) and
 * tells it which pictures its conversations need, so that those are never dropped for the budget.
 * Backends: `memory-picture-store.ts` and `redis-picture-store.ts`.
 */
import type { OutputFormat } from '../image/image.ts';

/** A stored picture. */
export interface ImageBlob {
  bytes: Buffer;
  format: OutputFormat;
  width: number;
  height: number;
}

export interface PictureStore {
  readonly name: string;
  /**
   * Stores a picture once by content hash (sha256 hex) and returns the hash; refreshes its time to live.
   * Pictures live within a byte budget (`maxImageBytes`): beyond it the pictures used longest ago are
   * dropped first, but never one that a conversation's current edit shows or renders from, nor one
   * held (see {@link hold}). When nothing can be freed the put fails with
   * `UserError(ErrorCode.PictureStorageFull)`, which the person reads as "short of space, try later".
   */
  put(image: ImageBlob): Promise<string>;
  /** The picture with that hash, or undefined when it is not stored (or expired); refreshes its time to live. */
  get(hash: string): Promise<ImageBlob | undefined>;
  /**
   * Keeps pictures from being dropped for the budget while work that needs them runs: the original
   * a render reads (which no current edit pins when the person branched from an older edit) until
   * the new edit is saved. A hold lasts until its release is called, or at most `leaseSeconds`, so
   * a process that dies mid-render leaves nothing pinned for long. Holding a picture that is not
   * stored (yet) is allowed; it only keeps it once stored. Returns the release (a second call does
   * nothing).
   */
  hold(hashes: string[], leaseSeconds: number): Promise<() => Promise<void>>;
  /** Frees what the store opened itself (a picture store that a conversation store owns is closed with it). */
  close(): Promise<void>;
}
