/** The shell in a real browser: first-run sign-up, sign-in messages and lockout, sign-out, phone layout, dark theme. */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { engines } from '../helpers/engines.ts'
import { startUi, type UiHarness } from './harness.ts'

const ADMIN = { email: 'ada@example.org', password: 'correct horse battery' }

for (const engine of engines) {
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
      await page.waitForURL('**/search')
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
  })
}
