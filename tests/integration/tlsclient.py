# SPDX-License-Identifier: GPL-2.0-or-later
"""What the integration tests' Python clients share (lib.sh puts this
directory on PYTHONPATH): a TLS connection to the daemon on 127.0.0.1,
verified against the test CA, a read bounded in time, and a byte stream
split into HTTP responses."""
import socket
import ssl
import time


def connect(port, name, cafile="ca.crt"):
    """A TLS connection to 127.0.0.1:PORT for the server name NAME."""
    ctx = ssl.create_default_context(cafile=cafile)
    return ctx.wrap_socket(socket.create_connection(("127.0.0.1", port),
                           timeout=5), server_hostname=name)


def read(c, seconds):
    """What comes back within SECONDS: (bytes, "eof"|"open"), eof when the
    daemon ended the stream (close_notify, FIN or a reset)."""
    buf, end = b"", time.monotonic() + seconds
    c.settimeout(0.2)
    while time.monotonic() < end:
        try:
            d = c.recv(65536)
        except socket.timeout:
            continue
        except (ConnectionResetError, ssl.SSLError):
            return buf, "eof"
        if not d:
            return buf, "eof"
        buf += d
    return buf, "open"


def responses(buf):
    """Split a byte stream into (status line, headers dict, body) by
    Content-Length; the rest that is not a whole response is returned too."""
    out = []
    while buf:
        head, sep, rest = buf.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = head.split(b"\r\n")
        hdr = {}
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            hdr[k.strip().lower()] = v.strip()
        n = int(hdr.get(b"content-length", b"0"))
        if len(rest) < n:
            break
        out.append((lines[0], hdr, rest[:n]))
        buf = rest[n:]
    return out, buf
