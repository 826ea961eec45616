/**
 * @module The `memory` picture store: pictures by content hash in this process's memory, within a
 * byte budget, for the `memory` conversation store that owns it and tells it which pictures its
 * conversations need ({@link MemoryPictureStore.markConversation}).
 */
import { ErrorCode, UserError } from '../errors.ts';
import { DEFAULT_STORE_OPTIONS } from './conversation-store.ts';
import { imageContentHash } from './image-hash.ts';
import type { ImageBlob, PictureStore } from './picture-store.ts';
import { requireWholeNumber } from './store-options.ts';

export interface MemoryPictureStoreOptions {
  /** How long a stored picture lives after it was last stored or read, in seconds. @defaultValue 7 days */
  imageTtlSeconds?: number;
  /** Most bytes of pictures kept at once (`MOODSHIFT_PICTURE_BUDGET_MB`). @defaultValue 512 MiB */
  maxImageBytes?: number;
}

interface Expiring<T> {
  value: T;
  /** Milliseconds since the epoch after which the entry no longer exists. */
  expiresAt: number;
}

const OWNER = 'MemoryPictureStore';

/**
 * A `PictureStore` in a `Map`, in least-recently-used order, each picture with its own time to
 * live, refreshed whenever it is stored or read. Within `maxImageBytes` the surplus pictures of
 * long conversations go first, then the longest unused, never one a conversation needs (its
 * current edit's picture or original) nor one held for a render in progress; a put that cannot
 * make room fails with `PictureStorageFull`.
 */
export class MemoryPictureStore implements PictureStore {
  readonly name = 'memory';
  readonly #imageTtlMs: number;
  readonly #maxImageBytes: number;
  /** In least-recently-used order: a read or store moves a picture to the end. */
  readonly #images = new Map<string, Expiring<ImageBlob>>();
  #imageBytes = 0;
  /** Per conversation, the pictures its current edit needs (never evicted) ... */
  readonly #pins = new PictureMarks();
  /** ... and the pictures of its older edits beyond `picturesPerConversation` (evicted first). */
  readonly #surplus = new PictureMarks();
  /** Pictures held for work in progress: picture hash to each hold's expiry in milliseconds. */
  readonly #holds = new Map<string, Map<number, number>>();
  #nextHold = 0;
  #closed = false;

  constructor(options: MemoryPictureStoreOptions = {}) {
    const imageTtlSeconds = options.imageTtlSeconds ?? DEFAULT_STORE_OPTIONS.imageTtlSeconds;
    this.#maxImageBytes = options.maxImageBytes ?? DEFAULT_STORE_OPTIONS.maxImageBytes;
    requireWholeNumber(OWNER, 'imageTtlSeconds', imageTtlSeconds, 1);
    requireWholeNumber(OWNER, 'maxImageBytes', this.#maxImageBytes, 1);
    this.#imageTtlMs = imageTtlSeconds * 1000;
  }

  async put(image: ImageBlob): Promise<string> {
    this.#assertOpen();
    const hash = imageContentHash(image.bytes);
    const existing = this.#live(hash);
    if (existing) {
      this.#images.delete(hash);
      this.#images.set(hash, { value: existing.value, expiresAt: Date.now() + this.#imageTtlMs });
      return hash;
    }
    this.#makeRoomFor(image.bytes.length);
    const value = { bytes: Buffer.from(image.bytes), format: image.format, width: image.width, height: image.height };
    this.#imageBytes += value.bytes.length;
    this.#images.set(hash, { value, expiresAt: Date.now() + this.#imageTtlMs });
    return hash;
  }

  async get(hash: string): Promise<ImageBlob | undefined> {
    this.#assertOpen();
    const entry = this.#live(hash);
    if (!entry) return undefined;
    this.#images.delete(hash);
    this.#images.set(hash, { value: entry.value, expiresAt: Date.now() + this.#imageTtlMs });
    return { ...entry.value, bytes: Buffer.from(entry.value.bytes) };
  }

  async hold(hashes: string[], leaseSeconds: number): Promise<() => Promise<void>> {
    this.#assertOpen();
    requireWholeNumber(OWNER, 'hold leaseSeconds', leaseSeconds, 1);
    const id = this.#nextHold++;
    const expiresAt = Date.now() + leaseSeconds * 1000;
    for (const hash of hashes) {
      const mine = this.#holds.get(hash) ?? new Map<number, number>();
      mine.set(id, expiresAt);
      this.#holds.set(hash, mine);
    }
    return async () => {
      for (const hash of hashes) {
        const mine = this.#holds.get(hash);
        mine?.delete(id);
        if (mine?.size === 0) this.#holds.delete(hash);
      }
    };
  }

  /**
   * For the conversation store: conversation `id` now needs the pictures `pinned` (never evicted)
   * and has `surplus` ones beyond its share (evicted first); empty lists forget the conversation.
   */
  markConversation(id: string, pinned: string[], surplus: string[]): void {
    this.#pins.set(id, pinned);
    this.#surplus.set(id, surplus);
  }

  /** Frees the memory of expired pictures (reads never return them in between). */
  sweep(): void {
    const now = Date.now();
    for (const [hash, entry] of this.#images) if (entry.expiresAt <= now) this.#forget(hash, entry);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#images.clear();
    this.#imageBytes = 0;
    this.#pins.clear();
    this.#surplus.clear();
    this.#holds.clear();
  }

  /** Whether a live hold keeps the picture (expired holds are dropped on the way). */
  #isHeld(hash: string): boolean {
    const mine = this.#holds.get(hash);
    if (!mine) return false;
    const now = Date.now();
    for (const [id, expiresAt] of mine) if (expiresAt <= now) mine.delete(id);
    if (mine.size === 0) this.#holds.delete(hash);
    return mine.size > 0;
  }

  #live(hash: string): Expiring<ImageBlob> | undefined {
    const entry = this.#images.get(hash);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry;
    this.#forget(hash, entry);
    return undefined;
  }

  #forget(hash: string, entry: Expiring<ImageBlob>): void {
    this.#images.delete(hash);
    this.#imageBytes -= entry.value.bytes.length;
  }

  /**
   * Frees room for `bytes` more within `maxImageBytes`: first the surplus pictures of long
   * conversations, then any picture, longest unused first; never a pinned one (a current edit's
   * picture or its original) or a held one (a render in progress). Fails with `PictureStorageFull` when that is not enough.
   */
  #makeRoomFor(bytes: number): void {
    const fits = () => this.#imageBytes + bytes <= this.#maxImageBytes;
    if (fits()) return;
    for (const onlySurplus of [true, false]) {
      for (const [hash, entry] of this.#images) {
        if (fits()) return;
        if (this.#pins.has(hash) || this.#isHeld(hash) || (onlySurplus && !this.#surplus.has(hash))) continue;
        this.#forget(hash, entry);
      }
    }
    if (!fits()) throw new UserError(ErrorCode.PictureStorageFull, { needed: bytes, budget: this.#maxImageBytes });
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`${OWNER}: this store was closed; create a new one to keep using it.`);
  }
}

/** Which pictures each conversation marks (pins, or surplus), counted over all conversations. */
class PictureMarks {
  readonly #byConversation = new Map<string, string[]>();
  readonly #count = new Map<string, number>();

  /** Replaces conversation `id`'s marks with `hashes`. */
  set(id: string, hashes: string[]): void {
    for (const hash of this.#byConversation.get(id) ?? []) {
      const left = (this.#count.get(hash) ?? 1) - 1;
      if (left > 0) this.#count.set(hash, left);
      else this.#count.delete(hash);
    }
    if (hashes.length === 0) {
      this.#byConversation.delete(id);
      return;
    }
    this.#byConversation.set(id, hashes);
    for (const hash of hashes) this.#count.set(hash, (this.#count.get(hash) ?? 0) + 1);
  }

  has(hash: string): boolean {
    return this.#count.has(hash);
  }

  clear(): void {
    this.#byConversation.clear();
    this.#count.clear();
  }
}
