/** One place: the photos taken in a city (`/places/:country/:city`) or a whole country (`/places/:country`), newest first. */
import { LitElement, html, css } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api } from '../api.ts'
import { notifyError } from '../notify.ts'
import type { Asset, SearchResult } from '../types.ts'
import '../ml/photo-grid.ts'

export class PlaceScreen extends LitElement {
  static override properties = { params: { attribute: false }, query: { attribute: false }, assets: { state: true }, total: { state: true }, loading: { state: true } }
  static override styles = [base, css`
    :host { display: block; height: 100%; overflow-y: auto; }
    header { display: grid; gap: 8px; margin-bottom: 16px; }
  `]

  params: Record<string, string> = {}
  query = new URLSearchParams()
  assets: Asset[] = []
  total = 0
  loading = true
  private loaded = ''

  override updated (): void {
    const key = `${this.params.country ?? ''}\0${this.params.city ?? ''}`
    if (this.params.country !== undefined && key !== this.loaded) { this.loaded = key; void this.load() }
  }

  private async load (): Promise<void> {
    this.loading = true
    try {
      const res = await api.post<SearchResult>('/api/search/metadata', {
        country: this.params.country, ...(this.params.city !== undefined && { city: this.params.city }), size: 1000, withExif: false, order: 'desc', withPartners: false,
      })
      this.assets = res.assets.items
      this.total = res.assets.total
    } catch (err) { notifyError(err) } finally { this.loading = false }
  }

  override render () {
    const { country = '', city } = this.params
    return html`<div class="page">
      <header><a href="/places">← ${t.places.back}</a>
        <h1>${city !== undefined ? `${city}, ${country}` : t.places.all(country)}</h1>
        ${this.loading ? '' : html`<span class="muted">${t.places.photos(this.total)}</span>`}</header>
      ${this.loading ? html`<p class="muted">${t.app.loading}</p>`
        : this.assets.length === 0 ? html`<p class="muted">${t.places.noPhotos}</p>`
        : html`<hearth-photo-grid .assets=${this.assets}></hearth-photo-grid>`}
    </div>`
  }
}
customElements.define('hearth-place', PlaceScreen)
