/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer: the TOML reader (lib/toml.c), the code that reads files,
 * alone: every value it hands over is walked, every message read.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "toml.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t	fuzz_sink;

static bool
fuzz_section(void *arg, const char *name, unsigned line)
{
	(void)arg;
	fuzz_sink += strlen(name) + line;
	return name[0] != 'x';		/* refuse some: their keys are skipped */
}

static void
fuzz_key(void *arg, const char *section, const char *key,
    const struct toml_value *v, unsigned line)
{
	unsigned i;

	(void)arg;
	fuzz_sink += strlen(section) + strlen(key) + line;
	if (v->s != NULL)
		fuzz_sink += strlen(v->s);
	for (i = 0; i < v->nitems; i++)
		fuzz_sink += strlen(v->items[i]);
}

static void
fuzz_error(void *arg, unsigned line, const char *msg)
{
	(void)arg;
	fuzz_sink += strlen(msg) + line;
}

static const struct toml_ops fuzz_ops = {
	fuzz_section, fuzz_key, fuzz_error,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 init;
	FILE		*f;

	if (size > 65536)
		return (0);
	if (!init) {
		log_init("fuzz-config", LOG_LVL_ERROR);
		init = 1;
	}
	if ((f = fmemopen((void *)data, size, "r")) == NULL) {
		if (size == 0)
			return (0);
		abort();
	}
	if (toml_read(f, &fuzz_ops, NULL) == -1)
		abort();
	fclose(f);
	return (0);
}
