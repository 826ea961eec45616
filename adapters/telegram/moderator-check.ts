/**
 * @module Who moderates a Telegram group: its creator and its administrators (getChatMember),
 * including anonymous administrators, whose messages come from GroupAnonymousBot on behalf of
 * the group itself. Answers are cached briefly so that a busy group costs one call per person
 * per minute. In a private chat nobody is a moderator of anything.
 */
import type { Api } from 'grammy';
import type { Chat, User } from 'grammy/types';
import type { Logger } from '../../src/index.ts';
import { GROUP_ANONYMOUS_BOT_ID } from './telegram-limits.ts';

export class ModeratorCheck {
  readonly #api: Api;
  readonly #ttlMs: number;
  readonly #logger: Logger;
  readonly #cache = new Map<string, { isModerator: boolean; until: number }>();

  constructor(api: Api, ttlMs: number, logger: Logger) {
    this.#api = api;
    this.#ttlMs = ttlMs;
    this.#logger = logger;
  }

  async isModerator(chat: Chat, from: User | undefined, senderChat: Chat | undefined): Promise<boolean> {
    if (chat.type !== 'group' && chat.type !== 'supergroup') return false;
    // An anonymous administrator writes as the group itself.
    if (senderChat?.id === chat.id) return true;
    if (!from || from.id === GROUP_ANONYMOUS_BOT_ID) return senderChat?.id === chat.id;
    const key = `${chat.id}:${from.id}`;
    const cached = this.#cache.get(key);
    if (cached && cached.until > Date.now()) return cached.isModerator;
    let isModerator = false;
    try {
      const member = await this.#api.getChatMember(chat.id, from.id);
      isModerator = member.status === 'creator' || member.status === 'administrator';
    } catch (error) {
      // Unknown means no: a moderator can repeat the command, a non-moderator must never pass.
      this.#logger.warn(
        { err: error, chat: chat.id },
        'telegram: getChatMember failed; treating the person as not a moderator',
      );
      return false;
    }
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(key, { isModerator, until: Date.now() + this.#ttlMs });
    return isModerator;
  }
}
