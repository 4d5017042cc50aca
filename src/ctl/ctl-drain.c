/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "ctlmsg.h"

/*
 * rvpnctl drain [--kick]: the server refuses new sessions with 4014 and
 * its /healthz answers 503; --kick also moves the sessions it has, spread
 * over drain_kick_spread seconds.
 */
int
drain_main(int argc, char **argv)
{
	bool kick = false;

	if (argc == 2 && (strcmp(argv[1], "--kick") == 0 ||
	    strcmp(argv[1], "-k") == 0))
		kick = true;
	else if (argc != 1) {
		fprintf(stderr, "usage: rvpnctl [-s socket] drain [-k | "
		    "--kick]\n");
		return 1;
	}
	return ctl_simple(CTLMSG_T_DRAIN_REQ, kick ? "kick" : NULL);
}
