/**
 * A `moodshift worker` whose renderer costs nothing (it hands back the original picture),
 * for the queue benchmark: what is left is the queue's own cost. Started by bench/queue.bench.ts.
 */
import { RenderWorker } from '../../src/queue/worker.ts';
import { silentLogger } from '../../src/logger.ts';
import { RedisPictureStore } from '../../src/store/redis-picture-store.ts';

const redisUrl = process.env.REDIS_URL!;
const pictures = new RedisPictureStore({ redis: redisUrl });
const worker = new RenderWorker({
  redis: redisUrl,
  pictures,
  renderer: { name: 'null', render: async (request) => request.image },
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 50),
  logger: silentLogger,
});
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await worker.close();
  await pictures.close();
  process.exit(0);
});
