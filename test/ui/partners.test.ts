/**
 * Partner sharing in a real browser: Ann shares her photos with Ben from her Account page; Ben
 * chooses to show them in his timeline, where they are marked as hers and open in the viewer with
 * nothing he could change, in his searches and in his album's picker; unticked, they leave his
 * timeline and searches. Ann stops sharing.
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { oneEngine } from '../helpers/engines.ts'
import type { Session } from '../helpers/client.ts'
import { startUi, type UiHarness } from './harness.ts'

const jpg = resolve(import.meta.dirname, '../../../shared/fixtures/exif-samples/jpg')

for (const engine of oneEngine('pglite')) {
  describe(`web UI partner sharing [${engine}]`, () => {
    let ui: UiHarness
    let ann: Session
    let ben: Session
    let annPage: Page
    let benPage: Page
    const ids: Record<string, string> = {}
    const tiles = (p: Page) => p.locator('hearth-timeline .tile')
    before(async () => {
      ui = await startUi(engine)
      // The Account page asks for the SFTP helper's address and keys; this node runs without it.
      ui.allowNetworkError(404, '/api/sftp')
      ui.allowNetworkError(404, '/api/users/me/ssh-keys')
      ann = await ui.node.client.signUpAdmin('ann@example.org', 'correct horse battery', 'Ann')
      ben = await ui.node.client.createUser(ann, 'ben@example.org', 'another good password', { name: 'Ben' })
      for (const [key, who, file] of [['a1', ann, 'Canon_40D.jpg'], ['a2', ann, 'Nikon_D70.jpg'], ['b1', ben, 'Pentax_K10D.jpg']] as const) {
        const r = await ui.node.client.upload(who, join(jpg, file))
        assert.equal(r.status, 201)
        ids[key] = r.body.id
      }
      await ui.node.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'])
      annPage = await ui.page()
      await annPage.context().addCookies([{ name: 'hearth_access_token', value: ann.token, url: ui.url }])
      benPage = await ui.page()
      await benPage.context().addCookies([{ name: 'hearth_access_token', value: ben.token, url: ui.url }])
    })
    after(async () => { await ui.stop() })

    test('Ann shares her photos with Ben from her account page', async () => {
      await annPage.goto(ui.url + '/account')
      await annPage.locator('hearth-partners').getByText('Nobody yet.').waitFor()
      await annPage.locator('hearth-partners').getByLabel('Share with').selectOption({ label: 'Ben (ben@example.org)' })
      await annPage.locator('hearth-partners').getByRole('button', { name: 'Share my photos' }).click()
      await annPage.getByText('Ben can now see your photos.').waitFor()
      await annPage.locator('hearth-partners').getByRole('list', { name: 'You share your photos with' }).getByText('Ben').waitFor()
      await ui.shot(annPage, `partners-${engine}-01-ann-shares`)
    })

    test('Ben shows her photos in his timeline: marked as hers, opened read-only; unticked, they go', async () => {
      await benPage.goto(ui.url + '/photos')
      await tiles(benPage).first().waitFor()
      assert.equal(await tiles(benPage).count(), 1, 'only his own until he asks')
      await benPage.goto(ui.url + '/account')
      const box = benPage.locator('hearth-partners').getByRole('checkbox', { name: 'Show Ann’s photos in my timeline' })
      await box.check()
      await benPage.getByText('Ann’s photos are in your timeline.').waitFor()
      // Ann turned one of hers: it shows turned in his grid too.
      assert.equal((await ui.node.client.call('PUT', `/api/assets/${ids.a1}/edits`, { headers: ann.headers, body: { rotation: 90 } })).status, 200)
      await benPage.goto(ui.url + '/photos')
      await tiles(benPage).nth(2).locator('img').waitFor()
      assert.equal(await tiles(benPage).count(), 3)
      await benPage.locator(`hearth-timeline .tile[data-id="${ids.a1}"] img[style*="rotate(90deg)"]`).waitFor()
      // Hers carry the partner mark and no check; his own has the check.
      assert.equal(await benPage.locator(`hearth-timeline .tile[data-id="${ids.a1}"] .partner`).count(), 1)
      assert.equal(await benPage.locator(`hearth-timeline .tile[data-id="${ids.a1}"] .check`).count(), 0)
      assert.equal(await benPage.locator(`hearth-timeline .tile[data-id="${ids.b1}"] .check`).count(), 1)
      // A day of hers alone has no "select the day" button; his day has one.
      assert.equal(await benPage.getByRole('button', { name: /^Select all photos of .*May 30, 2008/ }).count(), 0)
      assert.equal(await benPage.getByRole('button', { name: /^Select all photos of .*May 4, 2008/ }).count(), 1)
      await ui.shot(benPage, `partners-${engine}-02-ben-timeline`)
      // Her photo opens in the viewer: download and details, nothing to change.
      await benPage.locator(`hearth-timeline .tile[data-id="${ids.a1}"] a`).click()
      await benPage.waitForURL(new RegExp(`/photos/${ids.a1}$`))
      const viewer = benPage.locator('hearth-viewer')
      await viewer.locator('img.main.loaded').waitFor()
      await viewer.getByRole('link', { name: 'Download' }).waitFor()
      for (const name of [/favourites/, /^Move to trash/, /^Rotate/, /^Archive/]) assert.equal(await viewer.getByRole('button', { name }).count(), 0, String(name))
      await benPage.keyboard.press('f')
      await benPage.keyboard.press('Delete')
      await new Promise((r) => setTimeout(r, 300))
      const theirs = (await ui.node.client.call('GET', `/api/assets/${ids.a1}`, { headers: ann.headers })).body
      assert.deepEqual([theirs.isFavorite, theirs.isTrashed], [false, false], 'the shortcuts did nothing to her photo')
      // Her photo's details: the camera, nothing to edit (no date, place or tag editing, no names).
      await benPage.keyboard.press('i')
      const info = viewer.locator('hearth-info-panel')
      await info.getByText('Canon EOS 40D', { exact: true }).waitFor()
      for (const name of [/^Edit date/, /^Edit place/, /^Add a place/, /^Edit people/]) assert.equal(await info.getByRole('button', { name }).count(), 0, String(name))
      assert.equal(await info.getByRole('combobox', { name: 'Tags' }).count(), 0)
      await ui.shot(benPage, `partners-${engine}-03-ben-viewer`)
      await benPage.keyboard.press('i')
      await benPage.keyboard.press('Escape')
      await benPage.waitForURL((u) => u.pathname === '/photos')
      // A click on her tile while selecting opens nothing and selects nothing.
      await benPage.locator(`hearth-timeline .tile[data-id="${ids.b1}"] .check`).click()
      await benPage.locator('hearth-selection-bar').getByText('1 selected').waitFor()
      await benPage.locator(`hearth-timeline .tile[data-id="${ids.a2}"] a`).click()
      await benPage.locator('hearth-selection-bar').getByText('1 selected').waitFor()
      assert.equal(new URL(benPage.url()).pathname, '/photos')
      await benPage.keyboard.press('Escape')
      // His search finds her photo too (her camera is known to it), marked as hers.
      await benPage.goto(ui.url + '/search?q=Canon')
      await benPage.getByText('1 result', { exact: true }).waitFor()
      assert.equal(await benPage.locator(`hearth-search a.tile[href^="/search/photos/${ids.a1}"] .partner`).count(), 1)
      // His album's picker offers her photos too, with a check (an album may hold them).
      await benPage.goto(ui.url + '/albums')
      await benPage.getByRole('button', { name: 'New album' }).click()
      await benPage.getByLabel('Album name').fill('Both of us')
      await benPage.getByRole('button', { name: 'Create', exact: true }).click()
      await benPage.waitForURL(/\/albums\/[0-9a-f-]{36}$/)
      await benPage.getByRole('button', { name: 'Add photos' }).click()
      const picker = benPage.getByRole('dialog').locator('hearth-timeline')
      await picker.locator(`.tile[data-id="${ids.a1}"] .check`).waitFor()
      for (const id of [ids.a1, ids.b1]) await picker.locator(`.tile[data-id="${id}"] a`).click()
      await benPage.getByRole('button', { name: 'Add 2 items' }).click()
      await benPage.getByText('2 items added.').waitFor()
      const albums = (await ui.node.client.call('GET', '/api/albums', { headers: ben.headers })).body as Array<{ id: string }>
      const held = (await ui.node.client.call('GET', `/api/albums/${albums[0]!.id}`, { headers: ben.headers })).body.assets as Array<{ id: string }>
      assert.deepEqual(held.map((a) => a.id).sort(), [ids.a1, ids.b1].sort())
      // Unticked: out of his timeline (and his searches).
      await benPage.goto(ui.url + '/account')
      await box.uncheck()
      await benPage.getByText('Ann’s photos are out of your timeline.').waitFor()
      await benPage.goto(ui.url + '/photos')
      await tiles(benPage).first().waitFor()
      assert.equal(await tiles(benPage).count(), 1)
      await benPage.goto(ui.url + '/search?q=Canon')
      await benPage.getByText('Nothing matched.').waitFor()
    })

    test('Ann stops sharing: Ben no longer sees her among his partners', async () => {
      await annPage.goto(ui.url + '/account')
      annPage.once('dialog', (d) => { assert.equal(d.message(), 'Stop sharing your photos with Ben?'); void d.accept() })
      await annPage.locator('hearth-partners').getByRole('button', { name: 'Stop sharing' }).click()
      await annPage.getByText('Ben can no longer see your photos.').waitFor()
      await annPage.locator('hearth-partners').getByText('Nobody yet.').waitFor()
      await benPage.goto(ui.url + '/account')
      await benPage.locator('hearth-partners').getByText('Nobody shares their photos with you yet.').waitFor()
      // The photo he put in his album stays there for him (as in Immich); the rest are out of his reach.
      assert.equal((await ui.node.client.call('GET', `/api/assets/${ids.a1}`, { headers: ben.headers })).status, 200)
      assert.equal((await ui.node.client.call('GET', `/api/assets/${ids.a2}`, { headers: ben.headers })).status, 404)
      assert.deepEqual(ui.errors, [])
    })
  })
}
