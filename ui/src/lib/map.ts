/**
 * The map's arithmetic, free of the DOM: Web Mercator in "world units" (the whole world is 256
 * wide, so zoom z shows it 256·2^z pixels wide, as web maps number their zooms), a view (what
 * world point is at the top left, and how many pixels a world unit is), and grid clustering of
 * markers for a zoom.
 *
 * @example
 * const [x, y] = project(43.46, 11.88)              // Arezzo
 * const view = fit({ minX: x, minY: y, maxX: x, maxY: y }, 1200, 800)
 * const clusters = cluster(points, CLUSTER_PX / view.scale)
 */

export const WORLD = 256
/** Web Mercator's edge: the latitude where the map is square. */
const MAX_LAT = 85.0511287798
/** Zoom limits: the whole world at least fills the width; streets at most. */
export const MAX_ZOOM = 17
/** A marker's reach on screen: markers closer than this share a cluster. */
export const CLUSTER_PX = 64

export interface View {
  /** World coordinates at the top left of the screen. */
  x: number
  y: number
  /** Pixels per world unit (2^zoom). */
  scale: number
}

export interface Bounds { minX: number, minY: number, maxX: number, maxY: number }

export function project (lat: number, lon: number): [number, number] {
  const phi = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI / 180
  return [(lon + 180) / 360 * WORLD, (1 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / Math.PI) / 2 * WORLD]
}

export function unproject (x: number, y: number): [number, number] {
  const lon = x / WORLD * 360 - 180
  const lat = Math.atan(Math.sinh(Math.PI * (1 - 2 * y / WORLD))) * 180 / Math.PI
  return [lat, lon]
}

export const zoomOf = (view: View): number => Math.log2(view.scale)

/** The smallest scale at which the world still fills a `width` by `height` screen across. */
export const minScale = (width: number, height: number): number => Math.max(width, height * 0.5) / WORLD

/** Keeps the world on screen: no panning past its edges (it does not wrap). */
export function clamp (view: View, width: number, height: number): View {
  const scale = Math.max(minScale(width, height), Math.min(2 ** MAX_ZOOM, view.scale))
  const w = width / scale
  const h = height / scale
  const x = w >= WORLD ? (WORLD - w) / 2 : Math.max(0, Math.min(WORLD - w, view.x))
  const y = h >= WORLD ? (WORLD - h) / 2 : Math.max(0, Math.min(WORLD - h, view.y))
  return { x, y, scale }
}

/** The view that shows `b` whole with `pad` pixels around it, zoomed in no further than `maxZoom`. */
export function fit (b: Bounds, width: number, height: number, { pad = 48, maxZoom = 12 }: { pad?: number, maxZoom?: number } = {}): View {
  const bw = Math.max(b.maxX - b.minX, 1e-9)
  const bh = Math.max(b.maxY - b.minY, 1e-9)
  const scale = Math.min((width - 2 * pad) / bw, (height - 2 * pad) / bh, 2 ** maxZoom)
  return clamp({ x: (b.minX + b.maxX) / 2 - width / 2 / scale, y: (b.minY + b.maxY) / 2 - height / 2 / scale, scale }, width, height)
}

/** The view centred on a world point at a zoom. */
export const centre = (x: number, y: number, zoom: number, width: number, height: number): View =>
  clamp({ x: x - width / 2 / 2 ** zoom, y: y - height / 2 / 2 ** zoom, scale: 2 ** zoom }, width, height)

/** Zooms by `factor`, keeping the world point under the screen point (px, py) where it is. */
export function zoomAt (view: View, factor: number, px: number, py: number, width: number, height: number): View {
  const wx = view.x + px / view.scale
  const wy = view.y + py / view.scale
  const scale = Math.max(minScale(width, height), Math.min(2 ** MAX_ZOOM, view.scale * factor))
  return clamp({ x: wx - px / scale, y: wy - py / scale, scale }, width, height)
}

export interface Cluster {
  /** Indexes into the points, in their order (the markers come newest first). */
  members: number[]
  /** Where the marker is drawn: the members' mean. */
  x: number
  y: number
  bounds: Bounds
}

/**
 * Groups points by a grid of `cell` world units, then lets a small cluster join a bigger one whose
 * marker is within a cell of it, so that markers do not sit on top of each other across a grid
 * line. Linear in the points (100,000 in a few milliseconds).
 */
export function cluster (points: ArrayLike<number>, cell: number): Cluster[] {
  const cells = new Map<number, Cluster>()
  const cols = Math.ceil(WORLD / cell) + 1
  for (let i = 0; i < points.length / 2; i++) {
    const x = points[2 * i]!
    const y = points[2 * i + 1]!
    const key = Math.floor(y / cell) * cols + Math.floor(x / cell)
    let c = cells.get(key)
    if (c === undefined) { c = { members: [], x: 0, y: 0, bounds: { minX: x, minY: y, maxX: x, maxY: y } }; cells.set(key, c) }
    c.members.push(i)
    c.x += x; c.y += y
    const b = c.bounds
    if (x < b.minX) b.minX = x
    if (x > b.maxX) b.maxX = x
    if (y < b.minY) b.minY = y
    if (y > b.maxY) b.maxY = y
  }
  const all = [...cells.values()]
  for (const c of all) { c.x /= c.members.length; c.y /= c.members.length }
  // Biggest first; each smaller one joins the first kept cluster within reach.
  all.sort((a, b) => b.members.length - a.members.length)
  const kept: Cluster[] = []
  const grid = new Map<number, Cluster[]>()
  const at = (x: number, y: number) => Math.floor(y / cell) * cols + Math.floor(x / cell)
  for (const c of all) {
    let into: Cluster | undefined
    const gx = Math.floor(c.x / cell)
    const gy = Math.floor(c.y / cell)
    for (let dy = -1; dy <= 1 && into === undefined; dy++) {
      for (let dx = -1; dx <= 1 && into === undefined; dx++) {
        for (const k of grid.get((gy + dy) * cols + gx + dx) ?? []) {
          if (Math.hypot(k.x - c.x, k.y - c.y) < cell) { into = k; break }
        }
      }
    }
    if (into === undefined) {
      kept.push(c)
      const key = at(c.x, c.y)
      grid.set(key, [...(grid.get(key) ?? []), c])
      continue
    }
    // The marker stays where the bigger cluster put it (so it does not jump into the grid index's blind spot).
    into.members.push(...c.members)
    const b = into.bounds
    b.minX = Math.min(b.minX, c.bounds.minX); b.minY = Math.min(b.minY, c.bounds.minY)
    b.maxX = Math.max(b.maxX, c.bounds.maxX); b.maxY = Math.max(b.maxY, c.bounds.maxY)
  }
  for (const c of kept) c.members.sort((a, b) => a - b)
  return kept
}

/** The bounds of points (flat x, y pairs). */
export function boundsOf (points: ArrayLike<number>): Bounds | undefined {
  if (points.length < 2) return undefined
  const b = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity }
  for (let i = 0; i < points.length; i += 2) {
    const x = points[i]!; const y = points[i + 1]!
    if (x < b.minX) b.minX = x
    if (x > b.maxX) b.maxX = x
    if (y < b.minY) b.minY = y
    if (y > b.maxY) b.maxY = y
  }
  return b
}
