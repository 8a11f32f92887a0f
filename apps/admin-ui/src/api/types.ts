// Wire shapes of the MR admin API (mr-api 1.2.5) as the admin UI reads and writes them. The contract is
// @fh/contracts/admin-api (the TypeBox schemas the server validates with); this file derives the UI's view of
// each type from it and re-exports it under the name the pages use. Type-only imports: the UI bundle carries
// no schema code.
import type { FeatureWireValue } from '@fh/contracts';
import type * as Api from '@fh/contracts/admin-api';

/** The value a feature or strategy carries on the wire: JSON features travel as strings, `null` = not set. */
export type StrategyValue = FeatureWireValue;

/** Properties where `null` means something of its own: "clear this value". */
type ValueProperty = 'value' | 'valueString' | 'valueNumber' | 'valueBoolean' | 'valueJson';

/**
 * The UI's view of a wire type: the contract's properties, with the UI's two reading conventions applied
 * all the way down.
 * - An untyped `value` (any JSON in the contract; MR converts it to the feature's type) is a wire value.
 * - On an optional property, `null` and absent mean the same to the UI (it reads both as "not set"), so the
 *   view leaves `null` out; only the values keep it, because sending `null` clears a value.
 */
type Ui<T> = T extends readonly (infer E)[]
  ? Ui<E>[]
  : T extends object
    ? {
        [K in keyof T]: K extends ValueProperty
          ? unknown extends T[K]
            ? StrategyValue
            : T[K]
          : undefined extends T[K]
            ? Ui<Exclude<T[K], null>>
            : Ui<T[K]>;
      }
    : T;

// Enumerations: the contract's unions as they are.
export type ApplicationRoleType = Api.ApplicationRoleType;
export type FeatureValueType = Api.FeatureValueType;
export type PersonType = Api.PersonType;
export type ResetApiKeyType = Api.ResetApiKeyType;
export type RoleType = Api.RoleType;
export type RolloutStrategyAttributeConditional = Api.RolloutStrategyAttributeConditional;
export type RolloutStrategyCollectionViolationType = Api.RolloutStrategyCollectionViolationType;
export type RolloutStrategyFieldType = Api.RolloutStrategyFieldType;
export type RolloutStrategyViolationType = Api.RolloutStrategyViolationType;
export type SortOrder = Api.SortOrder;

// Objects: the UI's view of each.
export type AnemicPerson = Ui<Api.AnemicPerson>;
export type Application = Ui<Api.Application>;
export type ApplicationFeatureValues = Ui<Api.ApplicationFeatureValues>;
export type ApplicationGroupRole = Ui<Api.ApplicationGroupRole>;
export type ApplicationPermissions = Ui<Api.ApplicationPermissions>;
export type ApplicationRolloutStrategy = Ui<Api.ApplicationRolloutStrategy>;
export type ApplicationRolloutStrategyList = Ui<Api.ApplicationRolloutStrategyList>;
export type ApplicationSummary = Ui<Api.ApplicationSummary>;
export type Audit = Ui<Api.Audit>;
export type CreateEnvironment = Ui<Api.CreateEnvironment>;
export type CreateFeature = Ui<Api.CreateFeature>;
export type CreatePersonDetails = Ui<Api.CreatePersonDetails>;
export type CreateServiceAccount = Ui<Api.CreateServiceAccount>;
export type EnvironmentFeatureValues = Ui<Api.EnvironmentFeatureValues>;
export type EnvironmentGroupRole = Ui<Api.EnvironmentGroupRole>;
export type EnvironmentPermission = Ui<Api.EnvironmentPermission>;
export type Feature = Ui<Api.Feature>;
export type FeatureFilter = Ui<Api.FeatureFilter>;
export type FeatureHistoryItem = Ui<Api.FeatureHistoryItem>;
export type FeatureHistoryList = Ui<Api.FeatureHistoryList>;
export type FeatureHistoryValue = Ui<Api.FeatureHistoryValue>;
export type FeatureValue = Ui<Api.FeatureValue>;
export type FeatureGroup = Ui<Api.FeatureGroup>;
export type FeatureGroupCreate = Ui<Api.FeatureGroupCreate>;
export type FeatureGroupFeature = Ui<Api.FeatureGroupFeature>;
export type FeatureGroupList = Ui<Api.FeatureGroupList>;
export type FeatureGroupListGroup = Ui<Api.FeatureGroupListGroup>;
export type FeatureGroupUpdate = Ui<Api.FeatureGroupUpdate>;
export type Group = Ui<Api.Group>;
export type HiddenEnvironments = Ui<Api.HiddenEnvironments>;
export type IdentityProviderInfo = Ui<Api.IdentityProviderInfo>;
export type ListApplicationRolloutStrategyItem = Ui<Api.ListApplicationRolloutStrategyItem>;
export type Organization = Ui<Api.Organization>;
export type OutstandingRegistration = Ui<Api.OutstandingRegistration>;
export type Person = Ui<Api.Person>;
export type PersonId = Ui<Api.PersonId>;
export type PersonRegistrationDetails = Ui<Api.PersonRegistrationDetails>;
export type Portfolio = Ui<Api.Portfolio>;
export type RegistrationUrl = Ui<Api.RegistrationUrl>;
export type RolloutStrategy = Ui<Api.RolloutStrategy>;
export type SearchFeatureFilterItem = Ui<Api.SearchFeatureFilterItem>;
export type SearchFeatureFilterResult = Ui<Api.SearchFeatureFilterResult>;
export type RolloutStrategyAttribute = Ui<Api.RolloutStrategyAttribute>;
export type RolloutStrategyInstance = Ui<Api.RolloutStrategyInstance>;
export type RolloutStrategyValidationResponse = Ui<Api.RolloutStrategyValidationResponse>;
export type RolloutStrategyViolation = Ui<Api.RolloutStrategyViolation>;
export type SearchPerson = Ui<Api.SearchPerson>;
export type SearchPersonResult = Ui<Api.SearchPersonResult>;
export type ServiceAccountPermission = Ui<Api.ServiceAccountPermission>;
export type SetupResponse = Ui<Api.SetupResponse>;
export type SetupSiteAdmin = Ui<Api.SetupSiteAdmin>;
export type ThinGroupRolloutStrategy = Ui<Api.ThinGroupRolloutStrategy>;
export type TokenizedPerson = Ui<Api.TokenizedPerson>;
export type UpdateEnvironmentV2 = Ui<Api.UpdateEnvironmentV2>;
export type UpdatePerson = Ui<Api.UpdatePerson>;

/**
 * The contract requires `id` on an environment; the UI's view keeps it optional, as its hand-written type did,
 * because pages key environments by ids the dashboard may leave out (`EnvironmentFeatureValues.environmentId`).
 */
export type Environment = Omit<Ui<Api.Environment>, 'id'> & { id?: string };

/**
 * `permsInvalid` is not in the 1.2.5 schema, but upstream's clients send it and MR honours it: `true` says "this
 * body carries no permissions to replace".
 */
export type ServiceAccount = Ui<Api.ServiceAccount> & { permsInvalid?: boolean };
