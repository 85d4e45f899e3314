#!/usr/bin/env bash
# Install Weir into a clean HOME as a user would (scripts/install.sh), use what it installed —
# the binary's --version, the bash completion sourced and asked, the man page — then
# uninstall and check that nothing is left. Run by .ci/run after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
fail() { echo "check-install: $*" >&2; exit 1; }

HOME="$home" scripts/install.sh > "$home/install.log" 2>&1 || { cat "$home/install.log"; fail "install failed"; }
prefix="$home/.local"

# The version names the commit checked out here.
version="$("$prefix/bin/weir" --version)"
commit="$(git log -1 --format=%H | cut -c1-12)"
[[ "$version" == "0.1.0 (commit $commit, "* ]] || fail "weir --version says '$version', expected commit $commit"
echo "weir --version: $version"

# The bash completion, sourced in a fresh shell, completes a subcommand and an option.
completions="$(HOME="$home" bash --norc -c '
    shopt -s extglob
    source "$1"
    ask() { COMPREPLY=(); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
            _weir weir "${!#}" "${@: -2:1}"; echo "${COMPREPLY[*]}"; }
    ask weir to
    ask weir consume payments --fr
' completion "$prefix/share/bash-completion/completions/weir")"
[[ "$(sed -n 1p <<< "$completions")" == "topics" ]] || fail "bash completes 'weir to' as '$(sed -n 1p <<< "$completions")'"
[[ "$(sed -n 2p <<< "$completions")" == *"--from"* ]] || fail "bash completes 'weir consume payments --fr' as '$(sed -n 2p <<< "$completions")'"
echo "bash completion: 'weir to' → topics, 'weir consume payments --fr' → --from"
[ -s "$prefix/share/zsh/site-functions/_weir" ] || fail "no zsh completion"
[ -s "$prefix/share/fish/vendor_completions.d/weir.fish" ] || fail "no fish completion"

# The man page covers every command.
page="$prefix/share/man/man1/weir.1"
for command in sql broker topics produce consume groups demo dump-log; do
    grep -q "^\.It Em $command\$" "$page" || fail "the man page does not describe '$command'"
done
echo "man page: every command described"

# Uninstall removes every file it installed and every folder it made (SwiftPM's own
# ~/.local/share/bin, made by the build, is not the install's and stays).
made="$(sed -n 's/^folder //p' "$prefix/share/weir/installed-files")"
[ -n "$made" ] || fail "the install recorded no folders in a clean HOME"
HOME="$home" scripts/install.sh --uninstall > /dev/null
left="$(find "$prefix" -type f)"
[ -z "$left" ] || fail "uninstall left files: $left"
while IFS= read -r folder; do
    [ ! -d "$folder" ] || fail "uninstall left the folder $folder"
done <<< "$made"
echo "uninstall: nothing left under $prefix"
