/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "log.h"
#include "nft.h"
#include "statefile.h"
#include "xmalloc.h"

#define NFT_IP_FORWARD	"/proc/sys/net/ipv4/ip_forward"
#define NFT_IP6_FORWARD	"/proc/sys/net/ipv6/conf/all/forwarding"
#define NFT_MTU_MIN	576
#define NFT_MTU_MAX	9000

struct nft_state {
	char			*table;
	bool			 forward_set;	/* we wrote ip_forward */
	char			 forward_old;	/* '0' or '1' */
	int			 forward_fd;	/* open while forward_set */
	bool			 forward6_set;	/* and the IPv6 one */
	char			 forward6_old;
	int			 forward6_fd;
	struct statefile	*undo;		/* the durable undo record */
	struct nft_params	 p;		/* for nft_reconfigure */
	char			*tun_name;	/* p's strings */
	char			*egress;
};

/*
 * Run cmds as one libnftables transaction.  On failure, *cause (if not
 * NULL) gets "what: " and the first line of libnftables' error text.
 */
static int
nft_run_out(const char *cmds, const char *what, char **cause, char **out)
{
	struct nft_ctx *ctx;
	const char *err, *o;
	size_t len;
	int rc;

	if ((ctx = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL) {
		if (cause != NULL)
			xasprintf(cause, "%s: nft_ctx_new failed", what);
		errno = ENOMEM;
		return -1;
	}
	if (nft_ctx_buffer_output(ctx) != 0 || nft_ctx_buffer_error(ctx) != 0) {
		nft_ctx_free(ctx);
		if (cause != NULL)
			xasprintf(cause, "%s: cannot buffer nft output", what);
		errno = ENOMEM;
		return -1;
	}
	rc = nft_run_cmd_from_buffer(ctx, cmds);
	if (rc == 0 && out != NULL) {
		o = nft_ctx_get_output_buffer(ctx);
		*out = xstrdup(o != NULL ? o : "");
	}
	if (rc != 0 && cause != NULL) {
		err = nft_ctx_get_error_buffer(ctx);
		if (err == NULL || *err == '\0')
			err = "unknown error\n";
		/* The first line; the rest repeats the command with carets. */
		len = strcspn(err, "\n");
		xasprintf(cause, "%s: %.*s", what, (int)len, err);
	}
	nft_ctx_free(ctx);
	if (rc != 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int
nft_run(const char *cmds, const char *what, char **cause)
{
	return nft_run_out(cmds, what, cause, NULL);
}

/*
 * Names go into the ruleset text inside double quotes (interfaces) or
 * bare (the table): refuse anything that could end the token.  nft
 * itself rejects what is left that it does not like.
 */
static bool
nft_safe_name(const char *s, size_t max)
{
	const char *p;

	if (s == NULL || *s == '\0' || strlen(s) > max)
		return false;
	for (p = s; *p != '\0'; p++) {
		if (*p <= ' ' || *p >= 0x7f || strchr("\"\\;{}#'$", *p) != NULL)
			return false;
	}
	return true;
}

/* Check params; fills *cause.  The table name is checked by the caller. */
static bool
nft_check_params(const struct nft_params *np, char **cause)
{
	if (np->prefix < 8 || np->prefix > 30) {
		xasprintf(cause, "nft: range prefix /%u outside 8..30",
		    np->prefix);
		return false;
	}
	if (np->mtu < NFT_MTU_MIN || np->mtu > NFT_MTU_MAX) {
		xasprintf(cause, "nft: mtu %u outside %u..%u", np->mtu,
		    NFT_MTU_MIN, NFT_MTU_MAX);
		return false;
	}
	if (!nft_safe_name(np->tun_name, IFNAMSIZ - 1)) {
		xasprintf(cause, "nft: tun '%s': invalid interface name",
		    np->tun_name != NULL ? np->tun_name : "");
		return false;
	}
	if (if_nametoindex(np->tun_name) == 0) {
		xasprintf(cause, "nft: tun '%s': no such interface",
		    np->tun_name);
		return false;
	}
	if (!np->masquerade)
		return true;
	if (!nft_safe_name(np->egress, IFNAMSIZ - 1)) {
		xasprintf(cause, "nft: egress '%s': invalid interface name",
		    np->egress != NULL ? np->egress : "");
		return false;
	}
	if (if_nametoindex(np->egress) == 0) {
		xasprintf(cause, "nft: egress '%s': no such interface",
		    np->egress);
		return false;
	}
	return true;
}

/* Read a forwarding sysctl ('0' or '1'); -1 with *cause. */
static int
nft_forward_read(const char *path, char *value, char **cause)
{
	char buf[8];
	ssize_t n;
	int fd, error;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto fail;
	n = read(fd, buf, sizeof(buf) - 1);
	error = errno;
	close(fd);
	errno = error;
	if (n == -1)
		goto fail;
	if (n < 1 || (buf[0] != '0' && buf[0] != '1')) {
		xasprintf(cause, "nft: %s: unexpected contents", path);
		errno = EINVAL;
		return -1;
	}
	*value = buf[0];
	return 0;

fail:
	error = errno;
	xasprintf(cause, "nft: %s: %s", path, strerror(error));
	errno = error;
	return -1;
}

/*
 * Open ip_forward for writing; -1 with *cause.  The descriptor stays
 * open until nft_remove restores the old value: by then the process may
 * have chrooted away from /proc.  The kernel checks the permission at
 * each write (CAP_NET_ADMIN will do), not only at open.
 */
static int
nft_forward_open(const char *path, char value, char **cause)
{
	int fd, error;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1) {
		error = errno;
		xasprintf(cause, "nft: write %c to %s: %s", value, path,
		    strerror(error));
		errno = error;
	}
	return fd;
}

/* Write ip_forward through fd; -1 with *cause (if not NULL). */
static int
nft_forward_write(int fd, const char *path, char value, char **cause)
{
	char buf[2] = { value, '\n' };
	int error;

	if (pwrite(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf)) {
		error = errno;
		if (cause != NULL)
			xasprintf(cause, "nft: write %c to %s: %s", value,
			    path, strerror(error));
		errno = error;
		return -1;
	}
	return 0;
}

/* The ruleset text for np; the caller frees it. */
static char *
nft_ruleset(const struct nft_params *np, const char *table)
{
	struct in_addr net;
	char nbuf[INET_ADDRSTRLEN], n6buf[INET6_ADDRSTRLEN], *nat, *cmds;
	char *nat6, *mss6;
	unsigned mss = np->mtu - 40;

	net.s_addr = np->range.s_addr &
	    htonl(UINT32_MAX << (32 - np->prefix));
	inet_ntop(AF_INET, &net, nbuf, sizeof(nbuf));
	/*
	 * With dhcp_range6: NAT66 out of the same egress, and a second MSS
	 * clamp for IPv6 (40 bytes more of header: mtu - 60) after the
	 * first, which matched it at mtu - 40 already.
	 */
	if (np->prefix6 != 0) {
		inet_ntop(AF_INET6, &np->range6, n6buf, sizeof(n6buf));
		xasprintf(&nat6, "\t\tip6 saddr %s/%u oifname \"%s\" "
		    "masquerade\n", n6buf, np->prefix6, np->egress);
		xasprintf(&mss6,
		    "\t\tmeta nfproto ipv6 iifname \"%s\" tcp flags syn tcp "
		    "option maxseg size > %u tcp option maxseg size set %u\n"
		    "\t\tmeta nfproto ipv6 oifname \"%s\" tcp flags syn tcp "
		    "option maxseg size > %u tcp option maxseg size set %u\n",
		    np->tun_name, np->mtu - 60, np->mtu - 60, np->tun_name,
		    np->mtu - 60, np->mtu - 60);
	} else {
		nat6 = xstrdup("");
		mss6 = xstrdup("");
	}
	if (np->masquerade)
		xasprintf(&nat,
		    "\tchain postrouting {\n"
		    "\t\ttype nat hook postrouting priority srcnat; "
		    "policy accept;\n"
		    "\t\tip saddr %s/%u oifname \"%s\" masquerade\n"
		    "%s"
		    "\t}\n", nbuf, np->prefix, np->egress, nat6);
	else
		nat = xstrdup("");
	/*
	 * "add; delete; add" replaces a stale table in the same transaction
	 * (nft 1.0.6 has no "destroy").  Clamping comes first.  Tunnel to
	 * tunnel (a packet the kernel routes back out of the TUN) follows
	 * client_to_client; from the tunnel is accepted (the host's own
	 * firewall still decides); toward the tunnel only replies: new
	 * connections into the clients are dropped, as with a NAT router.
	 */
	xasprintf(&cmds,
	    "add table inet %s\n"
	    "delete table inet %s\n"
	    "table inet %s {\n"
	    "%s"
	    "\tchain forward {\n"
	    "\t\ttype filter hook forward priority filter; policy accept;\n"
	    "\t\tiifname \"%s\" tcp flags syn tcp option maxseg size > %u "
	    "tcp option maxseg size set %u\n"
	    "\t\toifname \"%s\" tcp flags syn tcp option maxseg size > %u "
	    "tcp option maxseg size set %u\n"
	    "%s"
	    "\t\tiifname \"%s\" oifname \"%s\" counter %s\n"
	    "\t\tiifname \"%s\" accept\n"
	    "\t\toifname \"%s\" ct state established,related accept\n"
	    "\t\toifname \"%s\" counter drop\n"
	    "\t}\n"
	    "}\n",
	    table, table, table, nat,
	    np->tun_name, mss, mss, np->tun_name, mss, mss, mss6,
	    np->tun_name, np->tun_name, np->client_to_client ? "accept" :
	    "drop", np->tun_name, np->tun_name, np->tun_name);
	free(nat);
	free(nat6);
	free(mss6);
	return cmds;
}

/*
 * The undo record's text: boot, table, and ip_forward and ip6_forward
 * if we change them.
 */
static char *
nft_undo_text(const char *table, bool forward_set, char forward_old,
    bool forward6_set, char forward6_old)
{
	char *text;

	xasprintf(&text, "# rvpn-server: undone at the next start if this "
	    "file outlives the server\nboot %s\ntable %s\n%s%s%s%s%s%s",
	    statefile_boot_id(), table, forward_set ? "ip_forward " : "",
	    forward_set ? (forward_old == '1' ? "1" : "0") : "",
	    forward_set ? "\n" : "", forward6_set ? "ip6_forward " : "",
	    forward6_set ? (forward6_old == '1' ? "1" : "0") : "",
	    forward6_set ? "\n" : "");
	return text;
}

/* Install rvpn's table and, when masquerading, turn on ip_forward. */
struct nft_state *
nft_install(const struct nft_params *np, char **cause)
{
	struct nft_state *st;
	struct statefile *undo = NULL;
	const char *table;
	char *cmds, *what, *rmcmd, *text, old = '0', old6 = '0';
	int saved, fwfd = -1, fw6fd = -1;

	table = np->table != NULL ? np->table : NFT_TABLE;
	if (!nft_safe_name(table, 64)) {
		xasprintf(cause, "nft: table '%s': invalid name", table);
		errno = EINVAL;
		return NULL;
	}
	if (!nft_check_params(np, cause)) {
		errno = EINVAL;
		return NULL;
	}
	if (np->masquerade && nft_forward_read(NFT_IP_FORWARD, &old,
	    cause) == -1)
		return NULL;
	if (np->masquerade && np->prefix6 != 0 &&
	    nft_forward_read(NFT_IP6_FORWARD, &old6, cause) == -1)
		return NULL;
	if (np->masquerade && old != '1' &&
	    (fwfd = nft_forward_open(NFT_IP_FORWARD, '1', cause)) == -1)
		return NULL;
	if (np->masquerade && np->prefix6 != 0 && old6 != '1' &&
	    (fw6fd = nft_forward_open(NFT_IP6_FORWARD, '1', cause)) == -1) {
		if (fwfd != -1)
			close(fwfd);
		return NULL;
	}

	/* The undo record goes to disk before anything changes. */
	if (np->state_path != NULL) {
		text = nft_undo_text(table, fwfd != -1, old, fw6fd != -1,
		    old6);
		undo = statefile_create(np->state_path, text, strlen(text),
		    cause);
		free(text);
		if (undo == NULL) {
			if (fwfd != -1)
				close(fwfd);
			if (fw6fd != -1)
				close(fw6fd);
			return NULL;
		}
	}

	cmds = nft_ruleset(np, table);
	xasprintf(&what, "nft: install table inet %s", table);
	if (nft_run(cmds, what, cause) == -1) {
		free(what);
		free(cmds);
		if (fwfd != -1)
			close(fwfd);
		if (fw6fd != -1)
			close(fw6fd);
		statefile_remove(undo);
		return NULL;
	}
	free(what);
	free(cmds);

	st = xcalloc(1, sizeof(*st));
	st->table = xstrdup(table);
	st->forward_fd = -1;
	st->forward6_fd = -1;
	st->undo = undo;
	st->p = *np;
	st->tun_name = xstrdup(np->tun_name);
	st->egress = np->egress != NULL ? xstrdup(np->egress) : NULL;
	st->p.table = st->table;
	st->p.tun_name = st->tun_name;
	st->p.egress = st->egress;
	st->p.state_path = NULL;
	if ((fwfd != -1 && nft_forward_write(fwfd, NFT_IP_FORWARD, '1',
	    cause) == -1) || (fw6fd != -1 && nft_forward_write(fw6fd,
	    NFT_IP6_FORWARD, '1', cause) == -1)) {
		/* Undo: nothing is left changed on failure. */
		saved = errno;
		if (fwfd != -1) {
			nft_forward_write(fwfd, NFT_IP_FORWARD, old, NULL);
			close(fwfd);
		}
		if (fw6fd != -1)
			close(fw6fd);
		xasprintf(&rmcmd, "delete table inet %s\n", table);
		if (nft_run(rmcmd, "nft", NULL) == -1)
			log_warnx("nft: table inet %s: cannot delete "
			    "after failed install", table);
		free(rmcmd);
		statefile_remove(st->undo);
		free(st->table);
		free(st->tun_name);
		free(st->egress);
		free(st);
		errno = saved;
		return NULL;
	}
	if (fwfd != -1) {
		st->forward_set = true;
		st->forward_old = old;
		st->forward_fd = fwfd;
	}
	if (fw6fd != -1) {
		st->forward6_set = true;
		st->forward6_old = old6;
		st->forward6_fd = fw6fd;
	}
	return st;
}

/* Replace the rules of an installed table for a new client_to_client. */
int
nft_reconfigure(struct nft_state *st, bool client_to_client, char **cause)
{
	char *cmds, *what;
	int rc;

	st->p.client_to_client = client_to_client;
	cmds = nft_ruleset(&st->p, st->table);
	xasprintf(&what, "nft: update table inet %s", st->table);
	rc = nft_run(cmds, what, cause);
	free(what);
	free(cmds);
	return rc;
}

/* Delete the table and restore ip_forward; warnings only. */
void
nft_remove(struct nft_state *st)
{
	char *cmds, *what, *cause = NULL;

	if (st == NULL)
		return;
	xasprintf(&cmds, "delete table inet %s\n", st->table);
	xasprintf(&what, "nft: delete table inet %s", st->table);
	if (nft_run(cmds, what, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
		cause = NULL;
	}
	free(what);
	free(cmds);
	if (st->forward_set) {
		if (nft_forward_write(st->forward_fd, NFT_IP_FORWARD,
		    st->forward_old, &cause) == -1) {
			log_warnx("%s", cause);
			free(cause);
			cause = NULL;
		}
		close(st->forward_fd);
	}
	if (st->forward6_set) {
		if (nft_forward_write(st->forward6_fd, NFT_IP6_FORWARD,
		    st->forward6_old, &cause) == -1) {
			log_warnx("%s", cause);
			free(cause);
		}
		close(st->forward6_fd);
	}
	statefile_remove(st->undo);
	free(st->table);
	free(st->tun_name);
	free(st->egress);
	free(st);
}

/* True if table inet `table` exists in this namespace. */
bool
nft_table_exists(const char *table)
{
	char *cmds;
	int rc;

	if (!nft_safe_name(table, 64))
		return false;
	xasprintf(&cmds, "list table inet %s\n", table);
	rc = nft_run(cmds, "nft", NULL);
	free(cmds);
	return rc == 0;
}

/* "rvpn_" and the TUN name: one table per server instance. */
void
nft_table_name(const char *tun_name, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", NFT_TABLE_PREFIX, tun_name);
}

static void nft_append(char *, size_t, const char *, ...) LOG_PRINTF(3, 4);

/* Append ", " (unless first) and a formatted part to buf. */
static void
nft_append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used != 0 && used + 2 < len) {
		memcpy(buf + used, ", ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/*
 * After a crash: the undo record at state_path and a table of ours left
 * behind.  Delete the table, restore ip_forward (only when the record
 * comes from this boot: a reboot reset it already), remove the record,
 * and say so in one warning.
 */
void
nft_recover(const char *table, const char *state_path)
{
	char *data = NULL, *cause = NULL, *line, *next, *cmds;
	char boot[64] = "", rtable[65] = "", fw = '\0', fw6 = '\0', done[256];
	bool same_boot, deleted = false, restored = false, had_table;
	bool restored6 = false;
	size_t len;
	int fd;

	if (state_path != NULL && statefile_read(state_path, &data, &len,
	    &cause) == -1) {
		log_warnx("nft: undo record: %s", cause);
		free(cause);
		cause = NULL;
	}
	for (line = data; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strncmp(line, "boot ", 5) == 0)
			snprintf(boot, sizeof(boot), "%s", line + 5);
		else if (strncmp(line, "table ", 6) == 0)
			snprintf(rtable, sizeof(rtable), "%s", line + 6);
		else if (strcmp(line, "ip_forward 0") == 0 ||
		    strcmp(line, "ip_forward 1") == 0)
			fw = line[11];
		else if (strcmp(line, "ip6_forward 0") == 0 ||
		    strcmp(line, "ip6_forward 1") == 0)
			fw6 = line[12];
	}
	same_boot = strcmp(boot, statefile_boot_id()) == 0;
	if (rtable[0] != '\0' && nft_safe_name(rtable, 64) &&
	    strcmp(rtable, table) != 0 && nft_table_exists(rtable)) {
		xasprintf(&cmds, "delete table inet %s\n", rtable);
		if (nft_run(cmds, "nft: delete left-over table", &cause) == 0)
			deleted = true;
		free(cmds);
	}
	had_table = nft_table_exists(table);
	if (had_table) {
		xasprintf(&cmds, "delete table inet %s\n", table);
		if (nft_run(cmds, "nft: delete left-over table", &cause) == 0)
			deleted = true;
		free(cmds);
	}
	if (cause != NULL) {
		log_warnx("%s", cause);
		free(cause);
		cause = NULL;
	}
	if (data != NULL && same_boot && fw != '\0') {
		if ((fd = nft_forward_open(NFT_IP_FORWARD, fw, &cause)) != -1) {
			if (nft_forward_write(fd, NFT_IP_FORWARD, fw,
			    &cause) == 0)
				restored = true;
			close(fd);
		}
		if (cause != NULL) {
			log_warnx("%s", cause);
			free(cause);
			cause = NULL;
		}
	}
	if (data != NULL && same_boot && fw6 != '\0') {
		if ((fd = nft_forward_open(NFT_IP6_FORWARD, fw6,
		    &cause)) != -1) {
			if (nft_forward_write(fd, NFT_IP6_FORWARD, fw6,
			    &cause) == 0)
				restored6 = true;
			close(fd);
		}
		if (cause != NULL) {
			log_warnx("%s", cause);
			free(cause);
			cause = NULL;
		}
	}
	if (data != NULL && statefile_unlink(state_path, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
	}
	if (data == NULL && !had_table && !deleted)
		return;
	done[0] = '\0';
	if (deleted)
		nft_append(done, sizeof(done), "deleted table inet %s",
		    had_table ? table : rtable);
	if (restored)
		nft_append(done, sizeof(done), "restored net.ipv4.ip_forward "
		    "= %c", fw);
	if (restored6)
		nft_append(done, sizeof(done), "restored "
		    "net.ipv6.conf.all.forwarding = %c", fw6);
	if (data != NULL && !same_boot)
		nft_append(done, sizeof(done), "ignored a record of an "
		    "earlier boot");
	if (data != NULL)
		nft_append(done, sizeof(done), "removed %s", state_path);
	log_warnx("recovering from an unclean stop of the last run: %s",
	    done);
	free(data);
}

/*
 * The next non-empty line of *p, without leading and trailing blanks,
 * into buf; false at the end.
 */
static bool
nft_next_line(const char **p, char *buf, size_t len)
{
	const char *s = *p, *e;
	size_t n;

	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0')
			return false;
		e = s + strcspn(s, "\n");
		n = (size_t)(e - s);
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		*p = *e == '\n' ? e + 1 : e;
		if (n == 0) {
			s = *p;
			continue;
		}
		snprintf(buf, len, "%.*s", (int)n, s);
		return true;
	}
}

/*
 * Is text (`nft list table inet rvpn`) exactly the table rvpn made before
 * the per-instance tables (up to commit 79aa6ea): an optional postrouting
 * chain masquerading one prefix, and the forward chain with the MSS
 * clamp and the two accepts, all for one TUN (into tun)?  Anything more,
 * less or else is not ours.
 */
static bool
nft_legacy_shape(const char *text, char *tun, size_t tunlen)
{
	char l[256], t[IFNAMSIZ + 1], t2[IFNAMSIZ + 1], pfx[64], eg[64];
	const char *p = text;
	unsigned a, b, i;
	int n;

	if (!nft_next_line(&p, l, sizeof(l)) ||
	    strcmp(l, "table inet " NFT_TABLE " {") != 0 ||
	    !nft_next_line(&p, l, sizeof(l)))
		return false;
	if (strcmp(l, "chain postrouting {") == 0) {
		if (!nft_next_line(&p, l, sizeof(l)) || strcmp(l, "type nat "
		    "hook postrouting priority srcnat; policy accept;") != 0 ||
		    !nft_next_line(&p, l, sizeof(l)))
			return false;
		n = -1;
		if (sscanf(l, "ip saddr %63[0-9./] oifname \"%63[^\"]\" "
		    "masquerade%n", pfx, eg, &n) != 2 || n != (int)strlen(l) ||
		    !nft_next_line(&p, l, sizeof(l)) || strcmp(l, "}") != 0 ||
		    !nft_next_line(&p, l, sizeof(l)))
			return false;
	}
	if (strcmp(l, "chain forward {") != 0 ||
	    !nft_next_line(&p, l, sizeof(l)) || strcmp(l, "type filter hook "
	    "forward priority filter; policy accept;") != 0)
		return false;
	t[0] = '\0';
	for (i = 0; i < 2; i++) {
		n = -1;
		if (!nft_next_line(&p, l, sizeof(l)) ||
		    sscanf(l, i == 0 ? "iifname \"%16[^\"]\" tcp flags syn tcp "
		    "option maxseg size > %u tcp option maxseg size set %u%n" :
		    "oifname \"%16[^\"]\" tcp flags syn tcp option maxseg size "
		    "> %u tcp option maxseg size set %u%n", t2, &a, &b,
		    &n) != 3 || n != (int)strlen(l) || a != b ||
		    (i == 1 && strcmp(t, t2) != 0))
			return false;
		snprintf(t, sizeof(t), "%s", t2);
	}
	snprintf(pfx, sizeof(pfx), "iifname \"%s\" accept", t);
	if (!nft_next_line(&p, l, sizeof(l)) || strcmp(l, pfx) != 0)
		return false;
	snprintf(pfx, sizeof(pfx), "oifname \"%s\" ct state "
	    "established,related accept", t);
	if (!nft_next_line(&p, l, sizeof(l)) || strcmp(l, pfx) != 0 ||
	    !nft_next_line(&p, l, sizeof(l)) || strcmp(l, "}") != 0 ||
	    !nft_next_line(&p, l, sizeof(l)) || strcmp(l, "}") != 0 ||
	    nft_next_line(&p, l, sizeof(l)))
		return false;
	snprintf(tun, tunlen, "%s", t);
	return true;
}

void
nft_recover_legacy(const char *own_tun)
{
	char *text = NULL, *cause = NULL, tun[IFNAMSIZ + 1];

	if (nft_run_out("list table inet " NFT_TABLE "\n", "nft", NULL,
	    &text) == -1)
		return;		/* no such table: the usual case */
	if (!nft_legacy_shape(text, tun, sizeof(tun))) {
		log_warnx("nft: table inet %s is not the one an older rvpn "
		    "made (other chains or rules): left alone", NFT_TABLE);
		free(text);
		return;
	}
	free(text);
	if ((own_tun == NULL || strcmp(tun, own_tun) != 0) &&
	    if_nametoindex(tun) != 0) {
		log_warnx("nft: table inet %s of an older rvpn for %s, which "
		    "exists: left alone (is an old rvpn-server running?)",
		    NFT_TABLE, tun);
		return;
	}
	if (nft_run("delete table inet " NFT_TABLE "\n",
	    "nft: delete table inet " NFT_TABLE, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
		return;
	}
	log_warnx("nft: deleted table inet %s, left by an older rvpn for %s "
	    "(its NAT and forward rules)", NFT_TABLE, tun);
}
