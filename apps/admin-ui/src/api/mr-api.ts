import { ApiError } from './errors.ts';
import { type HttpClient, seg } from './http.ts';
import type {
  Application,
  ApplicationFeatureValues,
  ApplicationPermissions,
  ApplicationRolloutStrategy,
  ApplicationRolloutStrategyList,
  ApplicationSummary,
  CreateEnvironment,
  CreateFeature,
  CreatePersonDetails,
  CreateServiceAccount,
  Environment,
  Feature,
  FeatureFilter,
  FeatureGroup,
  FeatureGroupCreate,
  FeatureGroupFeature,
  FeatureGroupList,
  FeatureGroupListGroup,
  FeatureGroupUpdate,
  FeatureHistoryList,
  FeatureValue,
  FeatureValueType,
  Group,
  HiddenEnvironments,
  IdentityProviderInfo,
  Person,
  PersonRegistrationDetails,
  Portfolio,
  RegistrationUrl,
  ResetApiKeyType,
  RolloutStrategy,
  RolloutStrategyInstance,
  RolloutStrategyValidationResponse,
  SearchFeatureFilterResult,
  SearchPersonResult,
  ServiceAccount,
  SetupResponse,
  SetupSiteAdmin,
  SortOrder,
  TokenizedPerson,
  UpdateEnvironmentV2,
  UpdatePerson,
} from './types.ts';

/** Whether the MR has been set up: the first-run wizard shows while it is not. */
export type SetupState =
  | { installed: true; setup: SetupResponse }
  | { installed: false; providers: string[]; providerInfo: Record<string, IdentityProviderInfo> };

export interface DashboardQuery {
  environmentIds?: string[];
  filter?: string;
  max?: number;
  page?: number;
  featureTypes?: FeatureValueType[];
  sortOrder?: SortOrder;
  /** API 1.2.6: only features carrying one of these feature filters. */
  featureFilter?: string[];
}

export interface GroupUpdateFlags {
  updateApplicationGroupRoles?: boolean;
  updateEnvironmentGroupRoles?: boolean;
  updateMembers?: boolean;
  applicationId?: string;
}

/** The MR admin API operations the UI uses, one method each, named after the upstream operationId. */
export class MrApi {
  readonly http: HttpClient;

  constructor(http: HttpClient) {
    this.http = http;
  }

  // --- setup and sessions -------------------------------------------------------------------------

  /** What the last setupState() found on a server not yet set up (the setup page offers its providers). */
  lastSetupMissing: Extract<SetupState, { installed: false }> | undefined;

  async setupState(): Promise<SetupState> {
    try {
      const setup = await this.http.get<SetupResponse>('/initialize', { anonymous: true });
      return { installed: true, setup };
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        const body = e.body as
          | { providers?: string[]; providerInfo?: Record<string, IdentityProviderInfo> }
          | undefined;
        this.lastSetupMissing = {
          installed: false,
          providers: body?.providers ?? ['local'],
          providerInfo: body?.providerInfo ?? {},
        };
        return this.lastSetupMissing;
      }
      throw e;
    }
  }

  initialize(details: SetupSiteAdmin): Promise<TokenizedPerson> {
    return this.http.post('/initialize', details, {
      anonymous: true,
      messages: { 409: 'This FeatureHub has already been set up. Sign in instead.' },
    });
  }

  login(email: string, password: string): Promise<TokenizedPerson> {
    return this.http.post(
      '/login',
      { email, password },
      {
        anonymous: true,
        messages: {
          401: 'The email or password is not right.',
          404: 'The email or password is not right.',
          403: 'Signing in with a password is not allowed here.',
        },
      },
    );
  }

  async logout(): Promise<void> {
    await this.http.get('/logout');
  }

  personByToken(token: string): Promise<Person> {
    return this.http.get(`/authentication/${seg(token)}`, {
      anonymous: true,
      messages: {
        404: 'This invitation link is not valid or has expired. Ask your administrator for a new one.',
      },
    });
  }

  register(details: PersonRegistrationDetails): Promise<TokenizedPerson> {
    return this.http.post('/authentication', details, {
      anonymous: true,
      messages: {
        404: 'This invitation link is not valid or has expired. Ask your administrator for a new one.',
      },
    });
  }

  replaceTempPassword(personId: string, password: string): Promise<TokenizedPerson> {
    return this.http.put(`/authentication/${seg(personId)}/replaceTempPassword`, { password });
  }

  changePassword(personId: string, oldPassword: string, newPassword: string): Promise<Person> {
    return this.http.put(
      `/authentication/${seg(personId)}/changePassword`,
      { oldPassword, newPassword },
      { messages: { 400: 'The current password is not right.' } },
    );
  }

  resetPassword(personId: string, password: string, reactivate = false): Promise<Person> {
    return this.http.put(`/authentication/${seg(personId)}/resetPassword`, { password, reactivate });
  }

  renewRegistration(email: string): Promise<RegistrationUrl> {
    return this.http.post(`/authentication/${seg(email)}/expiredTokenReset`);
  }

  // --- people -------------------------------------------------------------------------------------

  self(): Promise<Person> {
    return this.http.get('/person/self', { query: { includeGroups: true } });
  }

  getPerson(id: string): Promise<Person> {
    return this.http.get(`/person/${seg(id)}`, { query: { includeGroups: true } });
  }

  findPeople(query: {
    filter?: string;
    startAt?: number;
    pageSize?: number;
    personTypes?: string[];
    includeDeactivated?: boolean;
  }): Promise<SearchPersonResult> {
    return this.http.get('/person', {
      query: { ...query, countGroups: true, includeLastLoggedIn: true, order: 'ASC', sortBy: 'name' },
    });
  }

  createPerson(details: CreatePersonDetails): Promise<RegistrationUrl> {
    return this.http.post('/person', details, {
      messages: { 409: 'Someone with that email address already exists.' },
    });
  }

  async updatePerson(id: string, update: UpdatePerson): Promise<void> {
    await this.http.put(`/person/${seg(id)}/v2`, update);
  }

  async deactivatePerson(id: string): Promise<void> {
    await this.http.delete(`/person/${seg(id)}`, { query: { includeGroups: true } });
  }

  resetAdminToken(id: string): Promise<{ token: string }> {
    return this.http.post(`/person/${seg(id)}/token-reset`);
  }

  // --- portfolios and applications ----------------------------------------------------------------

  portfolios(filter?: string): Promise<Portfolio[]> {
    return this.http.get('/portfolio', { query: { order: 'ASC', filter, includeApplications: false } });
  }

  createPortfolio(name: string, description: string): Promise<Portfolio> {
    return this.http.post(
      '/portfolio',
      { name, description },
      { messages: { 409: 'A portfolio with that name already exists.' } },
    );
  }

  updatePortfolio(p: Portfolio): Promise<Portfolio> {
    return this.http.put('/portfolio', p, {
      messages: { 409: 'A portfolio with that name already exists.' },
    });
  }

  async deletePortfolio(id: string): Promise<void> {
    await this.http.delete(`/portfolio/${seg(id)}`);
  }

  applications(portfolioId: string): Promise<Application[]> {
    return this.http.get(`/portfolio/${seg(portfolioId)}/application`, {
      query: { order: 'ASC', includeEnvironments: true, includeFeatures: true },
    });
  }

  getApplication(appId: string): Promise<Application> {
    return this.http.get(`/application/${seg(appId)}`, { query: { includeEnvironments: true } });
  }

  createApplication(portfolioId: string, name: string, description: string): Promise<Application> {
    return this.http.post(
      `/portfolio/${seg(portfolioId)}/application`,
      { name, description },
      { messages: { 409: 'An application with that name already exists in this portfolio.' } },
    );
  }

  updateApplication(app: Application & { id: string }): Promise<Application> {
    return this.http.put(`/application/${seg(app.id)}`, app, {
      messages: { 409: 'An application with that name already exists in this portfolio.' },
    });
  }

  async deleteApplication(appId: string): Promise<void> {
    await this.http.delete(`/application/${seg(appId)}`);
  }

  applicationSummary(appId: string): Promise<ApplicationSummary> {
    return this.http.get(`/application/${seg(appId)}/summary`);
  }

  applicationPermissions(appId: string): Promise<ApplicationPermissions> {
    return this.http.get(`/application/${seg(appId)}/permissions`);
  }

  // --- environments -------------------------------------------------------------------------------

  environments(appId: string): Promise<Environment[]> {
    return this.http.get(`/application/${seg(appId)}/environment`, {
      query: { order: 'PRIORITY', includeDetails: true },
    });
  }

  createEnvironment(appId: string, env: CreateEnvironment): Promise<Environment> {
    return this.http.post(`/application/${seg(appId)}/environment`, env, {
      messages: { 409: 'An environment with that name already exists in this application.' },
    });
  }

  updateEnvironment(appId: string, env: UpdateEnvironmentV2): Promise<Environment> {
    return this.http.put(`/application/${seg(appId)}/environment`, env, {
      messages: { 409: 'An environment with that name already exists in this application.' },
    });
  }

  async deleteEnvironment(envId: string): Promise<void> {
    const ok = await this.http.delete<boolean | undefined>(`/environment/${seg(envId)}`);
    if (ok === false) throw new ApiError(403, 'You do not have permission to delete this environment.');
  }

  orderEnvironments(appId: string, envs: Environment[]): Promise<Environment[]> {
    return this.http.post(`/application/${seg(appId)}/environment-ordering`, envs, {
      messages: {
        400: 'The server refused this order: an environment changed meanwhile. Reload and try again.',
      },
    });
  }

  // --- features and their values ------------------------------------------------------------------

  features(appId: string): Promise<Feature[]> {
    return this.http.get(`/application/${seg(appId)}/features`, { query: { includeMetaData: true } });
  }

  getFeature(appId: string, key: string): Promise<Feature> {
    return this.http.get(`/application/${seg(appId)}/features/${seg(key)}`, {
      query: { includeMetaData: true },
    });
  }

  createFeature(appId: string, feature: CreateFeature): Promise<Feature[]> {
    return this.http.post(`/application/${seg(appId)}/features`, feature, {
      messages: { 409: 'A feature with that key already exists in this application.' },
    });
  }

  updateFeature(appId: string, feature: Feature): Promise<Feature[]> {
    return this.http.put(`/application/${seg(appId)}/features`, feature, {
      query: { includeMetaData: true },
      messages: { 409: 'A feature with that key already exists in this application.' },
    });
  }

  deleteFeature(appId: string, key: string): Promise<Feature[]> {
    return this.http.delete(`/application/${seg(appId)}/features/${seg(key)}`);
  }

  dashboard(appId: string, q: DashboardQuery): Promise<ApplicationFeatureValues> {
    return this.http.get(`/application/${seg(appId)}/all-feature-environment`, { query: { ...q } });
  }

  getFeatureValue(envId: string, key: string): Promise<FeatureValue> {
    return this.http.get(`/features/${seg(envId)}/feature/${seg(key)}`);
  }

  /** PUT merges with what others saved meanwhile; POST creates the value when the environment has none yet. */
  saveFeatureValue(envId: string, value: FeatureValue, exists: boolean): Promise<FeatureValue> {
    const path = `/features/${seg(envId)}/feature/${seg(value.key)}`;
    const options = {
      messages: {
        409: 'Someone else changed this value, or it is locked. Reload it and try again.',
        412: 'The same application strategy is attached twice.',
        403: 'You do not have permission to make this change in this environment.',
      },
    };
    return exists ? this.http.put(path, value, options) : this.http.post(path, value, options);
  }

  featureHistory(
    appId: string,
    q: { featureIds?: string[]; environmentIds?: string[]; max?: number },
  ): Promise<FeatureHistoryList> {
    return this.http.get(`/application/${seg(appId)}/feature-history`, { query: { ...q, order: 'desc' } });
  }

  /** The caller's own choice of environment columns on the features console (read as the ones to show). */
  hiddenEnvironments(appId: string): Promise<HiddenEnvironments> {
    return this.http.get(`/user-data/state/${seg(appId)}/hidden-environments`);
  }

  saveHiddenEnvironments(appId: string, hidden: HiddenEnvironments): Promise<HiddenEnvironments> {
    return this.http.post(`/user-data/state/${seg(appId)}/hidden-environments`, hidden);
  }

  // --- application strategies ---------------------------------------------------------------------

  applicationStrategies(appId: string, filter?: string): Promise<ApplicationRolloutStrategyList> {
    return this.http.get(`/application/${seg(appId)}/strategy`, {
      query: { filter, includeWhoChanged: true, includeUsage: true, max: 1000, page: 0, sortOrder: 'ASC' },
    });
  }

  createApplicationStrategy(
    appId: string,
    s: ApplicationRolloutStrategy,
  ): Promise<ApplicationRolloutStrategy> {
    return this.http.post(`/application/${seg(appId)}/strategy`, s, {
      messages: { 409: 'An application strategy with that name already exists.' },
    });
  }

  updateApplicationStrategy(
    appId: string,
    id: string,
    s: ApplicationRolloutStrategy,
  ): Promise<ApplicationRolloutStrategy> {
    return this.http.put(`/application/${seg(appId)}/rollout-strategy/${seg(id)}`, s, {
      messages: { 409: 'An application strategy with that name already exists.' },
    });
  }

  async deleteApplicationStrategy(appId: string, id: string): Promise<void> {
    await this.http.delete(`/application/${seg(appId)}/rollout-strategy/${seg(id)}`);
  }

  validateStrategies(
    appId: string,
    customStrategies: RolloutStrategy[],
    sharedStrategies: RolloutStrategyInstance[] = [],
  ): Promise<RolloutStrategyValidationResponse> {
    return this.http.post(`/application/${seg(appId)}/rollout-strategy-validation`, {
      customStrategies,
      sharedStrategies,
    });
  }

  // --- feature groups -----------------------------------------------------------------------------

  featureGroups(appId: string, environmentId: string): Promise<FeatureGroupList> {
    return this.http.get(`/application/${seg(appId)}/feature-groups`, {
      query: { environmentId, max: 100, page: 0, sortOrder: 'ASC' },
    });
  }

  featureGroup(appId: string, id: string): Promise<FeatureGroup> {
    return this.http.get(`/application/${seg(appId)}/feature-groups/${seg(id)}`);
  }

  /** Every feature of the application that could join a group in the environment, with its lock state there. */
  featureGroupCandidates(appId: string, environmentId: string): Promise<FeatureGroupFeature[]> {
    return this.http.get(`/application/${seg(appId)}/feature-groups/environment/${seg(environmentId)}`);
  }

  createFeatureGroup(appId: string, group: FeatureGroupCreate): Promise<FeatureGroupListGroup> {
    return this.http.post(`/application/${seg(appId)}/feature-groups`, group, {
      messages: { 409: 'A feature group with that name already exists in this environment.' },
    });
  }

  updateFeatureGroup(appId: string, update: FeatureGroupUpdate): Promise<FeatureGroup> {
    return this.http.put(`/application/${seg(appId)}/feature-groups`, update, {
      messages: {
        409: 'A feature group with that name already exists in this environment.',
        412: 'Someone else changed this feature group meanwhile. Reload and try again.',
      },
    });
  }

  async deleteFeatureGroup(appId: string, id: string): Promise<void> {
    await this.http.delete(`/application/${seg(appId)}/feature-groups/${seg(id)}`);
  }

  // --- groups -------------------------------------------------------------------------------------

  groups(portfolioId: string): Promise<Group[]> {
    return this.http.get(`/portfolio/${seg(portfolioId)}/group`, {
      query: { order: 'ASC', includePeople: true },
    });
  }

  getGroup(groupId: string, byApplicationId?: string): Promise<Group> {
    return this.http.get(`/group/${seg(groupId)}`, {
      query: { includeMembers: true, includeGroupRoles: true, byApplicationId },
    });
  }

  superuserGroup(orgId: string): Promise<Group> {
    return this.http.get(`/organization/${seg(orgId)}/group`);
  }

  createGroup(portfolioId: string, name: string): Promise<Group> {
    return this.http.post(
      `/portfolio/${seg(portfolioId)}/group`,
      { name },
      { messages: { 409: 'A group with that name already exists in this portfolio.' } },
    );
  }

  updateGroup(group: Group & { id: string }, flags: GroupUpdateFlags): Promise<Group> {
    return this.http.put(`/group/${seg(group.id)}`, group, {
      query: { ...flags, includeMembers: true, includeGroupRoles: true },
      messages: { 409: 'A group with that name already exists in this portfolio.' },
    });
  }

  async deleteGroup(groupId: string): Promise<void> {
    await this.http.delete(`/group/${seg(groupId)}`, {
      messages: {
        403: 'This group cannot be deleted (administrator groups stay while their portfolio exists).',
      },
    });
  }

  addToGroup(groupId: string, personId: string): Promise<Group> {
    return this.http.post(`/group/${seg(groupId)}/person/${seg(personId)}`, undefined, {
      query: { includeMembers: true },
    });
  }

  removeFromGroup(groupId: string, personId: string): Promise<Group> {
    return this.http.delete(`/group/${seg(groupId)}/person/${seg(personId)}`, {
      query: { includeMembers: true },
    });
  }

  // --- SDK service accounts -----------------------------------------------------------------------

  serviceAccounts(
    portfolioId: string,
    q: {
      applicationId?: string;
      includePermissions?: boolean;
      includeSdkUrls?: boolean;
      filter?: string;
    } = {},
  ): Promise<ServiceAccount[]> {
    return this.http.get(`/portfolio/${seg(portfolioId)}/service-account`, { query: { ...q } });
  }

  getServiceAccount(id: string, byApplicationId?: string): Promise<ServiceAccount> {
    return this.http.get(`/service-account/${seg(id)}`, {
      query: { includePermissions: true, byApplicationId },
    });
  }

  createServiceAccount(portfolioId: string, sa: CreateServiceAccount): Promise<ServiceAccount> {
    return this.http.post(`/portfolio/${seg(portfolioId)}/service-account`, sa, {
      query: { includePermissions: true },
      messages: { 409: 'A service account with that name already exists in this portfolio.' },
    });
  }

  updateServiceAccount(portfolioId: string, sa: ServiceAccount, appId?: string): Promise<ServiceAccount> {
    return this.http.put(`/portfolio/${seg(portfolioId)}/service-account`, sa, {
      query: { includePermissions: true, appId },
      messages: { 409: 'A service account with that name already exists in this portfolio.' },
    });
  }

  async deleteServiceAccount(id: string): Promise<void> {
    await this.http.delete(`/service-account/${seg(id)}`);
  }

  resetApiKey(id: string, apiKeyType?: ResetApiKeyType): Promise<ServiceAccount> {
    return this.http.post(`/service-account/${seg(id)}/reset-api-key`, undefined, { query: { apiKeyType } });
  }

  // --- feature filters (API 1.2.6) ------------------------------------------------------------------

  featureFilters(portfolioId: string, includeDetails = false): Promise<SearchFeatureFilterResult> {
    return this.http.get(`/portfolio/${seg(portfolioId)}/feature-filter`, {
      query: { includeDetails, max: 1000 },
    });
  }

  createFeatureFilter(portfolioId: string, name: string, description: string): Promise<FeatureFilter> {
    return this.http.post(
      `/portfolio/${seg(portfolioId)}/feature-filter`,
      { name, description },
      { messages: { 409: 'A feature filter with that name already exists in this portfolio.' } },
    );
  }

  updateFeatureFilter(portfolioId: string, filter: FeatureFilter): Promise<FeatureFilter> {
    return this.http.put(`/portfolio/${seg(portfolioId)}/feature-filter`, filter, {
      messages: { 409: 'Someone else changed this filter, or another has that name. Reload and try again.' },
    });
  }

  async deleteFeatureFilter(portfolioId: string, filter: FeatureFilter): Promise<void> {
    await this.http.delete(`/portfolio/${seg(portfolioId)}/feature-filter/${seg(filter.id)}`, {
      query: { version: filter.version },
    });
  }
}
