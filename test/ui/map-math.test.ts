/** The map's arithmetic (ui/src/lib/map.ts): Mercator, views, and clustering markers. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { WORLD, boundsOf, clamp, cluster, fit, project, unproject, zoomAt } from '../../ui/src/lib/map.ts'

test('Web Mercator: the equator and Greenwich in the middle, round trips, the poles clamped to the square', () => {
  assert.deepEqual(project(0, 0), [128, 128])
  const [x, y] = project(43.46745, 11.88513)
  const [lat, lon] = unproject(x, y)
  assert.ok(Math.abs(lat - 43.46745) < 1e-9 && Math.abs(lon - 11.88513) < 1e-9)
  assert.ok(Math.abs(project(90, 0)[1]) < 1e-6, 'the north edge is y = 0')
  assert.ok(Math.abs(project(-90, 0)[1] - WORLD) < 1e-6, 'the south edge is y = 256')
})

test('views: fitted bounds are centred and padded; zooming keeps the point under the pointer; the world never leaves the screen', () => {
  const a = project(43.46, 11.88); const b = project(37.77, -122.42)
  const bounds = boundsOf([...a, ...b])!
  const v = fit(bounds, 1000, 600, { pad: 50 })
  const sx = (p: number[]) => [(p[0]! - v.x) * v.scale, (p[1]! - v.y) * v.scale]
  const [ax, ay] = sx(a); const [bx, by] = sx(b)
  assert.ok(Math.abs(bx - 50) < 1e-6 && Math.abs(ax - 950) < 1e-6, `padded across: ${bx}, ${ax}`)
  assert.ok(Math.abs((ay + by) / 2 - 300) < 1e-6, 'centred down')
  const z = zoomAt(v, 4, 700, 200, 1000, 600)
  assert.equal(z.scale, v.scale * 4)
  const before = [v.x + 700 / v.scale, v.y + 200 / v.scale]; const after = [z.x + 700 / z.scale, z.y + 200 / z.scale]
  assert.ok(Math.abs(before[0]! - after[0]!) < 1e-9 && Math.abs(before[1]! - after[1]!) < 1e-9)
  const out = clamp({ x: -500, y: 900, scale: 0.001 }, 1000, 600)
  assert.equal(out.scale, 1000 / WORLD, 'no smaller than the world across the screen')
  assert.equal(out.x, 0)
  const panned = clamp({ x: 250, y: -10, scale: 8 }, 1000, 600)
  assert.deepEqual([panned.x, panned.y], [WORLD - 1000 / 8, 0], 'no panning past the edges')
})

test('clusters: near points share one, far ones do not; members keep their order; every point is in exactly one', () => {
  // Three points within a cell, one far away, one just across a grid line from the first three.
  const pts = [10, 10, 10.5, 10.2, 10.9, 10.9, 100, 100, 12.05, 10.5]
  const cs = cluster(pts, 2)
  assert.equal(cs.length, 2)
  const big = cs.find((c) => c.members.length > 1)!
  assert.deepEqual(big.members, [0, 1, 2, 4], 'the one across the grid line joins the cluster it is near')
  assert.deepEqual(cs.find((c) => c.members.length === 1)!.members, [3])
  assert.deepEqual(big.bounds, { minX: 10, minY: 10, maxX: 12.05, maxY: 10.9 })
  // Zoomed in (smaller cells), they part.
  assert.equal(cluster(pts, 0.1).length, 5)
  // 100,000 points: each in exactly one cluster.
  const many = new Float64Array(200_000)
  for (let i = 0; i < many.length; i++) many[i] = (Math.sin(i * 12.9898) * 43758.5453 % 1 + 1) % 1 * WORLD
  const all = cluster(many, 4).flatMap((c) => c.members)
  assert.equal(all.length, 100_000)
  assert.equal(new Set(all).size, 100_000)
})
