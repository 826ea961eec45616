/**
 * Picture refusals in `/metrics` (by stage, class, scope level and platform), and what the logs
 * keep of a refused picture: never its bytes, its file name or its scores. Real classifier, the
 * real engine wiring and the bot's metrics server.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createEngine } from '../../src/engine.ts';
import { ErrorCode } from '../../src/errors.ts';
import { createModeration } from '../../src/moderation/create-moderation.ts';
import { startBotObservability } from '../../src/observability/bot-observability.ts';
import { PictureSafety, VisionPictureClassifier } from '../../src/safety/picture-safety.ts';
import type { Turn } from '../../src/turn.ts';
import { VisionRuntime } from '../../src/vision/vision-runtime.ts';

const local = new URL('../fixtures/images/rocket.jpg', import.meta.url).pathname;
const rocket = readFileSync(existsSync(local) ? local : '/work/shared/fixtures/images/rocket.jpg');

describe('picture refusals in /metrics and the logs', () => {
  const vision = new VisionRuntime({ cacheSize: 0 });
  after(() => vision.close());

  it('counts a refused picture by class and scope, and logs no bytes, file name or score', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ level: 'debug' }, sink);
    const classifier = new VisionPictureClassifier({ vision });
    const scores = await classifier.classify(rocket);
    const moderation = await createModeration({
      logger,
      pictureSafety: new PictureSafety({ classifier }),
      globalPolicy: { pictureThresholds: { Drawing: 0.5 } },
    });
    const engine = await createEngine(loadConfig({}), { logger, moderation });
    const observability = await startBotObservability(engine, [], { port: 0, host: '127.0.0.1' });
    try {
      const turn: Turn = {
        key: { platform: 'telegram', chat: '-300', user: 'ivy' },
        scope: { server: '-300' },
        messageId: '1',
        text: 'make it sadder',
        images: [{ declaredBytes: rocket.length, name: 'ivy-private-holiday.jpg', fetch: async () => rocket }],
        actor: { id: 'ivy', name: 'Ivy', isModerator: false },
      };
      const [reply] = await engine.editor.handle(turn);
      assert.equal(reply!.code, ErrorCode.PictureBlocked);
      const metrics = await (await fetch(`${observability.url}/metrics`)).text();
      assert.match(
        metrics,
        /moodshift_picture_refusals_total\{stage="incoming",class="Drawing",scope="global",platform="telegram"\} 1/,
      );
      const logged = lines.join('');
      assert.ok(logged.includes('"msg":"turn"'), 'the turn was logged');
      assert.doesNotMatch(logged, /ivy-private-holiday/, 'no file name in the logs');
      assert.ok(
        !logged.includes(rocket.subarray(0, 64).toString('base64').slice(0, 24)),
        'no picture bytes in the logs',
      );
      for (const value of Object.values(scores)) {
        assert.ok(!logged.includes(String(value).slice(0, 7)), `the score ${value} is not in the logs`);
      }
    } finally {
      await observability.close();
      await engine.close();
      await moderation.close();
    }
  });
});
