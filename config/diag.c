#include "diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void
diag_print(const struct diag_list *dl, FILE *fp)
{
	for (size_t i = 0; i < dl->dl_count; i++)
		diag_format(&dl->dl_items[i], fp);
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
