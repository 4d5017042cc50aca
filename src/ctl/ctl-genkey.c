/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/stat.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ctl.h"
#include "key.h"

/* rvpnctl genkey: a new private key, base64, on stdout. */
int
genkey_main(int argc, char **argv)
{
	uint8_t priv[PROTO_KEY_LEN];
	char b64[KEY_B64_LEN + 1];
	struct stat st;
	int rv = 0;

	if (argc != 1) {
		fprintf(stderr, "usage: rvpnctl genkey\n");
		return 1;
	}
	/* Anything this process creates is private (as wg genkey does). */
	umask(077);
	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		fprintf(stderr, "rvpnctl: warning: writing a private key to "
		    "a group- or world-accessible file (run umask 077 "
		    "first)\n");
	if (isatty(STDOUT_FILENO))
		fprintf(stderr, "rvpnctl: warning: writing a private key to "
		    "a terminal\n");
	if (key_generate(priv) == -1) {
		fprintf(stderr, "rvpnctl: genkey: cannot get random bytes\n");
		return 1;
	}
	key_to_base64(priv, b64);
	OPENSSL_cleanse(priv, sizeof(priv));
	if (printf("%s\n", b64) < 0 || fflush(stdout) != 0) {
		perror("rvpnctl: genkey: stdout");
		rv = 1;
	}
	OPENSSL_cleanse(b64, sizeof(b64));
	return rv;
}
