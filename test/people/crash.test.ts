/**
 * kill -9 while the face stages are working through a batch of photos (real `hearth serve`
 * processes, the lite pack): faces stored before the crash survive with the same ids, assets
 * the pipeline had finished are not run again after the restart (their asset_ml_runs record is
 * untouched), and everything else is finished once, with no duplicated faces.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { oneEngine } from '../helpers/engines.ts'
import { litePack } from '../helpers/models.ts'
import { sandbox, waitFor } from '../helpers/process.ts'
import { variants } from './variants.ts'

const fixtures = resolve(import.meta.dirname, '../../../shared/fixtures/immich-test-assets')
const portrait = `${fixtures}/metadata/faces/portrait.jpg`
const craftBeer = `${fixtures}/albums/text/craft-beer.jpg`
const skip = existsSync(portrait) && existsSync(craftBeer) ? false : 'needs ../shared/fixtures'

interface Run { asset_id: string, stage: string, done_at: Date }

for (const engine of oneEngine('pglite')) {
  test(`[${engine}] kill -9 mid-ML: stored faces survive, finished assets are not redone, the rest finish once`, { skip, timeout: 600_000 }, async (t) => {
    const box = await sandbox(t, engine)
    const env = { HEARTH_MODELS_DIR: await litePack() }
    const first = await box.start(env)
    const admin = await first.client.signUpAdmin()
    const photos = [
      ...await variants(portrait, ['original', 'resized', 'recompressed', 'mirrored', 'rotated']),
      ...await variants(craftBeer, ['original', 'resized', 'recompressed', 'mirrored', 'rotated']),
    ]
    const ids: string[] = []
    for (const p of photos) {
      const r = await first.client.upload(admin, p)
      assert.equal(r.status, 201)
      ids.push(r.body.id as string)
    }
    const facesOf = async (client: typeof first.client, headers: Record<string, string>, id: string) =>
      ((await client.call('GET', `/api/faces?id=${id}`, { headers })).body as Array<{ id: string }>).map((f) => f.id).sort()
    // Kill as soon as the first assets have faces stored, while the rest are still waiting.
    await waitFor('faces on two assets', async () => {
      let n = 0
      for (const id of ids) if ((await facesOf(first.client, admin.headers, id)).length > 0) n++
      return n >= 2
    }, 300_000)
    assert.deepEqual(await first.kill(), { code: null, signal: 'SIGKILL' })
    const killedAt = new Date()

    const before = await box.withDb(async (db) => ({
      runs: await db.query<Run>(`SELECT asset_id, stage, done_at FROM asset_ml_runs WHERE stage IN ('faces', 'people')`),
      faces: await db.query<{ id: string, asset_id: string }>('SELECT id, asset_id FROM asset_faces'),
    }))
    const finished = before.runs.filter((r) => r.stage === 'faces')
    assert.ok(finished.length >= 1, 'some assets were finished before the crash')
    assert.ok(finished.length < ids.length, `the crash came mid-batch (${finished.length} of ${ids.length} done)`)
    t.diagnostic(`at the kill: ${finished.length} of ${ids.length} assets through faces, ${before.faces.length} faces stored`)

    const second = await box.start(env)
    const session = await second.client.login('admin@example.org', 'correct horse battery')
    await waitFor('every asset through faces and people', async () => {
      const r = await second.client.call('GET', '/api/jobs', { headers: session.headers })
      const q = r.body as Record<string, { jobCounts: { active: number, waiting: number, delayed: number } }>
      const busy = ['thumbnailGeneration', 'faceDetection', 'facialRecognition'].some((name) => {
        const c = q[name]?.jobCounts
        return c === undefined || c.active + c.waiting + c.delayed > 0
      })
      if (busy) return false
      for (const id of ids) if ((await facesOf(second.client, session.headers, id)).length === 0) return false
      return true
    }, 400_000)
    const people = (await second.client.call('GET', '/api/people', { headers: session.headers })).body as { total: number }
    assert.deepEqual(await second.stop(), { code: 0, signal: null })

    const afterwards = await box.withDb(async (db) => ({
      runs: await db.query<Run>(`SELECT asset_id, stage, done_at FROM asset_ml_runs WHERE stage IN ('faces', 'people')`),
      faces: await db.query<{ id: string, asset_id: string }>('SELECT id, asset_id FROM asset_faces'),
    }))
    // Every asset ran both stages, once each (one record per asset and stage).
    for (const stage of ['faces', 'people']) {
      assert.deepEqual(afterwards.runs.filter((r) => r.stage === stage).map((r) => r.asset_id).sort(), [...ids].sort(), stage)
    }
    // What was finished before the crash was not run again: its record is the one from before.
    for (const r of before.runs) {
      const now = afterwards.runs.find((x) => x.asset_id === r.asset_id && x.stage === r.stage)!
      assert.equal(new Date(now.done_at).getTime(), new Date(r.done_at).getTime(), `${r.stage} of ${r.asset_id} was redone`)
      assert.ok(new Date(r.done_at) < killedAt)
    }
    // Faces stored before the crash are all still there, same ids.
    const ids2 = new Set(afterwards.faces.map((f) => f.id))
    for (const f of before.faces) assert.ok(ids2.has(f.id), `face ${f.id} was lost`)
    // No duplicates: a portrait variant has at most two faces, a craft-beer variant one.
    const perAsset = new Map<string, number>()
    for (const f of afterwards.faces) perAsset.set(f.asset_id, (perAsset.get(f.asset_id) ?? 0) + 1)
    ids.forEach((id, i) => assert.ok((perAsset.get(id) ?? 0) <= (i < 5 ? 2 : 1), `${photos[i]!.name}: ${perAsset.get(id)} faces`))
    assert.equal(people.total, 2, 'Marie and the woman at the bar')
  })
}
