/**
 * Partner sharing (Immich's /api/partners) on both engines: Ann shares her library with Ben, who
 * may open her photos (not her trash or locked ones) but change nothing, and who chooses to show
 * them in his timeline, on his map, in his searches and memories, and may put them in his albums; Cat, not
 * a partner, sees nothing; sharing is one way and either side ends it.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'

for (const engine of engines) {
  describe(`[${engine}] partner sharing`, () => {
    let t: TestNode
    let ann: Session
    let ben: Session
    let cat: Session
    const id: Record<string, string> = {}
    const bytes: Record<string, Buffer> = {}
    const call = (s: Session | undefined, method: string, path: string, body?: unknown) => t.client.call(method, path, { headers: s?.headers ?? {}, body })
    /** Every asset id on a user's timeline (all months), with its owner. */
    const timeline = async (s: Session, q = '') => {
      const buckets = await call(s, 'GET', `/api/timeline/buckets${q}`)
      assert.equal(buckets.status, 200, JSON.stringify(buckets.body))
      const out: Array<[string, string]> = []
      for (const b of buckets.body as Array<{ timeBucket: string }>) {
        const r = (await call(s, 'GET', `/api/timeline/bucket${q === '' ? '?' : `${q}&`}timeBucket=${b.timeBucket}`)).body as { id: string[], ownerId: string[] }
        r.id.forEach((x, i) => out.push([x, r.ownerId[i]!]))
      }
      return out.sort()
    }
    before(async () => {
      t = await startTestNode(engine)
      ann = await t.client.signUpAdmin()
      ben = await t.client.createUser(ann, 'ben@example.org')
      cat = await t.client.createUser(ann, 'cat@example.org')
      for (const u of [['ann', ann], ['ben', ben], ['cat', cat]] as const) id[u[0]] = (await call(u[1], 'GET', '/api/users/me')).body.id
      for (const [name, who, date] of [['a1', ann, '2020-05-01T10:00:00Z'], ['a2', ann, '2020-06-01T10:00:00Z'], ['a3', ann, '2021-01-01T10:00:00Z'], ['a4', ann, '2021-02-01T10:00:00Z'], ['b1', ben, '2022-03-01T10:00:00Z']] as const) {
        bytes[name] = randomBytes(900)
        const r = await t.client.upload(who, { name: `${name}.jpg`, data: bytes[name] }, { fields: { fileCreatedAt: date } })
        assert.equal(r.status, 201)
        id[name] = r.body.id
      }
      assert.equal((await call(ann, 'PUT', '/api/assets', { ids: [id.a2], visibility: 'archive' })).status, 204)
      await t.client.lockAway(ann, [id.a4])
      assert.equal((await call(ann, 'DELETE', '/api/assets', { ids: [id.a3] })).status, 204)
    })
    after(async () => { await t.stop() })

    test('sharing: with another user once; not with yourself, nobody, or twice; both sides list it', async () => {
      const r = await call(ann, 'POST', '/api/partners', { sharedWithId: id.ben })
      assert.equal(r.status, 201, JSON.stringify(r.body))
      assert.deepEqual([r.body.id, r.body.email, r.body.inTimeline], [id.ben, 'ben@example.org', false])
      const again = await call(ann, 'POST', `/api/partners/${id.ben}`)
      assert.equal(again.status, 409)
      assert.match(again.body.message, /already share/)
      const self = await call(ann, 'POST', '/api/partners', { sharedWithId: id.ann })
      assert.equal(self.status, 400)
      assert.match(self.body.message, /with yourself/)
      assert.equal((await call(ann, 'POST', '/api/partners', { sharedWithId: '01a24820-b53d-7000-9381-af428f441136' })).status, 404)
      assert.equal((await call(ann, 'POST', '/api/partners', { sharedWithId: 'ben' })).status, 400)
      assert.equal((await call(undefined, 'POST', '/api/partners', { sharedWithId: id.ben })).status, 401)
      assert.deepEqual((await call(ann, 'GET', '/api/partners?direction=shared-by')).body.map((p: { id: string }) => p.id), [id.ben])
      assert.deepEqual((await call(ben, 'GET', '/api/partners?direction=shared-with')).body.map((p: { id: string, inTimeline: boolean }) => [p.id, p.inTimeline]), [[id.ann, false]])
      assert.deepEqual((await call(ben, 'GET', '/api/partners?direction=shared-by')).body, [])
      assert.deepEqual((await call(cat, 'GET', '/api/partners?direction=shared-with')).body, [])
      const bad = await call(ann, 'GET', '/api/partners')
      assert.equal(bad.status, 400)
      assert.match(bad.body.message, /direction/)
    })

    test('the partner opens the photos, not the trash or the locked ones, and changes nothing; others see nothing', async () => {
      for (const a of ['a1', 'a2']) {
        assert.equal((await call(ben, 'GET', `/api/assets/${id[a]}`)).status, 200, a)
        const original = await fetch(`${t.url}/api/assets/${id[a]}/original`, { headers: ben.headers })
        assert.equal(original.status, 200)
        assert.deepEqual(Buffer.from(await original.arrayBuffer()), bytes[a], 'the original, byte for byte')
      }
      for (const a of ['a3', 'a4']) assert.equal((await call(ben, 'GET', `/api/assets/${id[a]}`)).status, 404, `${a}: trashed or locked`)
      assert.equal((await call(cat, 'GET', `/api/assets/${id.a1}`)).status, 404, 'not a partner')
      assert.equal((await call(ann, 'GET', `/api/assets/${id.b1}`)).status, 404, 'one way')
      // Ben can change nothing of Ann's.
      assert.ok((await call(ben, 'PUT', `/api/assets/${id.a1}`, { isFavorite: true })).status >= 400)
      await call(ben, 'PUT', '/api/assets', { ids: [id.a1], isFavorite: true, visibility: 'archive' })
      await call(ben, 'DELETE', '/api/assets', { ids: [id.a1], force: true })
      // Her rotation shows for him too; he cannot rotate it.
      assert.equal((await call(ann, 'PUT', `/api/assets/${id.a1}/edits`, { rotation: 90 })).status, 200)
      assert.deepEqual((await call(ben, 'GET', `/api/assets/${id.a1}/edits`)).body, { rotation: 90 })
      assert.equal((await call(ben, 'PUT', `/api/assets/${id.a1}/edits`, { rotation: 180 })).status, 404)
      assert.equal((await call(cat, 'GET', `/api/assets/${id.a1}/edits`)).status, 404)
      assert.deepEqual((await call(ann, 'GET', `/api/assets/${id.a1}/edits`)).body, { rotation: 90 })
      assert.equal((await call(ann, 'PUT', `/api/assets/${id.a4}/edits`, { rotation: 270 })).status, 200)
      const mine = (await call(ann, 'GET', `/api/assets/${id.a1}`)).body
      assert.deepEqual([mine.isFavorite, mine.visibility, mine.isTrashed], [false, 'timeline', false])
    })

    test('the partner\'s timeline shows her photos only once he asks; the map too; only her timeline\'s', async () => {
      await t.node.db.query(
        `INSERT INTO asset_exif (asset_id, latitude, longitude) VALUES ($1, 38.7169, -9.1399), ($2, 38.7169, -9.1399)
         ON CONFLICT (asset_id) DO UPDATE SET latitude = excluded.latitude, longitude = excluded.longitude`, [id.a1, id.b1])
      const markers = async (q: string) => ((await call(ben, 'GET', `/api/map/markers${q}`)).body as Array<{ id: string }>).map((m) => m.id).sort()
      assert.deepEqual(await timeline(ben, '?withPartners=true'), [[id.b1, id.ben]])
      assert.deepEqual(await markers('?withPartners=true'), [id.b1])
      const on = await call(ben, 'PUT', `/api/partners/${id.ann}`, { inTimeline: true })
      assert.equal(on.status, 200, JSON.stringify(on.body))
      assert.equal(on.body.inTimeline, true)
      assert.deepEqual(await timeline(ben, '?withPartners=true'), [[id.a1, id.ann], [id.b1, id.ben]].sort(), 'her timeline photo, not her archive, trash or locked')
      assert.deepEqual(await timeline(ben), [[id.b1, id.ben]], 'only when asked')
      assert.deepEqual(await markers('?withPartners=true'), [id.a1, id.b1].sort())
      // Her rotations come with her photos for his grid: not those of her locked photo.
      assert.deepEqual((await call(ben, 'GET', '/api/edits?withPartners=true')).body, { [id.a1]: { rotation: 90 } })
      assert.deepEqual((await call(ben, 'GET', '/api/edits')).body, {})
      assert.deepEqual(await markers(''), [id.b1])
      assert.deepEqual(await timeline(ann, '?withPartners=true'), [[id.a1, id.ann]], 'one way')
      assert.deepEqual(await timeline(cat, '?withPartners=true'), [])
      const refused = await call(ben, 'GET', '/api/timeline/buckets?withPartners=true&isFavorite=true')
      assert.equal(refused.status, 400)
      assert.match(refused.body.message, /withPartners: only for the timeline itself/)
      // Only the one shared with chooses.
      assert.equal((await call(ann, 'PUT', `/api/partners/${id.ben}`, { inTimeline: true })).status, 404)
      assert.equal((await call(cat, 'PUT', `/api/partners/${id.ann}`, { inTimeline: true })).status, 404)
      assert.equal((await call(ben, 'PUT', `/api/partners/${id.ann}`, { inTimeline: 'yes' })).status, 400)
    })

    test('his searches and memories find her timeline photos while he shows them, not her archive, trash or locked ones; his albums may take them', async () => {
      await t.node.db.query("UPDATE asset_exif SET city = 'Lisbon', country = 'Portugal' WHERE asset_id = $1", [id.a1])
      const metadata = async (s: Session, body: Record<string, unknown> = {}) => {
        const r = await call(s, 'POST', '/api/search/metadata', body)
        assert.equal(r.status, 200, JSON.stringify(r.body))
        return (r.body.assets.items as Array<{ id: string }>).map((a) => a.id).sort()
      }
      const smart = async (s: Session, query: string, more: Record<string, unknown> = {}) => {
        const r = await call(s, 'POST', '/api/search/smart', { query, ...more })
        assert.equal(r.status, 200, JSON.stringify(r.body))
        return (r.body.assets.items as Array<{ id: string }>).map((a) => a.id).sort()
      }
      assert.deepEqual(await metadata(ben), [id.a1, id.b1].sort(), 'his, and her timeline photo: not a2 (archived), a3 (trash) or a4 (locked)')
      assert.deepEqual(await metadata(ben, { withPartners: false }), [id.b1])
      assert.deepEqual(await metadata(ben, { isTrashed: true }), [])
      assert.deepEqual(await metadata(ben, { visibility: 'archive' }), [])
      assert.deepEqual(await metadata(ben, { ids: [id.a1, id.a2, id.a4] }), [id.a1], 'a map marker\'s photos')
      assert.deepEqual(await metadata(ben, { city: 'Lisbon' }), [id.a1])
      assert.ok(!(await metadata(ann)).includes(id.b1), 'one way')
      assert.deepEqual(await metadata(cat), [])
      // Her city is known to his search ("Lisbon" is a place, not a word to look for).
      assert.deepEqual(await smart(ben, 'Lisbon'), [id.a1])
      assert.deepEqual(await smart(ben, 'Lisbon', { withPartners: false }), [])
      assert.deepEqual(await smart(ben, 'a1'), [id.a1], 'her file name')
      assert.deepEqual(await smart(ben, 'a2'), [], 'not her archive')
      assert.deepEqual(await smart(cat, 'Lisbon'), [])
      assert.deepEqual(await smart(cat, 'a1'), [])
      // On this day: her photo of 1 May 2020 is among his memories; hers have none of his.
      const lane = async (s: Session) => ((await call(s, 'GET', '/api/assets/memory-lane?day=1&month=5&year=2026')).body as Array<{ assets: Array<{ id: string }> }>).flatMap((m) => m.assets.map((a) => a.id))
      const memories = async (s: Session) => ((await call(s, 'GET', '/api/memories?for=2026-05-01T12:00:00Z')).body as Array<{ assets: Array<{ id: string }> }>).flatMap((m) => m.assets.map((a) => a.id))
      assert.deepEqual(await lane(ben), [id.a1])
      assert.deepEqual(await memories(ben), [id.a1])
      assert.deepEqual(await lane(cat), [])
      assert.deepEqual((await call(ann, 'GET', '/api/assets/memory-lane?day=1&month=3&year=2026')).body, [], 'one way: not his photo of 1 March')
      // Shared with him but not shown: his searches and memories are his own again.
      assert.equal((await call(ben, 'PUT', `/api/partners/${id.ann}`, { inTimeline: false })).status, 200)
      assert.deepEqual(await metadata(ben), [id.b1])
      assert.deepEqual(await smart(ben, 'a1'), [])
      assert.deepEqual(await lane(ben), [])
      assert.equal((await call(ben, 'PUT', `/api/partners/${id.ann}`, { inTimeline: true })).status, 200)

      // His album takes her photos (Immich's partner asset.share), not her locked or trashed ones; Cat's does not.
      const album = await call(ben, 'POST', '/api/albums', { albumName: 'Both of us', assetIds: [id.a1, id.b1] })
      assert.equal(album.status, 201, JSON.stringify(album.body))
      const more = await call(ben, 'PUT', `/api/albums/${album.body.id}/assets`, { ids: [id.a2, id.a3, id.a4] })
      assert.deepEqual(more.body, [{ id: id.a2, success: true }, { id: id.a3, success: false, error: 'no_permission' }, { id: id.a4, success: false, error: 'no_permission' }])
      const inAlbum = (await call(ben, 'GET', `/api/albums/${album.body.id}`)).body.assets as Array<{ id: string, ownerId: string }>
      assert.deepEqual(inAlbum.map((a) => [a.id, a.ownerId]).sort(), [[id.a1, id.ann], [id.a2, id.ann], [id.b1, id.ben]].sort())
      const cats = await call(cat, 'POST', '/api/albums', { albumName: 'Not hers', assetIds: [id.a1] })
      assert.equal(cats.status, 201)
      assert.deepEqual((await call(cat, 'GET', `/api/albums/${cats.body.id}`)).body.assets, [])
      assert.equal((await call(ben, 'DELETE', `/api/albums/${album.body.id}`)).status, 204)
    })

    test('either side ends it: her photos are gone from his timeline and out of his reach', async () => {
      assert.equal((await call(ann, 'DELETE', `/api/partners/${id.ben}`)).status, 204)
      assert.equal((await call(ben, 'GET', `/api/assets/${id.a1}`)).status, 404)
      assert.deepEqual(await timeline(ben, '?withPartners=true'), [[id.b1, id.ben]])
      assert.equal((await call(ann, 'DELETE', `/api/partners/${id.ben}`)).status, 404)
      assert.equal((await call(ann, 'POST', '/api/partners', { sharedWithId: id.ben })).status, 201)
      assert.equal((await call(ben, 'GET', `/api/assets/${id.a1}`)).status, 200)
      assert.equal((await call(ben, 'DELETE', `/api/partners/${id.ann}`)).status, 204, 'he may stop seeing them')
      assert.equal((await call(ben, 'GET', `/api/assets/${id.a1}`)).status, 404)
      assert.deepEqual((await call(ann, 'GET', '/api/partners?direction=shared-by')).body, [])
    })
  })
}
