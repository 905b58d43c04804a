/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line: main() (main.c) finds the subcommand in the table of
 * cmd.c and runs it; each subcommand is a cmd_*.c of this folder, which
 * parses its options and calls the configuration model (config/), the
 * daemon (serve_run) or the doctor.
 */
#ifndef MTA_STS_CMD_H
#define MTA_STS_CMD_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

struct certset;
struct config;
struct snapshot;

/* Exit codes shared by the subcommands (documented in the README);
 * `doctor` has a monitoring plugin's own. */
#define EXIT_OK		0
#define EXIT_INVALID	1	/* the configuration has errors */
#define EXIT_USAGE	2	/* bad arguments, or output cannot be written */

struct command {
	const char	*cmd_name;
	int		(*cmd_run)(int argc, char **argv);
	/* Its options, a line each after the first, for the usage texts. */
	const char	*cmd_synopsis;
	const char	*cmd_summary;
};

int	cmd_certs(int, char **);
int	cmd_check(int, char **);
int	cmd_dns(int, char **);
int	cmd_doctor(int, char **);
int	cmd_names(int, char **);
int	cmd_policy(int, char **);
int	cmd_serve(int, char **);
int	cmd_version(int, char **);

/* The subcommand called `name`, or NULL. */
const struct command	*cmd_find(const char *name);
/* The usage of every command (`help`), and of one, on `fp`. */
void			 cmd_usage_all(FILE *fp);
void			 cmd_usage(const char *name);

/* Load the configuration named by -c (NULL: the default) for a command. */
struct config;
struct config		*cmd_load_config(const char *path);
/*
 * The snapshot the daemon would build of `cfg` at `now`, certificates and
 * all; the certificates loaded are left in `certs` (certset_free), or
 * dropped with NULL.
 */
struct snapshot		*cmd_snapshot(struct config *cfg, time_t now,
			    struct certset *certs);
void			 cmd_print_errors(const struct config *);
/* A whole number from min to max in *out, or false. */
bool			 cmd_number(const char *, long min, long max,
			    unsigned *out);
/* Flush standard output: EXIT_OK, or EXIT_USAGE and a message naming the
 * command if it could not be written (a full disk, a closed pipe). */
int			 cmd_flush(const char *name);

#endif
