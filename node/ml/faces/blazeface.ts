/**
 * Decoding MediaPipe BlazeFace, the back-camera (full range) 256x256 model.
 *
 * The model has two heads: 16x16 cells (stride 16) with 2 anchors each = 512, and 8x8 cells
 * (stride 32) with 6 anchors each = 384 (MediaPipe's SSD anchor options for this model: 4 layers,
 * strides 16/32/32/32, one aspect ratio, `fixed_anchor_size`, so the three stride-32 layers share
 * the 8x8 grid and each anchor is a unit square at its cell's centre). Each anchor has a logit
 * score and 16 regressors: box centre offset and size, then 6 keypoints (subject's right eye,
 * left eye, nose tip, mouth centre, right ear, left ear), all in input pixels (scale 1/256)
 * relative to the anchor centre. Overlapping detections are blended by MediaPipe's weighted
 * non-maximum suppression (score-weighted mean of every box that overlaps the best one).
 *
 * @example
 * const dets = decodeBlazeFace(scores512, boxes512, scores384, boxes384, { minScore: 0.6 })
 * // dets: boxes and keypoints normalised to the 256x256 input (0..1)
 */

export interface BlazeAnchor { x: number, y: number }

export interface BlazeDetection {
  /** Normalised to the model input: 0..1. */
  cx: number, cy: number, w: number, h: number
  /** 6 keypoints, normalised, in MediaPipe's order. */
  keypoints: Array<{ x: number, y: number }>
  score: number
}

const INPUT = 256

/** Anchor centres for one head: `cells` x `cells` grid, `perCell` anchors at each centre, row-major. */
export function blazeAnchors (cells: number, perCell: number): BlazeAnchor[] {
  const out: BlazeAnchor[] = []
  for (let y = 0; y < cells; y++) {
    for (let x = 0; x < cells; x++) {
      for (let a = 0; a < perCell; a++) out.push({ x: (x + 0.5) / cells, y: (y + 0.5) / cells })
    }
  }
  return out
}

export const anchors16 = blazeAnchors(16, 2)
export const anchors8 = blazeAnchors(8, 6)

const sigmoid = (x: number) => 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, x))))

/** Decodes one head: every anchor whose score passes `minScore`. */
export function decodeHead (scores: Float32Array, regressors: Float32Array, anchors: BlazeAnchor[], minScore: number): BlazeDetection[] {
  if (scores.length !== anchors.length || regressors.length !== anchors.length * 16) {
    throw new Error(`BlazeFace head: expected ${anchors.length} scores and ${anchors.length * 16} regressors, got ${scores.length} and ${regressors.length}`)
  }
  const out: BlazeDetection[] = []
  for (let i = 0; i < anchors.length; i++) {
    const score = sigmoid(scores[i]!)
    if (score < minScore) continue
    const a = anchors[i]!
    const r = i * 16
    const keypoints: Array<{ x: number, y: number }> = []
    for (let k = 0; k < 6; k++) keypoints.push({ x: a.x + regressors[r + 4 + 2 * k]! / INPUT, y: a.y + regressors[r + 5 + 2 * k]! / INPUT })
    out.push({
      cx: a.x + regressors[r]! / INPUT, cy: a.y + regressors[r + 1]! / INPUT,
      w: regressors[r + 2]! / INPUT, h: regressors[r + 3]! / INPUT,
      keypoints, score,
    })
  }
  return out
}

function overlap (a: BlazeDetection, b: BlazeDetection): number {
  const w = Math.min(a.cx + a.w / 2, b.cx + b.w / 2) - Math.max(a.cx - a.w / 2, b.cx - b.w / 2)
  const h = Math.min(a.cy + a.h / 2, b.cy + b.h / 2) - Math.max(a.cy - a.h / 2, b.cy - b.h / 2)
  if (w <= 0 || h <= 0) return 0
  const inter = w * h
  return inter / (a.w * a.h + b.w * b.h - inter)
}

/**
 * MediaPipe's weighted NMS: take the best remaining detection, blend it with every remaining one
 * that overlaps it by at least `minIou` (weights: scores), keep the best score.
 */
export function weightedNms (dets: BlazeDetection[], minIou = 0.3): BlazeDetection[] {
  const remaining = [...dets].sort((a, b) => b.score - a.score)
  const out: BlazeDetection[] = []
  while (remaining.length > 0) {
    const best = remaining[0]!
    const group: BlazeDetection[] = []
    const rest: BlazeDetection[] = []
    for (const d of remaining) (overlap(best, d) >= minIou ? group : rest).push(d)
    let total = 0
    const acc = { cx: 0, cy: 0, w: 0, h: 0, kp: best.keypoints.map(() => ({ x: 0, y: 0 })) }
    for (const d of group) {
      total += d.score
      acc.cx += d.cx * d.score; acc.cy += d.cy * d.score; acc.w += d.w * d.score; acc.h += d.h * d.score
      d.keypoints.forEach((k, i) => { acc.kp[i]!.x += k.x * d.score; acc.kp[i]!.y += k.y * d.score })
    }
    out.push({
      cx: acc.cx / total, cy: acc.cy / total, w: acc.w / total, h: acc.h / total,
      keypoints: acc.kp.map((k) => ({ x: k.x / total, y: k.y / total })), score: best.score,
    })
    remaining.splice(0, remaining.length, ...rest)
  }
  return out
}

/** Both heads decoded and merged. */
export function decodeBlazeFace (scores16: Float32Array, boxes16: Float32Array, scores8: Float32Array, boxes8: Float32Array, { minScore = 0.5, minIou = 0.3 } = {}): BlazeDetection[] {
  return weightedNms([...decodeHead(scores16, boxes16, anchors16, minScore), ...decodeHead(scores8, boxes8, anchors8, minScore)], minIou)
}
