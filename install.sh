#!/bin/sh
# Install skep from a release: picks the archive for this OS and architecture (and libc), checks
# its SHA-256 against the release's SHA256SUMS, installs the binary atomically and the shell
# completions, and records what it installed so `--uninstall` removes exactly that.
#
#   curl -fsSL <release-url>/install.sh | SKEP_INSTALL_BASE=<release-url> sh
#   sh install.sh --uninstall
#
# SKEP_INSTALL_BASE    where SHA256SUMS and the archives are: an http(s) URL or a local directory
# SKEP_INSTALL_DIR     where the binary goes (default: ~/.local/bin)
# SKEP_INSTALL_TARGET  the archive's platform, when detection should be overridden (linux-x64-musl, ...)
set -eu

BIN_DIR=${SKEP_INSTALL_DIR:-"$HOME/.local/bin"}
DATA_HOME=${XDG_DATA_HOME:-"$HOME/.local/share"}
CONFIG_HOME=${XDG_CONFIG_HOME:-"$HOME/.config"}
# The receipt lists every file this script wrote; `skep doctor` reads it to say how skep was installed.
RECEIPT="$DATA_HOME/skep/install-receipt"

say() { printf 'skep install: %s\n' "$*"; }
die() {
	printf 'skep install: error: %s\n' "$*" >&2
	exit 1
}
usage() {
	printf 'usage: install.sh [--uninstall]\n(set SKEP_INSTALL_BASE to the release URL or directory; see the comments at the top)\n' >&2
	exit 2
}

uninstall() {
	[ -f "$RECEIPT" ] || die "no install receipt at $RECEIPT: nothing this script installed to remove"
	while IFS='=' read -r key value; do
		case $key in
		file) if [ -e "$value" ] || [ -L "$value" ]; then rm -f "$value" && say "removed $value"; fi ;;
		esac
	done <"$RECEIPT"
	rm -f "$RECEIPT"
	rmdir "$DATA_HOME/skep" 2>/dev/null || true
	say "uninstalled"
}

detect_target() {
	if [ -n "${SKEP_INSTALL_TARGET:-}" ]; then
		printf '%s\n' "$SKEP_INSTALL_TARGET"
		return
	fi
	case $(uname -s) in
	Linux) os=linux ;;
	Darwin) os=darwin ;;
	*) die "no skep release for $(uname -s): build from source (see README)" ;;
	esac
	case $(uname -m) in
	x86_64 | amd64) arch=x64 ;;
	aarch64 | arm64) arch=arm64 ;;
	*) die "no skep release for $(uname -m): build from source (see README)" ;;
	esac
	# An x64 shell under Rosetta on Apple silicon: the arm64 binary is the native one.
	if [ "$os" = darwin ] && [ "$arch" = x64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then
		arch=arm64
	fi
	libc=
	if [ "$os" = linux ]; then
		if ls /lib/ld-musl-*.so.1 >/dev/null 2>&1 || (ldd --version 2>&1 | grep -qi musl); then libc=-musl; fi
	fi
	if [ "$libc" = -musl ] && [ "$arch" != x64 ]; then die "no skep release for musl on $arch yet: build from source (see README)"; fi
	printf '%s-%s%s\n' "$os" "$arch" "$libc"
}

# fetch SOURCE DEST: a file from the release, by URL or from a local directory.
fetch() {
	case $BASE in
	http://* | https://*)
		if command -v curl >/dev/null 2>&1; then
			curl -fsSL --retry 2 -o "$2" "$BASE/$1" || die "could not download $BASE/$1"
		elif command -v wget >/dev/null 2>&1; then
			wget -q -O "$2" "$BASE/$1" || die "could not download $BASE/$1"
		else
			die "need curl or wget to download $BASE/$1"
		fi
		;;
	*) cp "${BASE#file://}/$1" "$2" 2>/dev/null || die "no $1 in ${BASE#file://}" ;;
	esac
}

sha256_of() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	elif command -v shasum >/dev/null 2>&1; then
		shasum -a 256 "$1" | cut -d' ' -f1
	else
		die "need sha256sum or shasum to check the download"
	fi
}

# install_file SOURCE DEST MODE: write DEST whole or not at all. A rename replaces the name, never
# the bytes of a file a running skep has open, so an upgrade under a running daemon is safe.
install_file() {
	mkdir -p "$(dirname "$2")"
	tmp="$(dirname "$2")/.$(basename "$2").new.$$"
	if ! { cp "$1" "$tmp" && chmod "$3" "$tmp" && mv -f "$tmp" "$2"; }; then
		rm -f "$tmp"
		die "could not write $2"
	fi
	printf 'file=%s\n' "$2" >>"$RECEIPT.new"
}

case ${1:-} in
--uninstall)
	uninstall
	exit 0
	;;
--help | -h) usage ;;
"") ;;
*) usage ;;
esac

BASE=${SKEP_INSTALL_BASE:-}
[ -n "$BASE" ] || die "set SKEP_INSTALL_BASE to the release's URL or directory (where SHA256SUMS is)"
BASE=${BASE%/}
TARGET=$(detect_target)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/skep-install.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

fetch SHA256SUMS "$WORK/SHA256SUMS"
# The one archive for this platform: skep-<version>-<target>.tar.gz (not the .sourcemaps one).
line=$(awk -v t="$TARGET" '{ n = $2; sub(/^\*/, "", n); if (n ~ ("^skep-[^/]*-" t "\\.tar\\.gz$") && n !~ /\.sourcemaps\.tar\.gz$/) print $1 " " n }' "$WORK/SHA256SUMS" | tail -n 1)
[ -n "$line" ] || die "the release at $BASE has no archive for $TARGET"
want=${line%% *}
archive=${line#* }
version=${archive#skep-}
version=${version%-"$TARGET".tar.gz}

say "downloading $archive"
fetch "$archive" "$WORK/$archive"
have=$(sha256_of "$WORK/$archive")
[ "$have" = "$want" ] || die "checksum mismatch for $archive (SHA256SUMS says $want, the download is $have): refusing to install it"

mkdir -p "$WORK/x"
tar -xzf "$WORK/$archive" -C "$WORK/x" || die "could not unpack $archive"
src="$WORK/x/${archive%.tar.gz}"
[ -f "$src/skep" ] || die "$archive holds no skep binary"

mkdir -p "$DATA_HOME/skep"
printf 'method=install.sh\nversion=%s\ntarget=%s\nbase=%s\n' "$version" "$TARGET" "$BASE" >"$RECEIPT.new"
install_file "$src/skep" "$BIN_DIR/skep" 755
# Where each shell finds completions without configuration: bash-completion's per-user directory,
# fish's per-user directory; zsh has none, so its directory is printed below for fpath.
install_file "$src/completions/skep.bash" "${BASH_COMPLETION_USER_DIR:-"$DATA_HOME/bash-completion"}/completions/skep" 644
install_file "$src/completions/skep.fish" "$CONFIG_HOME/fish/completions/skep.fish" 644
install_file "$src/completions/_skep" "$DATA_HOME/zsh/site-functions/_skep" 644
# An earlier install elsewhere (another SKEP_INSTALL_DIR): what it wrote that this one did not goes.
if [ -f "$RECEIPT" ]; then
	grep '^file=' "$RECEIPT" | while IFS='=' read -r _ old; do
		grep -qxF "file=$old" "$RECEIPT.new" || rm -f "$old"
	done
fi
mv -f "$RECEIPT.new" "$RECEIPT"

say "installed skep $version ($TARGET) to $BIN_DIR/skep"
say "zsh: completions are in $DATA_HOME/zsh/site-functions; add to ~/.zshrc before compinit:"
printf '  fpath=(%s %s)\n' "$DATA_HOME/zsh/site-functions" "\$fpath"
case ":$PATH:" in
*":$BIN_DIR:"*) ;;
*)
	say "$BIN_DIR is not on your PATH; add this line to your shell's profile (~/.profile, ~/.bashrc, ~/.zshrc):"
	printf '  export PATH="%s:%s"\n' "$BIN_DIR" "\$PATH"
	;;
esac
