/**
 * @module Every Redis key name moodshift writes, in one place, laid out for Redis Cluster: the
 * keys that one script or transaction touches together share a hash tag (the part in `{…}`), so
 * they sit in one hash slot.
 *
 * | keys | hash tag | why together |
 * | --- | --- | --- |
 * | a conversation and the links of its messages | `{<platform>:<chat>}` | written in one compare-and-set; a link is found from (platform, chat, message) alone |
 * | every picture, its pins and the picture budget | `{pictures}` | the budget is one LRU, kept in the same script as each put |
 * | the render queue (BullMQ) | `{moodshift}` (the queue prefix) | BullMQ's scripts touch many keys of a queue at once |
 * | rate limits | `{rate}` | one script checks a person's and a chat's limit together |
 *
 * Policies (`policy:<scope>`) and audit streams (`audit:<scope>`) are single-key and need no tag.
 * Keys written by moodshift before 0.2 had no tags: `moodshift migrate-redis` renames them once
 * (see `key-migration.ts`).
 */
import { ConfigError } from '../errors.ts';

/** The prefix of every store and moderation key. @defaultValue `moodshift:` */
export const DEFAULT_KEY_PREFIX = 'moodshift:';

/** BullMQ's key prefix: a hash tag, as BullMQ asks for Redis Cluster. */
export const QUEUE_PREFIX = '{moodshift}';

/** The queue's prefix before 0.2 (no hash tag). */
export const LEGACY_QUEUE_PREFIX = 'moodshift';

/** Prefix of the per-person counters of renders in flight (single keys: no tag needed). */
export const QUEUE_SLOTS_PREFIX = 'moodshift:active:';

/** The hash tag of every picture key. */
export const PICTURES_TAG = '{pictures}';

/** Fails unless `prefix` is a string without `{` or `}` (the tags are placed after it). */
export function requireKeyPrefix(owner: string, prefix: unknown): string {
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    throw new ConfigError(
      `${owner}: keyPrefix must be a string such as "moodshift:", without { or } (moodshift places the hash tags itself).`,
    );
  }
  return prefix;
}

const part = (value: string) => encodeURIComponent(value);

/** The hash tag of one chat: its conversations and their message links. */
export function chatTag(platform: string, chat: string): string {
  return `{${part(platform)}:${part(chat)}}`;
}

/** The key names of the conversation store under `prefix`. */
export function storeKeys(prefix: string) {
  return {
    conversation: (key: { platform: string; chat: string; thread?: string; user: string }) =>
      `${prefix}conv:${chatTag(key.platform, key.chat)}:${part(key.thread ?? '')}:${part(key.user)}`,
    link: (platform: string, chat: string, messageId: string) =>
      `${prefix}msg:${chatTag(platform, chat)}:${part(messageId)}`,
    picture: (hash: string) => `${prefix}img:${PICTURES_TAG}:${hash}`,
    /** `picture(hash)` is `pictureBase + hash`, for scripts that build the names. */
    pictureBase: `${prefix}img:${PICTURES_TAG}:`,
    pin: (hash: string) => `${prefix}imgpin:${PICTURES_TAG}:${hash}`,
    pinBase: `${prefix}imgpin:${PICTURES_TAG}:`,
    lru: `${prefix}imgs:${PICTURES_TAG}:lru`,
    sizes: `${prefix}imgs:${PICTURES_TAG}:size`,
    bytes: `${prefix}imgs:${PICTURES_TAG}:bytes`,
  };
}

/** The key of one rate limit under `prefix`. */
export function rateKey(prefix: string, limitKey: string): string {
  return `${prefix}rate:{rate}:${limitKey}`;
}

/**
 * The current name of a key written before hash tags (0.1), or undefined when `key` is not such a
 * key: `conv:<platform>:<chat>:…` and `msg:<platform>:<chat>:…` get their chat's tag, the picture
 * keys the pictures' tag, and the render queue's keys the queue prefix `{moodshift}`.
 */
export function currentKeyName(key: string, prefix: string = DEFAULT_KEY_PREFIX): string | undefined {
  const legacyQueue = `${LEGACY_QUEUE_PREFIX}:render:`;
  if (key.startsWith(legacyQueue)) return `${QUEUE_PREFIX}:render:${key.slice(legacyQueue.length)}`;
  if (!key.startsWith(prefix)) return undefined;
  const rest = key.slice(prefix.length);
  if (rest.includes('{')) return undefined;
  const chatKeyed = /^(conv|msg):([^:]*):([^:]*):(.*)$/.exec(rest);
  if (chatKeyed) return `${prefix}${chatKeyed[1]}:{${chatKeyed[2]}:${chatKeyed[3]}}:${chatKeyed[4]}`;
  const picture = /^(img|imgpin):([0-9a-f]{64})$/.exec(rest);
  if (picture) return `${prefix}${picture[1]}:${PICTURES_TAG}:${picture[2]}`;
  const budget = /^imgs:(lru|size|bytes)$/.exec(rest);
  if (budget) return `${prefix}imgs:${PICTURES_TAG}:${budget[1]}`;
  return undefined;
}
