/* SPDX-License-Identifier: ISC */
/* libFuzzer: server_config_load on the input written to a temp file. */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	path[64];

static void
fuzz_cleanup(void)
{
	unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct server_config	*cfg;
	char			*cause = NULL;
	FILE			*f;
	int			 fd;

	if (size > 65536)
		return (0);
	if (path[0] == '\0') {
		log_init("fuzz-config", LOG_LVL_ERROR);
		snprintf(path, sizeof(path), "/tmp/rvpn-fuzz-config.XXXXXX");
		if ((fd = mkstemp(path)) == -1)
			abort();
		close(fd);
		atexit(fuzz_cleanup);
	}
	if ((f = fopen(path, "w")) == NULL)
		abort();
	if (size != 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	cfg = server_config_load(path, &cause);
	server_config_free(cfg);
	free(cause);
	return (0);
}
