/**
 * Secrets never reach the log: a logger line that carries the whole configuration (or a token,
 * an API key, picture bytes, an Authorization header) shows `[redacted]` in their place.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

const script = `
import { createLogger } from './src/logger.ts';
import { loadConfig } from './src/config.ts';
const config = loadConfig({
  TELEGRAM_BOT_TOKEN: '123456:SECRET-telegram-token-value',
  TELEGRAM_WEBHOOK_SECRET: 'SECRET-webhook-value',
  WEB_SESSION_SECRET: 'SECRET-session-key-value',
  LLM_API_KEY: 'SECRET-llm-key-value',
});
const log = createLogger({ level: 'info' });
log.info({ config }, 'configuration');
log.info({ token: 'SECRET-bare-token', request: { headers: { authorization: 'Bearer SECRET-auth' } }, image: { bytes: 'SECRET-bytes' } }, 'request');
`;

describe('the logger', () => {
  it('redacts tokens, secrets, keys, picture bytes and authorization headers', () => {
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.match(output, /"msg":"configuration"/, output);
    assert.match(output, /\[redacted\]/);
    assert.doesNotMatch(output, /SECRET-/, output);
  });
});
