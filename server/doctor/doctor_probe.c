/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "doctor_probe.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../config/policy.h"
#include "../../config/xalloc.h"

#define PROBE_POLICY_PATH	"/.well-known/mta-sts.txt"
/* Response headers beyond this are no policy host's. */
#define PROBE_HEADER_MAX	(16 * 1024)
/* RFC 5321 4.5.3.1.5: a reply line is at most 512 bytes; be lenient. */
#define PROBE_SMTP_LINE_MAX	2048
/* A multi-line EHLO reply has a line per extension. */
#define PROBE_SMTP_LINES_MAX	100

#ifndef MTA_STS_VERSION
#define MTA_STS_VERSION "0.0.0"
#endif

/* A header's value if `line` is that header ("Name: value"), else NULL. */
static const char *
doctor_probe_header(const char *line, const char *name)
{
	size_t n = strlen(name);

	if (strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

/* Decode a chunked body in place; false if it is not well formed. */
static bool
doctor_probe_dechunk(char *buf, size_t len, size_t *outlen)
{
	size_t in = 0, out = 0;

	for (;;) {
		char		*end;
		unsigned long	 n;

		if (in >= len || !isxdigit((unsigned char)buf[in]))
			return false;
		n = strtoul(buf + in, &end, 16);
		in = (size_t)(end - buf);
		while (in < len && buf[in] != '\n')
			in++;		/* chunk extensions */
		if (in++ >= len)
			return false;
		if (n == 0)
			break;
		if (n > len - in)
			return false;
		memmove(buf + out, buf + in, n);
		out += n;
		in += n;
		if (in < len && buf[in] == '\r')
			in++;
		if (in >= len || buf[in++] != '\n')
			return false;
	}
	*outlen = out;
	return true;
}

void
doctor_probe_parse_response(char *buf, size_t len,
    struct doctor_https_fetch *hf)
{
	char	*hdr_end = memmem(buf, len, "\r\n\r\n", 4), *line, *next;
	char	*body;
	long	 clen = -1;
	bool	 chunked = false;
	size_t	 blen;

	if (hdr_end == NULL || strncmp(buf, "HTTP/1.", 7) != 0 ||
	    len < 12 || !isdigit((unsigned char)buf[9])) {
		hf->hf_why = xstrdup("the server did not answer with HTTP/1.x");
		return;
	}
	*hdr_end = '\0';
	body = hdr_end + 4;
	blen = len - (size_t)(body - buf);
	hf->hf_status = atoi(buf + 9);
	for (line = strstr(buf, "\r\n"); line != NULL; line = next) {
		const char *v;

		line += 2;
		next = strstr(line, "\r\n");
		if (next != NULL)
			*next = '\0';
		if ((v = doctor_probe_header(line, "Content-Type")) != NULL) {
			free(hf->hf_content_type);
			hf->hf_content_type = xstrdup(v);
		} else if ((v = doctor_probe_header(line, "Location")) !=
		    NULL) {
			free(hf->hf_location);
			hf->hf_location = xstrdup(v);
		} else if ((v = doctor_probe_header(line, "Content-Length")) !=
		    NULL)
			clen = strtol(v, NULL, 10);
		else if ((v = doctor_probe_header(line, "Transfer-Encoding")) !=
		    NULL)
			chunked = strcasestr(v, "chunked") != NULL;
		if (next != NULL)
			*next = '\r';
	}
	if (chunked && !doctor_probe_dechunk(body, blen, &blen)) {
		hf->hf_why = xstrdup("the chunked body is not well formed");
		return;
	}
	if (!chunked && clen >= 0 && (size_t)clen < blen)
		blen = (size_t)clen;
	else if (!chunked && clen >= 0 && (size_t)clen > blen) {
		hf->hf_why = xasprintf("the body ended after %zu of the %ld "
		    "bytes announced", blen, clen);
		return;
	}
	hf->hf_body = xstrndup(body, blen);
	hf->hf_body_len = blen;
}

void
doctor_probe_https(WOLFSSL_CTX *ctx, const char *address, const char *host,
    unsigned timeout_ms, struct doctor_https_fetch *hf)
{
	/* Room for headers and a body one byte over the senders' limit. */
	size_t		 cap = PROBE_HEADER_MAX + POLICY_BODY_LIMIT + 1;
	char		*buf = NULL, *req, *why = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	struct doctor_conn co;

	memset(hf, 0, sizeof(*hf));
	if (!doctor_net_connect(&co, address, PROBE_HTTPS_PORT, timeout_ms,
	    &hf->hf_why)) {
		hf->hf_no_route = co.co_connect_errno == ENETUNREACH;
		goto out;
	}
	hf->hf_connected = true;
	if (!doctor_net_tls(&co, ctx, host, &hf->hf_tls))
		goto out;
	req = xasprintf("GET " PROBE_POLICY_PATH " HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: mta-sts-hostd-doctor/" MTA_STS_VERSION "\r\n"
	    "Accept: */*\r\nConnection: close\r\n\r\n", host);
	if (!doctor_net_write(&co, req, strlen(req), &hf->hf_why)) {
		free(req);
		goto out;
	}
	free(req);
	buf = xmalloc(cap + 1);
	while (len < cap && (n = doctor_net_read(&co, buf + len, cap - len,
	    &why)) > 0)
		len += (size_t)n;
	if (why != NULL && len == 0) {
		hf->hf_why = why;
		goto out;
	}
	free(why);
	buf[len] = '\0';
	doctor_probe_parse_response(buf, len, hf);
	if (hf->hf_body_len > POLICY_BODY_LIMIT || len == cap)
		hf->hf_too_large = true;
out:
	free(buf);
	doctor_net_close(&co);
}

/* Read a whole reply; its code, and whether a line announces `keyword`. */
static int
doctor_probe_smtp_reply(struct doctor_conn *co, const char *keyword,
    bool *found, char **why)
{
	int code = -1;

	for (int i = 0; i < PROBE_SMTP_LINES_MAX; i++) {
		char	*line = doctor_net_line(co, PROBE_SMTP_LINE_MAX, why);
		bool	 last;

		if (line == NULL)
			return -1;
		if (strlen(line) < 3 || !isdigit((unsigned char)line[0]) ||
		    (line[3] != '\0' && line[3] != ' ' && line[3] != '-')) {
			*why = xasprintf("'%.60s' is not an SMTP reply", line);
			free(line);
			return -1;
		}
		code = atoi(line);
		last = line[3] != '-';
		if (keyword != NULL && found != NULL && i > 0 &&
		    strncasecmp(line + 4, keyword, strlen(keyword)) == 0 &&
		    (line[4 + strlen(keyword)] == '\0' ||
		    line[4 + strlen(keyword)] == ' '))
			*found = true;
		free(line);
		if (last)
			return code;
	}
	*why = xstrdup("the reply has too many lines");
	return -1;
}

void
doctor_probe_smtp(WOLFSSL_CTX *ctx, const char *address, const char *mx,
    const char *helo, unsigned timeout_ms, struct doctor_smtp_probe *sm)
{
	struct doctor_conn co;
	char		*cmd;
	int		 code;

	memset(sm, 0, sizeof(*sm));
	if (!doctor_net_connect(&co, address, PROBE_SMTP_PORT, timeout_ms,
	    &sm->sm_why))
		goto out;
	sm->sm_connected = true;
	code = doctor_probe_smtp_reply(&co, NULL, NULL, &sm->sm_why);
	if (code == -1)
		goto out;
	if (code != 220) {
		sm->sm_why = xasprintf("the greeting is %d, not 220", code);
		goto out;
	}
	cmd = xasprintf("EHLO %s\r\n", helo);
	if (!doctor_net_write(&co, cmd, strlen(cmd), &sm->sm_why)) {
		free(cmd);
		goto out;
	}
	free(cmd);
	code = doctor_probe_smtp_reply(&co, "STARTTLS", &sm->sm_starttls,
	    &sm->sm_why);
	if (code == -1)
		goto out;
	if (code != 250) {
		sm->sm_why = xasprintf("EHLO was answered %d", code);
		goto out;
	}
	if (!sm->sm_starttls)
		goto quit;
	if (!doctor_net_write(&co, "STARTTLS\r\n", 10, &sm->sm_why))
		goto out;
	code = doctor_probe_smtp_reply(&co, NULL, NULL, &sm->sm_why);
	if (code == -1)
		goto out;
	if (code != 220) {
		sm->sm_why = xasprintf("STARTTLS was answered %d", code);
		goto out;
	}
	/* Bytes before the handshake would be read as if encrypted. */
	if (co.co_start != co.co_end) {
		sm->sm_why = xstrdup("the server sent data after its "
		    "STARTTLS reply (a plaintext injection)");
		goto out;
	}
	sm->sm_tls_done = true;
	if (!doctor_net_tls(&co, ctx, mx, &sm->sm_tls))
		goto out;
quit:
	cmd = NULL;
	if (!doctor_net_write(&co, "QUIT\r\n", 6, &cmd))
		free(cmd);	/* the verdict is in; a lost QUIT changes nothing */
out:
	doctor_net_close(&co);
}

void
doctor_probe_https_free(struct doctor_https_fetch *hf)
{
	doctor_net_tls_result_free(&hf->hf_tls);
	free(hf->hf_content_type);
	free(hf->hf_location);
	free(hf->hf_body);
	free(hf->hf_why);
}

void
doctor_probe_smtp_free(struct doctor_smtp_probe *sm)
{
	doctor_net_tls_result_free(&sm->sm_tls);
	free(sm->sm_why);
}
