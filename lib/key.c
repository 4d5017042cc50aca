/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "key.h"
#include "log.h"
#include "noise.h"
#include "xmalloc.h"

_Static_assert(PROTO_KEY_LEN == NOISE_KEY_LEN, "one key length");

/* Generate a clamped X25519 private key from the private DRBG. */
int
key_generate(uint8_t priv[PROTO_KEY_LEN])
{
	uint8_t pub[PROTO_KEY_LEN];

	/* Clamped as RFC 7748 does, so the file holds what is used. */
	return noise_x25519_generate(priv, pub);
}

/* Derive the X25519 public key of priv (lib/noise.c does the EVP work). */
int
key_public(const uint8_t priv[PROTO_KEY_LEN], uint8_t pub[PROTO_KEY_LEN])
{
	return noise_x25519_public(priv, pub);
}

/* Standard base64 with padding: 32 bytes give 43 characters and one '='. */
void
key_to_base64(const uint8_t key[PROTO_KEY_LEN], char out[KEY_B64_LEN + 1])
{
	EVP_EncodeBlock((unsigned char *)out, key, PROTO_KEY_LEN);
	out[KEY_B64_LEN] = '\0';
}

/*
 * Decode one base64 character without branching on its value (keys are
 * secret; this is the scheme of wireguard-tools' encoding.c).  Returns
 * 0..63, or a value with bit 8 set for an invalid character.
 */
static int
key_b64_char(int c)
{
	int r = -1;

	r += ((('A' - 1 - c) & (c - ('Z' + 1))) >> 8) & (c - 'A' + 1);
	r += ((('a' - 1 - c) & (c - ('z' + 1))) >> 8) & (c - 'a' + 26 + 1);
	r += ((('0' - 1 - c) & (c - ('9' + 1))) >> 8) & (c - '0' + 52 + 1);
	r += ((('+' - 1 - c) & (c - ('+' + 1))) >> 8) & 63;
	r += ((('/' - 1 - c) & (c - ('/' + 1))) >> 8) & 64;
	return r;
}

/* Strict: exactly 44 characters, canonical final character, one '='. */
bool
key_from_base64(const char *s, uint8_t key[PROTO_KEY_LEN])
{
	uint8_t tmp[PROTO_KEY_LEN];
	const char *end;
	size_t len, i;
	uint32_t acc, bad = 0;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\n' || end[-1] == '\r'))
		end--;
	len = (size_t)(end - s);
	if (len != KEY_B64_LEN || s[KEY_B64_LEN - 1] != '=')
		return false;
	/* An invalid character is 0xffffffff: it sets bits above 23. */
	for (i = 0; i < PROTO_KEY_LEN / 3; i++) {
		acc = ((uint32_t)key_b64_char((unsigned char)s[i * 4]) << 18) |
		    ((uint32_t)key_b64_char((unsigned char)s[i * 4 + 1]) << 12) |
		    ((uint32_t)key_b64_char((unsigned char)s[i * 4 + 2]) << 6) |
		    (uint32_t)key_b64_char((unsigned char)s[i * 4 + 3]);
		bad |= acc >> 24;
		tmp[i * 3] = (uint8_t)(acc >> 16);
		tmp[i * 3 + 1] = (uint8_t)(acc >> 8);
		tmp[i * 3 + 2] = (uint8_t)acc;
	}
	acc = ((uint32_t)key_b64_char((unsigned char)s[40]) << 18) |
	    ((uint32_t)key_b64_char((unsigned char)s[41]) << 12) |
	    ((uint32_t)key_b64_char((unsigned char)s[42]) << 6);
	bad |= acc >> 24;
	bad |= acc & 0xff;	/* the last character must be canonical */
	tmp[30] = (uint8_t)(acc >> 16);
	tmp[31] = (uint8_t)(acc >> 8);
	if (bad != 0) {
		OPENSSL_cleanse(tmp, sizeof(tmp));
		return false;
	}
	memcpy(key, tmp, PROTO_KEY_LEN);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return true;
}

void
key_short(const uint8_t pub[PROTO_KEY_LEN], char out[9])
{
	char b64[KEY_B64_LEN + 1];

	key_to_base64(pub, b64);
	memcpy(out, b64, 8);
	out[8] = '\0';
}

/* Read and decode a key file; warn when others may read it. */
int
key_read_file(const char *path, uint8_t priv[PROTO_KEY_LEN], char **cause)
{
	char buf[128];
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd, saved;

	/* O_NONBLOCK: a FIFO or device at path must not hang the caller. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		saved = errno;
		xasprintf(cause, "%s: %s", path, strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		saved = errno;
		xasprintf(cause, "%s: %s", path, strerror(saved));
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		xasprintf(cause, "%s: not a regular file", path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		log_warnx("%s: private key file is group- or world-accessible "
		    "(mode %04o); run chmod 600 %s",
		    path, (unsigned)(st.st_mode & 07777), path);
	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			xasprintf(cause, "%s: %s", path, strerror(saved));
			close(fd);
			OPENSSL_cleanse(buf, sizeof(buf));
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (len == sizeof(buf) - 1 || !key_from_base64(buf, priv)) {
		OPENSSL_cleanse(buf, sizeof(buf));
		xasprintf(cause, "%s: not a valid key (expected 44 base64 "
		    "characters)", path);
		errno = EINVAL;
		return -1;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

/* Create path (0600, never over an existing file or symlink) with priv. */
int
key_write_file(const char *path, const uint8_t priv[PROTO_KEY_LEN],
    char **cause)
{
	char line[KEY_B64_LEN + 2];
	size_t off = 0;
	ssize_t n;
	int fd, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		saved = errno;
		xasprintf(cause, "%s: %s", path, strerror(saved));
		errno = saved;
		return -1;
	}
	key_to_base64(priv, line);
	line[KEY_B64_LEN] = '\n';
	line[KEY_B64_LEN + 1] = '\0';
	/* The umask may only have narrowed 0600; make it exact anyway. */
	if (fchmod(fd, 0600) == -1)
		goto fail;
	while (off < KEY_B64_LEN + 1) {
		n = write(fd, line + off, KEY_B64_LEN + 1 - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) == -1)
		goto fail;
	OPENSSL_cleanse(line, sizeof(line));
	if (close(fd) == -1) {
		saved = errno;
		unlink(path);
		xasprintf(cause, "%s: %s", path, strerror(saved));
		errno = saved;
		return -1;
	}
	return 0;

fail:
	saved = errno;
	OPENSSL_cleanse(line, sizeof(line));
	close(fd);
	unlink(path);
	xasprintf(cause, "%s: %s", path, strerror(saved));
	errno = saved;
	return -1;
}

bool
key_equal(const uint8_t *a, const uint8_t *b)
{
	return CRYPTO_memcmp(a, b, PROTO_KEY_LEN) == 0;
}
