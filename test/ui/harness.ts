/**
 * Browser tests of the web UI: a real Hearth node (in this process) serving the built UI, driven
 * by Debian's Chromium through playwright-core. Any console error or uncaught exception in the
 * page fails the test; screenshots go to test-output/ui/ for people to look at.
 *
 * @example
 * const ui = await startUi('pglite')
 * const page = await ui.page()
 * await page.goto(ui.url + '/')
 * await ui.shot(page, 'first-run')
 * await ui.stop()   // throws if the page logged an error
 */
import { execFileSync } from 'node:child_process'
import { mkdir, readdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { staticUi } from '../../appliance/web/static.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Engine } from '../helpers/engines.ts'

const root = resolve(fileURLToPath(new URL('../../', import.meta.url)))
export const shotsDir = join(root, 'test-output', 'ui')
export const CHROMIUM = process.env.HEARTH_CHROMIUM ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']

async function newestMtime (dir: string): Promise<number> {
  let newest = 0
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs)
  }
  return newest
}

/** Builds ui/dist when it is missing or older than a source (`make test` builds it first anyway). */
export async function ensureUiBuilt (): Promise<void> {
  const built = await stat(join(root, 'ui/dist/index.html')).then((s) => s.mtimeMs, () => 0)
  const sources = Math.max(await newestMtime(join(root, 'ui/src')), (await stat(join(root, 'ui/build.ts'))).mtimeMs)
  if (built >= sources) return
  execFileSync(process.execPath, [join(root, 'ui/build.ts'), '--quiet'], { stdio: 'inherit' })
}

export async function launchChromium (): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
}

/**
 * Drops files on the page as a person dragging them from the desktop would: real `DragEvent`s
 * carrying a `DataTransfer` of `File`s. `whileDragging` runs between dragover and drop (for a
 * screenshot of the drop target).
 */
export async function dropFiles (page: Page, files: Array<{ name: string, type: string, data: Buffer }>, whileDragging?: () => Promise<unknown>): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.type, b64: f.data.toString('base64') }))
  await page.evaluate((list) => {
    const dt = new DataTransfer()
    for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }))
    ;(window as unknown as { __drop: DataTransfer }).__drop = dt
    for (const type of ['dragenter', 'dragover']) document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }))
  }, payload)
  await whileDragging?.()
  await page.evaluate(() => {
    const dt = (window as unknown as { __drop: DataTransfer }).__drop
    document.body.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }))
  })
}

export interface UiHarness {
  node: TestNode
  url: string
  browser: Browser
  /** A new page in a fresh context (its own cookies), watched for console errors. */
  page(options?: { viewport?: { width: number, height: number }, colorScheme?: 'light' | 'dark' }): Promise<Page>
  /** Saves a full-window screenshot as test-output/ui/<name>.png. */
  shot(page: Page, name: string): Promise<string>
  /**
   * Lets a test expect Chromium's console line for a refused request (a wrong password's 401) or a
   * failed one (`'net::ERR_INTERNET_DISCONNECTED'` while offline). A path ending in `/*` allows
   * everything under it.
   */
  allowNetworkError(status: number | string, path: string): void
  /** Every console error and page exception seen so far. */
  errors: string[]
  stop(): Promise<void>
}

/** `modules`: more node modules (duplicates, smart search) beside the web UI. */
export async function startUi (engine: Engine, env: Record<string, string> = {}, modules: NonNullable<NonNullable<Parameters<typeof startTestNode>[2]>['modules']> = []): Promise<UiHarness> {
  await ensureUiBuilt()
  await mkdir(shotsDir, { recursive: true })
  // The UI is served as the appliance serves it (appliance/web/static.ts); as module middleware it
  // passes every /api request on to the node.
  const node = await startTestNode(engine, env, { modules: [...modules, () => ({ name: 'web-ui', middleware: staticUi() })] })
  const browser = await launchChromium()
  const contexts: BrowserContext[] = []
  const errors: string[] = []
  const allowed: Array<{ status: number | string, path: string }> = [{ status: 401, path: '/api/users/me' }]
  const pathAllowed = (allow: string, path: string) => allow.endsWith('/*') ? path.startsWith(allow.slice(0, -1)) : path === allow
  return {
    allowNetworkError (status, path) { allowed.push({ status, path }) },
    node,
    url: node.url,
    browser,
    errors,
    async page ({ viewport = { width: 1280, height: 800 }, colorScheme = 'light' } = {}) {
      const context = await browser.newContext({ viewport, colorScheme, acceptDownloads: true })
      contexts.push(context)
      const page = await context.newPage()
      page.on('console', (msg) => {
        if (process.env.HEARTH_UI_DEBUG === '1') console.log(`# [browser ${msg.type()}] ${msg.text()}`)
        if (msg.type() !== 'error') return
        const { url } = msg.location()
        // Chromium logs every 4xx reply (and every request the network failed) as a console error.
        // Those the app expects (asking who is signed in before anyone is, a refused login, an
        // upload cut off on purpose) are allowed by path; any other is a failure.
        const status = /status of (\d{3})/.exec(msg.text())?.[1] ?? /net::ERR_[A-Z_]+/.exec(msg.text())?.[0]
        const path = new URL(url, 'http://x').pathname
        if (status !== undefined && allowed.some((a) => String(a.status) === status && pathAllowed(a.path, path))) return
        errors.push(`console: ${msg.text()} (${url})`)
      })
      page.on('pageerror', (err) => errors.push(`page error: ${err.message}`))
      return page
    },
    async shot (page, name) {
      const file = join(shotsDir, `${name}.png`)
      await page.screenshot({ path: file })
      return file
    },
    async stop () {
      for (const c of contexts) await c.close().catch(() => {})
      await browser.close()
      await node.stop()
      if (errors.length > 0) throw new Error(`the page logged errors:\n${errors.join('\n')}`)
    },
  }
}
