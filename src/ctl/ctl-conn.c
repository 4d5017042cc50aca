/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "ctlmsg.h"

/* Write all of buf; -1 with errno. */
static int
ctl_write_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read exactly len bytes: 0, 1 at EOF before any byte, 2 at EOF after
 * some, -1 with errno. */
static int
ctl_read_all(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return got == 0 ? 1 : 2;
		got += (size_t)n;
	}
	return 0;
}

/* A reply that makes no sense: say so, -1. */
static int
ctl_malformed(const char *why)
{
	fprintf(stderr, "rvpnctl: %s: malformed reply from the server: %s\n",
	    ctl_socket, why);
	return -1;
}

int
ctl_request(uint8_t type, const char *text)
{
	struct sockaddr_un sun;
	struct timeval tv = { CTL_TIMEOUT, 0 };
	uint8_t buf[CTLMSG_MAX];
	size_t len;
	int fd, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(ctl_socket) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "rvpnctl: %s: socket path too long\n",
		    ctl_socket);
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", ctl_socket);
	if (ctlmsg_encode_text(type, text, buf, sizeof(buf), &len) !=
	    CTLMSG_OK) {
		fprintf(stderr, "rvpnctl: argument too long (at most %d "
		    "bytes)\n", CTLMSG_TEXT_MAX);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		perror("rvpnctl: socket");
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		close(fd);
		fprintf(stderr, "rvpnctl: cannot connect to %s: %s%s\n",
		    ctl_socket, strerror(saved),
		    saved == ENOENT || saved == ECONNREFUSED ?
		    " (is rvpn-server running?)" :
		    saved == EACCES || saved == EPERM ?
		    " (the control socket is for root only)" : "");
		return -1;
	}
	/* A server that never answers must not hang us. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1 ||
	    ctl_write_all(fd, buf, len) == -1) {
		/*
		 * A server that refuses us (SO_PEERCRED, too many
		 * connections) replies and closes without reading: its
		 * reason is still there to read, and says more than EPIPE.
		 */
		if (errno == EPIPE || errno == ECONNRESET)
			return fd;
		fprintf(stderr, "rvpnctl: %s: %s\n", ctl_socket,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
ctl_recv(int fd, struct ctlmsg *m, uint8_t want1, uint8_t want2)
{
	uint8_t buf[CTLMSG_MAX];
	char why[64];
	size_t total;
	int rc;

	rc = ctl_read_all(fd, buf, CTLMSG_HDR_LEN);
	if (rc == 0) {
		if ((rc = ctlmsg_peek(buf, CTLMSG_HDR_LEN, &total)) !=
		    CTLMSG_OK)
			return ctl_malformed(ctlmsg_strerror(rc));
		if (total > CTLMSG_HDR_LEN &&
		    (rc = ctl_read_all(fd, buf + CTLMSG_HDR_LEN,
		    total - CTLMSG_HDR_LEN)) == 1)
			rc = 2;		/* EOF inside a message */
	}
	if (rc == 2)
		return ctl_malformed(ctlmsg_strerror(CTLMSG_ERR_SHORT));
	if (rc == 1) {
		fprintf(stderr, "rvpnctl: %s: the server closed the "
		    "connection\n", ctl_socket);
		return -1;
	}
	if (rc == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			fprintf(stderr, "rvpnctl: %s: no reply from the server "
			    "in %d seconds\n", ctl_socket, CTL_TIMEOUT);
		else
			fprintf(stderr, "rvpnctl: %s: %s\n", ctl_socket,
			    strerror(errno));
		return -1;
	}
	if ((rc = ctlmsg_decode(buf, total, m)) != CTLMSG_OK)
		return ctl_malformed(ctlmsg_strerror(rc));
	if (m->type == CTLMSG_T_ERROR && want1 != CTLMSG_T_ERROR &&
	    want2 != CTLMSG_T_ERROR) {
		fprintf(stderr, "rvpnctl: %s\n", m->u.text);
		return -1;
	}
	if (m->type != want1 && m->type != want2) {
		snprintf(why, sizeof(why), "unexpected message type %u",
		    m->type);
		return ctl_malformed(why);
	}
	return 0;
}

int
ctl_parse_json(int argc, char **argv, const char *usage, int *json)
{
	int i;

	*json = 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-j") == 0 ||
		    strcmp(argv[i], "--json") == 0)
			*json = 1;
		else {
			fprintf(stderr, "usage: %s\n", usage);
			return -1;
		}
	}
	return 0;
}

int
ctl_simple(uint8_t type, const char *text)
{
	struct ctlmsg m;
	int fd, rv = 1;

	if ((fd = ctl_request(type, text)) == -1)
		return 1;
	if (ctl_recv(fd, &m, CTLMSG_T_OK, CTLMSG_T_OK) == 0) {
		printf("%s\n", m.u.text);
		rv = fflush(stdout) == 0 ? 0 : 1;
	}
	close(fd);
	return rv;
}
