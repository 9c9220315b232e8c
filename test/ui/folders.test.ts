/**
 * The folder view in a real browser, over a real share indexed in place: the share and the uploads
 * are the top entries (each collapsed to where it branches), a folder lists the folders inside it
 * and its own photos (downloaded as one ZIP), a photo opens in the viewer and ← → step through the
 * folder, Esc comes back to it, and the breadcrumb climbs. The share's files are left exactly as they were.
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import sharp from 'sharp'
import type { Page } from 'playwright-core'
import { oneEngine } from '../helpers/engines.ts'
import { libraryModule } from '../../appliance/libraries/index.ts'
import { makeShare, snapshot, type Share } from '../libraries/share.ts'
import { startUi, type UiHarness } from './harness.ts'

for (const engine of oneEngine('pglite')) {
  describe(`web UI folder view [${engine}]`, () => {
    let ui: UiHarness
    let share: Share
    let page: Page
    let before_: Awaited<ReturnType<typeof snapshot>>
    const ids: Record<string, string> = {}
    before(async () => {
      share = await makeShare()
      before_ = await snapshot(share.root)
      ui = await startUi(engine, {}, [libraryModule({ watch: false, scanOnStart: false })])
      const admin = await ui.node.client.signUpAdmin('ada@example.org', 'correct horse battery', 'Ada')
      const call = (method: string, path: string, body?: unknown) => ui.node.client.call(method, path, { headers: admin.headers, body })
      const me = (await call('GET', '/api/users/me')).body.id as string
      const lib = await call('POST', '/api/libraries', { ownerId: me, name: 'Photos', importPaths: [share.root] })
      assert.equal(lib.status, 201)
      assert.equal((await call('POST', `/api/libraries/${lib.body.id}/scan`)).status, 204)
      const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#2a6' } }).jpeg().toBuffer()
      assert.equal((await ui.node.client.upload(admin, { name: 'phone.jpg', data: photo }, { fields: { fileCreatedAt: '2024-05-04T10:00:00Z' } })).status, 201)
      await ui.node.node.jobs.drained(['library', 'metadataExtraction', 'thumbnailGeneration', 'videoConversion'])
      for (const r of await ui.node.node.db.query<{ id: string, original_path: string }>('SELECT id, original_path FROM assets')) ids[r.original_path.split('/').slice(-2).join('/')] = r.id
      page = await ui.page()
      await page.context().addCookies([{ name: 'hearth_access_token', value: admin.token, url: ui.url }])
    })
    after(async () => { await ui.stop(); await share.cleanup() })

    test('the tops, a folder\'s folders and photos, the viewer stepping through the folder, the breadcrumb', async () => {
      await page.goto(ui.url + '/photos')
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Folders' }).click()
      await page.waitForURL('**/folders')
      const inside = page.getByRole('list', { name: 'Folders inside' })
      await inside.getByRole('link', { name: share.root }).waitFor()
      assert.deepEqual(await inside.getByRole('listitem').allTextContents(), [share.root, 'library/admin/2024/05'], 'the share, then the uploads, each from where it branches')
      await ui.shot(page, `folders-${engine}-01-tops`)
      await inside.getByRole('link', { name: share.root }).click()
      const names = ['Beach', 'Garden', 'Videos', ...(share.hasCameraFiles ? ['Cameras'] : [])].sort()
      await inside.getByRole('link', { name: 'Beach' }).waitFor()
      assert.deepEqual(await inside.getByRole('listitem').allTextContents(), names)
      assert.equal(await page.locator('.grid a').count(), 0, 'the share itself holds only folders')
      await inside.getByRole('link', { name: 'Beach' }).click()
      await page.getByText('2 photos and videos in this folder').waitFor()
      assert.equal((await page.locator('h1.crumbs').textContent())!.replace(/\s+/g, ''), `Folders›${share.root}›Beach`)
      const tiles = page.locator('.grid a')
      assert.deepEqual(await tiles.evaluateAll((as) => as.map((a) => a.getAttribute('title'))), ['sea.jpg', 'sunset.jpg'], 'by file name')
      await page.locator('.grid img').nth(1).waitFor()
      await ui.shot(page, `folders-${engine}-02-beach`)
      // The folder downloads as one ZIP named after it, with its own two photos.
      const zip = page.waitForEvent('download')
      await page.getByRole('button', { name: 'Download' }).click()
      const saved = await zip
      assert.equal(saved.suggestedFilename(), 'Beach.zip')
      assert.deepEqual(execFileSync('unzip', ['-Z1', (await saved.path())!]).toString().trim().split('\n'), ['sea.jpg', 'sunset.jpg'])
      // The viewer steps through this folder only, and Esc comes back to it.
      await tiles.first().click()
      await page.waitForURL((u) => u.pathname === `/folders/photos/${ids['Beach/sea.jpg']}` && u.searchParams.get('path') === join(share.root, 'Beach'))
      await page.locator('hearth-viewer img.main.loaded').waitFor()
      await page.keyboard.press('ArrowRight')
      await page.waitForURL((u) => u.pathname === `/folders/photos/${ids['Beach/sunset.jpg']}`)
      await page.keyboard.press('ArrowRight')
      await new Promise((r) => setTimeout(r, 300))
      assert.equal(new URL(page.url()).pathname, `/folders/photos/${ids['Beach/sunset.jpg']}`, 'the last of the folder: nothing after it')
      await page.keyboard.press('Escape')
      await page.waitForURL((u) => u.pathname === '/folders' && u.searchParams.get('path') === join(share.root, 'Beach'))
      // The breadcrumb climbs to the share; the uploads' folder holds the upload.
      await page.locator('h1.crumbs').getByRole('link', { name: share.root }).click()
      await inside.getByRole('link', { name: 'Garden' }).waitFor()
      await page.goto(ui.url + '/folders?path=' + encodeURIComponent('library/admin/2024/05'))
      await page.getByText('1 photo or video in this folder').waitFor()
      assert.deepEqual(await page.locator('.grid a').evaluateAll((as) => as.map((a) => a.getAttribute('title'))), ['phone.jpg'])
      assert.deepEqual(await snapshot(share.root), before_, 'the share is as it was')
      assert.deepEqual(ui.errors, [])
    })
  })
}
