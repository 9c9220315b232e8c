/**
 * A simple full-screen viewer for an album's photos (the album page and public links): preview
 * image or video, ←/→ to step, Esc to close, download when allowed. `key` adds a public link's key
 * to every media address. Given the (shared) `album`, a Comments button opens the photo's likes and
 * comments beside it (<hearth-album-activity> with the photo's id).
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { withKey } from '../api.ts'
import { icon } from '../icons.ts'
import './activity.ts'
import type { Asset } from '../types.ts'
import type { AlbumFull } from './types.ts'

export class AlbumLightbox extends LitElement {
  static override properties = { assets: { attribute: false }, index: { type: Number }, key: { type: String }, allowDownload: { type: Boolean }, album: { attribute: false }, talking: { state: true } }
  static override styles = [base, css`
    :host { position: fixed; inset: 0; z-index: 50; background: var(--h-viewer-bg); color: #fff; display: grid; grid-template-rows: auto 1fr; }
    .bar { display: flex; align-items: center; gap: 6px; padding: 8px; }
    .bar .grow { flex: 1; font-size: .9rem; opacity: .85; padding-left: 8px; }
    button.icon, a.icon { color: #fff; }
    button.icon:hover, a.icon:hover { background: rgb(255 255 255 / 14%); }
    .stage { position: relative; display: grid; place-items: center; min-height: 0; }
    img, video { max-width: 100%; max-height: calc(100dvh - 60px); object-fit: contain; }
    .nav { position: absolute; top: 50%; transform: translateY(-50%); background: rgb(0 0 0 / 35%); }
    .prev { left: 8px; } .next { right: 8px; }
    hearth-album-activity { position: absolute; right: 0; top: 52px; bottom: 0; width: min(380px, 100vw); overflow-y: auto; background: var(--h-surface); color: var(--h-text); z-index: 2; align-content: start; }
  `]

  assets: Asset[] = []
  index = 0
  key: string | undefined
  allowDownload = true
  /** The album, when its people may like and comment on its photos here. */
  album: AlbumFull | undefined
  talking = false
  private readonly onKey = (e: KeyboardEvent) => {
    // Keys typed into the comment box are the box's.
    const target = e.composedPath()[0] as HTMLElement
    if (target.tagName === 'TEXTAREA' || target.tagName === 'INPUT') return
    if (e.key === 'Escape') { if (this.talking) this.talking = false; else this.close() }
    else if (e.key === 'ArrowLeft') this.step(-1)
    else if (e.key === 'ArrowRight') this.step(1)
  }

  override connectedCallback (): void { super.connectedCallback(); window.addEventListener('keydown', this.onKey) }
  override disconnectedCallback (): void { window.removeEventListener('keydown', this.onKey); super.disconnectedCallback() }
  override firstUpdated (): void { this.renderRoot.querySelector<HTMLElement>('button.close')?.focus() }

  private step (d: number): void {
    const next = this.index + d
    if (next >= 0 && next < this.assets.length) this.index = next
  }
  private close (): void { this.dispatchEvent(new CustomEvent('close')) }

  override render () {
    const a = this.assets[this.index]
    if (a === undefined) return nothing
    const preview = withKey(`/api/assets/${a.id}/thumbnail?size=preview`, this.key)
    return html`<div class="bar" role="toolbar">
        <button class="icon close" aria-label=${t.viewer.close} title=${t.viewer.close} @click=${this.close}>${icon('close')}</button>
        <span class="grow" aria-live="polite">${t.share.photo(this.index + 1, this.assets.length)}</span>
        ${this.album !== undefined ? html`<button class="icon" aria-pressed=${this.talking ? 'true' : 'false'} aria-label=${t.activity.title} title=${t.activity.title} @click=${() => { this.talking = !this.talking }}>${icon('comment')}</button>` : nothing}
        ${this.allowDownload ? html`<a class="button icon" href=${withKey(`/api/assets/${a.id}/original`, this.key)} download aria-label=${t.viewer.download} title=${t.viewer.download}>${icon('download')}</a>` : nothing}
      </div>
      <div class="stage" role="dialog" aria-modal="true" aria-label=${t.share.photo(this.index + 1, this.assets.length)}>
        ${a.type === 'VIDEO'
          ? html`<video src=${withKey(`/api/assets/${a.id}/video/playback`, this.key)} poster=${preview} controls autoplay playsinline></video>`
          : html`<img src=${preview} alt=${a.originalFileName ?? t.share.photo(this.index + 1, this.assets.length)}>`}
        ${this.index > 0 ? html`<button class="icon nav prev" aria-label=${t.viewer.previous} title=${t.viewer.previous} @click=${() => this.step(-1)}>${icon('left')}</button>` : nothing}
        ${this.index < this.assets.length - 1 ? html`<button class="icon nav next" aria-label=${t.viewer.next} title=${t.viewer.next} @click=${() => this.step(1)}>${icon('right')}</button>` : nothing}
      </div>
      ${this.talking && this.album !== undefined ? html`<hearth-album-activity .album=${this.album} .assetId=${a.id}></hearth-album-activity>` : nothing}`
  }
}
customElements.define('hearth-album-lightbox', AlbumLightbox)
