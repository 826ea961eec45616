/**
 * @module Keeps a conversation's edit tree within `maxEdits`, the same way in every backend.
 *
 * Protected edits are never dropped: the cursor and its ancestors up to the root (what undo walks),
 * and every edit in the redo list with its ancestors (what redo walks back to). Among the others the
 * oldest *leaf* goes first, again and again, so no kept edit ever names a dropped parent: an old
 * branch is trimmed from its tip inwards. When the protected edits alone exceed `maxEdits`, they are
 * all kept.
 */
import type { Conversation, EditRecord } from './conversation-store.ts';

/** Drops edits from `conversation` (in place) until at most `maxEdits` remain; returns the dropped ones. */
export function pruneEdits(conversation: Conversation, maxEdits: number): EditRecord[] {
  const edits = conversation.edits;
  const ids = Object.keys(edits);
  if (ids.length <= maxEdits) return [];

  const protectedIds = new Set<string>();
  const protectWithAncestors = (start: string | undefined) => {
    let id = start;
    while (id !== undefined && !protectedIds.has(id)) {
      const edit = edits[id];
      if (!edit) break;
      protectedIds.add(id);
      id = edit.parent;
    }
  };
  protectWithAncestors(conversation.cursor);
  for (const id of conversation.redo) protectWithAncestors(id);

  const childCount = new Map<string, number>();
  for (const edit of Object.values(edits)) {
    const parent = edit.parent;
    if (parent !== undefined && edits[parent]) childCount.set(parent, (childCount.get(parent) ?? 0) + 1);
  }

  const dropped: EditRecord[] = [];
  let remaining = ids.length;
  while (remaining > maxEdits) {
    let oldestId: string | undefined;
    let oldest: EditRecord | undefined;
    for (const [id, edit] of Object.entries(edits)) {
      if (protectedIds.has(id) || (childCount.get(id) ?? 0) > 0) continue;
      if (oldest === undefined || edit.createdAt < oldest.createdAt) [oldestId, oldest] = [id, edit];
    }
    if (oldestId === undefined || oldest === undefined) break;
    delete edits[oldestId];
    remaining -= 1;
    dropped.push(oldest);
    const parent = oldest.parent;
    if (parent !== undefined && childCount.has(parent)) childCount.set(parent, childCount.get(parent)! - 1);
  }
  return dropped;
}
