// Who sees a check, in words (the API answers with codes and lists: docs/sharing.md).
import type { Dto } from '../../api/dto';

type CheckAudience = Dto<'CheckAudienceDto'>;

const names = (list: { name: string }[]) => list.map((f) => f.name).join(', ');

export function audienceInWords(a: CheckAudience): string {
  const parts: string[] = [];
  if (a.mode === 'PRIVATE') parts.push('Seule votre organisation voit ce contrôle.');
  if (a.mode === 'POOL')
    parts.push(
      a.needToKnowYears
        ? `Tous les financeurs qui ont financé cet organisme au cours des ${a.needToKnowYears} dernières années voient ce contrôle (besoin d’en connaître).`
        : 'Tous les financeurs voient ce contrôle (mutualisation).',
    );
  if (a.mode === 'NAMED') parts.push(`Votre organisation et ${names(a.funders)} voient ce contrôle.`);
  if (a.mandatingFunders.length) parts.push(`Par mandat, ${names(a.mandatingFunders)} le voi${a.mandatingFunders.length > 1 ? 'ent' : 't'} aussi.`);
  if (!a.effective && a.mode !== 'PRIVATE') parts.push('Le partage s’appliquera quand le contrôle sera terminé.');
  parts.push('Les pièces contenant des données personnelles ne sont jamais montrées aux autres : seules leur existence et leur empreinte le sont.');
  return parts.join(' ');
}
