import { describe, expect, it } from 'vitest';
import { AreaData } from '../../web/src/lib/map/area-data.svelte.ts';

// Issue 18: levels drawn from tiles are named by the heatmap's cell lists (AreaData.nameCells).
describe('AreaData.nameCells', () => {
  const grid = '44030700100101';
  const community = grid.slice(0, 12);

  it('names cells of deferred levels for the lineage, finest first', () => {
    const areas = new AreaData({ deferred: ['street', 'community', 'grid'] });
    areas.nameCells([{ code: community, name: '龙田社区' }]);
    areas.nameCells([{ code: grid, name: '第一网格' }]);
    expect(areas.lineage(grid).map((area) => [area.code, area.name, area.level])).toEqual([
      [grid, '第一网格', 'grid'],
      [community, '龙田社区', 'community'],
    ]);
  });

  it('takes a new name for a cell it has named already (the same number of names)', () => {
    const areas = new AreaData({ deferred: ['grid'] });
    areas.nameCells([{ code: grid, name: '第一网格' }]);
    areas.nameCells([{ code: grid, name: '第一网格（新）' }]);
    expect(areas.byCode.get(grid)?.name).toBe('第一网格（新）');
  });
});
