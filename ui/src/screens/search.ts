/** Placeholder while the screen is written. */
import { LitElement, html } from 'lit'
export class S extends LitElement { override render () { return html`<p>search</p>` } }
customElements.define('hearth-search', S)
