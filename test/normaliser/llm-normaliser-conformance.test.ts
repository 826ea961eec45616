import { after, before, describe } from 'node:test';
import { LlmNormaliser } from '../../src/normaliser/llm-normaliser.ts';
import { RulesNormaliser } from '../../src/normaliser/rules-normaliser.ts';
import { startFakeOpenAi, type FakeOpenAiServer } from '../fakes/openai/fake-openai-server.ts';
import { answersLikeTheRules } from '../fakes/openai/rules-model.ts';
import { runNormaliserConformance } from './normaliser.conformance.ts';

describe('language-model normaliser against a fake OpenAI-compatible server', () => {
  let modelUp: FakeOpenAiServer;
  let modelDown: FakeOpenAiServer;
  before(async () => {
    modelUp = await startFakeOpenAi();
    modelUp.answerWith(answersLikeTheRules);
    modelDown = await startFakeOpenAi();
    modelDown.answerWith({ status: 500 });
  });
  after(async () => {
    await modelUp.close();
    await modelDown.close();
  });
  const create = (server: () => FakeOpenAiServer, mode: 'fallback' | 'always') => () =>
    new LlmNormaliser({
      fallback: new RulesNormaliser(),
      baseUrl: server().baseUrl,
      mode,
      maxRetries: 0,
      timeoutMs: 5000,
      env: {},
    });

  runNormaliserConformance(
    'llm, fallback mode',
    create(() => modelUp, 'fallback'),
  );
  runNormaliserConformance(
    'llm, always mode',
    create(() => modelUp, 'always'),
  );
  runNormaliserConformance(
    'llm, model answering 500',
    create(() => modelDown, 'always'),
  );
});
