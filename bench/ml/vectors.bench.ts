/**
 * bench/ml/vectors: smart search's vector query (`ORDER BY embedding <=> $1 LIMIT 10` through the
 * HNSW index, cosine) on N stored 512-d vectors, side by side with exact search in the same
 * database (the same query with index scans off: what pgvector does without the index). Prints
 * latency p50/p95 and recall@10 against the exact answer for each ef_search, and the index build
 * time. Vectors cluster like image embeddings: a shared mean direction, a few thousand centroids,
 * per-cluster noise, all on the unit sphere.
 *
 * node bench/ml/vectors.bench.ts --sizes 100000                               # PGlite
 * BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:54329/postgres node bench/ml/vectors.bench.ts --sizes 100000,1000000 --engines postgres
 */
import { parseArgs } from 'node:util'
import { benchDatabase } from './database.ts'

const { values: argv } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000' },
    engines: { type: 'string', default: 'pglite,postgres' },
    queries: { type: 'string', default: '200' },
    exact: { type: 'string', default: '20' },
    centroids: { type: 'string', default: '3000' },
    ef: { type: 'string', default: '40,64,100,160,250' },
    'maintenance-work-mem': { type: 'string', default: '4GB' },
    // PGlite's WebAssembly heap ends below 4 GB, so its build gets less; at 64 MB (the default) a
    // 100,000-vector graph spills out of memory and pgvector's build slows down many times over.
    'pglite-maintenance-work-mem': { type: 'string', default: '1GB' },
    'parallel-workers': { type: 'string', default: '1' },
    m: { type: 'string', default: '16' },
    'ef-construction': { type: 'string', default: '64' },
    'database-url': { type: 'string' },
    seed: { type: 'string', default: '7' },
  },
})
const D = 512
const sizes = argv.sizes.split(',').map(Number)
const engineList = argv.engines.split(',').map((s) => s.trim())
const nQueries = Number(argv.queries)
const nExact = Number(argv.exact)
const efs = argv.ef.split(',').map(Number)
const serverUrl = argv['database-url'] ?? process.env.BENCH_DATABASE_URL

// A small, fast, seeded generator (mulberry32) and Box-Muller normals: runs are repeatable.
let state = Number(argv.seed) >>> 0
const rand = () => { state = (state + 0x6d2b79f5) >>> 0; let t = state; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296 }
const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
function unit (v: Float32Array): Float32Array { let s = 0; for (const x of v) s += x * x; const n = Math.sqrt(s); for (let i = 0; i < v.length; i++) v[i] = v[i]! / n; return v }
const gaussian = () => Float32Array.from({ length: D }, normal)

/**
 * Like CLIP image embeddings: every vector shares a common direction (real ones have mean cosine
 * ~0.5 to each other), belongs to one of `k` clusters (scenes, subjects) and carries its own noise.
 */
function makeGenerator (k: number) {
  const common = unit(gaussian())
  const centroids = Array.from({ length: k }, () => {
    const c = unit(gaussian())
    return unit(c.map((x, i) => 0.9 * x + 0.7 * common[i]!))
  })
  return () => {
    const c = centroids[Math.floor(rand() * k)]!
    const n = unit(gaussian())
    const spread = 0.55 + 0.3 * rand() // some clusters tight (bursts of one scene), some loose
    return unit(c.map((x, i) => x + spread * n[i]!))
  }
}

const vectorText = (v: Float32Array) => '[' + Array.from(v, (x) => x.toFixed(5)).join(',') + ']'
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]! }
const ms = (x: number) => x.toFixed(x < 10 ? 2 : 1)

async function exactTop (data: Float32Array, n: number, q: Float32Array, k = 10): Promise<number[]> {
  // Brute force in JS (vectors are unit length: cosine = dot). Ties are vanishingly unlikely.
  const best: Array<[number, number]> = []
  for (let i = 0; i < n; i++) {
    let s = 0
    const off = i * D
    for (let j = 0; j < D; j++) s += data[off + j]! * q[j]!
    if (best.length < k || s > best[best.length - 1]![0]) {
      best.push([s, i + 1]); best.sort((a, b) => b[0] - a[0]); if (best.length > k) best.pop()
    }
  }
  return best.map(([, id]) => id)
}

async function runOne (engine: string, n: number) {
  const gen = makeGenerator(Number(argv.centroids))
  const scratch = await benchDatabase(engine, serverUrl)
  if (scratch === undefined) { console.log('postgres: skipped (set BENCH_DATABASE_URL)'); return }
  const { db, cleanup } = scratch
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS vector')
    await db.query('CREATE TABLE bench_vectors (id integer PRIMARY KEY, embedding vector(512) NOT NULL)')
    const data = new Float32Array(n * D)
    let t0 = performance.now()
    const batch = engine === 'postgres' ? 2000 : 500
    for (let start = 0; start < n; start += batch) {
      const texts: string[] = []
      const idsChunk: number[] = []
      for (let i = start; i < Math.min(n, start + batch); i++) {
        const v = gen(); data.set(v, i * D); texts.push(vectorText(v)); idsChunk.push(i + 1)
      }
      await db.query('INSERT INTO bench_vectors (id, embedding) SELECT i, v::vector FROM unnest($1::int[], $2::text[]) AS t (i, v)', [idsChunk, texts])
    }
    const loadS = (performance.now() - t0) / 1000
    if (engine === 'postgres') {
      await db.query(`SET maintenance_work_mem = '${argv['maintenance-work-mem']}'`)
      await db.query(`SET max_parallel_maintenance_workers = ${Number(argv['parallel-workers'])}`)
    } else {
      await db.query(`SET maintenance_work_mem = '${argv['pglite-maintenance-work-mem']}'`)
    }
    t0 = performance.now()
    await db.query(`CREATE INDEX bench_hnsw ON bench_vectors USING hnsw (embedding vector_cosine_ops) WITH (m = ${Number(argv.m)}, ef_construction = ${Number(argv['ef-construction'])})`)
    const buildS = (performance.now() - t0) / 1000
    await db.query('ANALYZE bench_vectors')
    const [{ size }] = await db.query<{ size: string }>("SELECT pg_size_pretty(pg_relation_size('bench_hnsw')) AS size")
    console.log(`\n${engine}, ${n.toLocaleString('en')} vectors: load ${loadS.toFixed(1)} s, HNSW build ${buildS.toFixed(1)} s (m=${argv.m}, ef_construction=${argv['ef-construction']}${engine === 'postgres' ? `, maintenance_work_mem=${argv['maintenance-work-mem']}, parallel workers=${argv['parallel-workers']}` : `, maintenance_work_mem=${argv['pglite-maintenance-work-mem']}`}), index ${size}`)

    const queries = Array.from({ length: nQueries }, gen)
    const truth = await Promise.all(queries.map((q) => exactTop(data, n, q)))
    const sql = 'SELECT id FROM bench_vectors ORDER BY embedding <=> $1::vector LIMIT 10'
    const timed = async (q: Float32Array) => { const t = performance.now(); const rows = await db.query<{ id: number }>(sql, [vectorText(q)]); return { ms: performance.now() - t, ids: rows.map((r) => r.id) } }

    // The anchor: exact search in the same database (sequential scan), on the first queries.
    const exactMs: number[] = []
    let exactRecall = 0
    await db.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_indexscan = off')
      for (let i = 0; i < Math.min(nExact, nQueries); i++) {
        const t = performance.now()
        const rows = await tx.query<{ id: number }>(sql, [vectorText(queries[i]!)])
        exactMs.push(performance.now() - t)
        exactRecall += rows.filter((r) => truth[i]!.includes(r.id)).length / 10
      }
    })
    console.log('  query                       p50 ms   p95 ms   recall@10   vs exact p50')
    console.log(`  exact (no index)         ${ms(pct(exactMs, 0.5)).padStart(8)} ${ms(pct(exactMs, 0.95)).padStart(8)}   ${(exactRecall / Math.min(nExact, nQueries)).toFixed(3).padStart(9)}          1.0x`)
    for (const ef of efs) {
      await db.query(`SET hnsw.ef_search = ${ef}`)
      for (let i = 0; i < 10; i++) await timed(queries[i]!) // warm-up
      const times: number[] = []
      let recall = 0
      for (let i = 0; i < nQueries; i++) {
        const r = await timed(queries[i]!)
        times.push(r.ms)
        recall += r.ids.filter((id) => truth[i]!.includes(id)).length / 10
      }
      console.log(`  hnsw ef_search=${String(ef).padEnd(9)} ${ms(pct(times, 0.5)).padStart(8)} ${ms(pct(times, 0.95)).padStart(8)}   ${(recall / nQueries).toFixed(3).padStart(9)}   ${(pct(exactMs, 0.5) / pct(times, 0.5)).toFixed(0).padStart(8)}x faster`)
    }
  } finally {
    await cleanup()
  }
}

console.log(`bench/ml/vectors: ${D}-d unit vectors in ${argv.centroids} clusters, ${nQueries} queries (exact anchor on ${nExact}), Node ${process.version}`)
for (const n of sizes) for (const engine of engineList) await runOne(engine, n)
