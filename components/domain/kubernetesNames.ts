/**
 * The name and label formats the Kubernetes API server and the Gateway API accept, shared by the
 * config schema and the Kubernetes components, so that a bad name fails in review or in the
 * program, naming what caused it, rather than at apply.
 */

/** An RFC 1123 label: namespaces, container names, and the parts of a subdomain. */
export const DNS_LABEL_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** An RFC 1035 label: Service names, which also become DNS names and must start with a letter. */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** The longest label (and label value) Kubernetes accepts. */
export const MAX_LABEL_LENGTH = 63;
/** The longest DNS subdomain Kubernetes accepts (most object names). */
export const MAX_SUBDOMAIN_LENGTH = 253;
/** A label value: empty, or letters, digits, `-`, `_`, `.`, alphanumeric at both ends. */
export const LABEL_VALUE_PATTERN = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** A Kubernetes resource quantity such as `250m`, `512Mi` or `1.5`. */
export const QUANTITY_PATTERN = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/;

/** True for an RFC 1123 label of at most 63 characters (a namespace name). */
export function isDnsLabel(value: string): boolean {
  return value.length <= MAX_LABEL_LENGTH && DNS_LABEL_PATTERN.test(value);
}

/** True for an RFC 1035 label of at most 63 characters (a Service name). */
export function isDns1035Label(value: string): boolean {
  return value.length <= MAX_LABEL_LENGTH && DNS_1035_LABEL.test(value);
}

/** True for an RFC 1123 subdomain of at most 253 characters (most object names). */
export function isDnsSubdomain(value: string): boolean {
  return (
    value.length <= MAX_SUBDOMAIN_LENGTH && value.split(".").every((part) => DNS_LABEL_PATTERN.test(part))
  );
}

/** True for a label value: empty, or at most 63 letters, digits, `-`, `_`, `.`, alphanumeric at both ends. */
export function isLabelValue(value: string): boolean {
  return value.length <= MAX_LABEL_LENGTH && LABEL_VALUE_PATTERN.test(value);
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

/** The Gateway API allows at most 16 hostnames per route. */
export const MAX_ROUTE_HOSTNAMES = 16;
/** A precise or wildcard host name as the Gateway API accepts it: no IP address, no port. */
export const ROUTE_HOSTNAME_PATTERN =
  /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** True for a host name an HTTPRoute may answer: lower case, optionally `*.`-prefixed, not an IP. */
export function isRouteHostname(host: string): boolean {
  return host.length <= MAX_SUBDOMAIN_LENGTH && ROUTE_HOSTNAME_PATTERN.test(host) && !IPV4.test(host);
}
