"""Which files a shell reads when it starts (docs/semantics.md §25): the facts GP108 follows.

A Dockerfile RUN runs `/bin/sh -c` (§25.1), a GitHub Actions step `bash -e {0}` or
`bash --noprofile --norc -eo pipefail {0}` (§25.4), a GitLab job one shell for its whole script
(§25.5): none of them is an interactive or login shell that reads a profile written earlier.
"""
from __future__ import annotations

import posixpath

# read by a login shell: bash (/etc/profile, then the first of ~/.bash_profile, ~/.bash_login,
# ~/.profile), dash and ash (/etc/profile, ~/.profile); /etc/profile runs /etc/profile.d/*.sh (§25.2)
LOGIN = "login"
# read by an interactive non-login bash (~/.bashrc; Debian's bash also /etc/bash.bashrc), and by
# the Debian ~/.profile of a login bash (§25.2, §25.3)
INTERACTIVE = "interactive"
# read by no shell at all: pam_env reads it for PAM logins (`su -`, ssh), never a shell (§25.6)
PAM = "pam"

_USER_FILES = {".profile": LOGIN, ".bash_profile": LOGIN, ".bash_login": LOGIN, ".bashrc": INTERACTIVE}
_SYSTEM_FILES = {"/etc/profile": LOGIN, "/etc/bash.bashrc": INTERACTIVE, "/etc/bashrc": INTERACTIVE,
                 "/etc/environment": PAM}
_HOME_PREFIXES = ("~/", "$HOME/", "${HOME}/", "/root/")


def startup_file(path: str) -> str | None:
    """LOGIN, INTERACTIVE or PAM for a shell start-up file, None for any other path."""
    path = path.strip()
    if path in _SYSTEM_FILES:
        return _SYSTEM_FILES[path]
    if path.startswith("/etc/profile.d/") and len(path) > len("/etc/profile.d/"):
        return LOGIN
    base = posixpath.basename(path)
    if base in _USER_FILES and (path.startswith(_HOME_PREFIXES) or path.startswith("/home/")
                                or path == base):
        return _USER_FILES[base]
    return None


def shell_flags(argv: list[str]) -> tuple[bool, bool, bool]:
    """(login, interactive, runs a -c script) of `sh|bash|… [options] -c …`, `SHELL [...]` alike."""
    login = interactive = command = False
    for word in argv[1:]:
        if word == "--login":
            login = True
        elif word.startswith("-") and not word.startswith("--"):
            letters = word[1:]
            login |= "l" in letters
            interactive |= "i" in letters
            command |= "c" in letters
        elif not word.startswith("-"):
            break
    return login, interactive, command


def login_switch(argv: list[str]) -> bool:
    """`su -`, `su -l`, `su --login`, `sudo -i`, `runuser -l`: a PAM login, which reads the
    profile and /etc/environment (§25.6)."""
    if not argv:
        return False
    program = argv[0].rpartition("/")[2]
    rest = argv[1:]
    if program in ("su", "runuser"):
        return any(w in ("-", "-l", "--login") for w in rest)
    if program == "sudo":
        return any(w in ("-i", "--login") for w in rest)
    return False
