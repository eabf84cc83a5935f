/**
 * Scope of a quality check against the RNQ: which indicators apply, and why the others do not.
 *
 * The rules are data: `libs/controls/data/rnq-applicability.json` maps each conditional indicator
 * to the scope flag it needs and the check categories to the RNQ annex columns; the category marks
 * themselves come from the RNQ reference (`applies_to`). This module only combines them.
 */
import { RNQ, type RnqCategory, type RnqIndicator } from '@bo/reference';
import { ACTION_CATEGORIES, type ActionCategory } from '@bo/registry';
import applicabilityFile from '../../data/rnq-applicability.json';

export { ACTION_CATEGORIES, type ActionCategory };

export type ScopeFlag = 'certifying' | 'alternance' | 'workSituation' | 'subcontracting';
export const SCOPE_FLAGS: readonly ScopeFlag[] = ['certifying', 'alternance', 'workSituation', 'subcontracting'];
export type ScopeFlags = Record<ScopeFlag, boolean>;

/** Where a flag's value came from: set by the officer, implied by the facts, or the default. */
export type FlagSource = 'SET' | 'IMPLIED' | 'DEFAULT';

/**
 * Where the check's categories came from, in order of precedence: the linked (or sampled)
 * actions, then the officer's explicit choice, then, only as a proposal shown as such, the
 * categories the provider is certified for.
 */
export type CategorySource = 'LINKED_ACTIONS' | 'CHOSEN' | 'CERTIFIED_PROPOSAL' | 'NONE';
export const CATEGORY_SOURCES: readonly CategorySource[] = ['LINKED_ACTIONS', 'CHOSEN', 'CERTIFIED_PROPOSAL', 'NONE'];

export interface LinkedActionFacts {
  category: ActionCategory;
  /** `RNCP12345`, `RS1234`, or nothing. */
  certificationCode?: string | null;
}

export interface ScopeContext {
  /** The funded actions linked to the check: their categories win when there are any. */
  linkedActions?: readonly LinkedActionFacts[];
  /** Categories chosen by the officer: used when no action is linked. */
  chosenCategories?: readonly ActionCategory[];
  /** Categories the provider is certified for: only a proposal, when neither of the above gives any. */
  certifiedCategories?: readonly ActionCategory[];
  /** Flags set explicitly by the officer, per category: they always apply, whatever the categories' source. */
  flags?: Partial<Record<ActionCategory, Partial<ScopeFlags>>>;
}

export interface PointApplicability {
  applicable: boolean;
  /** French, shown to users; present when not applicable. */
  reason?: string;
}

export interface PointScope extends PointApplicability {
  /** The same verdict for each category of the check; the point applies when any category does. */
  byCategory: Partial<Record<ActionCategory, PointApplicability>>;
}

export interface ScopeResult {
  categories: ActionCategory[];
  categorySource: CategorySource;
  /** True when the categories are only proposed from the provider's certification: the officer should confirm or choose. */
  categoriesProposed: boolean;
  flags: Partial<Record<ActionCategory, ScopeFlags>>;
  flagSources: Partial<Record<ActionCategory, Record<ScopeFlag, FlagSource>>>;
  /** Keyed by point code (the indicator number as a string, as in `framework_points.code`). */
  points: Record<string, PointScope>;
  counts: {
    total: number;
    applicable: number;
    notApplicable: number;
    byCategory: Partial<Record<ActionCategory, number>>;
  };
}

interface FlagRule {
  default: boolean;
  implied_by_categories: ActionCategory[];
  implied_by_certification_code?: { categories: ActionCategory[]; pattern: string };
  reason_fr: string;
}

interface ApplicabilityData {
  source: Record<string, string>;
  categories: Record<ActionCategory, RnqCategory>;
  category_labels_fr: Record<ActionCategory, string>;
  flags: Record<ScopeFlag, FlagRule>;
  indicator_flags: Record<string, ScopeFlag>;
  apprenticeship_only_indicators: number[];
  category_reasons_fr: { apprenticeship_only: string; not_in_categories: string; no_category: string };
}

/** The applicability data, checked once at load so a typo in the file fails loudly. */
export const RNQ_APPLICABILITY: ApplicabilityData = checkData(applicabilityFile as unknown as ApplicabilityData);

function checkData(data: ApplicabilityData): ApplicabilityData {
  for (const category of ACTION_CATEGORIES) {
    if (!data.categories[category]) throw new Error(`rnq-applicability.json: no RNQ column for category ${category}`);
  }
  for (const flag of SCOPE_FLAGS) {
    if (!data.flags[flag]) throw new Error(`rnq-applicability.json: no rule for flag ${flag}`);
  }
  for (const [indicator, flag] of Object.entries(data.indicator_flags)) {
    if (!SCOPE_FLAGS.includes(flag)) throw new Error(`rnq-applicability.json: indicator ${indicator} needs unknown flag ${flag}`);
  }
  return data;
}

const CODE_PATTERNS = new Map<ScopeFlag, RegExp>(
  SCOPE_FLAGS.flatMap((flag) => {
    const rule = RNQ_APPLICABILITY.flags[flag].implied_by_certification_code;
    return rule ? [[flag, new RegExp(rule.pattern)] as [ScopeFlag, RegExp]] : [];
  }),
);

function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

function normaliseCode(code: string | null | undefined): string {
  return (code ?? '').replace(/\s+/g, '').toUpperCase();
}

function unique(categories: readonly ActionCategory[]): ActionCategory[] {
  return ACTION_CATEGORIES.filter((c) => categories.includes(c));
}

/**
 * The check's categories: of the linked actions, else the officer's explicit choice, else (only
 * as a proposal) the categories the provider is certified for. The officer's choice is never
 * overridden by the provider's certification.
 */
export function resolveCategories(context: ScopeContext): { categories: ActionCategory[]; source: CategorySource } {
  const linked = unique((context.linkedActions ?? []).map((a) => a.category));
  if (linked.length > 0) return { categories: linked, source: 'LINKED_ACTIONS' };
  const chosen = unique(context.chosenCategories ?? []);
  if (chosen.length > 0) return { categories: chosen, source: 'CHOSEN' };
  const certified = unique(context.certifiedCategories ?? []);
  if (certified.length > 0) return { categories: certified, source: 'CERTIFIED_PROPOSAL' };
  return { categories: [], source: 'NONE' };
}

/** The flags of one category: set by the officer, else implied by the category or the linked actions, else default. */
export function resolveFlags(
  category: ActionCategory,
  context: ScopeContext,
): { flags: ScopeFlags; sources: Record<ScopeFlag, FlagSource> } {
  const set = context.flags?.[category] ?? {};
  const actions = (context.linkedActions ?? []).filter((a) => a.category === category);
  const flags = {} as ScopeFlags;
  const sources = {} as Record<ScopeFlag, FlagSource>;
  for (const flag of SCOPE_FLAGS) {
    const rule = RNQ_APPLICABILITY.flags[flag];
    const explicit = set[flag];
    if (typeof explicit === 'boolean') {
      flags[flag] = explicit;
      sources[flag] = 'SET';
      continue;
    }
    const pattern = CODE_PATTERNS.get(flag);
    const implied =
      rule.implied_by_categories.includes(category) ||
      (pattern !== undefined &&
        (rule.implied_by_certification_code?.categories ?? []).includes(category) &&
        actions.some((a) => pattern.test(normaliseCode(a.certificationCode))));
    flags[flag] = implied ? true : rule.default;
    sources[flag] = implied ? 'IMPLIED' : 'DEFAULT';
  }
  return { flags, sources };
}

function applicabilityFor(indicator: RnqIndicator, category: ActionCategory, flags: ScopeFlags): PointApplicability {
  const n = indicator.number;
  if (!indicator.applies_to.includes(RNQ_APPLICABILITY.categories[category])) {
    return { applicable: false, reason: categoryReason(indicator, [category]) };
  }
  const flag = RNQ_APPLICABILITY.indicator_flags[String(n)];
  if (flag !== undefined && !flags[flag]) {
    return { applicable: false, reason: fill(RNQ_APPLICABILITY.flags[flag].reason_fr, { n }) };
  }
  return { applicable: true };
}

function categoryReason(indicator: RnqIndicator, categories: ActionCategory[]): string {
  const reasons = RNQ_APPLICABILITY.category_reasons_fr;
  const n = indicator.number;
  if (RNQ_APPLICABILITY.apprenticeship_only_indicators.includes(n)) return fill(reasons.apprenticeship_only, { n });
  const labels = categories.map((c) => RNQ_APPLICABILITY.category_labels_fr[c]);
  const list = labels.length <= 1 ? labels.join('') : `${labels.slice(0, -1).join(', ')} et ${labels[labels.length - 1]}`;
  return fill(reasons.not_in_categories, { n, categories: list });
}

/**
 * Which RNQ indicators a check covers. A point applies when it applies to at least one category
 * of the check (union); otherwise its reason is the flag that excluded it (when a category would
 * have covered it but a flag is false), else the category rule.
 */
export function deriveScope(context: ScopeContext, indicators: readonly RnqIndicator[] = RNQ.indicators): ScopeResult {
  const { categories, source } = resolveCategories(context);
  const flags: ScopeResult['flags'] = {};
  const flagSources: ScopeResult['flagSources'] = {};
  for (const category of categories) {
    const resolved = resolveFlags(category, context);
    flags[category] = resolved.flags;
    flagSources[category] = resolved.sources;
  }

  const points: Record<string, PointScope> = {};
  const byCategoryCount: Partial<Record<ActionCategory, number>> = Object.fromEntries(categories.map((c) => [c, 0]));
  let applicableCount = 0;
  for (const indicator of [...indicators].sort((a, b) => a.number - b.number)) {
    const byCategory: PointScope['byCategory'] = {};
    for (const category of categories) {
      const verdict = applicabilityFor(indicator, category, flags[category]!);
      byCategory[category] = verdict;
      if (verdict.applicable) byCategoryCount[category]! += 1;
    }
    const verdicts = categories.map((c) => byCategory[c]!);
    let point: PointScope;
    if (verdicts.some((v) => v.applicable)) {
      point = { applicable: true, byCategory };
      applicableCount += 1;
    } else if (categories.length === 0) {
      point = { applicable: false, reason: fill(RNQ_APPLICABILITY.category_reasons_fr.no_category, { n: indicator.number }), byCategory };
    } else {
      // A category that has the indicator but a false flag explains better than one that never has it.
      const covering = categories.filter((c) => indicator.applies_to.includes(RNQ_APPLICABILITY.categories[c]));
      const reason = covering.length > 0 ? byCategory[covering[0]]!.reason! : categoryReason(indicator, categories);
      point = { applicable: false, reason, byCategory };
    }
    points[String(indicator.number)] = point;
  }

  return {
    categories,
    categorySource: source,
    categoriesProposed: source === 'CERTIFIED_PROPOSAL',
    flags,
    flagSources,
    points,
    counts: {
      total: indicators.length,
      applicable: applicableCount,
      notApplicable: indicators.length - applicableCount,
      byCategory: byCategoryCount,
    },
  };
}
