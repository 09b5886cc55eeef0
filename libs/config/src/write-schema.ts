/** Regenerates libs/config/understudy.schema.json: `npx tsx libs/config/src/write-schema.ts`. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configSchema } from './schema.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../understudy.schema.json', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, `${JSON.stringify(configSchema, null, 2)}\n`);
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}
