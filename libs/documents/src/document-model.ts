/**
 * A neutral description of a document (a notification letter, a check export, a report
 * package), rendered to PDF here and serialised to JSON by the callers. Keeping one model means
 * the PDF and the JSON export of the same thing cannot say different things.
 */
export interface DocumentTable {
  columns: { header: string; width?: number }[];
  rows: string[][];
}

export interface DocumentSection {
  heading: string;
  paragraphs?: string[];
  /** Label/value pairs, printed as a two-column list. */
  fields?: [string, string][];
  table?: DocumentTable;
}

export interface DocumentModel {
  title: string;
  subtitle?: string;
  /** Who issues it (printed at the top, and the PDF author). */
  issuer: string;
  /** Fixed creation time, so that the same content renders the same bytes. */
  createdAt: Date;
  /** IANA zone in which dates are printed (the provider region's); Europe/Paris by default. */
  timeZone?: string;
  /** A reference printed in the footer of every page (e.g. the check id and version). */
  reference?: string;
  sections: DocumentSection[];
}
