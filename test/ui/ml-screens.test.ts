/**
 * People, Places, Duplicates and Administration › Machine learning in a real browser, against a
 * node running the real `lite` model pack: the faces stage finds the people in photos of the
 * portrait and bar fixtures (variants of them, as in test/people), the People screen lists them and
 * renames one, and her name typed in the search box finds her photos; a GPS fixture shows under
 * its city, and its city and year typed together find it; a near-duplicate pair made here is
 * grouped and resolving it trashes the smaller copy; the ML window's change survives a reload; the
 * viewer's info panel gives a face to another person.
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import sharp, { type Sharp } from 'sharp'
import type { Page } from 'playwright-core'
import { oneEngine } from '../helpers/engines.ts'
import { litePack } from '../helpers/models.ts'
import { waitFor } from '../helpers/process.ts'
import type { Session } from '../helpers/client.ts'
import { startUi, type UiHarness } from './harness.ts'

const fixtures = resolve(import.meta.dirname, '../../../shared/fixtures')
const portrait = `${fixtures}/immich-test-assets/metadata/faces/portrait.jpg`
const craftBeer = `${fixtures}/immich-test-assets/albums/text/craft-beer.jpg`
const gps = `${fixtures}/exif-samples/jpg/gps/DSCN0010.jpg` // Arezzo, Italy (test/places)
const nature = `${fixtures}/immich-test-assets/albums/nature/prairie_falcon.jpg`
const ADMIN = { email: 'ada@example.org', password: 'correct horse battery' }

async function variant (path: string, name: string, make: (s: Sharp) => Sharp): Promise<{ name: string, data: Uint8Array }> {
  return { name, data: new Uint8Array(await make(sharp(path).rotate().resize({ width: 1440, height: 1440, fit: 'inside', withoutEnlargement: true })).toBuffer()) }
}

/** Three different files of one photo. */
const looks: Array<[string, (s: Sharp) => Sharp]> = [
  ['a', (s) => s.jpeg({ quality: 92 })], ['b', (s) => s.resize({ width: 700 }).jpeg({ quality: 80 })], ['c', (s) => s.jpeg({ quality: 35 })],
]

async function signIn (ui: UiHarness, page: Page): Promise<void> {
  await page.goto(ui.url + '/auth/login')
  await page.getByLabel('Email').fill(ADMIN.email)
  await page.getByLabel('Password').fill(ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL('**/photos')
}

async function imagesLoaded (page: Page, selector: string, count: number): Promise<boolean> {
  const loaded = await page.locator(selector).evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0).length)
  return loaded >= count
}

for (const engine of oneEngine('postgres')) {
  describe(`web UI people, places, duplicates, ML settings [${engine}]`, { skip: existsSync(portrait) ? false : 'needs ../shared/fixtures' }, () => {
    let ui: UiHarness
    let admin: Session
    const ids: Record<string, string> = {}
    const api = (method: string, path: string, body?: unknown) => ui.node.client.call(method, path, { headers: admin.headers, ...(body !== undefined && { body }) })

    before(async () => {
      ui = await startUi(engine, { HEARTH_MODELS_DIR: await litePack() })
      admin = await ui.node.client.signUpAdmin(ADMIN.email, ADMIN.password, 'Ada')
      // Text reading is not under test here: leave the two CPU cores to faces and duplicates.
      assert.equal((await api('PUT', '/api/system-config', { machineLearning: { ocr: { enabled: false } } })).status, 200)
      const photos = [
        // Three photos each of two people (a person needs three faces), none a duplicate upload
        // (variants, as test/people makes them; Pierre, in profile, is not found often enough).
        ...await Promise.all(looks.map(([v, make]) => variant(portrait, `portrait-${v}.jpg`, make))),
        ...await Promise.all(looks.map(([v, make]) => variant(craftBeer, `craft-beer-${v}.jpg`, make))),
        // A near-duplicate pair: the photo, and a smaller recompressed copy.
        await variant(nature, 'falcon.jpg', (s) => s.jpeg({ quality: 92 })),
        await variant(nature, 'falcon-small.jpg', (s) => s.resize({ width: 640 }).jpeg({ quality: 60 })),
      ]
      for (const p of photos) {
        const r = await ui.node.client.upload(admin, p)
        assert.equal(r.status, 201, JSON.stringify(r.body))
        ids[p.name] = r.body.id as string
      }
      const r = await ui.node.client.upload(admin, gps)
      assert.equal(r.status, 201)
      ids.gps = r.body.id as string
      // The ML stages run on new uploads at once; wait for them all (faces, people, duplicates).
      await waitFor('the ML stages on every photo', async () => {
        const { body } = await api('GET', '/api/admin/ml')
        const stages = (body.stages as Array<{ name: string, available: boolean, done: number, total: number }>).filter((s) => s.available)
        return stages.some((s) => s.name === 'people') && stages.every((s) => s.total === Object.keys(ids).length && s.done === s.total)
      }, 300_000)
    })
    after(async () => { await ui.stop() })

    test('People lists the people found on the photos; rename one inline; their page is their timeline, with birth date, favourite and the face picture chosen from it', async () => {
      const people = (await api('GET', '/api/people')).body.people as Array<{ id: string, name: string }>
      assert.equal(people.length, 2, `Marie (the portrait) and the woman at the bar: ${JSON.stringify(people)}`)
      const page = await ui.page()
      await signIn(ui, page)
      await page.getByRole('link', { name: 'People' }).first().click()
      await page.waitForURL('**/people')
      await page.getByRole('heading', { name: 'People' }).waitFor()
      await waitFor('face thumbnails', () => imagesLoaded(page, 'li.person img', 2))
      await ui.shot(page, `ml-${engine}-01-people`)

      const first = page.getByLabel('Name of person 1', { exact: true })
      await first.fill('Marie')
      await first.press('Enter')
      await page.getByText('Named “Marie”.').waitFor()
      const named = (await api('GET', '/api/people')).body.people as Array<{ id: string, name: string }>
      assert.deepEqual(named.map((p) => p.name).sort(), ['', 'Marie'])
      await page.reload()
      await page.getByLabel('Name of person 1: Marie').waitFor()
      assert.equal(await page.getByLabel('Name of person 1: Marie').inputValue(), 'Marie')

      // Finding someone by the start of a name, accents and case aside.
      const find = page.getByRole('searchbox', { name: 'Find a person' })
      await find.fill('MÁR')
      await waitFor('only Marie', async () => await page.locator('li.person').count() === 1)
      await find.fill('zz')
      await page.getByText('Nobody’s name starts with “zz”.').waitFor()
      await find.fill('')
      await waitFor('everyone again', async () => await page.locator('li.person').count() === 2)
      await page.getByRole('link', { name: 'Marie' }).click()
      await page.getByRole('heading', { name: 'Marie' }).waitFor()
      await page.getByText('3 photos', { exact: true }).waitFor()
      // Her photos are a timeline (all of them, by month), and open in the viewer at /people/:id/:asset.
      await waitFor('the person\'s photos', () => imagesLoaded(page, 'hearth-person hearth-timeline .tile img', 3))
      const marie = named.find((n) => n.name === 'Marie')!
      const hers: string[] = []
      for (const id of Object.values(ids)) {
        const faces = (await api('GET', `/api/faces?id=${id}`)).body as Array<{ person: { id: string } | null }>
        if (faces.some((f) => f.person?.id === marie.id)) hers.push(id)
      }
      hers.sort()
      assert.equal(hers.length, 3)
      assert.deepEqual((await page.locator('hearth-person hearth-timeline .tile').evaluateAll((ts) => ts.map((t) => (t as HTMLElement).dataset.id))).sort(), hers)
      await page.locator('hearth-person hearth-timeline .tile a').first().click()
      await page.waitForURL(`**/people/${marie.id}/*`)
      await page.locator('hearth-viewer').waitFor()
      await page.keyboard.press('Escape')
      await page.waitForURL(`**/people/${marie.id}`)

      // Birth date and age, and favourite, kept by the server.
      await page.getByLabel('Born').fill('2019-03-04')
      await page.getByText('Birth date set to').waitFor()
      await page.getByText(/\d+ years old/).waitFor()
      await page.getByRole('button', { name: 'Favourite' }).click()
      await page.getByText('Marie added to favourites.').waitFor()
      const saved = (await api('GET', `/api/people/${marie.id}`)).body as { birthDate: string, isFavorite: boolean }
      assert.deepEqual([saved.birthDate, saved.isFavorite], ['2019-03-04', true])

      // The face picture: choose it, then click the photo; the server keeps that photo's face.
      const faceOn = async () => (await ui.node.node.db.query<{ asset_id: string }>('SELECT f.asset_id FROM people p JOIN asset_faces f ON f.id = p.face_asset_id WHERE p.id = $1', [marie.id]))[0]!.asset_id
      const current = await faceOn()
      const target = hers.find((id) => id !== current)!
      await page.getByRole('button', { name: 'Choose the face picture' }).click()
      await page.getByText('Click a photo to use it for Marie’s face picture.').waitFor()
      await ui.shot(page, `ml-${engine}-02-person`)
      await page.locator(`hearth-person hearth-timeline .tile[data-id="${target}"] a`).click()
      await page.getByText('Face picture changed.').waitFor()
      assert.equal(await faceOn(), target)
      assert.ok(!page.url().includes(target), 'picking does not open the photo')
      await waitFor('the new face picture', () => imagesLoaded(page, 'hearth-person .face img', 1))

      // Search: the person filter lists the named person and finds their photos, saying why.
      await page.goto(ui.url + '/search')
      const person = page.locator('hearth-search select[name=person]')
      await person.selectOption({ label: 'Marie' })
      await page.locator('hearth-search button.primary[type=submit]').click()
      await page.getByText('3 results', { exact: true }).waitFor()
      assert.equal(await page.locator('hearth-search .why', { hasText: 'shows Marie' }).count(), 3)
      await ui.shot(page, `ml-${engine}-02b-search-person`)
      // Her name typed in the top bar finds the same three (smart search reads it; no CLIP here).
      const box = page.getByRole('search').getByRole('searchbox', { name: 'Search' })
      await box.fill('Marie')
      await box.press('Enter')
      await page.waitForURL('**/search?q=Marie')
      await page.getByText('3 results', { exact: true }).waitFor()
      assert.equal(await page.locator('hearth-search .why', { hasText: /^shows Marie$/ }).count(), 3)

      // Phone width: the grid still fits.
      const phone = await ui.page({ viewport: { width: 390, height: 800 }, colorScheme: 'dark' })
      await signIn(ui, phone)
      await phone.goto(ui.url + '/people')
      await waitFor('face thumbnails (phone)', () => imagesLoaded(phone, 'li.person img', 2))
      await ui.shot(phone, `ml-${engine}-03-people-phone`)
    })

    test('Places shows the GPS photo under its city and country; the city opens its photos; the search page offers it to explore', async () => {
      const page = await ui.page()
      await signIn(ui, page)
      await page.goto(ui.url + '/places')
      await page.getByRole('heading', { name: 'Italy' }).waitFor()
      const city = page.getByRole('link', { name: /Arezzo/ })
      await city.waitFor()
      await waitFor('place covers', () => imagesLoaded(page, 'a.city img', 1))
      await ui.shot(page, `ml-${engine}-04-places`)
      await city.click()
      await page.getByRole('heading', { name: 'Arezzo, Italy' }).waitFor()
      await page.getByText('1 photo', { exact: true }).waitFor()
      await waitFor('the place\'s photo', () => imagesLoaded(page, 'hearth-photo-grid img', 1))
      await ui.shot(page, `ml-${engine}-05-place`)
      // A place and a year typed together: smart search reads both (the photo was taken in 2008).
      const box = page.getByRole('search').getByRole('searchbox', { name: 'Search' })
      for (const [query, results] of [['Arezzo 2008', '1 result'], ['Arezzo 2009', 'Nothing matched.']] as const) {
        await box.fill(query)
        await box.press('Enter')
        await page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === query)
        await page.locator('hearth-search [role=status]').getByText(results, { exact: true }).waitFor()
      }
      await page.goBack()
      await page.locator('hearth-search [role=status]').getByText('1 result', { exact: true }).waitFor()
      assert.equal(await page.locator('hearth-search .why').textContent(), 'taken 2008, taken in Arezzo')
      assert.equal(await page.locator(`hearth-search .tile[href="/search/photos/${ids.gps}"]`).count(), 1)
      await ui.shot(page, `ml-${engine}-05b-search-place-year`)
      // Before a search, the page offers what there is to explore: her, and the city, each opening its page.
      await page.goto(ui.url + '/search')
      const people = page.getByRole('region', { name: 'People' })
      const places = page.getByRole('region', { name: 'Places' })
      await people.getByRole('link', { name: 'Marie' }).waitFor()
      await waitFor('the explore pictures', () => imagesLoaded(page, 'hearth-search .explore img', 2))
      assert.deepEqual(await people.getByRole('listitem').allTextContents(), ['Marie'], 'named people only')
      await ui.shot(page, `ml-${engine}-05c-explore`)
      await places.getByRole('link', { name: 'Arezzo' }).click()
      await page.getByRole('heading', { name: 'Arezzo, Italy' }).waitFor()
    })

    test('Duplicates shows the near-duplicate pair side by side, the larger copy kept; resolving trashes the other', async () => {
      const groups = (await api('GET', '/api/duplicates')).body as Array<{ duplicateId: string, assets: Array<{ id: string }> }>
      const pair = groups.find((g) => g.assets.some((a) => a.id === ids['falcon.jpg']))
      assert.ok(pair !== undefined, `the falcon pair is grouped: ${JSON.stringify(groups.map((g) => g.assets.map((a) => a.id)))}`)
      assert.deepEqual(pair.assets.map((a) => a.id).sort(), [ids['falcon.jpg'], ids['falcon-small.jpg']].sort())

      const page = await ui.page()
      await signIn(ui, page)
      await page.getByRole('link', { name: 'Duplicates' }).first().click()
      const group = page.locator(`section[data-group="${pair.duplicateId}"]`)
      await group.waitFor()
      await waitFor('duplicate previews', () => imagesLoaded(page, `section[data-group="${pair.duplicateId}"] img`, 2))
      assert.equal(await group.getByLabel('Keep falcon.jpg').isChecked(), true, 'the larger copy is preselected')
      assert.equal(await group.getByLabel('Keep falcon-small.jpg').isChecked(), false)
      await ui.shot(page, `ml-${engine}-06-duplicates`)
      await group.getByRole('button', { name: 'Keep 1, trash 1' }).click()
      await page.getByText('1 item moved to the trash.').waitFor()
      await group.waitFor({ state: 'detached' })
      assert.equal((await api('GET', `/api/assets/${ids['falcon-small.jpg']}`)).body.isTrashed, true)
      assert.equal((await api('GET', `/api/assets/${ids['falcon.jpg']}`)).body.isTrashed, false)
      await ui.shot(page, `ml-${engine}-07-duplicates-resolved`)
    })

    test('Administration › Machine learning: the overnight window changes and stays changed after a reload', async () => {
      const page = await ui.page()
      await signIn(ui, page)
      await page.goto(ui.url + '/admin/ml')
      const form = page.getByRole('form', { name: 'Overnight window' })
      await form.waitFor()
      assert.equal(await form.getByLabel('Starts at').inputValue(), '01:00')
      await form.getByLabel('Starts at').fill('22:30')
      await form.getByLabel('Ends at').fill('05:15')
      await form.getByRole('button', { name: 'Save' }).click()
      await page.getByText('Window saved.').waitFor()
      await page.reload()
      await page.getByRole('form', { name: 'Overnight window' }).waitFor()
      assert.equal(await page.getByLabel('Starts at').inputValue(), '22:30')
      assert.equal(await page.getByLabel('Ends at').inputValue(), '05:15')
      const { body } = await api('GET', '/api/system-config')
      assert.equal(body.hearth.mlWindow.start.slice(0, 5), '22:30')
      assert.equal(body.hearth.mlWindow.end.slice(0, 5), '05:15')
      // The lite pack is installed: it shows as ready; pause and resume answer.
      await page.locator('[data-pack="lite"]').getByText('Ready').first().waitFor()
      await page.getByRole('button', { name: 'Pause' }).click()
      await page.getByText('The backlog is paused.', { exact: true }).waitFor()
      await ui.shot(page, `ml-${engine}-08-admin-ml`)
      await page.getByRole('button', { name: 'Resume' }).click()
      await page.getByText('The backlog may run again.').waitFor()
    })

    test('the info panel gives a face to another person, or to someone new (a wrong grouping split)', async () => {
      const people = (await api('GET', '/api/people')).body.people as Array<{ id: string, name: string }>
      const marie = people.find((p) => p.name === 'Marie')!
      const beer = ids['craft-beer-a.jpg']!
      const facesOf = async () => (await api('GET', `/api/faces?id=${beer}`)).body as Array<{ id: string, person: { id: string, name: string } | null }>
      const [face] = await facesOf()
      assert.ok(face !== undefined && face.person !== null && face.person.id !== marie.id, 'the woman at the bar is someone other than Marie')
      const page = await ui.page()
      await signIn(ui, page)
      await page.goto(`${ui.url}/photos/${beer}`)
      await page.locator('hearth-viewer img.main.loaded').waitFor()
      await page.keyboard.press('i')
      const panel = page.locator('hearth-info-panel')
      await panel.getByRole('button', { name: 'Edit people' }).click()
      const who = panel.getByRole('combobox', { name: 'Who is face 1' })
      await who.selectOption({ label: 'Marie' })
      await page.getByText('Face moved to Marie.').waitFor()
      assert.equal((await facesOf())[0]!.person?.id, marie.id)
      assert.equal(await who.locator('option:checked').textContent(), 'Marie', 'the box shows her now')
      await ui.shot(page, `ml-${engine}-09-face-moved`)
      await who.selectOption({ label: 'Someone new' })
      await page.getByText('Face moved to a new person.').waitFor()
      const moved = (await facesOf())[0]!.person!
      assert.ok(moved.id !== marie.id && moved.id !== face.person!.id, 'a person of its own')
      assert.equal((await api('GET', `/api/people/${moved.id}/statistics`)).body.assets, 1)
      await panel.getByRole('button', { name: 'Done' }).click()
      await panel.getByRole('link', { name: 'Someone unnamed' }).waitFor()
    })

    test('a person\'s page merges someone found twice into them: the faces and photos move, the other leaves', async () => {
      const people = (await api('GET', '/api/people')).body.people as Array<{ id: string, name: string }>
      const marie = people.find((p) => p.name === 'Marie')!
      const before = (await api('GET', `/api/people/${marie.id}/statistics`)).body.assets as number
      // The person split off in the test before: one photo, unnamed.
      const split = (await api('GET', `/api/faces?id=${ids['craft-beer-a.jpg']!}`)).body[0].person as { id: string }
      const page = await ui.page()
      await signIn(ui, page)
      await page.goto(`${ui.url}/people/${marie.id}`)
      await page.getByRole('heading', { name: 'Marie' }).waitFor()
      await page.getByRole('button', { name: 'Merge…' }).click()
      const dialog = page.getByRole('dialog', { name: 'Merge into Marie' })
      await dialog.locator('li').first().waitFor()
      assert.equal(await dialog.locator('li').count(), people.length - 1, 'everyone but Marie')
      assert.equal(await dialog.getByRole('button', { name: 'Merge', exact: true }).isDisabled(), true, 'nobody chosen yet')
      const splitIndex = people.filter((p) => p.id !== marie.id).findIndex((p) => p.id === split.id)
      await dialog.locator('li button').nth(splitIndex).click()
      await ui.shot(page, `ml-${engine}-10-merge`)
      await dialog.getByRole('button', { name: 'Merge 1 person into Marie' }).click()
      await page.getByText('1 person merged into Marie.').waitFor()
      await page.getByText(new RegExp(`^${before + 1} photos`)).waitFor()
      assert.equal((await api('GET', `/api/people/${split.id}`)).status, 404)
      assert.equal((await api('GET', `/api/faces?id=${ids['craft-beer-a.jpg']!}`)).body[0].person.id, marie.id)
      await waitFor('her timeline with the merged photo', async () => await page.locator(`hearth-person hearth-timeline .tile[data-id="${ids['craft-beer-a.jpg']!}"]`).count() === 1)
    })
  })
}
