import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyConversation, type Conversation } from '../../src/store/conversation-store.ts';
import { pruneEdits } from '../../src/store/edit-pruning.ts';
import { addEdit, freshKey, makeEdit } from './conversation-store.conformance.ts';

/** root ← old ← old-tip (an old branch), root ← a ← b (the cursor's path). */
function branchyConversation(): Conversation {
  const conversation = emptyConversation(freshKey());
  for (const [id, parent] of [['root'], ['old', 'root'], ['old-tip', 'old'], ['a', 'root'], ['b', 'a']] as const) {
    addEdit(conversation, makeEdit(id, parent));
  }
  return conversation;
}

describe('keeping an edit tree within maxEdits', () => {
  it('changes nothing while the tree is within the limit', () => {
    const conversation = branchyConversation();
    assert.deepEqual(pruneEdits(conversation, 5), []);
    assert.equal(Object.keys(conversation.edits).length, 5);
  });

  it('trims an old branch from its tip inwards, so no edit loses its parent', () => {
    const conversation = branchyConversation();
    const dropped = pruneEdits(conversation, 4);
    assert.deepEqual(
      dropped.map((edit) => edit.id),
      ['old-tip'],
    );
    assert.deepEqual(Object.keys(conversation.edits).sort(), ['a', 'b', 'old', 'root']);

    assert.deepEqual(
      pruneEdits(conversation, 3).map((edit) => edit.id),
      ['old'],
    );
    assert.deepEqual(Object.keys(conversation.edits).sort(), ['a', 'b', 'root']);
  });

  it('keeps what redo would return to, with its ancestors', () => {
    const conversation = branchyConversation();
    // Undo twice: the cursor goes back to the root, b and a wait in the redo list.
    conversation.cursor = 'root';
    conversation.redo = ['b', 'a'];
    pruneEdits(conversation, 1);
    assert.deepEqual(Object.keys(conversation.edits).sort(), ['a', 'b', 'root']);
  });

  it('drops the oldest of several old leaves first', () => {
    const conversation = emptyConversation(freshKey());
    addEdit(conversation, makeEdit('root'));
    for (const id of ['first', 'second', 'third']) conversation.edits[id] = makeEdit(id, 'root');
    conversation.cursor = 'root';
    assert.deepEqual(
      pruneEdits(conversation, 2).map((edit) => edit.id),
      ['first', 'second'],
    );
  });
});
