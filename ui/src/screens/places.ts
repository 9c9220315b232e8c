/**
 * Places: the countries and cities the photos were taken in (from their GPS positions, named on
 * this server without going online), each with a cover photo and a count. The same photos on a
 * map are at /map (drawn here too: no map tiles, which would need internet and tell a map service
 * where the family has been).
 */
import { LitElement, html, css } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api, media } from '../api.ts'
import { notifyError } from '../notify.ts'
import type { PlaceCountry } from '../ml/types.ts'

export const placeHref = (country: string, city?: string | null) =>
  `/places/${encodeURIComponent(country)}${city !== undefined && city !== null ? `/${encodeURIComponent(city)}` : ''}`

export class PlacesScreen extends LitElement {
  static override properties = { params: { attribute: false }, query: { attribute: false }, countries: { state: true }, loading: { state: true } }
  static override styles = [base, css`
    :host { display: block; height: 100%; overflow-y: auto; }
    header { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; margin-bottom: 6px; }
    header h1 { flex: 1; }
    .note { margin: 0 0 18px; font-size: .9rem; }
    section { margin-bottom: 26px; }
    h2 { display: flex; align-items: baseline; gap: 10px; margin-bottom: 10px; }
    h2 a { color: var(--h-text); text-decoration: none; }
    h2 a:hover { text-decoration: underline; }
    h2 .muted { font-size: .9rem; font-weight: 400; }
    ul { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 14px; list-style: none; margin: 0; padding: 0; }
    @media (max-width: 700px) { ul { grid-template-columns: repeat(2, 1fr); gap: 10px; } }
    a.city { display: grid; gap: 4px; color: var(--h-text); text-decoration: none; }
    .cover { aspect-ratio: 1; border-radius: var(--h-radius); overflow: hidden; background: var(--h-placeholder); }
    .cover img { width: 100%; height: 100%; object-fit: cover; display: block; }
    a.city:hover img { filter: brightness(.94); }
    .name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .meta { font-size: .85rem; }
  `]

  params: Record<string, string> = {}
  query = new URLSearchParams()
  countries: PlaceCountry[] = []
  loading = true

  override connectedCallback (): void { super.connectedCallback(); void this.load() }

  private async load (): Promise<void> {
    try { this.countries = await api.get<PlaceCountry[]>('/api/places') } catch (err) { notifyError(err) } finally { this.loading = false }
  }

  override render () {
    return html`<div class="page">
      <header><h1>${t.places.title}</h1>${this.countries.length > 0 ? html`<span class="muted">${t.places.countries(this.countries.length)}</span>` : ''}<a href="/map">${t.map.showOnMap}</a></header>
      <p class="note muted">${t.places.offline}</p>
      ${this.loading ? html`<p class="muted">${t.app.loading}</p>`
        : this.countries.length === 0 ? html`<p class="muted">${t.places.empty}</p>`
        : this.countries.map((c, i) => html`<section aria-labelledby="country-${i}">
          <h2 id="country-${i}"><a href=${placeHref(c.country)}>${c.country}</a><span class="muted">${t.places.photos(c.count)}</span></h2>
          <ul>${c.cities.map((city) => {
            const name = city.city ?? t.places.unknownCity
            const where = city.city !== null ? `${city.city}, ${c.country}` : c.country
            return html`<li><a class="city" href=${city.city !== null ? placeHref(c.country, city.city) : placeHref(c.country)}>
              <div class="cover"><img src=${media.thumbnail(city.coverAssetId)} alt=${t.places.cover(where)} loading="lazy" width="250" height="250"></div>
              <span class="name">${name}</span>
              <span class="meta muted">${city.state !== null && city.state !== city.city ? `${city.state} · ` : ''}${t.places.photos(city.count)}</span></a></li>`
          })}</ul></section>`)}
    </div>`
  }
}
customElements.define('hearth-places', PlacesScreen)
