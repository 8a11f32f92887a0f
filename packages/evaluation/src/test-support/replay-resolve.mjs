// Module resolve hook for replay-hooks.mjs (runs on the loader thread).
const REPLAYED = /\/src\/(evaluate|matchers|matchers-grid)\.test\.ts$/;
const SHIM = new URL('./compiled-as-interpreter.ts', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === './index.ts' && REPLAYED.test(context.parentURL ?? '')) return next(SHIM, context);
  return next(specifier, context);
}
