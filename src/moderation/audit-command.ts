/**
 * @module `moodshift audit`: exports the moderation audit log as JSON lines for operators.
 *
 *   moodshift audit [--scope SCOPE] [--since TIME] [--limit N]
 *
 * SCOPE is a policy scope id (`global`, `telegram:-100123`, `discord:GUILD`, …); TIME an ISO
 * date or milliseconds since the epoch. The log is read from Redis (`REDIS_URL`): without it
 * the log lives in the bot's own memory and no other process can read it.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { createModeration } from './create-moderation.ts';

export async function runAuditCommand(
  argv: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  let values: { scope?: string; since?: string; limit?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { scope: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' } },
    }));
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\nUsage: moodshift audit [--scope SCOPE] [--since TIME] [--limit N]\n`);
    return 2;
  }
  let since: number | undefined;
  if (values.since !== undefined) {
    since = /^\d+$/.test(values.since) ? Number(values.since) : Date.parse(values.since);
    if (!Number.isFinite(since)) {
      io.stderr.write(`--since "${values.since}" is neither an ISO date nor milliseconds since the epoch.\n`);
      return 2;
    }
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    io.stderr.write(`--limit must be a whole number above 0.\n`);
    return 2;
  }
  const config = loadConfig();
  if (!config.redisUrl) {
    io.stderr.write(
      'REDIS_URL is not set: the audit log lives in the bot process’s memory and cannot be exported. Set REDIS_URL for the bot and for this command.\n',
    );
    return 2;
  }
  const moderation = await createModeration({ redisUrl: config.redisUrl, policyFile: config.policyFile });
  try {
    const written = await moderation.exportAudit(
      { scope: values.scope, since, limit },
      io.stdout as NodeJS.WritableStream & import('node:stream').Writable,
    );
    io.stderr.write(`${written} entr${written === 1 ? 'y' : 'ies'} exported.\n`);
    return 0;
  } finally {
    await moderation.close?.();
  }
}
