/**
 * Telegram (real grammY against the fake Bot API) runs the adapter conformance suite (see
 * `stories.ts`) in a group, where administrators moderate, and in private chats, where nobody does.
 */
import { describe } from 'node:test';
import { runAdapterConformance } from './stories.ts';
import { telegramCapabilities, telegramDriver } from './telegram-driver.ts';

// The file's own suite holds the shared stories, so that the test reporter files them under this file.
describe('Telegram', () => {
  runAdapterConformance('telegram (group)', telegramCapabilities('group'), (options) =>
    telegramDriver({ ...options, place: 'group' }),
  );
  runAdapterConformance('telegram (private chat)', telegramCapabilities('private'), (options) =>
    telegramDriver({ ...options, place: 'private' }),
  );
});
