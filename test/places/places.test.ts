/**
 * Places through a real node on both engines: GPS fixtures get their city, region and country at
 * ingest (coordinates read once with exiftool, answers decided from the map), stored assets are
 * named by the backlog, and the suggestions, filters, cities and places listing use them.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { createGeocoder } from '../../node/places/geocoder.ts'

const shared = resolve(import.meta.dirname, '../../../shared/fixtures')

describe('offline reverse geocoding', () => {
  const geo = createGeocoder()
  test('cities, US states and UK nations; English country names', async () => {
    assert.deepEqual(await geo.reverse(38.7169, -9.1399).then((p) => [p?.city, p?.state, p?.country]), ['Lisbon', null, 'Portugal'])
    assert.deepEqual(await geo.reverse(40.7128, -74.006).then((p) => [p?.city, p?.state, p?.country]), ['New York City', 'New York', 'United States'])
    assert.deepEqual(await geo.reverse(51.5074, -0.1278).then((p) => [p?.city, p?.state, p?.country]), ['London', 'England', 'United Kingdom'])
    // The city's centre wins over its own business district (a GeoNames "section", not a city).
    assert.equal((await geo.reverse(-33.86, 151.2))?.city, 'Sydney')
  })
  test('at sea: no city; the country of the nearest place within 100 km, else nothing', async () => {
    // 38.6 N 10.0 W: the Atlantic about 60 km west of Cascais.
    const offshore = await geo.reverse(38.6, -10.0)
    assert.equal(offshore?.city, null); assert.equal(offshore?.state, null); assert.equal(offshore?.country, 'Portugal')
    assert.equal(await geo.reverse(36, -40), null, 'mid-Atlantic')
    assert.equal(await geo.reverse(0, 0), null, '0,0 is a camera without a fix')
    assert.equal(await geo.reverse(91, 0), null)
  })
  test('the index is typed arrays of a few MB', async () => {
    const { cities, bytes } = await geo.load()
    assert.ok(cities > 120_000, String(cities))
    assert.ok(bytes < 8 * 1024 * 1024, String(bytes))
  })
})

for (const engine of engines) {
  describe(`[${engine}] places`, { skip: existsSync(shared) ? false : 'needs ../shared/fixtures' }, () => {
    let t: TestNode
    let me: Session
    let other: Session
    const ids: Record<string, string> = {}
    before(async () => {
      t = await startTestNode(engine)
      me = await t.client.signUpAdmin()
      other = await t.client.createUser(me, 'other@example.org')
      const files: Array<[string, string, Session]> = [
        // 43.46745 N 11.88513 E: the old town of Arezzo, Tuscany.
        ['arezzo', 'exif-samples/jpg/gps/DSCN0010.jpg', me],
        ['arezzo2', 'exif-samples/jpg/gps/DSCN0042.jpg', me],
        // 37.7749 N 122.4194 W: San Francisco's civic centre.
        ['sf', 'immich-test-assets/metadata/dates/gps-datetime.jpg', me],
        // 39.115 N 108.401 W: Clifton, just east of Grand Junction, Colorado (despite the file's name).
        ['clifton', 'immich-test-assets/metadata/gps-position/thompson-springs.jpg', me],
        ['nogps', 'exif-samples/jpg/Canon_40D.jpg', me],
        ['theirs', 'exif-samples/jpg/gps/DSCN0021.jpg', other],
      ]
      for (const [key, path, who] of files) {
        const r = await t.client.upload(who, resolve(shared, path))
        assert.equal(r.status, 201, `${key}: ${JSON.stringify(r.body)}`)
        ids[key] = r.body.id as string
      }
      await t.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'], { timeoutMs: 300_000 })
    })
    after(async () => { await t.stop() })

    const exif = async (id: string) => (await t.client.call('GET', `/api/assets/${id}`, { headers: me.headers })).body.exifInfo
    const search = async (who: Session, body: Record<string, unknown>) =>
      ((await t.client.call('POST', '/api/search/metadata', { headers: who.headers, body })).body.assets.items as Array<{ id: string }>).map((a) => a.id).sort()

    test('GPS photos get their city, region and country at ingest', async () => {
      const a = await exif(ids.arezzo!)
      assert.deepEqual([a.city, a.state, a.country], ['Arezzo', null, 'Italy'])
      const sf = await exif(ids.sf!)
      assert.deepEqual([sf.city, sf.state, sf.country], ['San Francisco', 'California', 'United States'])
      const c = await exif(ids.clifton!)
      assert.deepEqual([c.city, c.state, c.country], ['Clifton', 'Colorado', 'United States'])
      const none = await exif(ids.nogps!)
      assert.deepEqual([none.city, none.state, none.country], [null, null, null])
      // Clients (Immich's app among them) show places only where the server says it names them.
      const features = (await t.client.call('GET', '/api/server/features')).body
      assert.deepEqual([features.reverseGeocoding, features.map], [true, false], 'places are named; no map tiles are served')
    })

    test('metadata search filters by city, state and country, for my assets only', async () => {
      assert.deepEqual(await search(me, { city: 'Arezzo' }), [ids.arezzo!, ids.arezzo2!].sort())
      assert.deepEqual(await search(me, { country: 'United States' }), [ids.sf!, ids.clifton!].sort())
      assert.deepEqual(await search(me, { state: 'Colorado' }), [ids.clifton!])
      assert.deepEqual(await search(other, { city: 'Arezzo' }), [ids.theirs!])
    })

    test('suggestions in Immich\'s shape, narrowed by country', async () => {
      const get = async (q: string, who = me) => (await t.client.call('GET', `/api/search/suggestions?${q}`, { headers: who.headers })).body
      assert.deepEqual(await get('type=country'), ['Italy', 'United States'])
      assert.deepEqual(await get('type=state&country=United%20States'), ['California', 'Colorado'])
      assert.deepEqual(await get('type=city&country=Italy'), ['Arezzo'])
      assert.deepEqual(await get('type=city'), ['Arezzo', 'Clifton', 'San Francisco'])
      assert.deepEqual(await get('type=country', other), ['Italy'])
      assert.equal((await t.client.call('GET', '/api/search/suggestions?type=planet', { headers: me.headers })).status, 400)
      assert.equal((await t.client.call('GET', '/api/search/suggestions?type=country')).status, 401)
    })

    test('cities: one asset per city; places: countries with cities, counts and covers', async () => {
      const cities = (await t.client.call('GET', '/api/search/cities', { headers: me.headers })).body as Array<{ id: string, exifInfo: { city: string } }>
      assert.deepEqual(cities.map((c) => c.exifInfo.city), ['Arezzo', 'Clifton', 'San Francisco'])
      assert.ok([ids.arezzo, ids.arezzo2].includes(cities[0]!.id))
      const places = (await t.client.call('GET', '/api/places', { headers: me.headers })).body
      assert.deepEqual(places.map((p: { country: string, count: number }) => [p.country, p.count]), [['Italy', 2], ['United States', 2]])
      assert.deepEqual(places[1].cities.map((c: { city: string, state: string, count: number }) => [c.city, c.state, c.count]), [['Clifton', 'Colorado', 1], ['San Francisco', 'California', 1]])
      assert.ok([ids.arezzo, ids.arezzo2].includes(places[0].coverAssetId))
    })

    test('map markers: my photos with a position, newest first, in Immich\'s shape; archive, favourites, dates and shared albums as asked', async () => {
      const markers = async (q = '', who = me) => {
        const r = await t.client.call('GET', `/api/map/markers${q}`, { headers: who.headers })
        assert.equal(r.status, 200, JSON.stringify(r.body))
        return r.body as Array<{ id: string, lat: number, lon: number, city: string | null, state: string | null, country: string | null }>
      }
      const all = await markers()
      assert.deepEqual(all.map((m) => m.id).sort(), [ids.arezzo!, ids.arezzo2!, ids.sf!, ids.clifton!].sort(), 'no photo without GPS, none of another user\'s')
      const created = await Promise.all(all.map(async (m) => Date.parse((await t.client.call('GET', `/api/assets/${m.id}`, { headers: me.headers })).body.fileCreatedAt as string)))
      assert.deepEqual(created, [...created].sort((a, b) => b - a), 'newest first')
      const sf = all.find((m) => m.id === ids.sf)!
      assert.deepEqual(Object.keys(sf).sort(), ['city', 'country', 'id', 'lat', 'lon', 'state'])
      assert.deepEqual([Math.round(sf.lat * 100) / 100, Math.round(sf.lon * 100) / 100, sf.city, sf.state, sf.country], [37.77, -122.42, 'San Francisco', 'California', 'United States'])
      // A cluster's photos by id (Hearth's ids), mine only; Immich's single id.
      assert.deepEqual(await search(me, { ids: [ids.sf, ids.clifton, ids.theirs] }), [ids.sf!, ids.clifton!].sort())
      assert.deepEqual(await search(me, { id: ids.sf }), [ids.sf!])
      assert.equal((await t.client.call('POST', '/api/search/metadata', { headers: me.headers, body: { ids: ['x'] } })).status, 400)
      const c = all.find((m) => m.id === ids.clifton)!
      assert.deepEqual([Math.round(c.lat * 100) / 100, Math.round(c.lon * 100) / 100], [39.12, -108.4])

      // Archived: out unless asked for; trashed: out; favourites and dates narrow.
      const put = (body: unknown) => t.client.call('PUT', '/api/assets', { headers: me.headers, body })
      assert.equal((await put({ ids: [ids.clifton], visibility: 'archive' })).status, 204)
      assert.equal((await put({ ids: [ids.sf], isFavorite: true })).status, 204)
      assert.equal((await t.client.call('DELETE', '/api/assets', { headers: me.headers, body: { ids: [ids.arezzo2] } })).status, 204)
      try {
        assert.deepEqual((await markers()).map((m) => m.id).sort(), [ids.arezzo!, ids.sf!].sort())
        assert.deepEqual((await markers('?isArchived=true')).map((m) => m.id).sort(), [ids.arezzo!, ids.sf!, ids.clifton!].sort())
        assert.deepEqual((await markers('?isFavorite=true')).map((m) => m.id), [ids.sf!])
        assert.deepEqual((await markers('?isFavorite=false')).map((m) => m.id), [ids.arezzo!])
        const sfTime = created[all.findIndex((m) => m.id === ids.sf)]!
        assert.deepEqual((await markers(`?fileCreatedAfter=${new Date(sfTime).toISOString()}&isArchived=true`)).map((m) => m.id).sort(),
          all.filter((m, i) => created[i]! >= sfTime && m.id !== ids.arezzo2).map((m) => m.id).sort())
        assert.deepEqual((await markers(`?fileCreatedBefore=${new Date(sfTime - 1).toISOString()}&isArchived=true`)).map((m) => m.id).sort(),
          all.filter((m, i) => created[i]! < sfTime && m.id !== ids.arezzo2).map((m) => m.id).sort())
        const bad = await t.client.call('GET', '/api/map/markers?fileCreatedAfter=soon', { headers: me.headers })
        assert.equal(bad.status, 400)
        assert.match(bad.body.message, /fileCreatedAfter: expected a date/)
      } finally {
        await put({ ids: [ids.clifton], visibility: 'timeline' })
        await put({ ids: [ids.sf], isFavorite: false })
        await t.client.call('POST', '/api/trash/restore/assets', { headers: me.headers, body: { ids: [ids.arezzo2] } })
      }

      // Another user's photo shows on my map only through an album they share with me, and only when asked.
      const meId = (await t.client.call('GET', '/api/users/me', { headers: me.headers })).body.id as string
      const album = await t.client.call('POST', '/api/albums', { headers: other.headers, body: { albumName: 'Tuscany', assetIds: [ids.theirs], albumUsers: [{ userId: meId, role: 'viewer' }] } })
      assert.equal(album.status, 201, JSON.stringify(album.body))
      assert.ok(!(await markers()).some((m) => m.id === ids.theirs))
      assert.ok((await markers('?withSharedAlbums=true')).some((m) => m.id === ids.theirs))
      assert.ok(!(await markers('?withSharedAlbums=true', other)).some((m) => m.id === ids.arezzo), 'sharing is one way')
      assert.equal((await t.client.call('GET', '/api/map/markers')).status, 401)
    })

    test('reverse geocode a position (Immich\'s): the place, or nothing at sea; bad positions refused', async () => {
      const get = (q: string) => t.client.call('GET', `/api/map/reverse-geocode?${q}`, { headers: me.headers })
      assert.deepEqual((await get('lat=38.7169&lon=-9.1399')).body, [{ city: 'Lisbon', state: null, country: 'Portugal' }])
      assert.deepEqual((await get('lat=36&lon=-40')).body, [])
      for (const [q, why] of [['lat=91&lon=0', /lat: between -90 and 90/], ['lat=1&lon=east', /lon: expected a longitude/], ['lat=1', /lon/]] as const) {
        const r = await get(q)
        assert.equal(r.status, 400, q)
        assert.match(r.body.message, why)
      }
      assert.equal((await t.client.call('GET', '/api/map/reverse-geocode?lat=1&lon=1')).status, 401)
    })

    test('explore (Immich\'s): cities with the most photos first, each with its newest photo; mine only', async () => {
      const get = async (who: Session) => (await t.client.call('GET', '/api/search/explore', { headers: who.headers })).body as Array<{ fieldName: string, items: Array<{ value: string, data: { id: string } }> }>
      const [cities] = await get(me)
      assert.equal(cities!.fieldName, 'exifInfo.city')
      assert.deepEqual(cities!.items.map((i) => i.value), ['Arezzo', 'Clifton', 'San Francisco'])
      assert.ok([ids.arezzo, ids.arezzo2].includes(cities!.items[0]!.data.id))
      assert.deepEqual((await get(other))[0]!.items.map((i) => [i.value, i.data.id]), [['Arezzo', ids.theirs]])
    })

    test('stored assets with a position and no place are named by the backlog', async () => {
      await t.node.db.query('UPDATE asset_exif SET city = NULL, state = NULL, country = NULL WHERE asset_id = $1', [ids.sf])
      await t.node.db.query('UPDATE asset_exif SET latitude = 38.6, longitude = -10.0 WHERE asset_id = $1', [ids.nogps])
      const r = await t.node.places.backfill()
      assert.deepEqual(r, { named: 2, unnamed: 0 })
      const sf = await exif(ids.sf!)
      assert.deepEqual([sf.city, sf.state, sf.country], ['San Francisco', 'California', 'United States'])
      const sea = await exif(ids.nogps!)
      assert.deepEqual([sea.city, sea.country], [null, 'Portugal'])
      assert.deepEqual(await t.node.places.backfill(), { named: 0, unnamed: 0 }, 'nothing left to do')
    })
  })
}
