/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small tree built from libyaml's event stream. The configuration loader
 * walks this tree instead of libyaml's document API because it needs three
 * things that API does not give: aliases refused (an alias bomb expands
 * exponentially in any walker), limits on depth and size, and the source
 * position of every node for error messages.
 */
#ifndef MTA_STS_YAMLTREE_H
#define MTA_STS_YAMLTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* Deeper than any sane configuration; bounds recursion on hostile input. */
#define YTREE_MAX_DEPTH		32
/* One customer file is a few hundred bytes; the main file rarely 100 KiB. */
#define YTREE_MAX_FILE_SIZE	(16u * 1024 * 1024)

enum ynode_kind {
	YNODE_SCALAR,
	YNODE_SEQUENCE,
	YNODE_MAPPING,
};

struct ynode {
	enum ynode_kind	  yn_kind;
	struct srcpos	  yn_pos;
	char		 *yn_value;	/* scalar text, NUL-terminated */
	size_t		  yn_len;
	bool		  yn_plain;	/* unquoted scalar */
	/* Sequence items, or mapping keys and values interleaved. */
	struct ynode	**yn_items;
	size_t		  yn_count;
};

/*
 * Parse one YAML document. `name` is used in positions and must outlive the
 * tree. An empty document yields NULL with no diagnostic; a syntax error
 * yields NULL and an error naming the position.
 */
struct ynode	*ytree_parse(const char *name, const unsigned char *buf,
		    size_t len, struct diag_list *, bool *failed);
/*
 * A file opened for reading, *st its fstat(2) (zero if it cannot be had),
 * *link whether `path` itself is a symlink; -1 and an error naming it if
 * it cannot be opened.
 */
struct stat;
int		 ytree_open(const char *path, struct stat *st, bool *link,
		    struct diag_list *);
/* The regular file open on `fd` (closed here) read and parsed. */
struct ynode	*ytree_load_fd(int fd, const char *path, const struct stat *st,
		    struct diag_list *, bool *failed);
/* Both: `path` opened, read and parsed, *st its stamp as it was read. */
struct ynode	*ytree_load_file(const char *path, struct stat *st,
		    bool *link, struct diag_list *, bool *failed);
void		 ytree_free(struct ynode *);

size_t		 ytree_map_size(const struct ynode *);
struct ynode	*ytree_map_key(const struct ynode *, size_t);
struct ynode	*ytree_map_value(const struct ynode *, size_t);
bool		 ytree_is_null(const struct ynode *);
const char	*ytree_kind_name(const struct ynode *);

#endif
