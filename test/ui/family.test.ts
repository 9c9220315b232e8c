/**
 * Administration › Family in a real browser, with two Hearth nodes (two households): Grandma's
 * admin makes an invite code, the Smiths' admin pastes it and pairs, each sees the other, "Check"
 * reaches the other node, and after Grandma unpairs, the Smiths' check says it is not reachable.
 * A damaged code is refused with what to do.
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { oneEngine } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import { staticUi } from '../../appliance/web/static.ts'
import { federationModule } from '../../federation/index.ts'
import { startUi, type UiHarness } from './harness.ts'

const ADMIN = { email: 'ada@example.org', password: 'correct horse battery' }

async function signIn (page: Page, url: string): Promise<void> {
  await page.goto(url + '/auth/login')
  await page.getByLabel('Email').fill(ADMIN.email)
  await page.getByLabel('Password').fill(ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL('**/photos')
}

for (const engine of oneEngine('pglite')) {
  describe(`web UI: pairing with a relative's node [${engine}]`, () => {
    let ui: UiHarness
    let smiths: TestNode
    before(async () => {
      ui = await startUi(engine, { HEARTH_P2P_PORT: '0', HEARTH_NODE_NAME: 'Grandma' }, [federationModule()])
      // The second household's node, with the same web UI, visited from the same browser.
      smiths = await startTestNode(engine, { HEARTH_P2P_PORT: '0', HEARTH_NODE_NAME: 'The Smiths' }, {
        modules: [federationModule(), () => ({ name: 'web-ui', middleware: staticUi() })],
      })
      await ui.node.client.signUpAdmin(ADMIN.email, ADMIN.password, 'Ada')
      await smiths.client.signUpAdmin(ADMIN.email, ADMIN.password, 'Sam')
      ui.allowNetworkError(400, '/api/federation/pair')
    })
    after(async () => { await ui.stop(); await smiths.stop() })

    test('invite, pair, check, unpair', async () => {
      const grandma = await ui.page()
      grandma.on('dialog', (d) => { void d.accept() })
      await signIn(grandma, ui.url)
      await grandma.goto(ui.url + '/admin/family')
      await grandma.getByText('This node is “Grandma”').waitFor()
      await grandma.getByText('Not paired with any relative’s node yet.').waitFor()
      await grandma.getByRole('button', { name: 'Make an invite code' }).click()
      const box = grandma.getByRole('textbox', { name: 'Invite a relative' })
      await box.waitFor()
      const code = await box.inputValue()
      assert.match(code, /^hearth-invite:[A-Za-z0-9_-]+$/)
      await grandma.getByText(/^Works once, until /).waitFor()
      await ui.shot(grandma, `family-${engine}-01-invite`)

      const sam = await ui.page()
      await signIn(sam, smiths.url)
      await sam.goto(smiths.url + '/admin/family')
      await sam.getByLabel('Their invite code').fill(code.slice(0, 40))
      await sam.getByRole('button', { name: 'Pair', exact: true }).click()
      await sam.getByText(/damaged: copy it again, whole/).waitFor()
      await sam.getByLabel('Their invite code').fill(code)
      await sam.getByRole('button', { name: 'Pair', exact: true }).click()
      await sam.getByText('Paired with Grandma.').waitFor()
      const samsRow = sam.getByTestId('peers').getByRole('row', { name: /Grandma/ })
      await samsRow.getByText('they invited us').waitFor()
      await samsRow.getByRole('button', { name: 'Check' }).click()
      await samsRow.getByText(/^Reachable \(Hearth \d+\.\d+\.\d+\)$/).waitFor()
      await ui.shot(sam, `family-${engine}-02-paired`)

      await grandma.reload()
      const grandmasRow = grandma.getByTestId('peers').getByRole('row', { name: /The Smiths/ })
      await grandmasRow.getByText('we invited them').waitFor()
      await grandmasRow.getByText(/^Last seen /).waitFor()
      await grandmasRow.getByRole('button', { name: 'Unpair' }).click()
      await grandma.getByText('Unpaired The Smiths.').waitFor()
      await grandma.getByText('Not paired with any relative’s node yet.').waitFor()

      await samsRow.getByRole('button', { name: 'Check' }).click()
      await samsRow.getByText('Not reachable now').waitFor()
      assert.deepEqual(ui.errors, [])
    })
  })
}
