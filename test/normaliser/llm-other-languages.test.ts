import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EMOTIONS } from '../../src/emotions.ts';
import { ErrorCode, UserError } from '../../src/errors.ts';
import {
  MESSAGE_LOCALES,
  localizedText,
  messageLocale,
  userMessage,
  type LocalizedTextKey,
} from '../../src/messages.ts';
import { LlmNormaliser } from '../../src/normaliser/llm-normaliser.ts';
import { RulesNormaliser } from '../../src/normaliser/rules-normaliser.ts';
import { FakeOpenAiServer, startFakeOpenAi } from '../fakes/openai/fake-openai-server.ts';

describe('requests in other languages', () => {
  let fake: FakeOpenAiServer;
  before(async () => {
    fake = await startFakeOpenAi();
  });
  after(async () => {
    await fake.close();
  });

  const requests: Array<[string, string, Record<string, unknown>]> = [
    ['Spanish', 'hazlo más aterrador', { kind: 'edit', target: 'fear', intensity: 0.8 }],
    ['German', 'mach es fröhlicher', { kind: 'edit', target: 'amusement', intensity: 0.6 }],
    ['Russian', 'сделай грустнее', { kind: 'edit', target: 'sadness', intensity: 0.6 }],
    ['Japanese', 'もっと怖くして', { kind: 'refine', direction: 'more' }],
  ];
  for (const [language, text, said] of requests) {
    it(`asks the model about a ${language} request even in fallback mode, and uses its answer`, async () => {
      fake.reset();
      fake.answerWith({
        json: {
          kind: 'unknown',
          target: null,
          source: null,
          intensity: null,
          direction: null,
          elements: null,
          ...said,
        },
      });
      const normaliser = new LlmNormaliser({
        fallback: new RulesNormaliser(),
        baseUrl: fake.baseUrl,
        maxRetries: 0,
        env: {},
      });
      const intent = await normaliser.normalise(text, { current: 'fear' });
      assert.equal(fake.requests.length, 1);
      assert.ok(FakeOpenAiServer.textOf(fake.requests[0]!).includes(text));
      assert.equal(intent.kind, said.kind);
      if (intent.kind === 'edit') {
        assert.equal(intent.target, said.target);
        assert.equal(intent.intensity, said.intensity);
      }
    });
  }
});

describe("the bot's own messages in the person's language", () => {
  it('reads the language from a BCP 47 tag and uses English for the others', () => {
    assert.equal(messageLocale('fr-CA'), 'fr');
    assert.equal(messageLocale('pt_BR'), 'pt');
    assert.equal(messageLocale('DE'), 'de');
    assert.equal(messageLocale('nl'), 'en');
    assert.equal(messageLocale(undefined), 'en');
    assert.equal(messageLocale(''), 'en');
  });

  it('writes every common text in each language, different from the English one', () => {
    const keys: LocalizedTextKey[] = ['askForFeeling', 'askBack', 'help', 'emotionList', 'apology'];
    for (const key of keys) {
      const english = localizedText(key);
      const seen = new Set([english]);
      for (const locale of MESSAGE_LOCALES.filter((l) => l !== 'en')) {
        const text = localizedText(key, locale);
        assert.ok(text.trim().length > 0, `${key} in ${locale}`);
        assert.ok(!seen.has(text), `${key} in ${locale} is not a copy of another language`);
        seen.add(text);
      }
    }
  });

  it('keeps the emotion names, which people type, in the lists', () => {
    for (const locale of MESSAGE_LOCALES) {
      for (const emotion of EMOTIONS) {
        assert.ok(localizedText('askBack', locale).includes(emotion), `askBack in ${locale} names ${emotion}`);
        assert.ok(localizedText('emotionList', locale).includes(emotion), `the list in ${locale} names ${emotion}`);
      }
      assert.ok(localizedText('help', locale).includes('/undo'), `help in ${locale} names the commands`);
    }
  });

  it("says the common refusals in the person's language, and the rest in English", () => {
    const noImage = new UserError(ErrorCode.NoImage);
    assert.match(userMessage(noImage, 'es-MX'), /Primero envíame una foto/);
    assert.match(userMessage(noImage, 'de'), /Schick mir zuerst ein Foto/);
    assert.equal(userMessage(noImage, 'nl'), userMessage(noImage));
    const badCommand = new UserError(ErrorCode.BadCommand, { usage: '/block <emotion>' });
    assert.equal(userMessage(badCommand, 'fr'), userMessage(badCommand));
  });

  it('fills the details of every translated message', () => {
    const details = {
      limit: '20 MB',
      actual: '31 MB',
      seconds: 12,
      emotion: 'fear',
      element: 'colour',
      where: 'this server',
      format: 'svg',
      word: 'glum',
      usage: '/block <emotion>',
      max: 0.6,
    };
    for (const code of Object.values(ErrorCode)) {
      for (const locale of MESSAGE_LOCALES) {
        const text = userMessage(new UserError(code, details), locale);
        assert.ok(!/undefined|\[object/.test(text), `${code} in ${locale}: ${text}`);
      }
    }
    for (const locale of MESSAGE_LOCALES) {
      assert.ok(
        userMessage(new UserError(ErrorCode.RateLimited, { seconds: 12 }), locale).includes('12 s'),
        `the wait in ${locale}`,
      );
      assert.ok(
        userMessage(new UserError(ErrorCode.ImageTooLarge, { limit: '20 MB' }), locale).includes('20 MB'),
        `the limit in ${locale}`,
      );
    }
  });
});
