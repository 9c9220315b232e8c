/**
 * Face alignment for ArcFace-style embedders: the similarity transform (rotation, uniform scale,
 * translation) that maps the detected landmarks onto the standard 112x112 template in the least
 * squares sense (Umeyama, 1991), then an inverse warp with bilinear sampling on raw RGB.
 *
 * BlazeFace gives the eyes, the nose tip and the mouth centre (not the two mouth corners), so the
 * template's mouth point is the mean of its two corners.
 *
 * @example
 * const m = similarityTransform(face.landmarks, arcfaceTemplate4)
 * const aligned = warpAffine(img, m, 112, 112)      // 112x112 RGB
 */
import type { Box, Point, RgbImage } from './types.ts'

/** InsightFace's 5-point template for 112x112 crops: left eye, right eye, nose, left and right mouth corners (image left/right). */
export const arcfaceTemplate5: Point[] = [
  { x: 38.2946, y: 51.6963 }, { x: 73.5318, y: 51.5014 }, { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 }, { x: 70.7299, y: 92.2041 },
]

/** The same with the mouth corners merged into the mouth centre: the points BlazeFace gives. */
export const arcfaceTemplate4: Point[] = [
  arcfaceTemplate5[0]!, arcfaceTemplate5[1]!, arcfaceTemplate5[2]!,
  { x: (41.5493 + 70.7299) / 2, y: (92.3655 + 92.2041) / 2 },
]

/** A 2x3 affine matrix [a, b, tx, c, d, ty]: x' = a·x + b·y + tx, y' = c·x + d·y + ty. */
export type Affine = [number, number, number, number, number, number]

/**
 * Least-squares similarity transform from `src` to `dst` (same length, at least 2 points).
 * For a similarity, the 2-D Umeyama solution reduces to closed form with no SVD: with centred
 * points, a = Σ(x·x' + y·y') / Σ|p|², b = Σ(x·y' − y·x') / Σ|p|² gives [[a, −b], [b, a]].
 */
export function similarityTransform (src: Point[], dst: Point[]): Affine {
  if (src.length !== dst.length || src.length < 2) throw new Error('similarityTransform: need two or more matching points')
  const n = src.length
  const ms = mean(src)
  const md = mean(dst)
  let num1 = 0
  let num2 = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    const sx = src[i]!.x - ms.x
    const sy = src[i]!.y - ms.y
    const dx = dst[i]!.x - md.x
    const dy = dst[i]!.y - md.y
    num1 += sx * dx + sy * dy
    num2 += sx * dy - sy * dx
    den += sx * sx + sy * sy
  }
  if (den === 0) throw new Error('similarityTransform: the source points coincide')
  const a = num1 / den
  const b = num2 / den
  return [a, -b, md.x - (a * ms.x - b * ms.y), b, a, md.y - (b * ms.x + a * ms.y)]
}

export function applyAffine (m: Affine, p: Point): Point {
  return { x: m[0] * p.x + m[1] * p.y + m[2], y: m[3] * p.x + m[4] * p.y + m[5] }
}

export function invertAffine (m: Affine): Affine {
  const [a, b, tx, c, d, ty] = m
  const det = a * d - b * c
  if (Math.abs(det) < 1e-12) throw new Error('invertAffine: singular transform')
  const ia = d / det
  const ib = -b / det
  const ic = -c / det
  const id = a / det
  return [ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty)]
}

/**
 * Warps `img` by `m` (image → output coordinates) into a `width` x `height` RGB image, sampling
 * bilinearly at pixel centres; outside the image is black (as OpenCV's warpAffine by default).
 * A large source face is shrunk by the transform; when the scale is under 1/2 the source is
 * averaged over a small footprint first so the crop does not alias.
 */
export function warpAffine (img: RgbImage, m: Affine, width: number, height: number): RgbImage {
  const inv = invertAffine(m)
  const out = new Uint8Array(width * height * 3)
  const src = img.data
  const W = img.width
  const H = img.height
  const scale = Math.hypot(m[0], m[3])
  // Supersample: k x k bilinear taps per output pixel when the source is much larger.
  const k = scale < 0.5 ? Math.min(4, Math.ceil(1 / scale)) : 1
  const acc = [0, 0, 0]
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      acc[0] = 0; acc[1] = 0; acc[2] = 0
      for (let sy = 0; sy < k; sy++) {
        for (let sx = 0; sx < k; sx++) {
          const ox = x + (sx + 0.5) / k - 0.5
          const oy = y + (sy + 0.5) / k - 0.5
          const fx = inv[0] * ox + inv[1] * oy + inv[2]
          const fy = inv[3] * ox + inv[4] * oy + inv[5]
          const x0 = Math.floor(fx)
          const y0 = Math.floor(fy)
          const wx = fx - x0
          const wy = fy - y0
          const w00 = (1 - wx) * (1 - wy)
          const w10 = wx * (1 - wy)
          const w01 = (1 - wx) * wy
          const w11 = wx * wy
          if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
            // Inside: the four neighbours without bounds checks (the common case).
            const i = (y0 * W + x0) * 3
            const j = i + W * 3
            acc[0]! += src[i]! * w00 + src[i + 3]! * w10 + src[j]! * w01 + src[j + 3]! * w11
            acc[1]! += src[i + 1]! * w00 + src[i + 4]! * w10 + src[j + 1]! * w01 + src[j + 4]! * w11
            acc[2]! += src[i + 2]! * w00 + src[i + 5]! * w10 + src[j + 2]! * w01 + src[j + 5]! * w11
          } else {
            const at = (px: number, py: number, c: number) => px >= 0 && py >= 0 && px < W && py < H ? src[(py * W + px) * 3 + c]! : 0
            for (let c = 0; c < 3; c++) acc[c]! += at(x0, y0, c) * w00 + at(x0 + 1, y0, c) * w10 + at(x0, y0 + 1, c) * w01 + at(x0 + 1, y0 + 1, c) * w11
          }
        }
      }
      const o = (y * width + x) * 3
      out[o] = Math.round(acc[0]! / (k * k))
      out[o + 1] = Math.round(acc[1]! / (k * k))
      out[o + 2] = Math.round(acc[2]! / (k * k))
    }
  }
  return { data: out, width, height }
}

/**
 * Landmarks guessed from a box alone (for a detector without landmarks): the template's points
 * placed in the box as a face box's usual proportions put them. Less accurate than detected
 * landmarks; used only for the alternative detector.
 */
export function landmarksFromBox (b: Box): Point[] {
  const w = b.x2 - b.x1
  const h = b.y2 - b.y1
  return arcfaceTemplate4.map((p) => ({ x: b.x1 + (p.x / 112) * w, y: b.y1 + ((p.y - 8) / 112) * h * 1.05 }))
}

function mean (ps: Point[]): Point {
  let x = 0
  let y = 0
  for (const p of ps) { x += p.x; y += p.y }
  return { x: x / ps.length, y: y / ps.length }
}
