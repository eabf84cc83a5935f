import { useEffect, useState } from 'react';
import { get } from './api';

/** GET `path` (null: nothing to load) and keep its answer or its error. */
export function useApi<T>(path: string | null): { data?: T; error?: unknown; loading: boolean } {
  const [state, setState] = useState<{ path: string | null; data?: T; error?: unknown }>({ path: null });
  useEffect(() => {
    if (path === null) return;
    let live = true;
    get<T>(path).then(
      (data) => live && setState({ path, data }),
      (error: unknown) => live && setState({ path, error }),
    );
    return () => {
      live = false;
    };
  }, [path]);
  if (path === null) return { loading: false };
  if (state.path !== path) return { loading: true };
  return { data: state.data, error: state.error, loading: false };
}
