import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { loadConfig } from '../../src/config.ts';
import { createEngine, type Engine } from '../../src/engine.ts';
import { silentLogger } from '../../src/logger.ts';
import { FakeOpenAiServer, startFakeOpenAi, type RecordedRequest } from '../fakes/openai/fake-openai-server.ts';

/** A model that reads every message as "much scarier" and plans whatever target it is asked for. */
function fakeModel(request: RecordedRequest) {
  if (FakeOpenAiServer.imagesOf(request).length > 0) {
    const target = /Target emotion: (\w+)/.exec(FakeOpenAiServer.textOf(request))?.[1];
    return {
      json: {
        caption: 'An astronaut in a white suit in front of a flag.',
        editedCaption: 'An astronaut in a white suit in front of a flag, in cold, failing light with long shadows.',
        source: 'awe',
        target,
        elements: ['scene', 'color'],
      },
    };
  }
  return { json: { kind: 'edit', target: 'fear', source: null, intensity: 0.8, direction: null, elements: null } };
}

describe('an engine configured with LLM_BASE_URL and MOODSHIFT_NORMALISER / MOODSHIFT_PLANNER = llm', () => {
  let fake: FakeOpenAiServer;
  let engine: Engine;
  let photo: Buffer;

  before(async () => {
    fake = await startFakeOpenAi();
    fake.answerWith(fakeModel);
    photo = await sharp(readFileSync(new URL('../fixtures/images/astronaut.png', import.meta.url)))
      .resize(160)
      .png()
      .toBuffer();
    const config = loadConfig({
      MOODSHIFT_NORMALISER: 'llm',
      MOODSHIFT_PLANNER: 'llm',
      LLM_BASE_URL: fake.baseUrl,
      LLM_MODEL: 'fake-model',
    });
    engine = await createEngine(config, { logger: silentLogger });
  });
  after(async () => {
    await engine.close();
    await fake.close();
  });

  it('understands a Spanish request with the model and plans the edit with the vision model', async () => {
    assert.equal(engine.normaliser.name, 'llm');
    assert.equal(engine.planner.name, 'llm');
    const replies = await engine.editor.handle({
      key: { platform: 'test', chat: 'chat-llm', user: 'ana' },
      messageId: 'm1',
      text: 'hazlo mucho más aterrador, por favor',
      images: [{ declaredBytes: photo.length, declaredType: 'image/png', fetch: async () => photo }],
      actor: { id: 'ana', name: 'Ana', isModerator: false },
      locale: 'es',
    });
    assert.equal(replies.length, 1);
    assert.equal(replies[0]!.kind, 'edit');
    assert.ok(replies[0]!.image, 'the edited picture is sent');
    const [read, plan] = fake.requests;
    assert.match(FakeOpenAiServer.textOf(read!), /hazlo mucho más aterrador/);
    assert.equal(FakeOpenAiServer.imagesOf(plan!).length, 1);
    assert.match(FakeOpenAiServer.textOf(plan!), /Target emotion: fear/);
  });
});
