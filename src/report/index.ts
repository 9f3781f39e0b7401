/**
 * @module cartback/report — the recovery report rendered for people: text for a terminal, one
 * self-contained HTML page, and the store reader that builds it.
 */
export { reportFromStore, type StoreReportOptions } from "../runtime/recovery-report.js";
export { renderReportHtml } from "./html.js";
export { renderReportText } from "./text.js";
