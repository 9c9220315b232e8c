/**
 * PUT /api/assets/{id} with a description and a rating (Immich's): kept in Hearth, never written
 * to the file; searchable; the owner's alone; a value the file's metadata read arrives after does
 * not replace it (a rescan of a changed library file: test/libraries/libraries.test.ts). The same
 * for a new date (in the photo's own time zone unless one is given) and a new place (named offline),
 * and a date or place that cannot be is refused with the reason. PUT /api/assets does the same to
 * several assets at once, and moves each in time by minutes (dateTimeRelative).
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
  describe(`what the owner sets on an asset: description, rating, date and place [${engine}]`, () => {
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

    const asset = async (a = id) => (await t.client.call('GET', `/api/assets/${a}`, { headers: admin.headers })).body as Record<string, unknown> & { exifInfo: Record<string, unknown> }
    const dates = (a: Awaited<ReturnType<typeof asset>>) => [a.exifInfo.dateTimeOriginal, a.exifInfo.timeZone, a.fileCreatedAt, a.localDateTime]
    const buckets = async () => (await t.client.call('GET', '/api/timeline/buckets', { headers: admin.headers })).body.map((b: { timeBucket: string }) => b.timeBucket) as string[]
    const rereadMetadata = async () => {
      assert.equal((await t.client.call('PUT', '/api/jobs/metadataExtraction', { headers: admin.headers, body: { command: 'start', force: true } })).status, 200)
      await t.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'])
    }

    test('a new date: with an offset, in the photo\'s own zone without one, or in a zone given; the timeline follows; a metadata read keeps it', async () => {
      const original = join(t.dataDir, (await asset()).originalPath as string)
      const before = await sha1(original)
      assert.deepEqual(dates(await asset()).slice(0, 2), ['2008-05-30T15:56:01.000Z', null], 'the camera\'s date, no zone')
      let r = await put({ dateTimeOriginal: '1987-06-20T14:05:00+01:00' })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      assert.deepEqual(dates(r.body), ['1987-06-20T13:05:00.000Z', 'UTC+01:00', '1987-06-20T13:05:00.000Z', '1987-06-20T14:05:00.000Z'])
      assert.ok((await buckets()).includes('1987-06-01'), 'the timeline has it in June 1987')
      // No offset: the wall clock in the zone the photo now has.
      r = await put({ dateTimeOriginal: '1987-06-21T09:00:00' })
      assert.deepEqual(dates(r.body), ['1987-06-21T08:00:00.000Z', 'UTC+01:00', '1987-06-21T08:00:00.000Z', '1987-06-21T09:00:00.000Z'])
      // A zone given: Lisbon kept summer time in 1987 (+01:00).
      r = await put({ dateTimeOriginal: '1987-06-21T09:30:00', timeZone: 'Europe/Lisbon' })
      assert.deepEqual(dates(r.body), ['1987-06-21T08:30:00.000Z', 'Europe/Lisbon', '1987-06-21T08:30:00.000Z', '1987-06-21T09:30:00.000Z'])
      await rereadMetadata()
      assert.deepEqual(dates(await asset()), ['1987-06-21T08:30:00.000Z', 'Europe/Lisbon', '1987-06-21T08:30:00.000Z', '1987-06-21T09:30:00.000Z'], 'the file\'s 2008 date does not come back')
      assert.equal((await asset()).exifInfo.make, 'Canon', 'the rest of the metadata is read')
      assert.equal(await sha1(original), before, 'the file is not written')
      const found = await t.client.call('POST', '/api/search/metadata', { headers: admin.headers, body: { takenAfter: '1987-06-01T00:00:00Z', takenBefore: '1987-07-01T00:00:00Z' } })
      assert.deepEqual(found.body.assets.items.map((a: { id: string }) => a.id), [id])
    })

    test('a new place: named offline, searchable, kept over the file\'s own', async () => {
      const r = await put({ latitude: 38.7169, longitude: -9.1399 })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      const e = r.body.exifInfo
      assert.deepEqual([e.latitude, e.longitude, e.city, e.country], [38.7169, -9.1399, 'Lisbon', 'Portugal'])
      const byCity = await t.client.call('POST', '/api/search/metadata', { headers: admin.headers, body: { city: 'Lisbon' } })
      assert.deepEqual(byCity.body.assets.items.map((a: { id: string }) => a.id), [id])
      const smart = await t.client.call('POST', '/api/search/smart', { headers: admin.headers, body: { query: 'Lisbon' } })
      assert.deepEqual(smart.body.assets.items.map((a: { id: string }) => a.id), [id])
      await rereadMetadata()
      assert.deepEqual(await exif().then((x) => [x.latitude, x.longitude, x.city, x.country]), [38.7169, -9.1399, 'Lisbon', 'Portugal'])
      // Bob cannot place it.
      assert.equal((await put({ latitude: 1, longitude: 2 }, bob)).status, 404)
    })

    test('a date or place that cannot be is refused with the reason, and nothing changes', async () => {
      const was = dates(await asset())
      for (const [body, why] of [
        [{ dateTimeOriginal: 'last summer' }, /dateTimeOriginal: "last summer" is not a date and time; write it as 2019-07-14T15:30:00/],
        [{ dateTimeOriginal: '2019-07-14' }, /is not a date and time/],
        [{ dateTimeOriginal: '2999-01-01T00:00:00' }, /not a date a photo can have been taken/],
        [{ dateTimeOriginal: '1790-01-01T00:00:00' }, /not a date a photo can have been taken/],
        [{ dateTimeOriginal: '2019-07-14T15:30:00', timeZone: 'Mars/Olympus' }, /timeZone: Mars\/Olympus is not a time zone/],
        [{ timeZone: 'Europe/Lisbon' }, /timeZone: give it with dateTimeOriginal/],
        [{ dateTimeOriginal: '2019-07-14T15:30:00', dateTimeRelative: 60 }, /either dateTimeOriginal .* or dateTimeRelative/],
        [{ dateTimeRelative: 1.5 }, /dateTimeRelative: whole minutes/],
        [{ latitude: 38.7 }, /latitude: give latitude and longitude together/],
        [{ latitude: 91, longitude: 0 }, /latitude: from -90 to 90/],
        [{ latitude: 0, longitude: -181 }, /longitude: from -180 to 180/],
        [{ description: 'not saved either', dateTimeOriginal: 'bad' }, /not a date and time/],
      ] as const) {
        const r = await put(body)
        assert.equal(r.status, 400, JSON.stringify(body))
        assert.match(r.body.message, why)
      }
      assert.deepEqual(dates(await asset()), was)
      assert.notEqual((await exif()).description, 'not saved either')
    })

    test('places by name (GET /api/search/places): accents and case aside, the most populous first', async () => {
      const r = await t.client.call('GET', '/api/search/places?name=sao%20paulo', { headers: admin.headers })
      assert.equal(r.status, 200)
      assert.deepEqual([r.body[0].name, r.body[0].country, Math.round(r.body[0].latitude)], ['São Paulo', 'Brazil', -24])
      const york = (await t.client.call('GET', '/api/search/places?name=YORK', { headers: admin.headers })).body
      assert.deepEqual(york.slice(0, 2).map((p: { name: string, admin1name: string }) => `${p.name}, ${p.admin1name}`), ['York, England', 'York, Pennsylvania'])
      assert.equal((await t.client.call('GET', '/api/search/places?name=%20', { headers: admin.headers })).status, 400)
      assert.equal((await t.client.call('GET', '/api/search/places?name=York')).status, 401)
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
      assert.equal((await bulk({ ids: [id], dateTimeOriginal: 'soon' })).status, 400)
      assert.equal((await bulk({ ids: [id], isFavorite: false })).status, 204)
      assert.equal((await t.client.call('GET', `/api/assets/${id}`, { headers: admin.headers })).body.isFavorite, false)
    })

    test('the bulk update moves each photo in time from its own date (dateTimeRelative), or sets one date read in each photo\'s zone', async () => {
      const data = new Uint8Array(await readFile(photo))
      data[data.length - 4] ^= 0xff
      const other = (await t.client.upload(admin, { name: 'other.jpg', data })).body.id as string
      await t.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'])
      assert.equal((await put({ dateTimeOriginal: '2010-01-01T12:00:00+05:30' })).status, 200)
      const bulk = (body: unknown) => t.client.call('PUT', '/api/assets', { headers: admin.headers, body })
      // A camera clock an hour and a half slow: each moves by 90 minutes from its own date.
      let r = await bulk({ ids: [id, other], dateTimeRelative: 90 })
      assert.equal(r.status, 204, JSON.stringify(r.body))
      assert.deepEqual(dates(await asset()), ['2010-01-01T08:00:00.000Z', 'UTC+05:30', '2010-01-01T08:00:00.000Z', '2010-01-01T13:30:00.000Z'])
      assert.deepEqual(dates(await asset(other)), ['2008-05-30T17:26:01.000Z', null, '2008-05-30T17:26:01.000Z', '2008-05-30T17:26:01.000Z'])
      // One wall-clock time for both: each in its own zone.
      r = await bulk({ ids: [id, other], dateTimeOriginal: '2012-08-15T10:00:00' })
      assert.equal(r.status, 204, JSON.stringify(r.body))
      assert.deepEqual(dates(await asset()), ['2012-08-15T04:30:00.000Z', 'UTC+05:30', '2012-08-15T04:30:00.000Z', '2012-08-15T10:00:00.000Z'])
      assert.deepEqual(dates(await asset(other)), ['2012-08-15T10:00:00.000Z', null, '2012-08-15T10:00:00.000Z', '2012-08-15T10:00:00.000Z'])
      // The owner's "Refresh metadata" on the two (Immich's asset job); Bob may not ask it of them.
      const refresh = (session: Session) => t.client.call('POST', '/api/assets/jobs', { headers: session.headers, body: { assetIds: [id, other], name: 'refresh-metadata' } })
      assert.equal((await refresh(bob)).status, 404)
      assert.equal((await refresh(admin)).status, 204)
      await t.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'])
      assert.deepEqual(dates(await asset(other)), ['2012-08-15T10:00:00.000Z', null, '2012-08-15T10:00:00.000Z', '2012-08-15T10:00:00.000Z'], 'kept over the file\'s date')
    })

    test('on this day (Immich\'s memory lane): this day and month in earlier years, by year, the owner\'s timeline only', async () => {
      const copy = async (n: number, session = admin) => {
        const data = new Uint8Array(await readFile(photo))
        data[data.length - 10 - n] ^= 0xff
        return (await t.client.upload(session, { name: `day-${n}.jpg`, data })).body.id as string
      }
      const [y2019, y2021, next, thisYear, archived] = [await copy(1), await copy(2), await copy(3), await copy(4), await copy(5)]
      const bobs = await copy(6, bob)
      await t.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'])
      for (const [asset, date, session] of [[y2019, '2019-07-14T09:00:00', admin], [y2021, '2021-07-14T23:30:00', admin], [next, '2021-07-15T00:30:00', admin],
        [thisYear, '2026-07-14T12:00:00', admin], [archived, '2020-07-14T12:00:00', admin], [bobs, '2018-07-14T12:00:00', bob]] as const) {
        assert.equal((await put({ dateTimeOriginal: date, timeZone: 'Europe/Lisbon' }, session, asset)).status, 200)
      }
      assert.equal((await put({ visibility: 'archive' }, admin, archived)).status, 200)
      const lane = await t.client.call('GET', '/api/assets/memory-lane?day=14&month=7&year=2026', { headers: admin.headers })
      assert.equal(lane.status, 200, JSON.stringify(lane.body))
      assert.deepEqual(lane.body.map((m: { yearsAgo: number, title: string, assets: Array<{ id: string }> }) => [m.yearsAgo, m.title, m.assets.map((a) => a.id)]),
        [[5, '5 years ago', [y2021]], [7, '7 years ago', [y2019]]], '23:30 local on the 14th is the 14th; the 15th, this year, archived and Bob\'s are not')
      // Immich's newer shape: one on_this_day memory a year, the same id each time.
      const memories = async () => (await t.client.call('GET', '/api/memories?for=2026-07-14T00:00:00.000Z', { headers: admin.headers })).body as Array<{ id: string, type: string, data: { year: number }, memoryAt: string, assets: Array<{ id: string }> }>
      const m = await memories()
      assert.deepEqual(m.map((x) => [x.type, x.data.year, x.memoryAt, x.assets.map((a) => a.id)]), [['on_this_day', 2021, '2026-07-14T00:00:00.000Z', [y2021]], ['on_this_day', 2019, '2026-07-14T00:00:00.000Z', [y2019]]])
      assert.deepEqual((await memories()).map((x) => x.id), m.map((x) => x.id))
      assert.notEqual(m[0]!.id, m[1]!.id)
      assert.deepEqual(m.map((x) => [(x as unknown as { isSaved: boolean }).isSaved, (x as unknown as { seenAt: string | null }).seenAt]), [[false, null], [false, null]])
      // What the owner does with a memory is kept: saved, seen, removed.
      const memory = (method: string, id: string, body?: unknown, session = admin) => t.client.call(method, `/api/memories/${id}`, { headers: session.headers, body })
      const saved = await memory('PUT', m[0]!.id, { isSaved: true, seenAt: '2026-07-14T20:00:00Z' })
      assert.equal(saved.status, 200, JSON.stringify(saved.body))
      assert.deepEqual([saved.body.id, saved.body.isSaved, saved.body.seenAt, saved.body.data.year, saved.body.assets.map((a: { id: string }) => a.id)], [m[0]!.id, true, '2026-07-14T20:00:00.000Z', 2021, [y2021]])
      assert.deepEqual(((await memories()) as unknown as Array<{ id: string, isSaved: boolean }>).map((x) => [x.id, x.isSaved]), [[m[0]!.id, true], [m[1]!.id, false]])
      assert.deepEqual(((await t.client.call('GET', '/api/memories?for=2026-07-14T00:00:00.000Z&isSaved=true', { headers: admin.headers })).body as Array<{ id: string }>).map((x) => x.id), [m[0]!.id])
      assert.equal((await memory('GET', m[1]!.id)).body.data.year, 2019)
      assert.equal((await memory('PUT', m[0]!.id, { seenAt: 'tonight' })).status, 400)
      for (const [method, id, session] of [['GET', m[0]!.id, bob], ['PUT', m[0]!.id, bob], ['DELETE', m[0]!.id, bob], ['GET', '01a24820-b53d-7000-9381-af428f441136', admin], ['GET', 'memory', admin]] as const) {
        assert.equal((await memory(method, id, method === 'PUT' ? { isSaved: true } : undefined, session)).status, 404, `${method} ${id}`)
      }
      assert.equal((await memory('DELETE', m[1]!.id)).status, 204)
      assert.deepEqual((await memories()).map((x) => x.id), [m[0]!.id], 'a removed memory is no longer listed')
      assert.equal((await memory('GET', m[1]!.id)).status, 404)
      assert.equal((await t.client.call('GET', `/api/assets/${y2019}`, { headers: admin.headers })).status, 200, 'its photos stay')
      assert.equal((await t.client.call('GET', '/api/memories?for=yesterday', { headers: admin.headers })).status, 400)
      assert.equal((await t.client.call('GET', '/api/assets/memory-lane?day=32&month=7', { headers: admin.headers })).status, 400)
      assert.equal((await t.client.call('GET', '/api/assets/memory-lane?day=14&month=7')).status, 401)
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
