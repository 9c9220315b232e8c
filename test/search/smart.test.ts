/**
 * POST /api/search/smart on both engines, with real fixture photos and their real metadata (dates,
 * cameras, keywords, descriptions), first without CLIP, then with a generated CLIP pair whose
 * embeddings are stored by the CLIP stage as the ML pipeline would run it.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import sharp from 'sharp'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { colours, installClipModels } from '../helpers/clip-models.ts'
import { loadClipTokenizer } from '../../node/ml/clip/tokenizer.ts'

const tokenizer = await loadClipTokenizer()
const shared = resolve(import.meta.dirname, '../../../shared/fixtures')
const fixture = (p: string) => join(shared, p)
const photos: Record<string, string> = {
  canon40d: 'exif-samples/jpg/Canon_40D.jpg', // 2008-05-30, Canon EOS 40D
  nikonD70: 'exif-samples/jpg/Nikon_D70.jpg', // 2008-03-15, NIKON CORPORATION NIKON D70
  falcon: 'immich-test-assets/albums/nature/prairie_falcon.jpg', // 2022-03-31, Canon EOS R5, keywords birds/raptors, description "Adult female prairie falcon..."
  ridge: 'immich-test-assets/albums/nature/tanners_ridge.jpg', // 2023-09-25, NIKON D750, keywords Big Meadows/Overlook
  utah: 'immich-test-assets/metadata/gps-position/thompson-springs.jpg', // 2022-01-10, keywords utah winter scenes, description "Early winter scene..."
  frost: 'immich-test-assets/metadata/tags/picasa.jpg', // 2010-02-13, Canon PowerShot SD1100 IS, keywords Frost, Yard
  beer: 'immich-test-assets/albums/text/craft-beer.jpg', // no metadata
}

for (const engine of engines) {
  describe(`[${engine}] smart search`, { skip: existsSync(shared) ? false : 'needs ../shared/fixtures (real camera photos)' }, () => {
    let t: TestNode
    let me: Session
    let other: Session
    let work: string
    const ids: Record<string, string> = {}
    const names = new Map<string, string>()

    const search = async (body: Record<string, unknown>, who = me) => {
      const r = await t.client.call('POST', '/api/search/smart', { body, headers: who.headers })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      return r.body.assets as { items: Array<{ id: string, originalFileName: string, hearth: { matched: string[], reasons: Array<Record<string, unknown>>, score: number } }>, total: number, count: number, nextPage: string | null }
    }
    const found = async (query: string, extra: Record<string, unknown> = {}) => (await search({ query, ...extra })).items.map((i) => names.get(i.id) ?? i.id)

    before(async () => {
      work = await mkdtemp(join(tmpdir(), 'hearth-smart-'))
      t = await startTestNode(engine, { HEARTH_MODELS_DIR: join(work, 'models') })
      me = await t.client.signUpAdmin()
      other = await t.client.createUser(me, 'other@example.org')
      for (const [key, path] of Object.entries(photos)) {
        const r = await t.client.upload(me, fixture(path))
        assert.equal(r.status, 201, `${key}: ${JSON.stringify(r.body)}`)
        ids[key] = r.body.id as string
        names.set(r.body.id as string, key)
      }
      // Solid colours for CLIP; "blue-sky.jpg" is green, so only its name says blue.
      for (const [key, rgb, file] of [['red', colours.red!, 'IMG_1001.jpg'], ['blue', colours.blue!, 'IMG_1002.jpg'], ['greenNamedBlue', colours.green!, 'blue-sky.jpg'], ['yellow', colours.yellow!, 'IMG_1003.jpg']] as const) {
        const data = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).jpeg().toBuffer()
        const r = await t.client.upload(me, { name: file, data })
        assert.equal(r.status, 201)
        ids[key] = r.body.id as string
        names.set(r.body.id as string, key)
      }
      const r = await t.client.upload(other, fixture(photos.falcon!))
      assert.equal(r.status, 201)
      names.set(r.body.id as string, 'othersFalcon')
      await t.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'], { timeoutMs: 300_000 })
    })
    after(async () => {
      await t.stop()
      await rm(work, { recursive: true, force: true })
    })

    test('a year finds the photos taken that year, and says so', async () => {
      const r = await search({ query: '2022' })
      assert.deepEqual(r.items.map((i) => names.get(i.id)).sort(), ['falcon', 'utah'])
      assert.ok(r.items.every((i) => i.hearth.matched.includes('date 2022')))
      assert.deepEqual(await found('in March 2022'), ['falcon'])
      assert.deepEqual(await found('photos from 2008'), ['canon40d', 'nikonD70'])
    })

    test('words are found in keywords, descriptions and file names', async () => {
      const falcon = (await search({ query: 'falcon' })).items
      assert.deepEqual(falcon.map((i) => names.get(i.id)), ['falcon'])
      assert.ok(falcon[0]!.hearth.matched.some((m) => m.includes('file name') && m.includes('keyword') && m.includes('description') && m.endsWith('"falcon"')), falcon[0]!.hearth.matched.join('; '))
      assert.deepEqual(await found('frost'), ['frost'])
      assert.deepEqual(await found('craft beer'), ['beer'])
      assert.deepEqual(await found('utah winter'), ['utah'])
      assert.deepEqual(await found('birds 2022'), ['falcon'])
      assert.deepEqual(await found('birds 2008'), [])
      assert.deepEqual(await found('zebra'), [])
    })

    test('cameras by make (first word), model, or model without the make', async () => {
      assert.deepEqual((await found('canon')).sort(), ['canon40d', 'falcon', 'frost'])
      assert.deepEqual(await found('canon 2008'), ['canon40d'])
      assert.deepEqual((await found('nikon')).sort(), ['nikonD70', 'ridge'])
      assert.deepEqual(await found('EOS 40D'), ['canon40d'])
      const r = await search({ query: 'nikon d70' })
      assert.deepEqual(r.items.map((i) => names.get(i.id)), ['nikonD70'])
      assert.ok(r.items[0]!.hearth.matched.includes('camera NIKON D70'), r.items[0]!.hearth.matched.join('; '))
    })

    test('words are found in album names, only in the searcher\'s own albums\' photos', async () => {
      const album = await t.client.call('POST', '/api/albums', { headers: me.headers, body: { albumName: 'Grandpa\'s allotment', assetIds: [ids.frost, ids.ridge] } })
      assert.equal(album.status, 201, JSON.stringify(album.body))
      try {
        const r = await search({ query: 'allotment' })
        assert.deepEqual(r.items.map((i) => names.get(i.id)).sort(), ['frost', 'ridge'])
        assert.ok(r.items.every((i) => JSON.stringify(i.hearth.reasons) === JSON.stringify([{ kind: 'words', term: 'allotment', fields: ['album'] }])), JSON.stringify(r.items.map((i) => i.hearth.reasons)))
        assert.equal((await search({ query: 'allotment' }, other)).total, 0)
      } finally {
        await t.client.call('DELETE', `/api/albums/${album.body.id as string}`, { headers: me.headers })
      }
    })

    test('a camera written after a search is known to the next one (the cached vocabulary follows the database)', async () => {
      assert.deepEqual(await found('nikon d70'), ['nikonD70']) // the vocabulary is cached now
      // A raw write, as any writer might make it: the trigger of migration 0012 moves the cache's stamp.
      await t.node.db.query("UPDATE asset_exif SET model = 'NIKON D90' WHERE asset_id = $1", [ids.nikonD70])
      try {
        const r = await search({ query: 'nikon d90' })
        assert.deepEqual(r.items.map((i) => names.get(i.id)), ['nikonD70'])
        assert.ok(r.items[0]!.hearth.matched.includes('camera NIKON D90'), r.items[0]!.hearth.matched.join('; '))
      } finally {
        await t.node.db.query("UPDATE asset_exif SET model = 'NIKON D70' WHERE asset_id = $1", [ids.nikonD70])
      }
      assert.deepEqual(await found('nikon d90'), [])
    })

    test('places by city or country, once reverse geocoding has filled them', async () => {
      // Stands in for the places stage (another part of Hearth), which writes these columns.
      await t.node.db.query("UPDATE asset_exif SET city = 'Lisbon', country = 'Portugal' WHERE asset_id = $1", [ids.canon40d])
      await t.node.db.query("UPDATE asset_exif SET city = 'São Paulo', country = 'Brazil' WHERE asset_id = $1", [ids.ridge])
      const r = await search({ query: 'photos in Lisbon' })
      assert.deepEqual(r.items.map((i) => names.get(i.id)), ['canon40d'])
      assert.ok(r.items[0]!.hearth.matched.includes('place Lisbon'))
      assert.deepEqual(await found('portugal 2008'), ['canon40d'])
      assert.deepEqual(await found('portugal 2022'), [])
      assert.deepEqual(await found('sao paulo'), ['ridge']) // accents folded
    })

    test('text in photos (OCR) is searched', async (s) => {
      const [{ t: table }] = await t.node.db.query<{ t: string | null }>("SELECT to_regclass('ocr_search')::text AS t")
      if (table === null) { s.skip('the OCR tables (migration 0007) are not in this tree'); return }
      // Stands in for the OCR stage (another part of Hearth), which writes this table.
      await t.node.db.query("INSERT INTO ocr_search (asset_id, text) VALUES ($1, 'GARAGE RECEIPT total 12.50')", [ids.beer])
      const r = await search({ query: 'the receipt from the garage' })
      assert.deepEqual(r.items.map((i) => names.get(i.id)), ['beer'])
      assert.ok(r.items[0]!.hearth.matched.includes('text "receipt"') && r.items[0]!.hearth.matched.includes('text "garage"'), r.items[0]!.hearth.matched.join('; '))
      assert.deepEqual(r.items[0]!.hearth.reasons, [{ kind: 'words', term: 'receipt', fields: ['text'] }, { kind: 'words', term: 'garage', fields: ['text'] }])
    })

    test('people by name or first name, once faces are named', async (s) => {
      const [{ t: table }] = await t.node.db.query<{ t: string | null }>("SELECT to_regclass('asset_faces')::text AS t")
      if (table === null) { s.skip('the faces tables (migration 0006) are not in this tree'); return }
      // Stands in for the faces stage and a user naming the person (another part of Hearth).
      const me2 = await t.node.db.query<{ owner_id: string }>('SELECT owner_id FROM assets WHERE id = $1', [ids.utah])
      await t.node.db.query("INSERT INTO people (id, owner_id, name) VALUES ('0190a000-0000-7000-8000-000000000001', $1, 'Rose Highsmith')", [me2[0]!.owner_id])
      for (const [i, key] of ['utah', 'beer'].entries()) {
        await t.node.db.query(`INSERT INTO asset_faces (id, asset_id, person_id, image_width, image_height, bounding_box_x1, bounding_box_y1, bounding_box_x2, bounding_box_y2)
          VALUES ($1, $2, '0190a000-0000-7000-8000-000000000001', 100, 100, 0, 0, 10, 10)`, [`0190a000-0000-7000-8000-00000000001${i}`, ids[key]])
      }
      const r = await search({ query: 'Rose in 2022' })
      assert.deepEqual(r.items.map((i) => names.get(i.id)), ['utah'])
      assert.ok(r.items[0]!.hearth.matched.includes('person Rose Highsmith') && r.items[0]!.hearth.matched.includes('date 2022'))
      // The same reasons as data, for a client to word in its own language.
      assert.deepEqual(r.items[0]!.hearth.reasons, [{ kind: 'date', value: '2022' }, { kind: 'person', value: 'Rose Highsmith' }])
      assert.deepEqual((await found('rose highsmith')).sort(), ['beer', 'utah'])
      assert.deepEqual(await found('anything', { personIds: ['0190a000-0000-7000-8000-000000000001'], query: 'craft' }), ['beer'])
      // A face the user deleted shows nobody.
      await t.node.db.query("UPDATE asset_faces SET deleted_at = now() WHERE id = '0190a000-0000-7000-8000-000000000011'")
      assert.deepEqual(await found('rose'), ['utah'])
    })

    test('request filters apply, paging works, and other users never see your photos', async () => {
      assert.deepEqual(await found('falcon', { type: 'VIDEO' }), [])
      assert.deepEqual(await found('falcon', { isFavorite: true }), [])
      assert.deepEqual(await found('canon', { takenAfter: '2020-01-01T00:00:00Z' }), ['falcon'])
      const p1 = await search({ query: 'canon', size: 2, page: 1 })
      const p2 = await search({ query: 'canon', size: 2, page: 2 })
      assert.equal(p1.count, 2); assert.equal(p1.nextPage, '2'); assert.equal(p2.count, 1); assert.equal(p2.nextPage, null)
      assert.equal(new Set([...p1.items, ...p2.items].map((i) => i.id)).size, 3)
      const theirs = (await search({ query: 'falcon' }, other)).items.map((i) => names.get(i.id))
      assert.deepEqual(theirs, ['othersFalcon'])
      assert.deepEqual((await search({ query: 'canon' }, other)).items.map((i) => names.get(i.id)), ['othersFalcon'])
      const bad = await t.client.call('POST', '/api/search/smart', { body: { page: 1 }, headers: me.headers })
      assert.equal(bad.status, 400)
      const anon = await t.client.call('POST', '/api/search/smart', { body: { query: 'falcon' } })
      assert.equal(anon.status, 401)
    })

    test('with CLIP: the picture built to match ranks first, words blend in, filters still apply', async () => {
      // Before any embedding exists, "red" is only a word (found nowhere).
      assert.deepEqual(await found('red'), [])
      // Install the generated CLIP pair where the immich pack's ViT-B-32 goes, and let the node's own
      // ML pipeline embed the backlog, as after `hearth models fetch immich`.
      await installClipModels(join(work, 'generated'), tokenizer, (model) => t.node.ml.models.path('immich', model))
      t.node.ml.models.invalidate()
      await t.node.ml.enqueueMissing('clip', 'interactive') // now, not in the overnight window
      await t.node.jobs.drained(['smartSearch'], { timeoutMs: 300_000 })
      const rows = await t.node.db.query('SELECT asset_id FROM smart_search')
      assert.equal(rows.length, Object.keys(ids).length + 1, 'every asset (both users\') was embedded by the pipeline')
      const red = await search({ query: 'a red car' })
      assert.equal(names.get(red.items[0]!.id), 'red')
      assert.ok(red.items[0]!.hearth.matched.some((m) => m.startsWith('looks like "a red car"')), red.items[0]!.hearth.matched.join('; '))
      assert.ok(red.items[0]!.hearth.score > 0.99)
      assert.equal(red.total, rows.length - 1, 'every one of my embedded assets is ranked, not the other user\'s')
      // "blue": the blue picture by CLIP, then the green one whose file name says blue (text bonus) before every other.
      const blue = await search({ query: 'blue' })
      assert.equal(names.get(blue.items[0]!.id), 'blue')
      const green = blue.items.find((i) => names.get(i.id) === 'greenNamedBlue')!
      assert.ok(green.hearth.matched.includes('file name "blue"'))
      // A filter from the text still applies: nothing red was taken in 2008.
      assert.ok(!(await found('red 2008')).includes('red'))
      assert.deepEqual((await found('yellow', { size: 1 })), ['yellow'])
      // Similar to an asset: itself first.
      const similar = await search({ queryAssetId: ids.red })
      assert.equal(names.get(similar.items[0]!.id), 'red')
    })
  })
}
