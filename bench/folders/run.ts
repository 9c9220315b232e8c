/**
 * Folder view benchmark: 100,000 generated photos for one user in 2,000 folders of a share (10
 * years × 200 events, about 50 photos each), one in 20 an upload instead, then the p50/p95 through the real
 * HTTP API on both engines of GET /api/view/folder/unique-paths beside its anchor (a count of the
 * owner's rows: one pass over them), and of GET /api/view/folder?path= for a folder of 50 beside
 * its anchor (the same 50 rows fetched by their ids, the cheapest way to have them).
 *
 * @example
 * node bench/folders/run.ts                                  # PGlite
 * BENCH_DATABASE_URL=postgres://... node bench/folders/run.ts  # and PostgreSQL
 */
import { time, withBenchNode } from '../helpers/node.ts'

const assets = Number(process.env.BENCH_ASSETS ?? 100_000)
const requests = Number(process.env.BENCH_REQUESTS ?? 20)
const perFolder = 50

const fmt = (r: { p50: number, p95: number }) => `p50 ${r.p50.toFixed(1).padStart(6)} ms   p95 ${r.p95.toFixed(1).padStart(6)} ms`

async function bench (engine: 'pglite' | 'postgres', databaseUrl?: string) {
  await withBenchNode('folders', databaseUrl, async ({ node, client, me, userId: id }) => {
    const [{ lib }] = await node.db.query<{ lib: string }>(
      `INSERT INTO libraries (id, owner_id, name, import_paths) VALUES (gen_random_uuid(), $1, 'Photos', ARRAY['/volume1/photo']) RETURNING id AS lib`, [id])
    // Share files: /volume1/photo/<year>/<event>/IMG_<n>.jpg; one in 20 an upload in library/<user>/<yyyy>/<mm>.
    await node.db.query(
      `INSERT INTO assets (id, owner_id, library_id, type, original_path, original_file_name, mime_type, checksum_sha1, checksum_sha256, file_size,
         file_created_at, file_modified_at, local_date_time, ingest_status, width, height)
       SELECT gen_random_uuid(), $1, CASE WHEN g % 20 = 0 THEN NULL ELSE $3::uuid END, 'IMAGE',
         CASE WHEN g % 20 = 0 THEN $4 || '/library/admin/' || (2015 + g % 10) || '/' || lpad((1 + g % 12)::text, 2, '0') || '/IMG_' || g || '.jpg'
              ELSE '/volume1/photo/' || (2015 + (g / ${perFolder}) % 10) || '/Event ' || (g / ${perFolder} / 10) || '/IMG_' || g || '.jpg' END,
         'IMG_' || g || '.jpg', 'image/jpeg', decode(md5(g::text) || '00000000', 'hex'), decode(md5(g::text) || md5(g::text), 'hex'), 3000000, t, t, t, 'ready', 4000, 3000
       FROM generate_series(1, $2::int) AS g, LATERAL (SELECT timestamptz '2015-01-01' + g * interval '1 second' * (315360000 / $2::int)) AS x(t)`,
      [id, assets, lib, node.config.HEARTH_DATA_DIR])
    await node.db.query('ANALYZE assets')
    await new Promise((ok) => setTimeout(ok, 3000))
    let folders: string[] = []
    const unique = await time(requests, async () => { folders = (await client.call('GET', '/api/view/folder/unique-paths', { headers: me.headers })).body })
    const pass = await time(requests, () => node.db.query('SELECT count(*) FROM assets a WHERE a.owner_id = $1 AND a.deleted_at IS NULL', [id]))
    const shares = folders.filter((f) => f.startsWith('/'))
    let listed: Array<{ id: string }> = []
    const folder = await time(requests, async (i) => {
      listed = (await client.call('GET', `/api/view/folder?path=${encodeURIComponent(shares[(i * 97) % shares.length]!)}`, { headers: me.headers })).body
    })
    const ids = listed.map((a) => a.id)
    const byId = await time(requests, () => node.db.query('SELECT a.* FROM assets a WHERE a.id = ANY($1::uuid[])', [ids]))
    console.log(`${engine.padEnd(8)} ${assets} assets in ${folders.length} folders (${shares.length} in the share)
  GET /api/view/folder/unique-paths    ${fmt(unique)}
  anchor: one pass over the owner      ${fmt(pass)}   endpoint / anchor ${(unique.p50 / pass.p50).toFixed(1)}x
  GET /api/view/folder?path= (${String(listed.length).padStart(3)})   ${fmt(folder)}
  anchor: those rows by id             ${fmt(byId)}   endpoint / anchor ${(folder.p50 / byId.p50).toFixed(1)}x`)
  })
}

await bench('pglite')
if (process.env.BENCH_DATABASE_URL !== undefined) await bench('postgres', process.env.BENCH_DATABASE_URL)
