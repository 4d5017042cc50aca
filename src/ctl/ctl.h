/* SPDX-License-Identifier: ISC */
/* rvpnctl: one <cmd>_main() per file, dispatched from rvpnctl.c. */
#ifndef RVPN_CTL_H
#define RVPN_CTL_H

#include <stdbool.h>
#include <stdint.h>

struct ctlmsg;

#define CTL_TIMEOUT	10	/* seconds to wait for the server */

/* The control socket: -s/--socket, else the compiled-in default. */
extern const char	*ctl_socket;

/* Each returns the exit status: 0 success, 1 failure. */
int	genkey_main(int argc, char **argv);
int	pubkey_main(int argc, char **argv);
int	status_main(int argc, char **argv);
int	kick_main(int argc, char **argv);
int	stats_main(int argc, char **argv);
int	reload_main(int argc, char **argv);
int	drain_main(int argc, char **argv);
int	undrain_main(int argc, char **argv);

/* ctl-conn.c: each prints its error ("rvpnctl: ...") and returns -1. */
/* Connect to ctl_socket and send a request (text: KICK's target). */
int	ctl_request(uint8_t type, const char *text);
/* Read the next reply from fd; any type but those in want is malformed. */
int	ctl_recv(int fd, struct ctlmsg *m, uint8_t want1, uint8_t want2);
/* Send a request whose answer is one OK text, print it: the exit status. */
int	ctl_simple(uint8_t type, const char *text);
/* -j/--json or nothing: 0; else the usage line on stderr and -1. */
int	ctl_parse_json(int argc, char **argv, const char *usage, int *json);

#endif
