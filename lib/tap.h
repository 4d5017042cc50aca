/* SPDX-License-Identifier: ISC */
/*
 * A minimal TAP producer for the C unit tests (run by automake's
 * tap-driver.sh).  Header-only so each test is one program.
 */
#ifndef RVPN_TAP_H
#define RVPN_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static void tap_ok(int, const char *, ...) __attribute__((format(printf, 2, 3), unused));
/* Report one check; returns nothing, counts failures. */
static void
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
}

#define tap_is_int(got, want, name) do {				\
	long long _g = (long long)(got), _w = (long long)(want);	\
	tap_ok(_g == _w, "%s", name);					\
	if (_g != _w)							\
		printf("# got %lld, want %lld\n", _g, _w);		\
} while (0)

#define tap_is_str(got, want, name) do {				\
	const char *_g = (got), *_w = (want);				\
	int _eq = _g != NULL && _w != NULL && strcmp(_g, _w) == 0;	\
	tap_ok(_eq, "%s", name);					\
	if (!_eq)							\
		printf("# got '%s', want '%s'\n", _g ? _g : "(null)",	\
		    _w ? _w : "(null)");				\
} while (0)

/* Print the plan and return the exit status for main(). */
static int tap_done(void) __attribute__((unused));
static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed != 0 || tap_n == 0;
}

#endif
