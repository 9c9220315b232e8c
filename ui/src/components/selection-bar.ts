/**
 * <hearth-selection-bar>: what can be done with the selected assets. Emits `act` with
 * `{ action }` (favourite, archive, unarchive, download, trash, restore, delete, stack, unstack) for
 * the grid to carry out, and `clear`.
 * "Move to locked folder" asks for the PIN here first when this session has the folder closed
 * (<hearth-pin-form>), then emits `lock`; in the locked folder, `unlock` moves photos back out.
 * Adding to an album is done here (a dialog listing albums, or a new one), and so is a new date or
 * place for all of them (PUT /api/assets; then `act` with `edited`, for the grid to reload).
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { icon } from '../icons.ts'
import { notify, notifyError } from '../notify.ts'
import { api } from '../api.ts'
import type { Album, Tag } from '../types.ts'
import './place-picker.ts'
import './pin-form.ts'
import '../albums/links.ts'
import type { SharedLink } from '../albums/types.ts'

export class SelectionBar extends LitElement {
  static override properties = { count: { type: Number }, ids: { attribute: false }, mode: { type: String }, allFavourite: { type: Boolean }, stackable: { type: Boolean }, stacks: { type: Number }, albums: { state: true }, busy: { state: true }, tags: { state: true }, pinMode: { state: true }, link: { state: true }, ownLinks: { state: true } }
  static override styles = [base, css`
    :host { display: flex; align-items: center; gap: 4px; padding: 6px 12px; background: var(--h-accent-soft); border-bottom: 1px solid var(--h-border); flex-wrap: wrap; z-index: 4; }
    .count { font-weight: 600; margin-right: auto; padding-left: 4px; }
    dialog { border: none; border-radius: 14px; padding: 0; width: min(420px, calc(100vw - 24px)); background: var(--h-surface); color: var(--h-text); box-shadow: var(--h-shadow); }
    dialog::backdrop { background: var(--h-scrim); }
    .dlg { padding: 18px; display: grid; gap: 12px; }
    ul { list-style: none; margin: 0; padding: 0; max-height: 40vh; overflow-y: auto; display: grid; gap: 4px; }
    ul button { width: 100%; justify-content: space-between; border-radius: 8px; }
    form { display: flex; gap: 8px; } form input { flex: 1; }
    .row { display: flex; justify-content: flex-end; gap: 8px; }
    form.dlg { display: grid; }
    fieldset { border: 1px solid var(--h-border); border-radius: 10px; display: grid; gap: 8px; padding: 10px 12px; margin: 0; }
    legend { font-weight: 600; padding: 0 4px; }
    fieldset form { align-items: end; flex-wrap: wrap; }
    fieldset label { display: grid; gap: 2px; font-size: .85rem; color: var(--h-text-2); }
    input[type=number] { width: 5.5em; }
    fieldset p { margin: 0; font-size: .85rem; }
  `]

  count = 0
  ids: string[] = []
  mode = 'timeline'
  allFavourite = false
  /** The grid shows stacks as one photo (the timeline, the archive): photos can be stacked there. */
  stackable = false
  /** How many of the selected photos are stacks' covers (for Unstack). */
  stacks = 0
  albums: Album[] | undefined
  /** The owner's tags, suggested in the tag dialog. */
  tags: Tag[] | undefined
  busy = false

  private act (action: string): void { this.dispatchEvent(new CustomEvent('act', { detail: { action } })) }

  /** The PIN form's mode while the locked folder is being opened for a move into it. */
  pinMode: 'setup' | 'unlock' | undefined

  /** Moves the selection into the locked folder, opening the folder with the PIN first if needed. */
  private async moveToLocked (): Promise<void> {
    try {
      const { actions } = await import('../lib/actions.ts')
      const state = await actions.lockedFolder()
      if (state === 'open') this.act('lock')
      if (state !== 'closed') return
      this.pinMode = 'unlock'
      await this.updateComplete
      this.dialog('pin').showModal()
    } catch (err) { notifyError(err) }
  }

  /** The link made from the selection in the Share link dialog, once made. */
  link: SharedLink | undefined
  /** The user's links to chosen photos, offered in the Share link dialog to add the selection to. */
  ownLinks: SharedLink[] | undefined

  private async openLink (): Promise<void> {
    this.link = undefined
    this.ownLinks = undefined
    this.dialog('link').showModal()
    try {
      const all = await api.get<SharedLink[]>('/api/shared-links')
      this.ownLinks = all.filter((l) => l.type === 'INDIVIDUAL')
    } catch (err) { notifyError(err) }
  }

  /** Adds the selection to one of the user's links (photos already in it are left as they are). */
  private async addToLink (l: SharedLink): Promise<void> {
    this.busy = true
    try {
      const results = await api.put<Array<{ assetId: string, success: boolean }>>(`/api/shared-links/${l.id}/assets`, { assetIds: this.ids })
      notify(t.sharing.addedToLink(results.filter((r) => r.success).length))
      this.dialog('link').close()
      this.act('shared')
    } catch (err) { notifyError(err) } finally { this.busy = false }
  }

  private dialog (id: 'albums' | 'tag' | 'edit' | 'pin' | 'link'): HTMLDialogElement { return this.renderRoot.querySelector<HTMLDialogElement>(`#${id}`)! }

  /**
   * A dialog's change to the selection: `work` runs with the bar busy and returns what to say; then
   * the dialog closes and the grid is told (`act` with `action`). A failure is said and keeps it open.
   */
  private async finish (id: 'albums' | 'tag' | 'edit', action: string, work: () => Promise<string>): Promise<void> {
    this.busy = true
    try {
      notify(await work())
      this.dialog(id).close()
      this.act(action)
    } catch (err) { notifyError(err) } finally { this.busy = false }
  }

  private async openAlbums (): Promise<void> {
    this.dialog('albums').showModal()
    try {
      const { actions } = await import('../lib/actions.ts')
      this.albums = await actions.albums()
    } catch (err) { notifyError(err) }
  }

  private addTo (album: Album | string): Promise<void> {
    return this.finish('albums', 'added', async () => {
      const { actions } = await import('../lib/actions.ts')
      let name: string
      if (typeof album === 'string') { name = (await actions.createAlbum(album, this.ids)).albumName } else { await actions.addToAlbum(album.id, this.ids); name = album.albumName }
      return t.selection.addedToAlbum(this.ids.length, name)
    })
  }

  private async openTag (): Promise<void> {
    this.dialog('tag').showModal()
    try {
      const { actions } = await import('../lib/actions.ts')
      this.tags = await actions.tags()
    } catch (err) { notifyError(err) }
  }

  /** The tag typed (made when new) given to every selected asset. */
  private async tagAll (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const value = String(new FormData(e.target as HTMLFormElement).get('tag') ?? '').trim()
    if (value === '') return
    return this.finish('tag', 'tagged', async () => {
      const { actions } = await import('../lib/actions.ts')
      return t.selection.tagged(this.ids.length, (await actions.tag(value, this.ids)).value)
    })
  }

  private renderTag () {
    return html`<dialog id="tag" aria-labelledby="tag-h">
      <form class="dlg" @submit=${this.tagAll}>
        <h2 id="tag-h">${t.selection.tagTitle(this.count)}</h2>
        <input name="tag" list="tag-choices" autocomplete="off" required maxlength="1000" aria-label=${t.viewer.addTag} placeholder=${t.viewer.addTag} title=${t.viewer.tagHint}>
        <datalist id="tag-choices">${(this.tags ?? []).map((x) => html`<option value=${x.value}></option>`)}</datalist>
        <p class="muted">${t.viewer.tagHint}</p>
        <div class="row"><button type="button" @click=${() => this.dialog('tag').close()}>${t.selection.cancel}</button>
          <button class="primary" type="submit" ?disabled=${this.busy}>${t.selection.tag}</button></div>
      </form>
    </dialog>`
  }

  /** One change to every selected asset (all of them or none, server-side). */
  private edit (patch: Record<string, unknown>, done: string): Promise<void> {
    return this.finish('edit', 'edited', async () => {
      await api.put('/api/assets', { ids: this.ids, ...patch })
      return done
    })
  }

  private setDate (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const when = String(new FormData(e.target as HTMLFormElement).get('when') ?? '')
    return this.edit({ dateTimeOriginal: when.length === 16 ? `${when}:00` : when }, t.selection.dated(this.ids.length))
  }

  private shift (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const form = new FormData(e.target as HTMLFormElement)
    const minutes = Math.round(Number(form.get('hours') ?? 0) * 60 + Number(form.get('minutes') ?? 0))
    if (!Number.isFinite(minutes) || minutes === 0) return Promise.resolve()
    return this.edit({ dateTimeRelative: minutes }, t.selection.shifted(this.ids.length, minutes))
  }

  private renderEdit () {
    return html`<dialog id="edit" aria-labelledby="edit-h">
      <div class="dlg">
        <h2 id="edit-h">${t.selection.editTitle(this.count)}</h2>
        <p class="muted">${t.viewer.editHint}</p>
        <fieldset><legend>${t.selection.setDate}</legend>
          <form @submit=${this.setDate}><label>${t.viewer.dateTime}<input type="datetime-local" name="when" step="1" required></label>
            <button class="primary" type="submit" ?disabled=${this.busy}>${t.viewer.save}</button></form>
          <p class="muted">${t.selection.setDateHint}</p></fieldset>
        <fieldset><legend>${t.selection.shiftDate}</legend>
          <form @submit=${this.shift}><label>${t.selection.hours}<input type="number" name="hours" step="1" value="0"></label>
            <label>${t.selection.minutes}<input type="number" name="minutes" step="1" value="0"></label>
            <button class="primary" type="submit" ?disabled=${this.busy}>${t.selection.shift}</button></form>
          <p class="muted">${t.selection.shiftHint}</p></fieldset>
        <fieldset><legend>${t.selection.setPlace}</legend>
          <hearth-place-picker @pick=${(e: CustomEvent<{ latitude: number, longitude: number, label: string }>) => this.edit({ latitude: e.detail.latitude, longitude: e.detail.longitude }, t.selection.placed(this.ids.length, e.detail.label))}></hearth-place-picker></fieldset>
        <div class="row"><button @click=${() => this.dialog('edit').close()}>${t.selection.cancel}</button></div>
      </div>
    </dialog>`
  }

  override render () {
    const trash = this.mode === 'trash'
    return html`
      <button class="icon" aria-label=${t.selection.clear} title=${t.selection.clear} @click=${() => this.dispatchEvent(new CustomEvent('clear'))}>${icon('close')}</button>
      <span class="count" role="status">${t.selection.count(this.count)}</span>
      ${trash
        ? html`<button @click=${() => this.act('restore')}>${icon('restore')} ${t.viewer.restore}</button>`
        : html`
          ${this.mode === 'locked' ? nothing : html`<button class="icon" aria-label=${t.selection.addToAlbum} title=${t.selection.addToAlbum} @click=${this.openAlbums}>${icon('plus')}</button>`}
          <button class="icon" aria-label=${this.allFavourite ? t.selection.unfavourite : t.selection.favourite} title=${this.allFavourite ? t.selection.unfavourite : t.selection.favourite} @click=${() => this.act('favourite')}>${icon(this.allFavourite ? 'heart' : 'heartOutline')}</button>
          ${this.mode === 'locked'
            ? html`<button class="icon" aria-label=${t.locked.moveOut} title=${t.locked.moveOut} @click=${() => this.act('unlock')}>${icon('photos')}</button>`
            : html`<button class="icon" aria-label=${this.mode === 'archive' ? t.selection.unarchive : t.selection.archive} title=${this.mode === 'archive' ? t.selection.unarchive : t.selection.archive} @click=${() => this.act(this.mode === 'archive' ? 'unarchive' : 'archive')}>${icon('archive')}</button>
              <button class="icon" aria-label=${t.locked.moveIn} title=${t.locked.moveIn} @click=${() => void this.moveToLocked()}>${icon('lock')}</button>`}
          ${this.stackable && this.count > 1 ? html`<button class="icon" aria-label=${t.stacks.stack} title=${t.stacks.stack} @click=${() => this.act('stack')}>${icon('stack')}</button>` : nothing}
          ${this.stackable && this.stacks > 0 ? html`<button aria-label=${t.stacks.unstack} title=${t.stacks.unstack} @click=${() => this.act('unstack')}>${t.stacks.unstack}</button>` : nothing}
          <button class="icon" aria-label=${t.selection.tag} title=${t.selection.tag} @click=${this.openTag}>${icon('tag')}</button>
          <button class="icon" aria-label=${t.selection.editDatePlace} title=${t.selection.editDatePlace} @click=${() => this.dialog('edit').showModal()}>${icon('calendar')}</button>
          ${this.mode === 'locked' ? nothing : html`<button class="icon" aria-label=${t.sharing.shareLink} title=${t.sharing.shareLink} @click=${() => this.openLink()}>${icon('share')}</button>`}
          <button class="icon" aria-label=${t.selection.download} title=${t.selection.download} @click=${() => this.act('download')}>${icon('download')}</button>
          <button class="icon" aria-label=${t.selection.trash} title=${t.selection.trash} @click=${() => this.act('trash')}>${icon('trash')}</button>`}
      <dialog id="albums" aria-label=${t.selection.chooseAlbum} @close=${() => { this.albums = undefined }}>
        <div class="dlg">
          <h2>${t.selection.chooseAlbum}</h2>
          ${this.albums === undefined ? html`<p class="muted">${t.app.loading}</p>` : this.albums.length === 0 ? html`<p class="muted">${t.selection.noAlbums}</p>` : html`
            <ul>${this.albums.map((a) => html`<li><button ?disabled=${this.busy} @click=${() => this.addTo(a)}><span>${a.albumName}</span><span class="muted">${a.assetCount}</span></button></li>`)}</ul>`}
          <form @submit=${(e: SubmitEvent) => { e.preventDefault(); const v = String(new FormData(e.target as HTMLFormElement).get('name') ?? '').trim(); if (v !== '') void this.addTo(v) }}>
            <input name="name" aria-label=${t.selection.newAlbumName} placeholder=${t.selection.newAlbumName} required>
            <button class="primary" type="submit" ?disabled=${this.busy}>${t.selection.create}</button>
          </form>
          <div class="row"><button @click=${() => this.dialog('albums').close()}>${t.selection.cancel}</button></div>
        </div>
      </dialog>
      ${trash ? nothing : html`${this.renderEdit()}${this.renderTag()}`}
      <dialog id="link" aria-label=${t.sharing.shareLink}>
        <div class="dlg"><h2>${t.sharing.shareLink}</h2>
          <p class="muted">${t.sharing.shareLinkIntro(this.ids.length)}</p>
          <hearth-links .links=${this.link === undefined ? [] : [this.link]} .target=${this.link === undefined ? { type: 'INDIVIDUAL', assetIds: this.ids } : undefined}
            @changed=${(e: CustomEvent<SharedLink | undefined>) => { this.link = e.detail; if (e.detail === undefined) this.dialog('link').close() }}></hearth-links>
          ${this.link === undefined && (this.ownLinks?.length ?? 0) > 0 ? html`<h3>${t.sharing.addToLinkTitle}</h3>
            <ul>${this.ownLinks!.map((l) => html`<li><button ?disabled=${this.busy} aria-label=${`${t.sharing.addToLink}: ${t.sharing.linkLabel(l)}`} @click=${() => this.addToLink(l)}><span>${t.sharing.linkLabel(l)}</span><span class="muted">${t.sharing.addToLink}</span></button></li>`)}</ul>` : nothing}
          <div class="row"><button @click=${() => this.dialog('link').close()}>${t.sharing.close}</button></div>
        </div>
      </dialog>
      <dialog id="pin" aria-label=${t.locked.moveIn} @close=${() => { this.pinMode = undefined }}>
        <div class="dlg"><h2>${t.locked.moveIn}</h2>
          ${this.pinMode === undefined ? nothing : html`<hearth-pin-form .mode=${this.pinMode} cancellable
            @cancel=${() => this.dialog('pin').close()} @done=${() => { this.dialog('pin').close(); this.act('lock') }}></hearth-pin-form>`}
        </div>
      </dialog>`
  }
}
customElements.define('hearth-selection-bar', SelectionBar)
