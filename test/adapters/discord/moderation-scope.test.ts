/**
 * The channel whose moderation rules apply to a Discord event: the channel itself, or a
 * thread's parent channel; the thread's own id where its parent is unknown.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { moderationChannelId, type EventChannel } from '../../../adapters/discord/to-turn.ts';

const ART = '1100000000000000001';
const THREAD = '1100000000000000002';

/** A channel as discord.js gives it, reduced to what the scope reads. */
const thread = (parentId: string | null | undefined): EventChannel => ({ isThread: () => true, parentId });
const notThread = (parentId: string | null = null): EventChannel => ({ isThread: () => false, parentId });

describe('moderationChannelId', () => {
  it('is the parent channel for a thread', () => {
    assert.equal(moderationChannelId(THREAD, thread(ART)), ART);
  });

  it('is the channel itself for a channel that is not a thread, even one in a category', () => {
    assert.equal(moderationChannelId(ART, notThread()), ART);
    assert.equal(
      moderationChannelId(ART, notThread('1100000000000000009')),
      ART,
      'a category is not where rules come from',
    );
  });

  it('is the channel itself for a DM, which has no parent', () => {
    assert.equal(moderationChannelId(THREAD, { isThread: () => false }), THREAD);
  });

  it('falls back to the thread’s own id when its parent is unknown', () => {
    assert.equal(moderationChannelId(THREAD, thread(null)), THREAD);
    assert.equal(moderationChannelId(THREAD, thread(undefined)), THREAD);
  });

  it('falls back to the event’s channel id when discord.js has no channel for it', () => {
    assert.equal(moderationChannelId(THREAD, null), THREAD);
    assert.equal(moderationChannelId(THREAD, undefined), THREAD);
  });
});
