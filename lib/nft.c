/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
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
#include "xmalloc.h"

#define NFT_IP_FORWARD	"/proc/sys/net/ipv4/ip_forward"
#define NFT_MTU_MIN	576
#define NFT_MTU_MAX	9000

struct nft_state {
	char	*table;
	bool	 forward_set;	/* we wrote ip_forward */
	char	 forward_old;	/* '0' or '1' */
	int	 forward_fd;	/* ip_forward, open while forward_set */
};

/*
 * Run cmds as one libnftables transaction.  On failure, *cause (if not
 * NULL) gets "what: " and the first line of libnftables' error text.
 */
static int
nft_run(const char *cmds, const char *what, char **cause)
{
	struct nft_ctx *ctx;
	const char *err;
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

/* Read ip_forward ('0' or '1'); -1 with *cause. */
static int
nft_forward_read(char *value, char **cause)
{
	char buf[8];
	ssize_t n;
	int fd, error;

	if ((fd = open(NFT_IP_FORWARD, O_RDONLY | O_CLOEXEC)) == -1)
		goto fail;
	n = read(fd, buf, sizeof(buf) - 1);
	error = errno;
	close(fd);
	errno = error;
	if (n == -1)
		goto fail;
	if (n < 1 || (buf[0] != '0' && buf[0] != '1')) {
		xasprintf(cause, "nft: %s: unexpected contents",
		    NFT_IP_FORWARD);
		errno = EINVAL;
		return -1;
	}
	*value = buf[0];
	return 0;

fail:
	error = errno;
	xasprintf(cause, "nft: %s: %s", NFT_IP_FORWARD, strerror(error));
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
nft_forward_open(char value, char **cause)
{
	int fd, error;

	if ((fd = open(NFT_IP_FORWARD, O_WRONLY | O_CLOEXEC)) == -1) {
		error = errno;
		xasprintf(cause, "nft: write %c to %s: %s", value,
		    NFT_IP_FORWARD, strerror(error));
		errno = error;
	}
	return fd;
}

/* Write ip_forward through fd; -1 with *cause (if not NULL). */
static int
nft_forward_write(int fd, char value, char **cause)
{
	char buf[2] = { value, '\n' };
	int error;

	if (pwrite(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf)) {
		error = errno;
		if (cause != NULL)
			xasprintf(cause, "nft: write %c to %s: %s", value,
			    NFT_IP_FORWARD, strerror(error));
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
	char nbuf[INET_ADDRSTRLEN], *nat, *cmds;
	unsigned mss = np->mtu - 40;

	net.s_addr = np->range.s_addr &
	    htonl(UINT32_MAX << (32 - np->prefix));
	inet_ntop(AF_INET, &net, nbuf, sizeof(nbuf));
	if (np->masquerade)
		xasprintf(&nat,
		    "\tchain postrouting {\n"
		    "\t\ttype nat hook postrouting priority srcnat; "
		    "policy accept;\n"
		    "\t\tip saddr %s/%u oifname \"%s\" masquerade\n"
		    "\t}\n", nbuf, np->prefix, np->egress);
	else
		nat = xstrdup("");
	/*
	 * "add; delete; add" replaces a stale table in the same transaction
	 * (nft 1.0.6 has no "destroy").  The forward chain never drops: the
	 * host's own firewall decides; clamping comes before the accepts.
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
	    "\t\tiifname \"%s\" accept\n"
	    "\t\toifname \"%s\" ct state established,related accept\n"
	    "\t}\n"
	    "}\n",
	    table, table, table, nat,
	    np->tun_name, mss, mss, np->tun_name, mss, mss,
	    np->tun_name, np->tun_name);
	free(nat);
	return cmds;
}

/* Install rvpn's table and, when masquerading, turn on ip_forward. */
struct nft_state *
nft_install(const struct nft_params *np, char **cause)
{
	struct nft_state *st;
	const char *table;
	char *cmds, *what, *rmcmd, old = '0';
	int saved, fwfd = -1;

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
	if (np->masquerade && nft_forward_read(&old, cause) == -1)
		return NULL;
	if (np->masquerade && old != '1' &&
	    (fwfd = nft_forward_open('1', cause)) == -1)
		return NULL;

	cmds = nft_ruleset(np, table);
	xasprintf(&what, "nft: install table inet %s", table);
	if (nft_run(cmds, what, cause) == -1) {
		free(what);
		free(cmds);
		if (fwfd != -1)
			close(fwfd);
		return NULL;
	}
	free(what);
	free(cmds);

	st = xcalloc(1, sizeof(*st));
	st->table = xstrdup(table);
	st->forward_fd = -1;
	if (fwfd != -1) {
		if (nft_forward_write(fwfd, '1', cause) == -1) {
			/* Undo: nothing is left changed on failure. */
			saved = errno;
			close(fwfd);
			xasprintf(&rmcmd, "delete table inet %s\n", table);
			if (nft_run(rmcmd, "nft", NULL) == -1)
				log_warnx("nft: table inet %s: cannot delete "
				    "after failed install", table);
			free(rmcmd);
			free(st->table);
			free(st);
			errno = saved;
			return NULL;
		}
		st->forward_set = true;
		st->forward_old = old;
		st->forward_fd = fwfd;
	}
	return st;
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
		if (nft_forward_write(st->forward_fd, st->forward_old,
		    &cause) == -1) {
			log_warnx("%s", cause);
			free(cause);
		}
		close(st->forward_fd);
	}
	free(st->table);
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
