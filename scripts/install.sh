#!/usr/bin/env bash
# Build Weir's release binary and install it as a command-line tool: `weir` on the PATH, its
# shell completions (bash, zsh, fish) and its man page. What it installs (files, and the folders
# it had to make) is listed in PREFIX/share/weir/installed-files, which --uninstall reads to
# remove exactly that.
#
# Usage: scripts/install.sh [--prefix DIR]              (default ~/.local: no root needed)
#        scripts/install.sh --uninstall [--prefix DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="$HOME/.local"
uninstall=false
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="${2:?--prefix needs a folder}"; shift 2 ;;
        --prefix=*) prefix="${1#--prefix=}"; shift ;;
        --uninstall) uninstall=true; shift ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac
manifest="$prefix/share/weir/installed-files"

if $uninstall; then
    if [ ! -f "$manifest" ]; then
        echo "Weir is not installed under $prefix (no $manifest)." >&2
        exit 1
    fi
    # Files first, then the folders the install made, deepest first, if nothing else is in them.
    listed="$(cat "$manifest")"
    rm -f "$manifest"
    sed -n 's/^file //p' <<< "$listed" | while IFS= read -r file; do rm -f "$file"; done
    sed -n 's/^folder //p' <<< "$listed" | sort -r | while IFS= read -r folder; do
        rmdir "$folder" 2>/dev/null || true
    done
    echo "Removed Weir from $prefix."
    exit 0
fi

echo "Building the release binary (the first build takes several minutes; later ones seconds)..."
swift build -c release --product weir
swift build -c release --product generate-manual # the argument parser's man page writer
bin="$(swift build -c release --show-bin-path)"

installed=() made=()
make_folder() { # like mkdir -p, remembering each folder it makes
    [ -d "$1" ] && return
    make_folder "$(dirname "$1")"
    mkdir "$1"
    made+=("$1")
}
place() { # place SOURCE DESTINATION MODE
    make_folder "$(dirname "$2")"
    install -m "$3" "$1" "$2"
    installed+=("$2")
}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

place "$bin/weir" "$prefix/bin/weir" 755
for shell in bash zsh fish; do
    "$bin/weir" --generate-completion-script "$shell" > "$work/weir.$shell"
done
place "$work/weir.bash" "$prefix/share/bash-completion/completions/weir" 644
place "$work/weir.zsh" "$prefix/share/zsh/site-functions/_weir" 644
place "$work/weir.fish" "$prefix/share/fish/vendor_completions.d/weir.fish" 644
"$bin/generate-manual" "$bin/weir" --date "$(date +%F)" --output-directory "$work"
place "$work/weir.1" "$prefix/share/man/man1/weir.1" 644

make_folder "$(dirname "$manifest")"
# An install over an earlier one keeps the folders that one made.
earlier="$(sed -n 's/^folder //p' "$manifest" 2>/dev/null || true)"
{
    printf 'file %s\n' "${installed[@]}" "$manifest"
    { [ -z "$earlier" ] || echo "$earlier"; [ ${#made[@]} -eq 0 ] || printf '%s\n' "${made[@]}"; } | sort -u | sed 's/^/folder /'
} > "$manifest.new"
mv "$manifest.new" "$manifest"

echo
echo "Installed $("$prefix/bin/weir" --version | sed 's/^/weir /'):"
printf '  %s\n' "${installed[@]}"
echo "Remove it with: scripts/install.sh --uninstall$([ "$prefix" = "$HOME/.local" ] || echo " --prefix $prefix")"
case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo "Note: $prefix/bin is not on your PATH; add it, e.g. in ~/.profile: export PATH=\"$prefix/bin:\$PATH\"" ;;
esac
echo "zsh finds the completion once $prefix/share/zsh/site-functions is in fpath (before compinit);"
echo "bash (with bash-completion) and fish find theirs by themselves under ~/.local and /usr/local."
