import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import * as ort from 'onnxruntime-node';
import { pino } from 'pino';
import sharp from 'sharp';
import type { CheckedImage } from '../../src/image/image.ts';
import { canonicalInstruction } from '../../src/intent.ts';
import { KnowledgePlanner } from '../../src/planner/knowledge-planner.ts';
import type { Planner } from '../../src/planner/planner.ts';
import {
  createOnnxPlanner,
  DEFAULT_PLANNER_PROMPT,
  parsePlannerAnswer,
  plannerEndTokens,
} from '../../src/onnx/onnx-planner.ts';
import { OptDecoder } from '../../src/onnx/opt-decoder.ts';
import { TextTokenizer } from '../../src/onnx/tokenizer.ts';
import { runPlannerConformance } from '../planner/planner.conformance.ts';
import {
  TINY_HIDDEN,
  TINY_QUERIES,
  tinyDecoder,
  tinyEmbedTokens,
  tinyOptIds,
  tinyWeights,
  writeTinyPlannerModels,
  type TinyPlannerOptions,
} from '../helpers/tiny-onnx.ts';

let root: string;
let photo: CheckedImage;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'moodshift-planner-'));
  const { data, info } = await sharp('test/fixtures/images/coffee.png')
    .resize(96, 96, { fit: 'inside' })
    .png()
    .toBuffer({ resolveWithObject: true });
  photo = { bytes: data, format: 'png', width: info.width, height: info.height };
});
after(() => rm(root, { recursive: true, force: true }));

let counter = 0;
async function plannerModels(options: TinyPlannerOptions = {}): Promise<string> {
  const dir = join(root, `models-${counter++}`);
  await writeTinyPlannerModels(dir, options);
  return dir;
}

/** Where the answer starts for a request naming source and target: query tokens plus prompt tokens. */
async function answerStart(dir: string, source: 'contentment', target: string): Promise<number> {
  const template = (await readFile(DEFAULT_PLANNER_PROMPT, 'utf8')).trim();
  const prompt = template.replace('{instruction}', canonicalInstruction(target as 'sadness', source));
  const tokenizer = await TextTokenizer.fromFile(join(dir, 'blip2/tokenizer.json'));
  return TINY_QUERIES + tokenizer.encode(prompt).length;
}

/** A planner whose decoder writes `answer` (then `</s>`) for a contentment → target request. */
async function scriptedPlanner(
  answer: string,
  target = 'sadness',
  options: {
    maxNewTokens?: number;
    beamWidth?: number;
    floatType?: 'float32' | 'float16';
    optimumExtras?: boolean;
  } = {},
) {
  const probe = await plannerModels();
  const { floatType, optimumExtras, ...plannerOptions } = options;
  const dir = await plannerModels({
    script: tinyOptIds(answer),
    scriptStart: await answerStart(probe, 'contentment', target),
    ...(floatType ? { floatType } : {}),
    ...(optimumExtras ? { optimumExtras } : {}),
  });
  const lines: string[] = [];
  const logger = pino(
    { level: 'warn' },
    new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }),
  );
  const planner = await createOnnxPlanner({ modelsDir: dir, logger, ...plannerOptions });
  return { planner, lines };
}

describe('OPT decoding with a key-value cache', () => {
  it('writes the same tokens and logits with and without the cache', async () => {
    const decoderSession = await ort.InferenceSession.create(tinyDecoder());
    const embedSession = await ort.InferenceSession.create(tinyEmbedTokens());
    const decoder = new OptDecoder(decoderSession, embedSession);
    const prefix = Float32Array.from(tinyWeights(9 * TINY_HIDDEN, 77, 1));
    const cached = await decoder.generate(prefix, 9, { maxNewTokens: 10, endTokenId: -1 });
    const uncached = await decoder.generate(prefix, 9, { maxNewTokens: 10, endTokenId: -1, useCache: false });
    assert.equal(cached.tokens.length, 10);
    assert.deepEqual(cached.tokens, uncached.tokens);
    assert.ok(new Set(cached.tokens).size > 1, 'the tiny decoder writes more than one distinct token');
    cached.stepLogits.forEach((logits, step) =>
      logits.forEach((value, i) =>
        assert.ok(Math.abs(value - uncached.stepLogits[step]![i]!) < 1e-3, `step ${step} logit ${i}`),
      ),
    );
    await decoderSession.release();
    await embedSession.release();
  });

  it("feeds Optimum's position_ids and use_cache_branch correctly", async () => {
    const decoderSession = await ort.InferenceSession.create(tinyDecoder({ optimumExtras: true }));
    const embedSession = await ort.InferenceSession.create(tinyEmbedTokens());
    const decoder = new OptDecoder(decoderSession, embedSession);
    const prefix = Float32Array.from(tinyWeights(9 * TINY_HIDDEN, 77, 1));
    const cached = await decoder.generate(prefix, 9, { maxNewTokens: 6, endTokenId: -1 });
    const uncached = await decoder.generate(prefix, 9, { maxNewTokens: 6, endTokenId: -1, useCache: false });
    assert.ok(!cached.tokens.includes(3), 'use_cache_branch agrees with the past it was given');
    assert.deepEqual(cached.tokens, uncached.tokens);
    await decoderSession.release();
    await embedSession.release();
  });

  it('finds the same beams with and without the cache, and a one-beam search is greedy', async () => {
    const decoderSession = await ort.InferenceSession.create(tinyDecoder({ layers: 1 }));
    const embedSession = await ort.InferenceSession.create(tinyEmbedTokens());
    const decoder = new OptDecoder(decoderSession, embedSession);
    const prefix = Float32Array.from(tinyWeights(5 * TINY_HIDDEN, 78, 1));
    const beam = await decoder.generate(prefix, 5, { maxNewTokens: 5, endTokenId: 2, beamWidth: 3 });
    const beamUncached = await decoder.generate(prefix, 5, {
      maxNewTokens: 5,
      endTokenId: 2,
      beamWidth: 3,
      useCache: false,
    });
    assert.deepEqual(beam.tokens, beamUncached.tokens);
    const greedy = await decoder.generate(prefix, 5, { maxNewTokens: 5, endTokenId: 2 });
    const oneBeam = await decoder.generate(prefix, 5, { maxNewTokens: 5, endTokenId: 2, beamWidth: 1 });
    assert.deepEqual(oneBeam.tokens, greedy.tokens);
    await decoderSession.release();
    await embedSession.release();
  });
});

describe('reading the planner model answer', () => {
  it('reads caption, edited caption and emotion', () => {
    assert.deepEqual(
      parsePlannerAnswer('caption : a cat in a field . edited : a cat in a grey field . emotion : sadness'),
      {
        caption: 'A cat in a field.',
        editedCaption: 'A cat in a grey field.',
        emotion: 'sadness',
      },
    );
    assert.deepEqual(
      parsePlannerAnswer('Edited caption: The flowers are withered, with rotten parts on petals; Emotion: Disgust'),
      {
        editedCaption: 'The flowers are withered, with rotten parts on petals.',
        emotion: 'disgust',
      },
    );
  });

  it('says why an answer is unusable', () => {
    assert.match((parsePlannerAnswer('a cat a cat a cat') as { problem: string }).problem, /names no emotion/);
    assert.match(
      (parsePlannerAnswer('edited: a dark cat. emotion: gloomy') as { problem: string }).problem,
      /"gloomy" is not one of the eight/,
    );
    assert.match((parsePlannerAnswer('emotion: fear') as { problem: string }).problem, /no edited caption/);
  });
});

describe('onnx planner on tiny models', () => {
  it("writes the plan from the model's answer", async () => {
    const { planner, lines } = await scriptedPlanner(
      'Caption: a cat in a sunny field. Edited: a cat in a grey gloomy field. Emotion: sadness',
    );
    try {
      const plan = await planner.plan({ image: photo, target: 'sadness', source: 'contentment', intensity: 0.6 });
      assert.equal(plan.planner, 'onnx');
      assert.equal(plan.target, 'sadness');
      assert.equal(plan.source, 'contentment');
      assert.equal(plan.caption, 'A cat in a sunny field.');
      assert.equal(plan.editedCaption, 'A cat in a grey gloomy field.');
      assert.equal(plan.instruction, 'Please change the emotion of this image from contentment to sadness');
      assert.deepEqual(lines, []);
    } finally {
      await planner.close();
    }
  });

  it('finds the same answer with beam search', async () => {
    const { planner } = await scriptedPlanner('Caption: a dog. Edited: a dark dog. Emotion: sadness', 'sadness', {
      beamWidth: 2,
    });
    try {
      const plan = await planner.plan({ image: photo, target: 'sadness', source: 'contentment', intensity: 0.6 });
      assert.equal(plan.editedCaption, 'A dark dog.');
    } finally {
      await planner.close();
    }
  });

  it('follows position_ids on an export that takes them', async () => {
    const { planner } = await scriptedPlanner('Caption: a dog. Edited: a dark dog. Emotion: sadness', 'sadness', {
      optimumExtras: true,
    });
    try {
      const plan = await planner.plan({ image: photo, target: 'sadness', source: 'contentment', intensity: 0.6 });
      assert.equal(plan.planner, 'onnx');
      assert.equal(plan.editedCaption, 'A dark dog.');
    } finally {
      await planner.close();
    }
  });

  it('runs a float16 export', async () => {
    const { planner } = await scriptedPlanner('Caption: a dog. Edited: a dark dog. Emotion: sadness', 'sadness', {
      floatType: 'float16',
    });
    try {
      const plan = await planner.plan({ image: photo, target: 'sadness', source: 'contentment', intensity: 0.6 });
      assert.equal(plan.planner, 'onnx');
      assert.equal(plan.editedCaption, 'A dark dog.');
    } finally {
      await planner.close();
    }
  });

  it('falls back to the knowledge planner, and logs why, when the answer names no emotion of the eight', async () => {
    const { planner, lines } = await scriptedPlanner('Caption: a cat. Edited: a dark cat. Emotion: gloomy');
    try {
      const plan = await planner.plan({ image: photo, target: 'sadness', source: 'contentment', intensity: 0.6 });
      assert.equal(plan.planner, 'knowledge');
      assert.equal(plan.target, 'sadness');
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /"gloomy\\" is not one of the eight emotions/);
    } finally {
      await planner.close();
    }
  });

  it('stops on the export\'s end token (BLIP-2 OPT\'s "\\n"), not only on </s>', async () => {
    // The decoder writes the answer, then the export's end token (here "|", standing in for 50118),
    // then more words and never </s>: stopping on </s> alone runs to the limit and falls back.
    const probe = await plannerModels();
    const answer = tinyOptIds('Caption: a dog. Edited: a dark dog. Emotion: sadness').slice(0, -1);
    const endId = tinyOptIds('|')[0]!;
    const dir = await plannerModels({
      script: [...answer, endId, ...new Array<number>(30).fill(tinyOptIds('cat')[0]!)],
      scriptStart: await answerStart(probe, 'contentment', 'sadness'),
    });
    await writeFile(join(dir, 'blip2/export.json'), JSON.stringify({ format: 1, end_token_id: endId }));
    for (const beamWidth of [1, 3]) {
      const planner = await createOnnxPlanner({ modelsDir: dir, maxNewTokens: answer.length + 8, beamWidth });
      try {
        const plan = await planner.plan({ image: photo, target: 'sadness', source: 'contentment', intensity: 0.6 });
        assert.equal(plan.planner, 'onnx', `beam ${beamWidth}`);
        assert.equal(plan.editedCaption, 'A dark dog.');
      } finally {
        await planner.close();
      }
    }
  });

  it('ends answers on 50118 and </s> when the export has no export.json, and refuses a bad one', async () => {
    const dir = await plannerModels();
    const tokenizer = await TextTokenizer.fromFile(join(dir, 'blip2/tokenizer.json'));
    assert.deepEqual(await plannerEndTokens(dir, tokenizer), [50118, 2]);
    await writeFile(join(dir, 'blip2/export.json'), JSON.stringify({ end_token_id: [50118, 2] }));
    assert.deepEqual(await plannerEndTokens(dir, tokenizer), [50118, 2]);
    await writeFile(join(dir, 'blip2/export.json'), JSON.stringify({ end_token_id: 'newline' }));
    await assert.rejects(
      createOnnxPlanner({ modelsDir: dir }),
      /export\.json must give end_token_id as a token id or a list of them \(BLIP-2 OPT: 50118\), not "newline"/,
    );
  });

  it('falls back when the answer runs past the token limit', async () => {
    const { planner, lines } = await scriptedPlanner(
      'Caption: a cat in a sunny field. Edited: a cat in a grey gloomy field. Emotion: sadness',
      'sadness',
      { maxNewTokens: 6 },
    );
    try {
      const plan = await planner.plan({ image: photo, target: 'sadness', source: 'contentment', intensity: 0.6 });
      assert.equal(plan.planner, 'knowledge');
      assert.match(lines[0]!, /ran past 6 tokens/);
    } finally {
      await planner.close();
    }
  });

  it('falls back when the answer targets another emotion than the person asked for', async () => {
    const { planner, lines } = await scriptedPlanner('Caption: a cat. Edited: a dark cat. Emotion: fear');
    try {
      const plan = await planner.plan({ image: photo, target: 'sadness', source: 'contentment', intensity: 0.6 });
      assert.equal(plan.planner, 'knowledge');
      assert.equal(plan.target, 'sadness');
      assert.match(lines[0]!, /fear is not the requested sadness/);
    } finally {
      await planner.close();
    }
  });

  it('stops when the edit is cancelled while it plans', async () => {
    const controller = new AbortController();
    const knowledge = new KnowledgePlanner();
    // A fallback that lets the person cancel right after the cheap part of planning.
    const fallback: Planner = {
      name: 'knowledge',
      plan: async (request) => {
        const plan = await knowledge.plan(request);
        controller.abort();
        return plan;
      },
    };
    const planner = await createOnnxPlanner({ modelsDir: await plannerModels(), fallback });
    try {
      await assert.rejects(
        planner.plan({
          image: photo,
          target: 'fear',
          source: 'contentment',
          intensity: 0.6,
          signal: controller.signal,
        }),
        { name: 'AbortError' },
      );
    } finally {
      await planner.close();
    }
  });

  it('refuses to start without its tokenizer, naming the file', async () => {
    const dir = await plannerModels({ skipTokenizer: true });
    await assert.rejects(createOnnxPlanner({ modelsDir: dir }), /blip2\/tokenizer\.json is missing/);
  });
});

// Every emotion is one token of the tiny vocabulary, so the prompt (and where the answer starts)
// has the same length for any source and target: the scripted answer is read for every request,
// and the plans for sadness come from the model, the others from the fallback.
runPlannerConformance('onnx (tiny models)', async () => {
  const probe = await plannerModels();
  const dir = await plannerModels({
    script: tinyOptIds('Caption: a cat. Edited: a gloomy cat. Emotion: sadness'),
    scriptStart: await answerStart(probe, 'contentment', 'sadness'),
  });
  return createOnnxPlanner({ modelsDir: dir, maxNewTokens: 24 });
});
