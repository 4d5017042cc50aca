/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "ctl.h"
#include "ctlmsg.h"
#include "log.h"

struct subcmd {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*desc;
};

static const struct subcmd cmds[] = {
	{ "genkey",	genkey_main,	"write a new private key to stdout" },
	{ "pubkey",	pubkey_main,
	    "read a private key from stdin, write its public key" },
	{ "status",	status_main,	"list sessions of a running server" },
	{ "stats",	stats_main,	"show a running server's counters" },
	{ "kick",	kick_main,	"end a session (address, key or name)" },
	{ "reload",	reload_main,	"make the server reload its config" },
	{ "drain",	drain_main,
	    "refuse new sessions (--kick: move the current ones)" },
	{ "undrain",	undrain_main,	"take new sessions again" },
};

static const struct option longopts[] = {
	{ "socket",	required_argument,	NULL,	's' },
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	'V' },
	{ NULL,		0,			NULL,	0 }
};

const char *ctl_socket = CTLMSG_SOCKET_DEFAULT;

/* The synopsis and command list, to stdout for help, stderr on misuse. */
static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: rvpnctl [-hV] [-s socket] command [arguments]\n\n"
	    "commands:\n");
	for (i = 0; i < nitems(cmds); i++)
		fprintf(f, "  %-8s  %s\n", cmds[i].name, cmds[i].desc);
	fprintf(f, "  %-8s  %s\n", "help", "show this help");
	fprintf(f, "\noptions:\n"
	    "  -s, --socket PATH  control socket (default %s)\n"
	    "  -h, --help         show this help\n"
	    "  -V, --version      print the version\n", CTLMSG_SOCKET_DEFAULT);
}

int
main(int argc, char **argv)
{
	size_t i;
	int ch;

	log_init("rvpnctl", LOG_LVL_WARN);
	/* '+': options after the command are the command's. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:s:hV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 's':
			ctl_socket = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("rvpnctl %s\n", PACKAGE_VERSION);
			return 0;
		case ':':
			fprintf(stderr, "rvpnctl: option '%s' needs an "
			    "argument\n", argv[optind - 1]);
			usage(stderr);
			return 1;
		default:
			fprintf(stderr, "rvpnctl: unknown option '%s'\n",
			    argv[optind - 1]);
			usage(stderr);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 1;
	}
	if (strcmp(argv[0], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < nitems(cmds); i++) {
		if (strcmp(argv[0], cmds[i].name) == 0)
			return cmds[i].fn(argc, argv);
	}
	fprintf(stderr, "rvpnctl: unknown command '%s'\n", argv[0]);
	usage(stderr);
	return 1;
}
