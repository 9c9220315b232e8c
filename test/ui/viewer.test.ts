/**
 * The viewer with real media: a video plays from /video/playback (Chromium fetches it by ranges),
 * a Samsung motion photo plays its embedded video, zoom swaps in the original, the owner writes a
 * description in the info panel and corrects the date and place (kept over a "Refresh metadata"
 * from the viewer's menu) and tags it, and the phone layout and dark theme of the timeline and viewer.
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { oneEngine } from '../helpers/engines.ts'
import type { Session } from '../helpers/client.ts'
import { startUi, type UiHarness } from './harness.ts'

const fixtures = resolve(fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url)))

async function signIn (ui: UiHarness, page: Page, session: Session): Promise<void> {
  await page.context().addCookies([{ name: 'hearth_access_token', value: session.token, url: ui.url }])
}

async function processed (ui: UiHarness, s: Session, id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 600; i++) {
    const a = (await ui.node.client.call('GET', `/api/assets/${id}`, { headers: s.headers })).body
    if (a.ingestStatus !== 'pending' && a.ingestStatus !== 'processing' && a.thumbhash !== null) return a
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`asset ${id} was not processed`)
}

/**
 * Waits until no video is waiting for or in its transcode: the playback address switches from the
 * original to the transcode when that ends, and a range the browser asked of the one would be out
 * of the other's bounds (416).
 */
async function transcoded (ui: UiHarness, s: Session) {
  for (let i = 0; i < 600; i++) {
    const q = (await ui.node.client.call('GET', '/api/jobs', { headers: s.headers })).body.videoConversion as { jobCounts: { active: number, waiting: number, delayed?: number } }
    if (q.jobCounts.active + q.jobCounts.waiting + (q.jobCounts.delayed ?? 0) === 0) return
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error('videos were not transcoded')
}

for (const engine of oneEngine('pglite')) {
  describe(`web UI viewer media [${engine}]`, () => {
    let ui: UiHarness
    let s: Session
    let tmp: string
    let video: string
    let motion: Record<string, unknown>
    let photo: string
    before(async () => {
      ui = await startUi(engine)
      s = await ui.node.client.signUpAdmin()
      tmp = await mkdtemp(join(tmpdir(), 'hearth-ui-video-'))
      const mp4 = join(tmp, 'clip.mp4')
      execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25:duration=3', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3',
        '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-movflags', '+faststart', mp4])
      video = (await ui.node.client.upload(s, mp4, { fields: { fileCreatedAt: '2023-05-01T10:00:00.000Z' } })).body.id
      const m = (await ui.node.client.upload(s, join(fixtures, 'immich-test-assets/formats/motionphoto/samsung-one-ui-6.heic'))).body.id
      photo = (await ui.node.client.upload(s, join(fixtures, 'exif-samples/jpg/gps/DSCN0010.jpg'))).body.id
      await processed(ui, s, video)
      await processed(ui, s, photo)
      motion = await processed(ui, s, m)
      // The motion part is its own hidden video asset, whose metadata, thumbnail and transcode jobs
      // follow one another: wait for all of them, not only for the queue that is busy right now.
      await ui.node.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration', 'videoConversion'], { timeoutMs: 300_000 })
      await transcoded(ui, s)
    })
    after(async () => { await ui.stop(); await rm(tmp, { recursive: true, force: true }) })
    /** The photo in the viewer, its info panel open. */
    const openInfo = async () => {
      const page = await ui.page()
      await signIn(ui, page, s)
      await page.goto(`${ui.url}/photos/${photo}`)
      await page.locator('hearth-viewer img.main.loaded').waitFor()
      await page.keyboard.press('i')
      return { page, panel: page.locator('hearth-info-panel') }
    }

    test('a slideshow steps through the timeline: a photo after the chosen seconds, a video when it has played; Space pauses; it ends at the last', async () => {
      const page = await ui.page()
      await signIn(ui, page, s)
      await page.goto(`${ui.url}/photos`)
      await page.evaluate(() => localStorage.setItem('hearth.slideshow.seconds', '3'))
      const tiles = page.locator('hearth-timeline .tile a')
      await tiles.nth(2).waitFor()
      const order = (await tiles.evaluateAll((as) => as.map((a) => a.getAttribute('href')!.split('/').pop()!)))
      assert.deepEqual(order.toSorted(), [video, String(motion.id), photo].toSorted())
      await tiles.first().click()
      await page.waitForURL(`**/photos/${order[0]}`)
      await page.getByRole('button', { name: 'Slideshow' }).click()
      const bar = page.getByRole('toolbar', { name: 'Slideshow' })
      await bar.waitFor()
      // Paused, it waits; resumed, it goes on.
      await page.keyboard.press(' ')
      await bar.getByRole('button', { name: 'Resume (Space)' }).waitFor()
      await new Promise((r) => setTimeout(r, 4000))
      assert.equal(new URL(page.url()).pathname, `/photos/${order[0]}`, 'held while paused')
      await ui.shot(page, `viewer-${engine}-slideshow-paused`)
      await page.keyboard.press(' ')
      const started = Date.now()
      await page.waitForURL(`**/photos/${order[1]}`, { timeout: 15_000 })
      assert.ok(Date.now() - started >= 2500, 'a photo stays its 3 seconds')
      await page.waitForURL(`**/photos/${order[2]}`, { timeout: 20_000 })
      await page.getByText('End of the slideshow.').waitFor({ timeout: 20_000 })
      await bar.waitFor({ state: 'detached' })
      assert.equal(new URL(page.url()).pathname, `/photos/${order[2]}`, 'it stops at the last, in the viewer')
    })

    test('a video plays from the playback endpoint with ranges', async () => {
      const page = await ui.page()
      await signIn(ui, page, s)
      const ranges: string[] = []
      page.on('request', (r) => { if (r.url().includes('/video/playback')) ranges.push(r.headers().range ?? '') })
      await page.goto(`${ui.url}/photos/${video}`)
      const el = page.locator('hearth-viewer video.play')
      await el.waitFor()
      await page.waitForFunction(() => {
        const v = document.querySelector('hearth-app')!.shadowRoot!.querySelector('hearth-photos')!.shadowRoot!.querySelector('hearth-viewer')!.shadowRoot!.querySelector('video') as HTMLVideoElement | null
        return v !== null && v.readyState >= 2
      })
      const duration = await el.evaluate((v) => (v as HTMLVideoElement).duration)
      assert.ok(Math.abs(duration - 3) < 0.2, `duration ${duration}`)
      assert.ok(ranges.some((r) => r.startsWith('bytes=')), `Chromium asked for ranges: ${ranges.join(', ')}`)
      await ui.shot(page, `viewer-${engine}-01-video`)
    })

    test('a motion photo plays its video part; zoom loads the original', async () => {
      assert.equal(typeof motion.livePhotoVideoId, 'string', 'the motion photo has a linked video')
      const page = await ui.page()
      await signIn(ui, page, s)
      await page.goto(`${ui.url}/photos/${String(motion.id)}`)
      const viewer = page.locator('hearth-viewer')
      await viewer.locator('img.main.loaded').waitFor()
      await viewer.getByRole('button', { name: 'Play motion' }).click()
      await viewer.locator('video.motion').waitFor()
      await page.waitForFunction(() => {
        const v = document.querySelector('hearth-app')!.shadowRoot!.querySelector('hearth-photos')!.shadowRoot!.querySelector('hearth-viewer')!.shadowRoot!.querySelector('video.motion') as HTMLVideoElement | null
        return v === null || v.readyState >= 2
      })
      await page.goto(`${ui.url}/photos/${photo}`)
      await viewer.locator('img.main.loaded').waitFor()
      await page.keyboard.press('+')
      await page.keyboard.press('+')
      await viewer.locator(`img.main[src="/api/assets/${photo}/original"]`).waitFor()
      assert.match(await viewer.locator('.frame').getAttribute('style') ?? '', /scale\(2\.25\)/)
      await page.keyboard.press('Escape') // leaves zoom first
      assert.match(await viewer.locator('.frame').getAttribute('style') ?? '', /scale\(1\)/)
      await ui.shot(page, `viewer-${engine}-02-photo`)
    })

    test('the owner writes a description in the info panel (saved, typed keys stay in the box, kept after a reload, found by search) and gives stars', async () => {
      const page = await ui.page()
      await signIn(ui, page, s)
      await page.goto(`${ui.url}/photos/${photo}`)
      const viewer = page.locator('hearth-viewer')
      await viewer.locator('img.main.loaded').waitFor()
      await page.keyboard.press('i')
      const box = page.locator('hearth-info-panel').getByRole('textbox', { name: 'Description' })
      await box.click()
      // Letters that are the viewer's shortcuts (i: info, f: favourite) go into the box.
      await box.pressSequentially('Grandma fishing at the lake')
      await page.locator('hearth-info-panel').getByRole('heading', { name: 'Details' }).click() // leaves the box: saved
      await page.getByText('Description saved.').waitFor()
      assert.equal(await page.locator('hearth-info-panel').count(), 1, 'the panel stayed open')
      const saved = (await ui.node.client.call('GET', `/api/assets/${photo}`, { headers: s.headers })).body
      assert.deepEqual([saved.exifInfo.description, saved.isFavorite], ['Grandma fishing at the lake', false])
      await page.reload()
      await viewer.locator('img.main.loaded').waitFor()
      await page.keyboard.press('i')
      assert.equal(await box.inputValue(), 'Grandma fishing at the lake')
      // Stars: four, then the fourth again clears them.
      const stars = page.locator('hearth-info-panel').getByRole('group', { name: 'Rating' })
      await stars.getByRole('button', { name: '4 stars' }).click()
      await page.getByText('Rated 4 stars.').waitFor()
      assert.equal((await ui.node.client.call('GET', `/api/assets/${photo}`, { headers: s.headers })).body.exifInfo.rating, 4)
      assert.equal(await stars.getByRole('button', { name: '4 stars' }).getAttribute('aria-pressed'), 'true')
      await ui.shot(page, `viewer-${engine}-02b-description`)
      await stars.getByRole('button', { name: '4 stars' }).click()
      await page.getByText('Rating cleared.').waitFor()
      assert.equal((await ui.node.client.call('GET', `/api/assets/${photo}`, { headers: s.headers })).body.exifInfo.rating, null)
      // The search form's rating filter: two stars given, then asked for.
      assert.equal((await ui.node.client.call('PUT', `/api/assets/${photo}`, { headers: s.headers, body: { rating: 2 } })).status, 200)
      const searchPage = await ui.page()
      await signIn(ui, searchPage, s)
      await searchPage.goto(`${ui.url}/search`)
      await searchPage.locator('hearth-search select[name=rating]').selectOption({ label: '2 stars' })
      await searchPage.locator('hearth-search button.primary[type=submit]').click()
      await searchPage.locator('hearth-search [role=status]').getByText('1 result', { exact: true }).waitFor()
      assert.equal(await searchPage.locator(`hearth-search .tile[href="/search/photos/${photo}"] .why`).textContent(), 'rated 2 stars')
      await ui.node.client.call('PUT', `/api/assets/${photo}`, { headers: s.headers, body: { rating: null } })
      await page.keyboard.press('Escape')
      const search = page.getByRole('search').getByRole('searchbox', { name: 'Search' })
      await search.fill('fishing')
      await search.press('Enter')
      await page.locator('hearth-search [role=status]').getByText('1 result', { exact: true }).waitFor()
      assert.equal(await page.locator(`hearth-search .tile[href="/search/photos/${photo}"] .why`).textContent(), 'description mentions “fishing”')
    })

    test('the owner corrects the date and the place in the info panel; the timeline moves the photo', async () => {
      const { page, panel } = await openInfo()
      await panel.getByText('Arezzo, Italy').waitFor()
      await panel.getByRole('button', { name: 'Edit date and time' }).click()
      await panel.getByLabel('Date and time').fill('1999-12-31T23:59:00')
      await panel.getByRole('button', { name: 'Save' }).click()
      await page.getByText('Date saved.').waitFor()
      const a = (await ui.node.client.call('GET', `/api/assets/${photo}`, { headers: s.headers })).body
      assert.equal(a.localDateTime, '1999-12-31T23:59:00.000Z', 'the wall-clock time typed, in the photo\'s own zone')
      assert.equal(a.exifInfo.timeZone, 'Europe/Rome')
      await panel.getByText(/1999/).waitFor()
      // A place by its name: the letters typed (i, f: the viewer's shortcuts) stay in the box.
      await panel.getByRole('button', { name: 'Edit place' }).click()
      await panel.getByRole('searchbox').pressSequentially('Lisbon')
      await panel.getByRole('button', { name: /^Lisbon\s*Portugal$/ }).click()
      await page.getByText('Place set to Lisbon, Portugal.').waitFor()
      await panel.getByText('Lisbon, Portugal').waitFor()
      // Or by coordinates, as a map app copies them.
      await panel.getByRole('button', { name: 'Edit place' }).click()
      await panel.getByRole('searchbox').fill('48.8566, 2.3522')
      await panel.getByRole('button', { name: 'Use 48.8566, 2.3522' }).click()
      await page.getByText('Place set to Paris, France.').waitFor()
      await panel.getByText('Paris, France').waitFor()
      const b = (await ui.node.client.call('GET', `/api/assets/${photo}`, { headers: s.headers })).body
      assert.deepEqual([b.exifInfo.latitude, b.exifInfo.longitude, b.exifInfo.city, b.isFavorite], [48.8566, 2.3522, 'Paris', false])
      await ui.shot(page, `viewer-${engine}-02c-date-place`)
      // The menu's "Refresh metadata" reads the file again and keeps what the owner set.
      await page.locator('hearth-viewer').getByRole('button', { name: 'More' }).click()
      await page.getByRole('menuitem', { name: 'Refresh metadata' }).click()
      await page.getByText('Reading the file again; what you set in Hearth is kept.').waitFor()
      await ui.node.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'])
      const c = (await ui.node.client.call('GET', `/api/assets/${photo}`, { headers: s.headers })).body
      assert.deepEqual([c.localDateTime, c.exifInfo.city, c.exifInfo.make], ['1999-12-31T23:59:00.000Z', 'Paris', 'NIKON'])
      // Back in the timeline, the photo is in December 1999.
      await page.keyboard.press('Escape')
      await page.locator(`hearth-timeline section.month[aria-label="December 1999"] .tile[data-id="${photo}"]`).waitFor()
    })

    test('the owner tags a photo in the info panel (a new nested tag, an existing one), removes one; the tag\'s search and smart search find it', async () => {
      assert.equal((await ui.node.client.call('PUT', '/api/tags', { headers: s.headers, body: { tags: ['Holidays'] } })).status, 200)
      const { page, panel } = await openInfo()
      const box = panel.getByRole('combobox', { name: 'Tags' })
      await box.click()
      // The letters typed (i, f: the viewer's shortcuts) go into the box.
      await box.pressSequentially('Family/Grandma fishing')
      await box.press('Enter')
      await page.getByText('Tagged “Family/Grandma fishing”.').waitFor()
      await box.fill('Holidays')
      await box.press('Enter')
      await page.getByText('Tagged “Holidays”.').waitFor()
      await panel.locator('ul.tags li').nth(1).waitFor()
      assert.deepEqual(await panel.locator('ul.tags li').allTextContents(), ['Family/Grandma fishing', 'Holidays'])
      const tags = async () => ((await ui.node.client.call('GET', `/api/assets/${photo}`, { headers: s.headers })).body.tags as Array<{ value: string }>).map((x) => x.value)
      assert.deepEqual(await tags(), ['Family/Grandma fishing', 'Holidays'])
      const a = (await ui.node.client.call('GET', `/api/assets/${photo}`, { headers: s.headers })).body
      assert.equal(a.isFavorite, false, 'no shortcut fired while typing')
      await ui.shot(page, `viewer-${engine}-02d-tags`)
      await panel.getByRole('button', { name: 'Remove the tag Holidays' }).click()
      await page.getByText('Tag “Holidays” removed.').waitFor()
      assert.deepEqual(await tags(), ['Family/Grandma fishing'])
      // The chip opens the tag's page (its timeline holds the photo); the tag is a filter of the search form.
      await panel.getByRole('link', { name: 'Family/Grandma fishing' }).click()
      await page.waitForURL(/\/tags\/[0-9a-f-]{36}$/)
      const tagId = new URL(page.url()).pathname.split('/').pop()!
      await page.locator(`hearth-tags hearth-timeline .tile[data-id="${photo}"] img`).waitFor()
      await page.goto(`${ui.url}/search?tag=${tagId}`)
      await page.locator('hearth-search [role=status]').getByText('1 result', { exact: true }).waitFor()
      assert.equal(await page.locator(`hearth-search .tile[href="/search/photos/${photo}"] .why`).textContent(), 'tagged “Family/Grandma fishing”')
      assert.equal(await page.locator('hearth-search select[name=tag] option:checked').textContent(), 'Family/Grandma fishing')
      // Smart search finds it by the tag's name, and says so.
      const search = page.getByRole('search').getByRole('searchbox', { name: 'Search' })
      await search.fill('grandma')
      await search.press('Enter')
      // The same one result as before: wait for the new reason rather than the count.
      await page.locator(`hearth-search .tile[href="/search/photos/${photo}"] .why`).getByText('tagged “grandma”', { exact: true }).waitFor()
      await page.locator('hearth-search [role=status]').getByText('1 result', { exact: true }).waitFor()
    })

    test('phone width, dark theme: the timeline and the viewer with its info sheet', async () => {
      const page = await ui.page({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' })
      await signIn(ui, page, s)
      await page.goto(`${ui.url}/photos`)
      await page.locator('hearth-timeline .tile img').first().waitFor()
      const nav = await page.getByRole('navigation', { name: 'Main' }).boundingBox()
      assert.ok(nav !== null && nav.x + nav.width <= 390, `nothing wider than the phone: ${JSON.stringify(nav)}`)
      // The video is dated by its upload's fileCreatedAt (2023-05-01), so it is not the first tile.
      await page.locator('hearth-timeline .tile .badge', { hasText: '0:03' }).waitFor({ timeout: 10_000 })
      await ui.shot(page, `viewer-${engine}-03-phone-timeline`)
      await page.locator('hearth-timeline .tile a').first().click()
      await page.locator('hearth-viewer img.main.loaded, hearth-viewer video').first().waitFor()
      await page.keyboard.press('i')
      await page.locator('hearth-info-panel').waitFor()
      await ui.shot(page, `viewer-${engine}-04-phone-viewer`)
    })
  })
}
