/**
 * @module What both Redis stores (conversations and pictures) do around each command: Lua scripts
 * by sha with a fallback after a restart, Redis at `maxmemory` read as "short of space", and
 * transactions whose first error fails the call.
 */
import { ErrorCode, UserError } from '../errors.ts';
import { isReplyError, type RedisClient, type RedisConnection } from '../redis/redis-connection.ts';

/** Reply errors that mean Redis is out of memory (`maxmemory` reached under `noeviction`). */
const OUT_OF_MEMORY_REPLY = /\bOOM\b|^EXECABORT/;

/**
 * Runs a Redis command once connected, by the policy of `RedisConnection` (a connection problem
 * becomes an `UnavailableError`); a Redis at `maxmemory` becomes "short of space".
 */
export function storeCommand<T>(connection: RedisConnection, what: string, run: () => Promise<T>): Promise<T> {
  return connection.run(what, async () => {
    try {
      return await run();
    } catch (error) {
      // Redis at `maxmemory` (noeviction): the person hears that space is short, not an apology for a bug.
      if (isReplyError(error) && OUT_OF_MEMORY_REPLY.test(error.message))
        throw new UserError(ErrorCode.PictureStorageFull, {}, { cause: error });
      throw error;
    }
  });
}

/** `EVALSHA`, or `EVAL` when Redis has not seen the script yet (after a restart, or on a fresh server). */
export async function runScript(
  client: RedisClient,
  script: string,
  sha: string,
  keys: string[],
  args: (string | Buffer)[],
): Promise<unknown> {
  try {
    return await client.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT'))
      return client.eval(script, keys.length, ...keys, ...args);
    throw error;
  }
}

/** `exec()` reports each command's error beside its reply; the first one fails the whole call. */
export function throwFirstTransactionError(replies: [Error | null, unknown][] | null): unknown[] {
  if (replies === null) throw new Error('the Redis transaction was aborted');
  for (const [error] of replies) if (error) throw error;
  return replies.map(([, reply]) => reply);
}
