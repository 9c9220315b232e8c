/**
 * Account: partner sharing (components/partners.ts), API keys and app passwords (the secret shown once), signed-in devices, password change,
 * the WebDAV and SFTP addresses to copy, and SFTP public keys (when the server offers them).
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api, ApiError } from '../api.ts'
import { notify, notifyError } from '../notify.ts'
import { session } from '../session.ts'
import '../components/partners.ts'

interface ApiKey { id: string, name: string, createdAt: string }
interface SessionDto { id: string, deviceType: string, deviceOS: string, current: boolean, createdAt: string, updatedAt: string }
interface SshKey { id: string, name: string, fingerprint: string, algorithm: string, createdAt: string }
interface SftpInfo { port: number, username: string, hostKeyFingerprint: string | null }

export class AccountScreen extends LitElement {
  static override properties = {
    params: { attribute: false }, query: { attribute: false }, keys: { state: true }, sessions: { state: true }, secret: { state: true },
    sftp: { state: true }, sshKeys: { state: true }, pwError: { state: true },
  }
  static override styles = [base, css`
    .page { display: grid; gap: 18px; max-width: 900px; }
    section { padding: 18px; display: grid; gap: 12px; }
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
    li { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
    li .grow { flex: 1; min-width: 180px; }
    form { display: flex; gap: 10px; flex-wrap: wrap; align-items: end; }
    form.stack { display: grid; max-width: 420px; }
    .secret { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; padding: 12px; border-radius: 8px; background: var(--h-accent-soft); }
    .secret code, .addr code { font-size: .95rem; overflow-wrap: anywhere; }
    .addr { display: grid; gap: 4px; }
    .addr div { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
    .hook { border-left: 3px solid var(--h-border); padding-left: 10px; }
    textarea { width: 100%; min-height: 70px; font-family: monospace; font-size: .85rem; }
  `]

  params: Record<string, string> = {}
  query = new URLSearchParams()
  keys: ApiKey[] = []
  sessions: SessionDto[] = []
  secret = ''
  sftp: SftpInfo | null = null
  /** null: the server has no SSH-key API (the SFTP helper's `/api/users/me/ssh-keys`). */
  sshKeys: SshKey[] | null = null
  pwError = ''

  override connectedCallback (): void { super.connectedCallback(); void this.load() }

  private async load (): Promise<void> {
    try {
      const [keys, sessions] = await Promise.all([api.get<ApiKey[]>('/api/api-keys'), api.get<SessionDto[]>('/api/sessions')])
      this.keys = keys
      this.sessions = sessions
    } catch (err) { notifyError(err) }
    // SFTP's details and keys come from the SFTP module; a server without it answers 404.
    this.sftp = await api.get<SftpInfo>('/api/sftp').catch(() => null)
    this.sshKeys = await api.get<SshKey[]>('/api/users/me/ssh-keys').catch((err: unknown) => { if (!(err instanceof ApiError && err.status === 404)) notifyError(err); return null })
  }

  private async copy (text: string): Promise<void> {
    try { await navigator.clipboard.writeText(text); notify(t.account.copied) } catch { notify(text) }
  }
  private async createKey (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    try {
      const res = await api.post<{ secret: string }>('/api/api-keys', { name: String(new FormData(form).get('name') ?? '').trim() || 'API Key', permissions: ['all'] })
      this.secret = res.secret
      form.reset()
      await this.load()
    } catch (err) { notifyError(err) }
  }
  private async revoke (id: string): Promise<void> {
    try { await api.del(`/api/api-keys/${id}`); notify(t.account.revoked); await this.load() } catch (err) { notifyError(err) }
  }
  private async endSession (id: string | null): Promise<void> {
    try {
      await api.del(id === null ? '/api/sessions' : `/api/sessions/${id}`)
      if (id === null) notify(t.account.signedOutOthers)
      await this.load()
    } catch (err) { notifyError(err) }
  }
  private async changePassword (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    const data = new FormData(form)
    const next = String(data.get('next') ?? '')
    this.pwError = ''
    if (next.length < 8) { this.pwError = t.auth.passwordTooShort; return }
    if (next !== String(data.get('repeat') ?? '')) { this.pwError = t.auth.passwordsDiffer; return }
    try {
      await api.post('/api/auth/change-password', { password: String(data.get('current') ?? ''), newPassword: next }, { quiet401: true })
      form.reset()
      notify(t.account.passwordChanged)
      await this.load()
    } catch (err) { this.pwError = (err as Error).message }
  }
  private async addSshKey (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    const data = new FormData(form)
    try {
      await api.post('/api/users/me/ssh-keys', { name: String(data.get('name') ?? ''), key: String(data.get('key') ?? '').trim() })
      form.reset()
      await this.load()
    } catch (err) { notifyError(err) }
  }
  private async removeSshKey (id: string): Promise<void> {
    try { await api.del(`/api/users/me/ssh-keys/${id}`); await this.load() } catch (err) { notifyError(err) }
  }

  override render () {
    const webdav = `${location.origin}/dav/`
    const sftpAddr = this.sftp !== null ? `sftp://${location.hostname}:${this.sftp.port}` : ''
    const date = (s: string) => new Date(s).toLocaleString()
    return html`<div class="page">
      <h1>${t.account.title}</h1>
      <section class="card" aria-labelledby="me-h"><h2 id="me-h">${t.account.profile}</h2>
        <p>${session.user?.name} <span class="muted">${session.user?.email}</span></p></section>

      <section class="card" aria-labelledby="partners-h"><h2 id="partners-h">${t.partners.title}</h2><hearth-partners></hearth-partners></section>

      <section class="card" aria-labelledby="connect-h"><h2 id="connect-h">${t.account.connect}</h2>
        <p class="muted">${t.account.connectHint}</p>
        <div class="addr"><span>${t.account.webdav}</span><div><code data-testid="webdav">${webdav}</code><button @click=${() => this.copy(webdav)}>${t.account.copy}</button></div></div>
        ${this.sftp !== null ? html`<div class="addr"><span>${t.account.sftp}</span><div><code data-testid="sftp">${sftpAddr}</code><button @click=${() => this.copy(sftpAddr)}>${t.account.copy}</button></div>
          ${this.sftp.hostKeyFingerprint !== null ? html`<span class="muted">${this.sftp.hostKeyFingerprint}</span>` : nothing}</div>` : nothing}
      </section>

      <section class="card" aria-labelledby="keys-h"><h2 id="keys-h">${t.account.apiKeys}</h2>
        <p class="muted">${t.account.apiKeysHint}</p>
        ${this.secret !== '' ? html`<div class="secret" role="status"><span>${t.account.keyCreated}</span><code data-testid="secret">${this.secret}</code>
          <button @click=${() => this.copy(this.secret)}>${t.account.copy}</button><button @click=${() => { this.secret = '' }}>${t.account.done}</button></div>` : nothing}
        ${this.keys.length === 0 ? html`<p class="muted">${t.account.noKeys}</p>` : html`<ul data-testid="api-keys">${this.keys.map((k) => html`<li>
          <span class="grow">${k.name} <span class="muted">${t.account.created(date(k.createdAt))}</span></span>
          <button class="danger" @click=${() => this.revoke(k.id)}>${t.account.revoke}</button></li>`)}</ul>`}
        <form @submit=${this.createKey}><label>${t.account.keyName}<input name="name" maxlength="200" required></label><button class="primary" type="submit">${t.account.createKey}</button></form>
      </section>

      <section class="card" aria-labelledby="ssh-h"><h2 id="ssh-h">${t.account.sshKeys}</h2>
        ${this.sshKeys === null ? html`<p class="muted hook">${t.account.sshKeysPending}</p>` : html`
          ${this.sshKeys.length === 0 ? html`<p class="muted">${t.account.noSshKeys}</p>` : html`<ul>${this.sshKeys.map((k) => html`<li>
            <span class="grow">${k.name} <span class="muted">${k.fingerprint}</span></span>
            <button class="danger" @click=${() => this.removeSshKey(k.id)}>${t.account.revoke}</button></li>`)}</ul>`}
          <form class="stack" @submit=${this.addSshKey}><label>${t.account.sshKeyName}<input name="name" maxlength="200"></label>
            <label>${t.account.sshKey}<textarea name="key" required></textarea></label><button class="primary" type="submit">${t.account.addSshKey}</button></form>`}
      </section>

      <section class="card" aria-labelledby="sessions-h"><h2 id="sessions-h">${t.account.sessions}</h2>
        <ul>${this.sessions.map((s) => html`<li><span class="grow">${s.deviceOS !== '' || s.deviceType !== '' ? `${s.deviceType} ${s.deviceOS}` : t.account.unknownDevice}
          ${s.current ? html`<strong>· ${t.account.thisDevice}</strong>` : nothing} <span class="muted">${t.account.lastUsed(date(s.updatedAt))}</span></span>
          ${s.current ? nothing : html`<button @click=${() => this.endSession(s.id)}>${t.account.signOut}</button>`}</li>`)}</ul>
        ${this.sessions.length > 1 ? html`<div><button @click=${() => this.endSession(null)}>${t.account.signOutOthers}</button></div>` : nothing}
      </section>

      <section class="card" aria-labelledby="pw-h"><h2 id="pw-h">${t.account.password}</h2>
        <form class="stack" @submit=${this.changePassword}>
          <label>${t.account.currentPassword}<input name="current" type="password" autocomplete="current-password" required></label>
          <label>${t.account.newPassword}<input name="next" type="password" autocomplete="new-password" required></label>
          <label>${t.account.repeatPassword}<input name="repeat" type="password" autocomplete="new-password" required></label>
          ${this.pwError !== '' ? html`<p class="error" role="alert">${this.pwError}</p>` : nothing}
          <button class="primary" type="submit">${t.account.changePassword}</button></form>
      </section>
    </div>`
  }
}
customElements.define('hearth-account', AccountScreen)
