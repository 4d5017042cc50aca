/* SPDX-License-Identifier: ISC */
/*
 * nft against the real kernel.  Changes network state: run only inside a
 * fresh namespace (tests/nft.sh), which has left a stale table rvt_test
 * behind to be replaced.  argv[1], if given, is a command run with a stage
 * name appended, to check the table with nft(8).
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include "nft.h"
#include "statefile.h"
#include "tap.h"
#include "tun.h"

#define TABLE		"rvt_test"
#define FORWARD		"/proc/sys/net/ipv4/ip_forward"

static const char *check_cmd;

static void
check(const char *stage)
{
	char cmd[512];

	if (check_cmd == NULL)
		return;
	snprintf(cmd, sizeof(cmd), "%s %s", check_cmd, stage);
	fflush(stdout);
	tap_is_int(system(cmd), 0, stage);
}

static int
forward_get(void)
{
	char c = '?';
	int fd;

	if ((fd = open(FORWARD, O_RDONLY)) == -1)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = '?';
	close(fd);
	return c == '0' ? 0 : c == '1' ? 1 : -1;
}

static void
forward_set(int v)
{
	int fd;

	if ((fd = open(FORWARD, O_WRONLY)) == -1 ||
	    write(fd, v ? "1\n" : "0\n", 2) != 2)
		abort();
	close(fd);
}

static void
params(struct nft_params *np)
{
	memset(np, 0, sizeof(*np));
	np->table = TABLE;
	inet_pton(AF_INET, "10.200.0.0", &np->range);
	np->prefix = 24;
	np->tun_name = "rvt0";
	np->egress = "lo";
	np->mtu = 1400;
	np->masquerade = true;
}

static bool
file_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

static void
file_put(const char *path, const char *text)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) == EOF)
		abort();
}

/*
 * The undo record: written (0600) before the change, removed at a clean
 * stop; after a crash nft_recover deletes the table and restores
 * ip_forward; a record of another boot restores nothing.
 */
static void
crash_tests(void)
{
	struct nft_params np;
	struct nft_state *st;
	struct stat sb;
	char dir[] = "/tmp/rvt-nft.XXXXXX", path[256], *cause = NULL, *data;
	char text[512];
	size_t len;
	pid_t pid;
	int status;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/rvt0.state", dir);
	forward_set(0);
	params(&np);
	np.state_path = path;
	st = nft_install(&np, &cause);
	tap_ok(st != NULL, "install with an undo record");
	tap_ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600,
	    "undo record written, 0600");
	tap_is_int(statefile_read(path, &data, &len, &cause), 0,
	    "undo record read");
	tap_ok(data != NULL && strstr(data, "\nip_forward 0\n") != NULL &&
	    strstr(data, "\ntable " TABLE "\n") != NULL,
	    "undo record: table and the original ip_forward");
	free(data);
	nft_remove(st);
	tap_ok(!file_exists(path), "clean stop: undo record removed");
	tap_is_int(forward_get(), 0, "clean stop: ip_forward 0");

	/* A crash: the child installs and dies without removing. */
	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (nft_install(&np, &cause) == NULL)
			_exit(1);
		_exit(0);
	}
	tap_ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "crashing child installed");
	tap_ok(nft_table_exists(TABLE), "after the crash: table left");
	tap_is_int(forward_get(), 1, "after the crash: ip_forward 1");
	tap_ok(file_exists(path), "after the crash: undo record left");
	nft_recover(TABLE, path);
	tap_ok(!nft_table_exists(TABLE), "recover: table deleted");
	tap_is_int(forward_get(), 0, "recover: ip_forward back to 0");
	tap_ok(!file_exists(path), "recover: undo record removed");

	/* A table without a record (an older run): deleted, nothing else. */
	st = nft_install(&np, &cause);
	forward_set(1);
	unlink(path);
	nft_recover(TABLE, path);
	tap_ok(!nft_table_exists(TABLE), "table alone: deleted");
	tap_is_int(forward_get(), 1, "table alone: ip_forward untouched");
	nft_remove(st);		/* warns: table already gone */
	forward_set(1);

	/* A record of another boot: ip_forward is what this boot set. */
	snprintf(text, sizeof(text), "boot 00000000-0000-0000-0000-"
	    "000000000000\ntable %s\nip_forward 0\n", TABLE);
	file_put(path, text);
	nft_recover(TABLE, path);
	tap_is_int(forward_get(), 1, "earlier boot: ip_forward untouched");
	tap_ok(!file_exists(path), "earlier boot: record removed");

	/* Nothing to recover: nothing happens. */
	nft_recover(TABLE, path);
	tap_is_int(forward_get(), 1, "nothing to recover: no change");
	forward_set(0);

	/* An unwritable record directory: install fails, nothing changed. */
	params(&np);
	np.state_path = "/nonexistent-rvt/rvt0.state";
	st = nft_install(&np, &cause);
	tap_ok(st == NULL && cause != NULL && strncmp(cause,
	    "/nonexistent-rvt: ", 18) == 0, "record directory missing: %s",
	    cause != NULL ? cause : "(null)");
	free(cause);
	cause = NULL;
	tap_ok(!nft_table_exists(TABLE), "record missing: no table");
	tap_is_int(forward_get(), 0, "record missing: ip_forward 0");
	rmdir(dir);
}

/* A failed install: NULL, the cause, and nothing changed. */
static void
must_fail(const struct nft_params *np, const char *want, size_t wantlen,
    const char *name)
{
	struct nft_state *st;
	char *cause = NULL;

	st = nft_install(np, &cause);
	tap_ok(st == NULL, "%s: fails", name);
	if (wantlen == 0)
		tap_is_str(cause, want, name);
	else {
		tap_ok(cause != NULL && strncmp(cause, want, wantlen) == 0,
		    "%s", name);
		if (cause == NULL || strncmp(cause, want, wantlen) != 0)
			printf("# got '%s', want '%s...'\n",
			    cause ? cause : "(null)", want);
	}
	tap_ok(!nft_table_exists(np->table), "%s: no table left", name);
	tap_is_int(forward_get(), 0, "ip_forward unchanged");
	free(cause);
	if (st != NULL)
		nft_remove(st);
}

/*
 * A table as rvpn made it before the per-instance tables (commit
 * 79aa6ea^, lib/nft.c nft_ruleset): family and name, its TUN, with or
 * without the postrouting chain, and an extra forward rule (or "").
 */
static void
legacy_table(const char *family, const char *name, const char *tun,
    bool masq, const char *extra)
{
	FILE *f;

	if ((f = popen("nft -f -", "w")) == NULL)
		abort();
	fprintf(f, "table %s %s {\n", family, name);
	if (masq)
		fprintf(f, "\tchain postrouting {\n"
		    "\t\ttype nat hook postrouting priority srcnat; "
		    "policy accept;\n"
		    "\t\tip saddr 10.200.0.0/24 oifname \"lo\" masquerade\n"
		    "\t}\n");
	fprintf(f, "\tchain forward {\n"
	    "\t\ttype filter hook forward priority filter; policy accept;\n"
	    "\t\tiifname \"%s\" tcp flags syn tcp option maxseg size > 1360 "
	    "tcp option maxseg size set 1360\n"
	    "\t\toifname \"%s\" tcp flags syn tcp option maxseg size > 1360 "
	    "tcp option maxseg size set 1360\n"
	    "%s"
	    "\t\tiifname \"%s\" accept\n"
	    "\t\toifname \"%s\" ct state established,related accept\n"
	    "\t}\n"
	    "}\n", tun, tun, extra, tun, tun);
	if (pclose(f) != 0)
		abort();
}

static bool
has_table(const char *family, const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "nft list table %s %s >/dev/null 2>&1",
	    family, name);
	return system(cmd) == 0;
}

/*
 * The single "inet rvpn" table of an older rvpn: deleted when it is
 * exactly that table and its TUN is ours or gone; anything else is left.
 */
static void
legacy_tests(void)
{
	nft_recover_legacy("rvt0");
	tap_ok(!has_table("inet", "rvpn"), "legacy: no table, nothing done");

	legacy_table("inet", "rvpn", "rvtgone0", true, "");
	nft_recover_legacy("rvt0");
	tap_ok(!has_table("inet", "rvpn"),
	    "legacy: inet rvpn for a TUN that is gone: deleted");

	legacy_table("inet", "rvpn", "rvt0", false, "");
	nft_recover_legacy("rvt0");
	tap_ok(!has_table("inet", "rvpn"),
	    "legacy: inet rvpn (no NAT chain) for our own TUN: deleted");

	legacy_table("inet", "rvpn", "lo", true, "");
	nft_recover_legacy("rvt0");
	tap_ok(has_table("inet", "rvpn"),
	    "legacy: inet rvpn for another TUN that exists: left alone");
	tap_is_int(system("nft delete table inet rvpn"), 0, "(deleted)");

	legacy_table("inet", "rvpn", "rvtgone0", true,
	    "\t\ttcp dport 22 accept\n");
	nft_recover_legacy("rvt0");
	tap_ok(has_table("inet", "rvpn"),
	    "legacy: inet rvpn with a rule of someone else's: left alone");
	tap_is_int(system("nft delete table inet rvpn"), 0, "(deleted)");

	legacy_table("ip", "rvpn", "rvtgone0", true, "");
	legacy_table("inet", "rvpn_rvt9", "rvtgone0", true, "");
	legacy_table("inet", "rvpnx", "rvtgone0", true, "");
	nft_recover_legacy("rvt0");
	tap_ok(has_table("ip", "rvpn") && has_table("inet", "rvpn_rvt9") &&
	    has_table("inet", "rvpnx"),
	    "legacy: ip rvpn, inet rvpn_rvt9, inet rvpnx: untouched");
	tap_is_int(system("nft delete table ip rvpn; "
	    "nft delete table inet rvpn_rvt9; nft delete table inet rvpnx"),
	    0, "(deleted)");
}

int
main(int argc, char **argv)
{
	struct nft_params np;
	struct nft_state *st, *st2;
	char ifname[IFNAMSIZ], *cause = NULL;
	int fd;

	if (argc > 1)
		check_cmd = argv[1];
	if ((fd = tun_open("rvt0", ifname, &cause)) == -1) {
		tap_ok(0, "tun_open: %s", cause);
		return tap_done();
	}
	forward_set(0);

	/* Install over the stale table the script left. */
	tap_ok(nft_table_exists(TABLE), "stale table is there");
	tap_ok(!nft_table_exists("rvt_absent"), "absent table: false");
	tap_ok(!nft_table_exists("bad name"), "bad table name: false");
	params(&np);
	st = nft_install(&np, &cause);
	tap_ok(st != NULL, "install: %s", cause ? cause : "ok");
	tap_ok(nft_table_exists(TABLE), "table exists");
	tap_is_int(forward_get(), 1, "ip_forward on");
	check("installed");
	tap_is_int(nft_reconfigure(st, true, &cause), 0,
	    "reconfigure: client_to_client on");
	check("c2c");
	tap_is_int(nft_reconfigure(st, false, &cause), 0,
	    "reconfigure: client_to_client off");
	check("installed");
	nft_remove(st);
	tap_ok(!nft_table_exists(TABLE), "remove: table gone");
	tap_is_int(forward_get(), 0, "remove: ip_forward back to 0");

	/* Installing twice replaces; the first state still restores. */
	st = nft_install(&np, &cause);
	tap_ok(st != NULL, "install again");
	np.mtu = 1280;
	st2 = nft_install(&np, &cause);
	tap_ok(st2 != NULL, "install over it (mtu 1280)");
	check("replaced");
	nft_remove(st2);
	tap_ok(!nft_table_exists(TABLE), "second remove: table gone");
	tap_is_int(forward_get(), 1, "second install found ip_forward on");
	nft_remove(st);		/* warns: table already gone */
	tap_is_int(forward_get(), 0, "first remove: ip_forward back to 0");
	nft_remove(NULL);

	/* ip_forward already on stays on. */
	forward_set(1);
	params(&np);
	st = nft_install(&np, &cause);
	tap_ok(st != NULL, "install with ip_forward already on");
	nft_remove(st);
	tap_is_int(forward_get(), 1, "remove leaves ip_forward on");
	forward_set(0);

	/* Without masquerade: no nat chain, no ip_forward, no egress. */
	params(&np);
	np.masquerade = false;
	np.egress = NULL;
	st = nft_install(&np, &cause);
	tap_ok(st != NULL, "install without masquerade: %s",
	    cause ? cause : "ok");
	tap_is_int(forward_get(), 0, "no masquerade: ip_forward untouched");
	check("nomasq");
	nft_remove(st);
	tap_ok(!nft_table_exists(TABLE), "no masquerade: removed");

	/* Failures leave nothing behind. */
	params(&np);
	np.egress = "rvtnope0";
	must_fail(&np, "nft: egress 'rvtnope0': no such interface", 0,
	    "missing egress");
	np.egress = "lo\" accept";
	must_fail(&np, "nft: egress 'lo\" accept': invalid interface name", 0,
	    "egress with a quote");
	np.egress = NULL;
	must_fail(&np, "nft: egress '': invalid interface name", 0,
	    "masquerade without egress");
	params(&np);
	np.tun_name = "rvtmissing0";
	must_fail(&np, "nft: tun 'rvtmissing0': no such interface", 0,
	    "missing tun");
	params(&np);
	np.mtu = 100;
	must_fail(&np, "nft: mtu 100 outside 576..9000", 0, "mtu 100");
	params(&np);
	np.prefix = 31;
	must_fail(&np, "nft: range prefix /31 outside 8..30", 0, "prefix 31");
	params(&np);
	np.table = "9rvt";
	must_fail(&np, "nft: install table inet 9rvt: Error: syntax error, "
	    "unexpected number, expecting string", 0,
	    "nft rejects the table name: its error text");
	np.table = "rvt;flush";
	must_fail(&np, "nft: table 'rvt;flush': invalid name", 0,
	    "table name with ;");

	crash_tests();
	legacy_tests();
	close(fd);
	return tap_done();
}
