import { describe, expect, it } from 'vitest';
import { unitLabel } from '../../web/src/lib/analytics/format.ts';
import { ApiError } from '../../web/src/lib/api/client.ts';
import { describeError } from '../../web/src/lib/describe-error.ts';
import { translate, type Locale, type MessageKey, type MessageParams } from '../../web/src/lib/i18n.ts';

/** Issue 16 item 8: heat-layer errors and units in the user's language, never an internal name. */
const inLocale = (locale: Locale) => (key: MessageKey, params?: MessageParams) => translate(locale, key, params);
const CJK = /[\u4e00-\u9fff]/;

describe('heat-layer errors', () => {
  const badView = new ApiError(400, 'invalid_request', 'Invalid query: bbox: is required for hex and square levels', { fields: [{ field: 'bbox' }] });

  it('name the field in words, not as the API spells it', () => {
    expect(describeError(badView, inLocale('zh-CN'))).toContain('地图范围');
    expect(describeError(badView, inLocale('zh-CN'))).not.toContain('bbox');
    expect(describeError(badView, inLocale('en'))).toContain('map view');
  });

  it('say a slow or missing layer in the user’s language', () => {
    expect(describeError(new ApiError(503, 'query_timeout', 'The query took too long'), inLocale('zh-CN'))).toMatch(CJK);
    expect(describeError(new ApiError(409, 'not_available', 'Rental tiers are not available'), inLocale('zh-CN'))).toBe('该图层暂不可用。');
  });
});

describe('units', () => {
  it('come from i18n: the English interface never shows 人/km²', () => {
    for (const unit of ['人/km²', '人', '起', '户', '栋', '套']) {
      expect(unitLabel(unit, inLocale('en'))).not.toMatch(CJK);
      expect(unitLabel(unit, inLocale('zh-CN'))).toMatch(CJK);
    }
    expect(unitLabel('人/km²', inLocale('en'))).toBe('people/km²');
  });
});
