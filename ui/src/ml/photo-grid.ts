/**
 * A plain grid of photos for the Places and Map screens: square thumbnails, each a button that
 * opens the album lightbox (←/→, Esc).
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { media } from '../api.ts'
import { localDateTime } from '../lib/format.ts'
import type { Asset } from '../types.ts'
import '../albums/lightbox.ts'

export class PhotoGrid extends LitElement {
  static override properties = { assets: { attribute: false }, open: { state: true } }
  static override styles = [base, css`
    :host { display: block; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 4px; }
    @media (max-width: 700px) { .grid { grid-template-columns: repeat(3, 1fr); gap: 2px; } }
    .tile { position: relative; aspect-ratio: 1; background: var(--h-placeholder); border-radius: 4px; overflow: hidden; }
    .tile button.open { all: unset; display: block; width: 100%; height: 100%; cursor: pointer; }
    .tile button.open:focus-visible { outline: 2px solid var(--h-focus); outline-offset: -2px; }
    .tile img { width: 100%; height: 100%; object-fit: cover; display: block; }
  `]

  assets: Asset[] = []
  open = -1

  override render () {
    return html`<div class="grid" role="list">${this.assets.map((a, i) => html`<div class="tile" role="listitem">
        <button class="open" @click=${() => { this.open = i }} aria-label=${t.timeline.photo(a.originalFileName, localDateTime(a.localDateTime))}>
          <img src=${media.thumbnail(a.id)} alt=${t.timeline.photo(a.originalFileName, localDateTime(a.localDateTime))} loading="lazy" width="250" height="250"></button>
      </div>`)}</div>
      ${this.open >= 0 ? html`<hearth-album-lightbox .assets=${this.assets} .index=${this.open} allowDownload @close=${() => { this.open = -1 }}></hearth-album-lightbox>` : nothing}`
  }
}
customElements.define('hearth-photo-grid', PhotoGrid)
