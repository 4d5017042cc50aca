/* SPDX-License-Identifier: ISC */
/*
 * Log lines: whatever a formatted argument holds (peer text: a close
 * reason, a client name), one call writes exactly one line, with every
 * control character escaped, so no argument can forge a log line.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"

static char out[8192];

/* Call emit with stderr going to a temporary file; its text in out. */
static void
run(void (*emit)(void))
{
	FILE *f;
	int saved, n;

	fflush(stderr);
	if ((f = tmpfile()) == NULL)
		abort();
	saved = dup(STDERR_FILENO);
	dup2(fileno(f), STDERR_FILENO);
	emit();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = (int)fread(out, 1, sizeof(out) - 1, f);
	out[n < 0 ? 0 : n] = '\0';
	fclose(f);
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return n;
}

static void
emit_forged(void)
{
	log_warnx("server closed: %s (%d)",
	    "bye\nERROR rvpn_server: forged line\r\x1b[2J\ttab\x7f", 4001);
}

static void
emit_name(void)
{
	log_info("session up: %s from %s", "evil\nname", "198.18.1.2");
}

static void
emit_errno(void)
{
	errno = ENOENT;
	log_warn("%s", "/etc/rvpn/x\n.key");
}

static void
emit_plain(void)
{
	log_info("plain %s %u%%", "text with spaces, ' \" and \\", 7U);
}

static void
emit_utf8(void)
{
	log_info("name %s", "caf\xc3\xa9");
}

int
main(void)
{
	log_init("rvpn_test", LOG_LVL_DEBUG);

	run(emit_forged);
	tap_is_int(count_lines(out), 1, "forged newline: one line");
	tap_is_str(out, "WARN rvpn_test: server closed: bye\\nERROR "
	    "rvpn_server: forged line\\r\\x1b[2J\\ttab\\x7f (4001)\n",
	    "newline, CR, ESC, tab and DEL escaped");
	tap_ok(strchr(out, '\x1b') == NULL, "no raw ESC");

	run(emit_name);
	tap_is_str(out, "INFO rvpn_test: session up: evil\\nname from "
	    "198.18.1.2\n", "a name with a newline");

	run(emit_errno);
	tap_is_str(out, "WARN rvpn_test: /etc/rvpn/x\\n.key: No such file or "
	    "directory\n", "log_warn: the argument escaped, strerror kept");

	run(emit_plain);
	tap_is_str(out, "INFO rvpn_test: plain text with spaces, ' \" and \\ "
	    "7%\n", "printable text unchanged");

	run(emit_utf8);
	tap_is_str(out, "INFO rvpn_test: name caf\xc3\xa9\n",
	    "UTF-8 unchanged");
	return tap_done();
}
