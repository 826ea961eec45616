import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { clearThumbnailCache, shrinkThumbnail, THUMBNAIL_SIZE, thumbnailOf } from '../../src/image/thumbnail-cache.ts';

describe('thumbnail cache', () => {
  it('gives a small RGB thumbnail of a picture with its proportions', async () => {
    const bytes = await sharp({
      create: { width: 300, height: 150, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 1 } },
    })
      .png()
      .toBuffer();
    const thumbnail = await thumbnailOf(bytes);
    assert.deepEqual([thumbnail.width, thumbnail.height, thumbnail.channels], [THUMBNAIL_SIZE, THUMBNAIL_SIZE / 2, 4]);
    assert.equal(thumbnail.pixels.length, thumbnail.width * thumbnail.height * 3);
    assert.deepEqual([...thumbnail.pixels.subarray(0, 3)], [10, 200, 30]);
  });

  it('returns the same thumbnail for the same bytes, even in another buffer', async () => {
    clearThumbnailCache();
    const bytes = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    const first = await thumbnailOf(bytes);
    assert.equal(await thumbnailOf(Buffer.from(bytes)), first);
    clearThumbnailCache();
    assert.notEqual(await thumbnailOf(bytes), first);
  });

  it('shrinks a thumbnail by averaging blocks', () => {
    const pixels = new Uint8Array(4 * 2 * 3);
    for (let i = 0; i < 4 * 2; i++) pixels.set(i % 2 ? [200, 100, 0] : [0, 100, 200], i * 3);
    const shrunk = shrinkThumbnail({ pixels, width: 4, height: 2 }, 2);
    assert.deepEqual([shrunk.width, shrunk.height], [2, 1]);
    assert.deepEqual([...shrunk.pixels], [100, 100, 100, 100, 100, 100]);
  });
});
