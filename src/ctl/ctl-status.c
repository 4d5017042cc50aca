/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "ctlmsg.h"
#include "ipaddr.h"
#include "key.h"
#include "xmalloc.h"

#define STATUS_USAGE	"rvpnctl [-s socket] status [-j]"

/* A JSON string (quotes and escapes) to stdout; NULL is null. */
static void
status_json_str(const char *s)
{
	const unsigned char *p;

	if (s == NULL) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* Unix seconds as RFC 3339 UTC, or local time for people. */
static const char *
status_time(uint64_t t, int utc, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((utc ? gmtime_r(&tt, &tm) : localtime_r(&tt, &tm)) == NULL ||
	    strftime(buf, len, utc ? "%Y-%m-%dT%H:%M:%SZ" :
	    "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "%llu", (unsigned long long)t);
	return buf;
}

/* "3d04h05m06s" and shorter forms. */
static const char *
status_duration(uint64_t s, char *buf, size_t len)
{
	if (s >= 86400)
		snprintf(buf, len, "%llud%02lluh%02llum",
		    (unsigned long long)(s / 86400),
		    (unsigned long long)(s % 86400 / 3600),
		    (unsigned long long)(s % 3600 / 60));
	else if (s >= 3600)
		snprintf(buf, len, "%lluh%02llum%02llus",
		    (unsigned long long)(s / 3600),
		    (unsigned long long)(s % 3600 / 60),
		    (unsigned long long)(s % 60));
	else if (s >= 60)
		snprintf(buf, len, "%llum%02llus",
		    (unsigned long long)(s / 60), (unsigned long long)(s % 60));
	else
		snprintf(buf, len, "%llus", (unsigned long long)s);
	return buf;
}

/* ", \"source\": %llu, ..." and the values in that order. */
#define STATUS_DROP_FMT(f, json, ...)	", \"" json "\": %llu"
#define STATUS_DROP_ARG(f, ...)		(unsigned long long)s->c.f,

static void
status_print_head(const struct ctlmsg_status *st, int json)
{
	char t[64];

	if (json) {
		printf("{\n  \"version\": ");
		status_json_str(st->version);
		printf(",\n  \"uptime_seconds\": %llu,\n  \"started\": \"%s\",\n"
		    "  \"pool\": { \"used\": %u, \"capacity\": %u },\n"
		    "  \"pool6_used\": ",
		    (unsigned long long)st->uptime,
		    status_time(st->now - st->uptime, 1, t, sizeof(t)),
		    st->pool_used, st->pool_capacity);
		if (st->ipv6)
			printf("%u", st->pool6_used);
		else
			fputs("null", stdout);
		printf(",\n  \"node\": ");
		status_json_str(st->node);
		printf(",\n  \"draining\": %s", st->draining ? "true" :
		    "false");
		printf(",\n  \"sessions\": [");
		return;
	}
	printf("rvpn-server %s, node %s%s, up %s, pool %u/%u addresses used, "
	    "%u session%s\n", st->version, st->node,
	    st->draining ? " (draining)" : "",
	    status_duration(st->uptime, t, sizeof(t)), st->pool_used,
	    st->pool_capacity, st->nsessions, st->nsessions == 1 ? "" : "s");
	if (st->nsessions > 0)
		printf("%-16s %-15s %-32s %-19s %10s %8s %10s %8s %6s %9s%s\n",
		    "NAME", "ADDRESS", "REMOTE", "CONNECTED SINCE",
		    "RX BYTES", "RX PKTS", "TX BYTES", "TX PKTS", "DROPS",
		    "RTT", st->ipv6 ? "  ADDRESS6" : "");
}

static void
status_print_session(const struct ctlmsg_status *st,
    const struct ctlmsg_session *s, int json, int first)
{
	char addr[INET6_ADDRSTRLEN], key[KEY_B64_LEN + 1], t[64];
	char remote[2 * CTLMSG_REMOTE_MAX + 8], rtt[32];
	char addr6[INET6_ADDRSTRLEN + 2];

	if (s->relay)
		snprintf(addr, sizeof(addr), "relay:%u", (unsigned)s->streams);
	else
		ipaddr_str4(s->addr, addr, sizeof(addr));
	if (s->has_addr6)
		ipaddr_str6(&s->addr6, addr6, sizeof(addr6));
	else
		snprintf(addr6, sizeof(addr6), "-");
	if (json) {
		key_to_base64(s->pub, key);
		printf("%s\n    {\n      \"name\": ", first ? "" : ",");
		status_json_str(s->name);
		printf(",\n      \"public_key\": \"%s\",\n"
		    "      \"mode\": \"%s\",\n      \"streams\": ", key,
		    s->relay ? "relay" : "tun");
		if (s->relay)
			printf("%u", (unsigned)s->streams);
		else
			printf("null");
		printf(",\n      \"address\": ");
		status_json_str(s->relay ? NULL : addr);
		printf(",\n      \"address6\": ");
		status_json_str(s->has_addr6 ? addr6 : NULL);
		printf(",\n      \"remote\": ");
		status_json_str(s->remote);
		printf(",\n      \"forwarded_for\": ");
		status_json_str(s->forwarded[0] != '\0' ? s->forwarded : NULL);
		printf(",\n      \"connected_since\": \"%s\",\n"
		    "      \"connected_seconds\": %llu,\n"
		    "      \"from_client\": { \"bytes\": %llu, "
		    "\"packets\": %llu },\n"
		    "      \"to_client\": { \"bytes\": %llu, "
		    "\"packets\": %llu },\n"
		    "      \"drops\": { \"total\": %llu"
		    COUNTERS_DROPS(STATUS_DROP_FMT) " },\n"
		    "      \"ipv6_ignored\": %llu,\n      \"rtt_us\": ",
		    status_time(s->since, 1, t, sizeof(t)),
		    (unsigned long long)s->duration,
		    (unsigned long long)s->c.rx_bytes,
		    (unsigned long long)s->c.rx_pkts,
		    (unsigned long long)s->c.tx_bytes,
		    (unsigned long long)s->c.tx_pkts,
		    (unsigned long long)counters_drops(&s->c),
		    COUNTERS_DROPS(STATUS_DROP_ARG)
		    (unsigned long long)s->c.ipv6);
		if (s->has_rtt)
			printf("%llu\n    }", (unsigned long long)s->rtt_us);
		else
			printf("null\n    }");
		return;
	}
	if (s->forwarded[0] != '\0')
		snprintf(remote, sizeof(remote), "%s (via %s)", s->forwarded,
		    s->remote);
	else
		snprintf(remote, sizeof(remote), "%s", s->remote);
	if (s->has_rtt)
		snprintf(rtt, sizeof(rtt), "%llu.%03llums",
		    (unsigned long long)(s->rtt_us / 1000),
		    (unsigned long long)(s->rtt_us % 1000));
	else
		snprintf(rtt, sizeof(rtt), "-");
	printf("%-16s %-15s %-32s %-19s %10llu %8llu %10llu %8llu %6llu %9s"
	    "%s%s\n",
	    s->name, addr, remote, status_time(s->since, 0, t, sizeof(t)),
	    (unsigned long long)s->c.rx_bytes, (unsigned long long)s->c.rx_pkts,
	    (unsigned long long)s->c.tx_bytes, (unsigned long long)s->c.tx_pkts,
	    (unsigned long long)counters_drops(&s->c), rtt,
	    st->ipv6 ? "  " : "", st->ipv6 ? addr6 : "");
}

/*
 * rvpnctl status [-j]: the server and one row per session.  All rows
 * are read before anything is printed: an error leaves no half output.
 */
int
status_main(int argc, char **argv)
{
	struct ctlmsg m;
	struct ctlmsg_status st;
	struct ctlmsg_session *rows = NULL;
	uint32_t i, n = 0, cap = 0;
	int fd, json, rv = 1;

	if (ctl_parse_json(argc, argv, STATUS_USAGE, &json) == -1)
		return 1;
	if ((fd = ctl_request(CTLMSG_T_STATUS_REQ, NULL)) == -1)
		return 1;
	if (ctl_recv(fd, &m, CTLMSG_T_STATUS, CTLMSG_T_STATUS) == -1)
		goto out;
	st = m.u.status;
	for (n = 0; n < st.nsessions; n++) {
		if (ctl_recv(fd, &m, CTLMSG_T_SESSION, CTLMSG_T_SESSION) == -1)
			goto out;
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			rows = xreallocarray(rows, cap, sizeof(*rows));
		}
		rows[n] = m.u.session;
	}
	status_print_head(&st, json);
	for (i = 0; i < n; i++)
		status_print_session(&st, &rows[i], json, i == 0);
	if (json)
		printf("%s]\n}\n", n > 0 ? "\n  " : "");
	if (fflush(stdout) != 0) {
		perror("rvpnctl: status: stdout");
		goto out;
	}
	rv = 0;
out:
	free(rows);
	close(fd);
	return rv;
}
