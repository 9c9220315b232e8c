/**
 * Timeline benchmark: with 300,000 assets for one user (generated rows), the p50/p95 of
 * GET /api/timeline/buckets and of GET /api/timeline/bucket for a month, through the real HTTP API,
 * on both engines, beside the same bucket query run bare in SQL (the anchor: what the database
 * alone needs). Goal for the month bucket: p95 under 50 ms.
 *
 * @example
 * node bench/timeline/run.ts                                  # PGlite
 * BENCH_DATABASE_URL=postgres://... node bench/timeline/run.ts  # and PostgreSQL
 */
import { time, withBenchNode } from '../helpers/node.ts'

const assets = Number(process.env.BENCH_ASSETS ?? 300_000)
const requests = Number(process.env.BENCH_REQUESTS ?? 200)

async function bench (engine: 'pglite' | 'postgres', databaseUrl?: string) {
  await withBenchNode('timeline', databaseUrl, async ({ node, client, me, userId: id }) => {
    const t0 = performance.now()
    // 300,000 photos over ten years, with thumbhashes and sizes, as a real library would have them.
    for (let start = 0; start < assets; start += 50_000) {
      await node.db.query(
        `INSERT INTO assets (id, owner_id, type, original_path, original_file_name, mime_type, checksum_sha1, checksum_sha256, file_size,
           file_created_at, file_modified_at, local_date_time, ingest_status, width, height, thumbhash)
         SELECT gen_random_uuid(), $1, CASE WHEN g % 20 = 0 THEN 'VIDEO' ELSE 'IMAGE' END, '/gen/' || g || '.jpg', g || '.jpg', 'image/jpeg',
           decode(md5(g::text) || '00000000', 'hex'), decode(md5(g::text) || md5(g::text), 'hex'), 3000000,
           t, t, t, 'ready', 4000, 3000, decode(md5((g + 1)::text), 'hex')
         FROM generate_series($2::int, $3::int) AS g, LATERAL (SELECT timestamptz '2015-01-01' + (g * interval '1 second' * (315360000 / $4::int))) AS x(t)`,
        [id, start, Math.min(assets, start + 50_000) - 1, assets])
    }
    await node.db.query('ANALYZE assets')
    const loadSeconds = (performance.now() - t0) / 1000
    // PGlite blocked the event loop while loading: let the server close the idle keep-alive socket
    // now, rather than race the first request (a reset).
    await new Promise((ok) => setTimeout(ok, 6000))
    const buckets = (await client.call('GET', '/api/timeline/buckets', { headers: me.headers })).body as Array<{ timeBucket: string, count: number }>
    const months = buckets.map((b) => b.timeBucket)
    const list = await time(Math.min(requests, 50), () => client.call('GET', '/api/timeline/buckets', { headers: me.headers }))
    const month = await time(requests, (i) => client.call('GET', `/api/timeline/bucket?timeBucket=${months[(i * 7) % months.length]}`, { headers: me.headers }))
    const sql = await time(requests, (i) => node.db.query(
      `SELECT id FROM assets WHERE owner_id = $1 AND deleted_at IS NULL AND visibility = 'timeline'
         AND local_date_time >= $2::timestamptz AND local_date_time < $2::timestamptz + interval '1 month' ORDER BY local_date_time DESC`,
      [id, `${months[(i * 7) % months.length]}T00:00:00Z`]))
    const perMonth = Math.round(assets / months.length)
    console.log(`${engine.padEnd(8)} ${assets} assets (loaded in ${loadSeconds.toFixed(1)} s), ${months.length} months, ~${perMonth} per month
  GET /api/timeline/buckets         p50 ${list.p50.toFixed(1)} ms   p95 ${list.p95.toFixed(1)} ms
  GET /api/timeline/bucket (month)  p50 ${month.p50.toFixed(1)} ms   p95 ${month.p95.toFixed(1)} ms   (goal p95 < 50 ms)
  anchor: the month's SQL alone     p50 ${sql.p50.toFixed(1)} ms   p95 ${sql.p95.toFixed(1)} ms   ratio of p95 ${(month.p95 / sql.p95).toFixed(1)}x`)
  })
}

await bench('pglite')
if (process.env.BENCH_DATABASE_URL !== undefined) await bench('postgres', process.env.BENCH_DATABASE_URL)
