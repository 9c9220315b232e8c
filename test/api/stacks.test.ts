/**
 * Stacks (Immich's /api/stacks) on both engines: the owner stacks photos under a cover; the
 * timeline with withStacked shows the cover alone with its count; the cover is chosen again,
 * handed on when it is trashed, taken out or deleted for good, and left out of the archive's view;
 * stacks merge; a photo moved to the locked folder leaves its stack; nobody else reaches a stack.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import sharp from 'sharp'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'

interface Bucket { id: string[], stack?: Array<[string, string] | null> }

for (const engine of engines) {
  describe(`[${engine}] stacks`, () => {
    let t: TestNode
    let ann: Session, ben: Session
    // Taken on 2024-07-14 at 10:00 (a), 10:01 (b), 10:02 (c) and 12:00 (d).
    let a = '', b = '', c = '', d = '', bens = ''
    const call = (s: Session, method: string, path: string, body?: unknown) => t.client.call(method, path, { headers: s.headers, body })
    const month = async (s: Session, extra = '&withStacked=true') => (await call(s, 'GET', `/api/timeline/bucket?timeBucket=2024-07-01${extra}`)).body as Bucket
    /** The month as [id, stack count] pairs, withStacked. */
    const shown = async (extra = '') => {
      const m = await month(ann, `&withStacked=true${extra}`)
      return m.id.map((id, i) => [id, m.stack![i]?.[1] ?? null])
    }

    before(async () => {
      t = await startTestNode(engine)
      ann = await t.client.signUpAdmin()
      ben = await t.client.createUser(ann, 'ben@example.org')
      const up = async (s: Session, colour: string, at: string) => {
        const data = await sharp({ create: { width: 24, height: 16, channels: 3, background: colour } }).jpeg().toBuffer()
        const r = await t.client.upload(s, { name: `${colour.slice(1)}.jpg`, data }, { fields: { fileCreatedAt: at, fileModifiedAt: at } })
        assert.equal(r.status, 201, JSON.stringify(r.body))
        return r.body.id as string
      }
      a = await up(ann, '#a00', '2024-07-14T10:00:00.000Z')
      b = await up(ann, '#0b0', '2024-07-14T10:01:00.000Z')
      c = await up(ann, '#00c', '2024-07-14T10:02:00.000Z')
      d = await up(ann, '#dd0', '2024-07-14T12:00:00.000Z')
      bens = await up(ben, '#0ee', '2024-07-14T11:00:00.000Z')
    })
    after(async () => { await t.stop() })

    let stack = ''

    test('a stack shows as its cover with its count; the cover first in the stack, then newest first; each photo knows its stack', async () => {
      const made = await call(ann, 'POST', '/api/stacks', { assetIds: [b, a, c] })
      assert.equal(made.status, 201, JSON.stringify(made.body))
      stack = made.body.id
      assert.equal(made.body.primaryAssetId, b)
      assert.deepEqual(made.body.assets.map((x: { id: string }) => x.id), [b, c, a])
      assert.deepEqual(await shown(), [[d, null], [b, '3']])
      const buckets = (await call(ann, 'GET', '/api/timeline/buckets?withStacked=true')).body
      assert.deepEqual(buckets, [{ timeBucket: '2024-07-01', count: 2 }])
      // Without withStacked every photo is there, as before stacks.
      const plain = await month(ann, '')
      assert.deepEqual(plain.id, [d, c, b, a])
      assert.equal(plain.stack, undefined)
      const asset = (await call(ann, 'GET', `/api/assets/${a}`)).body
      assert.deepEqual(asset.stack, { id: stack, primaryAssetId: b, assetCount: 3 })
      assert.equal((await call(ann, 'GET', `/api/assets/${d}`)).body.stack, null)
      assert.deepEqual((await call(ann, 'GET', `/api/stacks?primaryAssetId=${b}`)).body.map((s: { id: string }) => s.id), [stack])
      assert.equal((await call(ann, 'GET', `/api/stacks/${stack}`)).body.assets.length, 3)
    })

    test('the cover is chosen again; one trashed or archived hands the view to the newest left', async () => {
      const put = await call(ann, 'PUT', `/api/stacks/${stack}`, { primaryAssetId: a })
      assert.equal(put.status, 200)
      assert.deepEqual(put.body.assets.map((x: { id: string }) => x.id), [a, c, b])
      assert.deepEqual(await shown(), [[d, null], [a, '3']])
      const outsider = await call(ann, 'PUT', `/api/stacks/${stack}`, { primaryAssetId: d })
      assert.equal(outsider.status, 400)
      assert.match(outsider.body.message, /not a photo of this stack/)

      assert.equal((await call(ann, 'DELETE', '/api/assets', { ids: [a] })).status, 204)
      assert.deepEqual(await shown(), [[d, null], [c, '2']], 'the newest photo left stands for the stack')
      assert.equal((await call(ann, 'POST', '/api/trash/restore/assets', { ids: [a] })).status, 200)
      assert.deepEqual(await shown(), [[d, null], [a, '3']])

      assert.equal((await call(ann, 'PUT', '/api/assets', { ids: [c], visibility: 'archive' })).status, 204)
      assert.deepEqual(await shown(), [[d, null], [a, '2']])
      assert.deepEqual(await shown('&visibility=archive'), [[c, null]], 'alone in the archive: no count')
      assert.equal((await call(ann, 'PUT', '/api/assets', { ids: [c], visibility: 'timeline' })).status, 204)
    })

    test('refused: one photo, someone else\'s, a trashed one; withStacked beside a filter it would spoil; another user reaches nothing', async () => {
      const one = await call(ann, 'POST', '/api/stacks', { assetIds: [d, d] })
      assert.equal(one.status, 400)
      assert.match(one.body.message, /at least two different photos/)
      const theirs = await call(ben, 'POST', '/api/stacks', { assetIds: [bens, d] })
      assert.equal(theirs.status, 400)
      assert.match(theirs.body.message, /not one of your photos/)
      assert.equal((await call(ann, 'DELETE', '/api/assets', { ids: [d] })).status, 204)
      const trashed = await call(ann, 'POST', '/api/stacks', { assetIds: [a, d] })
      assert.equal(trashed.status, 400)
      assert.match(trashed.body.message, /in the trash/)
      assert.equal((await call(ann, 'POST', '/api/trash/restore/assets', { ids: [d] })).status, 200)
      assert.equal((await call(ann, 'GET', '/api/timeline/bucket?timeBucket=2024-07-01&withStacked=true&isFavorite=true')).status, 400)
      assert.equal((await call(ann, 'GET', '/api/timeline/buckets?withStacked=true&isTrashed=true')).status, 400)
      for (const [method, path, body] of [['GET', `/api/stacks/${stack}`], ['PUT', `/api/stacks/${stack}`, { primaryAssetId: a }], ['DELETE', `/api/stacks/${stack}`],
        ['DELETE', `/api/stacks/${stack}/assets/${a}`], ['DELETE', '/api/stacks', { ids: [stack] }]] as const) {
        assert.equal((await call(ben, method, path, body)).status, 404, `${method} ${path}`)
      }
      assert.deepEqual((await call(ben, 'GET', '/api/stacks')).body, [])
      assert.equal((await call(ann, 'GET', `/api/stacks/${stack}`)).body.assets.length, 3, 'untouched')
    })

    test('stacks merge; a photo taken out, the cover too; one moved to the locked folder leaves; one deleted for good; a stack left with one photo ends', async () => {
      const merged = await call(ann, 'POST', '/api/stacks', { assetIds: [d, a] })
      assert.equal(merged.status, 201)
      assert.deepEqual(merged.body.assets.map((x: { id: string }) => x.id), [d, c, b, a], 'the old stack\'s photos came along')
      assert.equal((await call(ann, 'GET', `/api/stacks/${stack}`)).status, 404, 'the old stack ended')
      stack = merged.body.id
      assert.deepEqual(await shown(), [[d, '4']])

      assert.equal((await call(ann, 'DELETE', `/api/stacks/${stack}/assets/${d}`)).status, 204)
      assert.equal((await call(ann, 'GET', `/api/stacks/${stack}`)).body.primaryAssetId, c, 'the cover went to the newest left')
      assert.deepEqual(await shown(), [[d, null], [c, '3']])
      assert.equal((await call(ann, 'DELETE', `/api/stacks/${stack}/assets/${d}`)).status, 404, 'no longer in it')

      await t.client.lockAway(ann, [c])
      assert.equal((await call(ann, 'GET', `/api/stacks/${stack}`)).body.primaryAssetId, b)
      assert.deepEqual(await shown(), [[d, null], [b, '2']], 'the locked photo is neither shown nor counted')

      assert.equal((await call(ann, 'DELETE', '/api/assets', { ids: [b], force: true })).status, 204)
      assert.equal((await call(ann, 'GET', `/api/stacks/${stack}`)).status, 404, 'one photo left: the stack ended')
      assert.equal((await call(ann, 'GET', `/api/assets/${a}`)).body.stack, null)
      assert.deepEqual(await shown(), [[d, null], [a, null]])
    })

    test('an uploaded RAW file and its JPEG (the same name, the same day) become a stack, the JPEG on top; a RAW alone does not', async () => {
      // No RAW files ship in the fixtures: JPEG bytes named .CR2 stand in (the pairing goes by name and type).
      const bytes = async (colour: string) => sharp({ create: { width: 30, height: 20, channels: 3, background: colour } }).jpeg().toBuffer()
      const at = { fileCreatedAt: '2023-03-03T09:00:00.000Z', fileModifiedAt: '2023-03-03T09:00:00.000Z' }
      const raw = (await t.client.upload(ann, { name: 'IMG_4242.CR2', data: await bytes('#111') }, { fields: at })).body.id as string
      assert.equal((await call(ann, 'GET', `/api/assets/${raw}`)).body.stack, null, 'alone, so far')
      const jpg = (await t.client.upload(ann, { name: 'IMG_4242.JPG', data: await bytes('#222') }, { fields: at })).body.id as string
      const stacked = (await call(ann, 'GET', `/api/assets/${raw}`)).body.stack
      assert.deepEqual(stacked && { primaryAssetId: stacked.primaryAssetId, assetCount: stacked.assetCount }, { primaryAssetId: jpg, assetCount: 2 })
      const lone = (await t.client.upload(ann, { name: 'IMG_4243.CR2', data: await bytes('#333') }, { fields: at })).body.id as string
      assert.equal((await call(ann, 'GET', `/api/assets/${lone}`)).body.stack, null)
      assert.equal((await call(ann, 'DELETE', `/api/stacks/${stacked.id as string}`)).status, 204)
    })

    test('unstack one, or several at once (all yours, or none ends)', async () => {
      const one = (await call(ann, 'POST', '/api/stacks', { assetIds: [a, d] })).body.id
      assert.equal((await call(ann, 'DELETE', `/api/stacks/${one}`)).status, 204)
      assert.deepEqual(await shown(), [[d, null], [a, null]])
      const again = (await call(ann, 'POST', '/api/stacks', { assetIds: [d, a] })).body.id
      const foreign = await call(ann, 'DELETE', '/api/stacks', { ids: [again, '01900000-0000-7000-8000-000000000000'] })
      assert.equal(foreign.status, 404)
      assert.deepEqual(await shown(), [[d, '2']], 'nothing ended')
      assert.equal((await call(ann, 'DELETE', '/api/stacks', { ids: [again] })).status, 204)
      assert.deepEqual(await shown(), [[d, null], [a, null]])
    })
  })
}
