import { RNQ } from '@bo/reference';
import { ACTION_CATEGORIES, RNQ_APPLICABILITY, deriveScope, resolveCategories, type ScopeFlag } from './scope';

const applicableCodes = (result: ReturnType<typeof deriveScope>) =>
  Object.entries(result.points)
    .filter(([, p]) => p.applicable)
    .map(([code]) => Number(code));

describe('rnq-applicability.json agrees with the RNQ reference', () => {
  it('maps exactly the certifying-only indicators to the certifying flag', () => {
    const fromReference = RNQ.indicators.filter((i) => i.certifying_actions_only).map((i) => i.number);
    const fromData = Object.entries(RNQ_APPLICABILITY.indicator_flags)
      .filter(([, flag]) => flag === 'certifying')
      .map(([n]) => Number(n));
    expect(fromData.sort((a, b) => a - b)).toEqual(fromReference);
  });

  it('gives a flag to every conditional indicator and to no other', () => {
    const conditional = RNQ.indicators.filter((i) => i.conditional_on !== null).map((i) => i.number);
    expect(Object.keys(RNQ_APPLICABILITY.indicator_flags).map(Number).sort((a, b) => a - b)).toEqual(conditional);
  });

  it('lists as apprenticeship-only exactly the CFA-only indicators marked for apprenticeship alone', () => {
    const cfaOnly = RNQ.indicators.filter((i) => i.cfa_only).map((i) => i.number);
    expect(RNQ_APPLICABILITY.apprenticeship_only_indicators).toEqual(cfaOnly);
    for (const n of cfaOnly) expect(RNQ.indicators.find((i) => i.number === n)!.applies_to).toEqual(['apprentissage']);
  });

  it('maps each category to an RNQ column and cites its sources', () => {
    expect(RNQ_APPLICABILITY.categories).toEqual({
      TRAINING: 'formation',
      SKILLS_ASSESSMENT: 'bilan',
      VAE: 'vae',
      APPRENTICESHIP: 'apprentissage',
    });
    expect(RNQ_APPLICABILITY.source.rnq_annex).toContain('LEGIARTI000038591641');
    expect(RNQ_APPLICABILITY.source.reference_file).toContain('rnq-indicators.json');
  });
});

describe('deriveScope with the default flags', () => {
  it.each([
    ['SKILLS_ASSESSMENT', 22],
    ['VAE', 24],
    ['APPRENTICESHIP', 32],
    ['TRAINING', 23],
  ] as const)('%s covers %i indicators', (category, count) => {
    const result = deriveScope({ chosenCategories: [category] });
    expect(result.counts.applicable).toBe(count);
    expect(result.counts.total).toBe(32);
    expect(result.counts.notApplicable).toBe(32 - count);
    expect(result.counts.byCategory[category]).toBe(count);
  });

  it('gives every non-applicable point a French reason naming the indicator', () => {
    const result = deriveScope({ chosenCategories: ['SKILLS_ASSESSMENT'] });
    for (const [code, point] of Object.entries(result.points)) {
      if (point.applicable) expect(point.reason).toBeUndefined();
      else expect(point.reason).toMatch(new RegExp(`^Non applicable : .*\\(indicateur ${code}\\)$`));
    }
    expect(result.points['14'].reason).toBe('Non applicable : indicateur propre aux actions de formation par apprentissage (indicateur 14)');
    expect(result.points['8'].reason).toBe("Non applicable : l'indicateur ne concerne pas les bilans de compétences (indicateur 8)");
  });

  it('excludes the certifying indicators of non-certifying training with the reason', () => {
    const result = deriveScope({ linkedActions: [{ category: 'TRAINING', certificationCode: null }] });
    expect(result.points['3']).toMatchObject({
      applicable: false,
      reason: "Non applicable : l'action ne conduit pas à une certification (indicateur 3)",
    });
    expect(result.points['13'].reason).toBe("Non applicable : l'action n'est pas dispensée en alternance (indicateur 13)");
    expect(result.points['28'].reason).toBe(
      "Non applicable : l'action ne comprend pas de période de formation en situation de travail (indicateur 28)",
    );
    const excluded = [3, 7, 13, 14, 15, 16, 20, 28, 29];
    expect(applicableCodes(result).filter((n) => excluded.includes(n))).toEqual([]);
    expect(applicableCodes(result)).toHaveLength(32 - excluded.length);
  });
});

describe('deriveScope for training', () => {
  it('ranges from 23 to 28 indicators with the flags', () => {
    const counts = new Set<number>();
    for (const certifying of [false, true])
      for (const alternance of [false, true])
        for (const workSituation of [false, true]) {
          const result = deriveScope({ chosenCategories: ['TRAINING'], flags: { TRAINING: { certifying, alternance, workSituation } } });
          counts.add(result.counts.applicable);
        }
    expect(Math.min(...counts)).toBe(23);
    expect(Math.max(...counts)).toBe(28);
  });

  it('is certifying when a linked training action has an RNCP or RS code', () => {
    for (const code of ['RNCP12345', 'RS1234', ' rncp 35001 ']) {
      const result = deriveScope({ linkedActions: [{ category: 'TRAINING' }, { category: 'TRAINING', certificationCode: code }] });
      expect(result.flags.TRAINING!.certifying).toBe(true);
      expect(result.flagSources.TRAINING!.certifying).toBe('IMPLIED');
      expect(result.counts.applicable).toBe(26);
      expect(result.points['3'].applicable).toBe(true);
    }
  });

  it('is not certifying with a Formacode or an unknown code only', () => {
    const result = deriveScope({ linkedActions: [{ category: 'TRAINING', certificationCode: '31054' }] });
    expect(result.flags.TRAINING!.certifying).toBe(false);
    expect(result.counts.applicable).toBe(23);
  });

  it('lets the officer set alternance and work situation', () => {
    const result = deriveScope({ chosenCategories: ['TRAINING'], flags: { TRAINING: { alternance: true, workSituation: true } } });
    expect(result.counts.applicable).toBe(25);
    expect(result.flagSources.TRAINING).toEqual({ certifying: 'DEFAULT', alternance: 'SET', workSituation: 'SET', subcontracting: 'DEFAULT' });
  });
});

describe('deriveScope and subcontracting', () => {
  it.each(ACTION_CATEGORIES.map((c) => [c]))('%s: subcontracting false removes indicator 27 with its reason', (category) => {
    const base = deriveScope({ chosenCategories: [category] });
    const without = deriveScope({ chosenCategories: [category], flags: { [category]: { subcontracting: false } } });
    expect(base.points['27'].applicable).toBe(true);
    expect(without.counts.applicable).toBe(base.counts.applicable - 1);
    expect(without.points['27']).toEqual({
      applicable: false,
      reason: 'Non applicable : le prestataire ne recourt ni à la sous-traitance ni au portage salarial (indicateur 27)',
      byCategory: { [category]: { applicable: false, reason: without.points['27'].reason } },
    });
  });
});

describe('deriveScope across several categories', () => {
  it('takes the union of the categories', () => {
    const bilan = deriveScope({ chosenCategories: ['SKILLS_ASSESSMENT'] });
    const vae = deriveScope({ chosenCategories: ['VAE'] });
    const both = deriveScope({ chosenCategories: ['VAE', 'SKILLS_ASSESSMENT'] });
    const union = [...new Set([...applicableCodes(bilan), ...applicableCodes(vae)])].sort((a, b) => a - b);
    expect(applicableCodes(both)).toEqual(union);
    expect(both.counts.applicable).toBe(24);
    expect(both.counts.byCategory).toEqual({ SKILLS_ASSESSMENT: 22, VAE: 24 });
    expect(both.points['3'].byCategory).toEqual({
      SKILLS_ASSESSMENT: { applicable: false, reason: expect.stringContaining('bilans de compétences') },
      VAE: { applicable: true },
    });
  });

  it('applies an indicator when one category needs it even if another excludes it by flag', () => {
    const result = deriveScope({
      chosenCategories: ['TRAINING', 'SKILLS_ASSESSMENT'],
      flags: { SKILLS_ASSESSMENT: { subcontracting: false } },
    });
    expect(result.points['27'].applicable).toBe(true);
    expect(result.points['27'].byCategory.SKILLS_ASSESSMENT!.applicable).toBe(false);
  });

  it('gives the flag reason when the categories that have the indicator exclude it by flag', () => {
    const result = deriveScope({ chosenCategories: ['TRAINING', 'SKILLS_ASSESSMENT'] });
    expect(result.points['3'].reason).toBe("Non applicable : l'action ne conduit pas à une certification (indicateur 3)");
    expect(result.points['8'].applicable).toBe(true);
  });

  it('names all the categories when none of them has the indicator', () => {
    const result = deriveScope({ chosenCategories: ['SKILLS_ASSESSMENT', 'VAE'] });
    expect(result.points['8'].reason).toBe(
      "Non applicable : l'indicateur ne concerne pas les bilans de compétences et actions de validation des acquis de l'expérience (indicateur 8)",
    );
  });

  it('covers all 32 indicators with apprenticeship and anything else', () => {
    expect(deriveScope({ chosenCategories: ['APPRENTICESHIP', 'SKILLS_ASSESSMENT'] }).counts.applicable).toBe(32);
  });
});

describe('categories and flags', () => {
  it('takes the categories of the linked actions, else the chosen ones, else (as a proposal) the certified ones', () => {
    expect(
      resolveCategories({
        linkedActions: [{ category: 'VAE' }, { category: 'VAE' }],
        certifiedCategories: ['TRAINING'],
        chosenCategories: ['SKILLS_ASSESSMENT'],
      }),
    ).toEqual({ categories: ['VAE'], source: 'LINKED_ACTIONS' });
    // The officer's choice wins over the provider's certification (issue 9, defect 1).
    expect(resolveCategories({ linkedActions: [], certifiedCategories: ['TRAINING'], chosenCategories: ['VAE'] })).toEqual({
      categories: ['VAE'],
      source: 'CHOSEN',
    });
    expect(resolveCategories({ certifiedCategories: ['VAE', 'TRAINING'] })).toEqual({ categories: ['TRAINING', 'VAE'], source: 'CERTIFIED_PROPOSAL' });
    expect(resolveCategories({ chosenCategories: ['VAE'] })).toEqual({ categories: ['VAE'], source: 'CHOSEN' });
    expect(resolveCategories({})).toEqual({ categories: [], source: 'NONE' });
  });

  it("keeps the officer's training scope and flags on a provider certified in all four categories", () => {
    const all = ['TRAINING', 'SKILLS_ASSESSMENT', 'VAE', 'APPRENTICESHIP'] as const;
    const chosen = deriveScope({ certifiedCategories: all, chosenCategories: ['TRAINING'], flags: { TRAINING: { subcontracting: false } } });
    expect(chosen).toMatchObject({ categories: ['TRAINING'], categorySource: 'CHOSEN', categoriesProposed: false });
    expect(chosen.counts).toMatchObject({ total: 32, applicable: 22 });
    expect(chosen.points['27']!.applicable).toBe(false);
    const proposed = deriveScope({ certifiedCategories: all, flags: { TRAINING: { subcontracting: false } } });
    expect(proposed).toMatchObject({ categorySource: 'CERTIFIED_PROPOSAL', categoriesProposed: true });
    expect(proposed.flags.TRAINING!.subcontracting).toBe(false);
    expect(proposed.flagSources.TRAINING!.subcontracting).toBe('SET');
  });

  it('implies certifying, alternance and work situation for apprenticeship, certifying for VAE', () => {
    const result = deriveScope({ chosenCategories: ['APPRENTICESHIP', 'VAE', 'SKILLS_ASSESSMENT'] });
    const all: Record<ScopeFlag, boolean> = { certifying: true, alternance: true, workSituation: true, subcontracting: true };
    expect(result.flags.APPRENTICESHIP).toEqual(all);
    expect(result.flags.VAE).toEqual({ ...all, alternance: false, workSituation: false });
    expect(result.flags.SKILLS_ASSESSMENT).toEqual({ certifying: false, alternance: false, workSituation: false, subcontracting: true });
  });

  it('lets a flag set false override an implied one, and records it as set', () => {
    const result = deriveScope({ chosenCategories: ['VAE'], flags: { VAE: { certifying: false } } });
    expect(result.flagSources.VAE!.certifying).toBe('SET');
    expect(result.counts.applicable).toBe(22);
    expect(result.points['16'].reason).toBe("Non applicable : l'action ne conduit pas à une certification (indicateur 16)");
  });

  it('ignores flags of categories outside the check', () => {
    const result = deriveScope({ chosenCategories: ['VAE'], flags: { TRAINING: { subcontracting: false } } });
    expect(result.flags.TRAINING).toBeUndefined();
    expect(result.points['27'].applicable).toBe(true);
  });

  it('applies nothing without any category', () => {
    const result = deriveScope({});
    expect(result.counts.applicable).toBe(0);
    expect(result.points['1'].reason).toBe("Non applicable : aucune catégorie d'action n'est retenue pour ce contrôle (indicateur 1)");
  });
});
