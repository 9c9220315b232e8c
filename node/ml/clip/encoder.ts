/**
 * CLIP on this machine: the visual model turns previews into 512-d embeddings, the textual model
 * turns a search query into one in the same space. Both are L2-normalised, so cosine distance is
 * `1 - dot`. Sessions come from the shared model runtime (loaded on first use, unloaded when idle).
 *
 * Input and output names are read from the model (Immich's exports name them `image`/`text` and
 * `embedding`); the text input's integer type is whatever the model accepts (Immich's textual
 * model takes int32, other exports int64): int32 is tried first and the answer remembered.
 *
 * @example
 * const clip = createClipEncoder({ runtime, visualPath, textualPath, tokenizer: await loadClipTokenizer() })
 * const [img] = await clip.encodeImages(['/data/thumbs/ab/abcd-preview.jpeg'])
 * const [txt] = await clip.encodeTexts(['a dog on the beach'])
 * dot(img, txt)   // cosine similarity
 */
import { tensor, type ModelHandle, type ModelRuntime, type TensorData } from '../runtime.ts'
import { clipInput, type ClipInputOptions } from './pixels.ts'
import { CONTEXT_LENGTH, type ClipTokenizer } from './tokenizer.ts'

export interface ClipEncoder {
  /** Embeddings of images (paths or encoded bytes), in order. */
  encodeImages(images: Array<string | Buffer>, o?: { signal?: AbortSignal }): Promise<Float32Array[]>
  /** Embeddings of texts, in order. */
  encodeTexts(texts: string[], o?: { signal?: AbortSignal }): Promise<Float32Array[]>
}

export function l2normalise (v: Float32Array): Float32Array {
  let sum = 0
  for (const x of v) sum += x * x
  const n = Math.sqrt(sum)
  if (!(n > 0) || !Number.isFinite(n)) throw new Error('embedding has zero or invalid length')
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / n
  return v
}

export function dot (a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!
  return s
}

/** Splits a [N, D] float output into N normalised rows. */
function rows (out: TensorData, n: number): Float32Array[] {
  if (!(out.data instanceof Float32Array)) throw new Error(`CLIP output is ${out.type}, expected float32`)
  const d = out.data.length / n
  if (!Number.isInteger(d) || d === 0) throw new Error(`CLIP output has shape [${out.dims.join(',')}] for a batch of ${n}`)
  return Array.from({ length: n }, (_, i) => l2normalise(out.data.slice(i * d, (i + 1) * d) as Float32Array))
}

async function names (model: ModelHandle): Promise<{ input: string, output: string }> {
  const { inputs, outputs } = await model.describe()
  const output = outputs.includes('embedding') ? 'embedding' : outputs[0]
  if (inputs[0] === undefined || output === undefined) throw new Error(`${model.path} has no input or output`)
  return { input: inputs[0], output }
}

export function createClipEncoder ({ runtime, visualPath, textualPath, tokenizer, batchSize = 8, preprocess }: {
  runtime: ModelRuntime
  visualPath: string
  textualPath: string
  tokenizer: ClipTokenizer
  /** Images or texts per model call; a model whose batch is fixed at 1 is detected and fed one at a time. */
  batchSize?: number
  preprocess?: ClipInputOptions
}): ClipEncoder {
  let textType: 'int32' | 'int64' | undefined
  const singleBatch = new Set<string>()

  /** Runs in batches, falling back to batches of one for a model exported with a fixed batch of 1. */
  async function batched<T> (model: ModelHandle, items: T[], feed: (chunk: T[]) => Promise<Float32Array[]>, signal?: AbortSignal): Promise<Float32Array[]> {
    const out: Float32Array[] = []
    for (let i = 0; i < items.length;) {
      signal?.throwIfAborted()
      const size = singleBatch.has(model.path) ? 1 : batchSize
      const chunk = items.slice(i, i + size)
      try {
        out.push(...await feed(chunk))
      } catch (err) {
        if (chunk.length > 1 && /dimension|shape|Got invalid dimensions/i.test(String(err))) { singleBatch.add(model.path); continue }
        throw err
      }
      i += chunk.length
    }
    return out
  }

  return {
    async encodeImages (images, o = {}) {
      const model = runtime.model(visualPath)
      const { input, output } = await names(model)
      const size = preprocess?.size ?? 224
      const plane = 3 * size * size
      return batched(model, images, async (chunk) => {
        const data = new Float32Array(chunk.length * plane)
        for (let i = 0; i < chunk.length; i++) data.set(await clipInput(chunk[i]!, preprocess), i * plane)
        const result = await model.run({ [input]: tensor(data, [chunk.length, 3, size, size]) }, { transfer: true })
        return rows(result[output]!, chunk.length)
      }, o.signal)
    },

    async encodeTexts (texts, o = {}) {
      const model = runtime.model(textualPath)
      const { input, output } = await names(model)
      return batched(model, texts, async (chunk) => {
        const ids = new Int32Array(chunk.length * CONTEXT_LENGTH)
        chunk.forEach((t, i) => ids.set(tokenizer.encode(t), i * CONTEXT_LENGTH))
        const as = (type: 'int32' | 'int64') => type === 'int32' ? ids : BigInt64Array.from(ids, (x) => BigInt(x))
        const run = async (type: 'int32' | 'int64') => model.run({ [input]: tensor(as(type), [chunk.length, CONTEXT_LENGTH]) })
        let result: Record<string, TensorData>
        if (textType !== undefined) {
          result = await run(textType)
        } else {
          try {
            result = await run('int32'); textType = 'int32'
          } catch (err) {
            if (!/data type|type.*int64|tensor\(int64\)/i.test(String(err))) throw err
            result = await run('int64'); textType = 'int64'
          }
        }
        return rows(result[output]!, chunk.length)
      }, o.signal)
    },
  }
}
