/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The little JSON the tools write: strings, escaped. */
#ifndef MTA_STS_JSON_H
#define MTA_STS_JSON_H

#include <stdio.h>

/* `s` as a JSON string, quotes included; NULL is written as null. */
void	json_string(FILE *, const char *s);

#endif
