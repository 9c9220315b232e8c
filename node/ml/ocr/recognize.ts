/**
 * PP-OCR text recognition (SVTR-LCNet, CTC): each detected box is cut out of the photo (rotated
 * boxes straightened, tall ones turned a quarter anticlockwise), scaled to the model's height of 48
 * keeping its aspect, normalised to [-1, 1] in BGR, and padded to the widest crop of its batch
 * (at least 320 wide, as PaddleOCR does). The output is decoded greedily: the most likely class per
 * time step, repeats collapsed, blanks (class 0) dropped; the score is the mean probability of the
 * kept characters.
 */
import type { RgbImage } from '../../media/pixels.ts'
import type { Quad } from './geometry.ts'

export interface RecognizerOptions {
  height: number
  /** Batches are padded to at least this width (PaddleOCR's rec_image_shape 3,48,320). */
  minWidth: number
  /** The widest crop fed to the model; longer lines are squeezed (keeps a runaway box from eating memory). */
  maxWidth: number
  batch: number
  /** Lines whose text score is below this are dropped. */
  dropScore: number
}

export const defaultRecognizerOptions: RecognizerOptions = { height: 48, minWidth: 320, maxWidth: 1920, batch: 6, dropScore: 0.5 }

/** The crop's own width and height (the longer of each pair of opposite sides), and its corners turned upright. */
export function cropGeometry (box: Quad): { corners: Quad, width: number, height: number } {
  const d = (a: [number, number], b: [number, number]) => Math.hypot(a[0] - b[0], a[1] - b[1])
  let width = Math.max(1, Math.trunc(Math.max(d(box[0], box[1]), d(box[2], box[3]))))
  let height = Math.max(1, Math.trunc(Math.max(d(box[0], box[3]), d(box[1], box[2]))))
  let corners = box
  // A tall box is vertical text (or a word turned sideways): read it turned anticlockwise, as PaddleOCR does.
  if (height / width >= 1.5) {
    corners = [box[1], box[2], box[3], box[0]]
    ;[width, height] = [height, width]
  }
  return { corners, width, height }
}

/** The width a crop gets at the model's height. */
export function scaledWidth (width: number, height: number, o: RecognizerOptions): number {
  return Math.min(o.maxWidth, Math.max(1, Math.ceil(o.height * width / height)))
}

/**
 * Samples the quad (corners top-left, top-right, bottom-right, bottom-left) into `out`, a planar
 * BGR float tensor slot of `slotWidth` x height, normalised to [-1, 1]; columns past `outWidth` stay 0.
 * Bilinear, with supersampling when the crop is shrunk by more than 1.5x so small print keeps its strokes.
 */
export function sampleCrop (img: RgbImage, corners: Quad, cropW: number, cropH: number, outWidth: number, outHeight: number, out: Float32Array, offset: number, slotWidth: number) {
  const [p0, p1, p2, p3] = corners
  const plane = slotWidth * outHeight
  const fx = cropW / outWidth
  const fy = cropH / outHeight
  const ss = Math.max(1, Math.min(4, Math.round(Math.max(fx, fy))))
  const { width: W, height: H, data } = img
  const px = new Float32Array(3)
  for (let v = 0; v < outHeight; v++) {
    for (let u = 0; u < outWidth; u++) {
      px[0] = 0; px[1] = 0; px[2] = 0
      for (let sy = 0; sy < ss; sy++) {
        const t = Math.min(1, Math.max(0, ((v + (sy + 0.5) / ss) * fy - 0.5) / cropH))
        for (let sx = 0; sx < ss; sx++) {
          const s = Math.min(1, Math.max(0, ((u + (sx + 0.5) / ss) * fx - 0.5) / cropW))
          // Corners are pixel indices (crop pixel i at i / crop size, as a perspective warp maps them).
          // Bilinear blend of the corners: exact for rectangles, close to a perspective warp for quads.
          const x = (1 - s) * (1 - t) * p0[0] + s * (1 - t) * p1[0] + s * t * p2[0] + (1 - s) * t * p3[0]
          const y = (1 - s) * (1 - t) * p0[1] + s * (1 - t) * p1[1] + s * t * p2[1] + (1 - s) * t * p3[1]
          const xc = Math.min(W - 1, Math.max(0, x)); const yc = Math.min(H - 1, Math.max(0, y))
          const x0 = Math.floor(xc); const y0 = Math.floor(yc)
          const x1 = Math.min(W - 1, x0 + 1); const y1 = Math.min(H - 1, y0 + 1)
          const ax = xc - x0; const ay = yc - y0
          const i00 = (y0 * W + x0) * 3; const i01 = (y0 * W + x1) * 3; const i10 = (y1 * W + x0) * 3; const i11 = (y1 * W + x1) * 3
          for (let c = 0; c < 3; c++) {
            const top = data[i00 + c]! * (1 - ax) + data[i01 + c]! * ax
            const bottom = data[i10 + c]! * (1 - ax) + data[i11 + c]! * ax
            px[c]! += top * (1 - ay) + bottom * ay
          }
        }
      }
      const k = 1 / (ss * ss * 127.5)
      const at = offset + v * slotWidth + u
      // BGR planes.
      out[at] = px[2]! * k - 1
      out[at + plane] = px[1]! * k - 1
      out[at + 2 * plane] = px[0]! * k - 1
    }
  }
}

/** The character table: index 0 is CTC's blank, then the dictionary's lines, then a space (PaddleOCR's use_space_char). */
export function parseDictionary (text: string): string[] {
  const lines = text.split(/\r?\n/)
  if (lines[lines.length - 1] === '') lines.pop()
  return ['', ...lines, ' ']
}

/** Greedy CTC decoding of one sequence of `steps` x `classes` probabilities. */
export function ctcDecode (probs: Float32Array, offset: number, steps: number, classes: number, chars: string[]): { text: string, score: number } {
  let text = ''
  let sum = 0
  let kept = 0
  let prev = -1
  for (let t = 0; t < steps; t++) {
    const base = offset + t * classes
    let best = 0
    let bestP = probs[base]!
    for (let c = 1; c < classes; c++) {
      const p = probs[base + c]!
      if (p > bestP) { bestP = p; best = c }
    }
    if (best !== 0 && best !== prev) {
      text += chars[best] ?? ''
      sum += bestP
      kept++
    }
    prev = best
  }
  return { text, score: kept === 0 ? 0 : sum / kept }
}
