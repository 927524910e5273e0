import type { Feature } from 'geojson';

/**
 * The OGC API's documents as plain HTML for a browser (OGC API Features Part 1, conformance class
 * html). Built from the same JSON documents: every text is escaped, and the pages carry no script,
 * no inline style and no external resource, so the app's Content-Security-Policy holds unchanged.
 */

interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: unknown) => String(value ?? '').replace(/[&<>"']/g, (character) => ESCAPES[character]!);

/** A link to another page of this API asks for its HTML too; other links (OpenAPI, documentation) stay as they are. */
function htmlHref(link: Link): string {
  const url = new URL(link.href);
  if (url.pathname === '/ogc' || url.pathname.startsWith('/ogc/')) url.searchParams.set('f', 'html');
  return url.toString();
}

const anchor = (link: Link, text = link.title ?? link.rel) => `<a href="${escapeHtml(htmlHref(link))}">${escapeHtml(text)}</a>`;

/** The JSON encoding of the same page, for the alternate link. */
function jsonHref(link: Link | undefined): string | undefined {
  if (!link) return undefined;
  const url = new URL(link.href);
  url.searchParams.set('f', 'json');
  return url.toString();
}

function page(title: string, body: string, links: Link[]): string {
  const json = jsonHref(links.find((link) => link.rel === 'self'));
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
<h2>Links</h2>
<ul>${links.map((link) => `<li>${anchor(link)} <small>(${escapeHtml(link.rel)})</small></li>`).join('')}</ul>
${json ? `<p><a href="${escapeHtml(json)}">JSON</a></p>` : ''}
</body>
</html>`;
}

const paragraph = (text: unknown) => (text ? `<p>${escapeHtml(text)}</p>` : '');

/** A table of name/value rows: one feature's properties, a collection's facts. */
const definitionTable = (rows: [string, unknown][]) =>
  `<table><tbody>${rows.map(([name, value]) => `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(cellText(value))}</td></tr>`).join('')}</tbody></table>`;

const cellText = (value: unknown) => (value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));

interface Described {
  title?: string;
  description?: string;
  links: Link[];
}

export function landingHtml(document: Described): string {
  return page(document.title ?? 'OGC API', paragraph(document.description), document.links);
}

interface CollectionDocument extends Described {
  id: string;
  crs?: string[];
  storageCrs?: string;
  extent?: { spatial: { bbox: number[][] } };
}

export function collectionsHtml(document: { links: Link[]; collections: CollectionDocument[] }): string {
  const rows = document.collections.map((collection) => {
    const self = collection.links.find((link) => link.rel === 'self');
    const items = collection.links.find((link) => link.rel === 'items');
    return `<tr><td>${self ? anchor(self, collection.id) : escapeHtml(collection.id)}</td><td>${escapeHtml(collection.title)}</td><td>${escapeHtml(collection.description)}</td><td>${items ? anchor(items, 'items') : ''}</td></tr>`;
  });
  const table = `<table><thead><tr><th>id</th><th>title</th><th>description</th><th>features</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  return page('Collections', table, document.links);
}

export function collectionHtml(document: CollectionDocument): string {
  const facts = definitionTable([
    ['id', document.id],
    ['crs', (document.crs ?? []).join(' ')],
    ['storageCrs', document.storageCrs],
    ['extent', document.extent?.spatial.bbox[0]?.join(', ')],
  ]);
  return page(document.title ?? document.id, `${paragraph(document.description)}${facts}`, document.links);
}

export function itemsHtml(title: string, document: { numberMatched: number; numberReturned: number; features: Feature[]; links: Link[] }): string {
  const names = [...new Set(document.features.flatMap((feature) => Object.keys(feature.properties ?? {})))];
  const self = document.links.find((link) => link.rel === 'self');
  const itemLink = (id: unknown): string => {
    if (!self) return escapeHtml(id);
    const url = new URL(self.href);
    return anchor({ href: `${url.origin}${url.pathname}/${encodeURIComponent(String(id))}`, rel: 'item' }, String(id));
  };
  const rows = document.features.map(
    (feature) => `<tr><td>${itemLink(feature.id)}</td>${names.map((name) => `<td>${escapeHtml(cellText(feature.properties?.[name]))}</td>`).join('')}</tr>`,
  );
  const table = `<table><thead><tr><th>id</th>${names.map((name) => `<th>${escapeHtml(name)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
  const counts = paragraph(`${document.numberReturned} of ${document.numberMatched} features`);
  return page(title, `${counts}${table}`, document.links);
}

export function itemHtml(feature: Feature & { links: Link[] }): string {
  const facts = definitionTable([['geometry', feature.geometry?.type], ...Object.entries(feature.properties ?? {})]);
  return page(`Feature ${String(feature.id)}`, facts, feature.links);
}

/** Documents without a page of their own (conformance, queryables): their JSON, escaped. */
export function jsonHtml(title: string, document: unknown, self: string): string {
  return page(title, `<pre>${escapeHtml(JSON.stringify(document, null, 2))}</pre>`, [{ href: self, rel: 'self', title }]);
}
