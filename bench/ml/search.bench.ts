/**
 * bench/ml/search: smart search without CLIP (POST /api/search/smart's service: the query read for
 * dates, places, people and cameras, the other words looked for in file names, folders, keywords,
 * descriptions, album names and OCR text) on a library of N assets, side by side with Immich's
 * plain metadata search for the same text in file names (POST /api/search/metadata
 * `originalFileName`, one ILIKE, answered by a trigram index as Immich's is: the anchor) in the
 * same database. Prints p50/p95 of each and
 * their ratio, and what the first search pays to read the library's places and cameras (cached
 * after it, node/search/smart-repo.ts).
 *
 * The library: file names and share folders by year and place, cities from a list of 300 (one
 * asset in five has none), cameras from 8 makes and 40 models, keywords on one asset in ten,
 * descriptions on one in twenty, OCR text on one in five, 50 albums holding one asset in twenty.
 *
 * node bench/ml/search.bench.ts                                   # PGlite, 100,000 assets
 * BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:54329/postgres node bench/ml/search.bench.ts --engines pglite,postgres
 */
import { parseArgs } from 'node:util'
import type { Database } from '../../node/db/index.ts'
import { migrate } from '../../node/db/migrate.ts'
import { uuidv7 } from '../../node/db/ids.ts'
import { createSmartRepo } from '../../node/search/smart-repo.ts'
import { createSmartSearch } from '../../node/search/smart.ts'
import { createSearchRepo } from '../../node/search/repo.ts'
import { benchDatabase } from './database.ts'

const { values: argv } = parseArgs({
  strict: false, // bench/ml/run.ts passes the same arguments to every benchmark
  options: {
    assets: { type: 'string', default: '100000' },
    engines: { type: 'string', default: 'pglite,postgres' },
    runs: { type: 'string', default: '15' },
  },
})
const N = Number(argv.assets)
const runs = Number(argv.runs)
const serverUrl = process.env.BENCH_DATABASE_URL

/** Queries a family types, and the text the anchor looks for in file names. */
const queries = ['beach', 'Lisbon', 'Lisbon 2019', 'July 2021', 'canon', 'receipt garage', 'Lisbon beach 2019']

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]! }

/** The library, written by SQL (generate_series): deterministic per asset number. */
async function fill (db: Database, owner: string): Promise<void> {
  await db.query(`INSERT INTO users (id, email, name, password_hash) VALUES ($1, 'bench@example.org', 'Bench', 'x')`, [owner])
  await db.query(
    `INSERT INTO assets (id, owner_id, type, original_path, original_file_name, mime_type, checksum_sha1, checksum_sha256, file_size, file_created_at, file_modified_at, local_date_time, library_id)
     SELECT gen_random_uuid(), $1, 'IMAGE',
       '/share/' || (2010 + i % 15) || ' ' || (ARRAY['Lisbon','Beach','Garden','Birthday','School','Holiday'])[1 + i % 6] || '/IMG_' || lpad(i::text, 6, '0') || '.jpg',
       'IMG_' || lpad(i::text, 6, '0') || '.jpg', 'image/jpeg', decode(md5(i::text), 'hex'), decode(md5(i::text || 's'), 'hex'), 1000,
       timestamp '2010-01-01' + (i % 5475) * interval '1 day' + (i % 24) * interval '1 hour', now(),
       timestamp '2010-01-01' + (i % 5475) * interval '1 day' + (i % 24) * interval '1 hour', NULL
     FROM generate_series(1, $2::int) i`, [owner, N])
  await db.query(
    `INSERT INTO asset_exif (asset_id, city, state, country, make, model, keywords, description)
     SELECT a.id,
       CASE WHEN n % 5 = 0 THEN NULL WHEN n % 300 = 7 THEN 'Lisbon' ELSE 'City ' || (n % 300) END,
       CASE WHEN n % 5 = 0 THEN NULL ELSE 'Region ' || (n % 40) END,
       CASE WHEN n % 5 = 0 THEN NULL WHEN n % 300 = 7 THEN 'Portugal' ELSE 'Country ' || (n % 12) END,
       (ARRAY['Canon','NIKON CORPORATION','Apple','SAMSUNG','SONY','FUJIFILM','Google','OLYMPUS'])[1 + n % 8], 'Model ' || (n % 40),
       CASE WHEN n % 10 = 0 THEN ARRAY['family', (ARRAY['beach','garden','cake','snow'])[1 + n % 4]] ELSE '{}' END,
       CASE WHEN n % 20 = 0 THEN 'A day at the ' || (ARRAY['beach','park','lake','zoo'])[1 + n % 4] ELSE NULL END
     FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM assets) a`)
  await db.query(
    `INSERT INTO ocr_search (asset_id, text)
     SELECT id, (ARRAY['GARAGE RECEIPT total 12.50','OPEN 9-5','EXIT','Happy Birthday Marie','MENU coffee tea'])[1 + (n / 5) % 5]
     FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM assets) a WHERE n % 5 = 0`)
  await db.query(`INSERT INTO albums (id, owner_id, album_name) SELECT gen_random_uuid(), $1, 'Album ' || i || CASE WHEN i = 3 THEN ' beach days' ELSE '' END FROM generate_series(1, 50) i`, [owner])
  await db.query(
    `INSERT INTO album_assets (album_id, asset_id)
     SELECT (SELECT id FROM albums ORDER BY id OFFSET (n % 50) LIMIT 1), id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM assets) a WHERE n % 20 = 1`)
  await db.query('ANALYZE')
}

async function runOne (engine: string): Promise<void> {
  const scratch = await benchDatabase(engine, serverUrl)
  if (scratch === undefined) { console.log('\npostgres: skipped (set BENCH_DATABASE_URL)'); return }
  const { db, cleanup } = scratch
  try {
    await migrate(db)
    const owner = uuidv7()
    let t = performance.now()
    await fill(db, owner)
    const loadS = (performance.now() - t) / 1000
    const smart = createSmartSearch({ repo: createSmartRepo(db) })
    const metadata = createSearchRepo(db)
    t = performance.now()
    await createSmartRepo(db).vocabulary({ user: owner, partners: [] })
    const vocabularyMs = performance.now() - t
    await smart.search(owner, { query: 'warm up', page: 1, size: 250 })
    console.log(`\n${engine}, ${N.toLocaleString('en')} assets (loaded in ${loadS.toFixed(1)} s); the first search reads the places and cameras: ${vocabularyMs.toFixed(0)} ms, cached after`)
    console.log(['query', 'smart hits', 'smart p50 ms', 'smart p95 ms', 'file-name search p50 ms (anchor)', 'smart/anchor (p50)'].join(' | '))
    for (const q of queries) {
      const s: number[] = []; const m: number[] = []
      let hits = 0
      for (let i = 0; i < runs; i++) {
        t = performance.now()
        hits = (await smart.search(owner, { query: q, page: 1, size: 250 })).total
        s.push(performance.now() - t)
        t = performance.now()
        await metadata.metadata(owner, { page: 1, size: 250, originalFileName: q })
        m.push(performance.now() - t)
      }
      console.log([JSON.stringify(q), hits, pct(s, 0.5).toFixed(0), pct(s, 0.95).toFixed(0), pct(m, 0.5).toFixed(0), (pct(s, 0.5) / pct(m, 0.5)).toFixed(1)].join(' | '))
    }
  } finally { await cleanup() }
}

for (const engine of String(argv.engines).split(',').map((e) => e.trim())) await runOne(engine)
