/**
 * Administration › Family (`/admin/family`, loaded only when opened): pairing this Hearth with
 * relatives' Hearth nodes. This node's name and address; "Invite a relative" makes a one-time code
 * to send them (copy button, expiry); "Pair with a relative's code" redeems theirs; the paired
 * nodes with when they were last seen, "Check" (are they reachable now, which version) and "Unpair".
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api, ApiError } from '../api.ts'
import { notify, notifyError } from '../notify.ts'

/** A moment in the viewer's own time zone. */
const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const formatDateTime = (iso: string) => when.format(new Date(iso))

interface NodeInfo { peerId: string, name: string, addresses: string[] }
interface Peer { id: string, peerId: string, name: string, role: 'inviter' | 'invitee', pairedAt: string, lastSeenAt: string | null }
interface Hello { online: boolean, name?: string, version?: string, ms?: number, error?: string }

export class AdminFamily extends LitElement {
  static override properties = { node: { state: true }, peers: { state: true }, problem: { state: true }, invite: { state: true }, checks: { state: true }, busy: { state: true } }
  static override styles = [base, css`
    :host { display: grid; gap: 18px; }
    section { padding: 18px; display: grid; gap: 12px; overflow-x: auto; }
    .row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
    textarea { width: 100%; min-height: 4.5em; font-family: ui-monospace, monospace; font-size: .85rem; word-break: break-all; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--h-border); vertical-align: middle; }
    th { font-weight: 600; font-size: .9rem; color: var(--h-text-2); }
    code { font-size: .85rem; word-break: break-all; }
    .ok { color: var(--h-ok); font-weight: 600; } .bad { color: var(--h-danger); font-weight: 600; }
    p { margin: 0; }
  `]

  node: NodeInfo | null = null
  peers: Peer[] = []
  /** Why federation is not available here (the server said so), or null. */
  problem: string | null = null
  invite: { code: string, expiresAt: string } | null = null
  checks: Record<string, Hello | 'checking'> = {}
  busy = false

  override connectedCallback (): void { super.connectedCallback(); void this.load() }

  private async load (): Promise<void> {
    try {
      const [node, peers] = await Promise.all([api.get<NodeInfo>('/api/federation/node'), api.get<Peer[]>('/api/federation/peers')])
      this.node = node
      this.peers = peers
      this.problem = null
    } catch (err) {
      if (err instanceof ApiError && (err.status === 503 || err.status === 404)) this.problem = err.status === 404 ? t.family.notHere : err.message
      else notifyError(err)
    }
  }

  private async makeInvite (): Promise<void> {
    this.busy = true
    try { this.invite = await api.post<{ code: string, expiresAt: string }>('/api/federation/invites', {}) } catch (err) { notifyError(err) } finally { this.busy = false }
  }

  private async copy (): Promise<void> {
    if (this.invite === null) return
    try { await navigator.clipboard.writeText(this.invite.code); notify(t.family.copied) } catch {
      // No clipboard (plain HTTP on the LAN): the code is selected for the user to copy.
      this.renderRoot.querySelector<HTMLTextAreaElement>('textarea[name=invite]')?.select()
    }
  }

  private async pair (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    const code = String(new FormData(form).get('code') ?? '').trim()
    if (code === '') return
    this.busy = true
    try {
      const peer = await api.post<Peer>('/api/federation/pair', { code })
      form.reset()
      notify(t.family.paired(peer.name))
      await this.load()
    } catch (err) { notifyError(err) } finally { this.busy = false }
  }

  private async check (p: Peer): Promise<void> {
    this.checks = { ...this.checks, [p.id]: 'checking' }
    try {
      const hello = await api.post<Hello>(`/api/federation/peers/${p.id}/hello`, {})
      this.checks = { ...this.checks, [p.id]: hello }
      if (hello.online) await this.load()
    } catch (err) { notifyError(err); this.checks = { ...this.checks, [p.id]: { online: false } } }
  }

  private async unpair (p: Peer): Promise<void> {
    if (!confirm(t.family.unpairConfirm(p.name))) return
    try { await api.del(`/api/federation/peers/${p.id}`); notify(t.family.unpaired(p.name)); await this.load() } catch (err) { notifyError(err) }
  }

  private status (p: Peer) {
    const c = this.checks[p.id]
    if (c === undefined) return p.lastSeenAt === null ? t.family.neverSeen : t.family.lastSeen(formatDateTime(p.lastSeenAt))
    if (c === 'checking') return t.family.checking
    return c.online ? html`<span class="ok">${t.family.online(c.version ?? '')}</span>` : html`<span class="bad" title=${c.error ?? ''}>${t.family.offline}</span>`
  }

  override render () {
    if (this.problem !== null) return html`<section class="card"><h2>${t.family.title}</h2><p class="bad" role="alert">${this.problem}</p></section>`
    if (this.node === null) return nothing
    return html`
      <section class="card" aria-labelledby="family-h"><h2 id="family-h">${t.family.title}</h2>
        <p class="muted">${t.family.hint}</p>
        <p>${t.family.thisNode(this.node.name)} <code>${this.node.addresses[0] ?? ''}</code></p>
      </section>
      <section class="card" aria-labelledby="invite-h"><h2 id="invite-h">${t.family.inviteTitle}</h2>
        <p class="muted">${t.family.inviteHint}</p>
        <div class="row"><button class="primary" ?disabled=${this.busy} @click=${() => this.makeInvite()}>${t.family.makeInvite}</button></div>
        ${this.invite === null ? nothing : html`
          <textarea name="invite" readonly aria-label=${t.family.inviteTitle} @focus=${(e: Event) => (e.target as HTMLTextAreaElement).select()}>${this.invite.code}</textarea>
          <div class="row"><button @click=${() => this.copy()}>${t.family.copy}</button><span class="muted">${t.family.expires(formatDateTime(this.invite.expiresAt))}</span></div>`}
      </section>
      <section class="card" aria-labelledby="pair-h"><h2 id="pair-h">${t.family.pairTitle}</h2>
        <form @submit=${(e: SubmitEvent) => this.pair(e)}>
          <label>${t.family.codeLabel}<textarea name="code" required placeholder="hearth-invite:…"></textarea></label>
          <div class="row"><button class="primary" type="submit" ?disabled=${this.busy}>${t.family.pair}</button></div>
        </form>
      </section>
      <section class="card" aria-labelledby="peers-h"><h2 id="peers-h">${t.family.peersTitle}</h2>
        ${this.peers.length === 0 ? html`<p class="muted">${t.family.noPeers}</p>` : html`
          <table data-testid="peers"><thead><tr><th>${t.family.name}</th><th>${t.family.how}</th><th>${t.family.state}</th><th></th></tr></thead>
          <tbody>${this.peers.map((p) => html`<tr>
            <td>${p.name}</td><td class="muted">${p.role === 'inviter' ? t.family.theyInvited : t.family.weInvited}</td><td>${this.status(p)}</td>
            <td><div class="row"><button @click=${() => this.check(p)}>${t.family.check}</button><button class="danger" @click=${() => this.unpair(p)}>${t.family.unpair}</button></div></td></tr>`)}</tbody></table>`}
      </section>`
  }
}
customElements.define('hearth-admin-family', AdminFamily)
