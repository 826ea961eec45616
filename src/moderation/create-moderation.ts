/**
 * @module Builds moderation from the operator's settings: Redis backends when a URL is given
 * (policies, audit streams and rate limits shared by every process), memory backends otherwise,
 * and the global policy from the operator's file.
 */
import { silentLogger, type Logger } from '../logger.ts';
import { MemoryAuditLog, type AuditLog } from './audit-log.ts';
import { ModerationService, type PictureRefusal } from './moderation-service.ts';
import { sharedPictureSafety, type PictureSafety, type SafetyModel } from '../safety/picture-safety.ts';
import { loadPolicyFile } from './policy-file.ts';
import { MemoryPolicyStore, type PolicyStore } from './policy-store.ts';
import type { PolicyOverride } from './policy.ts';
import { MemoryRateLimiter, type RateLimiter } from './rate-limiter.ts';
import { RedisAuditLog } from './redis-audit-log.ts';
import type { RedisConnection } from '../redis/redis-connection.ts';
import { openModerationRedis, waitForModerationRedis } from './redis-connection.ts';
import { RedisPolicyStore } from './redis-policy-store.ts';
import { RedisRateLimiter } from './redis-rate-limiter.ts';

export interface CreateModerationOptions {
  /** `REDIS_URL`: keep policies, the audit log and rate limits in Redis. @defaultValue none: in memory, one process */
  redisUrl?: string;
  /**
   * A Redis connection to share (the caller closes it), used instead of opening one for `redisUrl`.
   * @defaultValue none
   */
  redis?: RedisConnection;
  /** `MOODSHIFT_POLICY`: the operator's global policy file (JSON or YAML). @defaultValue none: DEFAULT_POLICY */
  policyFile?: string;
  /** A global policy given directly; used instead of `policyFile` when both are set. @defaultValue none */
  globalPolicy?: PolicyOverride;
  /** Whether the built-in default word list is on. @defaultValue the policy file's `defaultWordList`, else true */
  defaultWordList?: boolean;
  /** Prefix of every Redis key and channel. @defaultValue `moodshift:` */
  keyPrefix?: string;
  /** Most audit entries kept per server or chat. @defaultValue 10000 */
  auditMaxEntriesPerScope?: number;
  /** Audit entries older than this many days are dropped. @defaultValue 90 */
  auditRetentionDays?: number;
  /** How long a resolved policy is cached per process, in ms. @defaultValue 30000 */
  cacheTtlMs?: number;
  /** The rate limits' window in ms. @defaultValue 60000 */
  rateLimitWindowMs?: number;
  /** Redis connection and command timeout in ms, for the connection opened for `redisUrl`. @defaultValue 2000 */
  redisTimeoutMs?: number;
  /** @defaultValue a silent logger */
  logger?: Logger;
  /**
   * The picture-safety check; `false` switches picture checks off in this process (tests of other
   * parts only: every picture then passes whatever the rule says). @defaultValue the process's
   * NSFWJS `pictureModel` check (`sharedPictureSafety`), which loads its model on the first picture
   */
  pictureSafety?: PictureSafety | false;
  /**
   * Start loading the classifier at once, in the background (the engine does, so that the first
   * picture seldom waits for the model and start-up does not wait at all); not when the global
   * rule is `allow`. @defaultValue false: on the first picture
   */
  pictureWarmUp?: boolean;
  /** @defaultValue `MobileNetV2` */
  pictureModel?: SafetyModel;
  /** Time limit of one picture check, in milliseconds. @defaultValue 15000 */
  pictureCheckTimeoutMs?: number;
  /** Called with every refused picture (the metrics counter). */
  onPictureRefused?: (refusal: PictureRefusal) => void;
}

export async function createModeration(options: CreateModerationOptions = {}): Promise<ModerationService> {
  const logger = options.logger ?? silentLogger;
  const file = options.policyFile ? await loadPolicyFile(options.policyFile) : undefined;
  const globalPolicy = options.globalPolicy ?? file?.policy ?? {};
  const defaultWordList = options.defaultWordList ?? file?.defaultWordList ?? true;
  const auditOptions = {
    maxEntriesPerScope: options.auditMaxEntriesPerScope,
    retentionDays: options.auditRetentionDays,
  };
  let store: PolicyStore;
  let audit: AuditLog;
  let rateLimiter: RateLimiter;
  let onClose: (() => Promise<void>) | undefined;
  if (options.redis || options.redisUrl) {
    const client =
      options.redis ?? (await openModerationRedis(options.redisUrl!, { timeoutMs: options.redisTimeoutMs }));
    // Moderation refuses to start on a Redis it cannot reach, shared connection or not.
    if (options.redis) await waitForModerationRedis(options.redis, options.redisTimeoutMs);
    const keyPrefix = options.keyPrefix;
    store = new RedisPolicyStore({ client, keyPrefix, logger });
    audit = new RedisAuditLog({ client, keyPrefix, ...auditOptions });
    rateLimiter = new RedisRateLimiter({ client, keyPrefix });
    if (!options.redis) onClose = () => client.close();
    logger.info({ redis: client.redactedUrl }, 'moderation: policies, audit log and rate limits in Redis');
  } else {
    store = new MemoryPolicyStore();
    audit = new MemoryAuditLog(auditOptions);
    rateLimiter = new MemoryRateLimiter();
  }
  const pictureSafety =
    options.pictureSafety === false
      ? undefined
      : (options.pictureSafety ??
        sharedPictureSafety({ model: options.pictureModel, timeoutMs: options.pictureCheckTimeoutMs }));
  // An operator whose global rule allows every picture pays nothing at start (memory, CPU beside
  // the first edits); a moderator who sets a blocking rule somewhere loads it with the first check.
  if (pictureSafety && options.pictureWarmUp && !pictureSafety.loaded && globalPolicy.pictureRule !== 'allow') {
    // Loaded in the background from start-up (its own worker thread), so that the bot answers at
    // once and the first picture rarely waits for the model; a check that comes first waits for it.
    const started = performance.now();
    void pictureSafety.warmUp().then((problem) => {
      if (problem)
        logger.warn(
          { reason: problem },
          'picture safety: the classifier did not load; pictures are refused where the rule blocks until it does',
        );
      else
        logger.info(
          { model: pictureSafety.classifier.model, loadMs: Math.round(performance.now() - started) },
          'picture safety: classifier loaded',
        );
    });
  }
  const service = new ModerationService({
    store,
    audit,
    rateLimiter,
    globalPolicy,
    defaultWordList,
    cacheTtlMs: options.cacheTtlMs,
    rateLimitWindowMs: options.rateLimitWindowMs,
    logger,
    onClose,
    pictureSafety,
    onPictureRefused: options.onPictureRefused,
  });
  await service.ready();
  return service;
}
