/**
 * @module BLIP-2's picture side, shared by the MLLM planner and EPEM's PER blocks: the vision
 * encoder and the Q-Former with its language projection, from a picture to query embeddings.
 */
import type * as ort from 'onnxruntime-node';
import type { CheckedImage } from '../image/image.ts';
import { visionInput } from './image-tensors.ts';
import { inputsOf } from './session-cache.ts';
import { floatTensor, readFloats, type FloatType } from './tensors.ts';

/** Query embeddings: [1, queries, width] as float32. */
export interface QueryEmbeddings {
  data: Float32Array;
  dims: number[];
}

export async function blip2QueryEmbeddings(
  visionEncoder: ort.InferenceSession,
  qformer: ort.InferenceSession,
  image: CheckedImage,
): Promise<QueryEmbeddings> {
  const pixels = inputsOf(visionEncoder).get('pixel_values')!;
  const side = typeof pixels.shape[2] === 'number' && pixels.shape[2] > 0 ? pixels.shape[2] : 224;
  const pixelType = pixels.type as FloatType;
  const vision = await visionEncoder.run({
    pixel_values: floatTensor(pixelType, await visionInput(image, side), [1, 3, side, side]),
  });
  const hidden = vision.last_hidden_state!;
  const imageType = inputsOf(qformer).get('image_embeds')!.type as FloatType;
  const query = await qformer.run({
    image_embeds: floatTensor(imageType, readFloats(hidden, 'last_hidden_state'), hidden.dims),
  });
  const out = query.language_model_inputs!;
  return { data: readFloats(out, 'language_model_inputs'), dims: [...out.dims] };
}
