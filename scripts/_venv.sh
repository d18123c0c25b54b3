# Sourced by scripts/check and scripts/test: create a virtual environment on demand.

# ensure_venv DIR PYTHON: create DIR with PYTHON unless it exists. PYTHON may be a path or a
# name such as python3.13; pyenv's shims answer "command not found" for a version that is
# installed but not selected, so the newest matching pyenv install is used then.
ensure_venv() {
    local venv=$1 python=$2 version found
    if [ -x "$venv/bin/python" ]; then
        return 0
    fi
    if ! "$python" -c '' 2>/dev/null; then
        version=${python##*python}
        found=""
        if [[ $version =~ ^3\.[0-9]+$ ]] && command -v pyenv >/dev/null; then
            found=$(pyenv versions --bare | grep -E "^${version//./\\.}\.[0-9]+$" | sort -V | tail -n 1)
        fi
        if [ -z "$found" ] || [ ! -x "$(pyenv root)/versions/$found/bin/python$version" ]; then
            echo "error: no working $python (not on PATH, not installed under pyenv)" >&2
            return 1
        fi
        python="$(pyenv root)/versions/$found/bin/python$version"
    fi
    "$python" -m venv "$venv"
}
