/**
 * An album's sharing, for its owner: household users (viewer or editor) and public links (password,
 * expiry, downloads, metadata; copy, delete). Fires `changed` when the album's sharing changed.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api } from '../api.ts'
import { notify, notifyError } from '../notify.ts'
import { session } from '../session.ts'
import type { AlbumFull, SharedLink, UserRef } from './types.ts'
import './links.ts'

export class AlbumSharePanel extends LitElement {
  static override properties = { album: { attribute: false }, users: { state: true }, links: { state: true } }
  static override styles = [base, css`
    :host { display: grid; gap: 18px; }
    section { display: grid; gap: 10px; padding: 16px; }
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
    li { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
    li .who { flex: 1; min-width: 160px; }
    form { display: flex; gap: 10px; flex-wrap: wrap; align-items: end; }
  `]

  album!: AlbumFull
  users: UserRef[] = []
  links: SharedLink[] = []

  override connectedCallback (): void { super.connectedCallback(); void this.load() }

  private async load (): Promise<void> {
    try {
      const [users, links] = await Promise.all([api.get<UserRef[]>('/api/users'), api.get<SharedLink[]>(`/api/shared-links?albumId=${this.album.id}`)])
      this.users = users.filter((u) => u.id !== session.user?.id)
      this.links = links
    } catch (err) { notifyError(err) }
  }
  private changed (album?: AlbumFull): void { this.dispatchEvent(new CustomEvent('changed', { detail: album })) }

  private async addUser (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const data = new FormData(e.target as HTMLFormElement)
    const userId = String(data.get('user') ?? '')
    if (userId === '') return
    try {
      const album = await api.put<AlbumFull>(`/api/albums/${this.album.id}/users`, { albumUsers: [{ userId, role: String(data.get('role')) }] })
      notify(t.sharing.added(this.users.find((u) => u.id === userId)?.name ?? ''))
      this.changed(album)
    } catch (err) { notifyError(err) }
  }
  private async setRole (userId: string, role: string): Promise<void> {
    try { this.changed(await api.patch<AlbumFull>(`/api/albums/${this.album.id}/user/${userId}`, { role })) } catch (err) { notifyError(err) }
  }
  private async removeUser (userId: string): Promise<void> {
    try { await api.del(`/api/albums/${this.album.id}/user/${userId}`); this.changed() } catch (err) { notifyError(err) }
  }
  override render () {
    const shared = new Set(this.album.albumUsers.map((u) => u.user.id))
    const candidates = this.users.filter((u) => !shared.has(u.id))
    return html`<section class="card" aria-labelledby="people-h">
        <h2 id="people-h">${t.sharing.people}</h2>
        ${this.album.albumUsers.length === 0 ? html`<p class="muted">${t.sharing.noOne}</p>` : html`<ul>${this.album.albumUsers.map((u) => html`<li>
          <span class="who">${u.user.name} <span class="muted">${u.user.email ?? ''}</span></span>
          <select aria-label=${`${t.sharing.role}: ${u.user.name}`} @change=${(e: Event) => this.setRole(u.user.id, (e.target as HTMLSelectElement).value)}>
            <option value="viewer" ?selected=${u.role === 'viewer'}>${t.sharing.viewer}</option><option value="editor" ?selected=${u.role === 'editor'}>${t.sharing.editor}</option></select>
          <button class="danger" @click=${() => this.removeUser(u.user.id)}>${t.sharing.remove}</button></li>`)}</ul>`}
        ${candidates.length > 0 ? html`<form @submit=${this.addUser}>
          <label>${t.sharing.addPerson}<select name="user" required><option value="">${t.sharing.choosePerson}</option>${candidates.map((u) => html`<option value=${u.id}>${u.name} (${u.email ?? ''})</option>`)}</select></label>
          <label>${t.sharing.role}<select name="role"><option value="viewer">${t.sharing.viewer}</option><option value="editor">${t.sharing.editor}</option></select></label>
          <button class="primary" type="submit">${t.sharing.share}</button></form>` : nothing}
      </section>
      <section class="card" aria-labelledby="links-h">
        <h2 id="links-h">${t.sharing.links}</h2>
        <p class="muted">${t.sharing.linksHint}</p>
        <hearth-links .links=${this.links} .target=${{ type: 'ALBUM', albumId: this.album.id }} @changed=${async () => { await this.load(); this.changed() }}></hearth-links>
      </section>`
  }
}
customElements.define('hearth-album-share-panel', AlbumSharePanel)
