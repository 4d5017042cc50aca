/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <unistd.h>

#include "ctl.h"
#include "ctlmsg.h"

/* rvpnctl undrain: the server takes new sessions again (/healthz 200). */
int
undrain_main(int argc, char **argv)
{
	struct ctlmsg m;
	int fd, rv = 1;

	if (argc != 1) {
		fprintf(stderr, "usage: rvpnctl [-s socket] undrain\n");
		return 1;
	}
	if ((fd = ctl_request(CTLMSG_T_UNDRAIN_REQ, NULL)) == -1)
		return 1;
	if (ctl_recv(fd, &m, CTLMSG_T_OK, CTLMSG_T_OK) == 0) {
		printf("%s\n", m.u.text);
		rv = fflush(stdout) == 0 ? 0 : 1;
	}
	close(fd);
	return rv;
}
