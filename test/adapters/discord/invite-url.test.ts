import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = new URL('../../../', import.meta.url).pathname;
const script = join(root, 'adapters/discord/invite-url.ts');
const tsx = import.meta.resolve('tsx');

function invite(env: Record<string, string>) {
  // An empty folder as cwd, so no .env of the developer's is read.
  const cwd = mkdtempSync(join(tmpdir(), 'moodshift-invite-'));
  try {
    const base = { ...process.env };
    delete base.DISCORD_APPLICATION_ID;
    return spawnSync(process.execPath, ['--import', tsx, script], { encoding: 'utf8', cwd, env: { ...base, ...env } });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe('npm run discord:invite', () => {
  it('prints the invite URL with the bot scopes and the six permissions', () => {
    const run = invite({ DISCORD_APPLICATION_ID: '123456789012345678' });
    assert.equal(run.status, 0, run.stderr);
    const url = new URL(run.stdout.trim());
    assert.equal(url.origin + url.pathname, 'https://discord.com/oauth2/authorize');
    assert.equal(url.searchParams.get('client_id'), '123456789012345678');
    assert.equal(url.searchParams.get('scope'), 'bot applications.commands');
    // View Channel 1024 + Send Messages 2048 + Embed Links 16384 + Attach Files 32768
    // + Read Message History 65536 + Send Messages in Threads 2^38.
    assert.equal(url.searchParams.get('permissions'), String(1024 + 2048 + 16384 + 32768 + 65536 + 2 ** 38));
  });

  it('says what to set and exits 1 without DISCORD_APPLICATION_ID', () => {
    const run = invite({});
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /DISCORD_APPLICATION_ID is not set/);
    assert.match(invite({ DISCORD_APPLICATION_ID: 'my-bot' }).stderr, /must be the numeric Application ID/);
  });
});
