import type { Portfolio as ApiPortfolio } from '../api/index.ts';
import { toApiApplication } from '../application/application-mapper.ts';
import { toApiGroup } from '../group/group-mapper.ts';
import type { PortfolioView } from './portfolio-service.ts';
import type { Portfolio } from './portfolio-store.ts';

/** API Portfolio (`organizationId`, upstream's spelling) with the nested lists the service included. */
export function toApiPortfolio(view: PortfolioView | Portfolio): ApiPortfolio {
  const v: PortfolioView = 'portfolio' in view ? view : { portfolio: view };
  const p = v.portfolio;
  const out: ApiPortfolio = {
    id: p.id,
    name: p.name,
    description: p.description,
    version: p.version,
    organizationId: p.organisationId,
    whenCreated: p.whenCreated.toISOString(),
    whenUpdated: p.whenUpdated.toISOString(),
  };
  if (p.whenArchived) out.whenArchived = p.whenArchived.toISOString();
  if (v.groups) out.groups = v.groups.map((g) => toApiGroup(g));
  if (v.applications) out.applications = v.applications.map(toApiApplication);
  return out;
}
