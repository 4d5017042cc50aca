/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <unistd.h>

#include "ctl.h"
#include "ctlmsg.h"

/* rvpnctl kick ADDRESS|KEY|NAME: end that session with code 4008. */
int
kick_main(int argc, char **argv)
{
	struct ctlmsg m;
	int fd, rv = 1;

	if (argc != 2 || argv[1][0] == '\0') {
		fprintf(stderr, "usage: rvpnctl [-s socket] kick "
		    "address | public-key | name\n");
		return 1;
	}
	if ((fd = ctl_request(CTLMSG_T_KICK_REQ, argv[1])) == -1)
		return 1;
	if (ctl_recv(fd, &m, CTLMSG_T_OK, CTLMSG_T_OK) == 0) {
		printf("%s\n", m.u.text);
		rv = fflush(stdout) == 0 ? 0 : 1;
	}
	close(fd);
	return rv;
}
