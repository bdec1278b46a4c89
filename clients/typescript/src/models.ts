/**
 * GENERATED FILE: do not edit. One named type per component schema of the API.
 * Generated from the OpenAPI document the server serves (GET /api/openapi.json, built by
 * buildOpenApi in src/api/openapi.ts) by `npm run client:generate` (scripts/generate-client.ts).
 * test/client.test.ts fails when it is out of step with the API.
 */
import type { components } from './schema.ts';

type Schemas = components['schemas'];

/** The result of settings.get (GET /api/v1/settings): Read the instance settings */
export type SettingsGetResult = Schemas['SettingsGetResult'];
/** The result of settings.update (PATCH /api/v1/settings): Change instance settings */
export type SettingsUpdateResult = Schemas['SettingsUpdateResult'];
/** The result of feature_flags.mine (GET /api/v1/feature-flags/evaluate): Which feature flags are on for you */
export type FeatureFlagsMineResult = Schemas['FeatureFlagsMineResult'];
/** The result of campaigns.add_targets (POST /api/v1/campaigns/{campaign_id}/targets): Add leads, contacts or companies to a campaign */
export type CampaignsAddTargetsResult = Schemas['CampaignsAddTargetsResult'];
/** The result of campaigns.send_email (POST /api/v1/campaigns/{id}/send_email): Send an email campaign's email to its pending targets who agreed to marketing email */
export type CampaignsSendEmailResult = Schemas['CampaignsSendEmailResult'];
/** The result of insights.funnel (GET /api/v1/insights/funnel): Funnel: conversion between stages and time spent in each */
export type InsightsFunnelResult = Schemas['InsightsFunnelResult'];
/** The result of insights.acquisition (GET /api/v1/insights/acquisition): Acquisition: leads per day or week by source and campaign, scores, conversion, quiz and survey completion */
export type InsightsAcquisitionResult = Schemas['InsightsAcquisitionResult'];
/** The result of insights.sales (GET /api/v1/insights/sales): Sales: win rate, sales cycle, weighted pipeline by close month, lost reasons */
export type InsightsSalesResult = Schemas['InsightsSalesResult'];
/** The result of insights.delivery (GET /api/v1/insights/delivery): Delivery and capacity: utilisation per week, estimated against logged hours, tickets and time to resolve */
export type InsightsDeliveryResult = Schemas['InsightsDeliveryResult'];
/** The result of insights.money (GET /api/v1/insights/money): Money and proof: recurring revenue and revenue per month, overdue invoices, ROI per engagement, usage trend */
export type InsightsMoneyResult = Schemas['InsightsMoneyResult'];
/** The result of insights.calibration (GET /api/v1/insights/calibration): Feedback into assessment: past go decisions, estimated against what happened */
export type InsightsCalibrationResult = Schemas['InsightsCalibrationResult'];
/** The result of insights.aggregate (GET /api/v1/insights/aggregate): Add up one measure over a period, grouped by up to two dimensions */
export type InsightsAggregateResult = Schemas['InsightsAggregateResult'];
/** The result of privacy.erase_contact (POST /api/v1/contacts/{id}/erase): Erase a contact and everything held about them (cannot be undone) */
export type PrivacyEraseContactResult = Schemas['PrivacyEraseContactResult'];
/** The result of privacy.erase_lead (POST /api/v1/leads/{id}/erase): Erase a lead and everything held about them (cannot be undone) */
export type PrivacyEraseLeadResult = Schemas['PrivacyEraseLeadResult'];
/** The result of privacy.erase_company (POST /api/v1/companies/{id}/erase): Erase a company and everything held about them (cannot be undone) */
export type PrivacyEraseCompanyResult = Schemas['PrivacyEraseCompanyResult'];
/** The result of privacy.summary_contact (GET /api/v1/contacts/{id}/privacy): What is held about a contact, and what was done about it */
export type PrivacySummaryContactResult = Schemas['PrivacySummaryContactResult'];
/** The result of privacy.summary_lead (GET /api/v1/leads/{id}/privacy): What is held about a lead, and what was done about it */
export type PrivacySummaryLeadResult = Schemas['PrivacySummaryLeadResult'];
/** The result of privacy.summary_company (GET /api/v1/companies/{id}/privacy): What is held about a company, and what was done about it */
export type PrivacySummaryCompanyResult = Schemas['PrivacySummaryCompanyResult'];
/** A record of Users: People who use Throughline */
export type User = Schemas['Users'];
/** The body that creates a record of Users. */
export type UserCreate = Schemas['UsersCreate'];
/** The body that changes a record of Users: only the fields to change. */
export type UserUpdate = Schemas['UsersUpdate'];
/** A record of Sessions: Sign-in sessions */
export type Session = Schemas['Sessions'];
/** A record of ApiKeys: API keys (shown once at creation) */
export type ApiKey = Schemas['ApiKeys'];
/** A record of AuditLog: Append-only record of every change */
export type AuditLog = Schemas['AuditLog'];
/** A record of Notes: Notes on any record */
export type Note = Schemas['Notes'];
/** The body that creates a record of Notes. */
export type NoteCreate = Schemas['NotesCreate'];
/** The body that changes a record of Notes: only the fields to change. */
export type NoteUpdate = Schemas['NotesUpdate'];
/** A record of PipelineStages: Statuses and stages of each pipeline, with allowed moves */
export type PipelineStage = Schemas['PipelineStages'];
/** The body that creates a record of PipelineStages. */
export type PipelineStageCreate = Schemas['PipelineStagesCreate'];
/** The body that changes a record of PipelineStages: only the fields to change. */
export type PipelineStageUpdate = Schemas['PipelineStagesUpdate'];
/** A record of StatusHistory: Every status change with time spent in each */
export type StatusHistory = Schemas['StatusHistory'];
/** A record of Industries: Industry classifications */
export type Industry = Schemas['Industries'];
/** The body that creates a record of Industries. */
export type IndustryCreate = Schemas['IndustriesCreate'];
/** The body that changes a record of Industries: only the fields to change. */
export type IndustryUpdate = Schemas['IndustriesUpdate'];
/** A record of FeatureFlags: Feature flags per environment */
export type FeatureFlag = Schemas['FeatureFlags'];
/** The body that creates a record of FeatureFlags. */
export type FeatureFlagCreate = Schemas['FeatureFlagsCreate'];
/** The body that changes a record of FeatureFlags: only the fields to change. */
export type FeatureFlagUpdate = Schemas['FeatureFlagsUpdate'];
/** A record of Integrations: Third-party service configuration */
export type Integration = Schemas['Integrations'];
/** A record of EmailQueue: Outgoing email outbox */
export type EmailQueue = Schemas['EmailQueue'];
/** A record of AnalyticsEvents: Analytics events */
export type AnalyticsEvent = Schemas['AnalyticsEvents'];
/** The body that creates a record of AnalyticsEvents. */
export type AnalyticsEventCreate = Schemas['AnalyticsEventsCreate'];
/** The body that changes a record of AnalyticsEvents: only the fields to change. */
export type AnalyticsEventUpdate = Schemas['AnalyticsEventsUpdate'];
/** A record of WebhookSubscriptions: Outbound webhook subscriptions */
export type WebhookSubscription = Schemas['WebhookSubscriptions'];
/** A record of WebhookDeliveries: Webhook delivery log */
export type WebhookDelivery = Schemas['WebhookDeliveries'];
/** A record of Companies: Companies and accounts in the pipeline */
export type Company = Schemas['Companies'];
/** The body that creates a record of Companies. */
export type CompanyCreate = Schemas['CompaniesCreate'];
/** The body that changes a record of Companies: only the fields to change. */
export type CompanyUpdate = Schemas['CompaniesUpdate'];
/** A record of CompanyAddresses: Company addresses */
export type CompanyAddress = Schemas['CompanyAddresses'];
/** The body that creates a record of CompanyAddresses. */
export type CompanyAddressCreate = Schemas['CompanyAddressesCreate'];
/** The body that changes a record of CompanyAddresses: only the fields to change. */
export type CompanyAddressUpdate = Schemas['CompanyAddressesUpdate'];
/** A record of CompanyTeam: Who on our team works each company */
export type CompanyTeam = Schemas['CompanyTeam'];
/** The body that creates a record of CompanyTeam. */
export type CompanyTeamCreate = Schemas['CompanyTeamCreate'];
/** The body that changes a record of CompanyTeam: only the fields to change. */
export type CompanyTeamUpdate = Schemas['CompanyTeamUpdate'];
/** A record of CompanyPreferences: Company preferences */
export type CompanyPreference = Schemas['CompanyPreferences'];
/** The body that creates a record of CompanyPreferences. */
export type CompanyPreferenceCreate = Schemas['CompanyPreferencesCreate'];
/** The body that changes a record of CompanyPreferences: only the fields to change. */
export type CompanyPreferenceUpdate = Schemas['CompanyPreferencesUpdate'];
/** A record of CompanyMetrics: Monthly company metrics */
export type CompanyMetric = Schemas['CompanyMetrics'];
/** The body that creates a record of CompanyMetrics. */
export type CompanyMetricCreate = Schemas['CompanyMetricsCreate'];
/** The body that changes a record of CompanyMetrics: only the fields to change. */
export type CompanyMetricUpdate = Schemas['CompanyMetricsUpdate'];
/** A record of Contacts: People at companies */
export type Contact = Schemas['Contacts'];
/** The body that creates a record of Contacts. */
export type ContactCreate = Schemas['ContactsCreate'];
/** The body that changes a record of Contacts: only the fields to change. */
export type ContactUpdate = Schemas['ContactsUpdate'];
/** A record of ContactPreferences: How each contact likes to be reached */
export type ContactPreference = Schemas['ContactPreferences'];
/** The body that creates a record of ContactPreferences. */
export type ContactPreferenceCreate = Schemas['ContactPreferencesCreate'];
/** The body that changes a record of ContactPreferences: only the fields to change. */
export type ContactPreferenceUpdate = Schemas['ContactPreferencesUpdate'];
/** A record of Leads: Unqualified inbound and outbound leads */
export type Lead = Schemas['Leads'];
/** The body that creates a record of Leads. */
export type LeadCreate = Schemas['LeadsCreate'];
/** The body that changes a record of Leads: only the fields to change. */
export type LeadUpdate = Schemas['LeadsUpdate'];
/** A record of Consents: What each contact or lead agreed to (marketing email, surveys, usage tracking) and its withdrawal */
export type Consent = Schemas['Consents'];
/** A record of LeadScores: Lead score history with factors */
export type LeadScore = Schemas['LeadScores'];
/** A record of LeadQualifications: BANT qualification of leads */
export type LeadQualification = Schemas['LeadQualifications'];
/** The body that creates a record of LeadQualifications. */
export type LeadQualificationCreate = Schemas['LeadQualificationsCreate'];
/** The body that changes a record of LeadQualifications: only the fields to change. */
export type LeadQualificationUpdate = Schemas['LeadQualificationsUpdate'];
/** A record of Interactions: Every touchpoint: calls, emails, meetings, follow-ups */
export type Interaction = Schemas['Interactions'];
/** The body that creates a record of Interactions. */
export type InteractionCreate = Schemas['InteractionsCreate'];
/** The body that changes a record of Interactions: only the fields to change. */
export type InteractionUpdate = Schemas['InteractionsUpdate'];
/** A record of Deals: Opportunities by stage */
export type Deal = Schemas['Deals'];
/** The body that creates a record of Deals. */
export type DealCreate = Schemas['DealsCreate'];
/** The body that changes a record of Deals: only the fields to change. */
export type DealUpdate = Schemas['DealsUpdate'];
/** A record of DealStakeholders: Who matters on each deal (role, influence) */
export type DealStakeholder = Schemas['DealStakeholders'];
/** The body that creates a record of DealStakeholders. */
export type DealStakeholderCreate = Schemas['DealStakeholdersCreate'];
/** The body that changes a record of DealStakeholders: only the fields to change. */
export type DealStakeholderUpdate = Schemas['DealStakeholdersUpdate'];
/** A record of DealCompetitors: Competitors on each deal (active, won_against, lost_to) */
export type DealCompetitor = Schemas['DealCompetitors'];
/** The body that creates a record of DealCompetitors. */
export type DealCompetitorCreate = Schemas['DealCompetitorsCreate'];
/** The body that changes a record of DealCompetitors: only the fields to change. */
export type DealCompetitorUpdate = Schemas['DealCompetitorsUpdate'];
/** A record of DealProducts: Deal line items (quantity × unit price, exact); the deal's value is their sum */
export type DealProduct = Schemas['DealProducts'];
/** The body that creates a record of DealProducts. */
export type DealProductCreate = Schemas['DealProductsCreate'];
/** The body that changes a record of DealProducts: only the fields to change. */
export type DealProductUpdate = Schemas['DealProductsUpdate'];
/** A record of Campaigns: Marketing campaigns */
export type Campaign = Schemas['Campaigns'];
/** The body that creates a record of Campaigns. */
export type CampaignCreate = Schemas['CampaignsCreate'];
/** The body that changes a record of Campaigns: only the fields to change. */
export type CampaignUpdate = Schemas['CampaignsUpdate'];
/** A record of CampaignTargets: Who each campaign targets */
export type CampaignTarget = Schemas['CampaignTargets'];
/** The body that creates a record of CampaignTargets. */
export type CampaignTargetCreate = Schemas['CampaignTargetsCreate'];
/** The body that changes a record of CampaignTargets: only the fields to change. */
export type CampaignTargetUpdate = Schemas['CampaignTargetsUpdate'];
/** A record of CampaignContent: Campaign content */
export type CampaignContent = Schemas['CampaignContent'];
/** The body that creates a record of CampaignContent. */
export type CampaignContentCreate = Schemas['CampaignContentCreate'];
/** The body that changes a record of CampaignContent: only the fields to change. */
export type CampaignContentUpdate = Schemas['CampaignContentUpdate'];
/** A record of CampaignContentVersions: Every saved version of campaign content */
export type CampaignContentVersion = Schemas['CampaignContentVersions'];
/** A record of CampaignMetrics: Campaign metrics by period */
export type CampaignMetric = Schemas['CampaignMetrics'];
/** The body that creates a record of CampaignMetrics. */
export type CampaignMetricCreate = Schemas['CampaignMetricsCreate'];
/** The body that changes a record of CampaignMetrics: only the fields to change. */
export type CampaignMetricUpdate = Schemas['CampaignMetricsUpdate'];
/** A record of Events: Events and conferences */
export type Event = Schemas['Events'];
/** The body that creates a record of Events. */
export type EventCreate = Schemas['EventsCreate'];
/** The body that changes a record of Events: only the fields to change. */
export type EventUpdate = Schemas['EventsUpdate'];
/** A record of EventAttendees: Who from which company came to each event */
export type EventAttendee = Schemas['EventAttendees'];
/** The body that creates a record of EventAttendees. */
export type EventAttendeeCreate = Schemas['EventAttendeesCreate'];
/** The body that changes a record of EventAttendees: only the fields to change. */
export type EventAttendeeUpdate = Schemas['EventAttendeesUpdate'];
/** A record of ProspectResearch: Research on prospects */
export type ProspectResearch = Schemas['ProspectResearch'];
/** The body that creates a record of ProspectResearch. */
export type ProspectResearchCreate = Schemas['ProspectResearchCreate'];
/** The body that changes a record of ProspectResearch: only the fields to change. */
export type ProspectResearchUpdate = Schemas['ProspectResearchUpdate'];
/** A record of OutreachDrafts: Outreach drafts: a person approves each before it is sent */
export type OutreachDraft = Schemas['OutreachDrafts'];
/** The body that creates a record of OutreachDrafts. */
export type OutreachDraftCreate = Schemas['OutreachDraftsCreate'];
/** The body that changes a record of OutreachDrafts: only the fields to change. */
export type OutreachDraftUpdate = Schemas['OutreachDraftsUpdate'];
/** A record of Audits: Company audits from the staff survey */
export type Audit = Schemas['Audits'];
/** The body that creates a record of Audits. */
export type AuditCreate = Schemas['AuditsCreate'];
/** The body that changes a record of Audits: only the fields to change. */
export type AuditUpdate = Schemas['AuditsUpdate'];
/** A record of SurveyResponses: Audit and pre-training survey answers */
export type SurveyResponse = Schemas['SurveyResponses'];
/** The body that creates a record of SurveyResponses. */
export type SurveyResponseCreate = Schemas['SurveyResponsesCreate'];
/** The body that changes a record of SurveyResponses: only the fields to change. */
export type SurveyResponseUpdate = Schemas['SurveyResponsesUpdate'];
/** A record of GoNoGoDecisions: Go/no-go scorecards */
export type GoNoGoDecision = Schemas['GoNoGoDecisions'];
/** The body that creates a record of GoNoGoDecisions. */
export type GoNoGoDecisionCreate = Schemas['GoNoGoDecisionsCreate'];
/** The body that changes a record of GoNoGoDecisions: only the fields to change. */
export type GoNoGoDecisionUpdate = Schemas['GoNoGoDecisionsUpdate'];
/** A record of Capacity: Our team capacity in hours per week */
export type Capacity = Schemas['Capacity'];
/** The body that creates a record of Capacity. */
export type CapacityCreate = Schemas['CapacityCreate'];
/** The body that changes a record of Capacity: only the fields to change. */
export type CapacityUpdate = Schemas['CapacityUpdate'];
/** A record of Proposals: Proposals sent after a go decision */
export type Proposal = Schemas['Proposals'];
/** The body that creates a record of Proposals. */
export type ProposalCreate = Schemas['ProposalsCreate'];
/** The body that changes a record of Proposals: only the fields to change. */
export type ProposalUpdate = Schemas['ProposalsUpdate'];
/** A record of ReadinessAssessments: AI-readiness assessments */
export type ReadinessAssessment = Schemas['ReadinessAssessments'];
/** The body that creates a record of ReadinessAssessments. */
export type ReadinessAssessmentCreate = Schemas['ReadinessAssessmentsCreate'];
/** The body that changes a record of ReadinessAssessments: only the fields to change. */
export type ReadinessAssessmentUpdate = Schemas['ReadinessAssessmentsUpdate'];
/** A record of RoiCalculations: ROI calculations and project estimates */
export type RoiCalculation = Schemas['RoiCalculations'];
/** The body that creates a record of RoiCalculations. */
export type RoiCalculationCreate = Schemas['RoiCalculationsCreate'];
/** The body that changes a record of RoiCalculations: only the fields to change. */
export type RoiCalculationUpdate = Schemas['RoiCalculationsUpdate'];
/** A record of Services: The services catalog */
export type Service = Schemas['Services'];
/** The body that creates a record of Services. */
export type ServiceCreate = Schemas['ServicesCreate'];
/** The body that changes a record of Services: only the fields to change. */
export type ServiceUpdate = Schemas['ServicesUpdate'];
/** A record of IndustryServices: Which services fit which industry */
export type IndustryService = Schemas['IndustryServices'];
/** The body that creates a record of IndustryServices. */
export type IndustryServiceCreate = Schemas['IndustryServicesCreate'];
/** The body that changes a record of IndustryServices: only the fields to change. */
export type IndustryServiceUpdate = Schemas['IndustryServicesUpdate'];
/** A record of Engagements: Client engagements (contracts in delivery) */
export type Engagement = Schemas['Engagements'];
/** The body that creates a record of Engagements. */
export type EngagementCreate = Schemas['EngagementsCreate'];
/** The body that changes a record of Engagements: only the fields to change. */
export type EngagementUpdate = Schemas['EngagementsUpdate'];
/** A record of EngagementServices: Services in each engagement */
export type EngagementService = Schemas['EngagementServices'];
/** The body that creates a record of EngagementServices. */
export type EngagementServiceCreate = Schemas['EngagementServicesCreate'];
/** The body that changes a record of EngagementServices: only the fields to change. */
export type EngagementServiceUpdate = Schemas['EngagementServicesUpdate'];
/** A record of EngagementMilestones: Milestones and KPIs */
export type EngagementMilestone = Schemas['EngagementMilestones'];
/** The body that creates a record of EngagementMilestones. */
export type EngagementMilestoneCreate = Schemas['EngagementMilestonesCreate'];
/** The body that changes a record of EngagementMilestones: only the fields to change. */
export type EngagementMilestoneUpdate = Schemas['EngagementMilestonesUpdate'];
/** A record of Contracts: MSAs, SOWs and NDAs */
export type Contract = Schemas['Contracts'];
/** The body that creates a record of Contracts. */
export type ContractCreate = Schemas['ContractsCreate'];
/** The body that changes a record of Contracts: only the fields to change. */
export type ContractUpdate = Schemas['ContractsUpdate'];
/** A record of AiLicenses: AI licences assigned to client staff */
export type AiLicense = Schemas['AiLicenses'];
/** The body that creates a record of AiLicenses. */
export type AiLicenseCreate = Schemas['AiLicensesCreate'];
/** The body that changes a record of AiLicenses: only the fields to change. */
export type AiLicenseUpdate = Schemas['AiLicensesUpdate'];
/** A record of AiAssets: MCP servers and Skills files built */
export type AiAsset = Schemas['AiAssets'];
/** The body that creates a record of AiAssets. */
export type AiAssetCreate = Schemas['AiAssetsCreate'];
/** The body that changes a record of AiAssets: only the fields to change. */
export type AiAssetUpdate = Schemas['AiAssetsUpdate'];
/** A record of AiAssetDeployments: Where each asset is deployed */
export type AiAssetDeployment = Schemas['AiAssetDeployments'];
/** The body that creates a record of AiAssetDeployments. */
export type AiAssetDeploymentCreate = Schemas['AiAssetDeploymentsCreate'];
/** The body that changes a record of AiAssetDeployments: only the fields to change. */
export type AiAssetDeploymentUpdate = Schemas['AiAssetDeploymentsUpdate'];
/** A record of ContactTasks: What each person does, before and after AI */
export type ContactTask = Schemas['ContactTasks'];
/** The body that creates a record of ContactTasks. */
export type ContactTaskCreate = Schemas['ContactTasksCreate'];
/** The body that changes a record of ContactTasks: only the fields to change. */
export type ContactTaskUpdate = Schemas['ContactTasksUpdate'];
/** A record of TaskMeasurements: Time-after-AI measurements over time */
export type TaskMeasurement = Schemas['TaskMeasurements'];
/** The body that creates a record of TaskMeasurements. */
export type TaskMeasurementCreate = Schemas['TaskMeasurementsCreate'];
/** The body that changes a record of TaskMeasurements: only the fields to change. */
export type TaskMeasurementUpdate = Schemas['TaskMeasurementsUpdate'];
/** A record of TaskAiAssets: Which assets support which tasks */
export type TaskAiAsset = Schemas['TaskAiAssets'];
/** The body that creates a record of TaskAiAssets. */
export type TaskAiAssetCreate = Schemas['TaskAiAssetsCreate'];
/** The body that changes a record of TaskAiAssets: only the fields to change. */
export type TaskAiAssetUpdate = Schemas['TaskAiAssetsUpdate'];
/** A record of WorkCompleted: Hours logged per engagement */
export type WorkCompleted = Schemas['WorkCompleted'];
/** The body that creates a record of WorkCompleted. */
export type WorkCompletedCreate = Schemas['WorkCompletedCreate'];
/** The body that changes a record of WorkCompleted: only the fields to change. */
export type WorkCompletedUpdate = Schemas['WorkCompletedUpdate'];
/** A record of TrainingSessions: Training sessions */
export type TrainingSession = Schemas['TrainingSessions'];
/** The body that creates a record of TrainingSessions. */
export type TrainingSessionCreate = Schemas['TrainingSessionsCreate'];
/** The body that changes a record of TrainingSessions: only the fields to change. */
export type TrainingSessionUpdate = Schemas['TrainingSessionsUpdate'];
/** A record of TrainingAttendance: Per-person attendance and notes */
export type TrainingAttendance = Schemas['TrainingAttendance'];
/** The body that creates a record of TrainingAttendance. */
export type TrainingAttendanceCreate = Schemas['TrainingAttendanceCreate'];
/** The body that changes a record of TrainingAttendance: only the fields to change. */
export type TrainingAttendanceUpdate = Schemas['TrainingAttendanceUpdate'];
/** A record of SupportTickets: Client support requests */
export type SupportTicket = Schemas['SupportTickets'];
/** The body that creates a record of SupportTickets. */
export type SupportTicketCreate = Schemas['SupportTicketsCreate'];
/** The body that changes a record of SupportTickets: only the fields to change. */
export type SupportTicketUpdate = Schemas['SupportTicketsUpdate'];
/** A record of EngagementTools: Tool stack per engagement with costs */
export type EngagementTool = Schemas['EngagementTools'];
/** The body that creates a record of EngagementTools. */
export type EngagementToolCreate = Schemas['EngagementToolsCreate'];
/** The body that changes a record of EngagementTools: only the fields to change. */
export type EngagementToolUpdate = Schemas['EngagementToolsUpdate'];
/** A record of Invoices: Invoices (overdue is derived from the due date) */
export type Invoice = Schemas['Invoices'];
/** The body that creates a record of Invoices. */
export type InvoiceCreate = Schemas['InvoicesCreate'];
/** The body that changes a record of Invoices: only the fields to change. */
export type InvoiceUpdate = Schemas['InvoicesUpdate'];
/** A record of AiUsage: Client staff's AI token usage per day (written by usage.record and usage.ingest, which keep the monthly rollup) */
export type AiUsage = Schemas['AiUsage'];
/** The body that creates a record of AiUsage. */
export type AiUsageCreate = Schemas['AiUsageCreate'];
/** The body that changes a record of AiUsage: only the fields to change. */
export type AiUsageUpdate = Schemas['AiUsageUpdate'];
/** A record of AiUsageMonthly: Monthly usage rollup */
export type AiUsageMonthly = Schemas['AiUsageMonthly'];
/** A record of LlmUsageLogs: Throughline's own LLM calls and their cost */
export type LlmUsageLog = Schemas['LlmUsageLogs'];
/** The body that creates a record of LlmUsageLogs. */
export type LlmUsageLogCreate = Schemas['LlmUsageLogsCreate'];
/** The body that changes a record of LlmUsageLogs: only the fields to change. */
export type LlmUsageLogUpdate = Schemas['LlmUsageLogsUpdate'];
/** A record of LlmModelPrices: LLM prices per million tokens */
export type LlmModelPrice = Schemas['LlmModelPrices'];
/** The body that creates a record of LlmModelPrices. */
export type LlmModelPriceCreate = Schemas['LlmModelPricesCreate'];
/** The body that changes a record of LlmModelPrices: only the fields to change. */
export type LlmModelPriceUpdate = Schemas['LlmModelPricesUpdate'];
/** The result of schema.describe (GET /api/v1/schema): Describe the tables and operations you may use */
export type SchemaDescribeResult = Schemas['SchemaDescribeResult'];
/** An error (RFC 9457 problem details), the body of every non-2xx reply. */
export type Problem = Schemas['Problem'];
