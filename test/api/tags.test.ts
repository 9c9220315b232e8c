/**
 * Tags (Immich's /api/tags): nested by "/", the owner's alone; given to assets one tag at a time
 * (with each asset's outcome) or many at once; shown on the asset; found by metadata search
 * (tagIds, a parent finding its children's photos) and by smart search, which says why; deleting
 * a tag deletes the tags below it and leaves the photos.
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'

const jpg = join(import.meta.dirname, '../../../shared/fixtures/exif-samples/jpg')

for (const engine of engines) {
  describe(`tags [${engine}]`, () => {
    let t: TestNode
    let admin: Session
    let bob: Session
    let photos: string[]
    let bobs: string
    before(async () => {
      t = await startTestNode(engine)
      admin = await t.client.signUpAdmin()
      bob = await t.client.createUser(admin, 'bob@example.org')
      photos = []
      for (const f of ['Canon_40D.jpg', 'Nikon_D70.jpg', 'Pentax_K10D.jpg']) photos.push((await t.client.upload(admin, join(jpg, f))).body.id as string)
      bobs = (await t.client.upload(bob, { name: 'bob.jpg', data: Buffer.concat([await readFile(join(jpg, 'Canon_40D.jpg')), Buffer.from('bob')]) })).body.id as string
      await t.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'])
    })
    after(async () => { await t.stop() })
    const call = (method: string, path: string, body?: unknown, s = admin) => t.client.call(method, path, { headers: s.headers, body })
    const search = async (body: unknown, s = admin) => ((await call('POST', '/api/search/metadata', body, s)).body.assets.items as Array<{ id: string }>).map((a) => a.id).sort()

    test('tags nest by "/": a child makes its parent; names are checked; the same tag twice is a 409', async () => {
      const r = await call('PUT', '/api/tags', { tags: ['Family/Grandma', ' Family / Grandpa ', 'Holidays'] })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      assert.deepEqual(r.body.map((x: { value: string }) => x.value), ['Family/Grandma', 'Family/Grandpa', 'Holidays'])
      const list = (await call('GET', '/api/tags')).body as Array<{ id: string, value: string, name: string, parentId?: string }>
      assert.deepEqual(list.map((x) => x.value), ['Family', 'Family/Grandma', 'Family/Grandpa', 'Holidays'])
      const family = list.find((x) => x.value === 'Family')!
      assert.equal(list.find((x) => x.value === 'Family/Grandma')!.parentId, family.id)
      assert.equal(list.find((x) => x.value === 'Family/Grandma')!.name, 'Grandma')
      const child = await call('POST', '/api/tags', { name: 'Cousins', parentId: family.id, color: '#1e88e5' })
      assert.equal(child.status, 201, JSON.stringify(child.body))
      assert.deepEqual([child.body.value, child.body.color], ['Family/Cousins', '#1e88e5'])
      const again = await call('POST', '/api/tags', { name: 'Holidays' })
      assert.equal(again.status, 409)
      assert.match(again.body.message, /"Holidays" already/)
      for (const [body, why] of [[{ name: 'a//b' }, /not a tag/], [{ name: '  ' }, /a tag needs a name/], [{ name: 'x', color: 'red' }, /#1e88e5/]] as const) {
        const bad = await call('POST', '/api/tags', body)
        assert.equal(bad.status, 400, JSON.stringify(body))
        assert.match(bad.body.message, why)
      }
      // Bob sees none of them, and cannot use or change them.
      assert.deepEqual((await call('GET', '/api/tags', undefined, bob)).body, [])
      assert.equal((await call('GET', `/api/tags/${family.id}`, undefined, bob)).status, 404)
      assert.equal((await call('PUT', `/api/tags/${family.id}`, { color: '#000000' }, bob)).status, 404)
      assert.equal((await call('POST', '/api/tags', { name: 'x', parentId: family.id }, bob)).status, 404)
    })

    test('tagging: each asset\'s outcome; the asset shows its tags; metadata and smart search find them', async () => {
      const tags = (await call('GET', '/api/tags')).body as Array<{ id: string, value: string }>
      const id = (v: string) => tags.find((x) => x.value === v)!.id
      const r = await call('PUT', `/api/tags/${id('Family/Grandma')}/assets`, { ids: [photos[0], photos[1], photos[0], bobs] })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      assert.deepEqual(r.body, [{ id: photos[0], success: true }, { id: photos[1], success: true }, { id: bobs, success: false, error: 'no_permission' }])
      assert.deepEqual((await call('PUT', `/api/tags/${id('Family/Grandma')}/assets`, { ids: [photos[0]] })).body, [{ id: photos[0], success: false, error: 'duplicate' }])
      const bulk = await call('PUT', '/api/tags/assets', { tagIds: [id('Holidays'), id('Family/Grandpa')], assetIds: [photos[1], photos[2]] })
      assert.deepEqual([bulk.status, bulk.body.count], [200, 4])
      assert.equal((await call('PUT', '/api/tags/assets', { tagIds: [id('Holidays')], assetIds: [bobs] })).status, 404, 'all must be mine')
      const shown = (await call('GET', `/api/assets/${photos[1]}`)).body.tags as Array<{ value: string }>
      assert.deepEqual(shown.map((x) => x.value), ['Family/Grandma', 'Family/Grandpa', 'Holidays'])
      // Metadata search: every tag given; a parent finds its children's photos.
      assert.deepEqual(await search({ tagIds: [id('Family/Grandma')] }), [photos[0], photos[1]].sort())
      assert.deepEqual(await search({ tagIds: [id('Family')] }), [...photos].sort())
      assert.deepEqual(await search({ tagIds: [id('Family/Grandma'), id('Holidays')] }), [photos[1]])
      assert.deepEqual(await search({ tagIds: [id('Family')] }, bob), [], 'not Bob\'s')
      // The timeline of a tag (Immich's tagId): its months, and each month's photos; a parent's holds its children's.
      const timeline = async (tagId: string, s = admin) => {
        const buckets = (await call('GET', `/api/timeline/buckets?tagId=${tagId}`, undefined, s)).body as Array<{ timeBucket: string, count: number }>
        const found: string[] = []
        for (const b of buckets) found.push(...(await call('GET', `/api/timeline/bucket?tagId=${tagId}&timeBucket=${b.timeBucket}`, undefined, s)).body.id as string[])
        assert.equal(buckets.reduce((n, b) => n + b.count, 0), found.length, 'the counts add up')
        return found.sort()
      }
      assert.deepEqual(await timeline(id('Family/Grandma')), [photos[0], photos[1]].sort())
      assert.deepEqual(await timeline(id('Family')), [...photos].sort())
      assert.deepEqual(await timeline(id('Family'), bob), [])
      assert.equal((await call('GET', '/api/timeline/buckets?tagId=family')).status, 400)
      // Smart search by a tag's name says so.
      const smart = await call('POST', '/api/search/smart', { query: 'grandma' })
      assert.deepEqual(smart.body.assets.items.map((a: { id: string }) => a.id).sort(), [photos[0], photos[1]].sort())
      assert.deepEqual(smart.body.assets.items[0].hearth.reasons, [{ kind: 'words', term: 'grandma', fields: ['tag'] }])
      assert.equal((await call('POST', '/api/search/smart', { query: 'grandma' }, bob)).body.assets.total, 0)
      // Untagging: each asset's outcome.
      const off = await call('DELETE', `/api/tags/${id('Holidays')}/assets`, { ids: [photos[2], photos[0], bobs] })
      assert.deepEqual(off.body, [{ id: photos[2], success: true }, { id: photos[0], success: false, error: 'not_found' }, { id: bobs, success: false, error: 'no_permission' }])
      assert.deepEqual(await search({ tagIds: [id('Holidays')] }), [photos[1]])
    })

    test('renaming a tag moves the tags below it; its photos and colour stay; a taken name is a 409', async () => {
      const values = async () => ((await call('GET', '/api/tags')).body as Array<{ value: string }>).map((x) => x.value)
      const byValue = async (v: string) => ((await call('GET', '/api/tags')).body as Array<{ id: string, value: string, color?: string }>).find((x) => x.value === v)!
      const family = await byValue('Family')
      const before = await search({ tagIds: [family.id] })
      assert.equal((await call('PUT', `/api/tags/${family.id}`, { color: '#43a047' })).status, 200)
      const r = await call('PUT', `/api/tags/${family.id}`, { name: 'Relatives' })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      assert.deepEqual([r.body.id, r.body.value, r.body.name, r.body.color], [family.id, 'Relatives', 'Relatives', '#43a047'], 'the same tag, its colour kept')
      assert.deepEqual(await values(), ['Holidays', 'Relatives', 'Relatives/Cousins', 'Relatives/Grandma', 'Relatives/Grandpa'])
      assert.deepEqual(await search({ tagIds: [family.id] }), before, 'its photos stay')
      assert.deepEqual(((await call('GET', `/api/assets/${photos[1]}`)).body.tags as Array<{ value: string }>).map((x) => x.value), ['Holidays', 'Relatives/Grandma', 'Relatives/Grandpa'])
      // A child renamed keeps its place; the old path is free again.
      const grandma = await byValue('Relatives/Grandma')
      assert.equal((await call('PUT', `/api/tags/${grandma.id}`, { name: 'Nana' })).body.value, 'Relatives/Nana')
      assert.equal((await call('PUT', '/api/tags', { tags: ['Relatives/Grandma'] })).status, 200)
      // Taken, a path, too long, or not hers.
      const taken = await call('PUT', `/api/tags/${grandma.id}`, { name: 'Grandpa' })
      assert.equal(taken.status, 409)
      assert.match(taken.body.message, /"Relatives\/Grandpa" already/)
      assert.equal((await call('PUT', `/api/tags/${grandma.id}`, { name: 'a/b' })).status, 400)
      assert.equal((await call('PUT', `/api/tags/${family.id}`, { name: 'x'.repeat(995) })).status, 400, 'Relatives/Cousins would pass 1,000 characters')
      assert.equal((await call('PUT', `/api/tags/${family.id}`, { name: 'Mine now' }, bob)).status, 404)
      // Back as it was, for the next test; no colour given leaves it, null takes it off.
      assert.equal((await call('PUT', `/api/tags/${family.id}`, { name: 'Family' })).body.color, '#43a047')
      assert.equal((await call('PUT', `/api/tags/${family.id}`, { color: null })).body.color, undefined)
      assert.deepEqual(await values(), ['Family', 'Family/Cousins', 'Family/Grandma', 'Family/Grandpa', 'Family/Nana', 'Holidays'])
    })

    test('deleting a tag deletes the tags below it; the photos stay', async () => {
      const tags = (await call('GET', '/api/tags')).body as Array<{ id: string, value: string }>
      const family = tags.find((x) => x.value === 'Family')!.id
      assert.equal((await call('DELETE', `/api/tags/${family}`, undefined, bob)).status, 404)
      assert.equal((await call('DELETE', `/api/tags/${family}`)).status, 204)
      assert.deepEqual(((await call('GET', '/api/tags')).body as Array<{ value: string }>).map((x) => x.value), ['Holidays'])
      assert.deepEqual(((await call('GET', `/api/assets/${photos[1]}`)).body.tags as Array<{ value: string }>).map((x) => x.value), ['Holidays'])
      assert.equal((await call('GET', `/api/assets/${photos[0]}`)).status, 200)
      assert.equal((await call('GET', `/api/tags/${family}`)).status, 404)
    })
  })
}
