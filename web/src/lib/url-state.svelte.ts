/**
 * The address bar as reactive state: the page is the path (/overview, /police, …) and what the
 * user looks at lives in the query (layer, area, date, z, c, building, unit, compound), so any view can be
 * bookmarked or sent to a colleague, and Back/Forward walk through what the user did.
 *
 * Discrete choices (a layer, an area, a month, a building) push a history entry; moving the map
 * replaces the current one, so Back goes to the previous choice, not to every pan.
 */

export type HistoryMode = 'push' | 'replace';
/** New values for some parameters; undefined, null or '' removes one. */
export type ParamChanges = Record<string, string | number | undefined | null>;

/** Commas separate a centre's longitude and latitude; leaving them unescaped keeps URLs readable. */
function queryString(params: URLSearchParams): string {
  const parts = [...params].map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value).replace(/%2C/gi, ',')}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

function withChanges(search: string, changes: ParamChanges): URLSearchParams {
  const next = new URLSearchParams(search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === null || value === '') next.delete(key);
    else next.set(key, String(value));
  }
  return next;
}

class UrlState {
  path = $state(location.pathname);
  search = $state(location.search);
  params = $derived(new URLSearchParams(this.search));

  constructor() {
    window.addEventListener('popstate', () => this.#readLocation());
  }

  get(key: string): string | undefined {
    return this.params.get(key) ?? undefined;
  }

  /** Change some parameters of the current page. */
  update(changes: ParamChanges, mode: HistoryMode = 'push'): void {
    this.#write(location.pathname, withChanges(location.search, changes), mode);
  }

  /** Open another page, with only the parameters given. */
  go(path: string, params: ParamChanges = {}, mode: HistoryMode = 'push'): void {
    this.#write(path, withChanges('', params), mode);
  }

  #write(path: string, params: URLSearchParams, mode: HistoryMode): void {
    const target = path + queryString(params);
    if (target === location.pathname + location.search) return;
    if (mode === 'push') history.pushState(null, '', target);
    else history.replaceState(null, '', target);
    this.#readLocation();
  }

  #readLocation(): void {
    this.path = location.pathname;
    this.search = location.search;
  }
}

export const url = new UrlState();
