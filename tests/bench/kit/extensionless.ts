/**
 * protocol/ and client/ files import each other without extensions (the bundler resolves
 * them); Node's type stripping does not. A bench calls this, then loads those files with a
 * dynamic `import()`: `./errors` is then found as `./errors.ts`. Needs Node >= 22.15.
 */
import * as nodeModule from 'node:module';

type ResolveHook = (
  specifier: string,
  context: { parentURL?: string | undefined },
  next: (specifier: string, context: { parentURL?: string | undefined }) => unknown,
) => unknown;

export function resolveExtensionlessTs(bench: string): void {
  const registerHooks = (nodeModule as unknown as { registerHooks?: (hooks: { resolve: ResolveHook }) => unknown }).registerHooks;
  if (!registerHooks) throw new Error(`${bench} needs Node >= 22.15 (module.registerHooks); this is ${process.version}`);
  registerHooks({
    resolve(specifier, context, next) {
      try {
        return next(specifier, context);
      } catch (err) {
        if (/^\.\.?\//.test(specifier) && !/\.[cm]?[jt]s$/.test(specifier) && context.parentURL?.endsWith('.ts')) {
          return next(`${specifier}.ts`, context);
        }
        throw err;
      }
    },
  });
}
