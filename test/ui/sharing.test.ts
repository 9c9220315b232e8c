/**
 * Albums, public links, account and admin in a real browser: make an album and add photos, share
 * it by a public link and open that in a fresh, signed-out context, a password-protected link,
 * an API key, the jobs page (Missing and All on an analysis queue, All behind a confirmation) and
 * the machine-learning page's embeddings per model (a split library's notice, with a reply edited
 * to hold two face models: this node has no models, and making real vectors of two is ML-heavy).
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { oneEngine } from '../helpers/engines.ts'
import { waitFor } from '../helpers/process.ts'
import { integrityModule } from '../../appliance/integrity/index.ts'
import { startUi, type UiHarness } from './harness.ts'

const ADMIN = { email: 'ada@example.org', password: 'correct horse battery' }
const fixtures = ['Beach/sunset.jpg', 'Beach/sea.jpg', 'Garden/lawn.jpg'].map((f) => fileURLToPath(new URL(`../fixtures/tree/${f}`, import.meta.url)))

async function signIn (ui: UiHarness, page: Page): Promise<void> {
  await page.goto(ui.url + '/auth/login')
  await page.getByLabel('Email').fill(ADMIN.email)
  await page.getByLabel('Password').fill(ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL('**/photos')
}

/** True once every <img> matching `selector` (inside shadow roots too) has loaded a picture. */
async function imagesLoaded (page: Page, selector: string, count: number): Promise<boolean> {
  const loaded = await page.locator(selector).evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0).length)
  return loaded >= count
}

for (const engine of oneEngine('postgres')) {
  describe(`web UI albums, sharing, account, admin [${engine}]`, () => {
    let ui: UiHarness
    let publicUrl = ''
    /** The fixtures' asset ids, in order (sunset, sea, lawn). */
    const ids: string[] = []
    before(async () => {
      // As `hearth serve` runs it: the integrity check's card is on the Jobs page.
      ui = await startUi(engine, {}, [integrityModule()])
      // Expected refusals: a protected link before its password, and the SFTP module (not loaded in this harness).
      ui.allowNetworkError(401, '/api/shared-links/me')
      ui.allowNetworkError(404, '/api/sftp')
      ui.allowNetworkError(404, '/api/users/me/ssh-keys')
      const admin = await ui.node.client.signUpAdmin(ADMIN.email, ADMIN.password, 'Ada')
      for (const f of fixtures) ids.push((await ui.node.client.upload(admin, f)).body.id)
      await waitFor('thumbnails', async () => {
        for (const id of ids) if ((await ui.node.client.call('GET', `/api/assets/${id}`, { headers: admin.headers })).body.ingestStatus !== 'ready') return false
        return true
      }, 60_000)
    })
    after(async () => { await ui.stop() })

    test('create an album, add photos, make a public link; a signed-out visitor sees the photos', async () => {
      const page = await ui.page()
      await signIn(ui, page)
      await page.goto(ui.url + '/albums')
      await page.getByText('No albums yet').waitFor()
      await page.getByRole('button', { name: 'New album' }).click()
      await page.getByLabel('Album name').fill('Seaside')
      await page.getByRole('button', { name: 'Create', exact: true }).click()
      await page.waitForURL(/\/albums\/[0-9a-f-]{36}$/)
      await page.getByRole('heading', { name: 'Seaside' }).waitFor()
      await page.getByRole('button', { name: 'Add photos' }).click()
      for (const id of ids.slice(0, 2)) await page.getByRole('dialog').locator(`hearth-timeline .tile[data-id="${id}"] a`).click()
      await page.getByRole('button', { name: 'Add 2 items' }).waitFor()
      await ui.shot(page, `albums-${engine}-01-pick`)
      await page.getByRole('button', { name: 'Add 2 items' }).click()
      await page.getByText('2 items', { exact: true }).waitFor()
      await waitFor('album thumbnails', () => imagesLoaded(page, '.grid img', 2))
      await ui.shot(page, `albums-${engine}-02-album`)
      // The album downloads as one ZIP named after it, both photos in it.
      const zip = page.waitForEvent('download')
      await page.getByRole('button', { name: 'Download' }).click()
      const saved = await zip
      assert.equal(saved.suggestedFilename(), 'Seaside.zip')
      assert.deepEqual(execFileSync('unzip', ['-Z1', (await saved.path())!]).toString().trim().split('\n').sort(), ['sea.jpg', 'sunset.jpg'])

      await page.getByRole('button', { name: 'Share' }).click()
      await page.getByRole('heading', { name: 'Public links' }).waitFor()
      await page.getByRole('button', { name: 'Create link' }).click()
      const linkInput = page.locator('input[data-link]')
      await linkInput.waitFor()
      publicUrl = await linkInput.inputValue()
      assert.match(publicUrl, new RegExp(`^${ui.url}/share/[\\w-]{43}$`))
      await ui.shot(page, `albums-${engine}-03-share-panel`)

      // The album list shows the cover.
      await page.goto(ui.url + '/albums')
      await page.getByRole('link', { name: /Seaside/ }).waitFor()
      await waitFor('cover', () => imagesLoaded(page, '.cover img', 1))
      await ui.shot(page, `albums-${engine}-04-list`)

      const visitor = await ui.page()
      await visitor.goto(publicUrl)
      await visitor.getByRole('heading', { name: 'Seaside' }).waitFor()
      await visitor.getByText('Shared by Ada').waitFor()
      await waitFor('shared thumbnails', () => imagesLoaded(visitor, '.grid img', 2))
      assert.equal(await visitor.locator('.grid img').count(), 2)
      // No navigation of the signed-in app for a visitor.
      assert.equal(await visitor.getByRole('navigation', { name: 'Main' }).count(), 0)
      await ui.shot(visitor, `albums-${engine}-05-public`)
      await visitor.locator('.grid button').first().click()
      await waitFor('the preview', () => imagesLoaded(visitor, 'hearth-album-lightbox img', 1))
      await visitor.getByRole('link', { name: 'Download original' }).waitFor()
      await ui.shot(visitor, `albums-${engine}-06-public-viewer`)
      await visitor.keyboard.press('Escape')
      await visitor.locator('hearth-album-lightbox').waitFor({ state: 'detached' })
      // The visitor downloads the whole album too (the link allows downloads).
      const visitorZip = visitor.waitForEvent('download')
      await visitor.getByRole('button', { name: 'Download all' }).click()
      const got = await visitorZip
      execFileSync('unzip', ['-tq', (await got.path())!])
      assert.equal(execFileSync('unzip', ['-Z1', (await got.path())!]).toString().trim().split('\n').length, 2)
    })

    test('a link to chosen photos: made from the timeline\'s selection, opened signed out, listed on the Sharing page and deleted there', async () => {
      const page = await ui.page()
      await signIn(ui, page)
      await page.locator('hearth-timeline .tile img').nth(2).waitFor()
      const checks = page.locator('hearth-timeline .tile .check')
      await checks.nth(0).click()
      await checks.nth(1).click()
      await page.locator('hearth-selection-bar').getByRole('button', { name: 'Share link' }).click()
      const dialog = page.getByRole('dialog', { name: 'Share link' })
      await dialog.getByText('A public link to 2 photos').waitFor()
      await dialog.getByLabel('Note (optional)').fill('For Grandma')
      await dialog.getByRole('button', { name: 'Create link' }).click()
      const input = dialog.getByRole('textbox', { name: 'Copy link' })
      await input.waitFor()
      const url = await input.inputValue()
      assert.match(url, new RegExp(`^${ui.url}/share/[\\w-]{43}$`))
      await dialog.getByText(/2 photos · For Grandma/).waitFor()
      await ui.shot(page, `albums-${engine}-07-chosen-link`)
      await dialog.getByRole('button', { name: 'Close' }).click()
      // Which two: those the selection held, as the server has them.
      const [link] = (await ui.node.node.db.query<{ id: string }>("SELECT id FROM shared_links WHERE type = 'INDIVIDUAL'"))
      const chosen = async () => (await ui.node.node.db.query<{ asset_id: string }>('SELECT asset_id FROM shared_link_assets WHERE link_id = $1', [link!.id])).map((r) => r.asset_id)
      assert.equal((await chosen()).length, 2)
      // A third photo joins the selection, and the three go to the same link: the two already in it stay once.
      await checks.nth(2).click()
      await page.locator('hearth-selection-bar').getByText('3 selected').waitFor()
      await page.locator('hearth-selection-bar').getByRole('button', { name: 'Share link' }).click()
      await dialog.getByText('Or add them to a link you made').waitFor()
      await dialog.getByRole('button', { name: 'Add: 2 photos · For Grandma' }).click()
      await page.getByText('1 photo added to the link.').waitFor()
      assert.equal((await chosen()).length, 3)
      const visitor = await ui.page()
      await visitor.goto(url)
      await visitor.getByRole('heading', { name: 'For Grandma' }).waitFor()
      await visitor.getByText('Shared by Ada · 3 items').waitFor()
      await waitFor('its thumbnails', () => imagesLoaded(visitor, '.grid img', 3))
      const zip = visitor.waitForEvent('download')
      await visitor.getByRole('button', { name: 'Download all' }).click()
      const saved = await zip
      assert.equal(saved.suggestedFilename(), 'For Grandma.zip')
      assert.equal(execFileSync('unzip', ['-Z1', (await saved.path())!]).toString().trim().split('\n').length, 3)
      await ui.shot(visitor, `albums-${engine}-08-chosen-public`)
      // The Sharing page lists it; deleted there, it stops working.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sharing' }).click()
      const section = page.getByRole('region', { name: 'Links to chosen photos' })
      await section.getByText(/3 photos · For Grandma/).waitFor()
      await section.getByRole('button', { name: 'Delete link' }).click()
      await section.getByText('No public links.').waitFor()
      await visitor.reload()
      await visitor.getByText('This link does not work').waitFor()
    })

    test('album comments: a viewer likes the album and comments; the owner sees the count and the comment, and deletes it', async () => {
      const ada = await ui.node.client.login(ADMIN.email, ADMIN.password)
      const ben = await ui.node.client.createUser(ada, 'ben@example.org', 'another good password', { name: 'Ben' })
      const benId = (await ui.node.client.call('GET', '/api/users/me', { headers: ben.headers })).body.id
      const made = await ui.node.client.call('POST', '/api/albums', { headers: ada.headers, body: { albumName: 'Picnic', assetIds: [ids[2]] } })
      await ui.node.client.call('PUT', `/api/albums/${made.body.id}/users`, { headers: ada.headers, body: { albumUsers: [{ userId: benId, role: 'viewer' }] } })
      const bens = await ui.page()
      await bens.context().addCookies([{ name: 'hearth_access_token', value: ben.token, url: ui.url }])
      await bens.goto(`${ui.url}/albums/${made.body.id}`)
      await bens.getByRole('button', { name: 'Comments' }).click()
      await bens.getByText('No comments yet.').waitFor()
      await bens.getByRole('button', { name: 'Like' }).click()
      await bens.getByText('Liked by Ben').waitFor()
      await bens.getByRole('textbox', { name: 'Write a comment' }).fill('Best picnic ever')
      await bens.getByRole('button', { name: 'Send' }).click()
      await bens.getByRole('list', { name: 'Comments' }).getByText('Best picnic ever').waitFor()
      await bens.getByRole('button', { name: 'Comments (1)' }).waitFor()
      await ui.shot(bens, `albums-${engine}-09-comments`)
      assert.equal(await bens.locator('input[type=checkbox]').count(), 0, 'only the owner turns comments off')
      // The photo itself, in the album's lightbox: liked, and a word about it.
      await bens.locator('.tile button.open').first().click()
      const box = bens.locator('hearth-album-lightbox')
      await box.getByRole('button', { name: 'Comments', exact: true }).click()
      await box.getByRole('heading', { name: 'About this photo' }).waitFor()
      await box.getByRole('button', { name: 'Like' }).click()
      await box.getByText('Liked by Ben').waitFor()
      await box.getByRole('textbox', { name: 'Write a comment' }).fill('Look at the lawn')
      // Arrow keys typed in the box move its caret, not the photo.
      await bens.keyboard.press('ArrowLeft')
      await box.getByRole('button', { name: 'Send' }).click()
      await box.getByRole('list', { name: 'Comments' }).getByText('Look at the lawn').waitFor()
      await ui.shot(bens, `albums-${engine}-10-photo-comments`)
      const onPhoto = await ui.node.client.call('GET', `/api/activities?albumId=${made.body.id}&assetId=${ids[2]}`, { headers: ada.headers })
      assert.deepEqual(onPhoto.body.map((a: { type: string, comment?: string }) => [a.type, a.comment ?? null]), [['like', null], ['comment', 'Look at the lawn']])
      await bens.keyboard.press('Escape')
      await bens.keyboard.press('Escape')
      await box.waitFor({ state: 'detached' })
      const stats = await ui.node.client.call('GET', `/api/activities/statistics?albumId=${made.body.id}`, { headers: ada.headers })
      assert.deepEqual(stats.body, { comments: 2, likes: 2 }, 'the album\'s and its photo\'s')
      // Ben heard of the album shared with him (the bell); the owner heard of both comments.
      await bens.getByRole('button', { name: 'Notifications: 1 unread' }).click()
      await bens.getByRole('dialog', { name: 'Notifications' }).getByText('Ada shared the album “Picnic” with you').waitFor()
      await bens.keyboard.press('Escape')
      const page = await ui.page()
      await signIn(ui, page)
      const bell = page.getByRole('button', { name: 'Notifications: 2 unread' })
      await bell.click()
      const panel = page.getByRole('dialog', { name: 'Notifications' })
      await panel.getByText('Look at the lawn').waitFor()
      await ui.shot(page, `albums-${engine}-10b-notifications`)
      // One opened: read, and its album is shown.
      await panel.getByRole('button', { name: /Ben commented on “Picnic”\s*Best picnic ever/ }).click()
      await page.waitForURL(`**/albums/${made.body.id}`)
      await page.getByRole('button', { name: 'Notifications: 1 unread' }).click()
      await page.getByRole('button', { name: 'Mark all as read' }).click()
      await page.getByRole('button', { name: 'Notifications', exact: true }).waitFor()
      await page.keyboard.press('Escape')
      // The owner sees the count, reads it, and may delete it.
      await page.getByRole('button', { name: 'Comments (2)' }).click()
      await page.getByText('Liked by Ben').waitFor()
      await page.getByRole('button', { name: 'Delete Ben’s comment' }).click()
      await page.getByText('No comments yet.').waitFor()
      await page.getByRole('button', { name: 'Comments (1)' }).waitFor()
      assert.deepEqual((await ui.node.client.call('GET', `/api/activities/statistics?albumId=${made.body.id}`, { headers: ada.headers })).body, { comments: 1, likes: 2 })
    })

    test('a password-protected link asks for the password, refuses a wrong one, opens with the right one', async () => {
      const page = await ui.page()
      await signIn(ui, page)
      await page.goto(ui.url + '/albums')
      await page.getByRole('link', { name: /Seaside/ }).click()
      await page.getByRole('button', { name: 'Share' }).click()
      await page.getByLabel('Password (optional)').fill('sand castle')
      await page.getByRole('button', { name: 'Create link' }).click()
      await page.getByText('Password protected').waitFor()
      const links = await page.locator('input[data-link]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))
      assert.equal(links.length, 2)
      const protectedUrl = links.find((l) => l !== publicUrl)!

      const visitor = await ui.page()
      await visitor.goto(protectedUrl)
      await visitor.getByRole('heading', { name: 'This album is protected' }).waitFor()
      await ui.shot(visitor, `albums-${engine}-07-password`)
      await visitor.getByLabel('Password').fill('beach')
      await visitor.getByRole('button', { name: 'Open' }).click()
      await visitor.getByRole('alert').filter({ hasText: 'not right' }).waitFor()
      await visitor.getByLabel('Password').fill('sand castle')
      await visitor.getByRole('button', { name: 'Open' }).click()
      await visitor.getByRole('heading', { name: 'Seaside' }).waitFor()
      await waitFor('thumbnails behind the password', () => imagesLoaded(visitor, '.grid img', 2))
      await ui.shot(visitor, `albums-${engine}-08-password-opened`)
    })

    test('account: create an API key, see the secret once and the key listed', async () => {
      const page = await ui.page()
      await signIn(ui, page)
      await page.goto(ui.url + '/account')
      await page.getByRole('heading', { name: 'API keys and app passwords' }).waitFor()
      assert.equal(await page.locator('[data-testid=webdav]').textContent(), `${ui.url}/dav/`)
      await page.getByLabel('Name', { exact: true }).first().fill('Phone backup')
      await page.getByRole('button', { name: 'Create key' }).click()
      const secret = await page.locator('[data-testid=secret]').textContent()
      assert.ok(secret !== null && secret.length >= 40)
      await page.locator('[data-testid=api-keys]').getByText('Phone backup').waitFor()
      // The secret works as an API key.
      assert.equal((await ui.node.client.call('GET', '/api/users/me', { headers: { 'x-api-key': secret } })).status, 200)
      await ui.shot(page, `account-${engine}-01-api-key`)
      await page.getByRole('button', { name: 'Done' }).click()
      assert.equal(await page.locator('[data-testid=secret]').count(), 0)
    })

    test('admin: the jobs page shows every queue with its counts and controls', async () => {
      const page = await ui.page()
      await signIn(ui, page)
      await page.goto(ui.url + '/admin/jobs')
      const table = page.locator('[data-testid=jobs]')
      await table.getByText('thumbnailGeneration').waitFor()
      await table.getByText('metadataExtraction').waitFor()
      const rows = await table.locator('tbody tr').count()
      assert.ok(rows >= 5, `${rows} queues`)
      await table.locator('tr', { hasText: 'thumbnailGeneration' }).getByRole('button', { name: 'Pause' }).click()
      await table.locator('tr', { hasText: 'thumbnailGeneration' }).getByText('Paused').waitFor()
      await ui.shot(page, `admin-${engine}-01-jobs`)
      // Database backups, below the queues: one made now is listed with its download link.
      const backups = page.getByRole('region', { name: 'Database backups' })
      await backups.getByText('No backups yet.').waitFor()
      await backups.getByRole('button', { name: 'Back up now' }).click()
      await page.getByText(/Backed up: hearth-db-\w+-\d{8}T\d{6}Z/).waitFor()
      const link = backups.locator('[data-testid=backups]').getByRole('link', { name: 'Download' })
      const href = await link.getAttribute('href')
      assert.match(href ?? '', /^\/api\/admin\/database-backups\/hearth-db-/)
      const got = await page.evaluate((h) => fetch(h).then(async (r) => [r.status, (await r.arrayBuffer()).byteLength]), href!)
      assert.equal(got[0], 200)
      assert.ok(got[1] > 1000, `a backup of some size: ${got[1]} bytes`)
      await ui.shot(page, `admin-${engine}-01b-backups`)
      // The integrity check of originals: run now, its report in place.
      const integrity = page.getByRole('region', { name: 'Integrity of originals' })
      await integrity.getByText('Not checked yet.').waitFor()
      await integrity.getByRole('button', { name: 'Check now' }).click()
      await integrity.getByTestId('integrity-last').getByText('Every original is intact.').waitFor()
      assert.match(await integrity.getByTestId('integrity-last').textContent() ?? '', /Last check .*: [1-9]\d* files \(.+\) read\./)
      await ui.shot(page, `admin-${engine}-01c-integrity`)
      await table.locator('tr', { hasText: 'thumbnailGeneration' }).getByRole('button', { name: 'Resume' }).click()
      await table.locator('tr', { hasText: 'thumbnailGeneration' }).getByRole('button', { name: 'Pause' }).waitFor()
      await page.goto(ui.url + '/admin/users')
      await page.getByRole('cell', { name: ADMIN.email }).waitFor()
      await ui.shot(page, `admin-${engine}-02-users`)
    })

    test('admin: an analysis queue offers Missing and All; All asks first, then sends force; the ML page shows vectors per model', async () => {
      const page = await ui.page()
      await signIn(ui, page)
      const commands: Array<{ queue: string, body: unknown }> = []
      page.on('request', (r) => {
        const m = /\/api\/jobs\/(\w+)$/.exec(new URL(r.url()).pathname)
        if (r.method() === 'PUT' && m !== null) commands.push({ queue: m[1]!, body: r.postDataJSON() })
      })
      await page.goto(ui.url + '/admin/jobs')
      const table = page.locator('[data-testid=jobs]')
      const faces = table.locator('tr', { hasText: 'faceDetection' })
      await faces.waitFor()
      assert.equal(await faces.getByRole('button', { name: 'Run now' }).count(), 0, 'an analysis queue has Missing and All instead')
      await table.locator('tr', { hasText: 'thumbnailGeneration' }).getByRole('button', { name: 'Run now' }).waitFor()

      await faces.getByRole('button', { name: 'Missing', exact: true }).click()
      await page.getByText('The photos not analysed yet are queued.', { exact: false }).waitFor()
      assert.deepEqual(commands, [{ queue: 'faceDetection', body: { command: 'start' } }])

      // All, cancelled: nothing is sent.
      await table.locator('tr', { hasText: 'smartSearch' }).getByRole('button', { name: 'All', exact: true }).click()
      const dialog = page.getByRole('dialog', { name: 'Analyse every photo again?' })
      await dialog.getByText('again for smart search').waitFor()
      assert.equal(await dialog.getByText('Named people are kept').count(), 0, 'the people line is for faces only')
      await dialog.getByRole('button', { name: 'Cancel' }).click()
      await dialog.waitFor({ state: 'hidden' })
      assert.equal(commands.length, 1)

      // All on faces, confirmed: the plain-words dialog, then force.
      await faces.getByRole('button', { name: 'All', exact: true }).click()
      await dialog.getByText('again for faces').waitFor()
      await dialog.getByText('Named people are kept').waitFor()
      await dialog.getByText('unless you also press “Run the backlog now”').waitFor()
      await ui.shot(page, `admin-${engine}-03-rerun-all`)
      const sent = page.waitForResponse((r) => r.url().endsWith('/api/jobs/faceDetection') && r.request().method() === 'PUT')
      await dialog.getByRole('button', { name: 'Analyse all again' }).click()
      assert.equal((await sent).status(), 200)
      await page.getByText('Every photo will be analysed again').waitFor()
      await dialog.waitFor({ state: 'hidden' })
      assert.deepEqual(commands[1], { queue: 'faceDetection', body: { command: 'start', force: true } })

      // The ML page: the server's reply carries embeddings per model; with two face models (a
      // lite library half moved to a buffalo_l server) the table lists both and a notice offers All.
      let real: Record<string, unknown> | undefined
      await page.route('**/api/admin/ml', async (route) => {
        const response = await route.fetch()
        real = await response.json() as Record<string, unknown>
        await route.fulfill({ response, json: { ...real, embeddings: { faces: { 'lite/fr_feature': 40, buffalo_l: 120 }, clip: { 'ViT-B-32__openai': 58 } } } })
      })
      await page.goto(ui.url + '/admin/ml')
      const emb = page.locator('[data-testid=embeddings]')
      await emb.waitFor()
      assert.deepEqual(real?.embeddings, { faces: {}, clip: {} }, 'no models here: nothing analysed, but the field is there')
      assert.deepEqual(await emb.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent?.trim()))), [
        ['Faces', 'buffalo_l', '120 faces'], ['Faces', 'lite/fr_feature', '40 faces'], ['Smart search', 'ViT-B-32__openai', '58 photos'],
      ])
      const notice = page.getByRole('note')
      assert.equal(await notice.count(), 1, 'one CLIP model: no notice for smart search')
      await notice.getByText('Faces were found by 2 different models').waitFor()
      await notice.scrollIntoViewIfNeeded()
      await ui.shot(page, `admin-${engine}-04-ml-embeddings`)
      await notice.getByRole('button', { name: 'Detect faces again on all photos' }).click()
      await dialog.getByText('again for faces').waitFor()
      await dialog.getByRole('button', { name: 'Analyse all again' }).click()
      await page.getByText('Every photo will be analysed again').waitFor()
      await waitFor('the second force', async () => commands.length === 3)
      assert.deepEqual(commands[2], { queue: 'faceDetection', body: { command: 'start', force: true } })
      // The page polls every 10 s: a poll in flight must not outlive the test.
      await page.unrouteAll({ behavior: 'ignoreErrors' })
    })
  })
}
