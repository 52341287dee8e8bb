#!/bin/bash
# An unprivileged LXC container (issue 22): tests/container/lxc-debootstrap.sh, ~26 s, where
# `make check-container` has cached its debootstrapped root filesystem (else a SKIP: the
# debootstrap itself takes minutes and needs the mirror) and lxc is installed.
NO_DEBOOTSTRAP=1 exec bash "$(dirname "$0")/../container/lxc-debootstrap.sh" "$@"
