/**
 * Selecting in the timeline and acting on the selection: the round check, shift for a range, a
 * whole day; favourite, add to a new album, download (one as it is, two as a ZIP), trash with undo; a new date or place for
 * several at once; archive and unarchive; tags; the date scrubber; on this day.
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { oneEngine } from '../helpers/engines.ts'
import type { Session } from '../helpers/client.ts'
import { startUi, type UiHarness } from './harness.ts'

const jpg = resolve(fileURLToPath(new URL('../../../shared/fixtures/exif-samples/jpg/', import.meta.url)))
// Newest first in the timeline: 2008-10-22 (two), 2008-05-30, 2008-05-04, 2008-03-15, 2006-08-17.
const files = ['gps/DSCN0010.jpg', 'gps/DSCN0012.jpg', 'Canon_40D.jpg', 'Pentax_K10D.jpg', 'Nikon_D70.jpg', 'Fujifilm_FinePix_E500.jpg']

const checks = (page: Page) => page.locator('hearth-timeline .tile .check')
const bar = (page: Page) => page.locator('hearth-selection-bar')

for (const engine of oneEngine('postgres')) {
  describe(`web UI selection [${engine}]`, () => {
    let ui: UiHarness
    let s: Session
    let page: Page
    let ids: string[]
    before(async () => {
      ui = await startUi(engine)
      s = await ui.node.client.signUpAdmin()
      ids = []
      for (const f of files) ids.push((await ui.node.client.upload(s, join(jpg, f))).body.id)
      for (let i = 0; i < 300; i++) {
        const r = await ui.node.client.call('POST', '/api/search/metadata', { headers: s.headers, body: { size: 100 } })
        if (r.body.assets.items.every((a: { thumbhash: string | null }) => a.thumbhash !== null)) break
        await new Promise((ok) => setTimeout(ok, 200))
      }
      page = await ui.page()
      await page.context().addCookies([{ name: 'hearth_access_token', value: s.token, url: ui.url }])
      await page.goto(ui.url + '/photos')
      await page.locator('hearth-timeline .tile img').nth(5).waitFor()
    })
    after(async () => { await ui.stop() })

    test('the check selects; shift selects the range; a day selects all of it; Esc clears', async () => {
      await checks(page).nth(0).click()
      await bar(page).getByText('1 selected').waitFor()
      await checks(page).nth(3).click({ modifiers: ['Shift'] })
      await bar(page).getByText('4 selected').waitFor()
      // While something is selected, a click on a photo selects it instead of opening it.
      await page.locator('hearth-timeline .tile a').nth(5).click()
      await bar(page).getByText('5 selected').waitFor()
      assert.equal(new URL(page.url()).pathname, '/photos')
      await ui.shot(page, `selection-${engine}-01-selected`)
      await page.keyboard.press('Escape')
      await bar(page).waitFor({ state: 'detached' })
      await page.locator('hearth-timeline .scroller').evaluate((el) => { el.scrollTop = 0 })
      await page.getByRole('button', { name: /^Select all photos of .*Oct 22, 2008/ }).click()
      await bar(page).getByText('2 selected').waitFor()
      await page.getByRole('button', { name: /^Deselect all photos of .*Oct 22, 2008/ }).click()
      await bar(page).waitFor({ state: 'detached' })
    })

    test('favourite, add to a new album, download', async () => {
      await checks(page).nth(0).click()
      await checks(page).nth(1).click()
      await bar(page).getByRole('button', { name: 'Favourite' }).click()
      await page.getByText('2 items added to favourites.').waitFor()
      const favs = await ui.node.client.call('POST', '/api/search/metadata', { headers: s.headers, body: { isFavorite: true } })
      assert.equal(favs.body.assets.total, 2)
      await checks(page).nth(0).click()
      await checks(page).nth(2).click()
      await bar(page).getByRole('button', { name: 'Add to album' }).click()
      // Esc closes the dialog and keeps the selection.
      await bar(page).getByText('No albums yet.').waitFor()
      await page.keyboard.press('Escape')
      await bar(page).locator('dialog[open]').waitFor({ state: 'detached' })
      await bar(page).getByText('2 selected').waitFor()
      await bar(page).getByRole('button', { name: 'Add to album' }).click()
      await bar(page).getByLabel('Name of the new album').fill('Tuscany')
      await bar(page).getByRole('button', { name: 'Create and add' }).click()
      await page.getByText('2 items added to “Tuscany”.').waitFor()
      const albums = await ui.node.client.call('GET', '/api/albums', { headers: s.headers })
      assert.equal(albums.body.length, 1)
      assert.equal(albums.body[0].albumName, 'Tuscany')
      assert.equal(albums.body[0].assetCount, 2)
      await checks(page).nth(4).click()
      const download = page.waitForEvent('download')
      await bar(page).getByRole('button', { name: 'Download' }).click()
      assert.equal((await download).suggestedFilename(), 'Nikon_D70.jpg')
      await bar(page).waitFor({ state: 'detached' })
      // Two at once come as one ZIP, saved by the browser itself; unzip finds both originals in it.
      await checks(page).nth(3).click()
      await checks(page).nth(4).click()
      const zip = page.waitForEvent('download')
      await bar(page).getByRole('button', { name: 'Download' }).click()
      const saved = await zip
      assert.match(saved.suggestedFilename(), /^Hearth \d{4}-\d{2}-\d{2}\.zip$/)
      execFileSync('unzip', ['-tq', (await saved.path())!])
      assert.equal(execFileSync('unzip', ['-Z1', (await saved.path())!]).toString().trim().split('\n').length, 2)
      await page.getByText('Your download is starting.').waitFor()
      await bar(page).waitFor({ state: 'detached' })
      // Clearing by its button.
      await checks(page).nth(1).click()
      await bar(page).getByRole('button', { name: 'Clear selection' }).click()
      await bar(page).waitFor({ state: 'detached' })
    })

    test('trash a selection, then undo', async () => {
      await checks(page).nth(2).click()
      await checks(page).nth(3).click()
      await bar(page).getByRole('button', { name: 'Move to trash' }).click()
      await page.getByText('2 items moved to the trash.').waitFor()
      await page.waitForFunction(() => document.querySelector('hearth-app')!.shadowRoot!.querySelector('hearth-photos')!.shadowRoot!.querySelector('hearth-timeline')!.shadowRoot!.querySelectorAll('.tile').length === 4)
      const trashed = await ui.node.client.call('GET', '/api/assets/statistics?isTrashed=true', { headers: s.headers })
      assert.equal(trashed.body.total, 2)
      await page.getByRole('button', { name: 'Undo' }).click()
      await page.waitForFunction(() => document.querySelector('hearth-app')!.shadowRoot!.querySelector('hearth-photos')!.shadowRoot!.querySelector('hearth-timeline')!.shadowRoot!.querySelectorAll('.tile').length === 6)
    })

    test('arrow keys move between photos; Enter opens the focused one', async () => {
      const links = page.locator('hearth-timeline .tile a')
      await links.nth(0).focus()
      const focused = () => page.evaluate(() => {
        let e: Element | null = document.activeElement
        while (e?.shadowRoot?.activeElement) e = e.shadowRoot.activeElement
        return (e?.closest('.tile') as HTMLElement | null)?.dataset.id
      })
      const order = await page.locator('hearth-timeline .tile').evaluateAll((ts) => ts.map((t) => (t as HTMLElement).dataset.id))
      await page.keyboard.press('ArrowRight')
      assert.equal(await focused(), order[1])
      await page.keyboard.press('ArrowDown')
      assert.equal(await focused(), order[2], 'down from October 2008 reaches May 2008')
      await page.keyboard.press('End')
      assert.equal(await focused(), order.at(-1))
      await page.keyboard.press('ArrowUp')
      await page.keyboard.press('Home')
      assert.equal(await focused(), order[0])
      await page.keyboard.press('Enter')
      await page.waitForURL(`**/photos/${order[0]}`)
      await page.locator('hearth-viewer img.main.loaded').waitFor()
      await page.keyboard.press('Escape')
      await page.waitForURL('**/photos')
    })

    test('a selection\'s date or place: moved in time, placed by a town\'s name, given one date; the timeline follows', async () => {
      const dayOf = (label: RegExp) => page.getByRole('button', { name: label })
      const taken = async () => Promise.all(ids.slice(0, 2).map(async (id) => (await ui.node.client.call('GET', `/api/assets/${id}`, { headers: s.headers })).body.exifInfo as { dateTimeOriginal: string, city: string | null, country: string | null }))
      const openEdit = async () => {
        await page.locator('hearth-timeline .scroller').evaluate((el) => { el.scrollTop = 0 })
        await dayOf(/^Select all photos of .*Oct 22, 2008/).click()
        await bar(page).getByText('2 selected').waitFor()
        await bar(page).getByRole('button', { name: 'Change date or place' }).click()
        return bar(page).getByRole('dialog', { name: 'Date and place of 2 items' })
      }
      const was = await taken()
      // A camera clock 90 minutes fast: both move back, each from its own time.
      let dialog = await openEdit()
      await dialog.getByLabel('Hours').fill('-1')
      await dialog.getByLabel('Minutes').fill('-30')
      await dialog.getByRole('button', { name: 'Move', exact: true }).click()
      await page.getByText('2 items moved back 1 h 30 min.').waitFor()
      await bar(page).waitFor({ state: 'detached' })
      const moved = await taken()
      assert.deepEqual(moved.map((e, i) => Date.parse(was[i]!.dateTimeOriginal) - Date.parse(e.dateTimeOriginal)), [90 * 60_000, 90 * 60_000])
      // A place by a town's name.
      dialog = await openEdit()
      await dialog.getByRole('searchbox', { name: 'A town or city, or latitude, longitude' }).fill('lisb')
      await dialog.getByRole('button', { name: /^Lisbon\s*Portugal$/ }).waitFor()
      await ui.shot(page, `selection-${engine}-03-date-place-dialog`)
      await dialog.getByRole('button', { name: /^Lisbon\s*Portugal$/ }).click()
      await page.getByText('2 items placed in Lisbon, Portugal.').waitFor()
      assert.deepEqual((await taken()).map((e) => [e.city, e.country]), [['Lisbon', 'Portugal'], ['Lisbon', 'Portugal']])
      // One date for both: the timeline has them on that day.
      dialog = await openEdit()
      await dialog.getByLabel('Date and time').fill('2001-02-03T04:05:06')
      await dialog.getByRole('button', { name: 'Save' }).click()
      await page.getByText('Date set on 2 items.').waitFor()
      await dayOf(/^Select all photos of .*Feb 3, 2001/).waitFor()
      assert.equal(await page.locator('hearth-timeline section.month[aria-label="February 2001"] .tile').count(), 2)
      await ui.shot(page, `selection-${engine}-04-redated`)
    })

    test('archive a selection: out of the timeline, in the archive; unarchived from the viewer', async () => {
      const tiles = (screen: string, n: number) => page.waitForFunction(([screen, n]) =>
        document.querySelector('hearth-app')!.shadowRoot!.querySelector(screen as string)?.shadowRoot!.querySelector('hearth-timeline')?.shadowRoot!.querySelectorAll('.tile').length === n, [screen, n] as const)
      const order = await page.locator('hearth-timeline .tile').evaluateAll((ts) => ts.map((t) => (t as HTMLElement).dataset.id!))
      await checks(page).nth(0).click()
      await bar(page).getByRole('button', { name: 'Archive' }).click()
      await page.getByText('1 item archived.').waitFor()
      await tiles('hearth-photos', 5)
      const archived = (await ui.node.client.call('GET', `/api/assets/${order[0]}`, { headers: s.headers })).body
      assert.equal(archived.isArchived, true)
      const found = await ui.node.client.call('POST', '/api/search/metadata', { headers: s.headers, body: { visibility: 'archive' } })
      assert.deepEqual(found.body.assets.items.map((a: { id: string }) => a.id), [order[0]])
      await page.getByRole('link', { name: 'Archive' }).first().click()
      await page.waitForURL('**/archive')
      await tiles('hearth-archive', 1)
      await page.locator('hearth-archive').locator('hearth-timeline .tile a').first().click()
      await page.waitForURL(`**/archive/${order[0]}`)
      const viewer = page.locator('hearth-viewer')
      await viewer.getByText('· Archived').waitFor()
      await ui.shot(page, `selection-${engine}-05-archived`)
      await viewer.getByRole('button', { name: 'Unarchive' }).click()
      await page.getByText('1 item back in the timeline.').waitFor()
      await page.waitForURL('**/archive') // the only one: the viewer closes
      await page.getByText('Nothing archived.').waitFor()
      assert.equal((await ui.node.client.call('GET', `/api/assets/${order[0]}`, { headers: s.headers })).body.isArchived, false)
      await page.getByRole('link', { name: 'Photos' }).first().click()
      await tiles('hearth-photos', 6)
    })

    test('tag a selection: a new tag given to each', async () => {
      await checks(page).nth(0).click()
      await checks(page).nth(1).click()
      await bar(page).getByRole('button', { name: 'Tag', exact: true }).click()
      const dialog = bar(page).getByRole('dialog', { name: 'Tag 2 items' })
      await dialog.getByRole('combobox', { name: 'Add a tag' }).fill('Trips/Tuscany')
      await dialog.getByRole('button', { name: 'Tag', exact: true }).click()
      await page.getByText('2 items tagged “Trips/Tuscany”.').waitFor()
      await bar(page).waitFor({ state: 'detached' })
      const tags = (await ui.node.client.call('GET', '/api/tags', { headers: s.headers })).body as Array<{ id: string, value: string }>
      const found = await ui.node.client.call('POST', '/api/search/metadata', { headers: s.headers, body: { tagIds: [tags.find((x) => x.value === 'Trips')!.id] } })
      assert.equal(found.body.assets.total, 2)
    })

    test('the Tags screen: the tree, a tag\'s timeline with its children\'s photos, the viewer, a new tag below, a colour, deleting, renaming', async () => {
      const tagsNow = async () => (await ui.node.client.call('GET', '/api/tags', { headers: s.headers })).body as Array<{ id: string, value: string, color?: string }>
      const idOf = async (v: string) => (await tagsNow()).find((x) => x.value === v)?.id
      const screen = page.locator('hearth-tags')
      await page.getByRole('navigation').getByRole('link', { name: 'Tags' }).click()
      await page.waitForURL((u) => u.pathname === '/tags')
      await screen.locator('ul.tree a').nth(1).waitFor()
      assert.deepEqual(await screen.locator('ul.tree a').allTextContents(), ['Trips', 'Tuscany'])
      const tuscany = (await idOf('Trips/Tuscany'))!
      await screen.getByRole('link', { name: 'Tuscany' }).click()
      await page.waitForURL((u) => u.pathname === `/tags/${tuscany}`)
      await screen.locator('hearth-timeline .tile img').nth(1).waitFor()
      assert.equal(await screen.locator('hearth-timeline .tile').count(), 2)
      assert.equal((await screen.locator('h1.crumbs').textContent())!.replace(/\s+/g, ''), 'Tags›Trips›Tuscany')
      // The parent holds its child's photos; the child is a chip.
      await screen.locator('h1.crumbs').getByRole('link', { name: 'Trips' }).click()
      const trips = (await idOf('Trips'))!
      await page.waitForURL((u) => u.pathname === `/tags/${trips}`)
      await screen.getByRole('list', { name: 'Tags below this one' }).getByRole('link', { name: 'Tuscany' }).waitFor()
      await screen.locator('hearth-timeline .tile img').nth(1).waitFor()
      assert.equal(await screen.locator('hearth-timeline .tile').count(), 2)
      await ui.shot(page, `selection-${engine}-tags-01-trips`)
      // A photo opens in the viewer over the tag's timeline; Esc goes back to the tag.
      await screen.locator('hearth-timeline .tile a').first().click()
      await page.waitForURL(new RegExp(`/tags/${trips}/[0-9a-f-]{36}$`))
      await page.locator('hearth-viewer img.main.loaded').waitFor()
      await page.keyboard.press('Escape')
      await page.waitForURL((u) => u.pathname === `/tags/${trips}`)
      // A colour, kept by the server.
      await screen.getByLabel('Colour').fill('#1e88e5')
      for (let i = 0; i < 50 && (await tagsNow()).find((x) => x.id === trips)?.color !== '#1e88e5'; i++) await new Promise((r) => setTimeout(r, 100))
      assert.equal((await tagsNow()).find((x) => x.id === trips)?.color, '#1e88e5')
      // A new tag below, then deleted: its parent and the photos stay.
      await screen.getByRole('textbox', { name: 'A new tag below Trips' }).fill('Florence')
      await screen.getByRole('button', { name: 'Add tag' }).click()
      await screen.locator('h1.crumbs').getByText('Florence').waitFor()
      const florence = await idOf('Trips/Florence')
      assert.ok(florence !== undefined)
      assert.equal(new URL(page.url()).pathname, `/tags/${florence}`)
      page.once('dialog', (d) => { assert.match(d.message(), /Delete the tag “Trips\/Florence”\? The photos stay\./); void d.accept() })
      await screen.getByRole('button', { name: 'Delete tag' }).click()
      await page.getByText('Tag “Trips/Florence” deleted.', { exact: false }).waitFor()
      await page.waitForURL((u) => u.pathname === `/tags/${trips}`)
      assert.deepEqual((await tagsNow()).map((x) => x.value), ['Trips', 'Trips/Tuscany'])
      await screen.locator('hearth-timeline .tile img').nth(1).waitFor()
      // Renamed: Tuscany moves with it, the photos and colour stay.
      await screen.getByRole('button', { name: 'Rename' }).click()
      await screen.getByRole('textbox', { name: 'New name of the tag' }).fill('Holidays')
      await screen.getByRole('textbox', { name: 'New name of the tag' }).press('Enter')
      await page.getByText('Renamed to “Holidays”.').waitFor()
      await screen.locator('h1.crumbs').getByText('Holidays').waitFor()
      assert.deepEqual((await tagsNow()).map((x) => [x.value, x.color]), [['Holidays', '#1e88e5'], ['Holidays/Tuscany', undefined]])
      assert.equal(new URL(page.url()).pathname, `/tags/${trips}`)
      await screen.locator('hearth-timeline .tile img').nth(1).waitFor()
      await page.goto(ui.url + '/photos')
      await page.locator('hearth-timeline .tile img').nth(5).waitFor()
    })

    test('stack a selection: one tile with its count; the viewer\'s strip, stepping on from the stack; a new cover; unstack', async () => {
      // Nikon_D70 (2008-03-15) and Fujifilm (2006-08-17): no earlier test moved them. The first selected is the cover.
      const [nikon, fuji] = [ids[4]!, ids[5]!]
      const p = await ui.page()
      await p.context().addCookies([{ name: 'hearth_access_token', value: s.token, url: ui.url }])
      await p.goto(ui.url + '/photos')
      const tile = (id: string) => p.locator(`hearth-timeline .tile[data-id="${id}"]`)
      await tile(fuji).locator('img').waitFor()
      await tile(nikon).locator('.check').click()
      await tile(fuji).locator('.check').click()
      await bar(p).getByRole('button', { name: 'Stack', exact: true }).click()
      await p.getByText('2 photos stacked as one.').waitFor()
      await tile(fuji).waitFor({ state: 'detached' })
      assert.equal(await tile(nikon).locator('.badge.stack').textContent().then((x) => x?.trim()), '2')
      assert.equal(await p.locator('hearth-timeline section.month[aria-label="August 2006"]').count(), 0, 'its month had only the stacked photo')
      await ui.shot(p, `selection-${engine}-07-stacked`)

      await tile(nikon).locator('a').click()
      await p.waitForURL(`**/photos/${nikon}`)
      const viewer = p.locator('hearth-viewer')
      const strip = viewer.getByRole('group', { name: 'Photos of this stack' })
      await strip.getByRole('button', { name: 'Photo 2 of 2 in this stack' }).click()
      await p.waitForURL(`**/photos/${fuji}`)
      assert.equal(await strip.getByRole('button', { name: 'Photo 2 of 2 in this stack' }).getAttribute('aria-current'), 'true')
      await ui.shot(p, `selection-${engine}-08-stack-strip`)
      // ← from a photo inside the stack steps from the stack's place in the timeline; → comes back to its cover.
      await p.keyboard.press('ArrowLeft')
      await p.waitForURL((u) => ![nikon, fuji].some((id) => u.pathname.endsWith(id)))
      await p.keyboard.press('ArrowRight')
      await p.waitForURL(`**/photos/${nikon}`)

      await strip.getByRole('button', { name: 'Photo 2 of 2 in this stack' }).click()
      await p.waitForURL(`**/photos/${fuji}`)
      await viewer.getByRole('button', { name: 'More' }).click()
      await viewer.getByRole('menuitem', { name: 'Make this the stack’s cover' }).click()
      await p.getByText('This photo now stands for the stack.').waitFor()
      await p.keyboard.press('Escape')
      await p.waitForURL((u) => u.pathname === '/photos')
      await tile(fuji).locator('.badge.stack').waitFor()
      await tile(nikon).waitFor({ state: 'detached' })

      await tile(fuji).locator('.check').click()
      await bar(p).getByRole('button', { name: 'Unstack' }).click()
      await p.getByText('1 stack taken apart.').waitFor()
      await tile(nikon).locator('img').waitFor()
      // The timeline reloads month by month: Fujifilm's (August 2006) may come after Nikon's is back.
      await tile(fuji).locator('.badge.stack').waitFor({ state: 'detached' })
      assert.equal(await p.locator('hearth-timeline .badge.stack').count(), 0)
      assert.deepEqual((await ui.node.client.call('GET', '/api/stacks', { headers: s.headers })).body, [])
      await p.close()
    })

    test('the scrubber jumps to a year', async () => {
      const small = await ui.page({ viewport: { width: 900, height: 420 } })
      await small.context().addCookies([{ name: 'hearth_access_token', value: s.token, url: ui.url }])
      await small.goto(ui.url + '/photos')
      await small.locator('hearth-timeline .tile img').first().waitFor()
      await small.locator('hearth-scrubber').getByRole('button', { name: 'Jump to a date: August 2006' }).click()
      await small.locator('hearth-timeline section.month[aria-label="August 2006"] .tile img').waitFor()
      const box = await small.locator('hearth-timeline section.month[aria-label="August 2006"] .tile').boundingBox()
      assert.ok(box !== null && box.y < 420 && box.y + box.height > 0, `August 2006 is on screen: ${JSON.stringify(box)}`)
      await ui.shot(small, `selection-${engine}-02-scrubbed`)
    })

    test('on this day: a card per earlier year above the timeline, opening its photos', async () => {
      // Two photos dated today ten and twelve years ago, by hand (the wall clock where taken).
      const now = new Date()
      const day = (years: number) => `${now.getFullYear() - years}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}T10:00:00`
      for (const [id, years] of [[ids[2]!, 10], [ids[3]!, 12]] as const) {
        assert.equal((await ui.node.client.call('PUT', `/api/assets/${id}`, { headers: s.headers, body: { dateTimeOriginal: day(years) } })).status, 200)
      }
      const fresh = await ui.page()
      await fresh.context().addCookies([{ name: 'hearth_access_token', value: s.token, url: ui.url }])
      await fresh.goto(ui.url + '/photos')
      const strip = fresh.getByRole('region', { name: 'On this day' })
      await strip.getByRole('button').nth(1).waitFor()
      assert.deepEqual(await strip.getByRole('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label'))), ['10 years ago today: 1 photo', '12 years ago today: 1 photo'])
      await fresh.locator('hearth-timeline .tile img').first().waitFor()
      await ui.shot(fresh, `selection-${engine}-06-on-this-day`)
      await strip.getByRole('button', { name: '12 years ago today: 1 photo' }).click()
      const box = fresh.locator('hearth-album-lightbox')
      await box.locator('img').waitFor()
      assert.match(await box.locator('img').getAttribute('src') ?? '', new RegExp(ids[3]!))
      await fresh.keyboard.press('Escape')
      await box.waitFor({ state: 'detached' })
    })
  })
}
