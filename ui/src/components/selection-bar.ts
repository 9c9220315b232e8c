/**
 * <hearth-selection-bar>: what can be done with the selected assets. Emits `act` with
 * `{ action }` (favourite, download, trash, restore, delete) for the grid to carry out, and `clear`.
 * Adding to an album is done here (a dialog listing albums, or a new one).
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { icon } from '../icons.ts'
import { notify, notifyError } from '../notify.ts'
import type { Album } from '../types.ts'

export class SelectionBar extends LitElement {
  static override properties = { count: { type: Number }, ids: { attribute: false }, mode: { type: String }, allFavourite: { type: Boolean }, albums: { state: true }, busy: { state: true } }
  static override styles = [base, css`
    :host { display: flex; align-items: center; gap: 4px; padding: 6px 12px; background: var(--h-accent-soft); border-bottom: 1px solid var(--h-border); flex-wrap: wrap; z-index: 4; }
    .count { font-weight: 600; margin-right: auto; padding-left: 4px; }
    dialog { border: none; border-radius: 14px; padding: 0; width: min(420px, calc(100vw - 24px)); background: var(--h-surface); color: var(--h-text); box-shadow: var(--h-shadow); }
    dialog::backdrop { background: var(--h-scrim); }
    .dlg { padding: 18px; display: grid; gap: 12px; }
    ul { list-style: none; margin: 0; padding: 0; max-height: 40vh; overflow-y: auto; display: grid; gap: 4px; }
    ul button { width: 100%; justify-content: space-between; border-radius: 8px; }
    form { display: flex; gap: 8px; } form input { flex: 1; }
    .row { display: flex; justify-content: flex-end; }
  `]

  count = 0
  ids: string[] = []
  mode = 'timeline'
  allFavourite = false
  albums: Album[] | undefined
  busy = false

  private act (action: string): void { this.dispatchEvent(new CustomEvent('act', { detail: { action } })) }

  private async openAlbums (): Promise<void> {
    this.renderRoot.querySelector('dialog')!.showModal()
    try {
      const { actions } = await import('../lib/actions.ts')
      this.albums = await actions.albums()
    } catch (err) { notifyError(err) }
  }

  private async addTo (album: Album | string): Promise<void> {
    this.busy = true
    try {
      const { actions } = await import('../lib/actions.ts')
      let name: string
      if (typeof album === 'string') { name = (await actions.createAlbum(album, this.ids)).albumName } else { await actions.addToAlbum(album.id, this.ids); name = album.albumName }
      notify(t.selection.addedToAlbum(this.ids.length, name))
      this.renderRoot.querySelector('dialog')!.close()
      this.act('added')
    } catch (err) { notifyError(err) } finally { this.busy = false }
  }

  override render () {
    const trash = this.mode === 'trash'
    return html`
      <button class="icon" aria-label=${t.selection.clear} title=${t.selection.clear} @click=${() => this.dispatchEvent(new CustomEvent('clear'))}>${icon('close')}</button>
      <span class="count" role="status">${t.selection.count(this.count)}</span>
      ${trash
        ? html`<button @click=${() => this.act('restore')}>${icon('restore')} ${t.viewer.restore}</button>`
        : html`
          <button class="icon" aria-label=${t.selection.addToAlbum} title=${t.selection.addToAlbum} @click=${this.openAlbums}>${icon('plus')}</button>
          <button class="icon" aria-label=${this.allFavourite ? t.selection.unfavourite : t.selection.favourite} title=${this.allFavourite ? t.selection.unfavourite : t.selection.favourite} @click=${() => this.act('favourite')}>${icon(this.allFavourite ? 'heart' : 'heartOutline')}</button>
          <button class="icon" aria-label=${t.selection.download} title=${t.selection.download} @click=${() => this.act('download')}>${icon('download')}</button>
          <button class="icon" aria-label=${t.selection.trash} title=${t.selection.trash} @click=${() => this.act('trash')}>${icon('trash')}</button>`}
      <dialog aria-label=${t.selection.chooseAlbum} @close=${() => { this.albums = undefined }}>
        <div class="dlg">
          <h2>${t.selection.chooseAlbum}</h2>
          ${this.albums === undefined ? html`<p class="muted">${t.app.loading}</p>` : this.albums.length === 0 ? html`<p class="muted">${t.selection.noAlbums}</p>` : html`
            <ul>${this.albums.map((a) => html`<li><button ?disabled=${this.busy} @click=${() => this.addTo(a)}><span>${a.albumName}</span><span class="muted">${a.assetCount}</span></button></li>`)}</ul>`}
          <form @submit=${(e: SubmitEvent) => { e.preventDefault(); const v = String(new FormData(e.target as HTMLFormElement).get('name') ?? '').trim(); if (v !== '') void this.addTo(v) }}>
            <input name="name" aria-label=${t.selection.newAlbumName} placeholder=${t.selection.newAlbumName} required>
            <button class="primary" type="submit" ?disabled=${this.busy}>${t.selection.create}</button>
          </form>
          <div class="row"><button @click=${() => this.renderRoot.querySelector('dialog')!.close()}>${t.selection.cancel}</button></div>
        </div>
      </dialog>
      ${nothing}`
  }
}
customElements.define('hearth-selection-bar', SelectionBar)
