// `node --import tsx --import ./replay-hooks.mjs --test <files>`: inside the interpreter's test files
// (evaluate, matchers, matchers-grid), `./index.ts` resolves to compiled-as-interpreter.ts.
import { register } from 'node:module';

register('./replay-resolve.mjs', import.meta.url);
