/**
 * One database read shared by the requests that ask for the same thing at about the same time
 * (issue 18: at 8 requests in flight, each request's own session and data-version reads were a
 * third of the database's and a fifth of the server's work per request).
 *
 * A caller never gets a result read before it asked: it joins the read that starts next, never
 * one already under way (that one may have begun before a write the caller saw acknowledged). So
 * while a read runs, the callers arriving share the one read that follows it; with nothing
 * running, a caller's read starts at once.
 */
interface KeyState<T> {
  running?: Promise<T>;
  next?: Promise<T>;
}

export function sharedRead<K, T>(readOne: (key: K) => Promise<T>): (key: K) => Promise<T> {
  const states = new Map<K, KeyState<T>>();

  function start(key: K, state: KeyState<T>): Promise<T> {
    const running = readOne(key);
    state.running = running;
    const settle = () => {
      if (state.running === running) state.running = undefined;
      if (!state.running && !state.next) states.delete(key);
    };
    running.then(settle, settle);
    return running;
  }

  return (key) => {
    let state = states.get(key);
    if (!state) {
      state = {};
      states.set(key, state);
    }
    const { running } = state;
    if (!running) return start(key, state);
    if (state.next) return state.next;
    const keyState = state;
    const startNext = () => {
      keyState.next = undefined;
      return start(key, keyState);
    };
    keyState.next = running.then(startNext, startNext);
    return keyState.next;
  };
}
