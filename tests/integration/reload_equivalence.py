# SPDX-License-Identifier: GPL-2.0-or-later
"""t78's driver: a seeded sequence of changes to a hoster's files under a
running daemon, each followed by a comparison of what the running daemon
serves with what a daemon started afresh on the same files serves.

The files: cfg.yaml (two policy templates, include: [domains.d/*.yaml],
certificates: [{directory: certs}]), customer files in domains.d/, and
certs/mta-sts.DOMAIN.crt and .key, each a copy of pki/certs/LABELn.crt and
.key (version n of LABEL's certificate, LABEL the domain's first label).

The driver keeps a model of the files (which domain is in which file with
which policy, which file is broken and how, which certificate and key
version is installed for each name) and from it knows, after each change:
- what a fresh start serves: for each name either the refusal of the
  handshake (unrecognized_name), or the certificate of the installed pair
  and the policy body rendered from the domain's entry and its template;
- whether the files have errors (a customer file that is not YAML, a
  domain with an invalid value, a key that does not match its
  certificate, a certificate without its key, a configured domain without
  a certificate), which the fresh daemon must log as that many errors;
- hence what the running daemon must serve, by the refusal rule (README,
  the daemon's "Reload:"): an error never takes a name served now away.
  A customer file, or a certificate pair, whose errors would take one
  away stays as it was (all the names of that file keep what they had),
  while every other name serves what the fresh start serves, certificate
  and body; a change of the main file, which makes every file be read
  again, is refused as a whole in that case;
- and the reload's summary line (served, configured, added, removed,
  policies and certificates changed, certificate files new and gone).

usage: reload_equivalence.py pool
       reload_equivalence.py init PORT SEED
       reload_equivalence.py run BINARY PORT SEED OPS
The current directory is the test's; run leaves a line per change and a
summary on standard output, and on a failure says what differed, with
the seed and the number of changes that reproduce it.
"""
import grp
import hashlib
import json
import os
import random
import re
import signal
import socket
import ssl
import subprocess
import sys
import time

POOL = [w + ".example" for w in (
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
    "hotel", "india", "juliett", "kilo", "lima", "mike", "november",
    "oscar", "papa")]
NEVER = "zulu.example"          # never configured, never given a certificate
NAMES = POOL + [NEVER]
VERSIONS = (1, 2, 3)            # pki/certs/LABEL1..3, made by the test
MODES = ("enforce", "testing", "none")
AGES = (604800, 1209600, 2419200, 31557600)
REFUSED = ["refused", "TLSV1_UNRECOGNIZED_NAME"]
RELOAD_LINE = re.compile(r" (info: reloaded in |warning: reload refused)")
SUMMARY = re.compile(r"reloaded in [0-9.]+ ms: (.*)$")
QUIET = 0.3         # seconds without a reload line: the change has settled
RELOAD_WAIT = 15    # seconds for the reload line (a burst waits 1 s at most)
START_WAIT = 20     # seconds for a fresh daemon to listen
BUDGET = float(os.environ.get("RELOAD_EQ_BUDGET", "240"))
STATE = "fresh/model.json"


def label(d):
    return d.split(".")[0]


def now():
    return time.monotonic()


# ---- the model of the files

class Model:
    def __init__(self, data=None):
        data = data or {}
        self.templates = data.get("templates") or {
            "hoster-mx": {"mode": "enforce",
                          "mx": ["mx1.hoster.example", "mx2.hoster.example"],
                          "max_age": 1209600},
            "hoster-testing": {"mode": "testing",
                               "mx": ["mx1.hoster.example"],
                               "max_age": 604800}}
        # file name -> {"domains": {domain: entry}, "broken": None or how
        # the file is not YAML, "invalid": None or [domain, which value]}
        self.files = data.get("files", {})
        # domain -> [certificate version or None, key version or None]
        self.certs = data.get("certs", {})
        # How often cfg.yaml was rewritten with only a comment changed.
        self.main_edits = data.get("main_edits", 0)

    def dump(self):
        return {"templates": self.templates, "files": self.files,
                "certs": self.certs, "main_edits": self.main_edits}

    # -- policies

    def policy(self, entry):
        """The (mode, mx, max_age) an entry resolves to."""
        if "policy" in entry:
            t = self.templates[entry["policy"]]
            return (t["mode"], tuple(t["mx"]),
                    entry.get("max_age", t["max_age"]))
        return entry["mode"], tuple(entry["mx"]), entry["max_age"]

    def body(self, entry):
        mode, mx, age = self.policy(entry)
        return ("version: STSv1\r\nmode: %s\r\n" % mode +
                "".join("mx: %s\r\n" % m for m in mx) +
                "max_age: %d\r\n" % age)

    def random_entry(self, rng, d, old=None):
        """An entry for domain d whose policy differs from old's."""
        while True:
            r = rng.random()
            tpl = rng.choice(sorted(self.templates))
            if r < 0.25:
                e = {"policy": tpl}
            elif r < 0.4:
                e = {"policy": tpl, "max_age": rng.choice(AGES)}
            else:
                mx = rng.sample(["mx.%s" % d, "mx2.%s" % d, "*.mail.%s" % d,
                                 "mx1.hoster.example"], rng.randint(1, 3))
                e = {"mode": rng.choice(MODES), "mx": mx,
                     "max_age": rng.choice(AGES)}
            if old is None or self.policy(e) != self.policy(old):
                return e

    # -- what the files say

    def file_of(self, d):
        for f in sorted(self.files):
            if d in self.files[f]["domains"]:
                return f
        return None

    def configured(self):
        """domain -> entry, for the valid entries of readable files."""
        out = {}
        for f in sorted(self.files):
            st = self.files[f]
            if st["broken"]:
                continue
            for d, e in st["domains"].items():
                if not (st["invalid"] and st["invalid"][0] == d):
                    out[d] = e
        return out

    def ndomains(self):
        """The domains the configuration has, valid or not (the M of
        'serving N of M'): every entry of the files that are YAML."""
        return sum(len(st["domains"]) for st in self.files.values()
                   if not st["broken"])

    def pair(self, d):
        """The version of d's certificate and key when they match."""
        crt, key = self.certs.get(d, [None, None])
        return crt if crt is not None and crt == key else None

    def cert_files(self):
        """The certificate files loaded: (domain, version)."""
        return {(d, self.pair(d)) for d in self.certs if self.pair(d)}

    def expected(self):
        """What a fresh start on the files serves, name by name."""
        conf = self.configured()
        out = {}
        for d in NAMES:
            v = self.pair(d)
            if d in conf and v is not None:
                out[d] = ["served", "%s%d" % (label(d), v), 200,
                          self.body(conf[d])]
            else:
                out[d] = list(REFUSED)
        return out

    def errors(self):
        """The errors in the files, one line each, and the names each
        concerns."""
        errs = []
        conf = self.configured()
        for f in sorted(self.files):
            st = self.files[f]
            if st["broken"]:
                errs.append(("domains.d/%s is not YAML (%s)" %
                             (f, st["broken"]), set(st["domains"])))
            elif st["invalid"]:
                errs.append(("domains.d/%s: %s has an invalid %s" %
                             (f, st["invalid"][0], st["invalid"][1]),
                             {st["invalid"][0]}))
        # A pair in error concerns its name only while a customer file
        # configures it (then the name has no certificate): a customer
        # file deleted takes its name away whatever its pair says.
        for d in sorted(self.certs):
            crt, key = self.certs[d]
            mine = {d} if d in conf else set()
            if crt is not None and key is None:
                errs.append(("certs/mta-sts.%s.crt has no key" % d, mine))
            elif crt is not None and crt != key:
                errs.append(("certs/mta-sts.%s.key (version %d) does not "
                             "match its certificate (version %d)" %
                             (d, key, crt), mine))
        for d in sorted(conf):
            if self.pair(d) is None:
                errs.append(("%s has no certificate" % d, {d}))
        return errs

    # -- the files as YAML

    def render_entry_flow(self, e, mapping=False):
        if list(e) == ["policy"] and not mapping:
            return e["policy"]
        parts = []
        for k, v in e.items():
            if k == "mx":
                v = "[%s]" % ", ".join(quote(m) for m in v)
            parts.append("%s: %s" % (k, v))
        return "{%s}" % ", ".join(parts)

    def render_entry_block(self, d, e):
        if list(e) == ["policy"]:
            return ["  %s: %s" % (d, e["policy"])]
        lines = ["  %s:" % d]
        for k, v in e.items():
            if k == "mx":
                lines.append("    mx:")
                lines += ["      - %s" % quote(m) for m in v]
            else:
                lines.append("    %s: %s" % (k, v))
        return lines

    def file_text(self, f, style):
        """The text of customer file f: flow or block style, broken or
        with an invalid value as the model says."""
        st = self.files[f]
        entries = []
        for d, e in st["domains"].items():
            e = dict(e)
            if st["invalid"] and st["invalid"][0] == d:
                e.update(invalid_value(st["invalid"][1], d, e))
            entries.append((d, e))
        if st["broken"] == "unclosed":
            # Caught half-written: a flow mapping that never ends.
            text = "domains:\n" + "".join(
                "  %s: %s\n" % (d, self.render_entry_flow(e, True))
                for d, e in entries)
            return text[:text.rindex("}")]
        if st["broken"] == "tab" or style == "block":
            lines = ["domains:"]
            for d, e in entries:
                lines += self.render_entry_block(d, e)
            text = "\n".join(lines) + "\n"
            if st["broken"] == "tab":
                # A tab in the indentation: not YAML.
                text = text.replace("\n  ", "\n\t", 1)
            return text
        return "domains:\n" + "".join(
            "  %s: %s\n" % (d, self.render_entry_flow(e)) for d, e in entries)

    def main_text(self, port):
        lines = ["server:", '  listen: ["127.0.0.1:%d"]' % port,
                 "  user: nobody", "  group: nogroup", "  workers: 2",
                 "policies:"]
        for name in sorted(self.templates):
            lines.append("  %s: %s" % (
                name, self.render_entry_flow(self.templates[name], True)))
        lines += ["include: [domains.d/*.yaml]",
                  "certificates: [{directory: certs}]"]
        if self.main_edits:
            lines.append("# edited %d times" % self.main_edits)
        return "\n".join(lines) + "\n"


def quote(mx):
    # A plain scalar cannot start with '*' (an alias in YAML).
    return '"%s"' % mx if mx.startswith("*") else mx


def invalid_value(kind, d, e):
    """The fields that make an entry invalid (but still YAML)."""
    if kind == "mode":
        return {"mode": "sometimes"}
    if kind == "mx":
        mx = list(e.get("mx", [])) + ["mx_1.%s" % d]
        return {"mx": mx}
    if kind == "max_age":
        return {"max_age": 99999999999}
    return {"colour": "blue"}


# ---- writing the files as editors, deployment tools and ACME hooks do

NOGROUP = None


def write_file(path, text, how):
    """inplace: truncated and written; rename: written to a dotfile in the
    same directory, then renamed over path."""
    if how == "inplace":
        with open(path, "w") as fh:
            fh.write(text)
        return
    tmp = os.path.join(os.path.dirname(path),
                       "." + os.path.basename(path) + ".new")
    with open(tmp, "w") as fh:
        fh.write(text)
    os.rename(tmp, path)


def put_cert_part(d, version, ext):
    """pki/certs/LABELn.EXT installed as certs/mta-sts.D.EXT: copied to a
    dotfile, the key 0640 group nogroup, then renamed into place."""
    global NOGROUP
    if NOGROUP is None:
        NOGROUP = grp.getgrnam("nogroup").gr_gid
    src = "pki/certs/%s%d.%s" % (label(d), version, ext)
    tmp = "certs/.installing.%s" % ext
    with open(src, "rb") as i, open(tmp, "wb") as o:
        o.write(i.read())
    if ext == "key":
        os.chown(tmp, -1, NOGROUP)
        os.chmod(tmp, 0o640)
    else:
        os.chmod(tmp, 0o644)
    os.rename(tmp, "certs/mta-sts.%s.%s" % (d, ext))


# ---- the changes

class Ops:
    """Each op changes the files and the model the same way and says what
    it did; the choice of op and of its targets depends on the model and
    the random generator only, so a seed gives one sequence."""

    WEIGHTS = [("add", 10), ("add_domain", 4), ("edit", 10),
               ("replace", 10), ("same", 2), ("delete", 6), ("move", 6),
               ("empty", 2), ("break_yaml", 5), ("break_value", 5),
               ("new_broken", 3), ("cert_add", 8), ("cert_renew", 8),
               ("cert_key_first", 5), ("cert_delete", 5), ("template", 2),
               ("main_comment", 2)]

    def __init__(self, model, rng, port):
        self.m = model
        self.rng = rng
        self.port = port

    # -- what the ops share

    def free_domains(self):
        return [d for d in POOL if self.m.file_of(d) is None]

    def valid_files(self):
        return sorted(f for f, st in self.m.files.items()
                      if not st["broken"] and not st["invalid"]
                      and st["domains"])

    def new_file_name(self, d):
        name, n = "%s.yaml" % label(d), 2
        while name in self.m.files:
            name, n = "%s-%d.yaml" % (label(d), n), n + 1
        return name

    def write(self, f, how=None):
        how = how or self.rng.choice(["inplace", "rename"])
        style = self.rng.choice(["flow", "block"])
        write_file("domains.d/" + f, self.m.file_text(f, style), how)
        return how

    def served_now(self, d):
        return d in self.m.configured() and self.m.pair(d) is not None

    # -- choosing

    def next(self):
        # Errors are fixed soon, the sooner the more there are: while one
        # takes a name away, every reload is refused.
        errs = self.m.errors()
        if self.rng.random() < 1 - 0.55 ** len(errs):
            return self.fix_error(self.rng.choice(errs)[0])
        names, weights = zip(*self.WEIGHTS)
        while True:
            op = self.rng.choices(names, weights)[0]
            done = getattr(self, op)()
            if done:
                return done

    def fix_error(self, err):
        """The change that fixes the error the line err describes."""
        m = re.match(r"domains\.d/(\S+?):? ", err)
        if m:
            return self.fix(m.group(1))
        m = re.match(r"certs/mta-sts\.(\S+)\.key ", err)
        if m:
            return self.cert_complete(m.group(1))
        m = re.match(r"(\S+) has no certificate$", err) or re.match(
            r"certs/mta-sts\.(\S+)\.crt has no key$", err)
        if m:
            return self.cert_add(m.group(1))
        raise Failure("no fix for the error %r" % err)

    # -- customer files

    def add(self):
        free = self.free_domains()
        if not free:
            return None
        d = self.rng.choice(free)
        f = self.new_file_name(d)
        doms = {d: self.m.random_entry(self.rng, d)}
        if len(free) > 1 and self.rng.random() < 0.3:
            d2 = self.rng.choice([x for x in free if x != d])
            doms[d2] = self.m.random_entry(self.rng, d2)
        self.m.files[f] = {"domains": doms, "broken": None, "invalid": None}
        how = self.write(f)
        return "add %s with %s (%s)" % (f, ", ".join(doms), how)

    def add_domain(self):
        free, files = self.free_domains(), self.valid_files()
        if not free or not files:
            return None
        d, f = self.rng.choice(free), self.rng.choice(files)
        self.m.files[f]["domains"][d] = self.m.random_entry(self.rng, d)
        how = self.write(f)
        return "add %s to %s (%s)" % (d, f, how)

    def change(self, how):
        files = self.valid_files()
        if not files:
            return None
        f = self.rng.choice(files)
        d = self.rng.choice(sorted(self.m.files[f]["domains"]))
        doms = self.m.files[f]["domains"]
        doms[d] = self.m.random_entry(self.rng, d, doms[d])
        self.write(f, how)
        return "%s %s: %s's policy changed" % (
            "edit" if how == "inplace" else "rename over", f, d)

    def edit(self):
        return self.change("inplace")

    def replace(self):
        return self.change("rename")

    def same(self):
        files = sorted(self.m.files)
        if not files:
            return None
        f = self.rng.choice(files)
        how = self.write(f)
        return "rewrite %s unchanged (%s)" % (f, how)

    def delete(self):
        files = sorted(self.m.files)
        if not files:
            return None
        f = self.rng.choice(files)
        doms = list(self.m.files.pop(f)["domains"])
        os.unlink("domains.d/" + f)
        return "delete %s (%s)" % (f, ", ".join(doms) or "no domain")

    def empty(self):
        files = self.valid_files()
        if not files:
            return None
        f = self.rng.choice(files)
        doms = list(self.m.files[f]["domains"])
        self.m.files[f]["domains"] = {}
        text = self.rng.choice(["", "domains:\n", "domains: {}\n"])
        write_file("domains.d/" + f, text, self.rng.choice(["inplace",
                                                            "rename"]))
        return "empty %s (%r; was %s)" % (f, text, ", ".join(doms))

    def move(self):
        files = self.valid_files()
        if not files:
            return None
        a = self.rng.choice(files)
        d = self.rng.choice(sorted(self.m.files[a]["domains"]))
        others = [f for f in files if f != a]
        entry = self.m.files[a]["domains"].pop(d)
        changed = ""
        if self.rng.random() < 0.3:
            entry = self.m.random_entry(self.rng, d, entry)
            changed = ", its policy changed"
        if others and self.rng.random() < 0.6:
            b = self.rng.choice(others)
            self.m.files[b]["domains"][d] = entry
        else:
            b = self.new_file_name(d)
            self.m.files[b] = {"domains": {d: entry}, "broken": None,
                               "invalid": None}
        # The new place first, then the old one: as a tool that copies.
        self.write(b, "rename")
        if self.m.files[a]["domains"]:
            self.write(a, "rename")
            gone = ""
        else:
            del self.m.files[a]
            os.unlink("domains.d/" + a)
            gone = ", %s deleted" % a
        return "move %s from %s to %s%s%s" % (d, a, b, changed, gone)

    def break_yaml(self):
        files = self.valid_files()
        if not files:
            return None
        f = self.rng.choice(files)
        self.m.files[f]["broken"] = self.rng.choice(["unclosed", "tab"])
        how = self.write(f)
        doms = ", ".join(self.m.files[f]["domains"])
        return "break %s: %s, not YAML (%s; %s)" % (
            f, self.m.files[f]["broken"], doms, how)

    def break_value(self):
        files = self.valid_files()
        if not files:
            return None
        f = self.rng.choice(files)
        d = self.rng.choice(sorted(self.m.files[f]["domains"]))
        kind = self.rng.choice(["mode", "mx", "max_age", "key"])
        self.m.files[f]["invalid"] = [d, kind]
        how = self.write(f)
        return "break %s: an invalid %s for %s (%s)" % (f, kind, d, how)

    def new_broken(self):
        free = self.free_domains()
        if not free:
            return None
        d = self.rng.choice(free)
        f = self.new_file_name(d)
        self.m.files[f] = {"domains": {d: self.m.random_entry(self.rng, d)},
                           "broken": None, "invalid": None}
        if self.rng.random() < 0.5:
            self.m.files[f]["broken"] = self.rng.choice(["unclosed", "tab"])
            what = "not YAML (%s)" % self.m.files[f]["broken"]
        else:
            kind = self.rng.choice(["mode", "mx", "max_age", "key"])
            self.m.files[f]["invalid"] = [d, kind]
            what = "an invalid %s" % kind
        how = self.write(f)
        return "add %s with %s, broken: %s (%s)" % (f, d, what, how)

    def fix(self, f):
        st = self.m.files[f]
        st["broken"] = st["invalid"] = None
        changed = ""
        if st["domains"] and self.rng.random() < 0.4:
            d = self.rng.choice(sorted(st["domains"]))
            st["domains"][d] = self.m.random_entry(self.rng, d,
                                                   st["domains"][d])
            changed = ", %s's policy changed" % d
        how = self.write(f)
        return "fix %s%s (%s)" % (f, changed, how)

    # -- certificates

    def cert_add(self, d=None):
        if d is None:
            cands = [x for x in POOL if self.m.certs.get(x, [None, None]) ==
                     [None, None]]
            if not cands:
                return None
            d = self.rng.choice(cands)
        v = self.rng.choice(VERSIONS)
        put_cert_part(d, v, "key")
        put_cert_part(d, v, "crt")
        self.m.certs[d] = [v, v]
        return "certificate for %s: %s%d installed" % (d, label(d), v)

    def cert_renew(self):
        cands = sorted(d for d in self.m.certs if self.m.pair(d))
        if not cands:
            return None
        d = self.rng.choice(cands)
        old = self.m.pair(d)
        v = self.rng.choice([x for x in VERSIONS if x != old])
        put_cert_part(d, v, "key")
        put_cert_part(d, v, "crt")
        self.m.certs[d] = [v, v]
        return "certificate for %s renewed: %s%d -> %s%d" % (
            d, label(d), old, label(d), v)

    def cert_key_first(self):
        cands = sorted(d for d in self.m.certs if self.m.pair(d))
        if not cands:
            return None
        d = self.rng.choice(cands)
        old = self.m.pair(d)
        v = self.rng.choice([x for x in VERSIONS if x != old])
        put_cert_part(d, v, "key")
        self.m.certs[d] = [old, v]
        return "key for %s replaced by %s%d's, its certificate later" % (
            d, label(d), v)

    def cert_complete(self, d):
        v = self.m.certs[d][1]
        put_cert_part(d, v, "crt")
        self.m.certs[d] = [v, v]
        return "certificate for %s: %s%d, matching the key" % (
            d, label(d), v)

    def cert_delete(self):
        cands = sorted(d for d, c in self.m.certs.items() if c != [None, None])
        if not cands:
            return None
        # Mostly the certificate of a name no longer served.
        idle = [d for d in cands if not self.served_now(d)]
        if idle and self.rng.random() < 0.6:
            cands = idle
        d = self.rng.choice(cands)
        for ext in ("crt", "key"):
            try:
                os.unlink("certs/mta-sts.%s.%s" % (d, ext))
            except FileNotFoundError:
                pass
        self.m.certs[d] = [None, None]
        return "certificate and key of %s deleted" % d

    # -- the main file

    def main_comment(self):
        # Nothing the other files get changes: cfg.yaml is read alone.
        self.m.main_edits += 1
        how = self.rng.choice(["inplace", "rename"])
        write_file("cfg.yaml", self.m.main_text(self.port), how)
        return "cfg.yaml rewritten with another comment (%s)" % how

    def template(self):
        name = self.rng.choice(sorted(self.m.templates))
        t = self.m.templates[name]
        old = dict(t)
        while self.m.policy(t) == self.m.policy(old):
            field = self.rng.choice(["mode", "mx", "max_age"])
            if field == "mode":
                t["mode"] = self.rng.choice(MODES)
            elif field == "mx":
                t["mx"] = self.rng.sample(
                    ["mx1.hoster.example", "mx2.hoster.example",
                     "*.mx.hoster.example"], self.rng.randint(1, 3))
            else:
                t["max_age"] = self.rng.choice(AGES)
        write_file("cfg.yaml", self.m.main_text(self.port), "rename")
        users = sorted(d for d, e in self.m.configured().items()
                       if e.get("policy") == name)
        return "template %s changed in cfg.yaml (used by %s)" % (
            name, ", ".join(users) or "nobody")


# ---- the initial files

def init(port, seed):
    rng = random.Random("%s/init" % seed)
    m = Model()
    write_file("cfg.yaml", m.main_text(port), "inplace")
    doms = [d for d in POOL if rng.random() < 0.6]
    while doms:
        n = 2 if len(doms) > 1 and rng.random() < 0.25 else 1
        part, doms = doms[:n], doms[n:]
        f = "%s.yaml" % label(part[0])
        m.files[f] = {"domains": {d: m.random_entry(rng, d) for d in part},
                      "broken": None, "invalid": None}
    os.makedirs("domains.d", exist_ok=True)
    os.makedirs("certs", exist_ok=True)
    for f in sorted(m.files):
        write_file("domains.d/" + f, m.file_text(f, rng.choice(
            ["flow", "block"])), "inplace")
    conf = m.configured()
    for d in POOL:
        if rng.random() < (0.9 if d in conf else 0.3):
            v = rng.choice(VERSIONS)
            put_cert_part(d, v, "key")
            put_cert_part(d, v, "crt")
            m.certs[d] = [v, v]
    with open(STATE, "w") as fh:
        json.dump(m.dump(), fh)
    return m


# ---- the daemons

class Log:
    """A daemon's log, read as it grows."""

    def __init__(self, path):
        self.path = path
        self.off = 0
        self.lines = []
        self.partial = b""

    def poll(self):
        with open(self.path, "rb") as fh:
            fh.seek(self.off)
            data = fh.read()
        self.off += len(data)
        data = self.partial + data
        *whole, self.partial = data.split(b"\n")
        self.lines += [x.decode("utf-8", "replace") for x in whole]
        return self.lines

    def reloads(self):
        return [x for x in self.poll() if RELOAD_LINE.search(x)]


class Fresh:
    """Daemons started afresh on the files, each on a free port of its own
    (the one before may still be stopping), logging to fresh/daemon.log."""

    def __init__(self, binary):
        self.binary = binary
        self.procs = []
        self.log = open("fresh/daemon.log", "ab")
        self.reader = Log("fresh/daemon.log")

    def start(self):
        # The daemons before the last have stopped by now.
        while len(self.procs) > 1:
            self.reap(self.procs.pop(0))
        port = free_port()
        with open("cfg.yaml") as fh:
            text = fh.read()
        here = os.getcwd()
        # A copy of cfg.yaml with another port and the same files.
        for old, new in (('"127.0.0.1:%d"' % RUNNING_PORT,
                          '"127.0.0.1:%d"' % port),
                         ("include: [domains.d/",
                          "include: [%s/domains.d/" % here),
                         ("{directory: certs}",
                          "{directory: %s/certs}" % here)):
            if text.count(old) != 1:
                raise Failure("cfg.yaml has not exactly one %r" % old)
            text = text.replace(old, new)
        cfg = "fresh/cfg-%d.yaml" % port
        with open(cfg, "w") as fh:
            fh.write(text)
        self.reader.poll()
        mark = len(self.reader.lines)
        proc = subprocess.Popen([self.binary, "serve", "--foreground", "-c",
                                 cfg], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=self.log)
        proc.cfg = cfg
        self.procs.append(proc)
        return port, proc, mark

    def ready(self, started):
        """Wait until it listens; its start-up lines."""
        port, proc, mark = started
        end = now() + START_WAIT
        want = "info: listening on 127.0.0.1:%d" % port
        while True:
            lines = self.reader.poll()[mark:]
            if any(want in x for x in lines):
                return lines
            if proc.poll() is not None:
                raise Failure("the fresh daemon exited at start (%s):\n%s" %
                              (proc.returncode, "\n".join(lines[-20:])))
            if now() > end:
                raise Failure("the fresh daemon does not listen after %d s"
                              % START_WAIT)
            time.sleep(0.01)

    def stop(self, started):
        started[1].send_signal(signal.SIGTERM)

    def reap(self, p):
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise Failure("a fresh daemon did not exit within 10 s of "
                          "SIGTERM")
        if p.returncode != 0:
            raise Failure("a fresh daemon exited with %d after SIGTERM" %
                          p.returncode)
        os.unlink(p.cfg)

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        while self.procs:
            self.reap(self.procs.pop(0))


def free_port():
    """A free port on 127.0.0.1 that is not the running daemon's."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port != RUNNING_PORT:
            return port


class Failure(Exception):
    pass


# ---- what a client gets

def client_context():
    return ssl.create_default_context(cafile="pki/ca.crt")


def cert_labels():
    """The DER of every certificate the test made -> LABELn."""
    out = {}
    for d in POOL:
        for v in VERSIONS:
            with open("pki/certs/%s%d.crt" % (label(d), v)) as fh:
                out[ssl.PEM_cert_to_DER_cert(fh.read())] = "%s%d" % (
                    label(d), v)
    return out


def fetch(ctx, ders, port, d):
    """What a new connection for mta-sts.D gets: ["refused", reason] when
    the handshake fails, else ["served", certificate, status, body]."""
    host = "mta-sts." + d
    try:
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError as e:
        return ["no connection", str(e)]
    try:
        s = ctx.wrap_socket(raw, server_hostname=host)
    except ssl.SSLCertVerificationError as e:
        raw.close()
        return ["unverified certificate", e.verify_message]
    except ssl.SSLError as e:
        raw.close()
        return ["refused", e.reason or str(e)]
    except OSError as e:
        raw.close()
        return ["handshake failed", str(e)]
    with s:
        der = s.getpeercert(binary_form=True)
        crt = ders.get(der) or "unknown certificate %s" % (
            hashlib.sha256(der).hexdigest()[:16])
        s.sendall(("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: %s\r\n"
                   "Connection: close\r\n\r\n" % host).encode())
        buf, end = b"", now() + 5
        while now() < end:
            head, sep, rest = buf.partition(b"\r\n\r\n")
            if sep:
                m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                if m and len(rest) >= int(m.group(1)):
                    break
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ssl.SSLError, OSError):
                break
            if not chunk:
                break
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        try:
            status = int(head.split(b" ", 2)[1])
        except (IndexError, ValueError):
            return ["served", crt, "no HTTP answer", buf.decode("latin-1")]
        m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        body = rest[:int(m.group(1))] if m else rest
        return ["served", crt, status, body.decode("latin-1")]


def fetch_all(ctx, ders, port):
    return {d: fetch(ctx, ders, port, d) for d in NAMES}


def show(o):
    if o[0] == "served":
        return "%s, %s, %r" % (o[1], o[2], o[3])
    return " ".join(str(x) for x in o)


# ---- the run

RUNNING_PORT = 0


def summary_line(m, before, after, prev_files):
    """The summary of an accepted reload from before to after (what was
    served), as the daemon logs it."""
    old = {d for d in NAMES if before[d][0] == "served"}
    new = {d for d in NAMES if after[d][0] == "served"}
    both = old & new
    files = m.cert_files()
    return ("serving %d of %d domains (%d added, %d removed, %d policies and "
            "%d certificates changed), %d certificate files (%d new, %d gone)"
            % (len(new), m.ndomains(), len(new - old), len(old - new),
               sum(before[d][3] != after[d][3] for d in both),
               sum(before[d][1] != after[d][1] for d in both), len(files),
               len(files - prev_files), len(prev_files - files)))


def run(binary, port, seed, nops):
    global RUNNING_PORT
    RUNNING_PORT = port
    os.umask(0o022)
    with open(STATE) as fh:
        m = Model(json.load(fh))
    rng = random.Random("%s/ops" % seed)
    ops = Ops(m, rng, port)
    ctx, ders = client_context(), cert_labels()
    log = Log("daemon.log")
    fresh = Fresh(binary)
    t_start = now()
    stats = {"ops": 0, "compared": 0, "refused": 0, "held": 0, "split": 0}
    prev = None          # what the running daemon served after the last op
    prev_files = m.cert_files()
    was_held = False
    try:
        for i in range(nops + 1):
            if i and now() - t_start > BUDGET:
                print("time budget of %d s spent: stopped after %d of %d "
                      "changes" % (BUDGET, i - 1, nops))
                break
            mark, mark_all = len(log.reloads()), len(log.lines)
            what = ops.next() if i else "the daemon as started"
            errs = m.errors()
            started = fresh.start()
            t0 = now()
            if i:
                # The reload this change makes...
                while len(log.reloads()) == mark:
                    if now() - t0 > RELOAD_WAIT:
                        raise Failure("no reload within %d s" % RELOAD_WAIT)
                    time.sleep(0.02)
            last_n, last_t = len(log.reloads()), now()
            # ... meanwhile the fresh daemon and what it serves ...
            start_lines = fresh.ready(started)
            got_fresh = fetch_all(ctx, ders, started[0])
            fresh.stop(started)
            # ... and no further reload for QUIET seconds.
            while True:
                n = len(log.reloads())
                if n != last_n:
                    last_n, last_t = n, now()
                if now() - last_t >= QUIET:
                    break
                time.sleep(0.02)
            got_run = fetch_all(ctx, ders, port)
            lines = log.reloads()[mark:]
            if len(lines) != last_n - mark:
                raise Failure("a reload while the running daemon was "
                              "asked: %s" % lines[last_n - mark:])
            if len(lines) > 1:
                stats["split"] += 1
            want = m.expected()
            lost = sorted(d for d in NAMES if prev and
                          prev[d][0] == "served" and want[d][0] != "served")
            held = held_names(m, errs, lost) if i else {}
            # A name the errors would take away keeps what it served
            # (with its file's errors, the certificate it has now); every
            # other name serves what a fresh start serves.
            expect_run = {d: held_expect(m, d, prev[d], held[d])
                          if d in held else got_fresh[d] for d in NAMES}
            # With names kept, the change itself may go in (if only among
            # the configured domains) or not: either line will do, what is
            # served is checked.
            refused = None if held else False
            check(i, what, seed, m, errs, lost, refused, want, got_fresh,
                  expect_run, got_run, start_lines, lines, prev,
                  prev_files, log.lines[mark_all:],
                  summary=not held and not was_held)
            stats["compared"] += 2 * len(NAMES)
            if lines and "reload refused" in lines[-1]:
                stats["refused"] += 1
            elif held:
                stats["held"] += 1
            if not held:
                prev_files = m.cert_files()
            was_held = bool(held)
            print("%3d %-8s %s%s" % (
                i, "refused" if refused else "ok",
                what, " [%d errors: %s]" % (len(errs), "; ".join(
                    e for e, _ in errs)) if errs else ""))
            prev = got_run
            stats["ops"] = i
    finally:
        fresh.close()
    print("t78 seed %s: %d changes, %d comparisons (each name, the fresh "
          "daemon against the files and the running daemon against the "
          "fresh one or what it served before), %d reloads refused, %d "
          "with files held back and others gone in, %d changes "
          "reloaded in more than one step, %.1f s" % (
              seed, stats["ops"], stats["compared"], stats["refused"],
              stats["held"], stats["split"], now() - t_start))


def held_names(m, errs, lost):
    """The names the running daemon keeps (the refusal rule, per name):
    those served now that a fresh start would not serve, with an error
    about them or about their file. Each maps to True when its file has
    the error (its certificate may still change), False when only its
    certificate or key does."""
    held = {}
    for e, concerned in errs:
        f = re.match(r"domains\.d/(\S+?):? ", e)
        names = set(m.files[f.group(1)]["domains"]) if f else concerned
        for d in names & set(lost):
            held[d] = held.get(d, False) or bool(f)
    for d in list(held):
        if m.pair(d) is None:
            held[d] = False
    return held


def held_expect(m, d, before, file_error):
    """What a kept name serves: what it served, with the certificate
    installed now when only its file is in error."""
    if not file_error:
        return before
    return [before[0], "%s%d" % (label(d), m.pair(d))] + before[2:]


def check(i, what, seed, m, errs, lost, refused, want, got_fresh,
          expect_run, got_run, start_lines, lines, prev, prev_files,
          since, summary=True):
    problems = []
    for d in NAMES:
        if got_fresh[d] != want[d]:
            problems.append("  %s: a fresh start serves %s; the files say "
                            "%s" % (d, show(got_fresh[d]), show(want[d])))
    for d in NAMES:
        if got_run[d] != expect_run[d]:
            problems.append("  %s: the running daemon serves %s; expected "
                            "%s (%s)" % (d, show(got_run[d]),
                                         show(expect_run[d]),
                                         "as before the change" if refused
                                         else "as a fresh start"))
    n_err = sum(" error: " in x for x in start_lines)
    if n_err != len(errs):
        problems.append("  the fresh daemon logged %d errors at start, the "
                        "files have %d: %s" % (n_err, len(errs), "; ".join(
                            e for e, _ in errs) or "none"))
    if i and len(lines) == 1 and refused is not None:
        if refused and "reload refused" not in lines[0]:
            problems.append("  the reload was not refused: %s" % lines[0])
        if not refused and summary:
            m_sum = SUMMARY.search(lines[0])
            want_sum = summary_line(m, prev, got_fresh, prev_files)
            if not m_sum:
                problems.append("  the reload was refused: %s" % lines[0])
            elif m_sum.group(1) != want_sum:
                problems.append("  the reload says '%s', expected '%s'" %
                                (m_sum.group(1), want_sum))
    if not problems:
        return
    raise Failure(
        "change %d of seed %s (RELOAD_EQ_SEED=%s RELOAD_EQ_OPS=%d "
        "reproduces it): %s\n%s\n  errors in the files: %s\n"
        "  names that would be lost: %s; so the reload %s\n"
        "  reload lines for this change (%d):\n    %s\n"
        "  the running daemon's log since the change (but for requests):"
        "\n    %s" % (
            i, seed, seed, i, what, "\n".join(problems),
            "; ".join(e for e, _ in errs) or "none",
            ", ".join(lost) or "none",
            "must be refused" if refused else "must go ahead" if
            refused is not None else "may go in or not",
            len(lines), "\n    ".join(lines),
            "\n    ".join(x for x in since if " access: " not in x and
                         "handshake refused" not in x)))


def main(argv):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if argv[:1] == ["pool"]:
        print(" ".join(POOL))
        return 0
    if argv[:1] == ["init"] and len(argv) == 3:
        os.umask(0o022)
        init(int(argv[1]), argv[2])
        return 0
    if argv[:1] == ["run"] and len(argv) == 5:
        try:
            run(argv[1], int(argv[2]), argv[3], int(argv[4]))
        except Failure as e:
            print("FAIL: %s" % e, file=sys.stderr)
            return 1
        return 0
    print(__doc__.split("usage: ")[1].split("\n\n")[0], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
