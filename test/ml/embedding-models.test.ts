/**
 * Which model made each embedding, on both engines: migration 0010 fills `model` on a database
 * that already holds faces and CLIP embeddings; smart search compares a query only with images of
 * its own model (an image of another model never shows up, however close its vector); CLIP
 * duplicates stay within one model; and Immich's `PUT /api/jobs/smartSearch` with `force` embeds
 * every asset again, exactly once, replacing another model's vectors. CLIP is a generated pair
 * (test/helpers/clip-models.ts) installed as the immich pack, so the real pipeline embeds the
 * uploads as `ViT-B-32__openai`; "another model" is a vector written as `ViT-L-14__openai`.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { engines, freshPostgresDatabase, type Engine } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { colours, immichModelPaths, installClipModels } from '../helpers/clip-models.ts'
import { loadClipTokenizer } from '../../node/ml/clip/tokenizer.ts'
import { migrate, type Database } from '../../node/db/index.ts'
import { openPglite } from '../../node/db/pglite.ts'
import { openPostgres } from '../../node/db/postgres.ts'
import { uuidv7 } from '../../node/db/ids.ts'
import { createDuplicateRepo } from '../../node/duplicates/repo.ts'
import { MAX_CLIP_DISTANCE, MAX_HAMMING } from '../../node/duplicates/service.ts'

const OTHER_MODEL = 'ViT-L-14__openai'
const vector = (seed: number) => `[${Array.from({ length: 512 }, (_, i) => Math.sin(seed * 1000 + i)).join(',')}]`

async function rawDatabase (engine: Engine, dir: string): Promise<{ db: Database, done: () => Promise<void> }> {
  if (engine === 'pglite') {
    const db = await openPglite(join(dir, 'db'))
    return { db, done: () => db.close() }
  }
  const pg = await freshPostgresDatabase()
  const db = await openPostgres(pg.url)
  return { db, done: async () => { await db.close(); await pg.drop() } }
}

for (const engine of engines) {
  test(`[${engine}] migration 0010 names the model of the faces and CLIP embeddings already stored`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hearth-mig10-'))
    const { db, done } = await rawDatabase(engine, dir)
    try {
      await migrate(db, { upTo: 9 })
      const user = uuidv7()
      const asset = uuidv7()
      const face = uuidv7()
      await db.query(`INSERT INTO users (id, email, name, password_hash) VALUES ($1, 'a@example.org', 'A', 'x')`, [user])
      await db.query(
        `INSERT INTO assets (id, owner_id, type, original_path, original_file_name, mime_type, checksum_sha1, checksum_sha256, file_size, file_created_at, file_modified_at, local_date_time)
         VALUES ($1, $2, 'IMAGE', '/p/a.jpg', 'a.jpg', 'image/jpeg', '\\x01', '\\x02', 1, now(), now(), now())`, [asset, user])
      await db.query(`INSERT INTO asset_faces (id, asset_id, image_width, image_height, bounding_box_x1, bounding_box_y1, bounding_box_x2, bounding_box_y2) VALUES ($1, $2, 100, 100, 1, 1, 50, 50)`, [face, asset])
      await db.query('INSERT INTO face_search (face_id, embedding) VALUES ($1, $2::vector)', [face, vector(1)])
      await db.query('INSERT INTO smart_search (asset_id, embedding) VALUES ($1, $2::vector)', [asset, vector(2)])

      assert.deepEqual((await migrate(db, { upTo: 10 })).applied, ['0010_embedding_models'])
      assert.deepEqual(await db.query('SELECT face_id, model FROM face_search'), [{ face_id: face, model: 'lite/fr_feature' }])
      assert.deepEqual(await db.query('SELECT asset_id, model FROM smart_search'), [{ asset_id: asset, model: 'ViT-B-32__openai' }])
      // No default left behind: a writer that forgets the model fails instead of mislabelling.
      await db.query('DELETE FROM smart_search')
      await assert.rejects(db.query('INSERT INTO smart_search (asset_id, embedding) VALUES ($1, $2::vector)', [asset, vector(3)]), /null value in column "model"/)
      const indexes = (await db.query<{ name: string }>("SELECT indexname AS name FROM pg_indexes WHERE tablename IN ('face_search', 'smart_search') ORDER BY 1")).map((r) => r.name)
      for (const i of ['face_search_embedding', 'face_search_model', 'smart_search_embedding', 'smart_search_model']) assert.ok(indexes.includes(i), i)
    } finally {
      await done()
      await rm(dir, { recursive: true, force: true })
    }
  })

  describe(`[${engine}] CLIP embeddings of two models`, () => {
    let t: TestNode
    let me: Session
    let work: string
    const ids: Record<string, string> = {}
    const names = new Map<string, string>()
    const q = <T>(sql: string, params: unknown[] = []) => t.node.db.query<T>(sql, params)
    const search = async (body: Record<string, unknown>) => {
      const r = await t.client.call('POST', '/api/search/smart', { body, headers: me.headers })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      return (r.body.assets.items as Array<{ id: string }>).map((i) => names.get(i.id) ?? i.id)
    }
    const lastJob = async () => (await q<{ id: number | null }>('SELECT max(id)::int AS id FROM jobs'))[0]!.id ?? 0

    before(async () => {
      work = await mkdtemp(join(tmpdir(), 'hearth-clip-models-'))
      const modelsDir = join(work, 'models')
      await installClipModels(join(work, 'generated'), await loadClipTokenizer(), await immichModelPaths(modelsDir))
      t = await startTestNode(engine, { HEARTH_MODELS_DIR: modelsDir })
      me = await t.client.signUpAdmin()
      const [r, b] = [colours.red!, colours.blue!]
      const solid = (rgb: readonly number[]) => sharp({ create: { width: 320, height: 240, channels: 3, background: { r: rgb[0]!, g: rgb[1]!, b: rgb[2]! } } }).jpeg({ quality: 95 }).toBuffer()
      // Half red, half blue, split two ways: one mean colour (one generated CLIP vector), different pictures (pHash).
      const redOnBlue = (w: number, h: number) => sharp({ create: { width: 320, height: 240, channels: 3, background: { r: b[0], g: b[1], b: b[2] } } })
        .composite([{ input: { create: { width: w, height: h, channels: 3, background: { r: r[0], g: r[1], b: r[2] } } }, left: 0, top: 0 }])
        .jpeg({ quality: 95 }).toBuffer()
      const files: Array<[string, Buffer]> = [
        ['red', await solid(r)], ['blue', await solid(b)], ['green', await solid(colours.green!)],
        ['split-side', await redOnBlue(160, 240)], ['split-top', await redOnBlue(320, 120)],
      ]
      for (const [i, [key, data]] of files.entries()) {
        // Names that say nothing, so only CLIP can find a colour.
        const up = await t.client.upload(me, { name: `IMG_100${i}.jpg`, data })
        assert.equal(up.status, 201)
        ids[key] = up.body.id as string
        names.set(up.body.id as string, key)
      }
      await t.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration', 'smartSearch', 'duplicateDetection'], { timeoutMs: 300_000 })
    })
    after(async () => {
      await t?.stop()
      await rm(work, { recursive: true, force: true })
    })

    test('the local CLIP stage records ViT-B-32__openai; a query sees only images of its own model', async () => {
      const rows = await q<{ asset_id: string, model: string }>('SELECT asset_id, model FROM smart_search')
      assert.equal(rows.length, Object.keys(ids).length)
      assert.ok(rows.every((r) => r.model === 'ViT-B-32__openai'))
      assert.equal((await search({ query: 'red' }))[0], 'red')
      assert.ok((await search({ query: 'blue' })).includes('blue'))

      // The blue picture's vector from another model, placed exactly on the red picture's.
      await q(`UPDATE smart_search SET model = $2, embedding = (SELECT embedding FROM smart_search WHERE asset_id = $3) WHERE asset_id = $1`, [ids.blue, OTHER_MODEL, ids.red])
      const red = await search({ query: 'red' })
      assert.equal(red[0], 'red')
      assert.ok(!red.includes('blue'), `another model's vector is never a result: ${red.join(', ')}`)
      assert.ok(!(await search({ query: 'blue' })).includes('blue'))
      // "Similar to this photo" compares within the photo's own model: only blue is of ViT-L-14.
      assert.deepEqual(await search({ queryAssetId: ids.blue }), ['blue'])
      assert.ok(!(await search({ queryAssetId: ids.red })).includes('blue'))
    })

    test('CLIP duplicates only within one model', async () => {
      const repo = createDuplicateRepo(t.node.db)
      const candidates = async () => (await repo.candidates(ids['split-side']!, { maxHamming: MAX_HAMMING, maxClipDistance: MAX_CLIP_DISTANCE }))
        .filter((c) => c.id === ids['split-top']).map((c) => c.reason)
      assert.deepEqual(await candidates(), ['clip'], 'one mean colour, one model: CLIP copies (their pHashes differ)')
      await q('UPDATE smart_search SET model = $2 WHERE asset_id = $1', [ids['split-top'], OTHER_MODEL])
      assert.deepEqual(await candidates(), [], 'the same vector under another model is not a copy')
      await q('UPDATE smart_search SET model = $2 WHERE asset_id = $1', [ids['split-top'], 'ViT-B-32__openai'])
    })

    test('smartSearch with force: held by the paused backlog, then every asset embedded once, the other model\'s vector replaced', async () => {
      const assets = Object.values(ids).sort()
      const admin = { headers: me.headers }
      const split = await t.client.call('GET', '/api/admin/ml', admin)
      assert.deepEqual(split.body.embeddings, { faces: {}, clip: { 'ViT-B-32__openai': assets.length - 1, [OTHER_MODEL]: 1 } }, 'the admin sees the library split')
      assert.equal((await t.client.call('POST', '/api/admin/ml/window', { ...admin, body: { action: 'pause' } })).status, 200)
      const since = await lastJob()
      const r = await t.client.call('PUT', '/api/jobs/smartSearch', { ...admin, body: { command: 'start', force: true } })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      assert.equal(r.body.jobCounts.waiting, assets.length)
      assert.equal((await q("SELECT 1 FROM asset_ml_runs WHERE stage = 'clip'")).length, 0)
      await t.node.jobs.drained(['smartSearch'])
      assert.deepEqual(await q('SELECT model FROM smart_search WHERE asset_id = $1', [ids.blue]), [{ model: OTHER_MODEL }], 'held until run now')

      assert.equal((await t.client.call('POST', '/api/admin/ml/window', { ...admin, body: { action: 'run-now' } })).status, 200)
      const deadline = Date.now() + 120_000
      while ((await q("SELECT 1 FROM asset_ml_runs WHERE stage = 'clip'")).length < assets.length) {
        assert.ok(Date.now() < deadline, 'every asset embedded again')
        await new Promise((ok) => setTimeout(ok, 100))
      }
      await t.node.jobs.drained(['smartSearch'])
      const ran = (await q<{ asset: string }>(`SELECT payload->>'assetId' AS asset FROM jobs WHERE name = 'clip' AND id > $1 AND status = 'completed'`, [since])).map((x) => x.asset).sort()
      assert.deepEqual(ran, assets, 'each asset once')
      assert.deepEqual((await q<{ model: string }>('SELECT DISTINCT model FROM smart_search')).map((x) => x.model), ['ViT-B-32__openai'])
      assert.equal((await search({ query: 'blue' }))[0], 'blue', 'blue is blue again, and found')
      assert.deepEqual((await t.client.call('GET', '/api/admin/ml', admin)).body.embeddings.clip, { 'ViT-B-32__openai': assets.length })

      // start without force: nothing is missing, nothing is queued.
      const later = await lastJob()
      assert.equal((await t.client.call('PUT', '/api/jobs/smartSearch', { ...admin, body: { command: 'start' } })).status, 200)
      assert.equal(await lastJob(), later)
    })
  })
}
