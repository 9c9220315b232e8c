/**
 * /photos and /photos/:id (and /favorites, /trash through `GridScreen`): the timeline, with the
 * viewer over it when an asset is open. The viewer's chunk is loaded only when first needed.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { navigate } from '../router.ts'
import type { Timeline } from '../components/timeline.ts'
import '../components/timeline.ts'

export class GridScreen extends LitElement {
  static override properties = { params: { attribute: false }, query: { attribute: false }, viewerReady: { state: true } }
  static override styles = [base, css`:host { display: block; height: 100%; position: relative; } .head { display: flex; gap: 8px; align-items: center; padding: 12px 64px 0 16px; } .head h1 { flex: 1; }`]

  params: Record<string, string> = {}
  query = new URLSearchParams()
  viewerReady = false
  protected mode: 'timeline' | 'favorites' | 'archive' | 'trash' = 'timeline'
  protected basePath = '/photos'
  protected filters: Record<string, string> = { visibility: 'timeline' }

  override willUpdate (): void {
    if (this.params.id !== undefined && !this.viewerReady) void import('../components/viewer.ts').then(() => { this.viewerReady = true })
  }

  protected header (): unknown { return nothing }

  override render () {
    const id = this.params.id
    return html`${this.header()}
      <hearth-timeline .filters=${this.filters} .mode=${this.mode} .basePath=${this.basePath} style=${this.mode === 'timeline' ? '' : 'height:calc(100% - 56px)'}></hearth-timeline>
      ${id !== undefined && this.viewerReady ? html`<hearth-viewer .assetId=${id} @close=${() => navigate(this.basePath)} @asset-moved=${() => void this.renderRoot.querySelector<Timeline>('hearth-timeline')?.reload()} .basePath=${this.basePath}></hearth-viewer>` : nothing}`
  }
}

export class PhotosScreen extends GridScreen {}
customElements.define('hearth-photos', PhotosScreen)

/** Title strings for the other grids. */
export const gridTitles = { favorites: t.nav.favorites, trash: t.nav.trash }
