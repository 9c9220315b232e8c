/**
 * The timeline at scale (20,000 generated assets over eight years): the DOM stays small, a jump far
 * into the past shows that month, and nothing on screen moves while the months around it load
 * (their estimated heights are corrected above the viewport by moving the scroll position too).
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { oneEngine } from '../helpers/engines.ts'
import { startUi, type UiHarness } from './harness.ts'
import { generateAssets } from './generate.ts'

const tileCount = (page: Page) => page.locator('hearth-timeline .tile').count()

for (const engine of oneEngine('postgres')) {
  describe(`web UI timeline at 20,000 assets [${engine}]`, () => {
    let ui: UiHarness
    let page: Page
    before(async () => {
      ui = await startUi(engine)
      const s = await ui.node.client.signUpAdmin()
      const [{ id }] = await ui.node.node.db.query<{ id: string }>('SELECT id FROM users LIMIT 1')
      await generateAssets(ui.node.node.db, { userId: id, dataDir: ui.node.dataDir, count: 20_000, from: '2018-01-01', years: 8 })
      page = await ui.page()
      await page.context().addCookies([{ name: 'hearth_access_token', value: s.token, url: ui.url }])
    })
    after(async () => { await ui.stop() })

    test('only what is near the screen is in the DOM', async () => {
      await page.goto(ui.url + '/photos')
      await page.locator('hearth-timeline .tile img').nth(10).waitFor()
      const months = await page.locator('hearth-timeline section.month').count()
      assert.ok(months <= 4, `months in the DOM: ${months}`)
      const tiles = await tileCount(page)
      assert.ok(tiles > 10 && tiles < 150, `tiles in the DOM: ${tiles}`)
      const height = await page.locator('hearth-timeline .canvas').evaluate((el) => el.getBoundingClientRect().height)
      assert.ok(height > 500_000, `the canvas is as tall as the whole library: ${height}`)
      await ui.shot(page, `scale-${engine}-01-top`)
    })

    test('a jump to 2021 shows it, and what is on screen stays put when the month above it loads', async () => {
      // Hold back the month above (January 2022) until December 2021 is on screen and measured.
      let release!: () => void
      const gate = new Promise<void>((r) => { release = r })
      await page.route(/\/api\/timeline\/bucket\?.*timeBucket=2022-01-01/, async (route) => { await gate; await route.continue() })
      await page.locator('hearth-scrubber').getByRole('button', { name: /Jump to a date: December 2021/ }).click()
      const first = page.locator('hearth-timeline section.month[aria-label="December 2021"] .tile').first()
      await first.locator('img').waitFor()
      const id = await first.getAttribute('data-id')
      const y0 = (await first.boundingBox())!.y
      const above = () => page.evaluate(() => {
        const tl = document.querySelector('hearth-app')!.shadowRoot!.querySelector('hearth-photos')!.shadowRoot!.querySelector('hearth-timeline') as unknown as { months: Array<{ bucket: string, state: string, height: number }> }
        const m = tl.months[tl.months.findIndex((x) => x.bucket.startsWith('2021-12')) - 1]
        return { state: m.state, height: m.height, bucket: m.bucket }
      })
      const before = await above()
      assert.match(before.bucket, /^2022-01/)
      assert.notEqual(before.state, 'loaded')
      release()
      await page.waitForFunction(() => {
        const tl = document.querySelector('hearth-app')!.shadowRoot!.querySelector('hearth-photos')!.shadowRoot!.querySelector('hearth-timeline') as unknown as { months: Array<{ bucket: string, state: string }> }
        return tl.months[tl.months.findIndex((x) => x.bucket.startsWith('2021-12')) - 1].state === 'loaded'
      })
      const after = await above()
      // The estimate was off (so without compensation everything below would have moved)...
      assert.ok(Math.abs(after.height - before.height) > 2, `January 2022: estimated ${before.height}, real ${after.height}`)
      await new Promise((r) => setTimeout(r, 200))
      // ...and yet the tile on screen has not moved.
      const y1 = (await page.locator(`hearth-timeline .tile[data-id="${id}"]`).boundingBox())!.y
      assert.ok(Math.abs(y1 - y0) < 2, `the tile stayed where it was: ${y0} → ${y1}`)
      assert.ok(await tileCount(page) < 150)
      await page.unroute(/\/api\/timeline\/bucket/)
      await ui.shot(page, `scale-${engine}-02-2021`)
    })
  })
}
