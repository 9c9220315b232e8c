/**
 * The map in a real browser: GPS fixtures (two in Arezzo, one in San Francisco, one near Grand
 * Junction, Colorado; test/places decides their places) shown as markers on country outlines drawn
 * from the bundle, with no request leaving the server; a marker lists its photos beside the map and
 * opens them; zooming splits and joins markers; the favourites filter; "Show on the map" from the
 * info panel opens the map at the photo.
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { oneEngine } from '../helpers/engines.ts'
import type { Session } from '../helpers/client.ts'
import { startUi, type UiHarness } from './harness.ts'

const fixtures = resolve(import.meta.dirname, '../../../shared/fixtures')
const files = {
  arezzo: 'exif-samples/jpg/gps/DSCN0010.jpg',
  arezzo2: 'exif-samples/jpg/gps/DSCN0042.jpg',
  sf: 'immich-test-assets/metadata/dates/gps-datetime.jpg',
  clifton: 'immich-test-assets/metadata/gps-position/thompson-springs.jpg',
  nogps: 'exif-samples/jpg/Canon_40D.jpg',
}

const markers = (page: Page) => page.locator('hearth-map .marker')
/** Each marker's label and count, sorted. */
async function markerLabels (page: Page): Promise<string[]> {
  return (await markers(page).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))).sort()
}

/** The centre of Arezzo's photos on screen (one marker, or two once zoomed in far enough). */
async function arezzo (page: Page): Promise<{ x: number, y: number }> {
  const boxes = await page.getByRole('button', { name: /Arezzo/ }).evaluateAll((els) => els.map((e) => { const r = e.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 } }))
  assert.ok(boxes.length > 0, 'Arezzo is on screen')
  return { x: boxes.reduce((s, b) => s + b.x, 0) / boxes.length, y: boxes.reduce((s, b) => s + b.y, 0) / boxes.length }
}

for (const engine of oneEngine('pglite')) {
  describe(`web UI map [${engine}]`, { skip: existsSync(fixtures) ? false : 'needs ../shared/fixtures' }, () => {
    let ui: UiHarness
    let s: Session
    let page: Page
    const ids: Record<string, string> = {}
    const outside: string[] = []
    before(async () => {
      ui = await startUi(engine)
      s = await ui.node.client.signUpAdmin()
      for (const [key, path] of Object.entries(files)) {
        const r = await ui.node.client.upload(s, resolve(fixtures, path))
        assert.equal(r.status, 201, JSON.stringify(r.body))
        ids[key] = r.body.id as string
      }
      await ui.node.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'], { timeoutMs: 300_000 })
      page = await ui.page()
      page.on('request', (r) => { if (!r.url().startsWith(ui.url) && !r.url().startsWith('data:')) outside.push(r.url()) })
      await page.context().addCookies([{ name: 'hearth_access_token', value: s.token, url: ui.url }])
    })
    after(async () => { await ui.stop() })

    test('the map shows the countries and a marker per place, fitted to the photos; nothing is fetched from outside', async () => {
      await page.goto(ui.url + '/map')
      await markers(page).first().waitFor()
      // Fitted to Italy and the western US: Arezzo's two photos share a marker; the US's two are apart.
      assert.deepEqual(await markerLabels(page), ['1 photo near Clifton, United States', '1 photo near San Francisco, United States', '2 photos near Arezzo, Italy'])
      const countries = await page.locator('hearth-map svg path').count()
      assert.ok(countries > 150, `country outlines drawn: ${countries}`)
      await page.locator('hearth-map svg path[data-name="Italy"]').waitFor({ state: 'attached' })
      assert.equal(await page.locator('hearth-map .marker', { hasText: '2' }).count(), 1, 'the count shows on the shared marker')
      await page.waitForFunction(() => [...document.querySelector('hearth-app')!.shadowRoot!.querySelector('hearth-map')!.shadowRoot!.querySelectorAll('.marker img')]
        .every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0))
      await ui.shot(page, `map-${engine}-01-fitted`)
      assert.deepEqual(outside, [], 'no request left the server')
    })

    test('the outlines travel gzipped to a browser that takes it, plain to one that does not', async () => {
      const chunk = (await readdir(resolve(import.meta.dirname, '../../ui/dist/chunks'))).find((f) => /^countries-50m-.*\.js$/.test(f))!
      const gz = await fetch(`${ui.url}/chunks/${chunk}`, { headers: { 'accept-encoding': 'gzip' } })
      assert.equal(gz.headers.get('content-encoding'), 'gzip')
      const sent = Number(gz.headers.get('content-length'))
      const text = await gz.text()
      assert.ok(sent < text.length / 2, `${sent} bytes sent for ${text.length}`)
      const plain = await fetch(`${ui.url}/chunks/${chunk}`, { headers: { 'accept-encoding': 'identity' } })
      assert.equal(plain.headers.get('content-encoding'), null)
      assert.equal(await plain.text(), text)
      assert.match(plain.headers.get('vary') ?? '', /accept-encoding/i)
    })

    test('zooming out joins the US markers; a marker lists its photos beside the map and opens them', async () => {
      // The keyboard: the map takes focus and − zooms out.
      await page.locator('hearth-map .map').focus()
      for (let i = 0; i < 3 && (await markers(page).count()) > 2; i++) await page.keyboard.press('-')
      assert.equal(await markers(page).count(), 2, 'two markers left: Italy and the US')
      const us = (await markerLabels(page)).find((l) => l.endsWith('United States'))!
      assert.match(us, /^2 photos near (Clifton|San Francisco), United States$/)
      await page.getByRole('button', { name: us }).click()
      const panel = page.locator('hearth-map aside')
      await panel.getByText('2 photos', { exact: true }).waitFor()
      await panel.locator('hearth-photo-grid .tile img').nth(1).waitFor()
      assert.equal(await panel.locator('hearth-photo-grid .tile').count(), 2)
      await ui.shot(page, `map-${engine}-02-panel`)
      // "Zoom in here" splits the marker again.
      await panel.getByRole('button', { name: 'Zoom in here' }).click()
      await page.getByRole('button', { name: '1 photo near San Francisco, United States' }).waitFor()
      await page.getByRole('button', { name: '1 photo near Clifton, United States' }).waitFor()
      // A photo opens in the lightbox.
      await panel.locator('hearth-photo-grid .tile button.open').first().click()
      await page.locator('hearth-album-lightbox').waitFor()
      await page.keyboard.press('Escape')
      await page.locator('hearth-album-lightbox').waitFor({ state: 'detached' })
      await panel.getByRole('button', { name: 'Close the photos of this place' }).click()
      await panel.waitFor({ state: 'detached' })
    })

    test('the wheel zooms where the pointer is; a drag moves the map', async () => {
      await page.getByRole('button', { name: 'Show all photos' }).click()
      await page.getByRole('button', { name: '2 photos near Arezzo, Italy' }).waitFor()
      const before = await arezzo(page)
      await page.mouse.move(before.x, before.y)
      for (let i = 0; i < 2; i++) await page.mouse.wheel(0, -300)
      await page.getByRole('button', { name: /United States/ }).first().waitFor({ state: 'detached' })
      // The point under the pointer stays put, so Arezzo's photos are still (about) there.
      const after = await arezzo(page)
      assert.ok(Math.abs(after.x - before.x) < 30 && Math.abs(after.y - before.y) < 30, `${JSON.stringify(before)} → ${JSON.stringify(after)}`)
      // Drag from empty sea, 200 px left and 100 up: the markers follow.
      const map = (await page.locator('hearth-map .map').boundingBox())!
      const start = { x: map.x + 40, y: map.y + map.height - 60 }
      await page.mouse.move(start.x, start.y)
      await page.mouse.down()
      await page.mouse.move(start.x - 100, start.y - 50, { steps: 4 })
      await page.mouse.move(start.x - 200, start.y - 100, { steps: 4 })
      await page.mouse.up()
      const moved = await arezzo(page)
      assert.ok(Math.abs(moved.x - (after.x - 200)) < 3 && Math.abs(moved.y - (after.y - 100)) < 3, `${JSON.stringify(after)} → ${JSON.stringify(moved)}`)
      await ui.shot(page, `map-${engine}-03-zoomed`)
    })

    test('favourites only; "Show on the map" in the info panel opens the map at the photo', async () => {
      await ui.node.client.call('PUT', `/api/assets/${ids.sf}`, { headers: s.headers, body: { isFavorite: true } })
      await page.getByRole('checkbox', { name: 'Favourites only' }).check()
      // The view stays where it was (on Italy, where there is no favourite); "show all" goes to them.
      await page.getByRole('button', { name: /Arezzo/ }).first().waitFor({ state: 'detached' })
      assert.equal(await markers(page).count(), 0)
      await page.getByRole('button', { name: 'Show all photos' }).click()
      await page.getByRole('button', { name: '1 photo near San Francisco, United States' }).waitFor()
      assert.equal(await markers(page).count(), 1)
      await page.getByRole('checkbox', { name: 'Favourites only' }).uncheck()
      await page.getByRole('button', { name: 'Show all photos' }).click()
      await page.getByRole('button', { name: /Arezzo/ }).first().waitFor()

      await page.goto(`${ui.url}/photos/${ids.clifton}`)
      await page.locator('hearth-viewer img.main.loaded').waitFor()
      await page.keyboard.press('i')
      await page.locator('hearth-info-panel').getByRole('link', { name: 'Show on the map' }).click()
      await page.waitForURL(/\/map\?lat=39\.1\d*&lon=-108\.4\d*&zoom=12$/)
      await page.getByRole('button', { name: '1 photo near Clifton, United States' }).waitFor()
      assert.equal(await markers(page).count(), 1, 'at zoom 12 only Clifton is in view')
      assert.deepEqual(outside, [], 'no request left the server')
      assert.deepEqual(ui.errors, [])
    })
  })
}
