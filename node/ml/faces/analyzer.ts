/**
 * The whole face pipeline on one image: detect (BlazeFace on the image and on tiles), confirm weak
 * detections with the second detector, align each face to the 112x112 template, embed with
 * `fr_feature`, L2-normalise.
 *
 * Why two detectors: BlazeFace gives landmarks (needed for alignment) and finds profile faces,
 * but between 0.4 and 0.75 it also fires on foliage and textures; the RFB-320 detector, run on a
 * crop around such a candidate, tells a face from a texture well but misses profiles at full-image
 * scale and gives no landmarks. A candidate is kept when BlazeFace is sure (score >= `strongScore`),
 * or fairly sure (>= `minScore`), its raw embedding is long enough (`minEmbeddingNorm`: the
 * embedder sees a face) and RFB-320 agrees on a crop around it (>= `confirmScore`, same face by
 * IoU). The figures behind the defaults are in node/ml/faces/README.md.
 *
 * @example
 * const analyze = createFaceAnalyzer({ runtime, files: { detector, verifier, embedder } })
 * const faces = await analyze(await decodeRgb(previewPath))   // [{ box, score, landmarks, embedding }]
 */
import { availableParallelism } from 'node:os'
import type { ModelRuntime } from '../runtime.ts'
import { tensor } from '../runtime.ts'
import { applyAffine, arcfaceTemplate4, invertAffine, landmarksFromBox, similarityTransform, warpAffine } from './align.ts'
import { resizeRegion } from './pixels.ts'
import { blazeFaceDetector, toTensorData, ultraFaceDetector, type Normalisation } from './detector.ts'
import { inLanes, ScratchPool, type TensorScratch } from '../scratch.ts'
import { iou, type Detection, type Face, type RgbImage } from './types.ts'

export interface FaceAnalyzerOptions {
  runtime: ModelRuntime
  files: { detector: string, verifier?: string, embedder: string }
  /** BlazeFace candidates below this are dropped. */
  minScore?: number
  /** BlazeFace candidates at or above this are kept without a second opinion. */
  strongScore?: number
  /** What RFB-320 must give a crop around a weaker candidate. */
  confirmScore?: number
  /**
   * The embedder's raw output is longer for a clear face than for a texture that looks like one
   * (measured: frontal faces 3.5-3.8, a profile 2.4, false detections 1.5-1.9); weaker candidates
   * below this are dropped.
   */
  minEmbeddingNorm?: number
  /** Faces smaller than this (pixels, the box's short side) are too small to recognise. */
  minFaceSize?: number
  tiles?: boolean
  detectorNorm?: Normalisation
  embedderNorm?: Normalisation
}

/** RFB-320's input width (ultraFaceDetector). */
const VERIFIER_WIDTH = 320

export const faceDefaults = { minScore: 0.4, strongScore: 0.75, confirmScore: 0.5, minEmbeddingNorm: 2, minFaceSize: 24, tiles: true }

export type FaceAnalyzer = (img: RgbImage) => Promise<Face[]>

export function createFaceAnalyzer (options: FaceAnalyzerOptions): FaceAnalyzer {
  const o = { ...faceDefaults, ...stripUndefined(options) }
  // The three models are small (inputs of 112x112 to 320x240, 2-10 ms a run): more intra-op
  // threads than the cores' share of one inference thread cost more in hand-offs than they give.
  // With the two inference threads of the default, two models run at once on half the cores each;
  // with one, the other half decodes and crops. On two cores one thread a model was 18% faster
  // than two, in the backlog and bare (bench/ml/README.md).
  const model = (path: string) => options.runtime.model(path, { threads: faceModelThreads(options.runtime.workers), replicate: true })
  const detect = blazeFaceDetector(model(options.files.detector), { minScore: o.minScore, tiles: o.tiles, normalisation: options.detectorNorm })
  // The verifier drops its candidates under confirmScore before its NMS: only those can confirm,
  // and NMS over RFB-320's thousands of weak anchors cost more than the model run.
  const verifier = options.files.verifier === undefined ? undefined : ultraFaceDetector(model(options.files.verifier), { minScore: o.confirmScore })
  const embedder = model(options.files.embedder)
  const embedNorm = options.embedderNorm ?? { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] }

  /** Tensor buffers of the analyses not running now; one analysis takes one. */
  const scratches = new ScratchPool()

  /**
   * `half`: `img` at half size, made on first use. A crop that is still at least RFB-320's
   * input width there is cut from it: resizing a large crop of the full image cost more than the model.
   */
  async function confirmed (img: RgbImage, d: Detection, scratch: TensorScratch, half: () => Promise<RgbImage>): Promise<boolean> {
    if (verifier === undefined) return false
    const w = d.box.x2 - d.box.x1
    const h = d.box.y2 - d.box.y1
    const cx = (d.box.x1 + d.box.x2) / 2
    const cy = (d.box.y1 + d.box.y2) / 2
    // Crops 2.5x, 3x and 4x the face, in RFB-320's 4:3 aspect, put the face near the sizes it finds
    // best; a profile face is found at one scale and missed at another, so any may confirm.
    for (const scale of [3, 2.5, 4]) {
      const side = Math.max(w, h) * scale
      const left = Math.max(0, cx - side * 2 / 3)
      const top = Math.max(0, cy - side / 2)
      const width = Math.min(img.width - left, side * 4 / 3)
      const height = Math.min(img.height - top, side)
      if (width < 8 || height < 8) continue
      let found: Detection[]
      if (width >= 2 * VERIFIER_WIDTH) {
        const small = await half()
        const k = small.width / img.width
        found = (await verifier(small, { left: left * k, top: top * k, width: width * k, height: height * k }, scratch))
          .map((f) => ({ ...f, box: { x1: f.box.x1 / k, y1: f.box.y1 / k, x2: f.box.x2 / k, y2: f.box.y2 / k } }))
      } else {
        found = await verifier(img, { left, top, width, height }, scratch)
      }
      // The second detector must agree on this face, not on another one inside the crop.
      const agree = found.some((f) => f.score >= o.confirmScore && iou(d.box, f.box) >= 0.3)
      if (agree) return true
    }
    return false
  }

  return async (img) => {
    const scratch = scratches.take()
    let halfCopy: Promise<RgbImage> | undefined
    const half = () => (halfCopy ??= resizeRegion(img, { left: 0, top: 0, width: img.width, height: img.height },
      Math.max(1, Math.round(img.width / 2)), Math.max(1, Math.round(img.height / 2))))
    try {
      const candidates = (await detect(img, undefined, scratch))
        .filter((d) => Math.min(d.box.x2 - d.box.x1, d.box.y2 - d.box.y1) >= o.minFaceSize)
      // One candidate per inference thread at a time: two candidates' embeddings and checks run at once.
      const kept = await inLanes(candidates, options.runtime.workers, scratches, scratch, async (d, s): Promise<Face | undefined> => {
        const raw = await embed(img, d, s)
        if (d.score < o.strongScore) {
          // The embedder's own verdict first (cheap: the embedding is needed anyway), then RFB-320's.
          if (norm(raw) < o.minEmbeddingNorm) return undefined
          if (!await confirmed(img, d, s, half)) return undefined
        }
        return { ...d, embedding: l2normalise(raw) }
      })
      return kept.filter((f) => f !== undefined)
    } finally {
      scratches.give(scratch)
    }
  }

  /** The raw (not normalised) embedding of a detection, aligned on its landmarks. */
  async function embed (img: RgbImage, d: Detection, scratch: TensorScratch): Promise<Float32Array> {
    let points = d.landmarks.length >= 4 ? d.landmarks.slice(0, 4) : landmarksFromBox(d.box)
    let source = img
    const m = similarityTransform(points, arcfaceTemplate4)
    const scale = Math.hypot(m[0], m[3])
    if (scale < 0.5) {
      // A large face: shrink the region the template covers first (sharp, area-averaged), so the
      // warp samples at about 1:1 instead of supersampling in plain code.
      const inv = invertAffine(m)
      const corners = [[0, 0], [112, 0], [0, 112], [112, 112]].map(([x, y]) => applyAffine(inv, { x: x!, y: y! }))
      const left = Math.max(0, Math.floor(Math.min(...corners.map((c) => c.x))) - 2)
      const top = Math.max(0, Math.floor(Math.min(...corners.map((c) => c.y))) - 2)
      const right = Math.min(img.width, Math.ceil(Math.max(...corners.map((c) => c.x))) + 2)
      const bottom = Math.min(img.height, Math.ceil(Math.max(...corners.map((c) => c.y))) + 2)
      if (right - left >= 8 && bottom - top >= 8) {
        const w = Math.max(1, Math.round((right - left) * scale * 1.25))
        const h = Math.max(1, Math.round((bottom - top) * scale * 1.25))
        source = await resizeRegion(img, { left, top, width: right - left, height: bottom - top }, w, h)
        points = points.map((p) => ({ x: (p.x - left) * w / (right - left), y: (p.y - top) * h / (bottom - top) }))
      }
    }
    const aligned = warpAffine(source, source === img ? m : similarityTransform(points, arcfaceTemplate4), 112, 112)
    const out = await embedder.run({ input: tensor(toTensorData(aligned, embedNorm, 'NCHW', scratch), [1, 3, 112, 112]) })
    return out.output!.data as Float32Array
  }
}

/**
 * Intra-op threads for the face models: the cores shared out among the inference threads, and at
 * most half of them (with one inference thread, the other half decodes and crops), at least one.
 */
export function faceModelThreads (workers: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(2, workers)))
}

export function norm (v: Float32Array): number {
  let s = 0
  for (const x of v) s += x * x
  return Math.sqrt(s)
}

export function l2normalise (v: Float32Array): Float32Array {
  const n = norm(v) || 1
  const out = new Float32Array(v.length)
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n
  return out
}

/** Cosine distance of two L2-normalised vectors (pgvector's `<=>`). */
export function cosineDistance (a: Float32Array, b: Float32Array): number {
  let dot = 0
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!
  return 1 - dot
}

function stripUndefined<T extends object> (o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
