/**
 * @module Building ONNX Runtime tensors from plain arrays and reading them back, whatever
 * element type (float32 or float16, int32 or int64) the model file declares.
 */
import * as ort from 'onnxruntime-node';
import { fromFloat16Array, toFloat16Array } from './float16.ts';

export type FloatType = 'float32' | 'float16';
export type IntType = 'int32' | 'int64';

/** A float tensor in the model's float type (float16 is passed as bit patterns). */
export function floatTensor(type: FloatType, data: Float32Array, dims: readonly number[]): ort.Tensor {
  return type === 'float16'
    ? new ort.Tensor('float16', toFloat16Array(data), dims)
    : new ort.Tensor('float32', data, dims);
}

/** An integer tensor in the model's integer type. */
export function intTensor(type: IntType, values: ArrayLike<number>, dims: readonly number[]): ort.Tensor {
  if (type === 'int64')
    return new ort.Tensor(
      'int64',
      BigInt64Array.from(values as ArrayLike<number>, (v) => BigInt(v)),
      dims,
    );
  return new ort.Tensor('int32', Int32Array.from(values), dims);
}

/** A tensor of any numeric type the model asks for, from numbers. */
export function numericTensor(type: string, values: ArrayLike<number>, dims: readonly number[]): ort.Tensor {
  if (type === 'int64' || type === 'int32') return intTensor(type, values, dims);
  if (type === 'float16' || type === 'float32') return floatTensor(type, Float32Array.from(values), dims);
  throw new TypeError(`Unsupported tensor element type ${type}.`);
}

/** The values of a float tensor as float32, whatever its element type. */
export function readFloats(value: ort.OnnxValue | undefined, what: string): Float32Array {
  if (!value || !(value instanceof ort.Tensor)) throw new Error(`The model returned no tensor for ${what}.`);
  const data = value.data;
  if (value.type === 'float32') return data as Float32Array;
  if (value.type === 'float16') {
    if (data instanceof Uint16Array) return fromFloat16Array(data);
    return Float32Array.from(data as ArrayLike<number>);
  }
  throw new Error(`The model returned ${value.type} for ${what}, expected a float tensor.`);
}

/** An empty tensor with one zero-length axis (past key values before the first step). */
export function emptyTensor(type: string, dims: readonly number[]): ort.Tensor {
  if (type === 'float16') return new ort.Tensor('float16', new Uint16Array(0), dims);
  return new ort.Tensor('float32', new Float32Array(0), dims);
}
