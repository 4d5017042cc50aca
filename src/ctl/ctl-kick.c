/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>

#include "ctl.h"
#include "ctlmsg.h"

/* rvpnctl kick ADDRESS|KEY|NAME: end that session with code 4008. */
int
kick_main(int argc, char **argv)
{

	if (argc != 2 || argv[1][0] == '\0') {
		fprintf(stderr, "usage: rvpnctl [-s socket] kick "
		    "address | public-key | name\n");
		return 1;
	}
	return ctl_simple(CTLMSG_T_KICK_REQ, argv[1]);
}
