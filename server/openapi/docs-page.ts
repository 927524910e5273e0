import type { JsonSchema, OpenApiDocument, Operation, Parameter } from './document.ts';

/**
 * The OpenAPI document as one static HTML page: rendered here, with no script and nothing
 * from a CDN, so it works offline and under the app's Content-Security-Policy.
 */

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!);

/** A schema in a few words: type, allowed values, bounds, default. */
export function describeSchema(schema: JsonSchema): string {
  const parts: string[] = [];
  if (Array.isArray(schema.enum)) parts.push(schema.enum.map(String).join(' | '));
  else if (typeof schema.type === 'string') parts.push(schema.type);
  if (schema.minimum !== undefined || schema.maximum !== undefined) parts.push(`${schema.minimum ?? '…'} to ${schema.maximum ?? '…'}`);
  if (typeof schema.pattern === 'string') parts.push(`pattern ${schema.pattern}`);
  if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
  return parts.join(', ') || 'any';
}

function parameterRow(parameter: Parameter): string {
  const cells = [parameter.name, parameter.in, parameter.required ? 'yes' : 'no', describeSchema(parameter.schema), parameter.description ?? ''];
  return `<tr>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`;
}

function operationSection(path: string, method: string, operation: Operation): string {
  const access = operation['x-public'] ? 'public (no login)' : `roles: ${(operation['x-roles'] ?? []).join(', ')}`;
  const parameters = operation.parameters.length
    ? `<table><thead><tr><th>name</th><th>in</th><th>required</th><th>schema</th><th>description</th></tr></thead>
       <tbody>${operation.parameters.map(parameterRow).join('')}</tbody></table>`
    : '';
  const body = Object.entries(operation.requestBody?.content ?? {})
    .map(
      ([media, { schema }]) =>
        `<details><summary>${escapeHtml(media === 'application/json' ? 'JSON body' : `body (${media})`)}</summary><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details>`,
    )
    .join('');
  return `<article id="${escapeHtml(operation.operationId)}">
    <h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
    <p>${escapeHtml(operation.summary)}</p><p class="access">${escapeHtml(access)}</p>${parameters}${body}</article>`;
}

function operationsByTag(document: OpenApiDocument): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const tag = operation.tags[0] ?? 'api';
      sections.set(tag, [...(sections.get(tag) ?? []), operationSection(path, method, operation)]);
    }
  }
  return sections;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1f2933}
code,pre{font-family:ui-monospace,monospace}pre{background:#f5f7fa;padding:.5rem;overflow:auto}
article{border-top:1px solid #d9e2ec;padding:.5rem 0}h3{margin:.25rem 0;font-size:1rem}
.method{display:inline-block;min-width:4rem;font-weight:600}.get{color:#1769aa}.post{color:#2f8132}.put,.patch{color:#a65d00}.delete{color:#b42318}
.access{color:#52606d;font-size:.9rem}table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #d9e2ec;padding:.2rem .5rem;text-align:left}`;

export function renderDocsPage(document: OpenApiDocument): string {
  const sections = [...operationsByTag(document)].sort(([a], [b]) => a.localeCompare(b));
  const contents = sections.map(([tag]) => `<a href="#tag-${escapeHtml(tag)}">${escapeHtml(tag)}</a>`).join(' · ');
  const body = sections
    .map(([tag, operations]) => `<section id="tag-${escapeHtml(tag)}"><h2>${escapeHtml(tag)}</h2>${operations.join('\n')}</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(document.info.title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(document.info.title)} <small>${escapeHtml(document.info.version)}</small></h1>
<p>${escapeHtml(document.info.description)}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${escapeHtml(document.openapi)}) · GIS clients: <a href="/ogc">/ogc</a> (OGC API Features)</p>
<nav>${contents}</nav>
${body}
</body></html>`;
}
