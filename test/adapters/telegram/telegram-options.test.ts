/**
 * The Telegram adapter's options: defaults from the configuration, and refusals that say what to change.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveTelegramOptions } from '../../../adapters/telegram/telegram-options.ts';
import { fitsPhotoLimits, splitText, truncateText } from '../../../adapters/telegram/telegram-limits.ts';
import { loadConfig } from '../../../src/config.ts';
import { ConfigError } from '../../../src/errors.ts';

const token = '123456:ABCdefGHIjklMNOpqr';

describe('Telegram adapter options', () => {
  it('takes the token, API root and webhook settings from the configuration', () => {
    const options = resolveTelegramOptions(
      loadConfig({
        TELEGRAM_BOT_TOKEN: token,
        TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/',
        TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/hook',
        TELEGRAM_WEBHOOK_PORT: '9000',
      }),
    );
    assert.equal(options.token, token);
    assert.equal(options.apiRoot, 'http://127.0.0.1:8081');
    assert.equal(options.webhookUrl, 'https://bot.example.org/hook');
    assert.equal(options.webhookPort, 9000);
    assert.equal(options.statusEditIntervalMs, 1000, 'about one message per second per chat');
  });

  it('refuses a missing token and a webhook secret Telegram would refuse, naming the variables', () => {
    assert.throws(
      () => resolveTelegramOptions(loadConfig({})),
      (error: Error) => error instanceof ConfigError && /TELEGRAM_BOT_TOKEN/.test(error.message),
    );
    assert.throws(
      () => resolveTelegramOptions(loadConfig({ TELEGRAM_BOT_TOKEN: token }), { webhookSecret: 'has spaces!' }),
      (error: Error) => error instanceof ConfigError && /TELEGRAM_WEBHOOK_SECRET/.test(error.message),
    );
  });
});

describe('Telegram limits', () => {
  const picture = (width: number, height: number, bytes = 1000) => ({ bytes: Buffer.alloc(bytes), width, height });

  it('sends as a photo only what fits 10 MB, width + height 10000 and a 20:1 ratio', () => {
    assert.equal(fitsPhotoLimits(picture(4000, 3000)), true);
    assert.equal(fitsPhotoLimits(picture(6000, 4001)), false, 'width + height over 10000');
    assert.equal(fitsPhotoLimits(picture(2100, 100)), false, 'wider than 20:1');
    assert.equal(fitsPhotoLimits(picture(1000, 1000, 10 * 1024 * 1024 + 1)), false, 'over 10 MB');
  });

  it('cuts captions and splits long texts by characters, not bytes', () => {
    assert.equal([...truncateText('😢'.repeat(2000), 1024)].length, 1024);
    const parts = splitText(`${'a'.repeat(3000)}\n${'b'.repeat(3000)}`, 4096);
    assert.deepEqual(
      parts.map((p) => p.length),
      [3000, 3000],
    );
    assert.ok(splitText('x'.repeat(9000)).every((p) => p.length <= 4096));
  });
});
