/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "yamltree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "xalloc.h"

struct ytree_parser {
	yaml_parser_t		 yp_parser;
	const char		*yp_name;
	struct diag_list	*yp_diags;
};

static struct ynode *ytree_parse_node(struct ytree_parser *, yaml_event_t *,
    unsigned);

static struct srcpos
ytree_mark_pos(const struct ytree_parser *yp, yaml_mark_t mark)
{
	struct srcpos	pos = {
		.sp_file = yp->yp_name,
		.sp_line = (unsigned)mark.line + 1,
		.sp_col = (unsigned)mark.column + 1,
	};

	return pos;
}

static void
ytree_syntax_error(struct ytree_parser *yp)
{
	yaml_parser_t	*p = &yp->yp_parser;
	struct srcpos	 pos = ytree_mark_pos(yp, p->problem_mark);

	if (p->error == YAML_READER_ERROR) {
		/* The reader reports a byte offset, not a line. */
		pos.sp_line = 0;
		diag_add(yp->yp_diags, DIAG_ERROR, &pos, NULL,
		    "YAML: %s at byte %zu; the file must be UTF-8 text",
		    p->problem ? p->problem : "unreadable input",
		    p->problem_offset);
		return;
	}
	if (p->context != NULL)
		diag_add(yp->yp_diags, DIAG_ERROR, &pos, NULL,
		    "YAML syntax: %s %s", p->problem ? p->problem : "error",
		    p->context);
	else
		diag_add(yp->yp_diags, DIAG_ERROR, &pos, NULL,
		    "YAML syntax: %s", p->problem ? p->problem : "error");
}

static bool
ytree_next(struct ytree_parser *yp, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&yp->yp_parser, ev)) {
		ytree_syntax_error(yp);
		return false;
	}
	return true;
}

static void
ytree_append(struct ynode *parent, struct ynode *child)
{
	/* Doubling: a mapping of a hundred thousand domains is no
	 * quadratic copy. */
	parent->yn_items = xgrow(parent->yn_items, parent->yn_count,
	    sizeof(*parent->yn_items));
	parent->yn_items[parent->yn_count++] = child;
}

static struct ynode *
ytree_parse_collection(struct ytree_parser *yp, struct ynode *n,
    yaml_event_type_t end, unsigned depth)
{
	yaml_event_t	 ev;
	struct ynode	*child;

	for (;;) {
		if (!ytree_next(yp, &ev)) {
			ytree_free(n);
			return NULL;
		}
		if (ev.type == end) {
			yaml_event_delete(&ev);
			return n;
		}
		child = ytree_parse_node(yp, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (child == NULL) {
			ytree_free(n);
			return NULL;
		}
		ytree_append(n, child);
	}
}

/* Consumes nothing beyond the node that `ev` starts; `ev` stays the caller's. */
static struct ynode *
ytree_parse_node(struct ytree_parser *yp, yaml_event_t *ev, unsigned depth)
{
	struct ynode	*n;
	struct srcpos	 pos = ytree_mark_pos(yp, ev->start_mark);

	if (depth > YTREE_MAX_DEPTH) {
		diag_add(yp->yp_diags, DIAG_ERROR, &pos, NULL,
		    "YAML nesting deeper than %d levels", YTREE_MAX_DEPTH);
		return NULL;
	}
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		diag_add(yp->yp_diags, DIAG_ERROR, &pos, NULL,
		    "YAML aliases (*%s) are not supported; share a policy "
		    "through a template under 'policies:' instead",
		    (const char *)ev->data.alias.anchor);
		return NULL;
	case YAML_SCALAR_EVENT:
		n = xcalloc(1, sizeof(*n));
		n->yn_kind = YNODE_SCALAR;
		n->yn_pos = pos;
		n->yn_len = ev->data.scalar.length;
		n->yn_value = xstrndup((const char *)ev->data.scalar.value,
		    n->yn_len);
		n->yn_plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (strlen(n->yn_value) != n->yn_len) {
			diag_add(yp->yp_diags, DIAG_ERROR, &pos, NULL,
			    "a NUL character inside a YAML string");
			ytree_free(n);
			return NULL;
		}
		return n;
	case YAML_SEQUENCE_START_EVENT:
		n = xcalloc(1, sizeof(*n));
		n->yn_kind = YNODE_SEQUENCE;
		n->yn_pos = pos;
		return ytree_parse_collection(yp, n, YAML_SEQUENCE_END_EVENT,
		    depth);
	case YAML_MAPPING_START_EVENT:
		n = xcalloc(1, sizeof(*n));
		n->yn_kind = YNODE_MAPPING;
		n->yn_pos = pos;
		return ytree_parse_collection(yp, n, YAML_MAPPING_END_EVENT,
		    depth);
	default:
		diag_add(yp->yp_diags, DIAG_ERROR, &pos, NULL,
		    "unexpected YAML event %d", (int)ev->type);
		return NULL;
	}
}

/* Expects the next event to have type `want`; anything else is an error. */
static bool
ytree_expect(struct ytree_parser *yp, yaml_event_type_t want)
{
	yaml_event_t	ev;
	bool		ok;

	if (!ytree_next(yp, &ev))
		return false;
	ok = ev.type == want;
	yaml_event_delete(&ev);
	return ok;
}

struct ynode *
ytree_parse(const char *name, const unsigned char *buf, size_t len,
    struct diag_list *diags, bool *failed)
{
	struct ytree_parser	 yp = { .yp_name = name, .yp_diags = diags };
	yaml_event_t		 ev;
	struct ynode		*root = NULL;

	*failed = true;
	if (!yaml_parser_initialize(&yp.yp_parser))
		return NULL;
	yaml_parser_set_input_string(&yp.yp_parser, buf, len);
	if (!ytree_expect(&yp, YAML_STREAM_START_EVENT))
		goto out;
	if (!ytree_next(&yp, &ev))
		goto out;
	if (ev.type == YAML_STREAM_END_EVENT) {
		/* An empty file is an empty configuration. */
		yaml_event_delete(&ev);
		*failed = false;
		goto out;
	}
	yaml_event_delete(&ev);		/* DOCUMENT-START */
	if (!ytree_next(&yp, &ev))
		goto out;
	root = ytree_parse_node(&yp, &ev, 0);
	yaml_event_delete(&ev);
	if (root == NULL)
		goto out;
	if (!ytree_expect(&yp, YAML_DOCUMENT_END_EVENT))
		goto bad;
	if (!ytree_next(&yp, &ev))
		goto bad;
	if (ev.type != YAML_STREAM_END_EVENT) {
		struct srcpos pos = ytree_mark_pos(&yp, ev.start_mark);

		yaml_event_delete(&ev);
		diag_add(diags, DIAG_ERROR, &pos, NULL,
		    "a second YAML document ('---'); put one configuration "
		    "document in each file");
		goto bad;
	}
	yaml_event_delete(&ev);
	*failed = false;
	goto out;
bad:
	ytree_free(root);
	root = NULL;
out:
	yaml_parser_delete(&yp.yp_parser);
	return root;
}

int
ytree_open(const char *path, struct stat *st, bool *link,
    struct diag_list *diags)
{
	struct srcpos	pos = { .sp_file = path };
	int		fd;

	memset(st, 0, sizeof(*st));
	/* A symlink is told apart on the way, without an lstat(2). Not
	 * blocking: a FIFO among the files must not hold the daemon up in
	 * open(2); it is refused as not a regular file. */
	*link = false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1 && errno == ELOOP) {
		*link = true;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	}
	if (fd == -1) {
		diag_add(diags, DIAG_ERROR, &pos, NULL, "cannot open: %s",
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, st) == -1) {
		diag_add(diags, DIAG_ERROR, &pos, NULL, "cannot stat: %s",
		    strerror(errno));
		memset(st, 0, sizeof(*st));
		close(fd);
		return -1;
	}
	return fd;
}

struct ynode *
ytree_load_fd(int fd, const char *path, const struct stat *st,
    struct diag_list *diags, bool *failed)
{
	struct srcpos	 pos = { .sp_file = path };
	unsigned char	*buf;
	struct ynode	*root;
	size_t		 off = 0;

	*failed = true;
	if (!S_ISREG(st->st_mode)) {
		diag_add(diags, DIAG_ERROR, &pos, NULL, "not a regular file");
		close(fd);
		return NULL;
	}
	if (st->st_size > (off_t)YTREE_MAX_FILE_SIZE) {
		diag_add(diags, DIAG_ERROR, &pos, NULL,
		    "file is %lld bytes, more than the %u byte limit",
		    (long long)st->st_size, YTREE_MAX_FILE_SIZE);
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st->st_size + 1);
	while (off < (size_t)st->st_size) {
		ssize_t r = read(fd, buf + off, (size_t)st->st_size - off);

		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			diag_add(diags, DIAG_ERROR, &pos, NULL,
			    "cannot read: %s", r == 0 ? "file shrank while "
			    "being read" : strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		off += (size_t)r;
	}
	close(fd);
	root = ytree_parse(path, buf, off, diags, failed);
	free(buf);
	return root;
}

struct ynode *
ytree_load_file(const char *path, struct stat *st, bool *link,
    struct diag_list *diags, bool *failed)
{
	int fd = ytree_open(path, st, link, diags);

	if (fd == -1) {
		*failed = true;
		return NULL;
	}
	return ytree_load_fd(fd, path, st, diags, failed);
}

void
ytree_free(struct ynode *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->yn_count; i++)
		ytree_free(n->yn_items[i]);
	free(n->yn_items);
	free(n->yn_value);
	free(n);
}

size_t
ytree_map_size(const struct ynode *n)
{
	return n->yn_count / 2;
}

struct ynode *
ytree_map_key(const struct ynode *n, size_t i)
{
	return n->yn_items[2 * i];
}

struct ynode *
ytree_map_value(const struct ynode *n, size_t i)
{
	return n->yn_items[2 * i + 1];
}

/* `key:` with nothing after it, or an explicit `~` / `null`. */
bool
ytree_is_null(const struct ynode *n)
{
	if (n->yn_kind != YNODE_SCALAR || !n->yn_plain)
		return false;
	return n->yn_len == 0 || strcmp(n->yn_value, "~") == 0 ||
	    strcmp(n->yn_value, "null") == 0 || strcmp(n->yn_value, "Null") == 0 ||
	    strcmp(n->yn_value, "NULL") == 0;
}

const char *
ytree_kind_name(const struct ynode *n)
{
	switch (n->yn_kind) {
	case YNODE_SCALAR:
		return ytree_is_null(n) ? "an empty value" : "a single value";
	case YNODE_SEQUENCE:
		return "a list";
	case YNODE_MAPPING:
		return "a mapping";
	}
	return "a value";
}
