/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <unistd.h>

#include "ctl.h"
#include "ctlmsg.h"

/* rvpnctl reload: the server re-reads its configuration, as on SIGHUP. */
int
reload_main(int argc, char **argv)
{
	struct ctlmsg m;
	int fd, rv = 1;

	if (argc != 1) {
		fprintf(stderr, "usage: rvpnctl [-s socket] reload\n");
		return 1;
	}
	if ((fd = ctl_request(CTLMSG_T_RELOAD_REQ, NULL)) == -1)
		return 1;
	if (ctl_recv(fd, &m, CTLMSG_T_OK, CTLMSG_T_ERROR) == 0) {
		if (m.type == CTLMSG_T_ERROR)
			fprintf(stderr, "rvpnctl: reload failed: %s\n",
			    m.u.text);
		else {
			printf("%s\n", m.u.text);
			rv = fflush(stdout) == 0 ? 0 : 1;
		}
	}
	close(fd);
	return rv;
}
