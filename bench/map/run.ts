/**
 * Map benchmark: with 100,000 geotagged photos for one user (generated rows, clustered around 40
 * home towns as a family's photos are), the p50/p95 of GET /api/map/markers through the real HTTP
 * API on both engines, beside the same SQL run bare on the database (the anchor), and what the
 * browser then does with them: Mercator projection and clustering at three zooms (ui/src/lib/map.ts),
 * timed here in Node against a plain pass over the same points (the anchor).
 *
 * @example
 * node bench/map/run.ts                                  # PGlite
 * BENCH_DATABASE_URL=postgres://... node bench/map/run.ts  # and PostgreSQL
 */
import { time, withBenchNode } from '../helpers/node.ts'
import { createPlacesRepo } from '../../node/places/repo.ts'
import { CLUSTER_PX, cluster, project } from '../../ui/src/lib/map.ts'

const assets = Number(process.env.BENCH_ASSETS ?? 100_000)
const requests = Number(process.env.BENCH_REQUESTS ?? 20)

const fmt = (r: { p50: number, p95: number }) => `p50 ${r.p50.toFixed(1).padStart(6)} ms   p95 ${r.p95.toFixed(1).padStart(6)} ms`

async function bench (engine: 'pglite' | 'postgres', databaseUrl?: string) {
  return withBenchNode('map', databaseUrl, async ({ node, client, me, userId: id }) => {
    // Photos over ten years around 40 towns (30 km of spread each), one in ten without a position.
    await node.db.query(
      `INSERT INTO assets (id, owner_id, type, original_path, original_file_name, mime_type, checksum_sha1, checksum_sha256, file_size,
         file_created_at, file_modified_at, local_date_time, ingest_status, width, height)
       SELECT gen_random_uuid(), $1, 'IMAGE', '/gen/' || g || '.jpg', g || '.jpg', 'image/jpeg',
         decode(md5(g::text) || '00000000', 'hex'), decode(md5(g::text) || md5(g::text), 'hex'), 3000000, t, t, t, 'ready', 4000, 3000
       FROM generate_series(1, $2::int) AS g, LATERAL (SELECT timestamptz '2015-01-01' + g * interval '1 second' * (315360000 / $2::int)) AS x(t)`, [id, assets])
    await node.db.query(
      `INSERT INTO asset_exif (asset_id, latitude, longitude, city, country)
       SELECT a.id, CASE WHEN n % 10 = 0 THEN NULL ELSE -40 + (n % 40) * 2.1 + (random() - 0.5) * 0.6 END,
         CASE WHEN n % 10 = 0 THEN NULL ELSE -120 + (n % 40) * 6.3 + (random() - 0.5) * 0.6 END, 'Town ' || (n % 40), 'Country'
       FROM (SELECT id, row_number() OVER () AS n FROM assets) a`)
    await node.db.query('ANALYZE assets'); await node.db.query('ANALYZE asset_exif')
    await new Promise((ok) => setTimeout(ok, 6000))
    let markers: Array<{ lat: number, lon: number }> = []
    const api = await time(requests, async () => { markers = (await client.call('GET', '/api/map/markers', { headers: me.headers })).body })
    // Anchors: the rows as the pg driver hands them over, unsorted and with no JSON (what any
    // implementation must fetch), and the endpoint's own query without HTTP.
    const rows = await time(requests, () => node.db.query(
      `SELECT a.id, e.latitude, e.longitude, e.city, e.state, e.country FROM assets a JOIN asset_exif e ON e.asset_id = a.id
       WHERE a.owner_id = $1 AND a.deleted_at IS NULL AND a.visibility = 'timeline' AND e.latitude IS NOT NULL`, [id]))
    const repo = createPlacesRepo(node.db)
    const query = await time(requests, () => repo.markers(id, {}))
    console.log(`${engine.padEnd(8)} ${assets} assets, ${markers.length} with a position
  GET /api/map/markers                 ${fmt(api)}
  its query (sorted, as JSON text)     ${fmt(query)}
  anchor: the rows alone, as objects   ${fmt(rows)}   endpoint / anchor ${(api.p50 / rows.p50).toFixed(1)}x`)
    return markers
  })
}

const markers = await bench('pglite')
if (process.env.BENCH_DATABASE_URL !== undefined) await bench('postgres', process.env.BENCH_DATABASE_URL)

// In the browser: project once, then cluster at each zoom (world, continent, region).
const points = new Float64Array(markers.length * 2)
const proj = await time(requests, () => { markers.forEach((m, i) => { const [x, y] = project(m.lat, m.lon); points[2 * i] = x; points[2 * i + 1] = y }) })
const zooms = [2, 5, 9].map((z) => ({ z, r: 0 as unknown as { p50: number, p95: number }, n: 0 }))
for (const z of zooms) z.r = await time(requests, () => { z.n = cluster(points, CLUSTER_PX / 2 ** z.z).length })
let sink = 0
const pass = await time(requests, () => { for (let i = 0; i < points.length; i += 2) sink += Math.floor(points[i]! / 0.1) ^ Math.floor(points[i + 1]! / 0.1) })
console.log(`browser work for ${markers.length} markers (Node, same code)
  project to Mercator             ${fmt(proj)}
${zooms.map((z) => `  cluster at zoom ${z.z}               ${fmt(z.r)}   ${z.n} markers`).join('\n')}
  anchor: one pass, grid keys     ${fmt(pass)}   cluster at zoom 9 / anchor ${(zooms[2]!.r.p50 / pass.p50).toFixed(1)}x${sink === 0.5 ? '' : ''}`)
