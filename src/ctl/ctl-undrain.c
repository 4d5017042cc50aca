/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>

#include "ctl.h"
#include "ctlmsg.h"

/* rvpnctl undrain: the server takes new sessions again (/healthz 200). */
int
undrain_main(int argc, char **argv)
{

	if (argc != 1) {
		fprintf(stderr, "usage: rvpnctl [-s socket] undrain\n");
		return 1;
	}
	return ctl_simple(CTLMSG_T_UNDRAIN_REQ, NULL);
}
