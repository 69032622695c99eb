/**
 * Output for plans, drift and apply reports in the three formats of `--format`. One
 * dispatch per report type; the renderers themselves are pure string builders.
 * `color` applies to text only (JSON and Markdown never carry ANSI codes).
 */
import type { Format } from './format.js';
import type { Plan } from '../model/plan.js';
import type { ApplyReport, DriftReport } from '../model/reports.js';
import { renderApplyJson, renderDriftJson, renderPlanJson } from './json.js';
import { renderApplyMarkdown, renderDriftMarkdown, renderPlanMarkdown } from './markdown.js';
import { renderApplyText, renderDriftText, renderPlanText } from './text.js';

export interface RenderOptions {
  color: boolean;
}

function unknownFormat(format: never): never {
  throw new Error(`unknown output format ${String(format)}`);
}

export function renderPlan(plan: Plan, format: Format, opts: RenderOptions = { color: false }): string {
  switch (format) {
    case 'text':
      return renderPlanText(plan, opts);
    case 'json':
      return renderPlanJson(plan);
    case 'markdown':
      return renderPlanMarkdown(plan);
    default:
      return unknownFormat(format);
  }
}

export function renderDrift(report: DriftReport, format: Format, opts: RenderOptions = { color: false }): string {
  switch (format) {
    case 'text':
      return renderDriftText(report, opts);
    case 'json':
      return renderDriftJson(report);
    case 'markdown':
      return renderDriftMarkdown(report);
    default:
      return unknownFormat(format);
  }
}

export function renderApply(report: ApplyReport, format: Format, opts: RenderOptions = { color: false }): string {
  switch (format) {
    case 'text':
      return renderApplyText(report, opts);
    case 'json':
      return renderApplyJson(report);
    case 'markdown':
      return renderApplyMarkdown(report);
    default:
      return unknownFormat(format);
  }
}

export { renderPlanText, renderDriftText, renderApplyText, textDiff, clean } from './text.js';
export { renderPlanMarkdown, renderDriftMarkdown, renderApplyMarkdown, escapeMd, escapeHtml, blockquote, codeFence } from './markdown.js';
export { renderPlanJson, renderDriftJson, renderApplyJson, snakeKeys } from './json.js';
export { palette, stripAnsi } from './color.js';
