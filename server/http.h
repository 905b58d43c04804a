/*
 * The HTTP side of the policy server: libmicrohttpd, fed by the relay
 * (see http.c).
 */
#ifndef MTA_STS_HTTP_H
#define MTA_STS_HTTP_H

struct MHD_Daemon;
struct limits;
struct worker;

/* The fixed responses, made once for the whole process. */
void		 http_init(void);
void		 http_cleanup(void);
/* A worker's libmicrohttpd: no thread, no listening socket. */
struct MHD_Daemon *http_daemon_new(struct worker *, const struct limits *);

#endif
