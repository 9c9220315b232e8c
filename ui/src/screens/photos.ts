/**
 * /photos and /photos/:id (and /favorites, /trash through `GridScreen`): the timeline, with the
 * viewer over it when an asset is open. The viewer's chunk is loaded only when first needed.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { navigate } from '../router.ts'
import { api, media } from '../api.ts'
import type { Asset } from '../types.ts'
import type { Timeline } from '../components/timeline.ts'
import { memoryLanePath, takePrefetchedMemories } from '../lib/prefetch.ts'
import '../components/timeline.ts'

export class GridScreen extends LitElement {
  static override properties = { params: { attribute: false }, query: { attribute: false }, viewerReady: { state: true } }
  static override styles = [base, css`
    :host { display: flex; flex-direction: column; height: 100%; position: relative; }
    hearth-timeline { flex: 1; min-height: 0; }
    .head { display: flex; gap: 8px; align-items: center; padding: 12px 64px 0 16px; } .head h1 { flex: 1; }`]

  params: Record<string, string> = {}
  query = new URLSearchParams()
  viewerReady = false
  protected mode: 'timeline' | 'favorites' | 'archive' | 'trash' | 'locked' = 'timeline'
  protected basePath = '/photos'
  protected filters: Record<string, string> = { visibility: 'timeline' }
  /** Set while one photo is being picked (the timeline's `pickLabel`); `picked` is told which. */
  protected pickLabel: ((alt: string) => string) | undefined
  /** What an empty grid says instead of the timeline's own invitation. */
  protected emptyText: string | undefined

  override willUpdate (): void {
    if (this.params.id !== undefined && !this.viewerReady) void import('../components/viewer.ts').then(() => { this.viewerReady = true })
  }

  protected header (): unknown { return nothing }

  protected picked (_id: string): void | Promise<void> {}

  override render () {
    const id = this.params.id
    return html`${this.header()}
      <hearth-timeline .filters=${this.filters} .mode=${this.mode} .basePath=${this.basePath} .pickLabel=${this.pickLabel} .emptyText=${this.emptyText}
        @pick=${(e: CustomEvent<string>) => void this.picked(e.detail)}></hearth-timeline>
      ${id !== undefined && this.viewerReady ? html`<hearth-viewer .assetId=${id} @close=${() => navigate(this.basePath)} @asset-moved=${() => void this.renderRoot.querySelector<Timeline>('hearth-timeline')?.reload()} .basePath=${this.basePath}></hearth-viewer>` : nothing}`
  }
}

/** How long the timeline waits for "On this day" before it is drawn without it. */
const MEMORIES_WAIT_MS = 600

/** A year of "On this day" (GET /api/assets/memory-lane). */
interface Memory { yearsAgo: number, assets: Asset[] }

/**
 * The timeline, with "On this day" above it when earlier years hold photos of today's date (the
 * browser's calendar): a card per year, opening its photos full screen.
 */
export class PhotosScreen extends GridScreen {
  static override properties = { ...GridScreen.properties, memories: { state: true }, memory: { state: true }, memoriesSettled: { state: true } }
  static override styles = [...GridScreen.styles, css`
    .memories { padding: 10px 16px 4px; }
    .memories h2 { font-size: 1rem; margin: 0 0 8px; }
    .memories ul { list-style: none; margin: 0; padding: 0; display: flex; gap: 10px; overflow-x: auto; }
    .memories button { position: relative; padding: 0; width: 132px; height: 92px; border-radius: 12px; overflow: hidden; flex: none; background: var(--h-placeholder); }
    .memories img { width: 100%; height: 100%; object-fit: cover; display: block; }
    .memories span { position: absolute; left: 0; right: 0; bottom: 0; padding: 14px 8px 6px; color: #fff; font-weight: 600; font-size: .85rem; text-align: left; background: linear-gradient(transparent, rgb(0 0 0 / 65%)); }
  `]

  /** Partners' photos join the timeline when the user shows them (Account › Partner sharing). */
  protected override filters = { visibility: 'timeline', withPartners: 'true', withStacked: 'true' }
  memories: Memory[] = []
  /** The year open full screen. */
  memory: Memory | undefined

  /**
   * The timeline waits for "On this day" (at most MEMORIES_WAIT_MS), so that the cards do not push
   * the first photos down once they are drawn (a layout shift, measured in bench/ui).
   */
  memoriesSettled = false

  override connectedCallback (): void {
    super.connectedCallback()
    const answer = ((takePrefetchedMemories() as Promise<Memory[] | undefined> | undefined)?.then((m) => m ?? api.get<Memory[]>(memoryLanePath())) ?? api.get<Memory[]>(memoryLanePath()))
      .then((m) => { this.memories = m.filter((x) => x.assets.length > 0) }, () => { this.memories = [] })
    void Promise.race([answer, new Promise((resolve) => setTimeout(resolve, MEMORIES_WAIT_MS))]).then(() => { this.memoriesSettled = true })
  }

  private async openMemory (m: Memory): Promise<void> {
    await import('../albums/lightbox.ts')
    this.memory = m
  }

  protected override header () {
    if (this.memories.length === 0) return nothing
    return html`<section class="memories" aria-labelledby="memories-h"><h2 id="memories-h">${t.memories.title}</h2>
      <ul>${this.memories.map((m) => html`<li><button aria-label=${t.memories.open(m.yearsAgo, m.assets.length)} @click=${() => this.openMemory(m)}>
        <img src=${media.thumbnail(m.assets[0]!.id)} alt="" loading="lazy"><span>${t.memories.yearsAgo(m.yearsAgo)}</span></button></li>`)}</ul></section>`
  }

  override render () {
    if (!this.memoriesSettled) return html``
    return html`${super.render()}${this.memory === undefined ? nothing : html`<hearth-album-lightbox .assets=${this.memory.assets} .index=${0} allowDownload @close=${() => { this.memory = undefined }}></hearth-album-lightbox>`}`
  }
}
customElements.define('hearth-photos', PhotosScreen)

/** Title strings for the other grids. */
export const gridTitles = { favorites: t.nav.favorites, trash: t.nav.trash }
