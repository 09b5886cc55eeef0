/** Entry point of the bundled CLI (dist/understudy.mjs). */
import { main } from './program.js';

await main(process.argv);
