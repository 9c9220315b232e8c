/**
 * Partner sharing on the Account page (Immich's /api/partners): whom I share all my photos with
 * (add another user of this server, stop sharing), and who shares theirs with me (show them in my
 * timeline, or stop seeing them). Sharing is one way: each side chooses for itself.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api } from '../api.ts'
import { notify, notifyError } from '../notify.ts'
import { session } from '../session.ts'

interface User { id: string, name: string, email: string }
interface Partner extends User { inTimeline: boolean }

export class Partners extends LitElement {
  static override properties = { sharedBy: { state: true }, sharedWith: { state: true }, users: { state: true } }
  static override styles = [base, css`
    :host { display: grid; gap: 12px; }
    h3 { margin: 6px 0 0; font-size: 1rem; }
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
    li { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
    li .grow { flex: 1; min-width: 180px; }
    form { display: flex; gap: 10px; flex-wrap: wrap; align-items: center; }
    label.inline { display: inline-flex; gap: 6px; align-items: center; }
  `]

  /** Whom I share with. */
  sharedBy: Partner[] = []
  /** Who shares with me. */
  sharedWith: Partner[] = []
  users: User[] = []

  override connectedCallback (): void { super.connectedCallback(); void this.load() }

  private async load (): Promise<void> {
    try {
      [this.sharedBy, this.sharedWith, this.users] = await Promise.all([
        api.get<Partner[]>('/api/partners?direction=shared-by'),
        api.get<Partner[]>('/api/partners?direction=shared-with'),
        api.get<User[]>('/api/users'),
      ])
    } catch (err) { notifyError(err) }
  }

  private async share (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const select = (e.target as HTMLFormElement).elements.namedItem('user') as HTMLSelectElement
    const user = this.users.find((u) => u.id === select.value)
    if (user === undefined) return
    try {
      await api.post('/api/partners', { sharedWithId: user.id })
      notify(t.partners.shared(user.name))
      await this.load()
    } catch (err) { notifyError(err) }
  }

  private async stop (p: Partner, mine: boolean): Promise<void> {
    if (!confirm(mine ? t.partners.stopConfirm(p.name) : t.partners.leaveConfirm(p.name))) return
    try {
      await api.del(`/api/partners/${p.id}`)
      notify(mine ? t.partners.stopped(p.name) : t.partners.left(p.name))
      await this.load()
    } catch (err) { notifyError(err) }
  }

  private async inTimeline (p: Partner, on: boolean): Promise<void> {
    try {
      await api.put(`/api/partners/${p.id}`, { inTimeline: on })
      this.sharedWith = this.sharedWith.map((x) => x.id === p.id ? { ...x, inTimeline: on } : x)
      notify(on ? t.partners.showing(p.name) : t.partners.hiding(p.name))
    } catch (err) { notifyError(err) }
  }

  override render () {
    const me = session.user?.id
    const candidates = this.users.filter((u) => u.id !== me && !this.sharedBy.some((p) => p.id === u.id))
    return html`<p class="muted">${t.partners.hint}</p>
      <h3>${t.partners.iShare}</h3>
      ${this.sharedBy.length === 0 ? html`<p class="muted">${t.partners.noneShared}</p>` : html`<ul aria-label=${t.partners.iShare}>${this.sharedBy.map((p) => html`<li>
        <span class="grow">${p.name} <span class="muted">${p.email}</span></span>
        <button class="danger" @click=${() => void this.stop(p, true)}>${t.partners.stop}</button></li>`)}</ul>`}
      ${candidates.length > 0 ? html`<form @submit=${(e: SubmitEvent) => void this.share(e)}>
        <label class="inline">${t.partners.shareWith}<select name="user">${candidates.map((u) => html`<option value=${u.id}>${u.name} (${u.email})</option>`)}</select></label>
        <button type="submit">${t.partners.share}</button></form>` : nothing}
      <h3>${t.partners.theyShare}</h3>
      ${this.sharedWith.length === 0 ? html`<p class="muted">${t.partners.noneWithMe}</p>` : html`<ul aria-label=${t.partners.theyShare}>${this.sharedWith.map((p) => html`<li>
        <span class="grow">${p.name} <span class="muted">${p.email}</span></span>
        <label class="inline"><input type="checkbox" .checked=${p.inTimeline} @change=${(e: Event) => void this.inTimeline(p, (e.target as HTMLInputElement).checked)}>${t.partners.inTimeline(p.name)}</label>
        <button @click=${() => void this.stop(p, false)}>${t.partners.leave}</button></li>`)}</ul>`}`
  }
}
customElements.define('hearth-partners', Partners)
