/**
 * PUT /api/assets/{id} with a description and a rating (Immich's): kept in Hearth, never written
 * to the file; searchable; the owner's alone; a value the file's metadata read arrives after does
 * not replace it (a rescan of a changed library file: test/libraries/libraries.test.ts). A new date
 * or place is refused with the reason. PUT /api/assets does the same to several assets at once.
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'

const photo = join(import.meta.dirname, '../../../shared/fixtures/exif-samples/jpg/Canon_40D.jpg')
const sha1 = async (path: string) => createHash('sha1').update(await readFile(path)).digest('hex')

for (const engine of engines) {
  describe(`asset description and rating [${engine}]`, () => {
    let t: TestNode
    let admin: Session
    let bob: Session
    let id: string
    before(async () => {
      t = await startTestNode(engine)
      admin = await t.client.signUpAdmin()
      bob = await t.client.createUser(admin, 'bob@example.org')
      id = (await t.client.upload(admin, photo)).body.id as string
      await t.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'])
    })
    after(async () => { await t.stop() })
    const put = (body: unknown, session = admin, asset = id) => t.client.call('PUT', `/api/assets/${asset}`, { headers: session.headers, body })
    const exif = async (asset = id) => (await t.client.call('GET', `/api/assets/${asset}`, { headers: admin.headers })).body.exifInfo as Record<string, unknown>

    test('set, read back, clear; the original file is untouched and the camera\'s metadata stays', async () => {
      const original = join(t.dataDir, (await t.client.call('GET', `/api/assets/${id}`, { headers: admin.headers })).body.originalPath as string)
      const before = await sha1(original)
      const r = await put({ description: 'Grandma\'s 80th, at the lake', rating: 4 })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      assert.deepEqual([r.body.exifInfo.description, r.body.exifInfo.rating, r.body.exifInfo.make], ['Grandma\'s 80th, at the lake', 4, 'Canon'])
      assert.deepEqual(await exif().then((e) => [e.description, e.rating]), ['Grandma\'s 80th, at the lake', 4])
      // A favourite alone leaves them as they are.
      assert.equal((await put({ isFavorite: true })).body.exifInfo.rating, 4)
      assert.deepEqual(await exif().then((e) => [e.description, e.rating]), ['Grandma\'s 80th, at the lake', 4])
      assert.equal((await put({ rating: null })).status, 200)
      assert.equal((await exif()).rating, null)
      assert.equal(await sha1(original), before, 'the file is not written')
    })

    test('the description is searched: metadata search\'s description filter and smart search, which says why', async () => {
      await put({ description: 'Grandma\'s 80th, at the lake' })
      const meta = await t.client.call('POST', '/api/search/metadata', { headers: admin.headers, body: { description: 'at the LAKE' } })
      assert.deepEqual(meta.body.assets.items.map((a: { id: string }) => a.id), [id])
      assert.equal((await t.client.call('POST', '/api/search/metadata', { headers: admin.headers, body: { description: 'seaside' } })).body.assets.total, 0)
      const smart = await t.client.call('POST', '/api/search/smart', { headers: admin.headers, body: { query: 'lake' } })
      assert.deepEqual(smart.body.assets.items.map((a: { id: string }) => a.id), [id])
      assert.deepEqual(smart.body.assets.items[0].hearth.reasons, [{ kind: 'words', term: 'lake', fields: ['description'] }])
      // Another user's search does not see it.
      assert.equal((await t.client.call('POST', '/api/search/smart', { headers: bob.headers, body: { query: 'lake' } })).body.assets.total, 0)
    })

    test('bad values are refused with a reason; another user can neither set nor see them', async () => {
      const tooMany = await put({ rating: 6 })
      assert.equal(tooMany.status, 400)
      assert.match(tooMany.body.message, /rating: from -1 \(rejected\) to 5 stars/)
      assert.equal((await put({ rating: 2.5 })).status, 400)
      const long = await put({ description: 'x'.repeat(10_001) })
      assert.equal(long.status, 400)
      assert.match(long.body.message, /at most 10,000 characters/)
      assert.equal((await put({ description: 'mine now' }, bob)).status, 404)
      assert.equal((await t.client.call('GET', `/api/assets/${id}`, { headers: bob.headers })).status, 404)
      assert.notEqual((await exif()).description, 'mine now')
    })

    test('a new date or place is refused with the reason, not ignored', async () => {
      for (const [body, why] of [[{ dateTimeOriginal: '2020-01-01T00:00:00Z' }, /cannot change a photo's date/], [{ latitude: 1, longitude: 2 }, /cannot change a photo's place/]] as const) {
        const r = await put(body)
        assert.equal(r.status, 400, JSON.stringify(r.body))
        assert.match(r.body.message, why)
      }
    })

    test('the bulk update (PUT /api/assets): favourite, rating and description on several at once; all must be the caller\'s, or none changes', async () => {
      const second = (await t.client.upload(admin, { name: 'second.jpg', data: Buffer.concat([await readFile(photo), Buffer.from('x')]) })).body.id as string
      const bobs = (await t.client.upload(bob, photo)).body.id as string
      await t.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'])
      const bulk = (body: unknown, session = admin) => t.client.call('PUT', '/api/assets', { headers: session.headers, body })
      const r = await bulk({ ids: [id, second, second], isFavorite: true, rating: 5, description: 'Summer 2008' })
      assert.equal(r.status, 204, JSON.stringify(r.body))
      for (const a of [id, second]) {
        const got = (await t.client.call('GET', `/api/assets/${a}`, { headers: admin.headers })).body
        assert.deepEqual([got.isFavorite, got.exifInfo.rating, got.exifInfo.description], [true, 5, 'Summer 2008'], a)
      }
      // One of them someone else's: 404, and nothing changed.
      const mixed = await bulk({ ids: [id, bobs], isFavorite: false, rating: 1 })
      assert.equal(mixed.status, 404)
      assert.match(mixed.body.message, new RegExp(bobs))
      assert.deepEqual(await exif().then((e) => e.rating), 5)
      assert.equal((await t.client.call('GET', `/api/assets/${id}`, { headers: admin.headers })).body.isFavorite, true)
      assert.equal((await t.client.call('GET', `/api/assets/${bobs}`, { headers: bob.headers })).body.exifInfo.rating, null)
      assert.equal((await bulk({ ids: [] })).status, 400)
      assert.equal((await bulk({ ids: [id], dateTimeOriginal: '2020-01-01T00:00:00Z' })).status, 400)
      assert.equal((await bulk({ ids: [id], isFavorite: false })).status, 204)
      assert.equal((await t.client.call('GET', `/api/assets/${id}`, { headers: admin.headers })).body.isFavorite, false)
    })

    test('a description given before the file\'s metadata is read outlives that read, which fills the rest', async () => {
      assert.equal((await t.client.call('PUT', '/api/jobs/metadataExtraction', { headers: admin.headers, body: { command: 'pause' } })).status, 200)
      const data = new Uint8Array(await readFile(photo))
      data[data.length - 3] ^= 0xff // another file (another checksum) of the same photo, so not a duplicate
      const fresh = (await t.client.upload(admin, { name: 'copy.jpg', data })).body.id as string
      try {
        const r = await put({ description: 'Written before the read' }, admin, fresh)
        assert.equal(r.status, 200, JSON.stringify(r.body))
        assert.equal(r.body.exifInfo.make, null, 'the metadata is not read yet')
      } finally {
        await t.client.call('PUT', '/api/jobs/metadataExtraction', { headers: admin.headers, body: { command: 'resume' } })
      }
      await t.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'])
      assert.deepEqual(await exif(fresh).then((e) => [e.description, e.make, e.exifImageWidth]), ['Written before the read', 'Canon', 100])
    })
  })
}
