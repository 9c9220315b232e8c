/**
 * PP-OCR text detection (DB, "Differentiable Binarization"): the resize and normalisation the
 * model was trained with, and the post-processing that turns its text-probability map into boxes.
 * Parameters are PaddleOCR's inference defaults for PP-OCRv4 (tools/infer/utility.py): longest
 * side limited to 960, sides rounded to multiples of 32, threshold 0.3, box threshold 0.6, unclip
 * ratio 1.5; boxes are scored over their own region (see `scoreMode`); see models/manifest.json.
 */
import type { RgbImage } from '../../media/pixels.ts'
import { meanInside, minAreaRect, rectCorners, regions, unclip, type Quad } from './geometry.ts'

export interface DetectorOptions {
  limitSideLen: number
  limitType: 'max' | 'min'
  multipleOf: number
  thresh: number
  boxThresh: number
  unclipRatio: number
  maxCandidates: number
  minSize: number
  /**
   * 'region': a box's score is the mean probability over its own region's pixels (PaddleOCR's
   * "slow" mode, over the contour); 'box': over its whole rectangle ("fast", PaddleOCR's default).
   * Hearth uses 'region': lines on a curved book page or a bottle bend inside their rectangle, and
   * 'box' drops them (measured: most lines of albums/text/book-beside-flowers.jpg score 0.4-0.55).
   */
  scoreMode: 'region' | 'box'
}

export const defaultDetectorOptions: DetectorOptions = {
  limitSideLen: 960, limitType: 'max', multipleOf: 32, thresh: 0.3, boxThresh: 0.6, unclipRatio: 1.5, maxCandidates: 1000, minSize: 3, scoreMode: 'region',
}

/** The model's input size for an image: scaled so the limited side fits, each side a multiple of 32. */
export function detectorSize (width: number, height: number, o: Pick<DetectorOptions, 'limitSideLen' | 'limitType' | 'multipleOf'>): { width: number, height: number } {
  let ratio = 1
  if (o.limitType === 'max' && Math.max(width, height) > o.limitSideLen) ratio = o.limitSideLen / Math.max(width, height)
  if (o.limitType === 'min' && Math.min(width, height) < o.limitSideLen) ratio = o.limitSideLen / Math.min(width, height)
  const round = (n: number) => Math.max(o.multipleOf, Math.round(Math.trunc(n * ratio) / o.multipleOf) * o.multipleOf)
  return { width: round(width), height: round(height) }
}

export interface Normalisation { colour: 'RGB' | 'BGR', mean: number[], std: number[] }

/**
 * Packed RGB → planar float NCHW, channels in the model's order, (x - mean) / std per channel.
 * The mean and std are listed in the model's channel order (PaddleOCR applies ImageNet's RGB
 * statistics to OpenCV's BGR planes as they come; the manifest records exactly that).
 */
export function toPlanar (img: RgbImage, n: Normalisation, out: Float32Array = new Float32Array(3 * img.width * img.height)): Float32Array {
  const plane = img.width * img.height
  const src = n.colour === 'BGR' ? [2, 1, 0] : [0, 1, 2]
  for (let c = 0; c < 3; c++) {
    const s = src[c]!
    const mean = n.mean[c]!
    const scale = 1 / n.std[c]!
    const base = c * plane
    for (let i = 0; i < plane; i++) out[base + i] = (img.data[i * 3 + s]! - mean) * scale
  }
  return out
}

export interface DetectedBox { box: Quad, score: number }

/**
 * DB post-processing: binarise the probability map at `thresh`, take each connected region's
 * minimum-area rectangle, drop small ones and those whose mean probability is below `boxThresh`,
 * unclip, and scale to the destination image (clipped to it).
 */
export function dbPostprocess (prob: Float32Array, mapWidth: number, mapHeight: number, destWidth: number, destHeight: number, o: DetectorOptions): DetectedBox[] {
  const mask = new Uint8Array(mapWidth * mapHeight)
  for (let i = 0; i < mask.length; i++) mask[i] = prob[i]! > o.thresh ? 1 : 0
  const sx = destWidth / mapWidth
  const sy = destHeight / mapHeight
  const out: DetectedBox[] = []
  for (const region of regions(mask, mapWidth, mapHeight, o.maxCandidates, prob)) {
    if (region.hull.length < 3) continue
    const rect = minAreaRect(region.hull)
    if (Math.min(rect.w, rect.h) < o.minSize) continue
    const score = o.scoreMode === 'region' ? region.mean : meanInside(prob, mapWidth, mapHeight, rectCorners(rect))
    if (score < o.boxThresh) continue
    const grown = unclip(rect, o.unclipRatio)
    if (Math.min(grown.w, grown.h) < o.minSize + 2) continue
    const clip = (v: number, max: number) => Math.min(max, Math.max(0, v))
    const box = rectCorners(grown).map(([x, y]) => [clip(Math.round(x * sx), destWidth - 1), clip(Math.round(y * sy), destHeight - 1)]) as Quad
    const w = Math.trunc(Math.hypot(box[1][0] - box[0][0], box[1][1] - box[0][1]))
    const h = Math.trunc(Math.hypot(box[3][0] - box[0][0], box[3][1] - box[0][1]))
    if (w <= 3 || h <= 3) continue
    out.push({ box, score })
  }
  return out
}
