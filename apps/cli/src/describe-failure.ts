/** One line for a failure an operator can fix (a port in use, permissions); the error itself otherwise. */
export function describeFailure(err: unknown, stack = true): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (
    err instanceof Error &&
    (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL')
  ) {
    const where = e.address !== undefined ? ` ${e.address}${e.port !== undefined ? `:${e.port}` : ''}` : '';
    const why =
      e.code === 'EADDRINUSE'
        ? 'is already in use (another instance running?)'
        : e.code === 'EACCES'
          ? 'needs more privileges (ports below 1024 need root or CAP_NET_BIND_SERVICE)'
          : 'is not an address of this host';
    return `cannot listen on${where}: the address ${why}`;
  }
  if (!(err instanceof Error)) return String(err);
  return stack ? (err.stack ?? err.message) : err.message;
}
