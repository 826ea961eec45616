/** @module The content hash pictures are stored under: sha256 of the encoded bytes, as lowercase hex. */
import { createHash } from 'node:crypto';

/** The sha256 of `bytes` as 64 lowercase hex characters; equal bytes always give the same hash. */
export function imageContentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Whether `hash` looks like a hash `imageContentHash` returns. */
export function isImageContentHash(hash: string): boolean {
  return /^[0-9a-f]{64}$/.test(hash);
}
