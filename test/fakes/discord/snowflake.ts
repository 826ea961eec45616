/**
 * @module Discord snowflakes for the fake server: 64-bit ids whose top bits are the
 * milliseconds since the Discord epoch, so clients derive creation times from them
 * (discord.js reads `createdTimestamp` of an interaction from its id).
 */

const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;

/** A new snowflake for the current time (or the time given). */
export function newSnowflake(at: number = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

/** The creation time of a snowflake, in milliseconds since the Unix epoch. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}
