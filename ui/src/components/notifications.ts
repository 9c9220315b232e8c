/**
 * <hearth-notifications>: the bell in the top bar (Immich's in-app notifications). Its badge counts
 * the unread ones, looked at again every minute and when the tab is looked at; opened, it lists the
 * newest, unread first in weight. One clicked is marked read and opens what it is about (the album,
 * the account's partner sharing, or the admin's Jobs page for a backup or an original in trouble); "Mark all as read" clears the
 * badge. Esc or a click outside closes it.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { icon } from '../icons.ts'
import { api } from '../api.ts'
import { navigate } from '../router.ts'
import { notifyError } from '../notify.ts'

interface Note { id: string, createdAt: string, level: string, type: string, title: string, description?: string, data?: Record<string, unknown>, readAt?: string }

const POLL_MS = 60_000

export class Notifications extends LitElement {
  static override properties = { unread: { state: true }, open: { state: true }, notes: { state: true } }
  static override styles = [base, css`
    :host { position: relative; display: inline-flex; }
    .count { position: absolute; top: 2px; right: 2px; min-width: 18px; height: 18px; padding: 0 5px; border-radius: 9px; background: var(--h-danger); color: #fff; font-size: .7rem; font-weight: 700; display: grid; place-items: center; pointer-events: none; }
    .panel { position: absolute; right: 0; top: 46px; width: min(380px, calc(100vw - 16px)); max-height: 70dvh; overflow-y: auto; z-index: 45; display: grid; gap: 4px; padding: 8px; border-radius: 14px; background: var(--h-surface); color: var(--h-text); box-shadow: var(--h-shadow); }
    .head { display: flex; align-items: center; gap: 8px; padding: 4px 6px; } .head h2 { flex: 1; margin: 0; font-size: 1rem; }
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 2px; }
    li button { width: 100%; display: grid; gap: 2px; text-align: left; justify-items: start; justify-content: start; padding: 8px 10px; border-radius: 10px; min-height: 0; font-weight: 400; background: transparent; border: none; color: inherit; }
    li button:hover { background: var(--h-surface-2); }
    li.unread .title { font-weight: 650; } li.error .title { color: var(--h-danger); }
    .desc, .when { font-size: .82rem; color: var(--h-text-2); }
    .desc { overflow: hidden; text-overflow: ellipsis; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; }
    p { margin: 8px 10px; }
  `]

  unread = 0
  open = false
  notes: Note[] | undefined
  private timer: number | undefined

  override connectedCallback (): void {
    super.connectedCallback()
    void this.count()
    this.timer = window.setInterval(() => { void this.count() }, POLL_MS)
    document.addEventListener('visibilitychange', this.onVisible)
    document.addEventListener('keydown', this.onKey)
    document.addEventListener('click', this.onOutside)
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    clearInterval(this.timer)
    document.removeEventListener('visibilitychange', this.onVisible)
    document.removeEventListener('keydown', this.onKey)
    document.removeEventListener('click', this.onOutside)
  }

  private readonly onVisible = () => { if (document.visibilityState === 'visible') void this.count() }
  private readonly onKey = (e: KeyboardEvent) => { if (e.key === 'Escape' && this.open) { e.preventDefault(); this.open = false } }
  private readonly onOutside = (e: MouseEvent) => { if (this.open && !e.composedPath().includes(this)) this.open = false }

  private async count (): Promise<void> {
    try { this.unread = (await api.get<Note[]>('/api/notifications?unread=true')).length } catch { /* signed out, or offline: the badge stays */ }
  }

  private async toggle (): Promise<void> {
    this.open = !this.open
    if (!this.open) return
    try {
      this.notes = (await api.get<Note[]>('/api/notifications')).slice(0, 30)
      this.unread = this.notes.filter((n) => n.readAt === undefined).length
    } catch (err) { notifyError(err) }
  }

  private async go (n: Note): Promise<void> {
    this.open = false
    try {
      if (n.readAt === undefined) {
        await api.put(`/api/notifications/${n.id}`, { readAt: new Date().toISOString() })
        this.unread = Math.max(0, this.unread - 1)
      }
    } catch (err) { notifyError(err) }
    const albumId = n.data?.albumId
    if (typeof albumId === 'string') navigate(`/albums/${albumId}`)
    else if (n.type === 'BackupFailed' || n.data?.integrity === true) navigate('/admin/jobs')
    else if (typeof n.data?.partnerId === 'string') navigate('/account')
  }

  private async readAll (): Promise<void> {
    const ids = (this.notes ?? []).filter((n) => n.readAt === undefined).map((n) => n.id)
    if (ids.length === 0) return
    try {
      const readAt = new Date().toISOString()
      await api.put('/api/notifications', { ids, readAt })
      this.notes = this.notes!.map((n) => ids.includes(n.id) ? { ...n, readAt } : n)
      this.unread = 0
    } catch (err) { notifyError(err) }
  }

  override render () {
    const label = this.unread > 0 ? t.notifications.unread(this.unread) : t.notifications.title
    return html`<button class="icon" aria-label=${label} title=${label} aria-expanded=${this.open ? 'true' : 'false'} @click=${() => this.toggle()}>${icon('bell')}</button>
      ${this.unread > 0 ? html`<span class="count" aria-hidden="true">${this.unread > 99 ? '99+' : this.unread}</span>` : nothing}
      ${this.open ? html`<div class="panel" role="dialog" aria-label=${t.notifications.title}>
        <div class="head"><h2>${t.notifications.title}</h2>${this.unread > 0 ? html`<button @click=${() => this.readAll()}>${t.notifications.readAll}</button>` : nothing}</div>
        ${this.notes === undefined ? html`<p class="muted">${t.app.loading}</p>` : this.notes.length === 0 ? html`<p class="muted">${t.notifications.none}</p>` : html`
          <ul>${this.notes.map((n) => html`<li class="${n.readAt === undefined ? 'unread' : ''} ${n.level === 'error' ? 'error' : ''}"><button @click=${() => this.go(n)}>
            <span class="title">${n.title}</span>${n.description === undefined ? nothing : html`<span class="desc">${n.description}</span>`}
            <span class="when">${new Date(n.createdAt).toLocaleString()}</span></button></li>`)}</ul>`}
      </div>` : nothing}`
  }
}
customElements.define('hearth-notifications', Notifications)
