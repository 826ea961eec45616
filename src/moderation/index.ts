/**
 * @module The public entry of moderation, for the engine, the adapters' operator views and the
 * command line (`moodshift audit`): the factory, the service, the backends and the helpers.
 */
export { createModeration, type CreateModerationOptions } from './create-moderation.ts';
export { ModerationService, formatAuditEntry, type ModerationServiceOptions } from './moderation-service.ts';
export { MemoryAuditLog, type AuditLog, type AuditLogOptions, type AuditQuery } from './audit-log.ts';
export { RedisAuditLog, type RedisAuditLogOptions } from './redis-audit-log.ts';
export { MemoryPolicyStore, type PolicyStore, type PolicyChangeListener } from './policy-store.ts';
export { RedisPolicyStore, type RedisPolicyStoreOptions } from './redis-policy-store.ts';
export { MemoryRateLimiter, type RateLimiter, type RateLimit, type RateLimitVerdict } from './rate-limiter.ts';
export { RedisRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limiter.ts';
export {
  connectModerationRedis,
  openModerationRedis,
  type ModerationRedis,
  type ModerationRedisOptions,
} from './redis-connection.ts';
export { loadPolicyFile, parsePolicyFile, type PolicyFile } from './policy-file.ts';
export { DEFAULT_BLOCKED_WORDS, defaultBlockedWords, type DefaultWordCategory } from './default-word-list.ts';
export { WordMatcher } from './word-matcher.ts';
export { DEFAULT_POLICY, policyScopeIds, type Policy, type PolicyOverride } from './policy.ts';
export type {
  AuditEntry,
  EditRequestCheck,
  Moderation,
  ModerationContext,
  ModeratorCommand,
  PictureRefusal,
  PictureStage,
} from './moderation.ts';
