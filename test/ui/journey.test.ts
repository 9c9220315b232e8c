/**
 * The whole browser journey in one flow, on one fresh node per engine, as a person would
 * walk it: sign up → upload fixture photos by drag and drop → their thumbnails in the timeline →
 * the viewer, stepped with the keyboard → a new album with photos added → its public link opened
 * in a fresh, signed-out context → search by a word written in a photo (read by OCR with the real
 * `lite` pack) and by date → trash and restore. Every step saves a screenshot
 * (test-output/ui/journey-<engine>-NN-*.png) and ends with no console error so far.
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { engines } from '../helpers/engines.ts'
import { litePack } from '../helpers/models.ts'
import { waitFor } from '../helpers/process.ts'
import { dropFiles, startUi, type UiHarness } from './harness.ts'

const fixtures = resolve(import.meta.dirname, '../../../shared/fixtures')
// Capture dates read with exiftool: tanners_ridge 2023-09-25, prairie_falcon 2022-03-31,
// el_torcal_rocks 2012-08-05, DSCN0010 2008-10-22 (GPS), cyclamen_persicum 2007-12-06 (photos of
// 512 to 800 px, so the viewer has something to show). craft-beer.jpg has no EXIF: it is dated by
// the dropped file, i.e. the moment of the test run. OCR reads "HOPADILLO" (and more) on its
// labels (test/ml/ocr.test.ts).
const photos = [
  `${fixtures}/immich-test-assets/albums/nature/tanners_ridge.jpg`,
  `${fixtures}/immich-test-assets/albums/nature/prairie_falcon.jpg`,
  `${fixtures}/immich-test-assets/albums/nature/el_torcal_rocks.jpg`,
  `${fixtures}/exif-samples/jpg/gps/DSCN0010.jpg`,
  `${fixtures}/immich-test-assets/albums/nature/cyclamen_persicum.jpg`,
  `${fixtures}/immich-test-assets/albums/text/craft-beer.jpg`,
]
const ADMIN = { name: 'Ada', email: 'ada@example.org', password: 'correct horse battery' }

/** True once every <img> matching `selector` (inside shadow roots too) has loaded a picture. */
async function imagesLoaded (page: Page, selector: string, count: number): Promise<boolean> {
  const loaded = await page.locator(selector).evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0).length)
  return loaded >= count
}

/**
 * How many of the timeline's photos have their thumbnail loaded, looking down the whole (windowed,
 * lazily loading) timeline a screen at a time; it ends scrolled back to the top. `months` gets the
 * month headings seen on the way, in order.
 */
async function timelineThumbnails (page: Page, months: string[] = []): Promise<number> {
  const scroller = page.locator('hearth-timeline .scroller')
  const seen = new Set<string>()
  months.length = 0
  for (let top = 0; ; top += 400) {
    const bottom = await scroller.evaluate((el, y) => { el.scrollTop = y; return el.scrollTop + el.clientHeight >= el.scrollHeight - 1 }, top)
    await page.waitForTimeout(100)
    const loaded = await page.locator('hearth-timeline .tile').evaluateAll((ts) => ts.filter((t) => {
      const img = t.querySelector('img')
      return img !== null && img.complete && img.naturalWidth > 0
    }).map((t) => (t as HTMLElement).dataset.id!))
    for (const id of loaded) seen.add(id)
    for (const m of await page.locator('hearth-timeline section.month h2').allTextContents()) if (!months.includes(m)) months.push(m)
    if (bottom) break
  }
  await scroller.evaluate((el) => { el.scrollTop = 0 })
  return seen.size
}

/** The id of the asset uploaded as `name`. */
async function idOf (page: Page, name: string): Promise<string> {
  const found = await api<{ assets: { items: Array<{ id: string, originalFileName: string }> } }>(page, '/api/search/metadata', { originalFileName: name })
  const hit = found.assets.items.find((a) => a.originalFileName === name)
  assert.ok(hit !== undefined, `${name} is in the library`)
  return hit.id
}

/** Waits until the viewer shows `name`'s preview, faded in. */
async function viewerShows (page: Page, name: string): Promise<void> {
  await page.locator('hearth-viewer .bar').getByText(name, { exact: true }).waitFor()
  const img = page.locator('hearth-viewer img.main.loaded')
  await waitFor(`the viewer showing ${name}`, () => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0 && getComputedStyle(i).opacity === '1').catch(() => false))
}

/** The signed-in page's own API call (its session cookie goes along). */
function api<T> (page: Page, path: string, body?: unknown): Promise<T> {
  return page.evaluate(async ([p, b]) => {
    const r = await fetch(p, b === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) })
    return r.json()
  }, [path, body] as const) as Promise<T>
}

for (const engine of engines) {
  describe(`web UI journey, one flow [${engine}]`, { skip: photos.every((p) => existsSync(p)) ? false : 'needs ../shared/fixtures' }, () => {
    let ui: UiHarness
    let page: Page
    const shot = (n: string, name: string, p = page) => ui.shot(p, `journey-${engine}-${n}-${name}`)
    const noErrors = () => assert.deepEqual(ui.errors, [], 'no console errors so far')
    let started = 0

    before(async () => {
      started = Date.now()
      // The lite pack reads text in photos; an always-open ML window lets the backlog run at once.
      ui = await startUi(engine, { HEARTH_MODELS_DIR: await litePack(), HEARTH_ML_WINDOW: '00:00-00:00' })
      page = await ui.page()
    })
    after(async () => {
      console.log(`# journey [${engine}]: ${((Date.now() - started) / 1000).toFixed(1)} s`)
      await ui.stop()
    })

    test('1. sign up on a new server', async () => {
      await page.goto(ui.url + '/')
      await page.getByRole('heading', { name: 'Welcome to Hearth' }).waitFor()
      await shot('01', 'sign-up')
      await page.getByLabel('Your name').fill(ADMIN.name)
      await page.getByLabel('Email').fill(ADMIN.email)
      await page.getByLabel('Password', { exact: true }).fill(ADMIN.password)
      await page.getByLabel('Repeat the password').fill(ADMIN.password)
      await page.getByRole('button', { name: 'Create account' }).click()
      await page.waitForURL('**/photos')
      await page.getByText('No photos yet').waitFor()
      noErrors()
    })

    test('2. upload by drag and drop', async () => {
      const files = await Promise.all(photos.map(async (p) => ({ name: basename(p), type: 'image/jpeg', data: await readFile(p) })))
      await dropFiles(page, files, async () => {
        await page.getByText('Drop to upload to Hearth').waitFor()
        await shot('02', 'dragging')
      })
      const panel = page.locator('hearth-upload-panel section')
      await panel.getByText('6 of 6 done').waitFor({ timeout: 60_000 })
      // With every file done, the panel folds to its summary; unfolded, it lists each one.
      await panel.getByRole('button', { name: 'Uploads' }).click()
      await panel.locator('li[data-state=done]').nth(5).waitFor()
      assert.deepEqual(await panel.locator('li[data-state=done] .name').allTextContents(), photos.map((p) => basename(p)))
      await shot('03', 'uploaded')
      await panel.getByRole('button', { name: 'Close' }).click()
      await panel.waitFor({ state: 'detached' })
      noErrors()
    })

    test('3. the thumbnails appear in the timeline, by month', async () => {
      const thisMonth = new Date().toLocaleDateString('en-US', { month: 'long', year: 'numeric' })
      const expected = [thisMonth, 'September 2023', 'March 2022', 'August 2012', 'October 2008', 'December 2007']
      // A photo sits in its upload's month until its metadata job reads the capture date, then
      // moves live; so one pass from top to bottom can see a month appear behind it. The timeline
      // is right once a whole pass shows six thumbnails under the six capture months, in order.
      const months: string[] = []
      let thumbnails = 0
      await waitFor('six thumbnails under their capture months', async () => {
        thumbnails = await timelineThumbnails(page, months)
        return thumbnails === 6 && months.join('|') === expected.join('|')
      }, 90_000).catch((e: Error) => { throw new Error(`${e.message}: last pass saw ${thumbnails} thumbnails under ${months.join(', ')}`) })
      assert.deepEqual(months, expected)
      await shot('04', 'timeline')
      noErrors()
    })

    test('4. the viewer opens and steps with the keyboard', async () => {
      // Newest first: the photo of today, then the others by capture date.
      const order = ['craft-beer.jpg', 'tanners_ridge.jpg', 'prairie_falcon.jpg', 'el_torcal_rocks.jpg']
      const first = await idOf(page, order[0]!)
      await page.locator(`hearth-timeline .tile[data-id="${first}"] a`).click()
      await page.waitForURL(`**/photos/${first}`)
      await viewerShows(page, order[0]!)
      await shot('05', 'viewer')
      const seen = [new URL(page.url()).pathname]
      for (const name of order.slice(1)) {
        await page.keyboard.press('ArrowRight')
        await page.waitForURL((u) => u.pathname !== seen.at(-1))
        await viewerShows(page, name)
        seen.push(new URL(page.url()).pathname)
      }
      assert.equal(new Set(seen).size, 4, `four photos in turn: ${seen.join(' ')}`)
      await shot('06', 'viewer-stepped')
      await page.keyboard.press('ArrowLeft')
      await page.waitForURL((u) => u.pathname === seen[2])
      await viewerShows(page, order[2]!)
      await page.keyboard.press('Escape')
      await page.waitForURL((u) => u.pathname === '/photos')
      noErrors()
    })

    let publicUrl = ''
    test('5. create an album and add photos; make a public link', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Albums' }).click()
      await page.waitForURL('**/albums')
      await page.getByRole('button', { name: 'New album' }).click()
      await page.getByLabel('Album name').fill('Travels')
      await page.getByRole('button', { name: 'Create', exact: true }).click()
      await page.waitForURL(/\/albums\/[0-9a-f-]{36}$/)
      await page.getByRole('heading', { name: 'Travels' }).waitFor()
      await page.getByRole('button', { name: 'Add photos' }).click()
      // The picker is the timeline: a click selects (nothing opens), and the button counts them.
      const dialog = page.getByRole('dialog')
      await waitFor('the picker\'s thumbnails', () => imagesLoaded(page, 'dialog hearth-timeline .tile img', 3))
      const chosen = await dialog.locator('hearth-timeline .tile').evaluateAll((ts) => ts.slice(1, 3).map((t) => (t as HTMLElement).dataset.id!))
      for (const id of chosen) await dialog.locator(`hearth-timeline .tile[data-id="${id}"] a`).click()
      await dialog.getByRole('button', { name: 'Add 2 items' }).waitFor()
      assert.equal(await page.locator('hearth-viewer').count(), 0, 'nothing opened')
      assert.equal(await page.locator('hearth-selection-bar').count(), 0, 'no selection bar in the picker')
      await shot('07', 'album-pick')
      await page.getByRole('button', { name: 'Add 2 items' }).click()
      await page.getByText('2 items', { exact: true }).waitFor()
      const album = await api<{ assets: Array<{ id: string }> }>(page, `/api/albums/${new URL(page.url()).pathname.split('/').pop()!}`)
      assert.deepEqual(album.assets.map((a) => a.id).sort(), [...chosen].sort(), 'the two chosen in the picker')
      await waitFor('album thumbnails', () => imagesLoaded(page, '.grid img', 2))
      await shot('08', 'album')

      await page.getByRole('button', { name: 'Share' }).click()
      await page.getByRole('button', { name: 'Create link' }).click()
      const linkInput = page.locator('input[data-link]')
      await linkInput.waitFor()
      publicUrl = await linkInput.inputValue()
      assert.match(publicUrl, new RegExp(`^${ui.url}/share/[\\w-]{43}$`))
      await shot('09', 'share-link')
      noErrors()
    })

    test('6. the public link in a fresh, signed-out context shows the album', async () => {
      const visitor = await ui.page()
      assert.deepEqual(await visitor.context().cookies(), [], 'no session in the visitor\'s context')
      await visitor.goto(publicUrl)
      await visitor.getByRole('heading', { name: 'Travels' }).waitFor()
      await visitor.getByText(`Shared by ${ADMIN.name}`).waitFor()
      await waitFor('shared thumbnails', () => imagesLoaded(visitor, '.grid img', 2))
      assert.equal(await visitor.locator('.grid img').count(), 2)
      assert.equal(await visitor.getByRole('navigation', { name: 'Main' }).count(), 0, 'none of the signed-in app')
      await shot('10', 'public-album', visitor)
      await visitor.locator('.grid button').first().click()
      await waitFor('the preview', () => imagesLoaded(visitor, 'hearth-album-lightbox img', 1))
      await shot('11', 'public-viewer', visitor)
      // Still signed out: the visitor's context never got a session.
      assert.equal((await visitor.context().cookies()).some((c) => c.name === 'hearth_access_token'), false)
      await visitor.close()
      noErrors()
    })

    test('7. search finds a photo by a word written in it, and by date', async () => {
      const beer = await idOf(page, 'craft-beer.jpg')
      // OCR runs in the background after the preview; wait until the photo has been read.
      const t0 = Date.now()
      await waitFor('OCR of craft-beer.jpg', async () => (await api<unknown[]>(page, `/api/assets/${beer}/ocr`)).length > 0, 180_000)
      console.log(`# OCR of craft-beer.jpg ready ${((Date.now() - t0) / 1000).toFixed(1)} s after the search step began`)

      const box = page.getByRole('search').getByRole('searchbox', { name: 'Search' })
      await box.fill('hopadillo')
      await box.press('Enter')
      await page.waitForURL('**/search?q=hopadillo')
      const results = page.locator('hearth-search')
      await results.getByText('1 result', { exact: true }).waitFor()
      await results.locator('.tile .why').getByText('the photo reads “hopadillo”').waitFor()
      assert.equal(await results.locator(`.tile[href="/search/photos/${beer}"]`).count(), 1)
      await waitFor('the result\'s thumbnail', () => imagesLoaded(page, 'hearth-search .tile img', 1))
      await shot('12', 'search-text')

      await box.fill('2008-10-22')
      await box.press('Enter')
      await results.getByText('1 result', { exact: true }).waitFor()
      await results.locator('.tile .why').getByText('taken Oct 22, 2008', { exact: true }).waitFor()
      await waitFor('the result\'s thumbnail', () => imagesLoaded(page, 'hearth-search .tile img', 1))
      await shot('13', 'search-date')
      noErrors()
    })

    test('8. trash a photo from the viewer, then restore it from the trash', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Photos' }).click()
      await page.waitForURL('**/photos')
      await waitFor('six thumbnails', async () => await timelineThumbnails(page) === 6)
      // The newest photo, at the top (picked by id: a windowed timeline just scrolled back up may
      // still hold lower months' tiles first in its DOM).
      const id = await idOf(page, 'craft-beer.jpg')
      await page.locator(`hearth-timeline .tile[data-id="${id}"] a`).click()
      await page.waitForURL(`**/photos/${id}`)
      await viewerShows(page, 'craft-beer.jpg')
      await page.locator('hearth-viewer').getByRole('button', { name: 'Move to trash' }).click()
      await page.getByText('1 item moved to the trash.').waitFor()
      await page.keyboard.press('Escape')
      await page.locator(`hearth-timeline .tile[data-id="${id}"]`).waitFor({ state: 'detached' })
      assert.equal(await timelineThumbnails(page), 5)
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trash' }).click()
      await page.waitForURL('**/trash')
      await waitFor('the trashed photo', () => imagesLoaded(page, `hearth-timeline .tile[data-id="${id}"] img`, 1))
      await shot('14', 'trash')
      await page.locator(`hearth-timeline .tile[data-id="${id}"] a`).click()
      await page.locator('hearth-viewer').getByText('In the trash').waitFor()
      await page.locator('hearth-viewer').getByRole('button', { name: 'Restore from trash' }).click()
      await page.getByText('1 item restored.').waitFor()
      await page.keyboard.press('Escape')
      await page.getByText('The trash is empty.').waitFor()
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Photos' }).click()
      await waitFor('the restored photo', () => imagesLoaded(page, `hearth-timeline .tile[data-id="${id}"] img`, 1))
      await waitFor('six thumbnails again', async () => await timelineThumbnails(page) === 6)
      await shot('15', 'restored')
      noErrors()
    })
  })
}
