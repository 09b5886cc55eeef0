/** What every section shares: the refresh tick (bumped by the live stream) and the announcer. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export interface Shared {
  /** Bumped when the server says something changed; sections refetch on it. */
  tick: number;
  /** Server clock minus ours, ms (sections already get `now` on the server's clock). */
  skew: number;
  /** Speaks a short message through the page's aria-live region. */
  announce(message: string): void;
  /** Asks every section to refetch now (after a mutation). */
  refresh(): void;
}

export const SharedContext = createContext<Shared>({
  tick: 0,
  skew: 0,
  announce: () => undefined,
  refresh: () => undefined,
});

export function useShared(): Shared {
  return useContext(SharedContext);
}
