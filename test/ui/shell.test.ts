/** The shell in a real browser: first-run sign-up, sign-in messages and lockout, sign-out, phone layout (with More), dark theme. */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Locator, Page } from 'playwright-core'
import { oneEngine } from '../helpers/engines.ts'
import { startUi, type UiHarness } from './harness.ts'

const ADMIN = { email: 'ada@example.org', password: 'correct horse battery' }

for (const engine of oneEngine('pglite')) {
  describe(`web UI shell [${engine}]`, () => {
    let ui: UiHarness
    before(async () => { ui = await startUi(engine, { HEARTH_LOGIN_MAX_FAILURES: '3', HEARTH_LOGIN_LOCKOUT_SECONDS: '120' }) })
    after(async () => { await ui.stop() })

    test('a new server asks for the admin account, then lands on the timeline', async () => {
      const page = await ui.page()
      await page.goto(ui.url + '/')
      await page.getByRole('heading', { name: 'Welcome to Hearth' }).waitFor()
      assert.equal(new URL(page.url()).pathname, '/auth/register')
      await ui.shot(page, `shell-${engine}-01-first-run`)
      await page.getByLabel('Your name').fill('Ada')
      await page.getByLabel('Email').fill(ADMIN.email)
      await page.getByLabel('Password', { exact: true }).fill('short')
      await page.getByLabel('Repeat the password').fill('short')
      await page.getByRole('button', { name: 'Create account' }).click()
      await page.getByRole('alert').filter({ hasText: 'at least 8 characters' }).waitFor()
      await page.getByLabel('Password', { exact: true }).fill(ADMIN.password)
      await page.getByLabel('Repeat the password').fill(ADMIN.password)
      await page.getByRole('button', { name: 'Create account' }).click()
      await page.waitForURL('**/photos')
      await page.getByRole('navigation', { name: 'Main' }).waitFor()
      // TIMELINE await page.getByText('No photos yet').waitFor()
      await ui.shot(page, `shell-${engine}-02-empty-timeline`)
      // Sign-up is closed once an account exists: the address now shows sign-in... for a signed-in user, the timeline.
      await page.goto(ui.url + '/auth/register')
      await page.waitForURL('**/photos')
    })

    test('sign-in: a wrong password and a lockout each say what happened', async () => {
      const admin = await ui.node.client.login(ADMIN.email, ADMIN.password)
      await ui.node.client.createUser(admin, 'bob@example.org', 'bobs good password')
      ui.allowNetworkError(401, '/api/auth/login')
      ui.allowNetworkError(429, '/api/auth/login')
      const page = await ui.page()
      await page.goto(ui.url + '/photos')
      await page.waitForURL('**/auth/login?continue=%2Fphotos')
      await page.getByLabel('Email').fill('bob@example.org')
      await page.getByLabel('Password').fill('wrong password')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('alert').filter({ hasText: 'do not match' }).waitFor()
      await ui.shot(page, `shell-${engine}-03-wrong-password`)
      for (let i = 0; i < 3; i++) {
        await page.getByRole('button', { name: 'Sign in' }).click()
        await page.getByRole('button', { name: 'Sign in' }).waitFor()
      }
      await page.getByRole('alert').filter({ hasText: /locked\. Try again in 2 minutes/ }).waitFor()
      // Even the right password is refused while locked, and the message says so.
      await page.getByLabel('Password').fill('bobs good password')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('alert').filter({ hasText: 'locked' }).waitFor()
      await ui.shot(page, `shell-${engine}-04-locked`)
    })

    test('phone width: bottom bar instead of the sidebar; dark theme; sign-out', async () => {
      const page = await ui.page({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' })
      await page.goto(ui.url + '/auth/login?continue=%2Fsearch')
      await page.getByLabel('Email').fill(ADMIN.email)
      await page.getByLabel('Password').fill(ADMIN.password)
      await page.getByRole('button', { name: 'Sign in' }).click()
      // Signed in, the page asked for (?continue=) is where the user lands, and stays.
      await page.locator('hearth-search').waitFor()
      assert.equal(new URL(page.url()).pathname, '/search')
      const nav = page.getByRole('navigation', { name: 'Main' })
      const box = await nav.boundingBox()
      assert.ok(box !== null && box.y > 700 && box.width >= 380 && box.x + box.width <= 390, `the nav is a bottom bar at phone width: ${JSON.stringify(box)}`)
      const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox()
      assert.ok(signOut !== null && signOut.x + signOut.width <= 390, `the top bar fits the screen: ${JSON.stringify(signOut)}`)
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor)
      assert.equal(bg, 'rgb(20, 19, 18)', 'dark theme follows the system')
      await ui.shot(page, `shell-${engine}-05-phone-dark`)
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.waitForURL('**/auth/login')
      // The session is gone on the server too: the timeline asks for sign-in again.
      await page.goto(ui.url + '/photos')
      await page.waitForURL('**/auth/login?continue=%2Fphotos')
    })

    test('phone width: every screen of the sidebar is reachable, the rest through More', async () => {
      const signIn = async (width: number) => {
        const page = await ui.page({ viewport: { width, height: 844 } })
        await page.goto(ui.url + '/auth/login')
        await page.getByLabel('Email').fill(ADMIN.email)
        await page.getByLabel('Password').fill(ADMIN.password)
        await page.getByRole('button', { name: 'Sign in' }).click()
        await page.waitForURL('**/photos')
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Photos' }).waitFor()
        return page
      }
      const visibleLinks = (page: Page, where: Locator) => where.getByRole('link').evaluateAll((as) => as
        .filter((a) => { const r = a.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5 })
        .map((a) => a.getAttribute('href')!))
      const desktop = await signIn(1280)
      const sidebar = await visibleLinks(desktop, desktop.getByRole('navigation', { name: 'Main' }))
      assert.ok(sidebar.includes('/people') && sidebar.includes('/admin'), sidebar.join(' '))
      assert.equal(await desktop.getByRole('button', { name: 'More' }).isVisible(), false, 'no More beside the sidebar')

      const page = await signIn(360)
      const bar = await visibleLinks(page, page.getByRole('navigation', { name: 'Main' }))
      const more = page.getByRole('button', { name: 'More' })
      assert.equal(await more.getAttribute('aria-expanded'), 'false')
      const box = await more.boundingBox()
      assert.ok(box !== null && box.y > 780 && box.x + box.width <= 360, `More sits in the bottom bar: ${JSON.stringify(box)}`)
      await more.click()
      assert.equal(await more.getAttribute('aria-expanded'), 'true')
      const sheet = page.getByRole('navigation', { name: 'More' })
      const inSheet = await visibleLinks(page, sheet)
      assert.deepEqual([...bar, ...inSheet].sort(), [...sidebar].sort(), `bottom bar ${bar.join(' ')} + More ${inSheet.join(' ')} = sidebar`)
      assert.deepEqual(inSheet, ['/people', '/places', '/map', '/tags', '/folders', '/favorites', '/archive', '/locked', '/duplicates', '/trash', '/admin'])
      // Focus moves into the sheet, so a keyboard user lands on its first screen.
      assert.equal(await page.evaluate(() => document.querySelector('hearth-app')!.shadowRoot!.activeElement?.getAttribute('href')), '/people')
      await ui.shot(page, `shell-${engine}-06-phone-more`)
      await sheet.getByRole('link', { name: 'Duplicates' }).click()
      await page.waitForURL('**/duplicates')
      await sheet.waitFor({ state: 'detached' })
      // More is marked while one of its screens is shown.
      await page.locator('nav button.more.current').waitFor()
      await ui.shot(page, `shell-${engine}-07-phone-duplicates`)
      // Esc closes the sheet and gives focus back to More; a tap outside closes it too.
      await more.click()
      await sheet.waitFor()
      await page.keyboard.press('Escape')
      await sheet.waitFor({ state: 'detached' })
      assert.equal(await page.evaluate(() => document.querySelector('hearth-app')!.shadowRoot!.activeElement?.className), 'more current')
      await more.click()
      await page.mouse.click(180, 200)
      await sheet.waitFor({ state: 'detached' })
      assert.equal(new URL(page.url()).pathname, '/duplicates')
      await more.click()
      await sheet.getByRole('link', { name: 'Administration' }).click()
      await page.waitForURL('**/admin')
      await page.getByRole('cell', { name: ADMIN.email }).waitFor()
      await ui.shot(page, `shell-${engine}-08-phone-admin`)
    })
  })
}
