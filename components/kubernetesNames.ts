/**
 * The name and label formats the Kubernetes API server accepts, shared by the Kubernetes components
 * so that a bad name fails in the program, with the argument that caused it, rather than at apply.
 */

/** An RFC 1123 label: namespaces, container names, and the parts of a subdomain. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** An RFC 1035 label: Service names, which also become DNS names and must start with a letter. */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const MAX_LABEL_LENGTH = 63;
const MAX_SUBDOMAIN_LENGTH = 253;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** True for an RFC 1123 label of at most 63 characters (a namespace name). */
export function isDnsLabel(value: string): boolean {
  return value.length <= MAX_LABEL_LENGTH && DNS_LABEL.test(value);
}

/** True for an RFC 1035 label of at most 63 characters (a Service name). */
export function isDns1035Label(value: string): boolean {
  return value.length <= MAX_LABEL_LENGTH && DNS_1035_LABEL.test(value);
}

/** True for an RFC 1123 subdomain of at most 253 characters (most object names). */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= MAX_SUBDOMAIN_LENGTH && value.split(".").every((part) => DNS_LABEL.test(part));
}

/** True for a label value: empty, or at most 63 letters, digits, `-`, `_`, `.`, alphanumeric at both ends. */
export function isLabelValue(value: string): boolean {
  return value.length <= MAX_LABEL_LENGTH && LABEL_VALUE.test(value);
}

/** True for a label key: an optional DNS subdomain prefix and `/`, then a name of at most 63 characters. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || !isDnsSubdomain(prefix))) return false;
  return name.length <= MAX_LABEL_LENGTH && LABEL_NAME.test(name);
}

/** How a label value must look, for error messages. */
export const LABEL_VALUE_RULE =
  "at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
