/**
 * The Redis conversation store on a three-primary Redis Cluster: the whole conformance suite once
 * more, and the key layout that keeps every script in one hash slot.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { storeKeys } from '../../src/redis/keys.ts';
import { RedisConnection } from '../../src/redis/redis-connection.ts';
import { RedisConversationStore } from '../../src/store/redis-store.ts';
import { redisClusterTestOptions, startTestRedisCluster, type TestRedisCluster } from '../helpers/redis-cluster.ts';
import { addEdit, freshKey, makeEdit, runConversationStoreConformance } from './conversation-store.conformance.ts';

describe('redis conversation store on a Redis Cluster', redisClusterTestOptions(), () => {
  let cluster: TestRedisCluster;
  let connection: RedisConnection;
  before(async () => {
    cluster = await startTestRedisCluster();
    connection = new RedisConnection({ url: cluster.url, unavailableAfterMs: 5000 });
  });
  after(async () => {
    await connection?.close();
    await cluster?.dispose();
  });

  runConversationStoreConformance('redis (cluster)', async (options) => {
    // Each store opens its own cluster client from the URL, as a bot process does.
    const store = new RedisConversationStore({
      redis: cluster.url,
      keyPrefix: `test:${randomUUID()}:`,
      unavailableAfterMs: 5000,
      ...options,
    });
    return { store, cleanup: () => store.close() };
  });

  it('talks to the cluster through ioredis Cluster, chosen by the redis+cluster:// URL', () => {
    assert.ok(connection.client instanceof Cluster);
    assert.equal(connection.isCluster, true);
  });

  it('keeps a conversation with its message links in one slot, and every picture key in another', async () => {
    const prefix = `test:${randomUUID()}:`;
    const keys = storeKeys(prefix);
    const store = new RedisConversationStore({ redis: connection, keyPrefix: prefix });
    try {
      const key = freshKey({ chat: `chat-${randomUUID()}` });
      await store.update(key, (c) => addEdit(c, makeEdit('root')));
      await store.update(key, (c) => addEdit(c, makeEdit('sadder', 'root')));
      await store.linkMessage(key, 'root', '1');
      await store.linkMessage(key, 'sadder', '2');
      const hash = await store.pictures.put({
        bytes: Buffer.from(`picture ${randomUUID()}`),
        format: 'png',
        width: 1,
        height: 1,
      });
      const client = connection.client as Cluster;
      const slot = (name: string) => client.cluster('KEYSLOT', name) as Promise<number>;
      const conversationSlot = await slot(keys.conversation(key));
      assert.equal(await slot(keys.link(key.platform, key.chat, '1')), conversationSlot);
      assert.equal(await slot(keys.link(key.platform, key.chat, '2')), conversationSlot);
      const pictureSlot = await slot(keys.picture(hash));
      for (const name of [keys.lru, keys.sizes, keys.bytes, keys.pin('a'.repeat(64))])
        assert.equal(await slot(name), pictureSlot, name);
      // What a cluster client sees: the links lead back, the picture reads, the current edit's picture is pinned.
      assert.deepEqual(await store.findMessage(key.platform, key.chat, '2'), { key, editId: 'sadder' });
      assert.ok(await store.pictures.get(hash));
      // The current edit (sadder) pins its picture and its original, in the pictures' slot.
      assert.equal(await client.zcard(keys.pin('a'.repeat(64))), 1);
      // A new photo becomes the current edit: its picture is pinned, the earlier ones are let go.
      const other = 'b'.repeat(64);
      await store.update(key, (c) =>
        addEdit(c, makeEdit('new-photo', undefined, { originalHash: other, imageHash: other })),
      );
      assert.equal((await store.load(key))!.cursor, 'new-photo');
      assert.equal(await client.zcard(keys.pin(other)), 1);
      assert.equal(await client.zcard(keys.pin('a'.repeat(64))), 0, 'the old original is no longer pinned');
    } finally {
      await store.close();
    }
  });
});
