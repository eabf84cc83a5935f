// Runs one change against the API: busy while it runs, its error kept for display in place, and
// the screen's reads refreshed after it.
import { useState } from 'react';
import { useInvalidate } from '../api/useApi';

export function useRun(refreshPrefix: string) {
  const invalidate = useInvalidate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(null);
    try {
      const out = await fn();
      await invalidate(refreshPrefix);
      return out;
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { run, busy, error, setError };
}
