/** The trend charts as summary sections (list and verify show them). */
import { trendCharts, type TrendPoint } from '../report/trend.js';
import type { SummarySection } from './command.js';

export function trendSections(trend: TrendPoint[]): SummarySection[] {
  return trendCharts(trend).map((c) => ({ kind: 'mermaid', title: c.title, chart: c.chart }));
}
