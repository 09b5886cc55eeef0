/** Running a mutation: busy state, the server's verdict shown next to the control and announced. */
import { useState } from 'preact/hooks';
import { errorText } from './api.js';
import { useShared } from './context.js';

export interface Outcome {
  ok: boolean;
  text: string;
}

export interface Mutation {
  busy: boolean;
  outcome: Outcome | null;
  run: (what: string, action: () => Promise<unknown>) => Promise<void>;
}

export function useMutation(): Mutation {
  const shared = useShared();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const run = async (what: string, action: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setOutcome(null);
    try {
      await action();
      const text = `✓ ${what}: done`;
      setOutcome({ ok: true, text });
      shared.announce(text);
      shared.refresh();
    } catch (err) {
      const text = `✗ ${what} refused: ${errorText(err)}`;
      setOutcome({ ok: false, text });
      shared.announce(text);
    } finally {
      setBusy(false);
    }
  };
  return { busy, outcome, run };
}

export function OutcomeLine(props: { outcome: Outcome | null; testid?: string }) {
  if (!props.outcome) return null;
  return (
    <p
      class={props.outcome.ok ? 'outcome ok' : 'outcome refused'}
      role={props.outcome.ok ? 'status' : 'alert'}
      data-testid={props.testid}
    >
      {props.outcome.text}
    </p>
  );
}

/** A reason field: the API requires one (1..500 characters) for every mutation. */
export function ReasonField(props: { id: string; value: string; onInput(v: string): void }) {
  return (
    <span class="reason">
      <label for={props.id}>Reason</label>
      <input
        id={props.id}
        type="text"
        maxLength={500}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        placeholder="why (goes into the audit timeline)"
      />
    </span>
  );
}
