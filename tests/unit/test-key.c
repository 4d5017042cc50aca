/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "key.h"
#include "log.h"
#include "tap.h"
#include "xmalloc.h"

/* RFC 7748 section 6.1: Alice's and Bob's key pairs. */
static const char alice_priv[] = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
static const char alice_pub[] = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
static const char bob_priv[] = "XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os=";
static const char bob_pub[] = "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=";

static char tmpdir[] = "/tmp/rvpn-test-key.XXXXXX";

/* Run key_read_file with stderr captured; returns what was logged. */
static char *
read_capture(const char *path, uint8_t key[PROTO_KEY_LEN], int *rv,
    char **cause)
{
	char *logf, *buf;
	int fd, saved;
	ssize_t n;

	xasprintf(&logf, "%s/stderr", tmpdir);
	fd = open(logf, O_RDWR | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	*rv = key_read_file(path, key, cause);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	buf = xcalloc(1, 1024);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, 1023);
	buf[n < 0 ? 0 : n] = '\0';
	close(fd);
	unlink(logf);
	free(logf);
	return buf;
}

int
main(void)
{
	uint8_t priv[PROTO_KEY_LEN], pub[PROTO_KEY_LEN], k2[PROTO_KEY_LEN];
	char b64[KEY_B64_LEN + 1], shortk[9], *path, *cause, *log;
	struct stat st;
	int rv;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	log_init("test-key", LOG_LVL_INFO);

	/* RFC 7748 vectors */
	tap_ok(key_from_base64(alice_priv, priv), "parse Alice's private key");
	tap_is_int(key_public(priv, pub), 0, "derive Alice's public key");
	key_to_base64(pub, b64);
	tap_is_str(b64, alice_pub, "RFC 7748 Alice public key");
	tap_ok(key_from_base64(bob_priv, priv), "parse Bob's private key");
	key_public(priv, pub);
	key_to_base64(pub, b64);
	tap_is_str(b64, bob_pub, "RFC 7748 Bob public key");

	/* generate, derive, round trip */
	tap_is_int(key_generate(priv), 0, "generate");
	tap_ok((priv[0] & 7) == 0 && (priv[31] & 0xc0) == 0x40,
	    "generated key is clamped");
	tap_is_int(key_public(priv, pub), 0, "derive generated");
	key_to_base64(priv, b64);
	tap_is_int(strlen(b64), KEY_B64_LEN, "base64 is 44 characters");
	tap_ok(key_from_base64(b64, k2) && key_equal(priv, k2),
	    "base64 round trip");
	k2[31] ^= 1;
	tap_ok(!key_equal(priv, k2), "key_equal sees a different key");
	key_short(pub, shortk);
	key_to_base64(pub, b64);
	tap_ok(strlen(shortk) == 8 && strncmp(shortk, b64, 8) == 0,
	    "key_short is the first 8 characters");

	/* whitespace allowed around; bad base64 rejected */
	tap_ok(key_from_base64("  \tdwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\n",
	    k2), "surrounding whitespace allowed");
	tap_ok(!key_from_base64("", k2), "empty rejected");
	tap_ok(!key_from_base64("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LC=",
	    k2), "43 characters rejected");
	tap_ok(!key_from_base64("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCoA",
	    k2), "no padding rejected");
	tap_ok(!key_from_base64("dwdtCnMYpX08FsFyUbJmRd9ML4frwJk*sXf7pR25LCo=",
	    k2), "invalid character rejected");
	tap_ok(!key_from_base64("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCp=",
	    k2), "non-canonical last character rejected");
	tap_ok(!key_from_base64("dwdtCnMYpX08Fs yUbJmRd9ML4frwJkqsXf7pR25LCo=",
	    k2), "inner space rejected");

	/* key files */
	xasprintf(&path, "%s/key", tmpdir);
	key_from_base64(alice_priv, priv);
	cause = NULL;
	umask(022);
	tap_is_int(key_write_file(path, priv, &cause), 0, "write key file");
	tap_ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600,
	    "key file mode is 0600");
	tap_is_int(key_write_file(path, priv, &cause), -1,
	    "no overwrite (O_EXCL)");
	tap_ok(cause != NULL && strstr(cause, ": File exists") != NULL,
	    "overwrite error names the file");
	free(cause);
	cause = NULL;

	memset(k2, 0, sizeof(k2));
	log = read_capture(path, k2, &rv, &cause);
	tap_ok(rv == 0 && key_equal(priv, k2), "read key file");
	tap_is_str(log, "", "a 0600 key file: no warning");
	free(log);

	chmod(path, 0644);
	log = read_capture(path, k2, &rv, &cause);
	tap_ok(rv == 0, "read a 0644 key file");
	tap_ok(strstr(log, "group- or world-accessible (mode 0644)") != NULL,
	    "a 0644 key file warns");
	tap_ok(strstr(log, alice_priv) == NULL, "the warning holds no key");
	free(log);
	unlink(path);

	{
		char *link;
		int fd;

		xasprintf(&link, "%s/link", tmpdir);
		symlink(path, link);
		tap_is_int(key_write_file(link, priv, &cause), -1,
		    "no write through a symlink (O_NOFOLLOW)");
		tap_ok(access(path, F_OK) == -1, "symlink target not created");
		free(cause);
		cause = NULL;
		unlink(link);
		free(link);

		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		write(fd, "garbage\n", 8);
		close(fd);
		log = read_capture(path, k2, &rv, &cause);
		tap_is_int(rv, -1, "bad key file rejected");
		tap_ok(cause != NULL && strstr(cause, "not a valid key") !=
		    NULL, "bad key file error");
		free(cause);
		cause = NULL;
		free(log);
		unlink(path);
		log = read_capture(path, k2, &rv, &cause);
		tap_ok(rv == -1 && cause != NULL &&
		    strstr(cause, ": No such file or directory") != NULL,
		    "missing key file error");
		free(cause);
		free(log);

		/* A FIFO must not block the reader (no writer ever comes). */
		cause = NULL;
		mkfifo(path, 0600);
		alarm(10);	/* a blocking open fails the test, not hangs it */
		rv = key_read_file(path, k2, &cause);
		alarm(0);
		tap_is_int(rv, -1, "a FIFO is not read as a key file");
		xasprintf(&log, "%s: not a regular file", path);
		tap_is_str(cause, log, "a FIFO: not a regular file");
		free(log);
		free(cause);
		unlink(path);
	}
	free(path);
	rmdir(tmpdir);
	return tap_done();
}
