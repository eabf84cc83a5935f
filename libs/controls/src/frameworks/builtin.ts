/**
 * Built-in frameworks shipped as data. Migration 0006 loads these files into `frameworks`; this
 * module imports them so the compiler emits them next to the compiled code, and names the codes
 * a funder may not take for a grid of its own.
 */
import serviceFait from '../../data/service-fait.json';
import illustrativeGrid from '../../data/illustrative-funder-grid.json';

export const RNQ_CODE = 'RNQ';
export const SERVICE_FAIT_CODE = serviceFait.code;
/** The points of the service-fait checklist (a joint control grades them beside its own framework's). */
export const SERVICE_FAIT_POINT_CODES: readonly string[] = serviceFait.points.map((p) => p.code);
export const ILLUSTRATIVE_GRID_CODE = illustrativeGrid.code;

/** Codes of the built-in frameworks: reserved, so a code always names one framework for a funder. */
export const BUILTIN_FRAMEWORK_CODES: readonly string[] = [RNQ_CODE, SERVICE_FAIT_CODE, ILLUSTRATIVE_GRID_CODE];
