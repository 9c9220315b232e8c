/**
 * Duplicates on both engines with real fixture photos: resized, recompressed and 5%-cropped copies
 * made from fixtures are grouped with their original; different photos, including look-alikes (the
 * same Tuscan street from a few metres apart, two cameras' test shots), are not. Dismissing and
 * resolving through Immich's API; per-user isolation.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import sharp from 'sharp'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { createDuplicates } from '../../node/duplicates/module.ts'

const shared = resolve(import.meta.dirname, '../../../shared/fixtures')
const fixture = (p: string) => join(shared, p)
const originals: Record<string, string> = {
  falcon: 'immich-test-assets/albums/nature/prairie_falcon.jpg',
  ridge: 'immich-test-assets/albums/nature/tanners_ridge.jpg',
  street10: 'exif-samples/jpg/gps/DSCN0010.jpg',
  street12: 'exif-samples/jpg/gps/DSCN0012.jpg',
  street21: 'exif-samples/jpg/gps/DSCN0021.jpg',
  fuji6900: 'exif-samples/jpg/Fujifilm_FinePix6900ZOOM.jpg',
  fujiE500: 'exif-samples/jpg/Fujifilm_FinePix_E500.jpg',
  rocks: 'immich-test-assets/albums/nature/el_torcal_rocks.jpg',
  silverFir: 'immich-test-assets/albums/nature/silver_fir.jpg',
}

async function variants (path: string): Promise<Record<string, Buffer>> {
  const { info } = await sharp(path).rotate().toBuffer({ resolveWithObject: true })
  const w = info.width; const h = info.height
  return {
    small: await sharp(path).rotate().resize(Math.round(w / 3)).jpeg({ quality: 90 }).toBuffer(),
    q35: await sharp(path).rotate().jpeg({ quality: 35 }).toBuffer(),
    crop: await sharp(path).rotate().extract({ left: Math.round(w * 0.025), top: Math.round(h * 0.025), width: Math.round(w * 0.95), height: Math.round(h * 0.95) }).jpeg({ quality: 90 }).toBuffer(),
  }
}

for (const engine of engines) {
  describe(`[${engine}] duplicates`, { skip: existsSync(shared) ? false : 'needs ../shared/fixtures (real camera photos)' }, () => {
    let t: TestNode
    let me: Session
    let other: Session
    const ids: Record<string, string> = {}
    const names = new Map<string, string>()
    let stage: ReturnType<typeof createDuplicates>['stage']

    const runStage = async (id: string) => {
      const [a] = await t.node.db.query<{ id: string, owner_id: string, type: 'IMAGE', preview_path: string, original_path: string, width: number, height: number }>(
        'SELECT id, owner_id, type, preview_path, original_path, width, height FROM assets WHERE id = $1', [id])
      await stage.run({ id: a!.id, ownerId: a!.owner_id, type: a!.type, previewPath: resolve(t.dataDir, a!.preview_path), originalPath: a!.original_path, width: a!.width, height: a!.height }, { signal: AbortSignal.timeout(60_000) })
    }
    const groups = async (who = me) => {
      const r = await t.client.call('GET', '/api/duplicates', { headers: who.headers })
      assert.equal(r.status, 200)
      return r.body as Array<{ duplicateId: string, assets: Array<{ id: string, duplicateId: string, isTrashed: boolean }> }>
    }
    const named = (g: Array<{ assets: Array<{ id: string }> }>) => g.map((x) => x.assets.map((a) => names.get(a.id)!).sort()).sort((a, b) => a[0]!.localeCompare(b[0]!))

    before(async () => {
      t = await startTestNode(engine)
      // The same stage the node's ML pipeline runs, for running detection again by hand.
      stage = createDuplicates({ db: t.node.db, trash: (ownerId, ids) => t.node.assets.repo.trash(ownerId, ids) }).stage
      me = await t.client.signUpAdmin()
      other = await t.client.createUser(me, 'other@example.org')
      const add = async (key: string, file: string | { name: string, data: Uint8Array }, who = me) => {
        const r = await t.client.upload(who, file)
        assert.equal(r.status, 201, `${key}: ${JSON.stringify(r.body)}`)
        ids[key] = r.body.id as string
        names.set(r.body.id as string, key)
      }
      for (const [key, path] of Object.entries(originals)) await add(key, fixture(path))
      for (const key of ['falcon', 'ridge']) {
        for (const [kind, data] of Object.entries(await variants(fixture(originals[key]!)))) await add(`${key}-${kind}`, { name: `${key}-${kind}.jpg`, data })
      }
      await add('theirFalcon', fixture(originals.falcon!), other)
      await add('theirFalconSmall', { name: 'small.jpg', data: (await variants(fixture(originals.falcon!))).small }, other)
      // The node's ML pipeline runs the duplicate stage on each asset once its preview exists.
      await t.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration', 'duplicateDetection'], { timeoutMs: 300_000 })
    })
    after(async () => { await t.stop() })

    test('resized, recompressed and cropped copies are grouped with their original; different photos are not', async () => {
      assert.deepEqual(named(await groups()), [
        ['falcon', 'falcon-crop', 'falcon-q35', 'falcon-small'],
        ['ridge', 'ridge-crop', 'ridge-q35', 'ridge-small'],
      ])
      const g = await groups()
      for (const group of g) assert.ok(group.assets.every((a) => a.duplicateId === group.duplicateId))
      // Running detection again changes nothing (the pipeline may repeat an asset after a crash).
      await runStage(ids['falcon-small']!)
      assert.deepEqual((await groups()).map((x) => x.duplicateId).sort(), g.map((x) => x.duplicateId).sort())
    })

    test('each user sees only their own groups', async () => {
      assert.deepEqual(named(await groups(other)), [['theirFalcon', 'theirFalconSmall']])
      const mine = await groups()
      assert.ok(mine.every((g) => g.assets.every((a) => !names.get(a.id)!.startsWith('their'))))
      const r = await t.client.call('POST', '/api/duplicates/resolve', { body: { groups: [{ duplicateId: mine[0]!.duplicateId }] }, headers: other.headers })
      assert.equal(r.status, 200)
      assert.deepEqual(r.body, [{ id: mine[0]!.duplicateId, success: false, error: 'not_found' }])
      assert.equal((await t.client.call('DELETE', `/api/duplicates/${mine[0]!.duplicateId}`, { headers: other.headers })).status, 404)
      assert.equal((await t.client.call('GET', '/api/duplicates')).status, 401)
    })

    test('the same file twice (a share holding a copy) is an exact duplicate', async () => {
      // Two paths with one content, as a share indexed in place can hold: the silver fir's row
      // takes the rocks' SHA-256 (uploads themselves refuse a second copy of the same file).
      await t.node.db.query('UPDATE assets SET checksum_sha256 = (SELECT checksum_sha256 FROM assets WHERE id = $1) WHERE id = $2', [ids.rocks, ids.silverFir])
      await runStage(ids.silverFir!)
      assert.ok(named(await groups()).some((g) => g.join() === 'rocks,silverFir'))
    })

    test('dismissing a group dissolves it for good', async () => {
      const g = (await groups()).find((x) => x.assets.some((a) => a.id === ids.rocks))!
      assert.equal((await t.client.call('DELETE', `/api/duplicates/${g.duplicateId}`, { headers: me.headers })).status, 204)
      assert.ok(!(await groups()).some((x) => x.duplicateId === g.duplicateId))
      await runStage(ids.rocks!); await runStage(ids.silverFir!)
      assert.ok(!named(await groups()).some((x) => x.includes('rocks')), 'not grouped again after "not duplicates"')
      assert.equal((await t.client.call('DELETE', `/api/duplicates/${g.duplicateId}`, { headers: me.headers })).status, 404)
    })

    test('resolving keeps the best copy (resolution, then metadata) and trashes the rest; nothing is deleted', async () => {
      const g = (await groups()).find((x) => x.assets.some((a) => a.id === ids.falcon))!
      const r = await t.client.call('POST', '/api/duplicates/resolve', { body: { groups: [{ duplicateId: g.duplicateId }] }, headers: me.headers })
      assert.equal(r.status, 200)
      assert.equal(r.body[0].success, true)
      // The original and its q35 copy have the same size; the original's camera metadata wins.
      assert.deepEqual(r.body[0].kept, [ids.falcon])
      assert.deepEqual([...r.body[0].trashed].map((id: string) => names.get(id)).sort(), ['falcon-crop', 'falcon-q35', 'falcon-small'])
      for (const key of ['falcon-crop', 'falcon-q35', 'falcon-small']) {
        const a = await t.client.call('GET', `/api/assets/${ids[key]}`, { headers: me.headers })
        assert.equal(a.body.isTrashed, true, key)
        assert.ok((await readFile(resolve(t.dataDir, a.body.originalPath))).length > 0, 'the original file is still there')
      }
      assert.equal((await t.client.call('GET', `/api/assets/${ids.falcon}`, { headers: me.headers })).body.isTrashed, false)
      assert.ok(!(await groups()).some((x) => x.duplicateId === g.duplicateId))
    })

    test('resolving with a choice keeps exactly that copy; a wrong id changes nothing', async () => {
      const g = (await groups()).find((x) => x.assets.some((a) => a.id === ids.ridge))!
      const bad = await t.client.call('POST', '/api/duplicates/resolve', { body: { groups: [{ duplicateId: g.duplicateId, keepAssetIds: [ids.falcon] }] }, headers: me.headers })
      assert.deepEqual(bad.body, [{ id: g.duplicateId, success: false, error: 'invalid', message: 'an asset id is not in this duplicate group' }])
      assert.equal((await groups()).find((x) => x.duplicateId === g.duplicateId)!.assets.length, 4)
      const r = await t.client.call('POST', '/api/duplicates/resolve', { body: { groups: [{ duplicateId: g.duplicateId, keepAssetIds: [ids['ridge-small']] }] }, headers: me.headers })
      assert.equal(r.body[0].success, true)
      for (const key of ['ridge', 'ridge-crop', 'ridge-q35']) assert.equal((await t.client.call('GET', `/api/assets/${ids[key]}`, { headers: me.headers })).body.isTrashed, true, key)
      assert.equal((await t.client.call('GET', `/api/assets/${ids['ridge-small']}`, { headers: me.headers })).body.isTrashed, false)
      assert.deepEqual(await groups(), [])
    })
  })
}
