/** The web app's entry: the theme and the shell; every screen is loaded on demand (routes.ts). */
import './theme.css'
import './components/app.ts'
import { prefetchFirstScreen } from './lib/prefetch.ts'

prefetchFirstScreen()
