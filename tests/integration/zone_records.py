# SPDX-License-Identifier: GPL-2.0-or-later
"""The records of a loaded zone as the DNS tests compare them: master-file
text on stdin (named-checkzone -D, nsd-checkzone -p: $ORIGIN, relative and
blank owners, a multi-line SOA) to sorted "OWNER TTL TYPE RDATA" lines on
stdout, owners absolute and in lower case, the SOA, NS and glue (ns1.) of
the test's wrapper zone left out. A TXT record's strings are joined, none
may be longer than 255 bytes; with --strings its RDATA is "N TEXT", N the
number of strings, each but the last exactly 255 bytes."""
import re
import sys

counted = sys.argv[1:] == ["--strings"]
token = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


def unescape(s):
    return re.sub(r'\\(\d{3}|.)', lambda m: chr(int(m.group(1)))
                  if m.group(1).isdigit() else m.group(1), s)


origin, owner, out, paren = None, None, [], False
for line in sys.stdin:
    line = line.rstrip('\n')
    if paren:
        paren = ')' not in line
        continue
    if not line.strip() or line.lstrip().startswith(';'):
        continue
    if line.startswith('$ORIGIN'):
        origin = line.split()[1]
        continue
    toks = token.findall(line)
    if not line[0].isspace():
        name = toks.pop(0)[1]
        owner = (origin if name == '@' else name if name.endswith('.')
                 else name + '.' + origin)
    ttl = None
    while toks and toks[0][1] and (toks[0][1].isdigit() or toks[0][1] == 'IN'):
        w = toks.pop(0)[1]
        ttl = w if w != 'IN' else ttl
    rtype = toks.pop(0)[1]
    paren = '(' in line and ')' not in line
    if rtype in ('SOA', 'NS') or owner.startswith('ns1.'):
        continue
    if rtype == 'TXT':
        strings = [unescape(q) for q, w in toks]
        if any(len(s) > 255 for s in strings):
            sys.exit('%s: a TXT string is longer than 255 bytes' % owner)
        data = ''.join(strings)
        if counted:
            for s in strings[:-1]:
                if len(s) != 255:
                    sys.exit('%s: a TXT string that is not the last is %d bytes'
                             % (owner, len(s)))
            data = '%d %s' % (len(strings), data)
    else:
        data = ' '.join(w for q, w in toks)
    out.append('%s %s %s %s' % (owner.lower(), ttl, rtype, data))
print('\n'.join(sorted(out)))
