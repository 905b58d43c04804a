/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "diag.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "strvec.h"
#include "xalloc.h"

void
diag_vadd(struct diag_list *dl, enum diag_severity sev, const struct srcpos *pos,
    const char *subject, const char *fmt, va_list ap)
{
	struct diag	*d;

	if (dl->dl_count == dl->dl_cap) {
		dl->dl_cap = dl->dl_cap ? dl->dl_cap * 2 : 16;
		dl->dl_items = xreallocarray(dl->dl_items, dl->dl_cap,
		    sizeof(*dl->dl_items));
	}
	d = &dl->dl_items[dl->dl_count++];
	memset(d, 0, sizeof(*d));
	d->d_severity = sev;
	d->d_seq = dl->dl_count - 1;
	if (pos != NULL && pos->sp_file != NULL) {
		d->d_file = xstrdup(pos->sp_file);
		d->d_line = pos->sp_line;
		d->d_col = pos->sp_col;
	}
	if (subject != NULL)
		d->d_subject = xstrdup(subject);
	d->d_msg = xvasprintf(fmt, ap);
	if (sev == DIAG_ERROR)
		dl->dl_errors++;
	else
		dl->dl_warnings++;
}

void
diag_add(struct diag_list *dl, enum diag_severity sev, const struct srcpos *pos,
    const char *subject, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	diag_vadd(dl, sev, pos, subject, fmt, ap);
	va_end(ap);
}

/* The compiler's format: editors and CI annotators jump to file:line:col. */
void
diag_format(const struct diag *d, FILE *fp)
{
	if (d->d_file != NULL) {
		fputs(d->d_file, fp);
		if (d->d_line > 0) {
			fprintf(fp, ":%u", d->d_line);
			if (d->d_col > 0)
				fprintf(fp, ":%u", d->d_col);
		}
		fputs(": ", fp);
	}
	fputs(d->d_severity == DIAG_ERROR ? "error: " : "warning: ", fp);
	if (d->d_subject != NULL)
		fprintf(fp, "%s: ", d->d_subject);
	fprintf(fp, "%s\n", d->d_msg);
}

struct diag_key {
	size_t		 dk_file;	/* index in the file list; SIZE_MAX: none */
	struct diag	*dk_diag;
};

static int
diag_key_cmp(const void *a, const void *b)
{
	const struct diag_key	*x = a, *y = b;
	const struct diag	*dx = x->dk_diag, *dy = y->dk_diag;

	if (x->dk_file != y->dk_file)
		return x->dk_file < y->dk_file ? -1 : 1;
	if (dx->d_line != dy->d_line)
		return dx->d_line < dy->d_line ? -1 : 1;
	if (dx->d_col != dy->d_col)
		return dx->d_col < dy->d_col ? -1 : 1;
	return dx->d_seq < dy->d_seq ? -1 : dx->d_seq > dy->d_seq;
}

/*
 * Each diagnostic's file as its index in `files`: by a map of them when
 * there are many diagnostics (a million customers without a certificate
 * are a million errors over a million files), else by a walk of the list.
 */
static void
diag_file_indexes(struct diag_key *keys, const struct diag_list *dl,
    const struct strvec *files)
{
	struct strmap	index = { 0 };
	bool		mapped = dl->dl_count > 16 && files->sv_count > 16;

	for (size_t f = 0; mapped && f < files->sv_count; f++)
		if (strmap_get(&index, files->sv_items[f]) == NULL)
			(void)strmap_put(&index, files->sv_items[f],
			    (void *)(uintptr_t)(f + 1));
	for (size_t i = 0; i < dl->dl_count; i++) {
		const char *file = dl->dl_items[i].d_file;

		keys[i].dk_file = SIZE_MAX;
		keys[i].dk_diag = &dl->dl_items[i];
		if (file == NULL)
			continue;
		if (mapped) {
			uintptr_t f = (uintptr_t)strmap_get(&index, file);

			keys[i].dk_file = f == 0 ? SIZE_MAX : (size_t)f - 1;
			continue;
		}
		for (size_t f = 0; f < files->sv_count; f++)
			if (strcmp(files->sv_items[f], file) == 0) {
				keys[i].dk_file = f;
				break;
			}
	}
	strmap_free(&index);
}

void
diag_sort(struct diag_list *dl, const struct strvec *files)
{
	struct diag_key	*keys;
	struct diag	*sorted;

	if (dl->dl_count < 2)
		return;
	keys = xcalloc(dl->dl_count, sizeof(*keys));
	diag_file_indexes(keys, dl, files);
	qsort(keys, dl->dl_count, sizeof(*keys), diag_key_cmp);
	sorted = xcalloc(dl->dl_cap, sizeof(*sorted));
	for (size_t i = 0; i < dl->dl_count; i++)
		sorted[i] = *keys[i].dk_diag;
	free(dl->dl_items);
	dl->dl_items = sorted;
	free(keys);
}

void
diag_print(const struct diag_list *dl, FILE *fp)
{
	for (size_t i = 0; i < dl->dl_count; i++)
		diag_format(&dl->dl_items[i], fp);
}

void
diag_append(struct diag_list *dst, const struct diag_list *src)
{
	for (size_t i = 0; i < src->dl_count; i++) {
		const struct diag	*d = &src->dl_items[i];
		struct srcpos		 pos = { d->d_file, d->d_line, d->d_col };

		diag_add(dst, d->d_severity, &pos, d->d_subject, "%s", d->d_msg);
	}
}

void
diag_free(struct diag_list *dl)
{
	for (size_t i = 0; i < dl->dl_count; i++) {
		free(dl->dl_items[i].d_file);
		free(dl->dl_items[i].d_subject);
		free(dl->dl_items[i].d_msg);
	}
	free(dl->dl_items);
	memset(dl, 0, sizeof(*dl));
}
