/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the bytes as a main configuration file through
 * config_load, then, if it loaded without error, the DNS records in all
 * three formats. config_load only reads files, so the input is written to a
 * file in a directory made once per process (removed at exit).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../config/config.h"
#include "../../config/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char	fuzz_dir[64];
static char	fuzz_path[96];

static void
fuzz_cleanup(void)
{
	if (fuzz_path[0] != '\0')
		unlink(fuzz_path);
	if (fuzz_dir[0] != '\0')
		rmdir(fuzz_dir);
}

static void
fuzz_setup(void)
{
	if (fuzz_dir[0] != '\0')
		return;
	strcpy(fuzz_dir, "/tmp/fuzz_config.XXXXXX");
	if (mkdtemp(fuzz_dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	snprintf(fuzz_path, sizeof(fuzz_path), "%s/mta-sts-hostd.yaml",
	    fuzz_dir);
	atexit(fuzz_cleanup);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*cfg;
	struct dns_set	 set = { 0 };
	FILE		*fp;
	char		*out = NULL;
	size_t		 outlen = 0;

	fuzz_setup();
	fp = fopen(fuzz_path, "w");
	if (fp == NULL || (size > 0 && fwrite(data, 1, size, fp) != size) ||
	    fclose(fp) != 0) {
		perror(fuzz_path);
		abort();
	}

	cfg = config_load(fuzz_path);
	if (cfg->cfg_diags.dl_errors == 0) {
		dns_build(&set, cfg, NULL, 0);
		fp = open_memstream(&out, &outlen);
		if (fp == NULL)
			abort();
		dns_write_bind(fp, set.ds_zones, set.ds_count, cfg->cfg_path);
		dns_write_nsupdate(fp, &set, NULL);
		dns_write_nsupdate(fp, &set, "192.0.2.1 5353");
		dns_write_json(fp, &set, cfg, NULL, 0);
		fclose(fp);
		free(out);
		dns_free(&set);
	}
	config_free(cfg);
	return 0;
}
