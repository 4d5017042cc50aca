/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "ctl.h"
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
};

/* The synopsis and command list, to stdout for help, stderr on misuse. */
static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: rvpnctl [-hV] command [arguments]\n\n"
	    "commands:\n");
	for (i = 0; i < nitems(cmds); i++)
		fprintf(f, "  %-8s  %s\n", cmds[i].name, cmds[i].desc);
	fprintf(f, "  %-8s  %s\n", "help", "show this help");
}

int
main(int argc, char **argv)
{
	size_t i;

	log_init("rvpnctl", LOG_LVL_WARN);
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("rvpnctl %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (i = 0; i < nitems(cmds); i++) {
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	}
	if (argv[1][0] == '-')
		fprintf(stderr, "rvpnctl: unknown option '%s'\n", argv[1]);
	else
		fprintf(stderr, "rvpnctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 1;
}
