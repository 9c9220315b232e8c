/**
 * Face detectors on raw RGB images: BlazeFace (back 256x256) and the Ultra-Light RFB-320 detector
 * (`fr_detect`). Each letterboxes (BlazeFace) or stretches (RFB-320, as it was trained) the image
 * to its input, runs the model through the runtime adapter, decodes, and maps boxes and landmarks
 * back to image pixels.
 *
 * Small faces: BlazeFace sees the whole image at 256 px, so a face under ~4% of the long side is
 * lost. With `tiles`, the detector also runs on overlapping square tiles (2x2 and 3x3 grids over
 * the long side) and merges everything by NMS in image pixels. The image is resized once to the
 * finest grid's scale (sharp, area-averaged), the coarser scales from that, and the tiles are cut
 * from each in plain code.
 *
 * @example
 * const detect = blazeFaceDetector(runtime.model(path), { minScore: 0.6, tiles: true })
 * const faces = await detect(await decodeRgb(previewPath))
 */
import type { ModelHandle } from '../runtime.ts'
import { tensor } from '../runtime.ts'
import { overlapRuns, type TensorScratch } from '../scratch.ts'
import { decodeBlazeFace } from './blazeface.ts'
import { resizeRegion, type Region } from './pixels.ts'
import { iou, type Detection, type RgbImage } from './types.ts'

/** `scratch`: where the detector may build its input tensors (reused between calls; see TensorScratch). */
export type FaceDetector = (img: RgbImage, region?: Region, scratch?: TensorScratch) => Promise<Detection[]>

export interface Normalisation { mean: number[], std: number[] }

/** Per-channel (x - mean) / std of RGB bytes, into NHWC or NCHW floats. */
export function toTensorData (img: RgbImage, { mean, std }: Normalisation, layout: 'NHWC' | 'NCHW', scratch?: TensorScratch): Float32Array {
  const n = img.width * img.height
  const out = scratch?.get(n * 3) ?? new Float32Array(n * 3)
  const src = img.data
  if (layout === 'NHWC') {
    for (let i = 0; i < n * 3; i += 3) {
      out[i] = (src[i]! - mean[0]!) / std[0]!
      out[i + 1] = (src[i + 1]! - mean[1]!) / std[1]!
      out[i + 2] = (src[i + 2]! - mean[2]!) / std[2]!
    }
  } else {
    for (let i = 0, p = 0; i < n; i++, p += 3) {
      out[i] = (src[p]! - mean[0]!) / std[0]!
      out[n + i] = (src[p + 1]! - mean[1]!) / std[1]!
      out[2 * n + i] = (src[p + 2]! - mean[2]!) / std[2]!
    }
  }
  return out
}

/**
 * The `region` of `img` (inside it, at most `size` a side) placed at (`padX`, `padY`) in a black
 * `size` x `size` input, normalised, NHWC: the letterbox and the tensor in one pass; into
 * `scratch`'s `slot` when given (by default, its buffer of that length).
 */
export function letterboxTensor (img: RgbImage, region: Region, size: number, padX: number, padY: number, { mean, std }: Normalisation, scratch?: TensorScratch, slot?: string): Float32Array {
  const out = scratch?.get(size * size * 3, slot) ?? new Float32Array(size * size * 3)
  const black = [(0 - mean[0]!) / std[0]!, (0 - mean[1]!) / std[1]!, (0 - mean[2]!) / std[2]!] as const
  if (scratch !== undefined || black[0] !== 0 || black[1] !== 0 || black[2] !== 0) {
    for (let i = 0; i < out.length; i += 3) { out[i] = black[0]; out[i + 1] = black[1]; out[i + 2] = black[2] }
  }
  const [m0, m1, m2] = [mean[0]!, mean[1]!, mean[2]!]
  const [s0, s1, s2] = [1 / std[0]!, 1 / std[1]!, 1 / std[2]!]
  const src = img.data
  for (let y = 0; y < region.height; y++) {
    let p = ((region.top + y) * img.width + region.left) * 3
    let o = ((y + padY) * size + padX) * 3
    for (let x = 0; x < region.width; x++, p += 3, o += 3) {
      out[o] = (src[p]! - m0) * s0
      out[o + 1] = (src[p + 1]! - m1) * s1
      out[o + 2] = (src[p + 2]! - m2) * s2
    }
  }
  return out
}

/** Plain NMS across views: keeps the higher-scoring of two boxes that overlap by `minIou` or more. */
export function mergeDetections (dets: Detection[], minIou = 0.35): Detection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score)
  const kept: Detection[] = []
  for (const d of sorted) {
    // A face cut by a tile edge overlaps its whole-image twin mostly by containment, not IoU.
    if (kept.some((k) => iou(k.box, d.box) >= minIou || containment(d.box, k.box) > 0.7)) continue
    kept.push(d)
  }
  return kept
}

function containment (inner: Detection['box'], outer: Detection['box']): number {
  const w = Math.min(inner.x2, outer.x2) - Math.max(inner.x1, outer.x1)
  const h = Math.min(inner.y2, outer.y2) - Math.max(inner.y1, outer.y1)
  if (w <= 0 || h <= 0) return 0
  return (w * h) / ((inner.x2 - inner.x1) * (inner.y2 - inner.y1))
}

/** Square views: the whole image, then overlapping tiles when asked and the image is large enough. */
export function views (width: number, height: number, { tiles = false, minTile = 320 } = {}): Region[] {
  return levels(width, height, { tiles, minTile }).flatMap((l) => l.regions)
}

/**
 * Views grouped by scale: the whole image (letterboxed), then each tile grid (tiles of 1/grid of
 * the long side plus overlap, so a face on a seam is whole in some tile). All tiles of one grid
 * share one scale, so the image is resized once per grid and the tiles are cut from that.
 */
export function levels (width: number, height: number, { tiles = false, minTile = 320 } = {}): Array<{ side: number, regions: Region[] }> {
  const out = [{ side: Math.max(width, height), regions: [{ left: 0, top: 0, width, height }] }]
  if (!tiles) return out
  const long = Math.max(width, height)
  for (const grid of [2, 3]) {
    if (long / grid < minTile) break
    const size = Math.min(Math.round(long / grid * 1.4), Math.min(width, height))
    const stepsX = Math.max(1, Math.ceil((width - size) / (size * 0.7)) + 1)
    const stepsY = Math.max(1, Math.ceil((height - size) / (size * 0.7)) + 1)
    const regions: Region[] = []
    for (let j = 0; j < stepsY; j++) {
      for (let i = 0; i < stepsX; i++) {
        const left = stepsX === 1 ? 0 : Math.round((width - size) * i / (stepsX - 1))
        const top = stepsY === 1 ? 0 : Math.round((height - size) * j / (stepsY - 1))
        regions.push({ left, top, width: size, height: size })
      }
    }
    out.push({ side: size, regions })
  }
  return out
}

export interface BlazeFaceOptions {
  minScore?: number
  tiles?: boolean
  normalisation?: Normalisation
  inputName?: string
}

/**
 * BlazeFace on each view: the view scaled so its long side is 256 and placed in a 256x256 input
 * (centred, black bars), both heads decoded, mapped back. Keypoints become the template order:
 * image-left eye, image-right eye, nose, mouth centre (BlazeFace's first keypoint is the
 * subject's right eye, on the image's left).
 */
export function blazeFaceDetector (model: ModelHandle, options: BlazeFaceOptions = {}): FaceDetector {
  const size = 256
  const minScore = options.minScore ?? 0.6
  const norm = options.normalisation ?? { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] }
  const inputName = options.inputName ?? 'input:0'
  return async (img, _region, scratch) => {
    const found: Detection[] = []
    const all = levels(img.width, img.height, { tiles: options.tiles })
    const dims = (side: number) => [Math.max(1, Math.round(img.width * size / side)), Math.max(1, Math.round(img.height * size / side))] as const
    // One pass over the full image, to the finest grid's scale; the coarser levels are resized
    // from that (a tenth of the pixels) instead of reading the full image again, all at once on
    // libuv's threads while the first views run.
    const finest = all.reduce((a, b) => (b.side < a.side ? b : a))
    const base = await resizeRegion(img, whole(img), ...dims(finest.side))
    const scaledLevels = all.map((level) => level === finest ? Promise.resolve(base) : resizeRegion(base, whole(base), ...dims(level.side)))
    for (const p of scaledLevels) p.catch(() => {}) // awaited in turn
    /** A view: where it is in its level's scaled image and in the 256x256 input. */
    type View = { scaled: RgbImage, x0: number, y0: number, w: number, h: number, padX: number, padY: number }
    async function * allViews (): AsyncGenerator<View> {
      for (const [li, level] of all.entries()) {
        const scaled = await scaledLevels[li]!
        const sx = scaled.width / img.width
        const sy = scaled.height / img.height
        for (const view of level.regions) {
          // The view in the scaled image, cut into the 256x256 input (centred when smaller).
          const x0 = Math.round(view.left * sx)
          const y0 = Math.round(view.top * sy)
          const w = Math.min(size, scaled.width - x0, Math.round(view.width * sx))
          const h = Math.min(size, scaled.height - y0, Math.round(view.height * sy))
          yield { scaled, x0, y0, w, h, padX: Math.floor((size - w) / 2), padY: Math.floor((size - h) / 2) }
        }
      }
    }
    try {
      // Each view's input is written while the inference thread runs the one before.
      await overlapRuns(allViews(), (v, slot) => {
        const input = letterboxTensor(v.scaled, { left: v.x0, top: v.y0, width: v.w, height: v.h }, size, v.padX, v.padY, norm, scratch, `blazeface${slot}`)
        return model.run({ [inputName]: tensor(input, [1, size, size, 3]) })
      }, (out, v) => {
        const dets = decodeBlazeFace(
          out['Identity:0']!.data as Float32Array, out['Identity_2:0']!.data as Float32Array,
          out['Identity_1:0']!.data as Float32Array, out['Identity_3:0']!.data as Float32Array,
          { minScore })
        const sx = v.scaled.width / img.width
        const sy = v.scaled.height / img.height
        const toImage = (x: number, y: number) => ({ x: (v.x0 + x * size - v.padX) / sx, y: (v.y0 + y * size - v.padY) / sy })
        for (const d of dets) {
          const p1 = toImage(d.cx - d.w / 2, d.cy - d.h / 2)
          const p2 = toImage(d.cx + d.w / 2, d.cy + d.h / 2)
          const k = d.keypoints.map((p) => toImage(p.x, p.y))
          const [eyeA, eyeB] = k[0]!.x <= k[1]!.x ? [k[0]!, k[1]!] : [k[1]!, k[0]!]
          found.push({
            box: { x1: clamp(p1.x, img.width), y1: clamp(p1.y, img.height), x2: clamp(p2.x, img.width), y2: clamp(p2.y, img.height) },
            score: d.score,
            landmarks: [eyeA, eyeB, k[2]!, k[3]!],
          })
        }
      })
    } finally {
      await Promise.allSettled(scaledLevels)
    }
    return mergeDetections(found).filter((d) => d.box.x2 - d.box.x1 >= 4 && d.box.y2 - d.box.y1 >= 4)
  }
}

const clamp = (v: number, max: number) => Math.max(0, Math.min(max, v))
const whole = (img: RgbImage): Region => ({ left: 0, top: 0, width: img.width, height: img.height })

export interface UltraFaceOptions { minScore?: number, iou?: number, normalisation?: Normalisation, inputName?: string }

/**
 * The Ultra-Light RFB-320 detector (`fr_detect.onnx`): the image stretched to 320x240, softmax
 * scores [N,2] and boxes already decoded to corner form, normalised (0..1). No landmarks: faces it
 * finds are aligned from their box alone (see align.ts), which embeds less well than landmarks.
 */
export function ultraFaceDetector (model: ModelHandle, options: UltraFaceOptions = {}): FaceDetector {
  const W = 320
  const H = 240
  const minScore = options.minScore ?? 0.7
  const norm = options.normalisation ?? { mean: [127, 127, 127], std: [128, 128, 128] }
  return async (img, region = { left: 0, top: 0, width: img.width, height: img.height }, scratch) => {
    const small = await resizeRegion(img, region, W, H)
    const out = await model.run({ [options.inputName ?? 'input']: tensor(toTensorData(small, norm, 'NCHW', scratch), [1, 3, H, W]) })
    const scores = out.scores!.data as Float32Array
    const boxes = out.boxes!.data as Float32Array
    const dets: Detection[] = []
    // Boxes are fractions of the region; mapped to image pixels.
    const x = (v: number) => clamp(region.left + v * region.width, img.width)
    const y = (v: number) => clamp(region.top + v * region.height, img.height)
    for (let i = 0; i < scores.length / 2; i++) {
      const s = scores[2 * i + 1]!
      if (s < minScore) continue
      dets.push({ box: { x1: x(boxes[4 * i]!), y1: y(boxes[4 * i + 1]!), x2: x(boxes[4 * i + 2]!), y2: y(boxes[4 * i + 3]!) }, score: s, landmarks: [] })
    }
    return mergeDetections(dets, options.iou ?? 0.3)
  }
}
