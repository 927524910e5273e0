import { HEATMAP_METRICS as METRIC_NAMES, PERSON_CATEGORIES, type HeatmapMetric as MetricName, type PersonCategory } from './word-lists.ts';

/**
 * What each heatmap metric shows: its source of per-grid figures, the figures a cell carries
 * for tooltips, how its value follows from them, and which people it describes (for the
 * leader's small-cell suppression).
 */
// The list lives in domain/word-lists.ts (the web and the contracts read it too).
export { METRIC_NAMES, type MetricName };

/** Named whole-number figures of one grid, area or point, e.g. { floating: 12, registered: 40 }. */
export type Figures = Record<string, number>;

export type FigureSourceName = 'population' | 'cases' | 'units' | 'rental_tiers';
export const RENTAL_TIERS = ['red', 'yellow', 'green', 'star'] as const;
export type RentalTier = (typeof RENTAL_TIERS)[number];
export type CategoryChoice = PersonCategory | 'all';

export interface MetricOptions {
  category: CategoryChoice;
  tier: RentalTier;
}

export interface MetricDefinition {
  label: string;
  unit: string;
  source: FigureSourceName;
  definition: string;
  /** The source columns the figures need (default: all of the source's). Fewer columns, less to read and parse. */
  reads?(options: MetricOptions): readonly string[];
  /** The figures a cell reports, from the summed source columns. */
  figures(sums: Figures, options: MetricOptions): Figures;
  /** The mapped value; null when it is undefined for the cell (a rate over nobody). */
  value(figures: Figures, areaKm2: number, options: MetricOptions): number | null;
  /** How many people the value is about; absent when the metric does not count people. */
  people?(figures: Figures): number;
}

export const roundTo2 = (value: number) => Math.round(value * 100) / 100;
/** A share in percent, rounded to 0.01; null when the denominator is zero. */
export const percent = (numerator: number, denominator: number) => (denominator > 0 ? roundTo2((100 * numerator) / denominator) : null);

const OPEN_ON_DAY = 'a residency counts on asOf when moved_in <= asOf and (moved_out is null or moved_out > asOf): not on its move-out day';
/** Who counts as found unregistered: sql/0020_found_unregistered.sql. */
export const FOUND_UNREGISTERED =
  "floating people found living in the area by a visit's person check in the 365 days ending asOf (the latest such check) who were registered there on no stay, and who have no residency covering asOf and none registered by asOf that was open after that visit";
const totalPeople = (sums: Figures) => sums.registered! + sums.lodging! + sums.floating! + sums.overseas!;

export const METRICS: Record<MetricName, MetricDefinition> = {
  floating_density: {
    label: '流动人口密度',
    unit: '人/km²',
    source: 'population',
    definition: `floating people (category floating) living on asOf in units of the cell's buildings, divided by the cell's area in km²; ${OPEN_ON_DAY}`,
    reads: () => ['floating'],
    figures: (sums) => ({ floating: sums.floating! }),
    value: (figures, areaKm2) => (areaKm2 > 0 ? roundTo2(figures.floating! / areaKm2) : null),
    people: (figures) => figures.floating!,
  },
  population: {
    label: '实有人口',
    unit: '人',
    source: 'population',
    definition: `people of the chosen category (or all) living on asOf in units of the cell's buildings; ${OPEN_ON_DAY}`,
    reads: (options) => (options.category === 'all' ? PERSON_CATEGORIES : [options.category]),
    figures: (sums, options) => ({ people: options.category === 'all' ? totalPeople(sums) : sums[options.category]! }),
    value: (figures) => figures.people!,
    people: (figures) => figures.people!,
  },
  registration_rate: {
    label: '居住登记率',
    unit: '%',
    source: 'population',
    definition: `registered ÷ found × 100: found = floating people living in the cell on asOf, plus ${FOUND_UNREGISTERED}; registered = floating people living there whose residency was registered on or before asOf (registered_at <= asOf); ${OPEN_ON_DAY}`,
    reads: () => ['floating_registered', 'floating', 'floating_found_unregistered'],
    figures: (sums) => ({
      registered: sums.floating_registered!,
      found: sums.floating! + sums.floating_found_unregistered!,
      foundUnregistered: sums.floating_found_unregistered!,
    }),
    value: (figures) => percent(figures.registered!, figures.found!),
    people: (figures) => figures.found!,
  },
  permit_rate: {
    label: '发证率',
    unit: '%',
    source: 'population',
    definition: `holding ÷ eligible × 100: eligible = floating people living in the cell on asOf; holding = those with a residence permit valid on asOf (issued_on <= asOf <= expires_on, not revoked on or before asOf); ${OPEN_ON_DAY}`,
    reads: () => ['floating_permitted', 'floating'],
    figures: (sums) => ({ holding: sums.floating_permitted!, eligible: sums.floating! }),
    value: (figures) => percent(figures.holding!, figures.eligible!),
    people: (figures) => figures.eligible!,
  },
  cases: {
    label: '案件数',
    unit: '起',
    source: 'cases',
    definition:
      "criminal and public-order cases whose local (Asia/Shanghai) date lies in [from, to], filtered by kind and category when given; a case belongs to its grid code, else to its building's grid; cases with neither are not counted. inRental: in a rented unit, or (no unit) in a building with a rented unit",
    figures: (sums) => ({ cases: sums.cases!, criminal: sums.criminal!, publicOrder: sums.public_order!, inRental: sums.in_rental! }),
    value: (figures) => figures.cases!,
  },
  rental_units: {
    label: '出租房屋',
    unit: '户',
    source: 'units',
    definition:
      'rental houses (出租房屋) = let dwellings in active buildings: each unit whose use is rented, and each household of a unit let to several (分租, units.let_households) apart; rentedUnits counts the let units, rentalBuildings the buildings with one (beside, not the value); current state (units keep no history, so asOf does not apply)',
    figures: (sums) => ({
      rentalHouses: sums.rental_houses!,
      rentedUnits: sums.rented_units!,
      rentalBuildings: sums.rental_buildings!,
      registeredRentalUnits: sums.registered_rental_units!,
      units: sums.units!,
    }),
    value: (figures) => figures.rentalHouses!,
  },
  rental_tiers: {
    label: '出租屋三色四级',
    unit: '栋',
    source: 'rental_tiers',
    definition: 'rental buildings per tier in the latest scoring month on or before asOf; the value is the count of the chosen tier (default red)',
    figures: (sums) => ({
      red: sums.red!,
      yellow: sums.yellow!,
      green: sums.green!,
      star: sums.star!,
      scored: sums.red! + sums.yellow! + sums.green! + sums.star!,
    }),
    value: (figures, _areaKm2, options) => figures[options.tier]!,
  },
};
