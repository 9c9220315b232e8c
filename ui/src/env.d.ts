// esbuild bundles CSS imported for its side effect (theme.css) into the entry's stylesheet.
declare module '*.css'

// Natural Earth's countries as TopoJSON (world-atlas), bundled by esbuild as a chunk of its own.
declare module 'world-atlas/*.json' {
  const topology: import('topojson-specification').Topology
  export default topology
}
