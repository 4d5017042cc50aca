/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ctl.h"
#include "key.h"

/* rvpnctl pubkey: private key on stdin, its public key on stdout. */
int
pubkey_main(int argc, char **argv)
{
	uint8_t priv[PROTO_KEY_LEN], pub[PROTO_KEY_LEN];
	char buf[256], b64[KEY_B64_LEN + 1];
	size_t n;
	bool ok;

	if (argc != 1) {
		fprintf(stderr, "usage: rvpnctl pubkey < private-key\n");
		return 1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, stdin);
	if (ferror(stdin)) {
		perror("rvpnctl: pubkey: stdin");
		return 1;
	}
	buf[n] = '\0';
	/* A key is 44 characters; a full buffer or a NUL is not a key. */
	ok = n < sizeof(buf) - 1 && strlen(buf) == n &&
	    key_from_base64(buf, priv);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (!ok) {
		fprintf(stderr, "rvpnctl: pubkey: standard input is not a "
		    "private key (expected 44 base64 characters)\n");
		return 1;
	}
	if (key_public(priv, pub) == -1) {
		OPENSSL_cleanse(priv, sizeof(priv));
		fprintf(stderr, "rvpnctl: pubkey: cannot derive the public "
		    "key\n");
		return 1;
	}
	OPENSSL_cleanse(priv, sizeof(priv));
	key_to_base64(pub, b64);
	if (printf("%s\n", b64) < 0 || fflush(stdout) != 0) {
		perror("rvpnctl: pubkey: stdout");
		return 1;
	}
	return 0;
}
