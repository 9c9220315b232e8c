/**
 * Faces and people through a real node with the lite pack, on both engines: uploaded photos are
 * detected and clustered by the ML stages; the same person across photos is one person and
 * different people are not; Immich's people and faces API (name, birth date, feature face,
 * thumbnail, statistics, hide, merge, split, delete a face) and per-user isolation.
 *
 * The fixtures hold no second photo of anyone, so "photos of the same person" are variants of
 * one photo made here: resized, recompressed, mirrored, rotated, cropped.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import sharp from 'sharp'
import { engines } from '../helpers/engines.ts'
import { litePack } from '../helpers/models.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import { variants } from './variants.ts'
import type { Session } from '../helpers/client.ts'
import { waitFor } from '../helpers/process.ts'

const fixtures = resolve(import.meta.dirname, '../../../shared/fixtures/immich-test-assets')
const portrait = `${fixtures}/metadata/faces/portrait.jpg`
const craftBeer = `${fixtures}/albums/text/craft-beer.jpg`

/** Polls every 200 ms: the checks query a node that is busy running models. */
const until = (what: string, check: () => Promise<boolean>, timeoutMs = 300_000) => waitFor(what, check, timeoutMs, 200)

for (const engine of engines) {
  describe(`[${engine}] faces and people`, { skip: existsSync(portrait) && existsSync(craftBeer) ? false : 'needs ../shared/fixtures' }, () => {
    let t: TestNode
    let me: Session
    let other: Session
    /** asset name → id */
    const ids: Record<string, string> = {}
    let otherPortrait = ''
    const done = async (id: string) => (await t.node.db.query(`SELECT 1 FROM asset_ml_runs WHERE asset_id = $1 AND stage = 'people'`, [id])).length > 0
    const get = (who: Session, path: string) => t.client.call('GET', path, { headers: who.headers })
    const facesOf = async (who: Session, asset: string) => (await get(who, `/api/faces?id=${asset}`)).body as Array<{ id: string, boundingBoxX1: number, imageWidth: number, person: { id: string, name: string } | null }>

    before(async () => {
      t = await startTestNode(engine, { HEARTH_MODELS_DIR: await litePack() })
      me = await t.client.signUpAdmin()
      other = await t.client.createUser(me, 'other@example.org')
      const photos = [
        ...await variants(portrait, ['original', 'resized', 'recompressed', 'mirrored', 'rotated']),
        ...await variants(craftBeer, ['original', 'resized', 'recompressed', 'mirrored']),
      ]
      for (const p of photos) {
        const r = await t.client.upload(me, p)
        assert.equal(r.status, 201, JSON.stringify(r.body))
        ids[p.name] = r.body.id as string
      }
      const r = await t.client.upload(other, portrait)
      assert.equal(r.status, 201)
      otherPortrait = r.body.id as string
      for (const id of [...Object.values(ids), otherPortrait]) await until(`faces and people of ${id}`, () => done(id))
    })
    after(async () => { await t?.stop() })

    /** The person of the face at the left (or right) of an asset: Marie is left in the portrait, right when mirrored. */
    const personAt = async (name: string, side: 'left' | 'right') => {
      const faces = (await facesOf(me, ids[name]!)).sort((a, b) => a.boundingBoxX1 - b.boundingBoxX1)
      const f = side === 'left' ? faces[0] : faces[faces.length - 1]
      return f?.person?.id ?? null
    }

    test('the same person across photos is one person; different people are different', async () => {
      const marie = await Promise.all([
        personAt('portrait-original.jpg', 'left'), personAt('portrait-resized.jpg', 'left'), personAt('portrait-recompressed.jpg', 'left'),
        personAt('portrait-mirrored.jpg', 'right'), personAt('portrait-rotated.jpg', 'left'),
      ])
      const woman = await Promise.all(['original', 'resized', 'recompressed', 'mirrored'].map((v) => personAt(`craft-beer-${v}.jpg`, 'left')))
      assert.ok(marie[0] !== null && woman[0] !== null)
      assert.deepEqual(new Set(marie), new Set([marie[0]]), 'Marie is one person in all five photos')
      assert.deepEqual(new Set(woman), new Set([woman[0]]), 'the woman at the bar is one person in all four')
      assert.notEqual(marie[0], woman[0])
      const list = (await get(me, '/api/people')).body as { total: number, hidden: number, hasNextPage: boolean, people: Array<{ id: string }> }
      // Pierre (in profile) is found, but his few faces stay waiting for more (minFaces 3): no person yet.
      assert.deepEqual(new Set(list.people.map((p) => p.id)), new Set([marie[0], woman[0]]))
      assert.equal(list.total, 2)
      assert.equal(list.hidden, 0)
      assert.equal(list.hasNextPage, false)
      const original = await facesOf(me, ids['portrait-original.jpg']!)
      assert.equal(original.length, 2, 'both faces of the portrait are stored')
      assert.equal(original.filter((f) => f.person === null).length, 1, 'Pierre waits unassigned')
      assert.equal((await get(me, `/api/people/${marie[0]}/statistics`)).body.assets, 5)
      // Metadata search by person: every photo of Marie, none of the woman's.
      const search = async (personIds: string[]) => ((await t.client.call('POST', '/api/search/metadata', { headers: me.headers, body: { personIds } })).body.assets.items as Array<{ id: string }>).map((a) => a.id).sort()
      assert.deepEqual(await search([marie[0]!]), ['original', 'resized', 'recompressed', 'mirrored', 'rotated'].map((v) => ids[`portrait-${v}.jpg`]!).sort())
      assert.deepEqual(await search([marie[0]!, woman[0]!]), [], 'no photo shows both')
      assert.equal((await t.client.call('POST', '/api/search/metadata', { headers: other.headers, body: { personIds: [marie[0]] } })).body.assets.total, 0)
      // The asset response names the people on it, with their faces there.
      const asset = (await get(me, `/api/assets/${ids['portrait-original.jpg']}`)).body as { people: Array<{ id: string, faces: Array<Record<string, number>> }> }
      assert.deepEqual(asset.people.map((p) => p.id), [marie[0]])
      assert.equal(asset.people[0]!.faces.length, 1)
      const box = asset.people[0]!.faces[0]!
      assert.ok(box.boundingBoxX1! < box.boundingBoxX2! && box.boundingBoxX2! <= box.imageWidth! && box.imageWidth === 840)
    })

    test('another user\'s faces never join my people, and my people are 404 to them', async () => {
      const mine = (await get(me, '/api/people')).body.people as Array<{ id: string }>
      const theirs = (await get(other, '/api/people')).body
      assert.equal(theirs.total, 0, 'one photo of Marie is not enough for a person of their own')
      const theirFaces = await facesOf(other, otherPortrait)
      assert.equal(theirFaces.length, 2)
      assert.ok(theirFaces.every((f) => f.person === null), 'their Marie did not join my Marie')
      const myFace = (await facesOf(me, ids['portrait-original.jpg']!))[0]!
      for (const [method, path, body] of [
        ['GET', `/api/people/${mine[0]!.id}`], ['GET', `/api/people/${mine[0]!.id}/thumbnail`], ['GET', `/api/people/${mine[0]!.id}/statistics`],
        ['PUT', `/api/people/${mine[0]!.id}`, { name: 'Mallory' }], ['POST', `/api/people/${mine[0]!.id}/merge`, { ids: [mine[1]!.id] }],
        ['GET', `/api/faces?id=${ids['portrait-original.jpg']}`], ['DELETE', `/api/faces/${myFace.id}`], ['POST', `/api/faces/${myFace.id}/person`],
      ] as Array<[string, string, unknown?]>) {
        const r = await t.client.call(method, path, { headers: other.headers, body })
        assert.equal(r.status, 404, `${method} ${path}: ${r.status}`)
      }
      // Nor can they pull my face into a person of theirs.
      const theirPerson = (await t.client.call('POST', '/api/people', { headers: other.headers, body: { name: 'Eve' } })).body.id as string
      assert.equal((await t.client.call('PUT', `/api/faces/${myFace.id}`, { headers: other.headers, body: { id: theirPerson } })).status, 404)
      assert.equal((await t.client.call('PUT', `/api/faces/${theirFaces[0]!.id}`, { headers: me.headers, body: { id: mine[0]!.id } })).status, 404)
      assert.equal((await t.client.call('GET', '/api/people')).status, 401)
    })

    test('name, birth date, feature face and thumbnail', async () => {
      const marie = (await personAt('portrait-original.jpg', 'left'))!
      const r = await t.client.call('PUT', `/api/people/${marie}`, { headers: me.headers, body: { name: 'Marie Curie', birthDate: '1867-11-07' } })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      assert.equal(r.body.name, 'Marie Curie')
      assert.equal(r.body.birthDate, '1867-11-07')
      assert.equal((await t.client.call('PUT', `/api/people/${marie}`, { headers: me.headers, body: { birthDate: '2999-01-01' } })).status, 400)
      assert.equal((await t.client.call('PUT', `/api/people/${marie}`, { headers: me.headers, body: { birthDate: 'yesterday' } })).status, 400)
      const list = (await get(me, '/api/people')).body.people as Array<{ id: string, name: string }>
      assert.equal(list[0]!.id, marie, 'named people come first')
      // Found by name (Immich's search/person): the start of her name or of a word in it, case and accents aside.
      const byName = async (q: string, who = me) => ((await get(who, `/api/search/person?name=${encodeURIComponent(q)}`)).body as Array<{ id: string }>).map((p) => p.id)
      assert.deepEqual(await byName('curi'), [marie])
      assert.deepEqual(await byName('MARIÉ C'), [marie])
      assert.deepEqual(await byName('urie'), [], 'not the middle of a word')
      assert.deepEqual(await byName('marie', other), [], 'not another user\'s')
      assert.equal((await get(me, '/api/search/person?name=%20')).status, 400)
      // Her timeline (Immich's personId): every photo she is on, no other.
      const buckets = (await get(me, `/api/timeline/buckets?personId=${marie}`)).body as Array<{ timeBucket: string, count: number }>
      const onTimeline: string[] = []
      for (const b of buckets) onTimeline.push(...(await get(me, `/api/timeline/bucket?personId=${marie}&timeBucket=${b.timeBucket}`)).body.id as string[])
      const hers = ((await t.client.call('POST', '/api/search/metadata', { headers: me.headers, body: { personIds: [marie] } })).body.assets.items as Array<{ id: string }>).map((a) => a.id)
      assert.ok(hers.length >= 3)
      assert.deepEqual(onTimeline.sort(), hers.sort())
      assert.ok(!onTimeline.includes(ids['craft-beer-original.jpg']!))

      const thumb = await fetch(`${t.url}/api/people/${marie}/thumbnail`, { headers: me.headers })
      assert.equal(thumb.status, 200)
      assert.equal(thumb.headers.get('content-type'), 'image/jpeg')
      const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()
      assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 250, 250])

      // Feature face: an asset the person is on; one they are not on is refused.
      const before = (await get(me, `/api/people/${marie}`)).body.thumbnailPath as string
      assert.ok(before !== '')
      const set = await t.client.call('PUT', `/api/people/${marie}`, { headers: me.headers, body: { featureFaceAssetId: ids['portrait-mirrored.jpg'] } })
      assert.equal(set.status, 200)
      assert.equal(set.body.thumbnailPath, '', 'the old thumbnail is dropped and made again on request')
      assert.equal((await fetch(`${t.url}/api/people/${marie}/thumbnail`, { headers: me.headers })).status, 200)
      const [row] = await t.node.db.query<{ asset_id: string }>('SELECT f.asset_id FROM people p JOIN asset_faces f ON f.id = p.face_asset_id WHERE p.id = $1', [marie])
      assert.equal(row!.asset_id, ids['portrait-mirrored.jpg'])
      const refused = await t.client.call('PUT', `/api/people/${marie}`, { headers: me.headers, body: { featureFaceAssetId: ids['craft-beer-original.jpg'] } })
      assert.equal(refused.status, 400)
    })

    test('hide, merge, split (reassign a face) and delete a face', async () => {
      const marie = (await personAt('portrait-original.jpg', 'left'))!
      const woman = (await personAt('craft-beer-original.jpg', 'left'))!
      // Hide
      await t.client.call('PUT', `/api/people/${woman}`, { headers: me.headers, body: { isHidden: true } })
      let list = (await get(me, '/api/people')).body
      assert.deepEqual([list.total, list.hidden, list.people.map((p: { id: string }) => p.id)], [2, 1, [marie]])
      list = (await get(me, '/api/people?withHidden=true')).body
      assert.equal(list.people.length, 2)
      await t.client.call('PUT', '/api/people', { headers: me.headers, body: { people: [{ id: woman, isHidden: false }] } })
      assert.equal((await get(me, '/api/people')).body.people.length, 2)

      // Merge the woman into Marie (a deliberate wrong merge), then split her faces back out.
      const merged = await t.client.call('POST', `/api/people/${marie}/merge`, { headers: me.headers, body: { ids: [woman, marie] } })
      assert.deepEqual(merged.body, [{ id: woman, success: true }, { id: marie, success: false, error: 'duplicate' }])
      assert.equal((await get(me, `/api/people/${woman}`)).status, 404)
      assert.equal((await get(me, `/api/people/${marie}/statistics`)).body.assets, 9)

      const created = await t.client.call('POST', '/api/people', { headers: me.headers, body: { name: 'Bartender' } })
      assert.equal(created.status, 201)
      const bartender = created.body.id as string
      for (const v of ['original', 'resized', 'recompressed', 'mirrored']) {
        const face = (await facesOf(me, ids[`craft-beer-${v}.jpg`]!))[0]!
        const r = await t.client.call('PUT', `/api/faces/${face.id}`, { headers: me.headers, body: { id: bartender } })
        assert.equal(r.status, 200)
        assert.equal(r.body.id, bartender)
      }
      assert.equal((await get(me, `/api/people/${marie}/statistics`)).body.assets, 5)
      assert.equal((await get(me, `/api/people/${bartender}/statistics`)).body.assets, 4)
      const face = (await facesOf(me, ids['craft-beer-original.jpg']!))[0]!
      assert.equal(face.person?.name, 'Bartender')

      // Delete one face: gone from the asset, and the person's count drops.
      assert.equal((await t.client.call('DELETE', `/api/faces/${face.id}`, { headers: me.headers })).status, 204)
      assert.deepEqual(await facesOf(me, ids['craft-beer-original.jpg']!), [])
      assert.equal((await get(me, `/api/people/${bartender}/statistics`)).body.assets, 3)

      // One face out to a person of its own, in one step, the face their feature face; given back,
      // the emptied person goes.
      const lone = (await facesOf(me, ids['craft-beer-mirrored.jpg']!))[0]!
      const split = await t.client.call('POST', `/api/faces/${lone.id}/person`, { headers: me.headers })
      assert.equal(split.status, 201, JSON.stringify(split.body))
      const own = split.body.id as string
      assert.ok(own !== bartender && own !== marie)
      assert.equal((await get(me, `/api/people/${own}/statistics`)).body.assets, 1)
      assert.equal((await get(me, `/api/people/${bartender}/statistics`)).body.assets, 2)
      assert.equal((await get(me, `/api/people/${own}/thumbnail`)).status, 200, 'their thumbnail is the face')
      assert.equal((await t.client.call('PUT', `/api/faces/${lone.id}`, { headers: me.headers, body: { id: bartender } })).status, 200)
      assert.equal((await get(me, `/api/people/${own}`)).status, 404)
      assert.equal((await get(me, `/api/people/${bartender}/statistics`)).body.assets, 3)
    })

    test('a full re-cluster rebuilds unnamed people and keeps named ones', async () => {
      const marie = (await personAt('portrait-original.jpg', 'left'))!
      const bartender = (await personAt('craft-beer-resized.jpg', 'left'))!
      await t.client.call('PUT', `/api/people/${bartender}`, { headers: me.headers, body: { name: '' } })
      assert.equal((await t.client.call('POST', '/api/people/recluster', { headers: other.headers })).status, 403)
      const r = await t.client.call('POST', '/api/people/recluster', { headers: me.headers })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      assert.equal(await personAt('portrait-original.jpg', 'left'), marie, 'Marie (named) keeps her faces and id')
      const again = await Promise.all(['resized', 'recompressed', 'mirrored'].map((v) => personAt(`craft-beer-${v}.jpg`, 'left')))
      assert.ok(again[0] !== null && again[0] !== marie)
      assert.deepEqual(new Set(again), new Set([again[0]]), 'the unnamed group is rebuilt as one person')
      assert.equal((await get(me, `/api/people/${bartender}`)).status, 404, 'the old unnamed person is gone')
      // The deleted face stays deleted.
      assert.deepEqual(await facesOf(me, ids['craft-beer-original.jpg']!), [])
    })
  })
}
