/**
 * A preload (node --import) for probe processes in system tests: on SIGUSR2 it fills the process's
 * descriptor table and keeps it full, as an attacker holding connections open would (issue #10).
 * Sockets already open (Redis) keep working; every new socket, file or getaddrinfo fails with EMFILE.
 * Written out at run time, so it stays plain JavaScript outside the type-checked project.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const SOURCE = `import { closeSync, openSync } from 'node:fs';

const held = [];
let refill;

function fill() {
  try {
    for (;;) held.push(openSync('/dev/null', 'r'));
  } catch {
    // EMFILE: the table is full
  }
}

process.on('SIGUSR2', () => {
  if (refill) return;
  fill();
  process.stderr.write(\`fd-hog: holding \${held.length} descriptors\\n\`);
  // A closed socket frees a slot; take it back at once so checks keep meeting a full table.
  refill = setInterval(fill, 20);
  refill.unref();
});

process.on('SIGTERM', () => {
  // Give shutdown its descriptors back.
  clearInterval(refill);
  for (const fd of held.splice(0)) closeSync(fd);
});
`;

/** Writes the preload into `dir`; pass `--import=<path>` in NODE_OPTIONS to load it. */
export async function writeFdHog(dir: string): Promise<string> {
  const file = join(dir, 'fd-hog.mjs');
  await writeFile(file, SOURCE);
  return file;
}
