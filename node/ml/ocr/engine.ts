/**
 * OCR of one photo with PP-OCR models: detect text boxes, cut each out, recognise its text.
 * The models run through the node's model runtime (node/ml/runtime.ts); pixels come from the
 * media adapter. Pre- and post-processing follow the manifest's entries for the pack.
 *
 * @example
 * const ocr = await createOcrEngine({ runtime, pixels, manifest, path: (model) => models.path('lite', model) })
 * const { lines } = await ocr.read('/data/thumbs/…-preview.jpeg')
 * lines[0]   // { box: [[x,y]×4], boxScore: 0.93, text: 'MAIN STAY', textScore: 0.97 }
 */
import { readFile } from 'node:fs/promises'
import type { Manifest, ModelEntry } from '../models.ts'
import { ModelError, tensor, type ModelRuntime } from '../runtime.ts'
import { overlapRuns, ScratchPool, type TensorScratch } from '../scratch.ts'
import type { PixelReader, RgbImage } from '../../media/pixels.ts'
import { dbPostprocess, defaultDetectorOptions, detectorSize, toPlanar, type DetectorOptions, type Normalisation } from './detect.ts'
import { readingOrder, type Quad } from './geometry.ts'
import { cropGeometry, ctcDecode, defaultRecognizerOptions, parseDictionary, sampleCrop, scaledWidth, type RecognizerOptions } from './recognize.ts'

export interface OcrLine {
  /** Corners in pixels of the image read: top-left, top-right, bottom-right, bottom-left. */
  box: Quad
  boxScore: number
  text: string
  textScore: number
}

export interface OcrResult { width: number, height: number, lines: OcrLine[] }

export interface OcrEngine {
  read(path: string, options?: { signal?: AbortSignal }): Promise<OcrResult>
  readImage(image: RgbImage, options?: { signal?: AbortSignal }): Promise<OcrResult>
}

/** The manifest's extra fields for OCR models (preprocessing limits and decoder thresholds). */
interface OcrEntry extends ModelEntry { preprocess?: Record<string, unknown>, postprocess?: Record<string, unknown> }

export const ocrModels = ['ocr-detector', 'ocr-recognizer', 'ocr-dictionary'] as const

function normalisation (entry: ModelEntry): Normalisation {
  const input = entry.input
  if (input?.mean === undefined || input.std === undefined) throw new ModelError(`${entry.file}: the manifest gives no mean/std`)
  return { colour: input.colour ?? 'RGB', mean: input.mean, std: input.std }
}

export function createOcrEngine ({ runtime, pixels, manifest, path, pack = 'lite' }: {
  runtime: ModelRuntime, pixels: PixelReader, manifest: Manifest, pack?: string
  /** Where a model of the pack lives on this machine (the model store's path). */
  path: (model: typeof ocrModels[number]) => string
}): OcrEngine {
  const models = manifest.packs[pack]?.models
  const det = models?.['ocr-detector'] as OcrEntry | undefined
  const rec = models?.['ocr-recognizer'] as OcrEntry | undefined
  if (det === undefined || rec === undefined || models?.['ocr-dictionary'] === undefined) throw new ModelError(`model pack "${pack}" has no OCR models`)
  const detOptions = { ...defaultDetectorOptions, ...det.preprocess, ...det.postprocess } as DetectorOptions
  const recOptions = { ...defaultRecognizerOptions, ...rec.preprocess, ...rec.postprocess } as RecognizerOptions
  const detNorm = normalisation(det)
  const detector = runtime.model(path('ocr-detector'))
  // Its batches of lines run in both inference threads at once; the page detector's arena is too
  // large to hold twice (ModelOptions).
  const recognizer = runtime.model(path('ocr-recognizer'), { replicate: true })
  const detIn = det.input!.name; const detOut = det.outputs?.[0] ?? ''
  const recIn = rec.input!.name; const recOut = rec.outputs?.[0] ?? ''
  /** Input tensors of the reads not running now, in memory shared with the inference thread. */
  const scratches = new ScratchPool()
  let chars: Promise<string[]> | undefined
  const dictionary = () => {
    chars ??= readFile(path('ocr-dictionary'), 'utf8').then(parseDictionary, (err: unknown) => {
      chars = undefined
      throw new ModelError(`OCR dictionary missing; run \`hearth models fetch ${pack}\``, { cause: err })
    })
    return chars
  }

  async function detect (image: RgbImage, scratch: TensorScratch): Promise<Array<{ box: Quad, score: number }>> {
    const size = detectorSize(image.width, image.height, detOptions)
    const resized = size.width === image.width && size.height === image.height ? image : await pixels.resize(image, size.width, size.height)
    const planes = toPlanar(resized, detNorm, scratch.get(3 * size.width * size.height, 'det'))
    const out = await detector.run({ [detIn]: tensor(planes, [1, 3, size.height, size.width]) })
    const prob = out[detOut] ?? Object.values(out)[0]
    if (prob === undefined || !(prob.data instanceof Float32Array)) throw new ModelError('OCR detector gave no probability map')
    const [mapH, mapW] = prob.dims.slice(-2) as [number, number]
    return readingOrder(dbPostprocess(prob.data, mapW, mapH, image.width, image.height, detOptions))
  }

  async function recognise (image: RgbImage, boxes: Array<{ box: Quad, score: number }>, scratch: TensorScratch, signal?: AbortSignal): Promise<OcrLine[]> {
    const table = await dictionary()
    const crops = boxes.map((b, index) => {
      const g = cropGeometry(b.box)
      return { ...b, ...g, index, outWidth: scaledWidth(g.width, g.height, recOptions) }
    })
    // Similar widths together, so a batch pads little.
    const order = [...crops].sort((a, b) => a.width / a.height - b.width / b.height)
    const results: Array<OcrLine | undefined> = new Array(crops.length)
    const h = recOptions.height
    const batches = function * () {
      for (let i = 0; i < order.length; i += recOptions.batch) {
        signal?.throwIfAborted()
        yield order.slice(i, i + recOptions.batch)
      }
    }
    // The next batch is sampled while the inference thread runs this one.
    await overlapRuns(batches(), (batch, slot) => {
      const slotWidth = Math.max(recOptions.minWidth, ...batch.map((c) => c.outWidth))
      // Zeroed: sampleCrop writes each crop's width and leaves the slot's padding as it finds it.
      const data = scratch.get(batch.length * 3 * h * slotWidth, `rec${slot}`).fill(0)
      batch.forEach((c, k) => sampleCrop(image, c.corners, c.width, c.height, c.outWidth, h, data, k * 3 * h * slotWidth, slotWidth))
      return recognizer.run({ [recIn]: tensor(data, [batch.length, 3, h, slotWidth]) })
    }, (out, batch) => {
      const probs = out[recOut] ?? Object.values(out)[0]
      if (probs === undefined || !(probs.data instanceof Float32Array) || probs.dims.length !== 3) throw new ModelError('OCR recognizer gave no character probabilities')
      const [, steps, classes] = probs.dims as [number, number, number]
      if (classes !== table.length) throw new ModelError(`OCR recognizer has ${classes} classes but the dictionary ${table.length}: wrong dictionary for this model`)
      batch.forEach((c, k) => {
        const { text, score } = ctcDecode(probs.data as Float32Array, k * steps * classes, steps, classes, table)
        const trimmed = text.trim()
        if (trimmed !== '' && score >= recOptions.dropScore) results[c.index] = { box: c.box, boxScore: c.score, text: trimmed, textScore: score }
      })
    })
    return results.filter((r): r is OcrLine => r !== undefined)
  }

  async function readImage (image: RgbImage, { signal }: { signal?: AbortSignal } = {}): Promise<OcrResult> {
    signal?.throwIfAborted()
    const scratch = scratches.take()
    try {
      const boxes = await detect(image, scratch)
      signal?.throwIfAborted()
      const lines = boxes.length === 0 ? [] : await recognise(image, boxes, scratch, signal)
      return { width: image.width, height: image.height, lines }
    } finally { scratches.give(scratch) }
  }

  return {
    readImage,
    async read (path, options = {}) { return readImage(await pixels.read(path), options) },
  }
}
