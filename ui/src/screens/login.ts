/**
 * Sign-in, and the first-run admin sign-up (shown while the server has no user). Wrong passwords
 * and lockouts (429 with Retry-After) get their own clear messages.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api, ApiError } from '../api.ts'
import { session } from '../session.ts'
import type { User } from '../types.ts'

export class LoginScreen extends LitElement {
  static override properties = { params: { attribute: false }, query: { attribute: false }, error: { state: true }, busy: { state: true } }
  static override styles = [base, css`
    :host { display: grid; place-items: center; min-height: 100dvh; padding: 20px; overflow-y: auto; }
    .card { width: min(420px, 100%); padding: 32px 28px; display: grid; gap: 18px; box-shadow: var(--h-shadow); }
    .brand { display: flex; align-items: center; gap: 10px; }
    .brand svg { width: 40px; height: 40px; }
    form { display: grid; gap: 14px; }
    input { width: 100%; }
    button.primary { min-height: 44px; margin-top: 6px; }
    p { margin: 0; }
    .error { background: color-mix(in srgb, var(--h-danger) 12%, transparent); padding: 10px 12px; border-radius: 8px; }
  `]

  params: Record<string, string> = {}
  query = new URLSearchParams()
  error = ''
  busy = false

  private get signUp (): boolean { return session.config?.isInitialized === false }

  private async submit (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const data = new FormData(e.target as HTMLFormElement)
    const email = String(data.get('email') ?? '').trim()
    const password = String(data.get('password') ?? '')
    this.error = ''
    if (this.signUp) {
      if (password.length < 8) { this.error = t.auth.passwordTooShort; return }
      if (password !== String(data.get('confirm') ?? '')) { this.error = t.auth.passwordsDiffer; return }
    }
    this.busy = true
    try {
      if (this.signUp) {
        await api.post('/api/auth/admin-sign-up', { email, password, name: String(data.get('name') ?? '').trim() })
        if (session.config !== null) session.config.isInitialized = true
      }
      await api.post('/api/auth/login', { email, password }, { quiet401: true })
      // Signed in, the shell takes the user on to the page asked for (?continue=) or the timeline.
      session.set(await api.get<User>('/api/users/me'))
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.error = t.auth.wrongPassword
      else if (err instanceof ApiError && err.status === 429) this.error = t.auth.lockedOut(err.retryAfter ?? 300)
      else this.error = (err as Error).message
    } finally {
      this.busy = false
    }
  }

  override render () {
    const signUp = this.signUp
    return html`<div class="card">
      <div class="brand"><svg viewBox="0 0 32 32" aria-hidden="true"><path d="M16 3 3 14v15h26V14z" fill="var(--h-accent)"/><path d="M12 29v-9h8v9" fill="var(--h-surface)"/></svg>
        <h1>${signUp ? t.auth.signUpTitle : t.auth.signInTitle}</h1></div>
      ${signUp ? html`<p class="muted">${t.auth.signUpIntro}</p>` : nothing}
      ${!signUp && (session.config?.loginPageMessage ?? '') !== '' ? html`<p>${session.config!.loginPageMessage}</p>` : nothing}
      <form @submit=${this.submit} novalidate>
        ${signUp ? html`<label>${t.auth.name}<input name="name" autocomplete="name" required></label>` : nothing}
        <label>${t.auth.email}<input name="email" type="email" autocomplete=${signUp ? 'email' : 'username'} required autofocus></label>
        <label>${t.auth.password}<input name="password" type="password" autocomplete=${signUp ? 'new-password' : 'current-password'} required></label>
        ${signUp ? html`<label>${t.auth.confirmPassword}<input name="confirm" type="password" autocomplete="new-password" required></label>` : nothing}
        ${this.error !== '' ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? t.auth.signingIn : signUp ? t.auth.signUp : t.auth.signIn}</button>
      </form>
    </div>`
  }
}
customElements.define('hearth-login', LoginScreen)
