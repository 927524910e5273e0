/**
 * The features of a GeoJSON FeatureCollection, found as the text streams in: a small scanner
 * follows strings and nesting, cuts out each element of the top-level "features" array and
 * JSON-parses that one feature. Only the current feature is held, however large the file.
 */

export interface GeoJsonFeature {
  /** Position in the collection, first = 1: the report's row number. */
  index: number;
  properties: Record<string, unknown>;
  geometry: unknown;
}

export class FeatureScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The last string seen directly inside the root object, and the key it turned into at ':'. */
  private rootString = '';
  private rootKey = '';
  private collectingRootString = false;
  /** Depth of the root "features" array while inside it. */
  private featuresDepth = 0;
  private sawFeatures = false;
  private featureParts: string[] = [];
  private featureStart = -1;
  private count = 0;

  push(chunk: string): GeoJsonFeature[] {
    const done: GeoJsonFeature[] = [];
    for (let index = 0; index < chunk.length; index += 1) {
      const char = chunk[index]!;
      if (this.inString) {
        this.scanString(char);
        continue;
      }
      if (char === '"') {
        this.inString = true;
        this.collectingRootString = this.depth === 1;
        this.rootString = '';
      } else if (char === ':' && this.depth === 1) {
        this.rootKey = this.rootString;
      } else if (char === '{' || char === '[') {
        this.open(char, chunk, index);
      } else if (char === '}' || char === ']') {
        this.close(chunk, index, done);
      }
    }
    if (this.featureStart >= 0) {
      this.featureParts.push(chunk.slice(this.featureStart));
      this.featureStart = 0;
    }
    return done;
  }

  /** Throws when the text held no FeatureCollection "features" array, or ended inside it. */
  end(): void {
    if (!this.sawFeatures) throw new Error('not a GeoJSON FeatureCollection: no "features" array');
    if (this.depth !== 0 || this.inString) throw new Error('the GeoJSON text ends in the middle of a value');
  }

  private scanString(char: string): void {
    if (this.escaped) this.escaped = false;
    else if (char === '\\') this.escaped = true;
    else if (char === '"') {
      this.inString = false;
      return;
    }
    if (this.collectingRootString && this.rootString.length < 64) this.rootString += char;
  }

  private open(char: string, chunk: string, index: number): void {
    if (this.depth === 1 && char === '[' && this.rootKey === 'features') {
      this.featuresDepth = this.depth + 1;
      this.sawFeatures = true;
    } else if (this.featuresDepth > 0 && this.depth === this.featuresDepth && char === '{') {
      this.featureStart = index;
      this.featureParts = [];
    }
    this.depth += 1;
    if (this.depth === 1 && char !== '{') throw new Error('not a GeoJSON FeatureCollection: the text is not a JSON object');
  }

  private close(chunk: string, index: number, done: GeoJsonFeature[]): void {
    this.depth -= 1;
    if (this.depth < 0) throw new Error('the GeoJSON text has an unmatched closing bracket');
    if (this.featuresDepth > 0 && this.depth === this.featuresDepth && this.featureStart >= 0) {
      this.featureParts.push(chunk.slice(this.featureStart, index + 1));
      done.push(this.feature(this.featureParts.join('')));
      this.featureStart = -1;
      this.featureParts = [];
    } else if (this.featuresDepth > 0 && this.depth === this.featuresDepth - 1) {
      this.featuresDepth = 0;
    }
  }

  private feature(text: string): GeoJsonFeature {
    this.count += 1;
    let parsed: { properties?: unknown; geometry?: unknown };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`feature ${this.count} is not valid JSON`);
    }
    const properties = parsed.properties !== null && typeof parsed.properties === 'object' ? (parsed.properties as Record<string, unknown>) : {};
    return { index: this.count, properties, geometry: parsed.geometry ?? null };
  }
}

export async function* geoJsonFeatures(text: AsyncIterable<string>): AsyncGenerator<GeoJsonFeature> {
  const scanner = new FeatureScanner();
  for await (const chunk of text) yield* scanner.push(chunk);
  scanner.end();
}
