/**
 * The operator's policy file: loaded from YAML or JSON, refused with one clear sentence per bad field.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, ErrorCode, UserError } from '../../src/errors.ts';
import { createModeration } from '../../src/moderation/create-moderation.ts';
import { loadPolicyFile } from '../../src/moderation/policy-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'moodshift-policy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('the operator policy file', () => {
  it('loads the example policy shipped in policies/', async () => {
    const loaded = await loadPolicyFile(new URL('../../policies/example-policy.yaml', import.meta.url).pathname);
    assert.equal(loaded.defaultWordList, true);
    assert.equal(loaded.policy.maxIntensity, 1);
  });

  it('loads YAML and applies it as the global policy', async () => {
    const path = file(
      'children.yaml',
      'blockedEmotions: [fear, disgust]\nmaxIntensity: 0.6\nblockedWords: ["zombie"]\ndefaultWordList: false\n',
    );
    const moderation = await createModeration({ policyFile: path });
    const context = {
      platform: 'telegram',
      scope: { server: '-100' },
      actor: { id: '1', name: 'Kid', isModerator: false },
      chat: '-100',
    };
    await assert.rejects(
      moderation.checkRequest(context, { text: 'scarier', target: 'fear', intensity: 0.6, startsNewEdit: true }),
      (error: unknown) =>
        error instanceof UserError && error.code === ErrorCode.EmotionBlocked && error.details.where === 'this chat',
    );
    await assert.rejects(
      moderation.checkRequest(context, { text: 'a Z0MBIE', target: 'sadness', intensity: 0.6, startsNewEdit: true }),
      (error: unknown) => error instanceof UserError && error.code === ErrorCode.WordBlocked,
    );
    assert.equal(
      await moderation.checkRequest(context, {
        text: 'make it gory',
        target: 'sadness',
        intensity: 0.9,
        startsNewEdit: true,
      }),
      0.6,
    );
    await moderation.close();
  });

  it('loads JSON', async () => {
    const loaded = await loadPolicyFile(
      file('p.json', JSON.stringify({ blockedElements: ['facial'], banned: [12345] })),
    );
    assert.deepEqual(loaded.policy, { blockedElements: ['facial'], banned: ['12345'] });
  });

  it('names every bad field and what it must be', async () => {
    const path = file(
      'bad.yaml',
      'blockedEmotions: [fear, scary]\nmaxIntensity: 2\nperUserPerMinute: -1\nmaxIntensty: 0.5\n',
    );
    await assert.rejects(loadPolicyFile(path), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /MOODSHIFT_POLICY/);
      assert.match(error.message, /blockedEmotions\[1\] is "scary"; it must be a list of emotions from: amusement/);
      assert.match(error.message, /maxIntensity is 2; it must be a number above 0 and at most 1/);
      assert.match(error.message, /perUserPerMinute is -1; it must be a whole number from 0/);
      assert.match(error.message, /unknown setting "maxIntensty"/);
      return true;
    });
  });

  it('says when the file is missing or not YAML', async () => {
    await assert.rejects(loadPolicyFile(join(dir, 'nope.yaml')), /Cannot read the moderation policy .*nope\.yaml/);
    await assert.rejects(loadPolicyFile(file('broken.yaml', 'blockedEmotions: [fear\n')), /is not valid YAML/);
  });
});
