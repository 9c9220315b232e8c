/**
 * The locked folder in a real browser: its page asks for a new PIN (twice) and opens; "Move to
 * locked folder" from the timeline's selection takes a photo out of the timeline into it; "Lock"
 * closes it, and the page asks for the PIN again (a wrong one is said so); from the folder a photo
 * moves back to the timeline; an unlock that runs out with the folder on screen hides it again;
 * the viewer's menu moves a photo in and makes a public link to one.
 * The server is asked at each step what it holds.
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import sharp from 'sharp'
import type { Page } from 'playwright-core'
import { oneEngine } from '../helpers/engines.ts'
import type { Session } from '../helpers/client.ts'
import { startUi, type UiHarness } from './harness.ts'

for (const engine of oneEngine('pglite')) {
  describe(`web UI locked folder [${engine}]`, () => {
    let ui: UiHarness
    let s: Session
    let page: Page
    const ids: string[] = []
    const visibility = async () => new Map((await ui.node.node.db.query<{ id: string, visibility: string }>('SELECT id, visibility FROM assets')).map((r) => [r.id, r.visibility]))
    const tiles = (page: Page) => page.locator('hearth-timeline .tile')
    before(async () => {
      ui = await startUi(engine)
      s = await ui.node.client.signUpAdmin('ada@example.org', 'correct horse battery', 'Ada')
      for (const [i, colour] of ['#c33', '#3c3', '#33c'].entries()) {
        const data = await sharp({ create: { width: 60, height: 40, channels: 3, background: colour } }).jpeg().toBuffer()
        ids.push((await ui.node.client.upload(s, { name: `p${i}.jpg`, data }, { fields: { fileCreatedAt: `2024-05-0${i + 1}T10:00:00Z` } })).body.id as string)
      }
      await ui.node.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'])
      // The wrong PIN, and the thumbnail asked for while locked, are refused on purpose.
      ui.allowNetworkError(400, '/api/auth/session/unlock')
      ui.allowNetworkError(403, `/api/assets/${ids[2]!}/thumbnail`)
      page = await ui.page()
      await page.context().addCookies([{ name: 'hearth_access_token', value: s.token, url: ui.url }])
    })
    after(async () => { await ui.stop() })

    test('a PIN set on its page opens the folder; a photo moves in from the timeline; Lock closes it; a wrong PIN is said; a photo moves back out', async () => {
      await page.goto(ui.url + '/photos')
      await tiles(page).nth(2).waitFor()
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Locked folder' }).click()
      await page.waitForURL('**/locked')
      // No PIN yet: choose one, twice; two different ones are refused.
      await page.getByLabel('PIN (6 digits)').fill('482913')
      await page.getByLabel('Repeat the PIN').fill('482914')
      await page.getByRole('button', { name: 'Set PIN' }).click()
      await page.getByRole('alert').filter({ hasText: 'The two PINs are different.' }).waitFor()
      await page.getByLabel('Repeat the PIN').fill('482913')
      await page.getByRole('button', { name: 'Set PIN' }).click()
      await page.getByText('The locked folder is empty.').waitFor()
      await ui.shot(page, `locked-${engine}-01-empty`)
      // From the timeline: the newest photo moves in, and leaves the timeline.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Photos' }).click()
      await tiles(page).nth(2).waitFor()
      await tiles(page).nth(0).locator('.check').click()
      await page.locator('hearth-selection-bar').getByRole('button', { name: 'Move to locked folder' }).click()
      await page.getByText('1 item moved to the locked folder.').waitFor()
      await page.waitForFunction(() => document.querySelector('hearth-app')!.shadowRoot!.querySelector('hearth-photos')!.shadowRoot!.querySelector('hearth-timeline')!.shadowRoot!.querySelectorAll('.tile').length === 2)
      assert.equal((await visibility()).get(ids[2]!), 'locked', 'the newest, May 3rd')
      // In the folder; then Lock, and the PIN is asked for again.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Locked folder' }).click()
      await tiles(page).nth(0).waitFor()
      assert.equal(await tiles(page).count(), 1)
      await ui.shot(page, `locked-${engine}-02-open`)
      await page.getByRole('button', { name: 'Lock' }).click()
      await page.getByText('Enter your PIN to open the locked folder.').waitFor()
      const status = await ui.node.client.call('GET', '/api/auth/status', { headers: s.headers })
      assert.equal(status.body.pinCode, true)
      await page.getByLabel('PIN (6 digits)').fill('111111')
      await page.getByRole('button', { name: 'Unlock' }).click()
      await page.getByRole('alert').filter({ hasText: 'Wrong PIN code' }).waitFor()
      await ui.shot(page, `locked-${engine}-03-wrong-pin`)
      // Locked, the photo itself is refused to this browser too.
      assert.equal(await page.evaluate(async (id) => (await fetch(`/api/assets/${id}/thumbnail`)).status, ids[2]), 403)
      await page.getByLabel('PIN (6 digits)').fill('482913')
      await page.getByRole('button', { name: 'Unlock' }).click()
      await tiles(page).nth(0).waitFor()
      // Back out to the timeline.
      await tiles(page).nth(0).locator('.check').click()
      await page.locator('hearth-selection-bar').getByRole('button', { name: 'Move out of locked folder' }).click()
      await page.getByText('1 item moved back to the timeline.').waitFor()
      await page.getByText('The locked folder is empty.').waitFor()
      assert.equal((await visibility()).get(ids[2]!), 'timeline')
    })

    test('moving into a closed folder asks for the PIN in place, then moves', async () => {
      await page.goto(ui.url + '/locked')
      await page.getByRole('button', { name: 'Lock' }).click()
      await page.getByText('Enter your PIN to open the locked folder.').waitFor()
      await page.goto(ui.url + '/photos')
      await tiles(page).nth(2).waitFor()
      await tiles(page).nth(1).locator('.check').click()
      await page.locator('hearth-selection-bar').getByRole('button', { name: 'Move to locked folder' }).click()
      const dialog = page.getByRole('dialog', { name: 'Move to locked folder' })
      await dialog.getByLabel('PIN (6 digits)').fill('482913')
      await ui.shot(page, `locked-${engine}-04-pin-dialog`)
      await dialog.getByRole('button', { name: 'Unlock' }).click()
      await page.getByText('1 item moved to the locked folder.').waitFor()
      assert.equal((await visibility()).get(ids[1]!), 'locked')
      // The unlock runs out while the folder is on screen: back to the PIN when the tab is looked at again.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Locked folder' }).click()
      await tiles(page).nth(0).waitFor()
      await ui.node.node.db.query("UPDATE sessions SET pin_expires_at = now() - interval '1 second' WHERE pin_expires_at IS NOT NULL")
      await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')))
      await page.getByText('Enter your PIN to open the locked folder.').waitFor()
      assert.equal(await tiles(page).count(), 0, 'no locked photo left on screen')
    })

    test('from the viewer\'s menu: into the locked folder (the PIN asked in place, then on to the next photo), and a public link to one photo', async () => {
      await page.goto(`${ui.url}/photos/${ids[0]!}`)
      await page.locator('hearth-viewer img.main.loaded').waitFor()
      await page.getByRole('button', { name: 'More' }).click()
      await page.getByRole('menuitem', { name: 'Move to locked folder' }).click()
      const pin = page.getByRole('dialog', { name: 'Move to locked folder' })
      await pin.getByLabel('PIN (6 digits)').fill('482913')
      await pin.getByRole('button', { name: 'Unlock' }).click()
      await page.getByText('1 item moved to the locked folder.').waitFor()
      await page.waitForURL(`**/photos/${ids[2]!}`)
      assert.equal((await visibility()).get(ids[0]!), 'locked')
      await page.locator('hearth-viewer img.main.loaded').waitFor()
      await page.getByRole('button', { name: 'More' }).click()
      await page.getByRole('menuitem', { name: 'Share link' }).click()
      const share = page.getByRole('dialog', { name: 'Share link' })
      await share.getByRole('button', { name: 'Create link' }).click()
      await share.getByRole('textbox', { name: 'Copy link' }).waitFor()
      await ui.shot(page, `locked-${engine}-05-viewer-link`)
      const linked = await ui.node.node.db.query<{ asset_id: string }>('SELECT asset_id FROM shared_link_assets')
      assert.deepEqual(linked.map((r) => r.asset_id), [ids[2]])
      await page.keyboard.press('Escape')
      await share.waitFor({ state: 'detached' })
    })
  })
}
