/**
 * @module Tiny ONNX graphs with the exact names and types of the eval models in
 * `src/eval/eval-models.ts` (CLIP towers, LPIPS, Inception pool3, an emotion classifier), so the
 * learned metrics run on real ONNX Runtime in tests. Each output depends on its inputs: CLIP and
 * the classifier project the per-channel means, LPIPS is the mean absolute difference.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraphBuilder, tinyClipTokenizerJson, tinyWeights, writeModel } from '../helpers/tiny-onnx.ts';

function channelMeansProjected(input: string, output: string, width: number, seed: number): Uint8Array {
  const g = new GraphBuilder();
  g.input(input, 'float32', ['batch', 3, 'height', 'width']);
  const means = g.op('ReduceMean', [input], { axes: [2, 3], keepdims: 0 });
  const projected = g.op('MatMul', [means, g.weights(tinyWeights(3 * width, seed), [3, width])]);
  g.op('Add', [projected, g.weights(tinyWeights(width, seed + 1, 0.1), [width])], {}, output);
  g.output(output, 'float32', ['batch', width]);
  return g.encode(output);
}

export interface TinyEvalModelOptions {
  /** Name the CLIP image output wrongly (a bad export). */
  wrongClipOutput?: boolean;
}

export async function writeTinyEvalModels(dir: string, options: TinyEvalModelOptions = {}): Promise<void> {
  await writeModel(
    join(dir, 'eval/clip-vision/model.onnx'),
    channelMeansProjected('pixel_values', options.wrongClipOutput ? 'embeds' : 'image_embeds', 4, 11),
  );

  const text = new GraphBuilder();
  text.input('input_ids', 'int64', ['batch', 77]);
  text.input('attention_mask', 'int64', ['batch', 77]);
  const ids = text.op('Cast', ['input_ids'], { to: 1 });
  const mask = text.op('Cast', ['attention_mask'], { to: 1 });
  const masked = text.op('Mul', [ids, mask]);
  text.op('MatMul', [masked, text.weights(tinyWeights(77 * 4, 21, 0.05), [77, 4])], {}, 'text_embeds');
  text.output('text_embeds', 'float32', ['batch', 4]);
  await writeModel(join(dir, 'eval/clip-text/model.onnx'), text.encode('clip-text'));
  await writeFile(join(dir, 'eval/clip-text/tokenizer.json'), JSON.stringify(tinyClipTokenizerJson()));

  const lpips = new GraphBuilder();
  lpips.input('in0', 'float32', ['batch', 3, 'height', 'width']);
  lpips.input('in1', 'float32', ['batch', 3, 'height', 'width']);
  const diff = lpips.op('Abs', [lpips.op('Sub', ['in0', 'in1'])]);
  lpips.op('ReduceMean', [diff], { axes: [1, 2, 3], keepdims: 1 }, 'distance');
  lpips.output('distance', 'float32', ['batch', 1, 1, 1]);
  await writeModel(join(dir, 'eval/lpips/model.onnx'), lpips.encode('lpips'));

  await writeModel(join(dir, 'eval/inception/model.onnx'), channelMeansProjected('images', 'pool3', 6, 31));
  await writeModel(
    join(dir, 'eval/emotion-classifier/model.onnx'),
    channelMeansProjected('pixel_values', 'logits', 8, 41),
  );
  await writeFile(
    join(dir, 'eval/emotion-classifier/config.json'),
    JSON.stringify({
      labels: ['amusement', 'anger', 'awe', 'contentment', 'disgust', 'excitement', 'fear', 'sadness'],
      size: 32,
    }),
  );
}
