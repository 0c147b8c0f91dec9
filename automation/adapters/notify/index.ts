/**
 * Notifications about rollouts: the `Notifier` port, its Slack-webhook and SNS adapters, the
 * pure plan of which events become which messages, and the event sink that delivers them.
 */
export { NotifyError } from "./notifier";
export type { Notification, NotificationKind, NotificationSeverity, Notifier } from "./notifier";
export { DEFAULT_WEBHOOK_TIMEOUT_MS, SlackWebhookNotifier, slackPayload } from "./slackWebhook";
export type { SlackWebhookOptions } from "./slackWebhook";
export { MAX_SNS_SUBJECT_LENGTH, SnsTopicNotifier, snsPublishInput, snsSubject } from "./snsTopic";
export type { SnsTopicOptions } from "./snsTopic";
export { PROGRESS_INTERVAL_SECONDS, initialNotificationState, planNotifications } from "./messages";
export type { NotificationPlanOptions, NotificationState } from "./messages";
export { DEFAULT_DELIVERY_TIMEOUT_MS, NotifyingSink } from "./notifyingSink";
export type { NotifyingSinkOptions } from "./notifyingSink";
