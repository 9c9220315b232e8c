/**
 * <hearth-album-activity>: an album's likes and comments (Immich's activity), for everyone the
 * album is shared with: who liked it, the comments oldest first with their authors and times, a
 * box to write one, a heart to like the album or take the like back. With `assetId`, the same for
 * one of its photos (the album's lightbox). The author of a comment, and
 * the album's owner, may delete it; the owner may turn activity off. Fires `changed` when the
 * album's settings changed, and `counted` each time it has read them (for a count shown elsewhere).
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api } from '../api.ts'
import { icon } from '../icons.ts'
import { notifyError } from '../notify.ts'
import { session } from '../session.ts'
import type { AlbumFull, UserRef } from './types.ts'

export interface Activity { id: string, createdAt: string, type: 'comment' | 'like', user: UserRef, assetId: string | null, comment?: string | null }

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

export class AlbumActivity extends LitElement {
  static override properties = { album: { attribute: false }, assetId: { type: String }, items: { state: true }, busy: { state: true } }
  static override styles = [base, css`
    :host { display: grid; gap: 12px; padding: 16px; }
    .likes { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
    .likes button[aria-pressed='true'] { color: var(--h-accent); }
    ol { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; max-height: 50vh; overflow-y: auto; }
    li { display: grid; grid-template-columns: 1fr auto; gap: 2px 8px; }
    li .who { font-weight: 600; }
    li .at { font-size: .8rem; }
    li p { grid-column: 1 / -1; margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
    form { display: flex; gap: 8px; align-items: end; }
    form textarea { flex: 1; min-height: 42px; resize: vertical; }
    label.check { display: flex; gap: 6px; align-items: center; font-size: .9rem; }
  `]

  album!: AlbumFull
  /** One photo's likes and comments, rather than the album's own. */
  assetId: string | undefined
  items: Activity[] = []
  private loadedFor: string | undefined = ''
  busy = false

  override willUpdate (): void {
    if (this.loadedFor !== this.assetId) { this.loadedFor = this.assetId; this.items = []; void this.load() }
  }

  private async load (): Promise<void> {
    try {
      const asked = this.assetId
      const items = await api.get<Activity[]>(`/api/activities?albumId=${this.album.id}${asked === undefined ? '&level=album' : `&assetId=${asked}`}`)
      if (asked !== this.assetId) return
      this.items = items
      this.dispatchEvent(new CustomEvent('counted'))
    } catch (err) { notifyError(err) }
  }

  private get mine (): Activity | undefined { return this.items.find((a) => a.type === 'like' && a.user.id === session.user?.id) }

  private async toggleLike (): Promise<void> {
    try {
      const like = this.mine
      if (like !== undefined) await api.del(`/api/activities/${like.id}`)
      else await api.post('/api/activities', { albumId: this.album.id, assetId: this.assetId, type: 'like' })
      await this.load()
    } catch (err) { notifyError(err) }
  }

  private async send (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    const comment = String(new FormData(form).get('comment') ?? '').trim()
    if (comment === '') return
    this.busy = true
    try {
      await api.post('/api/activities', { albumId: this.album.id, assetId: this.assetId, type: 'comment', comment })
      form.reset()
      await this.load()
    } catch (err) { notifyError(err) } finally { this.busy = false }
  }

  private async deleteComment (a: Activity): Promise<void> {
    try { await api.del(`/api/activities/${a.id}`); await this.load() } catch (err) { notifyError(err) }
  }

  private async setEnabled (on: boolean): Promise<void> {
    try {
      await api.patch(`/api/albums/${this.album.id}`, { isActivityEnabled: on })
      this.dispatchEvent(new CustomEvent('changed'))
    } catch (err) { notifyError(err) }
  }

  override render () {
    const owner = this.album.ownerId === session.user?.id
    const likes = this.items.filter((a) => a.type === 'like')
    const comments = this.items.filter((a) => a.type === 'comment')
    const on = this.album.isActivityEnabled
    return html`<h2>${this.assetId === undefined ? t.activity.title : t.activity.photoTitle}</h2>
      <div class="likes">
        ${on ? html`<button aria-pressed=${this.mine !== undefined ? 'true' : 'false'} @click=${() => this.toggleLike()}>${icon(this.mine !== undefined ? 'heart' : 'heartOutline')} ${this.mine !== undefined ? t.activity.liked : t.activity.like}</button>` : nothing}
        <span class="muted">${likes.length === 0 ? '' : t.activity.likedBy(likes.map((l) => l.user.name))}</span>
      </div>
      ${comments.length === 0 ? html`<p class="muted">${t.activity.empty}</p>` : html`<ol aria-label=${t.activity.title}>${comments.map((c) => html`<li>
        <span><span class="who">${c.user.name}</span> <span class="at muted">${when.format(new Date(c.createdAt))}</span></span>
        ${owner || c.user.id === session.user?.id ? html`<button class="icon" aria-label=${t.activity.remove(c.user.name)} title=${t.activity.remove(c.user.name)} @click=${() => this.deleteComment(c)}>${icon('trash')}</button>` : html`<span></span>`}
        <p>${c.comment}</p></li>`)}</ol>`}
      ${on ? html`<form @submit=${this.send}>
          <textarea name="comment" maxlength="5000" aria-label=${t.activity.write} placeholder=${t.activity.write} required></textarea>
          <button class="primary" type="submit" ?disabled=${this.busy}>${t.activity.send}</button></form>`
        : html`<p class="muted">${t.activity.off}</p>`}
      ${owner && this.assetId === undefined ? html`<label class="check"><input type="checkbox" .checked=${on} @change=${(e: Event) => this.setEnabled((e.target as HTMLInputElement).checked)}> ${t.activity.allow}</label>` : nothing}`
  }
}
customElements.define('hearth-album-activity', AlbumActivity)
