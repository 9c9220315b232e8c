/**
 * The plane geometry of DB text detection, on typed arrays (no OpenCV): connected regions of a
 * binary map, their convex hull, the minimum-area rotated rectangle around it, the DB "unclip"
 * (growing a shrunk text kernel back to the text's size) and reading order.
 */

export type Point = [number, number]
/** Four corners: top-left, top-right, bottom-right, bottom-left. */
export type Quad = [Point, Point, Point, Point]

export interface Region {
  /** Hull of the region's pixel centres, counter-clockwise (y down). */
  hull: Point[]
  pixels: number
  /** Mean of `values` over the region's pixels (0 without `values`). */
  mean: number
}

/**
 * 8-connected regions of `mask` (non-zero = set), largest first is not promised: they come in scan
 * order, as contour finding does. At most `max` regions; a region's pixels are only summarised by its
 * hull (from each row's leftmost and rightmost pixel, which is all a convex hull needs).
 */
export function regions (mask: Uint8Array, width: number, height: number, max = 1000, values?: Float32Array): Region[] {
  const label = new Uint8Array(width * height)
  const stack = new Int32Array(width * height)
  const out: Region[] = []
  for (let start = 0; start < mask.length && out.length < max; start++) {
    if (mask[start] === 0 || label[start] !== 0) continue
    let top = 0
    stack[top++] = start
    label[start] = 1
    let minY = height
    let maxY = -1
    const rowMin = new Map<number, number>()
    const rowMax = new Map<number, number>()
    let count = 0
    let sum = 0
    while (top > 0) {
      const p = stack[--top]!
      count++
      if (values !== undefined) sum += values[p]!
      const y = (p / width) | 0
      const x = p - y * width
      if (y < minY) minY = y
      if (y > maxY) maxY = y
      const lo = rowMin.get(y)
      if (lo === undefined || x < lo) rowMin.set(y, x)
      const hi = rowMax.get(y)
      if (hi === undefined || x > hi) rowMax.set(y, x)
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy
        if (ny < 0 || ny >= height) continue
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx
          if (nx < 0 || nx >= width) continue
          const q = ny * width + nx
          if (mask[q] !== 0 && label[q] === 0) { label[q] = 1; stack[top++] = q }
        }
      }
    }
    const points: Point[] = []
    for (let y = minY; y <= maxY; y++) {
      const lo = rowMin.get(y)
      if (lo === undefined) continue
      points.push([lo, y])
      const hi = rowMax.get(y)!
      if (hi !== lo) points.push([hi, y])
    }
    out.push({ hull: convexHull(points), pixels: count, mean: values === undefined ? 0 : sum / count })
  }
  return out
}

const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

/** Andrew's monotone chain. */
export function convexHull (points: Point[]): Point[] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1])
  if (pts.length <= 2) return pts
  const lower: Point[] = []
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop()
    lower.push(p)
  }
  const upper: Point[] = []
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop()
    upper.push(p)
  }
  upper.pop()
  lower.pop()
  return lower.concat(upper)
}

export interface RotatedRect { cx: number, cy: number, w: number, h: number, /** Direction of the `w` side, radians. */ angle: number }

/** The minimum-area rectangle around a convex hull (rotating calipers over its edges). */
export function minAreaRect (hull: Point[]): RotatedRect {
  if (hull.length === 1) return { cx: hull[0]![0], cy: hull[0]![1], w: 0, h: 0, angle: 0 }
  let best: RotatedRect | undefined
  let bestArea = Infinity
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!
    const b = hull[(i + 1) % hull.length]!
    const len = Math.hypot(b[0] - a[0], b[1] - a[1])
    if (len === 0) continue
    const ux = (b[0] - a[0]) / len
    const uy = (b[1] - a[1]) / len
    let minU = Infinity; let maxU = -Infinity; let minV = Infinity; let maxV = -Infinity
    for (const p of hull) {
      const u = p[0] * ux + p[1] * uy
      const v = -p[0] * uy + p[1] * ux
      if (u < minU) minU = u
      if (u > maxU) maxU = u
      if (v < minV) minV = v
      if (v > maxV) maxV = v
    }
    const area = (maxU - minU) * (maxV - minV)
    if (area < bestArea) {
      bestArea = area
      const cu = (minU + maxU) / 2
      const cv = (minV + maxV) / 2
      best = { cx: cu * ux - cv * uy, cy: cu * uy + cv * ux, w: maxU - minU, h: maxV - minV, angle: Math.atan2(uy, ux) }
    }
  }
  return best!
}

/** The rectangle's corners in reading order: top-left, top-right, bottom-right, bottom-left. */
export function rectCorners (r: RotatedRect): Quad {
  const ux = Math.cos(r.angle); const uy = Math.sin(r.angle)
  const hw = r.w / 2; const hh = r.h / 2
  const pts: Point[] = [
    [r.cx - ux * hw + uy * hh, r.cy - uy * hw - ux * hh],
    [r.cx + ux * hw + uy * hh, r.cy + uy * hw - ux * hh],
    [r.cx + ux * hw - uy * hh, r.cy + uy * hw + ux * hh],
    [r.cx - ux * hw - uy * hh, r.cy - uy * hw + ux * hh],
  ]
  return orderCorners(pts)
}

/**
 * Orders four corners as top-left, top-right, bottom-right, bottom-left: the two leftmost are the
 * left side (upper one first), the two rightmost the right side.
 */
export function orderCorners (pts: Point[]): Quad {
  const byX = [...pts].sort((a, b) => a[0] - b[0])
  const [l1, l2, r1, r2] = byX as [Point, Point, Point, Point]
  const [tl, bl] = l1[1] <= l2[1] ? [l1, l2] : [l2, l1]
  const [tr, br] = r1[1] <= r2[1] ? [r1, r2] : [r2, r1]
  return [tl, tr, br, bl]
}

/**
 * DB's unclip: the detector predicts a shrunk text kernel; growing its rectangle by
 * area * ratio / perimeter on every side restores the text's extent (the offset polygon's
 * minimum-area rectangle, which for a rectangle is this exactly).
 */
export function unclip (r: RotatedRect, ratio: number): RotatedRect {
  const perimeter = 2 * (r.w + r.h)
  if (perimeter === 0) return r
  const d = (r.w * r.h * ratio) / perimeter
  return { ...r, w: r.w + 2 * d, h: r.h + 2 * d }
}

/** Mean of `map` over the pixels inside a convex quad (boundary included). */
export function meanInside (map: Float32Array, width: number, height: number, quad: Quad): number {
  const xs = quad.map((p) => p[0]); const ys = quad.map((p) => p[1])
  const x0 = Math.max(0, Math.floor(Math.min(...xs))); const x1 = Math.min(width - 1, Math.ceil(Math.max(...xs)))
  const y0 = Math.max(0, Math.floor(Math.min(...ys))); const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys)))
  // Edge half-planes, with half a pixel of tolerance so thin boxes keep their boundary pixels.
  const edges = quad.map((a, i) => {
    const b = quad[(i + 1) % 4]!
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1
    return { a, dx: (b[0] - a[0]) / len, dy: (b[1] - a[1]) / len }
  })
  let sum = 0; let n = 0
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      let inside = true
      for (const e of edges) {
        // Corners are clockwise on screen (y down): inside is where the cross product is >= 0.
        if (e.dx * (y - e.a[1]) - e.dy * (x - e.a[0]) < -0.5) { inside = false; break }
      }
      if (inside) { sum += map[y * width + x]!; n++ }
    }
  }
  return n === 0 ? 0 : sum / n
}

/** Reading order: top to bottom, and left to right within a line (boxes whose tops are within `tolerance`). */
export function readingOrder<T extends { box: Quad }> (items: T[], tolerance = 10): T[] {
  const sorted = [...items].sort((a, b) => a.box[0][1] - b.box[0][1] || a.box[0][0] - b.box[0][0])
  for (let i = 0; i < sorted.length - 1; i++) {
    for (let j = i; j >= 0; j--) {
      const a = sorted[j]!; const b = sorted[j + 1]!
      if (Math.abs(b.box[0][1] - a.box[0][1]) < tolerance && b.box[0][0] < a.box[0][0]) {
        sorted[j] = b; sorted[j + 1] = a
      } else break
    }
  }
  return sorted
}
