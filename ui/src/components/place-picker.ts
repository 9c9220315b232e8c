/**
 * <hearth-place-picker>: where a photo was taken, found by a town's name (GET /api/search/places,
 * offline) or typed as "latitude, longitude" (what a map app copies). Emits `pick` with
 * `{ latitude, longitude, label }`.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api } from '../api.ts'
import { notifyError } from '../notify.ts'

/** A place found by name (Immich's PlacesResponseDto, with Hearth's country). */
interface NamedPlace { name: string, latitude: number, longitude: number, admin1name: string | null, country: string }

/** "38.7169, -9.1399" (or with a space, or a semicolon) as a position; undefined when it is not one. */
export function parseCoordinates (text: string): { latitude: number, longitude: number } | undefined {
  const m = /^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$/.exec(text)
  if (m === null) return undefined
  const latitude = Number(m[1]); const longitude = Number(m[2])
  return Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 ? { latitude, longitude } : undefined
}

export class PlacePicker extends LitElement {
  static override properties = { results: { state: true }, coordinates: { state: true }, searched: { state: true } }
  static override styles = [base, css`
    :host { display: grid; gap: 6px; }
    input { width: 100%; box-sizing: border-box; }
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 2px; max-height: 40vh; overflow-y: auto; }
    ul button { width: 100%; justify-content: flex-start; text-align: left; border-radius: 8px; display: block; }
    .sub { color: var(--h-text-2); font-size: .85rem; }
  `]

  results: NamedPlace[] = []
  coordinates: { latitude: number, longitude: number } | undefined
  /** The text the results are for ('' before the first search). */
  searched = ''
  private timer: ReturnType<typeof setTimeout> | undefined
  private asked = ''

  override firstUpdated (): void { this.renderRoot.querySelector('input')?.focus() }
  override disconnectedCallback (): void { super.disconnectedCallback(); clearTimeout(this.timer) }

  private onInput (e: Event): void {
    const text = (e.target as HTMLInputElement).value
    clearTimeout(this.timer)
    this.coordinates = parseCoordinates(text)
    if (this.coordinates !== undefined || text.trim() === '') { this.results = []; this.searched = ''; return }
    this.timer = setTimeout(() => { void this.search(text.trim()) }, 200)
  }

  private async search (text: string): Promise<void> {
    this.asked = text
    try {
      const found = await api.get<NamedPlace[]>(`/api/search/places?name=${encodeURIComponent(text)}`)
      if (this.asked !== text) return // a later search is under way
      this.results = found
      this.searched = text
    } catch (err) { notifyError(err) }
  }

  private pick (latitude: number, longitude: number, label: string): void {
    this.dispatchEvent(new CustomEvent('pick', { detail: { latitude, longitude, label } }))
  }

  override render () {
    const c = this.coordinates
    return html`<input type="search" aria-label=${t.place.search} placeholder=${t.place.search} autocomplete="off" @input=${this.onInput}>
      <ul role="list" aria-label=${t.place.results}>
        ${c !== undefined ? html`<li><button type="button" @click=${() => this.pick(c.latitude, c.longitude, `${c.latitude}, ${c.longitude}`)}>${t.place.useCoordinates(c.latitude, c.longitude)}</button></li>` : nothing}
        ${this.results.map((p) => {
          const label = [p.name, p.admin1name, p.country].filter((x) => x !== null && x !== '').join(', ')
          return html`<li><button type="button" @click=${() => this.pick(p.latitude, p.longitude, label)}>${p.name}<div class="sub">${[p.admin1name, p.country].filter((x) => x !== null && x !== '').join(', ')}</div></button></li>`
        })}
      </ul>
      ${this.searched !== '' && this.results.length === 0 ? html`<p class="sub" role="status">${t.place.nothingFound(this.searched)}</p>` : nothing}`
  }
}
customElements.define('hearth-place-picker', PlacePicker)
