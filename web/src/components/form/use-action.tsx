'use client';

import { useState } from 'react';
import { errorMessage } from '../../helper-client/client-errors';

// One button's request to the helper at a time: while it runs the controls say busy, and a
// refusal stays on screen as "Could not <what>: <the helper's reason>" until the next try.
export function useAction(after?: () => void) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const run = async (what: string, work: () => Promise<unknown>) => {
    setBusy(true);
    setFailure(null);
    try {
      await work();
    } catch (e) {
      setFailure(`Could not ${what}: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
      after?.();
    }
  };
  return { busy, failure, setFailure, run };
}

export function FailureAlert({ failure }: { failure: string | null }) {
  if (!failure) return null;
  return (
    <p role="alert" className="text-sm text-red-700 dark:text-red-400">
      {failure}
    </p>
  );
}
