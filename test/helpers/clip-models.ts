/**
 * Small generated CLIP models for tests. No CLIP weights can be had here, so these stand in for
 * ViT-B-32 with the same input and output names and shapes (visual `image` [N,3,224,224] float →
 * `embedding` [N,512]; textual `text` [N,77] int → `embedding` [N,512]) and a meaning the test can
 * rely on: a picture's embedding is its mean normalised colour mapped into 512-d, and a text's is
 * the sum of its words' colours (the colour words "red", "green", ... carry the colour of a pure
 * image of that colour; every other token is zero). So "a red car" lands exactly on a solid red
 * picture, and a test can build the image that must rank first.
 *
 * The graphs are ordinary ONNX (GlobalAveragePool, Flatten, Gather, ReduceMean, MatMul) built with
 * onnx-proto and run by the real onnxruntime-node through Hearth's model runtime.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import onnxProto from 'onnx-proto'
import { CLIP_MEAN, CLIP_STD } from '../../node/ml/clip/pixels.ts'
import type { ClipTokenizer } from '../../node/ml/clip/tokenizer.ts'
import { loadManifest } from '../../node/ml/models.ts'

const { onnx } = onnxProto
const FLOAT = 1
const INT32 = 6
const INT64 = 7

/** sRGB 0..255 colours the generated models know by name. */
export const colours: Record<string, [number, number, number]> = {
  red: [255, 0, 0], green: [0, 255, 0], blue: [0, 0, 255], yellow: [255, 255, 0],
  purple: [128, 0, 128], orange: [255, 128, 0], white: [255, 255, 255], black: [0, 0, 0],
}

/** The normalised mean colour CLIP's preprocessing gives a solid image of `rgb`. */
export function normalisedColour (rgb: readonly number[]): number[] {
  return rgb.map((v, c) => (v / 255 - CLIP_MEAN[c]!) / CLIP_STD[c]!)
}

/** A fixed, full-rank 3→512 map (deterministic, so runs are repeatable). */
function projection (): Float32Array {
  const w = new Float32Array(3 * 512)
  let seed = 12345
  for (let i = 0; i < w.length; i++) { seed = (seed * 1103515245 + 12345) % 2 ** 31; w[i] = seed / 2 ** 31 - 0.5 }
  return w
}

const dim = (d: number | string) => typeof d === 'number' ? { dimValue: d } : { dimParam: d }
const valueInfo = (name: string, elemType: number, shape: Array<number | string>) =>
  ({ name, type: { tensorType: { elemType, shape: { dim: shape.map(dim) } } } })
const floatTensor = (name: string, dims: number[], data: Float32Array) =>
  ({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) })

function encode (graph: object): Uint8Array {
  const model = onnx.ModelProto.create({ irVersion: 8, producerName: 'hearth-test', opsetImport: [{ domain: '', version: 13 }], graph })
  return onnx.ModelProto.encode(model).finish()
}

export interface GeneratedClip { visualPath: string, textualPath: string }

/**
 * Writes a visual and a textual model into `dir`. `textInput` picks the text input's integer type;
 * `batch` 'dynamic' (as Immich's exports) or 1 (a model with a fixed batch).
 */
export async function generateClipModels (dir: string, tokenizer: ClipTokenizer, { textInput = 'int32', batch = 'dynamic' }: { textInput?: 'int32' | 'int64', batch?: 'dynamic' | 1 } = {}): Promise<GeneratedClip> {
  await mkdir(dir, { recursive: true })
  const n = batch === 'dynamic' ? 'N' : 1
  const w = projection()
  const visual = encode({
    name: 'clip-visual-test',
    input: [valueInfo('image', FLOAT, [n, 3, 224, 224])],
    output: [valueInfo('embedding', FLOAT, [n, 512])],
    initializer: [floatTensor('W', [3, 512], w)],
    node: [
      { opType: 'GlobalAveragePool', input: ['image'], output: ['pooled'] },
      { opType: 'Flatten', input: ['pooled'], output: ['flat'], attribute: [{ name: 'axis', type: 2, i: 1 }] },
      { opType: 'MatMul', input: ['flat', 'W'], output: ['embedding'] },
    ],
  })
  const table = new Float32Array(49408 * 3)
  for (const [word, rgb] of Object.entries(colours)) {
    const ids = tokenizer.tokens(word).slice(1, -1)
    if (ids.length !== 1) throw new Error(`"${word}" is not one CLIP token`)
    table.set(normalisedColour(rgb), ids[0]! * 3)
  }
  const textual = encode({
    name: 'clip-textual-test',
    input: [valueInfo('text', textInput === 'int32' ? INT32 : INT64, [n, 77])],
    output: [valueInfo('embedding', FLOAT, [n, 512])],
    initializer: [floatTensor('E', [49408, 3], table), floatTensor('W', [3, 512], w)],
    node: [
      { opType: 'Gather', input: ['E', 'text'], output: ['tokens'], attribute: [{ name: 'axis', type: 2, i: 0 }] },
      // Only colour words are non-zero, so the mean is the colours' mean times a positive factor: same direction.
      { opType: 'ReduceMean', input: ['tokens'], output: ['mean'], attribute: [{ name: 'axes', type: 7, ints: [1] }, { name: 'keepdims', type: 2, i: 0 }] },
      { opType: 'MatMul', input: ['mean', 'W'], output: ['embedding'] },
    ],
  })
  const visualPath = join(dir, 'visual.onnx')
  const textualPath = join(dir, 'textual.onnx')
  await writeFile(visualPath, visual)
  await writeFile(textualPath, textual)
  return { visualPath, textualPath }
}

export type ClipModel = 'clip-visual' | 'clip-textual'

/**
 * Generates the pair under `dir` and copies each model to `target(model)`: where the `immich`
 * pack's ViT-B-32 goes (`immichModelPaths`, or a running node's model store), as after
 * `hearth models fetch immich`.
 */
export async function installClipModels (dir: string, tokenizer: ClipTokenizer, target: (model: ClipModel) => string): Promise<GeneratedClip> {
  const generated = await generateClipModels(dir, tokenizer)
  for (const [model, file] of [['clip-visual', generated.visualPath], ['clip-textual', generated.textualPath]] as const) {
    await mkdir(dirname(target(model)), { recursive: true })
    await copyFile(file, target(model))
  }
  return generated
}

/** Where the `immich` pack's CLIP models go under `modelsDir`, by the manifest. */
export async function immichModelPaths (modelsDir: string): Promise<(model: ClipModel) => string> {
  const manifest = await loadManifest()
  return (model) => join(modelsDir, 'immich', manifest.packs.immich!.models[model]!.file)
}
