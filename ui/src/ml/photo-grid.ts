/**
 * A plain grid of photos for the People, Places and Duplicates screens: square thumbnails, each a
 * button that opens the album lightbox (←/→, Esc). With `selectable`, one photo can be chosen
 * (a person's feature face); the choice is announced with a `pick` event.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { media } from '../api.ts'
import { icon } from '../icons.ts'
import { localDateTime } from '../lib/format.ts'
import type { Asset } from '../types.ts'
import '../albums/lightbox.ts'

export class PhotoGrid extends LitElement {
  static override properties = { assets: { attribute: false }, selectable: { type: Boolean }, picked: { state: true }, open: { state: true }, pickLabel: { attribute: false } }
  static override styles = [base, css`
    :host { display: block; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 4px; }
    @media (max-width: 700px) { .grid { grid-template-columns: repeat(3, 1fr); gap: 2px; } }
    .tile { position: relative; aspect-ratio: 1; background: var(--h-placeholder); border-radius: 4px; overflow: hidden; }
    .tile button.open { all: unset; display: block; width: 100%; height: 100%; cursor: pointer; }
    .tile button.open:focus-visible { outline: 2px solid var(--h-focus); outline-offset: -2px; }
    .tile img { width: 100%; height: 100%; object-fit: cover; display: block; }
    .tile .pick { position: absolute; top: 6px; left: 6px; width: 28px; height: 28px; min-height: 28px; padding: 0; border-radius: 50%; background: rgb(0 0 0 / 35%); color: #fff; border: 2px solid #fff; }
    .tile[aria-selected='true'] { outline: 3px solid var(--h-accent); outline-offset: -3px; }
    .tile[aria-selected='true'] .pick { background: var(--h-accent); }
  `]

  assets: Asset[] = []
  selectable = false
  picked = ''
  open = -1
  pickLabel: (a: Asset) => string = (a) => t.albums.selectPhoto(a.originalFileName)

  private pick (id: string): void {
    this.picked = this.picked === id ? '' : id
    this.dispatchEvent(new CustomEvent('pick', { detail: this.picked }))
  }

  override render () {
    return html`<div class="grid" role="list">${this.assets.map((a, i) => html`<div class="tile" role="listitem" aria-selected=${this.picked === a.id ? 'true' : 'false'}>
        <button class="open" @click=${() => { this.open = i }} aria-label=${t.timeline.photo(a.originalFileName, localDateTime(a.localDateTime))}>
          <img src=${media.thumbnail(a.id)} alt=${t.timeline.photo(a.originalFileName, localDateTime(a.localDateTime))} loading="lazy" width="250" height="250"></button>
        ${this.selectable ? html`<button class="pick" aria-pressed=${this.picked === a.id ? 'true' : 'false'} aria-label=${this.pickLabel(a)} title=${this.pickLabel(a)} @click=${() => this.pick(a.id)}>${this.picked === a.id ? icon('check') : nothing}</button>` : nothing}
      </div>`)}</div>
      ${this.open >= 0 ? html`<hearth-album-lightbox .assets=${this.assets} .index=${this.open} allowDownload @close=${() => { this.open = -1 }}></hearth-album-lightbox>` : nothing}`
  }
}
customElements.define('hearth-photo-grid', PhotoGrid)
