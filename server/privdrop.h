#ifndef MTA_STS_PRIVDROP_H
#define MTA_STS_PRIVDROP_H

/*
 * Become `user`:`group` for good (setgroups, setresgid, setresuid) and make
 * the process undumpable, since it holds private keys. Does nothing when not
 * started as root. Returns -1 with a message in `err` on failure.
 */
int	privdrop(const char *user, const char *group, char *err, size_t);

#endif
