/* SPDX-License-Identifier: ISC */
/* rvpnctl: one <cmd>_main() per file, dispatched from rvpnctl.c. */
#ifndef RVPN_CTL_H
#define RVPN_CTL_H

/* Each returns the exit status: 0 success, 1 failure. */
int	genkey_main(int argc, char **argv);
int	pubkey_main(int argc, char **argv);

#endif
