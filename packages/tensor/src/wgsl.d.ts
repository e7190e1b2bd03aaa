// WGSL files are imported as their text (tsup `loader: { '.wgsl': 'text' }`, vitest wgsl plugin).
declare module '*.wgsl' {
  const source: string;
  export default source;
}
