import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { EMOTIONS, isEmotion, type Emotion } from '../../src/emotions.ts';
import { ConfigError } from '../../src/errors.ts';
import type { CheckedImage } from '../../src/image/image.ts';
import { KnowledgePlanner } from '../../src/planner/knowledge-planner.ts';
import { LlmPlanner, createLlmPlanner, type LlmPlannerOptions } from '../../src/planner/llm-planner.ts';
import type { PlanRequest } from '../../src/planner/planner.ts';
import {
  FakeOpenAiServer,
  startFakeOpenAi,
  type FakeAnswer,
  type RecordedRequest,
} from '../fakes/openai/fake-openai-server.ts';
import { runPlannerConformance } from './planner.conformance.ts';

const knowledge = new KnowledgePlanner();

async function photo(name: string): Promise<CheckedImage> {
  const bytes = await sharp(new URL(`../fixtures/images/${name}`, import.meta.url).pathname).toBuffer();
  const meta = await sharp(bytes).metadata();
  return { bytes, format: meta.format === 'jpeg' ? 'jpeg' : 'png', width: meta.width!, height: meta.height! };
}

const GOOD_PLAN = {
  caption: 'A cup of coffee with latte art on a white saucer.',
  editedCaption: 'A cup of cold, filmy coffee with curdled milk and mould on a stained saucer.',
  source: 'contentment',
  target: 'disgust',
  elements: ['object', 'color'],
};

/** A model that plans whatever target the request names, and judges every picture content. */
function plansTheRequestedTarget(request: RecordedRequest): FakeAnswer {
  const target = /Target emotion: (\w+)/.exec(FakeOpenAiServer.textOf(request))?.[1] as Emotion;
  return {
    json: {
      caption: 'A cup of coffee on a saucer.',
      editedCaption: `A cup of coffee on a saucer, the light and colours turned to ${target}.`,
      source: 'contentment',
      target,
      elements: ['color', 'scene'],
    },
  };
}

describe('vision planner', () => {
  let fake: FakeOpenAiServer;
  let coffee: CheckedImage;
  const make = (options: Partial<LlmPlannerOptions> = {}): LlmPlanner =>
    new LlmPlanner({
      fallback: knowledge,
      baseUrl: fake.baseUrl,
      model: 'fake-vision',
      maxRetries: 0,
      timeoutMs: 5000,
      env: {},
      ...options,
    });

  before(async () => {
    fake = await startFakeOpenAi();
    coffee = await photo('coffee.png');
  });
  after(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    fake.answerWith({ status: 500 });
  });

  it('sends the picture as a downscaled JPEG data URL with the canonical instruction', async () => {
    fake.answerWith({ json: GOOD_PLAN });
    const hubble = await photo('hubble_deep_field.jpg');
    await make().plan({ image: hubble, target: 'disgust', intensity: 0.6 });
    const [request] = fake.requests;
    const images = FakeOpenAiServer.imagesOf(request!);
    assert.equal(images.length, 1);
    assert.match(images[0]!, /^data:image\/jpeg;base64,/);
    const sent = await sharp(Buffer.from(images[0]!.split(',')[1]!, 'base64')).metadata();
    assert.equal(sent.format, 'jpeg');
    assert.equal(Math.max(sent.width!, sent.height!), 512);
    assert.match(FakeOpenAiServer.textOf(request!), /Instruction: Please change the emotion of this image to disgust/);
    assert.equal(request!.body.response_format?.type, 'json_schema');
  });

  it("turns the model's answer into the plan", async () => {
    fake.answerWith({ json: GOOD_PLAN });
    const plan = await make().plan({ image: coffee, target: 'disgust', intensity: 0.6 });
    assert.deepEqual(plan, {
      source: 'contentment',
      target: 'disgust',
      caption: GOOD_PLAN.caption,
      editedCaption: GOOD_PLAN.editedCaption,
      elements: ['object', 'color'],
      instruction: 'Please change the emotion of this image from contentment to disgust',
      planner: 'llm',
    });
  });

  it('works with function calling too', async () => {
    fake.answerWith({ json: GOOD_PLAN });
    const plan = await make({ structuredOutput: 'functionCalling' }).plan({
      image: coffee,
      target: 'disgust',
      intensity: 0.6,
    });
    assert.equal(plan.editedCaption, GOOD_PLAN.editedCaption);
    assert.equal(fake.requests[0]!.body.tools?.[0]?.function.name, 'edit_plan');
  });

  it('reads the source from the picture when the model does not say', async () => {
    fake.answerWith({ json: { ...GOOD_PLAN, source: null } });
    const plan = await make().plan({ image: coffee, target: 'disgust', intensity: 0.6 });
    assert.ok(isEmotion(plan.source));
    assert.ok(plan.sourceDistribution, 'the estimator was consulted');
    assert.equal(plan.instruction, `Please change the emotion of this image from ${plan.source} to disgust`);
    assert.equal(plan.editedCaption, GOOD_PLAN.editedCaption);
  });

  it("keeps the source and elements the person named over the model's", async () => {
    fake.answerWith({ json: GOOD_PLAN });
    const plan = await make().plan({
      image: coffee,
      target: 'disgust',
      source: 'awe',
      elements: ['scene'],
      intensity: 0.6,
    });
    assert.equal(plan.source, 'awe');
    assert.deepEqual(plan.elements, ['scene']);
    assert.match(FakeOpenAiServer.textOf(fake.requests[0]!), /Source emotion: awe[\s\S]*Elements to change: scene/);
  });

  const invalid: Array<[string, FakeAnswer]> = [
    ['a different target', { json: { ...GOOD_PLAN, target: 'awe' } }],
    ['an emotion that does not exist', { json: { ...GOOD_PLAN, source: 'nostalgia' } }],
    ['an empty edited caption', { json: { ...GOOD_PLAN, editedCaption: '  ' } }],
    ['an edited caption that changes nothing', { json: { ...GOOD_PLAN, editedCaption: GOOD_PLAN.caption } }],
    ['no element', { json: { ...GOOD_PLAN, elements: [] } }],
    ['text that is not JSON', { content: 'The coffee should look disgusting.' }],
    ['a server error', { status: 502 }],
    ['no answer in time', { hang: true }],
  ];
  for (const [what, modelSays] of invalid) {
    it(`gives the knowledge planner's plan on ${what}`, async () => {
      fake.answerWith(modelSays);
      const planner = make({ timeoutMs: 500 });
      const request: PlanRequest = { image: coffee, target: 'disgust', intensity: 0.6 };
      const plan = await planner.plan(request);
      assert.deepEqual(plan, await knowledge.plan(request));
      assert.equal(fake.requests.length, 1);
      const stats = planner.stats();
      assert.equal(
        Object.values(stats.fallbacks).reduce((a, b) => a + b, 0),
        1,
      );
    });
  }

  it('stops, rather than falling back, when the caller aborts', async () => {
    fake.answerWith({ hang: true });
    const controller = new AbortController();
    const planning = make().plan({ image: coffee, target: 'fear', intensity: 0.6, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('the person left')), 100);
    await assert.rejects(planning, /the person left/);
  });

  it('explains a bad setting', () => {
    assert.throws(
      () =>
        createLlmPlanner({
          config: { llmBaseUrl: fake.baseUrl },
          fallback: knowledge,
          env: { LLM_PLANNER_TIMEOUT_MS: 'soon' },
        }),
      (error: unknown) => error instanceof ConfigError && /LLM_PLANNER_TIMEOUT_MS="soon"/.test(error.message),
    );
    const planner = createLlmPlanner({
      config: { llmBaseUrl: fake.baseUrl, llmModel: 'text-model' },
      fallback: knowledge,
      env: { LLM_VISION_MODEL: 'llava' },
    });
    assert.equal(planner.connection.model, 'llava');
  });

  describe('with a model that plans every target', () => {
    let server: FakeOpenAiServer;
    before(async () => {
      server = await startFakeOpenAi();
      server.answerWith(plansTheRequestedTarget);
    });
    after(async () => {
      await server.close();
    });
    runPlannerConformance(
      'llm (fake vision model)',
      () => new LlmPlanner({ fallback: knowledge, baseUrl: server.baseUrl, maxRetries: 0, timeoutMs: 5000, env: {} }),
    );
    it('plans all eight targets with the model, not the fallback', async () => {
      const planner = new LlmPlanner({ fallback: knowledge, baseUrl: server.baseUrl, maxRetries: 0, env: {} });
      for (const target of EMOTIONS)
        assert.equal((await planner.plan({ image: coffee, target, intensity: 0.6 })).planner, 'llm');
    });
  });
});
