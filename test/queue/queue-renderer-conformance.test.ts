/**
 * The queue renderer passes the same Renderer conformance suite as the tone and diffusion
 * renderers: each render goes through BullMQ on a real redis-server to a real `moodshift worker`
 * process (tone renderer) and back through the picture store.
 */
import { describe } from 'node:test';
import { QueueRenderer } from '../../src/queue/queue-renderer.ts';
import type { Renderer } from '../../src/renderer/renderer.ts';
import { RedisPictureStore } from '../../src/store/redis-picture-store.ts';
import { redisTestOptions, startTestRedis } from '../helpers/redis-server.ts';
import { runRendererConformance } from '../renderer/renderer.conformance.ts';
import { started, startWorker } from './worker-process.ts';

describe('queue renderer (BullMQ, a real worker process)', redisTestOptions(), () => {
  runRendererConformance('queue', async (): Promise<Renderer> => {
    const redis = await startTestRedis();
    const pictures = new RedisPictureStore({ redis: redis.url });
    const worker = startWorker(redis.url);
    try {
      await worker.waitForLog(started);
    } catch (error) {
      worker.child.kill('SIGKILL');
      await redis.dispose();
      throw error;
    }
    // A loaded test machine makes Redis slow; the 1.5 s "unavailable" answer is the queue suite's to test.
    const queue = new QueueRenderer({
      redisUrl: redis.url,
      pictures,
      positionIntervalMs: 100,
      unavailableAfterMs: 10_000,
    });
    return {
      name: queue.name,
      render: (request) => queue.render(request),
      async close() {
        await queue.close();
        worker.child.kill('SIGTERM');
        await worker.exited;
        await pictures.close();
        await redis.dispose();
      },
    };
  });
});
