/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <unistd.h>

#include "compat.h"
#include "ctl.h"
#include "ctlmsg.h"
#include "proto.h"

#define STATS_USAGE	"rvpnctl [-s socket] stats [-j]"

static const char *
stats_reason(uint16_t code)
{
	const char *r = proto_close_reason(code);

	return r != NULL ? r : "unknown";
}

/* Every drop counter, the sessions' then the server's own. */
struct stats_drop {
	const char	*json, *label;
	uint64_t	 n;
};
#define STATS_DROP(f, json, label, ...)	{ json, label, st->c.f },
#define STATS_TUN_DROP(f, json, label)	{ json, label, st->tun.f },
#define STATS_DROPS(st) {						\
	COUNTERS_DROPS(STATS_DROP) COUNTERS_TUN_DROPS(STATS_TUN_DROP)	\
}
#define STATS_PRE(f, json, label)	{ json, label, st->pre.f },
#define STATS_RELAY(f, json, label)	{ json, label, st->relay.f },

static void
stats_print_json(const struct ctlmsg_stats *st)
{
	const struct stats_drop drops[] = STATS_DROPS(st);
	const struct stats_drop pre[] = { COUNTERS_PREAUTH(STATS_PRE) };
	const struct stats_drop rel[] = { COUNTERS_RELAY(STATS_RELAY) };
	unsigned i;

	printf("{\n  \"sessions\": { \"total\": %llu, \"current\": %llu },\n"
	    "  \"handshakes\": {\n    \"ok\": %llu,\n    \"aborted\": %llu,\n"
	    "    \"failed\": [",
	    (unsigned long long)st->sessions_total,
	    (unsigned long long)st->sessions_current,
	    (unsigned long long)st->sessions_total,
	    (unsigned long long)st->hs_aborted);
	for (i = 0; i < st->nrefused; i++)
		printf("%s\n      { \"code\": %u, \"reason\": \"%s\", "
		    "\"count\": %llu }", i == 0 ? "" : ",",
		    st->refused[i].code, stats_reason(st->refused[i].code),
		    (unsigned long long)st->refused[i].count);
	printf("%s]\n  },\n", st->nrefused > 0 ? "\n    " : "");
	printf("  \"preauth\": {\n    \"pending\": %llu",
	    (unsigned long long)st->pending);
	for (i = 0; i < nitems(pre); i++)
		printf(",\n    \"%s\": %llu", pre[i].json,
		    (unsigned long long)pre[i].n);
	printf("\n  },\n  \"relay_streams\": {");
	for (i = 0; i < nitems(rel); i++)
		printf("%s\n    \"%s\": %llu", i == 0 ? "" : ",", rel[i].json,
		    (unsigned long long)rel[i].n);
	printf("\n  },\n  \"rss_kb\": %llu,\n",
	    (unsigned long long)st->rss_kb);
	printf("  \"from_client\": { \"bytes\": %llu, \"packets\": %llu },\n"
	    "  \"to_client\": { \"bytes\": %llu, \"packets\": %llu },\n"
	    "  \"drops\": {",
	    (unsigned long long)st->c.rx_bytes,
	    (unsigned long long)st->c.rx_pkts,
	    (unsigned long long)st->c.tx_bytes,
	    (unsigned long long)st->c.tx_pkts);
	for (i = 0; i < nitems(drops); i++)
		printf("%s\n    \"%s\": %llu", i == 0 ? "" : ",",
		    drops[i].json, (unsigned long long)drops[i].n);
	printf("\n  },\n  \"ipv6_ignored\": %llu,\n"
	    "  \"tun_ipv6_ignored\": %llu\n}\n", (unsigned long long)st->c.ipv6,
	    (unsigned long long)st->tun.tun_ipv6);
}

static void
stats_print_text(const struct ctlmsg_stats *st)
{
	const struct stats_drop drops[] = STATS_DROPS(st);
	const struct stats_drop pre[] = { COUNTERS_PREAUTH(STATS_PRE) };
	const struct stats_drop rel[] = { COUNTERS_RELAY(STATS_RELAY) };
	unsigned i;

	printf("sessions: %llu total, %llu current\n"
	    "handshakes: %llu ok, %llu aborted before the handshake\n"
	    "handshakes failed:\n",
	    (unsigned long long)st->sessions_total,
	    (unsigned long long)st->sessions_current,
	    (unsigned long long)st->sessions_total,
	    (unsigned long long)st->hs_aborted);
	for (i = 0; i < st->nrefused; i++)
		printf("  %u %-32s %llu\n", st->refused[i].code,
		    stats_reason(st->refused[i].code),
		    (unsigned long long)st->refused[i].count);
	printf("before authentication: %llu pending\n"
	    "connections refused or closed before authentication:\n",
	    (unsigned long long)st->pending);
	for (i = 0; i < nitems(pre); i++)
		printf("  %-31s %llu\n", pre[i].label,
		    (unsigned long long)pre[i].n);
	printf("relay streams:\n");
	for (i = 0; i < nitems(rel); i++)
		printf("  %-47s%llu\n", rel[i].label,
		    (unsigned long long)rel[i].n);
	if (st->rss_kb != 0)
		printf("server resident memory: %llu KiB\n",
		    (unsigned long long)st->rss_kb);
	printf("from clients: %llu bytes, %llu packets\n"
	    "to clients: %llu bytes, %llu packets\n"
	    "packets dropped:\n",
	    (unsigned long long)st->c.rx_bytes,
	    (unsigned long long)st->c.rx_pkts,
	    (unsigned long long)st->c.tx_bytes,
	    (unsigned long long)st->c.tx_pkts);
	for (i = 0; i < nitems(drops); i++)
		printf("  %-31s%llu\n", drops[i].label,
		    (unsigned long long)drops[i].n);
	printf("IPv6 packets ignored (not carried, not drops):\n"
	    "  from clients                   %llu\n"
	    "  from the TUN                   %llu\n",
	    (unsigned long long)st->c.ipv6,
	    (unsigned long long)st->tun.tun_ipv6);
}

/* rvpnctl stats [-j]: the server's counters since it started. */
int
stats_main(int argc, char **argv)
{
	struct ctlmsg m;
	int fd, json, rv = 1;

	if (ctl_parse_json(argc, argv, STATS_USAGE, &json) == -1)
		return 1;
	if ((fd = ctl_request(CTLMSG_T_STATS_REQ, NULL)) == -1)
		return 1;
	if (ctl_recv(fd, &m, CTLMSG_T_STATS, CTLMSG_T_STATS) == 0) {
		if (json)
			stats_print_json(&m.u.stats);
		else
			stats_print_text(&m.u.stats);
		if (fflush(stdout) != 0)
			perror("rvpnctl: stats: stdout");
		else
			rv = 0;
	}
	close(fd);
	return rv;
}
