/* The subcommands of the mta-sts-hostd binary. */
#ifndef MTA_STS_CMD_H
#define MTA_STS_CMD_H

/* Exit codes shared by every subcommand (documented in the README). */
#define EXIT_OK		0
#define EXIT_INVALID	1	/* the configuration has errors */
#define EXIT_USAGE	2	/* bad arguments, or output cannot be written */

int	cmd_check(int, char **);
int	cmd_dns(int, char **);
int	cmd_doctor(int, char **);
int	cmd_policy(int, char **);
int	cmd_serve(int, char **);
int	cmd_names(int, char **);

/* Load the configuration named by -c (or the default) for a subcommand. */
struct config;
struct config	*cmd_load_config(const char *path);
void		 cmd_print_errors(const struct config *);

#endif
