/**
 * Who reads grid analytics (heatmaps and KPIs). Aggregates carry no person data, so leader,
 * planner and police may read them (police and collectors only inside their jurisdiction,
 * leaders with small cells suppressed); admin and auditor hold no brief for population figures
 * (三权分立) and get 403.
 */
export const ANALYTICS_READERS = ['leader', 'planner', 'police', 'collector'] as const;
