# fresh-chroot.sh: a fresh Debian 12 to run something in, and its teardown;
# sourced by tools/check-fresh and tools/check-packages (not run).
#
# The sourcing script sets, before sourcing it:
#   tool    its name, the prefix of every message ("check-fresh")
#   repo    the checkout whose committed HEAD is cloned into the chroot
#   keep    1: leave the directory (unmounted) at the end
# and gets: say, die, phase_done, run_to; $outcome, which the last line
# (verdict, printed by the teardown) says; make_dir (the directory, $dir,
# under CHECK_FRESH_PARENT); fresh_chroot_setup (debootstrap minbase
# bookworm from the host's mirror or CHECK_FRESH_MIRROR, the mounts, the
# host's apt sources, the clone of HEAD in /root/libvirt-gevents: $head);
# in_chroot and chroot_logged to run commands there.  Whatever happens
# (failure, Ctrl-C, SIGTERM), the EXIT trap kills every process left in the
# chroot, unmounts everything under the directory and removes it.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

suite=bookworm

start=$SECONDS
phase_start=$SECONDS
phases=()

say () { printf '%s: %s\n' "$tool" "$*"; }
outcome="FAILED: stopped before the end"    # what the verdict line will say
verdict () {
  # the last line of all, printed once everything is torn down
  local p list=
  for p in "${phases[@]}"; do list+="${list:+, }$p"; done
  printf '%s: %s (%ds in all%s)\n' "$tool" "$1" $((SECONDS - start)) "${list:+: $list}"
}
phase_done () {
  phases+=("$1 $((SECONDS - phase_start))s")
  say "$1 took $((SECONDS - phase_start))s"
  phase_start=$SECONDS
}
die () { outcome="FAILED: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || { echo "$tool: FAILED: needs root (debootstrap, mounts, chroot)" >&2; exit 2; }

# ---------------------------------------------------------------------------
# The mirror: the first deb source for $suite in apt's own configuration.
# ---------------------------------------------------------------------------
find_mirror () {
  local f
  # one-line format: deb [options] URI SUITE COMPONENTS...
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
      awk -v s="$suite" '$1 == "deb" && $3 == s { print $2; exit }'
  done
  # deb822 format: stanzas of Types/URIs/Suites (Enabled: no skipped)
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v s="$suite" '
      function flush() {
        if (enabled && types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " s " ") && uri != "")
          { split(uri, u, " "); print u[1]; found = 1; exit }
        types = suites = uri = ""; enabled = 1
      }
      BEGIN { enabled = 1 }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      tolower($1) == "types:"   { $1 = ""; types = $0 }
      tolower($1) == "suites:"  { $1 = ""; suites = $0 }
      tolower($1) == "uris:"    { $1 = ""; sub(/^ +/, ""); uri = $0 }
      tolower($1) == "enabled:" { enabled = (tolower($2) != "no") }
      END { if (!found) flush() }' "$f"
  done
}

# ---------------------------------------------------------------------------
# Teardown, on every exit path.
# ---------------------------------------------------------------------------
dir=
dlog=
host_ca=                            # the host's CA bundle, copied in (see the setup)
descendants () {
  # every process started by this script, host side (debootstrap, timeout,
  # chroot, the log pipes), deepest first
  local c
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    descendants "$c"; echo "$c"
  done
}
mounts_under () {
  # mount points at or under $dir, in mount order (mountinfo field 5, with
  # its octal escapes undone).  mountinfo's paths are canonical: so is
  # $dir (make_dir), and again here, whatever became of it since.
  local d
  d=$(realpath -e -- "$dir" 2>/dev/null) || d=$dir
  awk -v d="$d" '
    function unescape(s,   out, i, c) {
      out = ""
      for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\\" && substr(s, i + 1, 3) ~ /^[0-7][0-7][0-7]$/) {
          c = sprintf("%c", (substr(s, i + 1, 1) * 64) + (substr(s, i + 2, 1) * 8) + substr(s, i + 3, 1))
          i += 3
        }
        out = out c
      }
      return out
    }
    { m = unescape($5); if (m == d || index(m, d "/") == 1) print m }' /proc/self/mountinfo
}
chroot_pids () {
  # every process whose root is the chroot, whatever its mount namespace:
  # compare the root's device and inode, not its path
  local want p
  want=$(stat -L -c %d:%i "$dir" 2>/dev/null) || return 0
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" != "$$" ] || continue
    [ "$(stat -L -c %d:%i "$p/root" 2>/dev/null)" = "$want" ] && echo "${p#/proc/}"
  done
  return 0
}
cleanup () {
  local status=$? pids i m
  trap - EXIT INT TERM HUP
  trap '' INT TERM HUP      # the teardown is not to be interrupted
  set +e
  [ $status -eq 0 ] || [[ $outcome = FAILED* ]] || outcome="FAILED (status $status)"
  pids=$(descendants $$ | grep -vx "$BASHPID")
  [ -n "$pids" ] && kill -TERM $pids 2>/dev/null
  [ -n "$dlog" ] && rm -f "$dlog"
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then verdict "$outcome"; exit $status; fi
  pids=$(chroot_pids)
  if [ -n "$pids" ]; then
    say "killing what is left in the chroot: $(echo $pids)"
    kill -TERM $pids 2>/dev/null
    for i in 1 2 3 4 5 6 7 8 9 10; do
      pids=$(chroot_pids); [ -z "$pids" ] && break; sleep 0.5
    done
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
    for i in 1 2 3 4 5 6 7 8 9 10; do
      pids=$(chroot_pids); [ -z "$pids" ] && break; sleep 0.5
    done
    [ -n "$pids" ] && say "still running in the chroot: $(echo $pids)"
  fi
  # deepest, latest mounts first; then whatever umount -R can do; then lazy
  for m in $(mounts_under | tac); do umount "$m" 2>/dev/null; done
  [ -n "$(mounts_under)" ] && umount -R "$dir" 2>/dev/null
  for m in $(mounts_under | tac); do umount -l "$m" 2>/dev/null; done
  if [ -n "$(mounts_under)" ]; then
    say "still mounted, NOT removing $dir:"; mounts_under
    outcome="FAILED: could not unmount everything under $dir (${outcome})"; status=1
  elif [ $keep -eq 1 ]; then
    say "kept (unmounted) $dir"
  else
    # --one-file-system: never through a mount, even one that appeared since
    rm -rf --one-file-system "$dir"
    [ -e "$dir" ] && { outcome="FAILED: could not remove $dir (${outcome})"; status=1; }
  fi
  verdict "$outcome"
  exit $status
}
make_dir () {
  # $dir: a new directory under CHECK_FRESH_PARENT, by its canonical path
  # (mountinfo's, see mounts_under: a relative or symlinked parent would
  # match no mount, and the teardown would leave /dev, /sys, /proc mounted)
  local parent
  parent=$(realpath -e -- "${CHECK_FRESH_PARENT:-/var/tmp}") ||
    die "CHECK_FRESH_PARENT ${CHECK_FRESH_PARENT:-/var/tmp} does not exist"
  [ -d "$parent" ] || die "CHECK_FRESH_PARENT $parent is not a directory"
  case $parent in *[[:space:]]*) die "the directory must not contain spaces: $parent" ;; esac
  dir=$(mktemp -d -p "$parent" "$tool.XXXXXX")
  chmod 755 "$dir"
}
on_signal () { outcome="FAILED: interrupted by SIG$1"; exit $((128 + $2)); }
trap cleanup EXIT
trap 'on_signal INT 2' INT
trap 'on_signal TERM 15' TERM
trap 'on_signal HUP 1' HUP

# long commands run in the background and are waited for: a trapped signal
# interrupts wait at once, where a foreground command would delay it.
# run_to FILE COMMAND...: COMMAND's output goes to FILE.  (Not "run ... >FILE":
# a trap that fires in the function would write to FILE too.)
run_to () { local out=$1; shift; "$@" > "$out" 2>&1 & wait $!; }

fresh_chroot_setup () {
  # debootstrap, the mounts, the apt sources, the clone of HEAD (in $head)
  mirror=${CHECK_FRESH_MIRROR:-$(find_mirror | head -n 1)}
  [ -n "$mirror" ] || die "no 'deb ... $suite' source in /etc/apt/sources.list{,.d}; set CHECK_FRESH_MIRROR"

  # ---------------------------------------------------------------------------
  # 1. debootstrap
  # ---------------------------------------------------------------------------
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap on the host"
    export DEBIAN_FRONTEND=noninteractive
    run_to /dev/null apt-get install -y -q --no-install-recommends debootstrap ||
      { run_to /dev/null apt-get update -q &&
        run_to /dev/null apt-get install -y -q --no-install-recommends debootstrap; } ||
      die "could not install debootstrap"
  fi
  make_dir
  head=$(git -C "$repo" rev-parse HEAD)
  say "checking $(git -C "$repo" log -1 --format='%h %s' HEAD)"
  [ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] ||
    say "warning: $repo has uncommitted changes; they are not checked"
  say "bootstrapping Debian 12 ($suite, minbase) from $mirror into $dir"
  # its log goes beside the directory (the directory must be empty), then in it
  # (made by mktemp: the parent may be world-writable, as /var/tmp is)
  dlog=$(mktemp -p "$(dirname "$dir")" "$(basename "$dir").debootstrap.XXXXXX")
  run_to "$dlog" debootstrap --variant=minbase "$suite" "$dir" "$mirror" ||
    { tail -n 20 "$dlog"; die "debootstrap failed"; }
  mv "$dlog" "$dir/root/debootstrap.log"
  dlog=
  phase_done debootstrap

  # ---------------------------------------------------------------------------
  # 2. mounts, apt sources, the clone
  # ---------------------------------------------------------------------------
  mount --bind "$dir" "$dir"
  mount --make-private "$dir"
  mount -t proc proc "$dir/proc"
  mount --rbind /sys "$dir/sys";  mount --make-rslave "$dir/sys"
  mount --bind /dev "$dir/dev";   mount --make-slave "$dir/dev"
  mount -t devpts devpts "$dir/dev/pts" -o newinstance,ptmxmode=0666,mode=0620,gid=5
  mkdir -p "$dir/dev/shm"
  mount -t tmpfs tmpfs "$dir/dev/shm" -o mode=1777,nosuid,nodev
  mount -t tmpfs tmpfs "$dir/run" -o mode=0755,nosuid,nodev
  mount -t tmpfs tmpfs "$dir/tmp" -o mode=1777,nosuid,nodev

  # the host's apt sources (and the keyrings they name), nothing else of apt's
  rm -f "$dir/etc/apt/sources.list"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    cp "$f" "$dir$f"
    for key in $(sed -n -e 's/.*signed-by=\([^] ]*\).*/\1/ip' -e 's/^Signed-By:[ \t]*\(\/[^ \t]*\).*/\1/ip' "$f"); do
      [ -f "$key" ] && [ ! -e "$dir$key" ] && { mkdir -p "$dir$(dirname "$key")"; cp "$key" "$dir$key"; }
    done
  done
  cp -L /etc/resolv.conf "$dir/etc/resolv.conf"
  # and the host's TLS trust, for the one client that fetches over TLS (npm:
  # the cli suite installs the CloudEvents SDK): where the host's egress is
  # inspected, its CA is in this bundle and in no fresh system's
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    mkdir -p "$dir/etc/ssl/check-fresh"
    cp -L /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/check-fresh/host-ca-certificates.crt"
    host_ca=/etc/ssl/check-fresh/host-ca-certificates.crt
  fi
  # a chroot has no init: daemons a package would start stay stopped
  # (what Debian's container images do)
  printf '#!/bin/sh\nexit 101\n' > "$dir/usr/sbin/policy-rc.d"
  chmod 755 "$dir/usr/sbin/policy-rc.d"

  git clone --quiet --no-hardlinks "$repo" "$dir/root/libvirt-gevents"
  git -C "$dir/root/libvirt-gevents" checkout --quiet "$head"
  [ -d "$repo/../shared" ] && cp -a "$repo/../shared" "$dir/root/shared"
  phase_done setup
}

in_chroot () {
  # a login-like clean environment, as a new user's root shell would have
  # (--default-signal: a background job of a script starts with SIGINT
  # ignored; the commands must see the signals a terminal would give them)
  env -i --default-signal HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      ${host_ca:+NODE_EXTRA_CA_CERTS=$host_ca} \
      timeout --kill-after=30 "$1" chroot "$dir" /bin/bash -c "$2"
}
chroot_logged () {
  # chroot_logged TIMEOUT COMMAND LOG: runs COMMAND in the chroot, copies its
  # output to ours and to LOG with timestamps; returns COMMAND's status
  rm -f "$3.status"
  { in_chroot "$1" "$2"; echo $? > "$3.status"; } 2>&1 | stamp | tee "$3" &
  wait $! || true
  [ -f "$3.status" ] || return 1
  return "$(cat "$3.status")"
}
stamp () {
  # copy each line through with the seconds since the phase started
  local t0=$SECONDS line
  while IFS= read -r line; do printf '[%4ds] %s\n' $((SECONDS - t0)) "$line"; done
}
