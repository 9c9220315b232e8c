// esbuild bundles CSS imported for its side effect (theme.css) into the entry's stylesheet.
declare module '*.css'
